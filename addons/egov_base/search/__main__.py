"""Rebuild the search index from the records:

    python -m egov_base.search rebuild -c CONF -d DATABASE [--model M ...]
"""
import argparse
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m egov_base.search')
    parser.add_argument('command', choices=['rebuild'])
    parser.add_argument('-c', '--config', dest='config')
    parser.add_argument('-d', '--database', dest='database', required=True)
    parser.add_argument('--model', action='append', dest='models',
        help="only this model (repeatable)")
    parser.add_argument('--batch', type=int, default=500)
    args = parser.parse_args(argv)

    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    pool = Pool(args.database)
    pool.init()
    started = time.perf_counter()
    with Transaction().start(args.database, 0, readonly=False) as transaction:
        Entry = pool.get('egov.search.entry')
        count = Entry.rebuild(args.models, batch=args.batch, commit=True)
        transaction.commit()
    elapsed = time.perf_counter() - started
    print('indexed %d records in %.1f s' % (count, elapsed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
