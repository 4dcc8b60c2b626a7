#!/usr/bin/env python3
"""Check generated rows against the module's own rules.

    python tests/bench/check.py --dsn postgresql://egov@127.0.0.1:54330/ \\
        --database egov_bench [--sample 300]

The generator writes with COPY, past the ORM: this runs, on a random sample
of each model, what the ORM would have run on create (the derived fields of
compute_fields, the domains, required fields and validate_fields checks)
and checks the materialized paths and the one-primary-post rule on all
rows. Prints what differs; exits non-zero when anything does."""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from operations_document import users_of_group  # noqa: E402

MODELS = [
    'egov.org.unit', 'egov.org.post', 'egov.org.employee',
    'egov.org.assignment', 'egov.org.leadership', 'egov.application.switch',
    'egov.directory.contact',
    ]
# Those of generate_documents.py, when it has run
DOCUMENT_MODELS = [
    'egov.document.incoming', 'egov.document.outgoing',
    'egov.workflow.instance', 'egov.workflow.task', 'egov.workflow.opinion',
    ]
# Whole-table checks in SQL: each query returns the ids that break a rule.
SQL_CHECKS = {
    'path is the parent path and the id': (
        "SELECT c.id FROM egov_org_unit c "
        "LEFT JOIN egov_org_unit p ON p.id = c.parent "
        "WHERE c.path IS DISTINCT FROM COALESCE(p.path, '') || c.id || '/'"),
    'division and unit derived from the parent': (
        "SELECT c.id FROM egov_org_unit c "
        "LEFT JOIN egov_org_unit p ON p.id = c.parent "
        "WHERE c.division IS DISTINCT FROM CASE WHEN c.kind IN "
        "('city', 'county', 'zone') THEN c.id ELSE p.division END "
        "OR c.unit IS DISTINCT FROM CASE c.kind WHEN 'unit' THEN c.id "
        "WHEN 'department' THEN p.unit END"),
    'employee department is in the employee unit': (
        "SELECT e.id FROM egov_org_employee e "
        "JOIN egov_org_unit d ON d.id = e.department "
        "WHERE d.kind <> 'department' OR d.unit <> e.unit"),
    'employee unit is a unit': (
        "SELECT e.id FROM egov_org_employee e "
        "JOIN egov_org_unit u ON u.id = e.unit WHERE u.kind <> 'unit'"),
    'one current primary post per person': (
        "SELECT e.id FROM egov_org_employee e "
        "LEFT JOIN egov_org_assignment a ON a.employee = e.id "
        "AND a.primary AND (a.end_date IS NULL OR a.end_date >= "
        "CURRENT_DATE) GROUP BY e.id HAVING COUNT(a.id) <> 1"),
    'switch for every non-core application and county or zone': (
        "SELECT d.id FROM egov_org_unit d CROSS JOIN egov_application a "
        "LEFT JOIN egov_application_switch s ON s.division = d.id "
        "AND s.application = a.id WHERE d.kind IN ('county', 'zone') "
        "AND NOT a.core AND s.id IS NULL"),
    }


def check_sql(bench):
    problems = []
    for name, query in SQL_CHECKS.items():
        ids = [r[0] for r in bench.fetch(query)]
        if ids:
            problems.append('%s: %d rows, e.g. %s' % (name, len(ids), ids[:5]))
    return problems


def check_model(bench, model, sample):
    """Run compute_fields and _validate on a sample of records as root;
    return the problems found"""
    from trytond.transaction import Transaction
    problems = []
    Model = bench.pool.get(model)
    table = Model._table
    ids = [r[0] for r in bench.fetch(
            'SELECT id FROM "%s" ORDER BY random() LIMIT %%s' % table,
            (sample,))]
    with Transaction().start(bench.database, 0, readonly=True):
        records = Model.browse(ids)
        for record in records:
            changes = record.compute_fields()
            if changes:
                problems.append('%s,%s: compute_fields would change %s' % (
                        model, record.id, changes))
        try:
            Model._validate(records)
        except Exception as exception:
            problems.append('%s: %s' % (model, exception))
    return problems


def has_documents(bench):
    try:
        bench.pool.get('egov.document.incoming')
    except KeyError:
        return False
    return bool(bench.fetch("SELECT 1 FROM egov_document_incoming LIMIT 1"))


def check_documents(bench, sample=20):
    """The generated 收文 through the model layer: read with their instance
    and opinions; found by a word of their title; hidden by the record
    rules from a person of another county"""
    from trytond.transaction import Transaction
    problems = []
    Incoming = bench.pool.get('egov.document.incoming')
    rows = bench.fetch('SELECT d.id, d.title, d.division '
        'FROM egov_document_incoming d WHERE d.workflow_state IS NOT NULL '
        'ORDER BY random() LIMIT %s', (sample,))
    with Transaction().start(bench.database, 0, readonly=True):
        for row in Incoming.read([r[0] for r in rows],
                ['rec_name', 'title', 'workflow_state', 'unit.rec_name']):
            if not row['title'] or not row['unit.']:
                problems.append('收文 %s read without title or unit: %s'
                    % (row['id'], row))
        for document_id, title, _ in rows[:5]:
            # A word of the title, as the list's search bar sends it
            word = title[2:6]
            found = Incoming.search([('id', '=', document_id),
                    ('rec_name', 'ilike', '%' + word + '%')])
            if not found:
                problems.append('收文 %s not found by "%s"' % (
                        document_id, word))
    for document_id, _, division in rows[:5]:
        # A 收文 clerk of another county: the person most entitled to read
        # 收文, so that only the record rules can hide this one (a sampled
        # platform administrator would be refused business data instead)
        outsider, = users_of_group(bench, 'group_document_clerk',
            'd.id != %d' % division, count=1)
        with bench.as_user(outsider):
            if Incoming.search([('id', '=', document_id)]):
                problems.append('收文 %s read by user %s of another county'
                    % (document_id, outsider))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dsn', required=True)
    parser.add_argument('--database', default='egov_bench')
    parser.add_argument('--sample', type=int, default=300)
    args = parser.parse_args(argv)
    bench = harness.Bench(args.dsn, args.database)
    try:
        problems = check_sql(bench)
        models = MODELS
        if has_documents(bench):
            models = MODELS + DOCUMENT_MODELS
            problems.extend(check_documents(bench))
        for model in models:
            problems.extend(check_model(bench, model, args.sample))
    finally:
        bench.close()
    for problem in problems:
        print(problem)
    print('%d problems' % len(problems))
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
