#!/usr/bin/env python3
"""Fill a PostgreSQL database with the organisation at seed scale.

    python tests/bench/generate.py --uri postgresql://egov@127.0.0.1:54330/ \\
        --database egov_bench [--units 2000 --employees 51000] [--force]

Tryton creates the database first (trytond-admin), so that the schema is
exactly the module's; the rows are then loaded with COPY, in one
transaction, and the id sequences and planner statistics are brought up to
date. Every step prints how long it took."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import orgdata  # noqa: E402

# The tables the generator fills, in an order that COPY accepts (parents
# first, though the foreign keys are only checked at the end of each COPY).
TABLES = [
    'egov_org_unit', 'egov_org_unit_event', 'egov_org_post', 'res_user',
    'egov_org_employee', 'egov_org_assignment', 'egov_org_leadership',
    'egov_org_post-res_group', 'egov_application_switch',
    'egov_directory_contact',
    ]
DEFAULT_PASSWORD = 'Bench-2024-egov'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uri', required=True,
        help="PostgreSQL URI of the server, without database")
    parser.add_argument('--database', default='egov_bench')
    parser.add_argument('--units', type=int, default=2000)
    parser.add_argument('--employees', type=int, default=51000)
    parser.add_argument('--seed', type=int, default=20240601)
    parser.add_argument('--password', default=DEFAULT_PASSWORD,
        help="password of admin and of every generated login")
    parser.add_argument('--force', action='store_true',
        help="drop the database first if it exists")
    return parser.parse_args(argv)


class Steps:
    "Print each step with the time it took"

    def __init__(self):
        self.started = time.monotonic()
        self.times = {}

    def run(self, name, function, *args, **kwargs):
        start = time.monotonic()
        print('%-32s' % name, end=' ', flush=True)
        result = function(*args, **kwargs)
        elapsed = time.monotonic() - start
        self.times[name] = elapsed
        print('%7.1f s' % elapsed, flush=True)
        return result

    def total(self):
        return time.monotonic() - self.started


def conninfo(uri, database):
    return make_conninfo(uri, dbname=database)


def create_database(uri, database, force=False):
    """Create an empty database with pg_trgm, so that Tryton builds its
    trigram indexes (Index.Similarity) when it creates the tables"""
    with psycopg.connect(conninfo(uri, 'postgres'), autocommit=True) as conn:
        exists = conn.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s',
            (database,)).fetchone()
        if exists and not force:
            sys.exit("Database %s exists: use --force to drop it" % database)
        name = sql.Identifier(database)
        conn.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)')
            .format(name))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 "
                "ENCODING 'UTF8'").format(name))
    with psycopg.connect(conninfo(uri, database), autocommit=True) as conn:
        conn.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')


def render_config(uri, directory):
    "Render the project's configuration with the benchmark server's URI"
    path = os.path.join(directory, 'bench.conf')
    env = dict(os.environ, TRYTOND_DATABASE__URI=uri)
    # The sealer signs with a key outside the database: the bench's own
    subprocess.run([sys.executable, os.path.join(ROOT, 'scripts',
                'render-config'), path, '--dev-seal-key',
            os.path.join(directory, 'audit-seal.pem')], env=env, check=True)
    return path


def trytond_admin(config, database, password, directory, *options):
    "Run trytond-admin; show its log only when it fails"
    password_file = os.path.join(directory, 'password')
    with open(password_file, 'w') as fp:
        fp.write(password)
    command = [os.path.join(os.path.dirname(sys.executable), 'trytond-admin'),
        '-c', config, '-d', database, *options]
    env = dict(os.environ, TRYTONPASSFILE=password_file)
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-5000:] + result.stderr[-5000:])
        sys.exit("trytond-admin failed: %s" % ' '.join(command))


def create_schema(uri, database, password):
    with tempfile.TemporaryDirectory() as directory:
        config = render_config(uri, directory)
        trytond_admin(config, database, password, directory,
            '--all', '--email', 'admin@localhost', '-l', 'zh_CN')
        trytond_admin(config, database, password, directory,
            '-u', 'egov_base', 'egov_workflow', '--activate-dependencies',
            '-l', 'zh_CN')


def read_context(conn):
    """Read what the rows refer to: the administrator (creator of the rows,
    whose menu and password hash the logins share), the zh_CN language,
    the platform's groups, the non-core applications, the first free ids"""
    admin, menu, password_hash = conn.execute(
        "SELECT id, menu, password_hash FROM res_user WHERE login = 'admin'"
        ).fetchone()
    language, = conn.execute(
        "SELECT id FROM ir_lang WHERE code = 'zh_CN'").fetchone()
    groups = dict(conn.execute(
            "SELECT fs_id, db_id FROM ir_model_data "
            "WHERE module = 'egov_base' AND model = 'res.group'"))
    applications = conn.execute(
        "SELECT id, default_enabled FROM egov_application "
        "WHERE NOT core ORDER BY sequence, id").fetchall()
    first_ids = {}
    for table in TABLES:
        first_ids[table], = conn.execute(sql.SQL(
                'SELECT COALESCE(MAX(id), 0) + 1 FROM {}').format(
                sql.Identifier(table))).fetchone()
    context = {
        'admin': admin,
        'menu': menu,
        'password_hash': password_hash,
        'language': language,
        'groups': groups,
        'applications': applications,
        }
    return context, first_ids


