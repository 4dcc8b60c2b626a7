"""The comparison of a run with the previous one (run.py's stored results,
the load test's report): no database needed."""
import os
import sys

import results

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))), 'load'))
import report as load_report  # noqa: E402


def test_bench_regression_over_20_percent_is_listed(tmp_path):
    before = {'picker': {'p50_ms': 4.0, 'p95_ms': 10.0,
            'by_kind': {'pinyin': {'p50_ms': 1.0, 'p95_ms': 2.0}}}}
    now = {'picker': {'p50_ms': 4.7, 'p95_ms': 12.5,
            'by_kind': {'pinyin': {'p50_ms': 1.3, 'p95_ms': 2.0}}},
        'new': {'p50_ms': 1.0, 'p95_ms': 1.0}}
    found = results.regressions(before, now)
    assert [(r['operation'], r['part'], r['measure']) for r in found] == [
        ('picker', '', 'p95_ms'), ('picker', 'by_kind.pinyin', 'p50_ms')]
    assert found[0]['change_percent'] == 25

    results.store(str(tmp_path), {'database': 'db', 'operations': before})
    path, stored = results.previous(str(tmp_path), 'db')
    assert stored['operations'] == before
    assert results.previous(str(tmp_path), 'other') == (None, None)
    assert '| picker · by_kind.pinyin | 1.3 |' in results.table(now)


def test_load_report_ratios_and_regressions():
    raw = {'started': 0, 'stopped': 10, 'samples': {
            'login': [900.0, 1100.0],
            'inbox': [20.0] * 90 + [60.0] * 10,
            'floor_own_user': [10.0] * 50,
            'floor_noop': [1.0] * 50},
        'errors': {'inbox': {'HTTP 502': 2}}}
    report = load_report.summarise(raw)
    inbox = report['operations']['inbox']
    assert inbox['requests'] == 102 and inbox['errors'] == 2
    assert inbox['per_s'] == 10.2
    assert inbox['p50_ms'] == 20.0 and inbox['ratio_p50_own_user'] == 2.0
    assert inbox['ratio_p50_noop'] == 20.0
    # The sustained mix leaves the logins out
    assert report['total']['requests'] == 202
    assert list(report['operations'])[:2] == ['login', 'inbox']

    slower = load_report.summarise(dict(raw, samples=dict(raw['samples'],
                inbox=[30.0] * 100)))
    # Faster is no regression; the way back is
    assert load_report.regressions(report, slower) == []
    assert load_report.regressions(slower, report) == [
        'inbox p95 30.0 → 60.0 ms (+100 %)']
