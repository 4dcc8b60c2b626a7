"""The registry of benchmark operations: name -> function(bench) -> dict.

An operation picks its users and inputs at random per repetition, runs
bench.warmup rounds untimed, then bench.repeat timed ones, and returns its
figures, usually harness.compare() of the ORM timings against a raw-SQL
floor that fetches the same rows. Later issues add their operations here
with @operation('name')."""
import contextlib
from unittest import mock

from egov_base.org.codes import pinyin_forms
from harness import compare, percentile, summary, timed
from pypinyin import lazy_pinyin

OPERATIONS = {}


def operation(name):
    "Register the decorated function as the operation name"
    def register(function):
        OPERATIONS[name] = function
        return function
    return register


def rounds(bench):
    "The round numbers: warm-up ones (negative) first, then timed ones"
    return range(-bench.warmup, bench.repeat)


# employee_picker: what the many2one picker does when a person types

PICKER_KINDS = ['name', 'pinyin', 'initials', 'number']


def picker_texts(bench, count=200):
    """Texts people type to find a colleague, drawn from real employees:
    two characters of a name (张伟), full pinyin of the surname and the first
    letter of the given name (zhangw), all initials (zw, zwj) and a number"""
    rows = bench.fetch(
        'SELECT name, number FROM egov_org_employee WHERE active ORDER BY id')
    rows = bench.rng.sample(rows, min(count, len(rows)))
    texts = {kind: [] for kind in PICKER_KINDS}
    for name, number in rows:
        syllables = lazy_pinyin(name)
        texts['name'].append(name[:2])
        texts['pinyin'].append(syllables[0] + syllables[1][:1])
        texts['initials'].append(pinyin_forms(name)[1])
        texts['number'].append(number)
    return texts


@operation('employee_picker')
def employee_picker(bench):
    """Employee.search_read on rec_name ilike %text% (limit 10, rec_name)
    against the best hand-written query for the same rows: the indexed
    expression COALESCE(search_text, '') LIKE the lower-case text"""
    Employee = bench.pool.get('egov.org.employee')
    texts = picker_texts(bench)
    users = bench.sample_users(20)
    floor_query = (
        'SELECT id, name FROM egov_org_employee '
        "WHERE active AND COALESCE(search_text, '') LIKE lower(%s) "
        'ORDER BY sequence, name, id LIMIT 10')
    samples = {kind: ([], []) for kind in PICKER_KINDS}
    mismatches = 0
    for n in rounds(bench):
        kind = PICKER_KINDS[n % len(PICKER_KINDS)]
        text = bench.rng.choice(texts[kind])
        user = users[n % len(users)] if n < 0 else bench.rng.choice(users)
        with bench.as_user(user):
            elapsed, rows = timed(Employee.search_read,
                [('rec_name', 'ilike', '%' + text + '%')],
                limit=10, fields_names=['rec_name'])
        floor, floor_rows = bench.timed_fetch(
            floor_query, ('%' + text.lower() + '%',))
        if n < 0:
            continue
        samples[kind][0].append(elapsed)
        samples[kind][1].append(floor)
        if [r['id'] for r in rows] != [r[0] for r in floor_rows]:
            mismatches += 1
    orm = [s for kind in PICKER_KINDS for s in samples[kind][0]]
    floors = [s for kind in PICKER_KINDS for s in samples[kind][1]]
    result = compare(orm, floors, target_p95_ms=50)
    result['mismatches'] = mismatches
    result['by_kind'] = {kind: compare(*samples[kind])
        for kind in PICKER_KINDS if samples[kind][0]}
    return result


# unit_subtree: a county's subtree as the tree view loads it

