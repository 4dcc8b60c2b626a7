#!/usr/bin/env python3
"""Fill the audit log of a benchmark database with sealed, hash-chained
rows, as a year of the city's work would leave them.

    python tests/bench/generate_audit.py --uri postgresql://egov@127.0.0.1:54330/ \\
        --database egov_bench [--rows 10000000] [--days 365] [--force]

Run it after generate.py (the users, posts and units are read from the
database). The rows are built in Python, chained with SM3 exactly as the
module's sealer does (egov_base.audit.chain), and loaded with COPY with
the indexes dropped and rebuilt afterwards; a seal row closes the chain,
so that the module's verify accepts it. --force empties the audit tables
first (their append-only triggers are disabled for that)."""
import argparse
import datetime
import json
import os
import random
import sys
import time

import psycopg
from psycopg.conninfo import make_conninfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'addons'))

from egov_base.audit.chain import (  # noqa: E402
    CHAIN_COLUMNS, GENESIS, row_hash)

COLUMNS = CHAIN_COLUMNS + ('hash', 'create_uid', 'create_date')
AUDIT_TABLES = ['egov_audit_log', 'egov_audit_seal', 'egov_audit_archive']
# (action, result, weight, model, method)
ACTIONS = [
    ('write', 'success', 30, None, None),
    ('create', 'success', 14, None, None),
    ('read', 'success', 10, None, 'read'),
    ('login', 'success', 14, 'res.user', 'common.db.login'),
    ('logout', 'success', 10, 'res.user', 'common.db.logout'),
    ('delete', 'success', 2, None, None),
    ('export', 'success', 2, None, 'export_data'),
    ('print', 'success', 2, None, 'egov.org.unit.export'),
    ('download', 'success', 2, 'ir.attachment', 'data'),
    ('button', 'success', 5, None, 'close'),
    ('wizard', 'success', 3, None, 'egov.org.import:import_'),
    ('login_failed', 'refused', 2, 'res.user', 'common.db.login'),
    ('write', 'refused', 2, None, 'model.egov.org.unit.write'),
    ('read', 'refused', 1, None, 'model.egov.directory.contact.read'),
    ('session_invalid', 'refused', 1, 'res.user', 'session'),
    ]
MODELS = [
    'egov.org.unit', 'egov.org.employee', 'egov.org.post',
    'egov.org.assignment', 'egov.directory.contact', 'res.user',
    'egov.application.switch', 'ir.attachment',
    ]
