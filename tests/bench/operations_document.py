"""Benchmark operations of 公文 query and statistics (run
generate_documents.py on the benchmark database first).

document_incoming_list   a 收发员 or a county's document administrator
                         opens the 收文 list with two filters: the ids of
                         the list (up to 1,000, newest first, as sao asks)
                         and the fields of its first 20 rows, access rights
                         and record rules on; the count of the 超期 tab
document_statistics_year a county's document administrator opens the
                         statistics of one year of 收文: by month,
                         department, kind, 来文单位, and of 发文 by 主送单位
"""
import datetime
import time

from harness import summary, timed
from operations import operation, rounds

# What the 收文 list (view/incoming_list.xml) shows
LIST_FIELDS = ['rec_name', 'light', 'received_date', 'source_name',
    'source_number', 'title', 'urgency', 'secrecy', 'receipt',
    'workflow_steps', 'workflow_holders']
LIST_LIMIT = 1000
FIRST_ROWS = 20
ORDER = [('received_date', 'DESC'), ('id', 'DESC')]
AXES = [
    ('month', 'incoming', ['month_name', 'count', 'done', 'running',
            'overdue', 'average_days']),
    ('department', 'incoming', ['department_name', 'count', 'done', 'overdue',
            'average_days']),
    ('kind', 'incoming', ['kind_name', 'count', 'done', 'overdue',
            'average_days']),
    ('source', 'incoming', ['source_name', 'count', 'done', 'overdue',
            'average_days']),
    ('recipient', 'outgoing', ['recipient_name', 'count', 'done', 'overdue',
            'average_days']),
    ]
YEAR = 2025


def users_of_group(bench, group, where='TRUE', count=50):
    "Logins whose primary post carries the document group (module, id)"
    return bench.sample_users(count, (
            'e.id IN (SELECT a.employee FROM egov_org_assignment a '
            'JOIN "egov_org_post-res_group" pg ON pg.post = a.post '
            'JOIN ir_model_data md ON md.db_id = pg."group" '
            "AND md.model = 'res.group' AND md.module = 'egov_document' "
            'WHERE a."primary" AND md.fs_id = %s) AND ' + where),
        (group,))


def filters(bench):
    "Draw two of the filters people combine in the 收文 list's search bar"
    kinds = [k for k, in bench.fetch('SELECT id FROM egov_document_kind')]
    names = [n for n, in bench.fetch(
            "SELECT name FROM egov_org_unit WHERE kind = 'unit' "
            "ORDER BY id LIMIT 400")]

    def month():
        start = datetime.date(YEAR, bench.rng.randint(1, 12), 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        return [('received_date', '>=', start), ('received_date', '<', end)]

    def organ():
        name = bench.rng.choice(names)
        return [('source_name', 'ilike', '%' + name[:4] + '%')]

    builders = {
        'month': month,
        'overdue': lambda: [('light', '=', 'red')],
        'organ': organ,
        'kind': lambda: [('kind', '=', bench.rng.choice(kinds))],
        'urgent': lambda: [('urgency', '=', 'urgent')],
        'running': lambda: [('workflow_state', '=', 'running')],
        'this_year': lambda: [('period', '=', 'year')],
        }

    def draw():
        first, second = bench.rng.sample(sorted(builders), 2)
        return ('%s+%s' % tuple(sorted([first, second])),
            builders[first]() + builders[second]())
    return draw


@operation('document_incoming_list')
def document_incoming_list(bench):
    """Incoming.search (1,000 ids, newest first) + read of the first 20
    rows' fields, with two filters, as a clerk or a county administrator;
    and the 超期 tab's count"""
    Incoming = bench.pool.get('egov.document.incoming')
    users = (users_of_group(bench, 'group_document_clerk', count=40)
        + users_of_group(bench, 'group_document_admin', count=10))
    draw = filters(bench)
    (total,), = bench.fetch('SELECT COUNT(*) FROM egov_document_incoming')
    base = [('receipt', '=', 'received')]
    samples, counts, by_filter, found = [], [], {}, []

    def page(domain):
        ids = Incoming.search(domain, 0, LIST_LIMIT, ORDER)
        Incoming.read([r.id for r in ids[:FIRST_ROWS]], LIST_FIELDS)
        return ids

    for n in rounds(bench):
        user = bench.rng.choice(users)
        name, domain = draw()
        with bench.as_user(user):
            elapsed, ids = timed(page, base + domain)
            count_ms, _ = timed(Incoming.search_count,
                base + [('light', '=', 'red')])
        if n < 0:
            continue
        samples.append(elapsed)
        counts.append(count_ms)
        found.append(len(ids))
        by_filter.setdefault(name, []).append(elapsed)
    result = summary(samples)
    result['target_p95_ms'] = 100
    result['meets_target'] = result['p95_ms'] < 100
    result['tab_count'] = summary(counts)
    result['documents_in_table'] = total
    result['rows_found_mean'] = round(sum(found) / max(len(found), 1), 1)
    result['by_filters'] = {k: summary(v) for k, v in sorted(
            by_filter.items())}
    return result


@operation('document_statistics_year')
def document_statistics_year(bench):
    """Each statistics view of one year of a county, as its document
    administrator (search_read of every group; record rules on)"""
    users = users_of_group(bench, 'group_document_admin',
        "d.kind = 'county'", count=20)
    context = {
        'from_date': datetime.date(YEAR, 1, 1),
        'to_date': datetime.date(YEAR, 12, 31),
        }
    per_axis = {axis: [] for axis, _, _ in AXES}
    totals, groups = [], {axis: 0 for axis, _, _ in AXES}
    for n in rounds(bench):
        user = bench.rng.choice(users)
        started = time.perf_counter()
        for axis, direction, fields in AXES:
            Model = bench.pool.get('egov.document.statistic.%s' % axis)
            with bench.as_user(user, direction=direction, **context):
                elapsed, rows = timed(Model.search_read, [], 0, None, None,
                    fields)
            if n >= 0:
                per_axis[axis].append(elapsed)
                groups[axis] = max(groups[axis], len(rows))
        if n >= 0:
            totals.append((time.perf_counter() - started) * 1000)
    (county_docs,), = bench.fetch(
        'SELECT COUNT(*) / COUNT(DISTINCT u.division) '
        'FROM egov_document_incoming i '
        'JOIN egov_org_unit u ON u.id = i.unit '
        'JOIN egov_org_unit d ON d.id = u.division '
        "WHERE d.kind = 'county' AND i.received_date >= %s "
        'AND i.received_date <= %s',
        (context['from_date'], context['to_date']))
    result = {axis: dict(summary(samples), groups_max=groups[axis])
        for axis, samples in per_axis.items()}
    result['all_five'] = summary(totals)
    worst = max(r['p95_ms'] for r in result.values()
        if isinstance(r, dict) and 'groups_max' in r)
    result['incoming_per_county_year'] = int(county_docs or 0)
    result['target_ms'] = 1000
    result['meets_target'] = worst < 1000
    return result