@operation('unit_subtree')
def unit_subtree(bench):
    """Unit.search child_of a county, then read name, kind, code and parent
    of those ids, against SELECT … WHERE path LIKE '<county path>%'"""
    Unit = bench.pool.get('egov.org.unit')
    counties = bench.fetch(
        "SELECT id, path FROM egov_org_unit WHERE kind = 'county' "
        "AND active ORDER BY id")
    users = bench.sample_users(20)
    floor_query = (
        'SELECT id, name, kind, code, parent FROM egov_org_unit '
        'WHERE active AND path LIKE %s ORDER BY sequence, name, id')
    orm, floors, sizes = [], [], []
    mismatches = 0

    def load(county_id):
        units = Unit.search([('parent', 'child_of', [county_id])])
        return Unit.read([u.id for u in units],
            ['name', 'kind', 'code', 'parent'])

    for n in rounds(bench):
        county_id, path = bench.rng.choice(counties)
        with bench.as_user(bench.rng.choice(users)):
            elapsed, rows = timed(load, county_id)
        floor, floor_rows = bench.timed_fetch(floor_query, (path + '%',))
        if n < 0:
            continue
        orm.append(elapsed)
        floors.append(floor)
        sizes.append(len(rows))
        if {r['id'] for r in rows} != {r[0] for r in floor_rows}:
            mismatches += 1
    result = compare(orm, floors, target_p95_ms=50)
    result['mismatches'] = mismatches
    result['nodes_p50'] = int(percentile(sizes, 50))
    result['nodes_max'] = max(sizes)
    return result


@operation('unit_subtree_api')
def unit_subtree_api(bench):
    """Unit.subtree, the module's one-query API for a whole county (what a
    picker or a list of every unit of a county calls), against the same
    floor as unit_subtree"""
    Unit = bench.pool.get('egov.org.unit')
    counties = bench.fetch(
        "SELECT id, path FROM egov_org_unit WHERE kind = 'county' "
        "AND active ORDER BY id")
    users = bench.sample_users(20)
    floor_query = (
        'SELECT id, name, kind, code, parent FROM egov_org_unit '
        'WHERE active AND path LIKE %s ORDER BY path')
    api, floors, sizes = [], [], []
    mismatches = 0
    for n in rounds(bench):
        county_id, path = bench.rng.choice(counties)
        with bench.as_user(bench.rng.choice(users)):
            elapsed, rows = timed(Unit.subtree, [county_id])
        floor, floor_rows = bench.timed_fetch(floor_query, (path + '%',))
        if n < 0:
            continue
        api.append(elapsed)
        floors.append(floor)
        sizes.append(len(rows))
        if {r['id'] for r in rows} != {r[0] for r in floor_rows}:
            mismatches += 1
    result = compare(api, floors, target_p95_ms=50)
    result['mismatches'] = mismatches
    result['nodes_p50'] = int(percentile(sizes, 50))
    result['nodes_max'] = max(sizes)
    return result


# rule_lookup: what the organisation scope costs the record rules

@contextlib.contextmanager
def fixed_scope(User, scope):
    """Replace get_org_scope by a constant: the same rule domains and
    results, without looking the scope up"""
    with mock.patch.object(User, 'get_org_scope',
            classmethod(lambda cls, user_id=None: scope)):
        yield


def scope_users(bench, count):
    """Users of divisions where no application is switched off (the
    contacts' application must be on), a quarter of them organisation
    administrators (their post carries a role), the rest staff"""
    enabled = ('d.id NOT IN (SELECT division FROM egov_application_switch '
        'WHERE NOT enabled)')
    admins = bench.sample_users(count // 4, enabled + (
            ' AND e.id IN (SELECT a.employee FROM egov_org_assignment a '
            'JOIN "egov_org_post-res_group" g ON g.post = a.post)'))
    staff = bench.sample_users(count - len(admins), enabled)
    return admins + staff