def copy_table(conn, table, columns, rows):
    query = sql.SQL('COPY {} ({}) FROM STDIN').format(
        sql.Identifier(table),
        sql.SQL(', ').join(map(sql.Identifier, columns)))
    with conn.cursor() as cursor, cursor.copy(query) as copy:
        for row in rows:
            copy.write_row(row)


def copy_tables(conn, tables, steps):
    "COPY every table in one transaction: all rows or none"
    start = time.monotonic()
    with conn.transaction():
        for table in TABLES:
            columns, rows = tables[table]
            steps.run('copy %s' % table, copy_table, conn, table, columns,
                rows)
    steps.times['copy'] = time.monotonic() - start
    print('%-32s %7.1f s' % ('copy (all tables)', steps.times['copy']))


def set_sequences(conn):
    "Let Tryton's next ids follow the copied ones"
    for table in TABLES:
        conn.execute(sql.SQL(
                "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                "(SELECT GREATEST(MAX(id), 1) FROM {}))").format(
                sql.Literal(sql.Identifier(table).as_string(conn)),
                sql.Identifier(table)))
    conn.commit()


def analyze(conn):
    """VACUUM as well as ANALYZE: the planner needs the statistics, and the
    visibility map keeps the first runs from paying for hint bits"""
    conn.autocommit = True
    try:
        for table in TABLES:
            conn.execute(sql.SQL('VACUUM (ANALYZE) {}').format(
                    sql.Identifier(table)))
    finally:
        conn.autocommit = False


def count_rows(conn):
    counts = {}
    for table in TABLES:
        counts[table], = conn.execute(sql.SQL(
                'SELECT COUNT(*) FROM {}').format(
                sql.Identifier(table))).fetchone()
    counts['egov_org_unit by kind'] = dict(conn.execute(
            'SELECT kind, COUNT(*) FROM egov_org_unit GROUP BY kind '
            'ORDER BY 2'))
    return counts


def main(argv=None):
    args = parse_args(argv)
    steps = Steps()
    steps.run('create database', create_database, args.uri, args.database,
        force=args.force)
    steps.run('create schema (trytond)', create_schema, args.uri,
        args.database, args.password)
    with psycopg.connect(conninfo(args.uri, args.database)) as conn:
        context, first_ids = read_context(conn)
        conn.rollback()
        builder = orgdata.OrgBuilder(args.units, args.employees, first_ids,
            context, seed=args.seed)
        tables = steps.run('build rows (python)', builder.build)
        copy_tables(conn, tables, steps)
        steps.run('set sequences', set_sequences, conn)
        steps.run('vacuum analyze', analyze, conn)
        counts = count_rows(conn)
    print('total %.1f s' % steps.total())
    for table, count in counts.items():
        print('  %-30s %s' % (table, count))


if __name__ == '__main__':
    main()
