#!/usr/bin/env python3
"""Time the registered operations through Tryton's ORM and print JSON.

    python tests/bench/run.py --dsn postgresql://egov@127.0.0.1:54330/ \\
        --database egov_bench [--only NAME ...] [--repeat N] [--warmup N]
        [--explain NAME]

Each operation runs in-process as real (non-admin) users, with access checks
and record rules on, and reports p50/p95 in ms and, where it applies, the
ratio to a raw-SQL floor. --explain NAME runs one round of the operation
with the SQL Tryton sends captured, and prints EXPLAIN ANALYZE of each
query instead of timings. Each run is kept under var/bench/ (--results)
and compared with the previous run of the same database: figures more than
20 % slower are listed under "regressions" and printed, with a table of
every figure, on stderr."""
import argparse
import datetime
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import results  # noqa: E402


def configure_early(argv=None):
    "Configure Tryton for --dsn before the operations import the module"
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--dsn')
    known, _ = pre.parse_known_args(argv)
    if known.dsn:
        harness.configure(known.dsn)


configure_early()
from operations import OPERATIONS  # noqa: E402
import operations_workflow  # noqa: E402,F401 (registers its operations)
import operations_notify  # noqa: E402,F401 (registers its operations)
import operations_search  # noqa: E402,F401 (registers its operations)
import operations_numbering  # noqa: E402,F401 (registers its operations)
import operations_document  # noqa: E402,F401 (registers its operations)
import operations_rpc  # noqa: E402,F401 (registers its operations)
import operations_supervision  # noqa: E402,F401 (registers its operations)
import operations_meeting  # noqa: E402,F401 (registers its operations)
import operations_render  # noqa: E402,F401 (registers its operations)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dsn', required=True,
        help="PostgreSQL URI of the server, without database")
    parser.add_argument('--database', default='egov_bench')
    parser.add_argument('--only', nargs='+', choices=sorted(OPERATIONS),
        metavar='NAME', help="operations to run (default: all): %s"
        % ', '.join(sorted(OPERATIONS)))
    parser.add_argument('--repeat', type=int, default=200)
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--explain', metavar='NAME',
        choices=sorted(OPERATIONS))
    parser.add_argument('--output', help="also write the JSON to this file")
    parser.add_argument('--results', default=os.path.join(ROOT, 'var',
            'bench'), help="where runs are kept and compared "
        "(default var/bench)")
    parser.add_argument('--no-store', action='store_true',
        help="neither keep this run nor compare it")
    return parser.parse_args(argv)


def run(bench, names):
    results = {}
    for name in names:
        started = time.monotonic()
        results[name] = OPERATIONS[name](bench)
        results[name]['seconds'] = round(time.monotonic() - started, 1)
        print('%s done in %.1f s' % (name, results[name]['seconds']),
            file=sys.stderr, flush=True)
    return results


def explain(bench, name, top=12):
    """Run the operation a few rounds to warm the caches, then one more
    with the SQL captured; print EXPLAIN ANALYZE of the slowest queries"""
    bench.repeat, bench.warmup = 2, 2
    OPERATIONS[name](bench)
    bench.repeat, bench.warmup = 1, 0
    with harness.capture_queries() as queries:
        OPERATIONS[name](bench)
    print('-- %d queries in one round' % len(queries))
    for ms, query, plan in harness.explain(bench, queries)[:top]:
        print('-- %.3f ms: %s' % (ms, query))
        print(plan)
        print()


def main(argv=None):
    args = parse_args(argv)
    bench = harness.Bench(args.dsn, args.database, repeat=args.repeat,
        warmup=args.warmup, seed=args.seed)
    try:
        if args.explain:
            explain(bench, args.explain)
            return
        names = args.only or list(OPERATIONS)
        report = {
            'database': args.database,
            'date': datetime.datetime.now().isoformat(timespec='seconds'),
            'machine': '%s, %s cores' % (platform.machine(), os.cpu_count()),
            'repeat': args.repeat,
            'warmup': args.warmup,
            'operations': run(bench, names),
            }
    finally:
        bench.close()
    if not args.no_store:
        before_path, before = results.previous(args.results, args.database)
        if before:
            report['compared_with'] = os.path.basename(before_path)
            report['regressions'] = results.regressions(
                before['operations'], report['operations'])
        report['stored_as'] = results.store(args.results, report)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    # The table and the regressions to stderr: stdout is the JSON
    print(results.table(report['operations']), file=sys.stderr)
    for r in report.get('regressions', []):
        print('REGRESSION %(operation)s %(part)s %(measure)s: %(before)s → '
            '%(now)s ms (+%(change_percent)s %%)' % r, file=sys.stderr)
    if args.output:
        with open(args.output, 'w') as fp:
            fp.write(text + '\n')


if __name__ == '__main__':
    main()
