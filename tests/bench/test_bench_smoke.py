"""Smoke test of the benchmark harness: generate a tiny organisation into a
fresh database, check it against the module's rules, run every operation
a few times and look at the JSON.

Skipped unless EGOV_BENCH_DSN names a PostgreSQL server, e.g.
    EGOV_BENCH_DSN=$(scripts/pg start bench) pytest tests/bench
The scripts run as subprocesses: they configure Tryton for their own
database, which must not leak into the other tests of the session."""
import json
import os

import pytest

from smoke_tools import script

DSN = os.environ.get('EGOV_BENCH_DSN')
HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = pytest.mark.skipif(
    not DSN, reason="EGOV_BENCH_DSN is not set (a PostgreSQL server URI)")

COMPARED_KEYS = {
    'p50_ms', 'p95_ms', 'floor_p50_ms', 'floor_p95_ms', 'ratio_p50',
    'ratio_p95', 'target_p95_ms', 'meets_target', 'mismatches'}


@pytest.fixture
def database(bench_database):
    return bench_database


def test_generated_rows_follow_the_module_rules(database):
    output = script('check.py', '--dsn', DSN, '--database', database,
        '--sample', '100')
    assert output.strip().endswith('0 problems'), output


def test_every_operation_reports_positive_timings(database):
    report = json.loads(script('run.py', '--dsn', DSN, '--database',
            database, '--repeat', '2', '--warmup', '1'))
    operations = report['operations']
    assert {'employee_picker', 'unit_subtree', 'unit_subtree_api',
            'rule_lookup', 'audit_write_overhead', 'audit_search',
            'audit_verify', 'inbox_first_page', 'approval_action',
            'start_instances', 'start_instances_batch'} <= set(operations)
    assert operations['audit_verify']['ok'] is True
    inbox = operations['inbox_first_page']
    assert inbox['p50_ms'] > 0 and inbox['mismatches'] == 0
    assert operations['approval_action']['p50_ms'] > 0
    # Five instances a round
    assert operations['start_instances']['instances'] == 10
    assert operations['start_instances_batch']['instances'] == 10

    for name in ['employee_picker', 'unit_subtree', 'unit_subtree_api']:
        result = operations[name]
        assert COMPARED_KEYS <= set(result), name
        assert result['p50_ms'] > 0 and result['floor_p50_ms'] > 0, name
        assert result['p95_ms'] >= result['p50_ms'], name
        assert result['mismatches'] == 0, name
    # One kind of text a round, in the order of PICKER_KINDS: two rounds
    # time the Chinese and the full-pinyin ones
    assert set(operations['employee_picker']['by_kind']) == {
        'name', 'pinyin'}

    rule = operations['rule_lookup']
    for key in ['scope_cold', 'scope_warm', 'search_cold', 'search_warm']:
        assert rule[key]['p50_ms'] > 0, key
        assert rule[key]['p95_ms'] >= rule[key]['p50_ms'], key
    for key in ['search_cold', 'search_warm']:
        assert rule[key]['fixed_p50_ms'] > 0, key
    assert {'added_ms', 'target_added_ms', 'meets_target'} <= set(rule)
