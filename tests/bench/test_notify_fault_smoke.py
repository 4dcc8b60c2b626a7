"""Smoke version of the notification fault test (notify_fault.py --short):
300 SMS deliveries, the local Aliyun service down (503, then refused) for a
few seconds, the worker killed with SIGKILL once while it holds claims;
nothing lost, nothing sent twice, counted at the provider.

Skipped unless EGOV_BENCH_DSN names a PostgreSQL server, e.g.
    EGOV_BENCH_DSN=$(scripts/pg start bench) pytest tests/bench
The script runs as a subprocess: it configures Tryton for its own database
and starts the workers and the provider's process itself."""
import json
import os
import subprocess
import sys

import pytest

from smoke_tools import drop

DSN = os.environ.get('EGOV_BENCH_DSN')
DATABASE = 'egov_notify_fault_smoke'
HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = pytest.mark.skipif(
    not DSN, reason="EGOV_BENCH_DSN is not set (a PostgreSQL server URI)")


@pytest.fixture(scope='module')
def summary(bench_database):
    "The short run, on a clone of the session's generated organisation"
    result = subprocess.run([sys.executable,
            os.path.join(HERE, 'notify_fault.py'), '--dsn', DSN,
            '--database', DATABASE, '--template', bench_database,
            '--template-current', '--short'],
        capture_output=True, text=True, timeout=600)
    try:
        yield json.loads(result.stdout)
    except ValueError:
        pytest.fail(result.stdout + result.stderr)
    finally:
        drop(DATABASE)


def test_every_sms_reaches_the_provider_once(summary):
    assert summary['done'], summary['events']
    assert summary['sms_deliveries'] == 300
    assert summary['lost'] == 0, summary['lost_sample']
    assert summary['duplicated'] == 0, summary['duplicated_sample']
    assert summary['unexpected'] == 0
    assert summary['provider_distinct'] == 300
    assert summary['states'] == {'sent': 300}
    assert summary['ok']


def test_the_faults_happened(summary):
    events = [e['event'] for e in summary['events']]
    assert events[:3] == ['provider down (503)',
        'provider down (connection refused)', 'provider up']
    assert 'worker killed (SIGKILL)' in events
    assert 'worker started again' in events
    # The outage made retries; the provider refused calls while down
    assert summary['retries'] > 0
    assert summary['provider_calls'].get('QuerySendDetails', 0) > 0
