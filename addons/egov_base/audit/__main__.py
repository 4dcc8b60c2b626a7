"""The audit's commands, for operators and auditors:

    python -m egov_base.audit -c CONF -d DB seal
    python -m egov_base.audit -c CONF -d DB verify [--no-seal] [--json]
    python -m egov_base.audit -c CONF -d DB archive [--before YYYY-MM-DD]
    python -m egov_base.audit -c CONF -d DB verify-archive

verify checks the whole chain (the first changed row, the first missing
sequence number, the end of the chain against the last seal) and every
archive file (its SM3, its signature, its rows); it exits with 1 when
anything is broken. archive moves the sealed rows older than [egov]
audit_retention_days (at least 180) to a signed file."""
import argparse
import datetime
import json
import sys


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m egov_base.audit',
        description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', dest='config',
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', dest='database', required=True)
    parser.add_argument('-l', '--language', default='zh_CN',
        help="language of the report (default zh_CN)")
    parser.add_argument('command',
        choices=['seal', 'verify', 'archive', 'verify-archive'])
    parser.add_argument('--no-seal', action='store_true',
        help="verify without sealing the new rows first")
    parser.add_argument('--before', type=datetime.date.fromisoformat,
        help="archive only rows older than this date (never newer than "
        "the retention period)")
    parser.add_argument('--json', action='store_true',
        help="print the verification as JSON")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from trytond import config
    if args.config:
        config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    with Transaction().start(args.database, 0, readonly=True):
        pool.init()
    context = {'language': args.language}
    status = 0
    with Transaction().start(args.database, 0, context=context) as transaction:
        Log = pool.get('egov.audit.log')
        Archive = pool.get('egov.audit.archive')
        if args.command == 'seal':
            print(Log.seal())
        elif args.command == 'verify':
            from .verify import run_verify
            if args.json:
                report = Log.verify(seal=not args.no_seal)
                report['archives'] = {a.filename: a.verify_file()
                    for a in Archive.search([])}
                print(json.dumps(report, ensure_ascii=False, indent=2,
                        default=str))
                ok = report['ok'] and not any(report['archives'].values())
            else:
                ok, text = run_verify(seal=not args.no_seal)
                print(text)
            status = 0 if ok else 1
        elif args.command == 'archive':
            before = None
            if args.before:
                before = datetime.datetime.combine(
                    args.before, datetime.time())
            archive = Archive.archive(before=before)
            if archive:
                print('%s: %s (%s-%s)' % (archive.filename, archive.count,
                        archive.first_sequence, archive.last_sequence))
        elif args.command == 'verify-archive':
            for archive in Archive.search([]):
                problems = archive.verify_file()
                print('%s: %s' % (archive.filename,
                        '; '.join(problems) if problems else 'OK'))
                if problems:
                    status = 1
        transaction.commit()
    return status


if __name__ == '__main__':
    sys.exit(main())
