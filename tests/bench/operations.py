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