@operation('rule_lookup')
def rule_lookup(bench):
    """User.get_org_scope() cold (caches cleared) and warm, and a search on
    the rule-governed personal contacts with the scope looked up as usual
    against the same search with the scope fixed: the difference is what
    the scope adds to a search (target < 2 ms)"""
    pool = bench.pool
    User = pool.get('res.user')
    Contact = pool.get('egov.directory.contact')
    users = scope_users(bench, 20)
    keys = ['scope_cold', 'scope_warm', 'search_cold', 'search_warm',
        'search_cold_fixed', 'search_warm_fixed']
    samples = {k: [] for k in keys}

    def search_pair(suffix):
        User.clear_org_caches()
        cold, _ = timed(Contact.search, [])
        warm, _ = timed(Contact.search, [])
        return {'search_cold' + suffix: cold, 'search_warm' + suffix: warm}

    for n in rounds(bench):
        user = users[n % len(users)] if n < 0 else bench.rng.choice(users)
        times = {}
        with bench.as_user(user):
            User.clear_org_caches()
            times['scope_cold'], scope = timed(User.get_org_scope)
            times['scope_warm'], _ = timed(User.get_org_scope)
            # Alternate the order so that neither variant warms the other
            fixed_first = n % 2
            if fixed_first:
                with fixed_scope(User, scope):
                    times.update(search_pair('_fixed'))
            times.update(search_pair(''))
            if not fixed_first:
                with fixed_scope(User, scope):
                    times.update(search_pair('_fixed'))
        if n >= 0:
            for key in keys:
                samples[key].append(times[key])
    result = {}
    for key in ['scope_cold', 'scope_warm']:
        result[key] = summary(samples[key])
    for key in ['search_cold', 'search_warm']:
        fixed = samples[key + '_fixed']
        added = [a - b for a, b in zip(samples[key], fixed)]
        result[key] = dict(summary(samples[key]),
            **summary(fixed, 'fixed_'), **summary(added, 'added_'))
        del result[key]['fixed_n'], result[key]['added_n']
    result['added_ms'] = result['search_cold']['added_p50_ms']
    result['target_added_ms'] = 2
    result['meets_target'] = (
        result['search_cold']['added_p95_ms'] < 2
        and result['scope_cold']['p95_ms'] < 2)
    return result


# audit_write_overhead, audit_search, audit_verify: the behaviour audit

def audit_off():
    "The capture switched off: no policy applies to any model"
    import egov_base.audit.capture as capture
    return mock.patch.object(capture, 'policy_for', lambda cls, action: None)


def county_admin(bench):
    """An organisation administrator of a county (their post carries the
    county role) and the ids of their county's units and departments"""
    rows = bench.fetch(
        'SELECT e."user", d.id FROM egov_org_employee e '
        'JOIN egov_org_assignment a ON a.employee = e.id AND a."primary" '
        'JOIN "egov_org_post-res_group" g ON g.post = a.post '
        'JOIN ir_model_data m ON m.db_id = g."group" '
        "AND m.model = 'res.group' AND m.module = 'egov_base' "
        "AND m.fs_id = 'group_org_admin' "
        'JOIN egov_org_unit u ON u.id = e.unit '
        "JOIN egov_org_unit d ON d.id = u.division AND d.kind = 'county' "
        'WHERE e.active ORDER BY e.id')
    user, division = bench.rng.choice(rows)
    units = [r[0] for r in bench.fetch(
            "SELECT id FROM egov_org_unit WHERE division = %s "
            "AND kind IN ('unit', 'department') AND active ORDER BY id",
            (division,))]
    return user, units


