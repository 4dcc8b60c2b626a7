"""Benchmark operations of supervision (issue 17). The bench database needs
egov_supervision activated (trytond-admin -u egov_supervision
--activate-dependencies).

supervision_board_city     the city's monitoring board (tasks by light,
                           lead unit and leader) read by an officer of the
                           city's supervision office over 100,000 tasks;
                           target p95 < 200 ms
supervision_nightly_100k   the nightly run over 100,000 tasks: every light
                           set in SQL, the day's reminders inserted once
                           (unique key) and queued; target < 60 s

The tasks are generated set-based (one INSERT … SELECT over
generate_series) and deleted at the end."""
import datetime
import time

from harness import summary
from operations import operation, rounds

TASKS = 100000
MARK = '基准督查任务'
# The rows a list or graph of the web client asks for (Sao.config.limit)
CLIENT_LIMIT = 1000
OPEN_STATES = ('assigned', 'accepted', 'in_progress',
    'completion_requested', 'returned')


def generate_tasks(bench, count=TASKS):
    """Insert count open tasks assigned by the city to its units, deadlines
    spread over ±60 days, with their scope rows; return the city's id"""
    city, = bench.fetch("SELECT id FROM egov_org_unit WHERE kind = 'city' "
        'ORDER BY id LIMIT 1')[0]
    leaders = [r[0] for r in bench.fetch(
            'SELECT "user" FROM egov_org_employee WHERE "user" IS NOT NULL '
            'ORDER BY id LIMIT 40')]
    today = datetime.date.today()
    with bench.sql.transaction():
        bench.sql.execute("""
            WITH units AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                FROM egov_org_unit WHERE kind IN ('county', 'unit')
                    AND active),
            total AS (SELECT count(*) AS c FROM units)
            INSERT INTO egov_supervision_task (title, source, content,
                assigning_unit, lead_unit, leader, start, deadline, rhythm,
                state, light, extension_count, reminder_count,
                last_feedback, create_uid, create_date)
            SELECT %(mark)s::varchar, 'instruction', %(mark)s::varchar,
                %(city)s, u.id,
                (%(leaders)s::int[])[1 + g %% %(nleaders)s],
                %(today)s::date - 90, %(today)s::date + (g %% 121) - 60,
                CASE WHEN g %% 3 = 0 THEN 'monthly' ELSE 'weekly' END,
                (ARRAY['assigned', 'accepted', 'in_progress', 'in_progress',
                    'completion_requested', 'closed'])[1 + g %% 6],
                '', g %% 3, 0,
                CASE WHEN g %% 4 = 0 THEN NULL
                    ELSE %(today)s::date - (g %% 40) END,
                0, now()
            FROM generate_series(1, %(count)s) AS g
            JOIN total ON TRUE
            JOIN units u ON u.n = g %% total.c""", {
                'mark': MARK, 'city': city, 'leaders': leaders or [None],
                'nleaders': max(len(leaders), 1), 'today': today,
                'count': count})
        bench.sql.execute("""
            INSERT INTO egov_supervision_task_scope (task, unit, create_uid,
                create_date)
            SELECT id, lead_unit, 0, now() FROM egov_supervision_task
                WHERE title = %(mark)s
            UNION ALL
            SELECT id, assigning_unit, 0, now() FROM egov_supervision_task
                WHERE title = %(mark)s""", {'mark': MARK})
    bench.sql.execute('ANALYZE egov_supervision_task')
    bench.sql.execute('ANALYZE egov_supervision_task_scope')
    return city


def cleanup(bench):
    from trytond.transaction import Transaction
    with bench.sql.transaction():
        bench.sql.execute("DELETE FROM ir_queue WHERE name = "
            "'egov_supervision'")
        bench.sql.execute('DELETE FROM egov_supervision_task '
            'WHERE title = %s', (MARK,))
    # The board's counts, made behind the ORM's back: count again
    with Transaction().start(bench.database, 0) as transaction:
        bench.pool.get('egov.supervision.board.figure').refresh()
        transaction.commit()


