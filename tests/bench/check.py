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

MODELS = [
    'egov.org.unit', 'egov.org.post', 'egov.org.employee',
    'egov.org.assignment', 'egov.org.leadership', 'egov.application.switch',
    'egov.directory.contact',
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dsn', required=True)
    parser.add_argument('--database', default='egov_bench')
    parser.add_argument('--sample', type=int, default=300)
    args = parser.parse_args(argv)
    bench = harness.Bench(args.dsn, args.database)
    try:
        problems = check_sql(bench)
        for model in MODELS:
            problems.extend(check_model(bench, model, args.sample))
    finally:
        bench.close()
    for problem in problems:
        print(problem)
    print('%d problems' % len(problems))
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
