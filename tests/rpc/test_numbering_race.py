"""A hundred clerks' sessions reserve a document number at the same moment
(预留文号, the wizard of 编号规则, as the web client runs it): every one gets
a number, all different, following each other without a gap.

PostgreSQL only: SQLite has one writer at a time, there is no race to run."""
import concurrent.futures
import os
import re
import threading
import time

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
PARALLEL = 100
WIZARD = 'egov.document.number.reserve'
NUMBER = re.compile(r'(.+)〔(\d{4})〕(\d+)号')

pytestmark = pytest.mark.skipif(
    not os.environ.get('TRYTOND_DATABASE__URI', '').startswith('postgresql'),
    reason="the race is PostgreSQL's: SQLite has one writer at a time")


def sequences(session, rule_id, year):
    "The sequences of the rule's register in year, and their states"
    rows = session.search_read('egov.document.number', [
            ('numbering', '=', rule_id), ('year', '=', year)],
        ['sequence', 'state', 'number'])
    return sorted(r['sequence'] for r in rows), rows


def test_hundred_clerks_take_numbers_at_once(server, artefacts):
    clerk = Session(server, 'xiena', PASSWORD)
    rules = clerk.search_read('egov.document.numbering', [
            ('prefix', '=', '袁府办字')], ['id', 'prefix', 'preview', 'mode'])
    assert rules, "the demo gives 袁州区人民政府办公室 the rule 袁府办字"
    rule, = rules
    assert rule['mode'] == 'auto'
    prefix, year, first = NUMBER.fullmatch(rule['preview']).groups()
    year, first = int(year), int(first)
    before, _ = sequences(clerk, rule['id'], year)
    assert before == list(range(1, first)), before

    # Each session is a clerk's browser: logged in, the wizard opened on
    # the rule at its first page
    context = {'active_model': 'egov.document.numbering',
        'active_id': rule['id'], 'active_ids': [rule['id']]}
    sessions = [Session(server, 'xiena', PASSWORD) for _ in range(PARALLEL)]
    wizards = [s.wizard(WIZARD, {}, 'start', **context)[0] for s in sessions]
    barrier = threading.Barrier(PARALLEL)

    def reserve(args):
        session, wizard_id = args
        barrier.wait()
        started = time.monotonic()
        try:
            result = session.wizard_step(WIZARD, wizard_id, {'start': {
                        'count': 1, 'note': '并发取号测试'}}, 'reserve',
                **context)
        except RPCError as error:
            return error.kind + ': ' + error.message, None
        return result, (time.monotonic() - started) * 1000

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(reserve, zip(sessions, wizards)))
    seconds = time.monotonic() - started
    failures = [r for r, _ in results if not isinstance(r, dict)]
    assert failures == [], failures
    assert all(r['actions'] for r, _ in results)

    after, rows = sequences(clerk, rule['id'], year)
    new = [r for r in rows if r['sequence'] >= first]
    numbers = [r['number'] for r in new]
    assert len(new) == PARALLEL
    assert len(set(numbers)) == PARALLEL
    assert sorted(r['sequence'] for r in new) == list(
        range(first, first + PARALLEL))
    assert after == list(range(1, first + PARALLEL))
    assert {r['state'] for r in new} == {'reserved'}
    assert set(numbers) == {'%s〔%s〕%s号' % (prefix, year, n)
        for n in range(first, first + PARALLEL)}
    preview, = clerk.model('egov.document.numbering', 'read',
        [rule['id']], ['preview'])
    assert preview['preview'] == '%s〔%s〕%s号' % (
        prefix, year, first + PARALLEL)

    times = sorted(ms for _, ms in results)
    report = ('%d clerks reserved a number at once: %d numbers %s..%s, '
        'no gap, no duplicate, in %.2f s; per request p50 %.0f ms, '
        'max %.0f ms\n' % (PARALLEL, len(new), numbers and min(
                new, key=lambda r: r['sequence'])['number'],
            max(new, key=lambda r: r['sequence'])['number'], seconds,
            times[len(times) // 2], times[-1]))
    (artefacts / 'numbering_race.txt').write_text(report, encoding='utf-8')
    print(report)
