"""Fill the benchmark database with process instances and to-dos at the
scale of years of use: by default 4 million instances and 20 million
to-dos spread over the people of the organisation (run generate.py first).

    python tests/bench/generate_workflow.py --uri URI --database egov_bench \\
        [--todos 20000000]

The rows are copied with COPY after the tables' indexes are dropped, and
the indexes are created again afterwards (much faster than keeping them up
to date row by row)."""
import argparse
import datetime
import random
import time

import psycopg

TASKS_PER_INSTANCE = 5
OPEN_SHARE = 0.02
STEPS = [('apply', '填写请假单'), ('head', '部门负责人审批'),
    ('leader', '分管领导审批'), ('draft', '拟稿'), ('review', '核稿'),
    ('cosign', '会签'), ('sign', '签发')]
TITLES = ['关于做好年度安全生产工作的通知', '请假申请', '关于召开工作会议的通知',
    '关于报送统计数据的函', '关于调整工作分工的决定', '出差审批', '会议纪要']


def indexes_of(cursor, table):
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
        "WHERE tablename = %s AND indexname NOT LIKE '%%_pkey'", (table,))
    return cursor.fetchall()


def rows(seed, people, process, instances, first_instance, first_task,
        process_name, names):
    "Yield (instance row, to-do rows) of every instance, the same for a seed"
    rng = random.Random(seed)
    now = datetime.datetime(2026, 11, 1)
    span = 3 * 365 * 24 * 3600
    task_id = first_task
    for n in range(instances):
        instance_id = first_instance + n
        initiator, unit, division = rng.choice(people)
        start = now - datetime.timedelta(seconds=rng.randrange(span))
        running = rng.random() < OPEN_SHARE * TASKS_PER_INSTANCE
        instance = (instance_id, process,
            'egov.workflow.request,%d' % instance_id, rng.choice(TITLES),
            initiator, unit, division, 'running' if running else 'done',
            start, initiator, start)
        tasks = []
        when = start
        for position in range(TASKS_PER_INSTANCE):
            holder = rng.choice(people)[0]
            step, step_name = rng.choice(STEPS)
            when += datetime.timedelta(minutes=rng.randrange(5, 3000))
            is_open = running and position == TASKS_PER_INSTANCE - 1
            tasks.append((task_id, instance_id, step, step_name,
                    '%032x' % rng.getrandbits(128), 'todo', holder,
                    initiator, 'open' if is_open else 'done',
                    None if is_open else 'approve',
                    when + datetime.timedelta(days=3),
                    None if is_open else when,
                    None if is_open else holder, initiator, when,
                    instance[3], process_name, names[initiator]))
            task_id += 1
        yield instance, tasks


def generate(uri, database, todos, seed=2026):
    started = time.monotonic()
    with psycopg.connect(uri + database) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT id FROM egov_workflow_process "
            "WHERE code = 'leave' AND state = 'active' LIMIT 1")
        process, = cursor.fetchone()
        cursor.execute("SELECT name FROM egov_workflow_process "
            "WHERE id = %s", (process,))
        process_name, = cursor.fetchone()
        cursor.execute("SELECT u.id, e.unit, un.division FROM res_user u "
            "JOIN egov_org_employee e ON e.\"user\" = u.id "
            "JOIN egov_org_unit un ON un.id = e.unit WHERE u.active")
        people = cursor.fetchall()
        names = dict(cursor.execute(
                "SELECT id, name FROM res_user WHERE active").fetchall())
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM "
            "egov_workflow_instance")
        first_instance = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM egov_workflow_task")
        first_task = cursor.fetchone()[0] + 1

        saved = {}
        for table in ['egov_workflow_task', 'egov_workflow_instance']:
            saved[table] = indexes_of(cursor, table)
            for name, _ in saved[table]:
                cursor.execute('DROP INDEX IF EXISTS "%s"' % name)
        print('indexes dropped %.0f s' % (time.monotonic() - started))

        instances = todos // TASKS_PER_INSTANCE
        # One connection cannot run two COPY at once, so the rows are made
        # twice from the same seed: instances first, then their to-dos.
        with cursor.copy('COPY egov_workflow_instance (id, process, record, '
                'title, initiator, unit, division, state, started_at, '
                'create_uid, create_date) FROM STDIN') as copy:
            for instance, _ in rows(seed, people, process, instances,
                    first_instance, first_task, process_name, names):
                copy.write_row(instance)
        print('instances copied %.0f s' % (time.monotonic() - started))
        with cursor.copy('COPY egov_workflow_task (id, instance, step, '
                'step_name, engine_task, kind, "user", sender, state, '
                'decision, deadline, done_at, done_by, create_uid, '
                'create_date, title, process_name, sender_name) '
                'FROM STDIN') as copy:
            task_id = first_task
            for n, (_, tasks) in enumerate(rows(seed, people, process,
                        instances, first_instance, first_task, process_name,
                        names)):
                for task in tasks:
                    copy.write_row(task)
                    task_id += 1
                if n and n % 500000 == 0:
                    print('%d instances\' to-dos %.0f s' % (
                            n, time.monotonic() - started))
        print('copied %d instances, %d to-dos in %.0f s' % (
                instances, task_id - first_task,
                time.monotonic() - started))
        for table, definitions in saved.items():
            for name, definition in definitions:
                cursor.execute(definition)
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "(SELECT MAX(id) FROM " + table + "))", (table,))
        print('indexes rebuilt %.0f s' % (time.monotonic() - started))
        connection.commit()
    with psycopg.connect(uri + database, autocommit=True) as connection:
        connection.execute('VACUUM (ANALYZE) egov_workflow_instance')
        connection.execute('VACUUM (ANALYZE) egov_workflow_task')
    print('total %.0f s' % (time.monotonic() - started))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--uri', required=True)
    parser.add_argument('--database', default='egov_bench')
    parser.add_argument('--todos', type=int, default=20_000_000)
    args = parser.parse_args()
    generate(args.uri, args.database, args.todos)


if __name__ == '__main__':
    main()