FIELDS = {
    'egov.org.unit': ['phone', 'address', 'name', 'short_name'],
    'egov.org.employee': ['mobile', 'office_phone', 'email', 'title'],
    'egov.org.post': ['name', 'head'],
    'egov.org.assignment': ['end_date', 'primary'],
    'egov.directory.contact': ['name', 'mobile', 'note'],
    'res.user': ['email', 'post', 'password'],
    'egov.application.switch': ['enabled'],
    'ir.attachment': ['name'],
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uri', required=True)
    parser.add_argument('--database', default='egov_bench')
    parser.add_argument('--rows', type=int, default=10_000_000)
    parser.add_argument('--days', type=int, default=365)
    parser.add_argument('--seed', type=int, default=20261126)
    parser.add_argument('--force', action='store_true',
        help="empty the audit tables first")
    return parser.parse_args(argv)


def actors(conn):
    "The logins with their current post, unit and division (snapshots)"
    return conn.execute("""
        SELECT u.id, u.login, u.name, p.id, un.name || ' - ' || p.name,
            e.unit, un.name, d.id, d.name
        FROM res_user u
        JOIN egov_org_employee e ON e."user" = u.id
        JOIN egov_org_assignment a ON a.employee = e.id AND a."primary"
        JOIN egov_org_post p ON p.id = a.post
        JOIN egov_org_unit un ON un.id = e.unit
        JOIN egov_org_unit d ON d.id = un.division
        ORDER BY u.id""").fetchall()


def copy_escape(value):
    if value is None:
        return '\\N'
    text = str(value)
    if '\\' in text or '\t' in text or '\n' in text or '\r' in text:
        text = (text.replace('\\', '\\\\').replace('\t', '\\t')
            .replace('\n', '\\n').replace('\r', '\\r'))
    return text


class RowMaker:

    def __init__(self, args, people):
        self.rng = random.Random(args.seed)
        self.people = people
        self.weights = [a[2] for a in ACTIONS]
        self.end = datetime.datetime.now().replace(microsecond=0)
        self.start = self.end - datetime.timedelta(days=args.days)
        self.step = (self.end - self.start) / args.rows
        self.sessions = {}

    def session(self, user_id):
        value = self.sessions.get(user_id)
        if value is None or self.rng.random() < 0.02:
            value = self.sessions[user_id] = '%064x' % self.rng.getrandbits(
                256)
        return value

    def rows(self, count, first_id, prev):
        rng = self.rng
        choices = rng.choices(ACTIONS, weights=self.weights, k=count)
        for n, (action, result, _, model, method) in enumerate(choices):
            id_ = first_id + n
            timestamp = self.start + self.step * id_ + datetime.timedelta(
                microseconds=rng.randrange(1000))
            person = rng.choice(self.people)
            user_id = person[0]
            model = model or rng.choice(MODELS)
            record_id = rng.randrange(1, 60000)
            changes = message = None
            if action in {'write', 'create'}:
                field = rng.choice(FIELDS.get(model, ['name']))
                if field == 'password':
                    changes = '{"password":"******"}'
                else:
                    changes = json.dumps(
                        {field: ['0795-%07d' % rng.randrange(10 ** 7),
                                '0795-%07d' % rng.randrange(10 ** 7)]},
                        separators=(',', ':'))
            if result == 'refused':
                message = '您无权修改此记录。'
            address = '10.%d.%d.%d' % (
                user_id % 250, rng.randrange(250), rng.randrange(250))
            values = [id_, id_, timestamp.isoformat(
                    sep=' ', timespec='microseconds'),
                user_id, person[1], person[2], person[3], person[4],
                person[5], person[6], person[7], person[8], address,
                self.session(user_id), model, record_id,
                '记录 %d' % record_id, action, result, method, message,
                changes, prev]
            digest = row_hash(values)
            yield values + [digest, user_id, values[2]], digest
            prev = digest


def main(argv=None):
    args = parse_args(argv)
    conninfo = make_conninfo(args.uri, dbname=args.database)
    started = time.monotonic()
    with psycopg.connect(conninfo) as conn:
        existing, = conn.execute(
            'SELECT COUNT(*) FROM egov_audit_log').fetchone()
        if existing and not args.force:
            sys.exit('egov_audit_log has %d rows: use --force' % existing)
        people = actors(conn)
        if not people:
            sys.exit('No employees: run generate.py first')
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'egov_audit_log' "
            "AND indexname NOT LIKE '%pkey' "
            "AND indexname != 'egov_audit_log_sequence_unique'").fetchall()
        with conn.transaction():
            for table in AUDIT_TABLES:
                conn.execute('ALTER TABLE %s DISABLE TRIGGER USER' % table)
                conn.execute('DELETE FROM %s' % table)
                conn.execute('ALTER TABLE %s ENABLE TRIGGER USER' % table)
            for name, _ in indexes:
                conn.execute('DROP INDEX "%s"' % name)
            conn.execute('ALTER TABLE egov_audit_log DROP CONSTRAINT IF '
                'EXISTS egov_audit_log_sequence_unique')
        print('%-28s %7.1f s' % ('prepare', time.monotonic() - started),
            flush=True)

        maker = RowMaker(args, people)
        prev = GENESIS
        chunk = 200_000
        step = time.monotonic()
        columns = ', '.join('"%s"' % c for c in COLUMNS)
        with conn.transaction():
            with conn.cursor() as cursor, cursor.copy(
                    'COPY egov_audit_log (%s) FROM STDIN' % columns) as copy:
                for first in range(1, args.rows + 1, chunk):
                    count = min(chunk, args.rows + 1 - first)
                    lines = []
                    for values, prev in maker.rows(count, first, prev):
                        lines.append('\t'.join(map(copy_escape, values)))
                    copy.write('\n'.join(lines) + '\n')
                    if first % 2_000_000 == 1:
                        print('  %9d rows %7.1f s' % (
                                first + count - 1,
                                time.monotonic() - step), flush=True)
            conn.execute(
                'INSERT INTO egov_audit_seal (first_sequence, last_sequence, '
                'last_hash, count, create_uid, create_date) '
                'VALUES (1, %s, %s, %s, 0, now())',
                (args.rows, prev, args.rows))
            conn.execute("SELECT setval(pg_get_serial_sequence("
                "'egov_audit_log', 'id'), %s)", (args.rows,))
        print('%-28s %7.1f s' % ('build and copy rows',
                time.monotonic() - step), flush=True)
        step = time.monotonic()
        conn.execute('ALTER TABLE egov_audit_log ADD CONSTRAINT '
            'egov_audit_log_sequence_unique UNIQUE (sequence)')
        for name, definition in indexes:
            if name == 'egov_audit_log_sequence_unique':
                continue
            conn.execute(definition)
        conn.commit()
        print('%-28s %7.1f s' % ('indexes', time.monotonic() - step),
            flush=True)
        step = time.monotonic()
        conn.autocommit = True
        conn.execute('VACUUM (ANALYZE) egov_audit_log')
        size, = conn.execute("SELECT pg_size_pretty(pg_total_relation_size("
            "'egov_audit_log'))").fetchone()
        print('%-28s %7.1f s' % ('vacuum analyze', time.monotonic() - step))
    print('total %.1f s, %d rows, %s' % (
            time.monotonic() - started, args.rows, size))


if __name__ == '__main__':
    main()
