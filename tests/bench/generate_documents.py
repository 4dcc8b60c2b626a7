#!/usr/bin/env python3
"""Fill the benchmark database with 公文 at the issue's scale (1 million
收文 and 发文 over three years, run generate.py first):

    python tests/bench/generate_documents.py --uri URI --database egov_bench \\
        [--documents 1000000] [--skip-activate]

egov_document is activated first (trytond-admin -u), so the tables are the
module's. Then, in PostgreSQL itself (INSERT … SELECT over
generate_series, with the documents' indexes dropped and rebuilt after):

- 70 % 收文 of a random unit (received_date over three years; 来文单位 the
  name of a random unit; a handling department of the unit for 60 %), 30 %
  发文 (drafting department of the unit; one to three 主送单位; a summary
  of three sentences); titles and sentences drawn from the corpus of
  government phrasing (corpus.py: 关于做好防汛抗旱工作的通知);
- each with its process instance of the shipped 收文办理 / 发文办理
  process: 90 % done (after 1–30 days), 8 % running with one open to-do,
  2 % not started; deadlines on 70 %; 15 kinds; 2 % 秘密, 1 % 机密;
- the opinions written on them (拟办 and 批示 on a 收文, 核稿 and 签发 on a
  发文: two on a finished one, one on a running one) and the bell's
  notifications (新待办 of each open to-do, unread; 已办结 of each
  finished one to its initiator, read);
- for the operations: one post per county (and zone) given the document
  administrator's role, 200 posts of units' departments the 收发员's.

random() is seeded: the same arguments give the same rows."""
import argparse
import os
import random
import sys
import tempfile

import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from corpus import OPINIONS, sentence_pool, title_pool  # noqa: E402
from generate import (  # noqa: E402
    DEFAULT_PASSWORD, Steps, conninfo, render_config, trytond_admin)

TABLES = [
    'egov_document_incoming', 'egov_document_outgoing',
    'egov_document_incoming-handler_unit',
    'egov_document_outgoing-main_unit',
    'egov_workflow_opinion', 'res_notification',
    ]
TITLES = 3000
SENTENCES = 4000
INCOMING_SHARE = 0.7
YEARS = 3
CLERK_POSTS = 200


def activate(uri, database, password):
    with tempfile.TemporaryDirectory() as directory:
        config = render_config(uri, directory)
        trytond_admin(config, database, password, directory,
            '-u', 'egov_document', '--activate-dependencies', '-l', 'zh_CN')


def indexes_of(cursor, table):
    # Not those of constraints (primary keys, unique columns): they stay
    cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conname = i.indexname)", (table,))
    return cursor.fetchall()