@operation('audit_write_overhead')
def audit_write_overhead(bench):
    """A county administrator writes the phone of 1,000 units and
    departments of their county in one transaction (1,000 write calls, and
    the same as one call), committed, with the audit on and off, in
    alternating rounds; the target is at most 15 % more with the audit"""
    import time

    pool = bench.pool
    Unit = pool.get('egov.org.unit')
    Log = pool.get('egov.audit.log')
    user, units = county_admin(bench)
    rounds_count = max(2, bench.repeat // 40)
    samples = {(kind, audit): [] for kind in ['calls', 'one_call']
        for audit in ['on', 'off']}
    counter = [0]

    def batch(kind):
        records = [Unit(i) for i in bench.rng.choices(units, k=1000)]
        counter[0] += 1
        if kind == 'calls':
            for n, unit in enumerate(records):
                Unit.write([unit], {'phone': '0795-%07d' % (
                            counter[0] * 1000 + n)})
        else:
            Unit.write(list(dict.fromkeys(records)), {
                    'phone': '0795-%07d' % counter[0]})

    def run(kind, audit):
        with bench.as_user(user, readonly=False) as transaction:
            if audit:
                start = time.perf_counter()
                batch(kind)
                transaction.commit()
            else:
                with audit_off():
                    start = time.perf_counter()
                    batch(kind)
                    transaction.commit()
            return (time.perf_counter() - start) * 1000

    for n in range(-1, rounds_count):
        for kind in ['calls', 'one_call']:
            order = [True, False] if n % 2 else [False, True]
            for audit in order:
                elapsed = run(kind, audit)
                if n >= 0:
                    samples[kind, 'on' if audit else 'off'].append(elapsed)
    result = {'user': user, 'writes_per_batch': 1000, 'rounds': rounds_count}
    for kind in ['calls', 'one_call']:
        on = percentile(samples[kind, 'on'], 50)
        off = percentile(samples[kind, 'off'], 50)
        result[kind] = {
            'audit_on_ms': round(on, 1), 'audit_off_ms': round(off, 1),
            'overhead_pct': round((on - off) / off * 100, 1),
            }
    # The sealer on what the rounds recorded
    with bench.as_user(0, readonly=False) as transaction:
        start = time.perf_counter()
        sealed = Log.seal()
        transaction.commit()
        seconds = time.perf_counter() - start
    result['sealed_rows'] = sealed
    result['seal_rows_per_second'] = round(sealed / seconds) if sealed else 0
    result['target_overhead_pct'] = 15
    result['meets_target'] = all(result[k]['overhead_pct'] <= 15
        for k in ['calls', 'one_call'])
    return result


AUDIT_LIST_FIELDS = ['timestamp', 'login', 'user_name', 'unit_name',
    'post_name', 'division_name', 'action', 'result', 'model',
    'record_name', 'address', 'message', 'sequence']
AUDIT_FILTERS = ['range', 'user', 'unit', 'division', 'model', 'action',
    'refused']


def auditor_user(bench):
    "A generated login made a security auditor (idempotent)"
    user, = bench.sample_users(1)
    (group,), = bench.fetch("SELECT db_id FROM ir_model_data WHERE "
        "module = 'egov_base' AND fs_id = 'group_auditor'")
    bench.sql.execute('INSERT INTO "res_user-res_group" ("user", "group", '
            'create_uid, create_date) SELECT %s, %s, 0, now() '
            'WHERE NOT EXISTS (SELECT 1 FROM "res_user-res_group" '
        'WHERE "user" = %s AND "group" = %s)',
        (user, group, user, group))
    return user


@operation('audit_search')
def audit_search(bench):
    """The auditor's list over the whole audit table: a time range (a day,
    a week or a month, ending at a random day of the last year) alone or
    with a user, a unit, a division, a model, an action or refused only;
    what the web client does for one page: search (100 rows, newest
    first), a bounded count (1,000) and the read of the list's fields.
    Floor: the same page by hand-written SQL"""
    import datetime
    Log = bench.pool.get('egov.audit.log')
    auditor = auditor_user(bench)
    total, first, last = bench.fetch(
        'SELECT COUNT(*), MIN(timestamp), MAX(timestamp) '
        'FROM egov_audit_log')[0]
    if not total:
        return {'skipped': 'egov_audit_log is empty: run generate_audit.py'}
    people = bench.fetch(
        'SELECT DISTINCT user_id, unit_id, division_id FROM egov_audit_log '
        'WHERE id IN (SELECT (random() * %s)::int FROM '
        'generate_series(1, 500))', (total,)) or bench.fetch(
        'SELECT DISTINCT user_id, unit_id, division_id FROM egov_audit_log '
        'LIMIT 500')
    models = [r[0] for r in bench.fetch(
            'SELECT DISTINCT model FROM egov_audit_log WHERE id < 100000')]
    actions = ['write', 'create', 'login', 'delete', 'export', 'read']
    samples = {f: ([], []) for f in AUDIT_FILTERS}
    found = []
    mismatches = 0
    span = (last - first).total_seconds()
    for n in rounds(bench):
        kind = AUDIT_FILTERS[n % len(AUDIT_FILTERS)]
        days = bench.rng.choice([1, 7, 30])
        end = first + datetime.timedelta(
            seconds=bench.rng.uniform(days * 86400, span))
        start = end - datetime.timedelta(days=days)
        domain = [('timestamp', '>=', start), ('timestamp', '<', end)]
        where, params = 'timestamp >= %s AND timestamp < %s', [start, end]
        user_id, unit_id, division_id = bench.rng.choice(people)
        extra = {
            'range': None,
            'user': ('user_id', user_id),
            'unit': ('unit_id', unit_id),
            'division': ('division_id', division_id),
            'model': ('model', bench.rng.choice(models)),
            'action': ('action', bench.rng.choice(actions)),
            'refused': ('result', 'refused'),
            }[kind]
        if extra:
            domain.append((extra[0], '=', extra[1]))
            where += ' AND %s = %%s' % extra[0]
            params.append(extra[1])

        def page():
            ids = Log.search(domain, limit=100)
            count = Log.search_count(domain, limit=1000)
            rows = Log.read([i.id for i in ids], AUDIT_LIST_FIELDS)
            return ids, count, rows

        with bench.as_user(auditor):
            elapsed, (ids, count, rows) = timed(page)

        def floor_page():
            rows = bench.fetch(
                'SELECT id, %s FROM egov_audit_log WHERE %s '
                'ORDER BY timestamp DESC, id DESC LIMIT 100' % (
                    ', '.join(AUDIT_LIST_FIELDS), where), params)
            count = bench.fetch(
                'SELECT COUNT(*) FROM (SELECT 1 FROM egov_audit_log '
                'WHERE %s LIMIT 1000) c' % where, params)
            return rows, count
        floor, (floor_rows, _) = timed(floor_page)
        if n < 0:
            continue
        samples[kind][0].append(elapsed)
        samples[kind][1].append(floor)
        found.append(len(ids))
        if [i.id for i in ids] != [r[0] for r in floor_rows]:
            mismatches += 1
    orm = [s for f in AUDIT_FILTERS for s in samples[f][0]]
    floors = [s for f in AUDIT_FILTERS for s in samples[f][1]]
    result = compare(orm, floors, target_p95_ms=200)
    result['rows_in_table'] = total
    result['rows_per_page_p50'] = int(percentile(found, 50))
    result['by_filter'] = {f: compare(*samples[f])
        for f in AUDIT_FILTERS if samples[f][0]}
    result['mismatches'] = mismatches
    return result


@operation('audit_verify')
def audit_verify(bench):
    """The verification of the whole chain (rows per second; target at
    least 50,000), as the command and the auditor's button run it"""
    Log = bench.pool.get('egov.audit.log')
    with bench.as_user(0, readonly=False) as transaction:
        report = Log.verify(seal=True)
        transaction.commit()
    return {
        'rows': report['checked'],
        'seconds': round(report['seconds'], 1),
        'rows_per_second': round(report['rows_per_second'] or 0),
        'ok': report['ok'],
        'target_rows_per_second': 50000,
        'meets_target': (report['rows_per_second'] or 0) >= 50000,
        }
