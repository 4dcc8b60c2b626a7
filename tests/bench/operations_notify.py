"""Benchmark operations of the notification service (issue 12).

notify_queue_2000    a person sends one message to the staff of units
                     totalling about 2,000 people: the request queues it
                     (one message row, one task), committed; < 500 ms
notify_handout_2000  what the worker then does with such a message: find
                     the people, create a delivery and a notification for
                     each (the fan-out), committed as the worker commits
notify_inbox_count   the bell's count of a person's unread notifications
                     (res.notification.get_count, what sao asks), against
                     the same count in SQL

The messages and notifications the rounds made are deleted at the end."""
import time

from harness import compare, summary, timed
from operations import operation, rounds

TARGET_PEOPLE = 2000
VALUES = {'subject': '关于做好防汛备汛工作的通知',
    'text': '请各单位于本周五前完成防汛物资清点，并报送值班表。'}


def unit_sets(bench, count, people=TARGET_PEOPLE):
    """count lists of units whose staff (sub-units included, people with
    a login) total about `people`, no unit inside another of its list;
    [(unit ids, people)]"""
    units = bench.fetch("SELECT id, path FROM egov_org_unit "
        "WHERE kind = 'unit' AND active")
    staff = dict(bench.fetch('SELECT unit, count(*) FROM egov_org_employee '
            'WHERE active AND "user" IS NOT NULL GROUP BY unit'))
    path_of = dict(units)
    total = {}
    for unit, path in units:
        total[unit] = 0
    # A person counts in their unit and every unit above it
    by_path = {path: unit for unit, path in units}
    for unit, n in staff.items():
        path = path_of.get(unit)
        if path is None:
            continue
        parts = path.strip('/').split('/')
        for i in range(1, len(parts) + 1):
            above = by_path.get('/'.join(parts[:i]) + '/')
            if above is not None:
                total[above] += n
    candidates = [u for u, n in total.items() if 0 < n <= people]
    result = []
    for _ in range(count):
        chosen, size, paths = [], 0, []
        bench.rng.shuffle(candidates)
        for unit in candidates:
            n = total[unit]
            path = path_of[unit]
            if size + n > people * 1.05 or any(
                    path.startswith(p) or p.startswith(path) for p in paths):
                continue
            chosen.append(unit)
            paths.append(path)
            size += n
            if size >= people * 0.95:
                break
        result.append((chosen, size))
    return result


def senders(bench, count):
    "Heads of units and departments: the people who send such notices"
    return bench.sample_users(count, (
            'e.id IN (SELECT a.employee FROM egov_org_assignment a '
            'JOIN egov_org_post p ON p.id = a.post WHERE p.head)'))


def delete_messages(bench, ids):
    "Remove what the rounds made (deliveries and notifications with them)"
    if not ids:
        return
    with bench.sql.transaction():
        bench.sql.execute('DELETE FROM res_notification WHERE id IN ('
            'SELECT notification FROM egov_notify_delivery '
            'WHERE message = ANY(%s))', (ids,))
        bench.sql.execute('DELETE FROM egov_notify_delivery '
            'WHERE message = ANY(%s)', (ids,))
        # Their tasks, never run here (no worker): the notify queue's
        # since the first message
        bench.sql.execute("DELETE FROM ir_queue WHERE name = 'notify' "
            "AND finished_at IS NULL AND enqueued_at >= ("
            "SELECT min(create_date) FROM egov_notify_message "
            "WHERE id = ANY(%s))", (ids,))
        bench.sql.execute('DELETE FROM egov_notify_message '
            'WHERE id = ANY(%s)', (ids,))


def queue_message(bench, user, units):
    "One request: the message queued and committed; (ms, message id)"
    Message = bench.pool.get('egov.notify.message')
    with bench.as_user(user, readonly=False) as transaction:
        start = time.perf_counter()
        message = Message.send('egov_base', 'manual', {'units': units},
            VALUES, urgency='urgent')
        message_id = message.id
        transaction.commit()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, message_id


@operation('notify_queue_2000')
def notify_queue_2000(bench):
    count = bench.warmup + bench.repeat
    sets = unit_sets(bench, count)
    users = senders(bench, count)
    samples, sizes, made = [], [], []
    try:
        for n, (units, size), user in zip(rounds(bench), sets, users):
            elapsed, message = queue_message(bench, user, units)
            made.append(message)
            if n >= 0:
                samples.append(elapsed)
                sizes.append(size)
    finally:
        delete_messages(bench, made)
    result = summary(samples)
    result['people_per_message'] = {
        'min': min(sizes), 'max': max(sizes),
        'mean': round(sum(sizes) / len(sizes))}
    result['target_p95_ms'] = 500
    result['meets_target'] = result['p95_ms'] < 500
    return result


@operation('notify_handout_2000')
def notify_handout_2000(bench):
    """The worker's fan-out of one such message (its task run as the
    worker runs it: user 0, committed). At most 5 rounds: each makes 4,000
    rows"""
    from trytond.transaction import Transaction
    Message = bench.pool.get('egov.notify.message')
    Delivery = bench.pool.get('egov.notify.delivery')
    repeat, warmup = min(bench.repeat, 5), min(bench.warmup, 1)
    sets = unit_sets(bench, repeat + warmup)
    users = senders(bench, repeat + warmup)
    samples, people, made = [], [], []
    try:
        for n, (units, _), user in zip(range(-warmup, repeat), sets, users):
            _, message = queue_message(bench, user, units)
            made.append(message)
            with Transaction().start(bench.database, 0) as transaction:
                start = time.perf_counter()
                Message.hand_out([Message(message)])
                transaction.commit()
                elapsed = (time.perf_counter() - start) * 1000
                count = Delivery.search_count([
                        ('message', '=', message),
                        ('channel', '=', 'inapp')])
            if n >= 0:
                samples.append(elapsed)
                people.append(count)
    finally:
        delete_messages(bench, made)
    result = summary(samples)
    result['people_per_message'] = {
        'min': min(people), 'max': max(people),
        'mean': round(sum(people) / len(people))}
    result['ms_per_person'] = round(
        result['p50_ms'] / max(1, result['people_per_message']['mean']), 3)
    return result


@operation('notify_inbox_count')
def notify_inbox_count(bench):
    """The bell: res.notification.get_count as the person (what sao calls
    on login, on a bus message and every half minute without the bus)"""
    Notification = bench.pool.get('res.notification')
    users = bench.sample_users(50)
    orm, floors = [], []
    mismatches = 0
    for n in rounds(bench):
        user = bench.rng.choice(users)
        with bench.as_user(user):
            elapsed, value = timed(Notification.get_count)
        floor, rows = bench.timed_fetch('SELECT count(*) FROM '
            'res_notification WHERE "user" = %s AND unread', (user,))
        if n >= 0:
            orm.append(elapsed)
            floors.append(floor)
            mismatches += rows[0][0] != value
    result = compare(orm, floors, target_p95_ms=50)
    result['mismatches'] = mismatches
    return result