def prepare(cursor):
    """Working tables: the units (with a number), their departments (with
    a number per unit), the users (with a number), the kinds, the
    processes, the first free ids"""
    cursor.execute("SELECT setseed(0.2026)")
    # A unit in five may receive 秘密 and 机密 documents (保密资格)
    cursor.execute("UPDATE egov_org_unit SET secrecy_clearance = "
        "'confidential' WHERE kind = 'unit' AND id % 5 = 0")
    cursor.execute("CREATE TEMP TABLE bench_unit AS "
        "SELECT row_number() OVER (ORDER BY id) AS n, id, name, division, "
        "secrecy_clearance != 'none' AS cleared "
        "FROM egov_org_unit WHERE kind = 'unit' AND active")
    cursor.execute("CREATE TEMP TABLE bench_department AS "
        "SELECT u.id AS unit, d.id, row_number() OVER ("
        "PARTITION BY u.id ORDER BY d.id) AS n, COUNT(*) OVER ("
        "PARTITION BY u.id) AS total FROM egov_org_unit d "
        "JOIN egov_org_unit u ON u.id = d.unit "
        "WHERE d.kind = 'department' AND d.active")
    cursor.execute("CREATE INDEX ON bench_department (unit, n)")
    cursor.execute("CREATE TEMP TABLE bench_user AS "
        "SELECT row_number() OVER (ORDER BY u.id) AS n, u.id "
        "FROM res_user u JOIN egov_org_employee e ON e.\"user\" = u.id "
        "WHERE u.active")
    cursor.execute("CREATE TEMP TABLE bench_kind AS "
        "SELECT row_number() OVER (ORDER BY id) AS n, id "
        "FROM egov_document_kind")
    # The corpus: titles, sentences and opinions, numbered from 1
    rng = random.Random(20261205)
    for table, texts in [('bench_title', title_pool(rng, TITLES)),
            ('bench_sentence', sentence_pool(rng, SENTENCES)),
            ('bench_opinion', OPINIONS)]:
        cursor.execute("CREATE TEMP TABLE %s (n INTEGER, text VARCHAR)"
            % table)
        with cursor.copy("COPY %s (n, text) FROM STDIN" % table) as copy:
            for n, text in enumerate(texts, 1):
                copy.write_row((n, text))
        cursor.execute('CREATE UNIQUE INDEX ON %s (n)' % table)
    for table in ['bench_unit', 'bench_user', 'bench_kind']:
        cursor.execute('CREATE UNIQUE INDEX ON %s (n)' % table)
        cursor.execute('ANALYZE %s' % table)
    cursor.execute('ANALYZE bench_department')
    counts = {}
    for table in ['bench_unit', 'bench_user', 'bench_kind']:
        cursor.execute('SELECT COUNT(*) FROM %s' % table)
        counts[table], = cursor.fetchone()
    processes = {}
    for code in ['document_incoming', 'document_outgoing']:
        cursor.execute("SELECT id, name FROM egov_workflow_process "
            "WHERE code = %s AND state = 'active' LIMIT 1", (code,))
        processes[code] = cursor.fetchone()
    first = {}
    for table in ['egov_document_incoming', 'egov_document_outgoing',
            'egov_workflow_instance', 'egov_workflow_task']:
        cursor.execute('SELECT COALESCE(MAX(id), 0) FROM "%s"' % table)
        first[table], = cursor.fetchone()
    return counts, processes, first


# The step a running document's open to-do is at: one of its process's
# (process.xml), else reading the to-do finds no such step
OPEN_STEP = {'incoming': ('handle', '承办'), 'outgoing': ('review', '核稿')}


