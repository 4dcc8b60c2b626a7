"""Benchmark operations of 文件编号 (issue 14): the time to take a document
number while other clerks take numbers of the same rule at the same moment.

numbering_contention   1, 10 and 50 takers at once (processes forked
                       from this one, as gunicorn's workers are, each a
                       clerk's transaction as an RPC call opens it; threads
                       of one process with --numbering-threads, where the
                       interpreter's lock is part of the figure): each takes the next number of one rule and
                       registers it (what 预留文号 and the 编号 step do), then
                       commits. p50/p95/max of the whole transaction and of
                       the take alone (the counter's own short transaction,
                       waiting for the others' row lock included); target
                       p95 < 20 ms. The register is checked after each
                       level: as many numbers as takes, 1..n without a gap.

Needs egov_document activated on the benchmark database
(trytond-admin -u egov_document). Each run numbers with a rule of its
own, made for it; the rule and its numbers are deleted at the end."""
import multiprocessing
import string
import threading
import time

from harness import percentile
from operations import operation

LEVELS = [1, 10, 50]
TARGET_P95_MS = 20


def activated(bench):
    return bool(bench.fetch("SELECT 1 FROM ir_module "
            "WHERE name = 'egov_document' AND state = 'activated'"))


def setup(bench):
    """A unit, a clerk of it (their post given the clerk role) and a rule
    of its own for this run; (user id, rule id)"""
    from trytond.transaction import Transaction
    pool = bench.pool
    Numbering = pool.get('egov.document.numbering')
    Post = pool.get('egov.org.post')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    (user, unit, post), = bench.fetch(
        'SELECT e."user", e.unit, a.post FROM egov_org_employee e '
        'JOIN egov_org_assignment a ON a.employee = e.id AND a."primary" '
        'WHERE e.active AND e."user" IS NOT NULL ORDER BY e.id LIMIT 1')
    letters = ''.join(bench.rng.choice(string.ascii_uppercase)
        for _ in range(6))
    with Transaction().start(bench.database, 0, readonly=False):
        clerk = ModelData.get_id('egov_document', 'group_document_clerk')
        Post.write([Post(post)], {'groups': [('add', [clerk])]})
        rule, = Numbering.create([{
                    'name': '基准测试 %s' % letters, 'unit': unit,
                    'prefix': '基准%s字' % letters, 'mode': 'auto'}])
        User.clear_org_caches()
        return user, rule.id


def teardown(bench, rule_id):
    "Remove the run's rule, its counters, allocations and numbers"
    for table in ['egov_document_number',
            'egov_document_numbering_allocation',
            'egov_document_numbering_counter']:
        bench.fetch('DELETE FROM %s WHERE numbering = %%s RETURNING 1'
            % table, (rule_id,))
    bench.fetch('DELETE FROM egov_document_numbering WHERE id = %s '
        'RETURNING 1', (rule_id,))


def take_one(bench, user, rule_id, year):
    "One clerk's transaction: take, register, commit; (total ms, take ms)"
    pool = bench.pool
    Numbering = pool.get('egov.document.numbering')
    Counter = pool.get('egov.document.numbering.counter')
    Number = pool.get('egov.document.number')
    started = time.perf_counter()
    # Committed when the block ends, as a call's transaction
    with bench.as_user(user, readonly=False):
        rule = Numbering(rule_id)
        taking = time.perf_counter()
        sequence = Counter.take(rule.id, year)
        taken = time.perf_counter()
        Number.register(rule, year, sequence, 'reserved',
            note='基准测试')
    return ((time.perf_counter() - started) * 1000,
        (taken - taking) * 1000)


# The workers of a server: more takers than this are threads of them (each
# process holds two connections: the cluster allows 100)
PROCESSES = 10


def level(bench, user, rule_id, year, takers, per_taker):
    """takers take per_taker numbers each, all starting together, in up to
    PROCESSES processes; [(total ms, take ms)] of every take, and the
    failures"""
    if takers == 1 or getattr(bench, 'numbering_threads', False):
        return level_in_threads(
            bench, user, rule_id, year, takers, per_taker)
    context = multiprocessing.get_context('fork')
    processes = min(takers, PROCESSES)
    barrier = context.Barrier(takers)
    results = context.Queue()

    def run(threads):
        # (Tryton opens connections of its own in a forked process: its
        # pools are kept per process id.) A worker's connections are open
        # before its first request: one untimed take opens this process's
        take_one(bench, user, rule_id, year)
        results.put(level_in_threads(bench, user, rule_id, year, threads,
                per_taker, barrier))
    workers = [context.Process(target=run,
            args=(takers // processes + (i < takers % processes),))
        for i in range(processes)]
    for worker in workers:
        worker.start()
    samples, failures = [], []
    for _ in workers:
        worker_samples, worker_failures = results.get(timeout=300)
        samples.extend(worker_samples)
        failures.extend(worker_failures)
    for worker in workers:
        worker.join()
    return samples, failures


def level_in_threads(bench, user, rule_id, year, takers, per_taker,
        barrier=None):
    "level() with threads of this process"
    samples, failures = [], []
    lock = threading.Lock()
    barrier = barrier or threading.Barrier(takers)

    def run():
        barrier.wait()
        for _ in range(per_taker):
            try:
                result = take_one(bench, user, rule_id, year)
            except Exception as error:  # reported, not raised: a figure
                with lock:
                    failures.append(repr(error))
                continue
            with lock:
                samples.append(result)
    threads = [threading.Thread(target=run) for _ in range(takers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, failures


def figures(samples, index):
    values = [s[index] for s in samples]
    return {
        'p50_ms': round(percentile(values, 50), 2),
        'p95_ms': round(percentile(values, 95), 2),
        'max_ms': round(max(values), 2),
        }


@operation('numbering_contention')
def numbering_contention(bench):
    if not activated(bench):
        return {'skipped': 'egov_document is not activated on %s: run '
            'trytond-admin -u egov_document' % bench.database}
    user, rule_id = setup(bench)
    year = time.localtime().tm_year
    bench.context_of(user)
    result = {'target_p95_ms': TARGET_P95_MS, 'levels': {}}
    try:
        # Warm the caches (user, rule, access) untimed
        level(bench, user, rule_id, year, 1, max(bench.warmup, 1))
        for takers in LEVELS:
            per_taker = max(1, bench.repeat // takers)
            started = time.perf_counter()
            samples, failures = level(
                bench, user, rule_id, year, takers, per_taker)
            seconds = time.perf_counter() - started
            sequences = [s for s, in bench.fetch(
                    'SELECT sequence FROM egov_document_number '
                    'WHERE numbering = %s AND year = %s ORDER BY sequence',
                    (rule_id, year))]
            total = figures(samples, 0)
            result['levels'][str(takers)] = {
                'takes': len(samples),
                'failures': failures[:5],
                'failure_count': len(failures),
                'numbers_per_second': round(len(samples) / seconds, 1),
                'transaction': total,
                'take': figures(samples, 1),
                'gap_free': sequences == list(range(1, len(sequences) + 1)),
                'distinct': len(set(sequences)) == len(sequences),
                'meets_target': total['p95_ms'] < TARGET_P95_MS,
                }
    finally:
        teardown(bench, rule_id)
    result['meets_target'] = all(
        v['meets_target'] for v in result['levels'].values())
    return result
