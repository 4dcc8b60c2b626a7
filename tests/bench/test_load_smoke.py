"""Smoke test of the load test (tests/load/run): a clone of the benchmark
smoke database served the production way (gunicorn, trytond-worker,
trytond-cron; two gunicorn hosts behind nginx when nginx is installed),
locust for 10 s with 2 people, a report with every operation's figures.

Skipped unless EGOV_BENCH_DSN names a PostgreSQL server, e.g.
    EGOV_BENCH_DSN=$(scripts/pg start test) \
        pytest tests/bench/test_load_smoke.py
About 45 s once the smoke database is there (made by conftest.py's
bench_database, shared with test_bench_smoke.py: 1–3 minutes more)."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from smoke_tools import DSN, HERE, drop

RUN = os.path.join(os.path.dirname(HERE), 'load', 'run')
DATABASE = 'egov_load_smoke'

pytestmark = pytest.mark.skipif(
    not DSN, reason="EGOV_BENCH_DSN is not set (a PostgreSQL server URI)")


@pytest.fixture
def results(tmp_path):
    yield tmp_path
    drop(DATABASE)


def run_load(template, results, *options):
    "tests/load/run on a fresh clone of template; (its directory, report)"
    command = [sys.executable, RUN, '--dsn', DSN, '--template', template,
        '--database', DATABASE, '--fresh', '--no-update', *options,
        '--results', str(results)]
    done = subprocess.run(command, capture_output=True, text=True,
        timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (run,) = os.listdir(results)
    with open(results / run / 'report.json', encoding='utf-8') as fp:
        return results / run, json.load(fp)


def test_load_run_reports_every_operation(bench_database, results):
    hosts = '2' if shutil.which('nginx') or os.path.exists(
        '/usr/sbin/nginx') else '1'
    run, report = run_load(bench_database, results, '--users', '2',
        '--spawn-rate', '2', '--seconds', '10', '--workers', '1',
        '--hosts', hosts, '--people', '20')
    operations = report['operations']
    assert {'login', 'inbox', 'floor_noop', 'floor_own_user'} <= set(
        operations), operations
    total = report['total']
    assert total['requests'] > 20
    assert total['errors'] <= total['requests'] * 0.05, operations
    inbox = operations['inbox']
    assert inbox['p50_ms'] > 0 and inbox['ratio_p50_own_user'] > 0
    assert report['people']['staff'] == 20
    if hosts == '2':
        assert report['across_hosts'] == {'login_on': 'A',
            'session_served_by_B': True, 'change_on_A_seen_by_B': True}
    # Where the CPU went: the processes by kind, the web workers' CPU per
    # operation (counted by the workers, written when they stopped)
    cpu = report['cpu']
    for kind in ['web workers (gunicorn)', 'PostgreSQL',
            'task queue (trytond-worker)', 'load generator (locust, wrk)']:
        assert cpu[kind]['cpu_s'] > 0, cpu
    web = report['web_cpu_per_operation']
    # (a call cut at the run's end may be counted by one side only)
    assert abs(web['inbox']['calls']
        - operations['inbox']['requests']) <= 2, web
    assert web['inbox']['cpu_ms'] > 0
    assert '| web CPU ms a call |' in (run / 'report.md').read_text(
        encoding='utf-8')
    # Every process was stopped: their logs are complete
    assert os.path.exists(run / 'gunicorn-A.log')
    assert os.path.exists(run / 'trytond-worker.log')
    assert '| **all but login** |' in (
        run / 'report.md').read_text(encoding='utf-8')


@pytest.mark.skipif(not shutil.which('wrk'), reason="wrk is not installed")
def test_pages_at_full_rate(bench_database, results):
    "--pages: wrk on the no-op, the one-row read and the inbox page"
    run, report = run_load(bench_database, results, '--pages', '--users',
        '2', '--seconds', '2', '--workers', '1', '--no-worker', '--people',
        '5')
    pages = report['pages']
    for name in ['noop', 'own_user', 'inbox']:
        assert pages[name]['requests'] > 0, pages
        assert pages[name]['errors'] == 0, pages
        assert 0 < pages[name]['p50_ms'] <= pages[name]['p99_ms'], pages
    assert pages['inbox_rate_of_own_user'] > 0
    # The inbox and the read alternate in three rounds of a second
    assert len(pages['inbox_rate_of_own_user_by_round']) == 3
    assert pages['inbox']['requests'] == sum(
        int(re.search(r'(\d+) requests in', (
                    run / ('wrk-inbox-%d.txt' % i)).read_text())[1])
        for i in range(3))
    assert (run / 'wrk-inbox-0.txt').read_text().startswith(
        'Running 1s test')
    assert (run / 'wrk-noop-0.txt').read_text().startswith(
        'Running 2s test')