def fill(cursor, direction, count, counts, process, first_doc,
        first_instance, first_task):
    """Insert count documents of direction, their instances and the open
    to-dos of the running ones, all from one generated draw per document"""
    model = 'egov.document.%s' % direction
    # One draw per document: which unit, kind, state, dates …
    cursor.execute("DROP TABLE IF EXISTS bench_draw")
    cursor.execute("""CREATE TEMP TABLE bench_draw AS
        SELECT g AS n,
            %(first_doc)s + g AS doc,
            %(first_instance)s + g AS instance,
            1 + floor(random() * %(units)s)::int AS unit_n,
            1 + floor(random() * %(units)s)::int AS source_n,
            1 + floor(random() * %(users)s)::int AS user_n,
            1 + floor(random() * %(kinds)s)::int AS kind_n,
            random() AS state_draw,
            random() AS secrecy_draw,
            random() AS urgency_draw,
            random() AS deadline_draw,
            (TIMESTAMP '2026-12-01' - random() * INTERVAL '%(days)s days')
                AS started,
            random() * 30 AS days,
            floor(random() * 3)::int AS recipients,
            1 + floor(random() * %(titles)s)::int AS title_n,
            1 + floor(random() * %(sentences)s)::int AS s1,
            1 + floor(random() * %(sentences)s)::int AS s2,
            1 + floor(random() * %(sentences)s)::int AS s3
        FROM generate_series(1, %(count)s) AS g""" % {
            'first_doc': first_doc, 'first_instance': first_instance,
            'units': counts['bench_unit'], 'users': counts['bench_user'],
            'kinds': counts['bench_kind'], 'count': count,
            'days': YEARS * 365, 'titles': TITLES, 'sentences': SENTENCES})
    cursor.execute("""ALTER TABLE bench_draw ADD COLUMN state VARCHAR""")
    cursor.execute("""UPDATE bench_draw SET state = CASE
        WHEN state_draw < 0.90 THEN 'done'
        WHEN state_draw < 0.98 THEN 'running' ELSE 'draft' END""")
    cursor.execute("CREATE INDEX ON bench_draw (n)")
    cursor.execute("ANALYZE bench_draw")
    process_id, process_name = process
    # The instances of the started documents
    cursor.execute("""INSERT INTO egov_workflow_instance (id, process,
            record, title, initiator, unit, division, state, started_at,
            ended_at, create_uid, create_date)
        SELECT d.instance, %s, %s || ',' || d.doc, t.text, us.id,
            u.id, u.division, d.state, d.started,
            CASE WHEN d.state = 'done'
                THEN d.started + d.days * INTERVAL '1 day' END,
            us.id, d.started
        FROM bench_draw d
        JOIN bench_unit u ON u.n = d.unit_n
        JOIN bench_user us ON us.n = d.user_n
        JOIN bench_title t ON t.n = d.title_n
        WHERE d.state != 'draft'""", (process_id, model))
    # One open to-do of each running document, held by its initiator
    cursor.execute("""INSERT INTO egov_workflow_task (id, instance, step,
            step_name, engine_task, kind, "user", sender, state, deadline,
            create_uid, create_date, title, process_name, sender_name)
        SELECT %s + row_number() OVER (ORDER BY d.n), d.instance,
            %s, %s, md5(d.n::text), 'todo', us.id, us.id, 'open',
            d.started + INTERVAL '3 days', us.id, d.started, t.text,
            %s, ''
        FROM bench_draw d JOIN bench_user us ON us.n = d.user_n
        JOIN bench_title t ON t.n = d.title_n
        WHERE d.state = 'running'""", (first_task, *OPEN_STEP[direction],
            process_name))
    opinions(cursor, direction, counts)
    notifications(cursor, model, first_task)
    common = """d.doc, t.text, u.id,
            u.division, k.id,
            CASE WHEN d.secrecy_draw < 0.97 THEN 'none'
                WHEN d.secrecy_draw < 0.99 THEN 'secret'
                ELSE 'confidential' END,
            CASE WHEN d.urgency_draw < 0.8 THEN 'normal'
                WHEN d.urgency_draw < 0.95 THEN 'urgent'
                ELSE 'very_urgent' END,
            CASE WHEN d.deadline_draw < 0.7
                THEN (d.started + (3 + d.deadline_draw * 30)
                    * INTERVAL '1 day')::date END,
            d.state, CASE WHEN d.state != 'draft' THEN d.instance END,
            us.id, d.started"""
    joins = """FROM bench_draw d
        JOIN bench_unit u ON u.n = d.unit_n
        JOIN bench_unit s ON s.n = d.source_n
        JOIN bench_user us ON us.n = d.user_n
        JOIN bench_kind k ON k.n = d.kind_n
        JOIN bench_title t ON t.n = d.title_n"""
    columns = """id, title, unit, division, kind, secrecy, urgency, deadline,
        workflow_state, workflow, create_uid, create_date"""
    if direction == 'incoming':
        cursor.execute("""INSERT INTO egov_document_incoming (%s,
                source_name, source_number, received_date, category,
                origin, receipt, registrar)
            SELECT %s, s.name, '宜字〔' || extract(year FROM d.started)
                || '〕' || d.n || '号', d.started::date, 'superior',
                'platform', 'received', us.id
            %s""" % (columns, common, joins))
        # A handling department of the unit for 60 %
        cursor.execute("""INSERT INTO "egov_document_incoming-handler_unit"
                (document, unit, create_uid, create_date)
            SELECT d.doc, dep.id, 0, d.started
            FROM bench_draw d
            JOIN bench_unit u ON u.n = d.unit_n
            JOIN bench_department dep ON dep.unit = u.id
                AND dep.n = 1 + d.n % dep.total
            WHERE d.deadline_draw < 0.6""")
    else:
        cursor.execute("""INSERT INTO egov_document_outgoing (%s,
                department, drafter, disclosure, number, summary)
            SELECT %s, dep.id, us.id, 'public',
                CASE WHEN d.state = 'done' THEN '宜文〔'
                    || extract(year FROM d.started) || '〕' || d.n || '号'
                    END,
                a.text || b.text || c.text
            %s
            JOIN bench_sentence a ON a.n = d.s1
            JOIN bench_sentence b ON b.n = d.s2
            JOIN bench_sentence c ON c.n = d.s3
            LEFT JOIN bench_department dep ON dep.unit = u.id
                AND dep.n = 1 + d.n %% dep.total""" % (
                columns, common, joins))
        # One to three 主送单位
        cursor.execute("""INSERT INTO "egov_document_outgoing-main_unit"
                (document, unit, create_uid, create_date)
            SELECT DISTINCT d.doc, r.id, 0, d.started
            FROM bench_draw d
            CROSS JOIN generate_series(0, 2) AS i
            JOIN bench_unit r ON r.n = 1 + (d.source_n + i * 7919)
                %% %s
            -- a 秘密 or 机密 发文 goes to cleared units only
            WHERE i <= d.recipients
                AND (d.secrecy_draw < 0.97 OR r.cleared)""" % counts[
                'bench_unit'])


