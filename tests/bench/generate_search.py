"""Fill the benchmark database with approval requests (审批单) and their
search index entries: titles like real 公文 titles, bodies of several
hundred characters, tokens made by the platform's tokenizer (run
generate.py first).

    python tests/bench/generate_search.py --uri URI --database egov_bench \\
        [--documents 1000000] [--admins 10]

The text is made of sentences and titles drawn from pools that are
tokenised once (jieba cuts text at punctuation, so a document's tokens are
its sentences' tokens): 1 million documents need no million jieba calls.
The rows are copied with COPY after the GIN and trigram indexes are
dropped; the indexes are built again afterwards. --admins people get the
role of process administrator (流程管理员) of their county: the requests
of their whole county are theirs to open (the broad permission case)."""
import argparse
import datetime
import json
import os
import random
import sys
import time

import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)),
        'addons'))

from egov_base.search.backend import tsvector_text  # noqa: E402
from egov_base.search.tokens import (  # noqa: E402
    BODY_READINGS, document_tokens)
from corpus import sentence_pool, title_pool  # noqa: E402

MODELS = 'egov.workflow.request'


def copy_text(value):
    "A value in COPY's text format"
    if value is None:
        return '\\N'
    return (str(value).replace('\\', '\\\\').replace('\t', '\\t')
        .replace('\n', '\\n').replace('\r', '\\r'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uri', required=True)
    parser.add_argument('--database', required=True)
    parser.add_argument('--documents', type=int, default=1000000)
    parser.add_argument('--admins', type=int, default=10)
    parser.add_argument('--seed', type=int, default=20261203)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    figures = {}

    titles = title_pool(rng, 3000)
    sentences = sentence_pool(rng, 4000)
    title_tokens = [document_tokens(t, phrase=True) for t in titles]
    sentence_tokens = [document_tokens(s, bound=BODY_READINGS)
        for s in sentences]
    figures['pools_s'] = round(time.perf_counter() - started, 1)

    conninfo = psycopg.conninfo.make_conninfo(
        args.uri, dbname=args.database)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT id FROM egov_workflow_process "
            "WHERE code = 'leave' AND state = 'active' LIMIT 1")
        process, = cursor.fetchone()
        cursor.execute('SELECT e."user", e.unit FROM egov_org_employee e '
            'WHERE e."user" IS NOT NULL AND e.active ORDER BY e.id')
        people = cursor.fetchall()
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 "
            "FROM egov_workflow_request")
        first_request, = cursor.fetchone()
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 "
            "FROM egov_search_entry")
        first_entry, = cursor.fetchone()

        saved = {}
        for table in ['egov_search_entry', 'egov_workflow_request']:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = %s AND indexname NOT LIKE '%%_pkey' "
                "AND indexdef NOT LIKE '%%UNIQUE%%'", (table,))
            saved[table] = cursor.fetchall()
            for name, _ in saved[table]:
                cursor.execute('DROP INDEX IF EXISTS "%s"' % name)

        try:
            copy_documents(args, rng, conninfo, conn, cursor, figures,
                titles, title_tokens, sentences, sentence_tokens, process,
                people, first_request, first_entry)
        finally:
            # Built again even when the copy failed: a half-done run must
            # not leave the tables without their indexes
            indexed = time.perf_counter()
            for table, indexes in saved.items():
                for _, definition in indexes:
                    cursor.execute(definition.replace(
                            'CREATE INDEX', 'CREATE INDEX IF NOT EXISTS'))
            figures['indexes_s'] = round(time.perf_counter() - indexed, 1)
        finish(args, cursor, figures)
    figures['documents'] = args.documents
    figures['total_s'] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, ensure_ascii=False))


def copy_documents(args, rng, conninfo, conn, cursor, figures, titles,
        title_tokens, sentences, sentence_tokens, process, people,
        first_request, first_entry):
    if True:  # (kept at the indentation of main)
        now = datetime.datetime(2026, 12, 1)
        span = 3 * 365 * 24 * 3600
        copied = time.perf_counter()
        with psycopg.connect(conninfo) as conn2, conn.transaction(), \
                cursor.copy('COPY egov_workflow_request (id, title, '
                    'process, initiator, unit, "values", workflow_state, '
                    'create_uid, create_date) FROM STDIN') as req_copy, \
                conn2.cursor().copy('COPY egov_search_entry (id, model, '
                    'record, module, title, content, date, unit, secrecy, '
                    'attachments, indexed_at, create_uid, create_date, '
                    'tokens, title_tokens) FROM STDIN') as entry_copy:
            for n in range(args.documents):
                user, unit = people[rng.randrange(len(people))]
                t = rng.randrange(len(titles))
                chosen = [rng.randrange(len(sentences))
                    for _ in range(rng.randint(6, 12))]
                body = ''.join(sentences[i] for i in chosen)
                created = now - datetime.timedelta(
                    seconds=rng.randrange(span))
                title = titles[t]
                values = json.dumps({'reason': body}, ensure_ascii=False)
                req_copy.write('\t'.join(copy_text(v) for v in [
                            first_request + n, title, process, user,
                            unit, values, 'draft', user, created]) + '\n')
                tokens = []
                for i in chosen:
                    tokens.extend(sentence_tokens[i])
                entry_copy.write('\t'.join(copy_text(v) for v in [
                            first_entry + n, MODELS, first_request + n,
                            'egov_workflow', title, body,
                            created.date(), unit, None, 0, created,
                            0, created,
                            tsvector_text(title_tokens[t] + tokens),
                            tsvector_text(title_tokens[t])]) + '\n')
        figures['copy_s'] = round(time.perf_counter() - copied, 1)


def finish(args, cursor, figures):
    if True:  # (kept at the indentation of main)
        for table in ['egov_workflow_request', 'egov_search_entry']:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "(SELECT MAX(id) FROM {}))".format(table), (table,))
        cursor.execute('VACUUM (ANALYZE) egov_workflow_request')
        cursor.execute('VACUUM (ANALYZE) egov_search_entry')

        # Process administrators of their county: the broad case
        cursor.execute("SELECT db_id FROM ir_model_data WHERE module = "
            "'egov_workflow' AND fs_id = 'group_workflow_admin'")
        group, = cursor.fetchone()
        cursor.execute('SELECT DISTINCT a.post FROM egov_org_assignment a '
            'JOIN egov_org_employee e ON e.id = a.employee '
            'WHERE a."primary" AND e."user" IS NOT NULL ORDER BY a.post '
            'LIMIT %s', (args.admins,))
        for post, in cursor.fetchall():
            cursor.execute('INSERT INTO "egov_org_post-res_group" '
                '(post, "group", create_uid, create_date) '
                'SELECT %s, %s, 0, NOW() WHERE NOT EXISTS (SELECT 1 FROM '
                '"egov_org_post-res_group" WHERE post = %s AND "group" = %s)',
                (post, group, post, group))
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size("
            "'egov_search_entry'))")
        figures['index_table_size'], = cursor.fetchone()


if __name__ == '__main__':
    main()