def city_officer(bench):
    """An employee of the city given the groups of the city's supervision
    office (personal groups, as an administrator would grant them)"""
    user, = bench.sample_users(1, "d.kind = 'city'")
    groups = bench.fetch("SELECT db_id FROM ir_model_data WHERE module = "
        "'egov_supervision' AND fs_id IN ('group_supervision', "
        "'group_supervision_officer', 'group_supervision_city')")
    with bench.sql.transaction():
        for group, in groups:
            bench.sql.execute('INSERT INTO "res_user-res_group" ("user", '
                '"group", create_uid, create_date) VALUES (%s, %s, 0, now()) '
                'ON CONFLICT DO NOTHING', (user, group))
    return user


def inactive(bench):
    "The reason to skip, when egov_supervision is not activated on the database"
    if not bench.fetch("SELECT 1 FROM ir_module WHERE name = 'egov_supervision' "
            "AND state = 'activated'"):
        return {'skipped': 'egov_supervision is not activated on %s: run '
            'trytond-admin -u egov_supervision' % bench.database}


@operation('supervision_board_city')
def supervision_board_city(bench):
    if inactive(bench):
        return inactive(bench)
    from trytond.transaction import Transaction
    Board = bench.pool.get('egov.supervision.board')
    Task = bench.pool.get('egov.supervision.task')
    generate_tasks(bench)
    samples = []
    try:
        with Transaction().start(bench.database, 0) as transaction:
            # As the nightly run: every light, then the board's counts
            Task.update_lights()
            transaction.commit()
        user = city_officer(bench)
        fields = ['unit_name', 'leader', 'open', 'green', 'yellow', 'red',
            'silent', 'extended']
        for n in rounds(bench):
            with bench.as_user(user):
                # What the web client does: a search of a page of groups
                # (sao's limit), then a read of their fields
                began = time.perf_counter()
                boards = Board.search([], limit=CLIENT_LIMIT)
                rows = Board.read([b.id for b in boards], fields)
                elapsed = (time.perf_counter() - began) * 1000
            if n >= 0:
                samples.append(elapsed)
        shown = len(rows)
        groups, open_tasks = bench.fetch(
            'SELECT count(DISTINCT (lead_unit, leader)), count(*) '
            'FROM egov_supervision_task WHERE state = ANY(%s)',
            (list(OPEN_STATES),))[0]
    finally:
        cleanup(bench)
    result = summary(samples)
    result.update(tasks=TASKS, open=open_tasks, groups=groups, shown=shown,
        target_p95_ms=200, meets_target=result['p95_ms'] < 200)
    return result


@operation('supervision_nightly_100k')
def supervision_nightly_100k(bench):
    if inactive(bench):
        return inactive(bench)
    from trytond.transaction import Transaction
    Reminder = bench.pool.get('egov.supervision.reminder')
    Holiday = bench.pool.get('egov.workflow.holiday')
    generate_tasks(bench)
    samples, counts = [], {}
    try:
        with Transaction().start(bench.database, 0):
            # A working day, so that reminders are due
            day = datetime.date.today()
            while not Holiday.is_working_day(day):
                day += datetime.timedelta(days=1)
        for n in range(bench.repeat and 2):
            with Transaction().start(bench.database, 0) as transaction:
                began = time.perf_counter()
                counts = Reminder.run_nightly(today=day)
                transaction.commit()
                samples.append(time.perf_counter() - began)
            # The second run of the day finds everything done: nothing twice
        reminders = bench.fetch('SELECT count(*) FROM '
            'egov_supervision_reminder r JOIN egov_supervision_task t '
            'ON t.id = r.task WHERE t.title = %s', (MARK,))[0][0]
    finally:
        cleanup(bench)
    return {
        'tasks': TASKS,
        'first_run_s': round(samples[0], 2),
        'second_run_s': round(samples[-1], 2),
        'second_run_counts': counts,
        'reminders': reminders,
        'target_s': 60,
        'meets_target': samples[0] < 60,
        }