# The steps of the opinions written on a document: the first (拟办, 核稿)
# on a running one, both on a finished one
OPINION_STEPS = {'incoming': ('拟办', '批示'), 'outgoing': ('核稿', '签发')}


def opinions(cursor, direction, counts):
    """The opinions of the started documents: the initiator's, then (on a
    finished one) another person's, a leader's 批示 or 签发"""
    first_step, second_step = OPINION_STEPS[direction]
    cursor.execute("""INSERT INTO egov_workflow_opinion (instance, "user",
            date, decision, step_name, text, create_uid, create_date)
        SELECT d.instance, us.id,
            d.started + (i * d.days / 3) * INTERVAL '1 day', 'approve',
            CASE i WHEN 1 THEN %s ELSE %s END, o.text, us.id,
            d.started + (i * d.days / 3) * INTERVAL '1 day'
        FROM bench_draw d
        CROSS JOIN generate_series(1, 2) AS i
        JOIN bench_user us ON us.n = CASE i WHEN 1 THEN d.user_n
            ELSE 1 + (d.user_n + 7919) %% %s END
        JOIN bench_opinion o ON o.n = 1 + (d.n + i) %% %s
        WHERE (d.state = 'done') OR (d.state = 'running' AND i = 1)""",
        (first_step, second_step, counts['bench_user'], len(OPINIONS)))


def notifications(cursor, model, first_task):
    """The bell: 新待办 of each open to-do to its holder (unread), 已办结
    of each finished document to its initiator (read), as the platform's
    in-app notifications write them (egov_base/notify/routing.py)"""
    cursor.execute("""INSERT INTO res_notification ("user", label,
            description, icon, model, records, unread, create_uid,
            create_date)
        SELECT task."user", '新待办：' || task.step_name, task.title,
            'tryton-notification', 'egov.workflow.task',
            '[' || task.id || ']', TRUE, 0, task.create_date
        FROM egov_workflow_task task
        WHERE task.id > %s AND task.state = 'open'""", (first_task,))
    cursor.execute("""INSERT INTO res_notification ("user", label,
            description, icon, model, records, unread, create_uid,
            create_date)
        SELECT instance.initiator, '已办结：「' || instance.title || '」',
            instance.title, 'tryton-notification', %s,
            '[' || d.doc || ']', FALSE, 0, instance.ended_at
        FROM bench_draw d
        JOIN egov_workflow_instance instance ON instance.id = d.instance
        WHERE d.state = 'done'""", (model,))


def roles(cursor):
    """One post per division given the document administrator's role, and
    posts of 200 units' departments the 收发员's"""
    cursor.execute("SELECT fs_id, db_id FROM ir_model_data "
        "WHERE module = 'egov_document' AND model = 'res.group'")
    groups = dict(cursor.fetchall())
    cursor.execute("""INSERT INTO "egov_org_post-res_group" (post, "group",
            create_uid, create_date)
        SELECT DISTINCT ON (u.division) p.id, %s, 0, now()
        FROM egov_org_post p
        JOIN egov_org_assignment a ON a.post = p.id AND a."primary"
        JOIN egov_org_unit u ON u.id = p.unit
        WHERE NOT p.head AND u.division IS NOT NULL
            -- not the posts of the organisation's administrators (三员)
            AND p.id NOT IN (SELECT post FROM "egov_org_post-res_group")
        ORDER BY u.division, p.id""", (groups['group_document_admin'],))
    cursor.execute("""INSERT INTO "egov_org_post-res_group" (post, "group",
            create_uid, create_date)
        SELECT p.id, %s, 0, now() FROM egov_org_post p
        WHERE p.id IN (SELECT DISTINCT ON (u.unit) p2.id
            FROM egov_org_post p2
            JOIN egov_org_assignment a ON a.post = p2.id AND a."primary"
            JOIN egov_org_unit u ON u.id = p2.unit
            WHERE NOT p2.head AND u.kind = 'department'
            ORDER BY u.unit, p2.id)
        AND p.id NOT IN (SELECT post FROM "egov_org_post-res_group")
        ORDER BY p.id LIMIT %s""", (groups['group_document_clerk'],
            CLERK_POSTS))


def generate(uri, database, documents, skip_activate=False,
        password=DEFAULT_PASSWORD):
    steps = Steps()
    if not skip_activate:
        steps.run('activate egov_document', activate, uri, database,
            password)
    with psycopg.connect(conninfo(uri, database)) as connection:
        cursor = connection.cursor()
        counts, processes, first = steps.run('prepare', prepare, cursor)
        saved = {}
        for table in TABLES + ['egov_workflow_instance',
                'egov_workflow_task']:
            saved[table] = indexes_of(cursor, table)
            for name, _ in saved[table]:
                cursor.execute('DROP INDEX IF EXISTS "%s"' % name)
        incoming = int(documents * INCOMING_SHARE)
        outgoing = documents - incoming
        steps.run('incoming (%d)' % incoming, fill, cursor, 'incoming',
            incoming, counts, processes['document_incoming'],
            first['egov_document_incoming'], first['egov_workflow_instance'],
            first['egov_workflow_task'])
        cursor.execute('SELECT COALESCE(MAX(id), 0) FROM egov_workflow_task')
        first_task, = cursor.fetchone()
        steps.run('outgoing (%d)' % outgoing, fill, cursor, 'outgoing',
            outgoing, counts, processes['document_outgoing'],
            first['egov_document_outgoing'],
            first['egov_workflow_instance'] + incoming, first_task)
        steps.run('roles', roles, cursor)

        def rebuild():
            for table, definitions in saved.items():
                for name, definition in definitions:
                    cursor.execute(definition)
                cursor.execute("SELECT setval(pg_get_serial_sequence("
                    "%s, 'id'), (SELECT GREATEST(MAX(id), 1) FROM \""
                    + table + "\"))", ('"%s"' % table,))
        steps.run('indexes and sequences', rebuild)
        connection.commit()
    with psycopg.connect(conninfo(uri, database),
            autocommit=True) as connection:
        def vacuum():
            for table in TABLES + ['egov_workflow_instance',
                    'egov_workflow_task', 'egov_org_post-res_group']:
                connection.execute('VACUUM (ANALYZE) "%s"' % table)
        steps.run('vacuum analyze', vacuum)
        for table in TABLES:
            count, = connection.execute(
                'SELECT COUNT(*) FROM "%s"' % table).fetchone()
            print('  %-40s %s' % (table, count))
    print('total %.1f s' % steps.total())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uri', required=True)
    parser.add_argument('--database', default='egov_bench')
    parser.add_argument('--documents', type=int, default=1_000_000)
    parser.add_argument('--skip-activate', action='store_true',
        help="egov_document is active already")
    parser.add_argument('--password', default=DEFAULT_PASSWORD)
    args = parser.parse_args()
    generate(args.uri, args.database, args.documents,
        skip_activate=args.skip_activate, password=args.password)


if __name__ == '__main__':
    main()
