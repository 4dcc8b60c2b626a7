"""Build the organisation of the benchmarks in memory: the tree of divisions,
units and departments, the posts, the people with their logins, who holds
which post, who is in charge of which unit, and the application switches.

Every value is derived the way the module derives it (path, division, unit,
search_text), so that the rows could have been created through the ORM.
The result is a dict of table name -> (columns, rows), ready for COPY."""
import datetime
import itertools
import math
import random

import names
from egov_base.org.codes import pinyin_forms, search_text, uscc_check_character

DIVISION_KINDS = {'city', 'county', 'zone'}
# Shares of the units: the city's own units, the zones', the rest to the
# counties by weight.
CITY_SHARE = 0.20
ZONE_SHARE = 0.08
# Units nested under a unit, departments with sections (股).
SUB_UNIT_SHARE = 0.05
SECTION_SHARE = 0.04
# People holding a second current post, an ended one, personal contacts.
SECOND_POST_SHARE = 0.10
PAST_POST_SHARE = 0.03
CONTACT_OWNER_SHARE = 0.10


class Node:
    "A node of the organisation tree (egov.org.unit)"
    __slots__ = ('id', 'kind', 'name', 'short_name', 'code', 'parent',
        'path', 'division', 'unit', 'type', 'head_title', 'division_type',
        'uscc', 'phone', 'address', 'sequence', 'departments', 'posts',
        'people', 'prefix')

    def __init__(self, id_, kind, name, code, parent=None, **values):
        self.id = id_
        self.kind = kind
        self.name = name
        self.code = code
        self.parent = parent
        self.path = (parent.path if parent else '') + '%s/' % id_
        # The nearest ancestor-or-self division and unit, as the module's
        # compute_fields and _with_owners derive them
        if kind in DIVISION_KINDS:
            self.division = id_
        else:
            self.division = parent.division
        if kind == 'unit':
            self.unit = id_
        elif kind == 'department':
            self.unit = parent.unit
        else:
            self.unit = None
        self.short_name = None
        self.type = None
        self.head_title = None
        self.division_type = None
        self.uscc = None
        self.phone = None
        self.address = None
        self.sequence = 100
        self.prefix = parent.prefix if parent else None
        self.departments = []
        self.posts = {}
        self.people = []
        for key, value in values.items():
            setattr(self, key, value)


class Sequence:
    "Hand out the ids of one table, from the first free one"

    def __init__(self, first):
        self.next = first

    def __call__(self):
        value = self.next
        self.next += 1
        return value


class OrgBuilder:

    def __init__(self, units, employees, first_ids, context, seed=20240601):
        """units, employees: the sizes wanted; first_ids: table -> first
        free id; context: values read from the database (see generate.py:
        admin, menu, language, password_hash, groups, applications)"""
        self.rng = random.Random(seed)
        self.n_units = units
        self.n_employees = employees
        self.ids = {t: Sequence(i) for t, i in first_ids.items()}
        self.context = context
        self.now = datetime.datetime.now().replace(microsecond=0)
        self.today = self.now.date()
        self.nodes = []
        self.divisions = []
        self.units = []
        self.posts = []
        self.employees = []
        self.assignments = []
        self.leaderships = []
        self.post_groups = []
        self.contacts = []
        self.numbers = {}
        self.unit_numbers = {}
        self.unit_names = set()
        self.logins = set()
        self.mobiles = set()
        surnames = list(dict.fromkeys(names.SURNAMES))
        self.surnames = surnames
        self.surname_weights = list(itertools.accumulate(
                1 / (rank + 1) ** 0.8 for rank in range(len(surnames))))

    # The tree

    def add_node(self, kind, name, code, parent=None, **values):
        node = Node(self.ids['egov_org_unit'](), kind, name, code, parent,
            **values)
        self.nodes.append(node)
        if kind == 'unit':
            self.units.append(node)
        elif kind == 'department':
            node.type = parent.type
        if kind in DIVISION_KINDS:
            self.divisions.append(node)
        return node

    def build_divisions(self):
        name, short, prefix, region = names.CITY
        city = self.add_node('city', name, region, short_name=short,
            prefix=prefix, phone='0795-3999000',
            address='江西省宜春市袁州区宜阳大道1号')
        for rows, kind in [(names.COUNTIES, 'county'), (names.ZONES, 'zone')]:
            for name, short, prefix, region, dtype, weight in rows:
                self.add_node(kind, name, region, city, short_name=short,
                    prefix=prefix, division_type=dtype,
                    phone=self.office_phone(), address='%s%s' % (
                        name, self.street()))
        return city

    def unit_quotas(self):
        "Share the units out over the divisions, at least one each"
        city, *others = self.divisions
        counties = [d for d in others if d.kind == 'county']
        zones = [d for d in others if d.kind == 'zone']
        weights = {d.id: w for d, w in zip(
                counties, [c[-1] for c in names.COUNTIES])}
        total = sum(weights.values())
        shares = {city.id: CITY_SHARE}
        for zone in zones:
            shares[zone.id] = ZONE_SHARE / len(zones)
        for county in counties:
            shares[county.id] = (
                (1 - CITY_SHARE - ZONE_SHARE) * weights[county.id] / total)
        return largest_remainder(shares, self.n_units, minimum=1)

    def build_units(self):
        quotas = self.unit_quotas()
        for division in self.divisions:
            quota = quotas[division.id]
            if not quota:
                continue
            candidates = self.unit_candidates(division, quota)
            n_sub = int(quota * SUB_UNIT_SHARE) if quota >= 20 else 0
            top = []
            for name, short, head, type_ in candidates[:quota - n_sub]:
                top.append(self.add_unit(
                        division, division, name, short, head, type_))
            bureaus = [u for u in top if u.type == 'gov'][2:] or top
            for i in range(n_sub):
                parent = self.rng.choice(bureaus)
                suffix, head = names.SUB_UNITS[i % len(names.SUB_UNITS)]
                name = parent.name + suffix
                if name in self.unit_names:
                    name = '%s第%s%s' % (parent.name, i + 1, suffix)
                self.add_unit(division, parent, name, suffix, head, 'sub')

    def unit_candidates(self, division, quota):
        """The units of a division in the order they are created: its
        government and bureaus, its towns and their institutions, then
        schools and clinics until the quota is met"""
        prefix = division.name
        bureaus = (names.ZONE_BUREAUS if division.kind == 'zone'
            else names.BUREAUS)
        head = names.GOVERNMENT_HEAD[
            'city' if division.kind == 'city' else division.division_type]
        result = [(prefix + b, b, h or head, t) for b, h, t in bureaus]
        if division.kind == 'county':
            n_towns = max(1, min(30, round(quota * 0.16)))
            for town in self.town_names(n_towns):
                town_head = {'镇': '镇长', '乡': '乡长'}.get(town[-1], '主任')
                for suffix, h, t in names.TOWN_UNITS:
                    result.append((prefix + town + suffix, town + suffix,
                            h or town_head, t))
        n = 0
        while len(result) < quota:
            pattern, h, t = names.FILLERS[n % len(names.FILLERS)]
            short = pattern.format(n=n // len(names.FILLERS) + 1)
            result.append((prefix + short, short, h, t))
            n += 1
        return result

    def town_names(self, count):
        towns = set()
        while len(towns) < count:
            stem = ''.join(self.rng.sample(names.TOWN_CHARACTERS, 2))
            suffix = self.rng.choices(['镇', '乡', '街道'], [60, 25, 15])[0]
            towns.add(stem + suffix)
        return sorted(towns)

    def add_unit(self, division, parent, name, short, head, type_):
        number = self.unit_numbers.get(division.id, 0) + 1
        self.unit_numbers[division.id] = number
        self.unit_names.add(name)
        code = '%s-%03d' % (division.prefix, number)
        unit = self.add_node('unit', name, code, parent, short_name=short,
            type=type_, head_title=head, phone=self.office_phone(),
            address='%s%s' % (division.name, self.street()),
            sequence=10 if number <= 2 else 100)
        if self.rng.random() < 0.8:
            unit.uscc = self.uscc(division.code, unit.id)
        return unit

    def build_departments(self):
        for unit in list(self.units):
            low, high = names.DEPARTMENT_RANGE[unit.type]
            choices = names.DEPARTMENTS[unit.type]
            count = min(len(choices), self.rng.randint(low, high))
            for n, name in enumerate(choices[:count], 1):
                department = self.add_node('department', name,
                    '%s-%02d' % (unit.code, n), unit, sequence=n * 10,
                    phone=self.office_phone())
                unit.departments.append(department)
                if self.rng.random() < SECTION_SHARE:
                    for m, section in enumerate(
                            names.SECTIONS[:self.rng.randint(1, 2)], 1):
                        unit.departments.append(self.add_node(
                                'department', section,
                                '%s-%02d-%d' % (unit.code, n, m),
                                department, sequence=m * 10))

    # Posts and people

    def add_post(self, node, name, head=False, sequence=100):
        post = (self.ids['egov_org_post'](), name, node.id, head, sequence)
        self.posts.append(post)
        return post[0]

    def build_people(self):
        """Share the people out over the units, by kind and number of
        departments; each unit has a head, deputies in larger units, and
        staff in its departments"""
        weights = {u.id: names.PEOPLE_WEIGHT[u.type] * (
                1 + len(u.departments)) for u in self.units}
        total = sum(weights.values())
        sizes = largest_remainder(
            {k: w / total for k, w in weights.items()},
            self.n_employees, minimum=0)
        for unit in self.units:
            size = sizes[unit.id]
            if not size:
                continue
            deputies = (0 if size < 4 else 1 if size < 12
                else 2 if size < 30 else 3)
            unit.posts['head'] = self.add_post(
                unit, unit.head_title, head=True, sequence=10)
            self.add_employee(unit, None, unit.head_title, 'head', 10)
            if deputies:
                title = names.deputy_title(unit.head_title)
                unit.posts['deputy'] = self.add_post(
                    unit, title, sequence=20)
                for _ in range(deputies):
                    self.add_employee(unit, None, title, 'deputy', 20)
            self.add_staff(unit, size - 1 - deputies)

    def add_staff(self, unit, count):
        "Spread the staff over the departments, the first ones head them"
        title = names.STAFF_TITLE[unit.type]
        departments = unit.departments
        for department in departments:
            department.posts['staff'] = self.add_post(department, title)
        seen = set()
        for i in range(count):
            if i < len(departments):
                department = departments[i]
            else:
                department = self.rng.choice(departments)
            if department.id in seen:
                person_title, sequence = title, 100
            else:
                person_title = names.department_head_title(department.name)
                sequence = 50
                seen.add(department.id)
            self.add_employee(
                unit, department, person_title, 'staff', sequence)

    def add_employee(self, unit, department, title, post_key, sequence):
        division = self.division_by_id[unit.division]
        number = self.next_number(division.prefix)
        name = self.person_name()
        full, _ = pinyin_forms(name)
        login = self.unique(self.logins, full)
        user_id = self.ids['res_user']()
        employee = {
            'id': self.ids['egov_org_employee'](),
            'name': name,
            'number': number,
            'gender': self.rng.choice(['male', 'female']),
            'user': user_id,
            'login': login,
            'unit': unit.id,
            'department': department.id if department else None,
            'title': title,
            'mobile': self.mobile(),
            'phone': self.office_phone(),
            'email': '%s@yichun.gov.cn' % login,
            'sequence': sequence,
            'division': unit.division,
            }
        self.employees.append(employee)
        node = department or unit
        key = 'staff' if department else post_key
        self.add_assignment(employee, node.posts[key], primary=True)
        unit.people.append(employee)
        return employee

    def add_assignment(self, employee, post, primary=False, ended=False):
        if ended:
            end = self.today - datetime.timedelta(self.rng.randint(30, 1500))
            start = end - datetime.timedelta(self.rng.randint(180, 2500))
        else:
            start = self.today - datetime.timedelta(self.rng.randint(1, 6000))
            end = None
        self.assignments.append((self.ids['egov_org_assignment'](),
                employee['id'], post, primary, start, end))

    def build_second_posts(self):
        """About one person in ten holds a second post: in another department
        of the unit, or elsewhere in the division (兼职, 挂职); a few more
        held a post that has ended"""
        staff_posts = {}
        for node in self.nodes:
            if 'staff' in node.posts:
                staff_posts.setdefault(node.division, []).append(
                    node.posts['staff'])
        primary = {a[1]: a[2] for a in self.assignments}
        by_unit = {u.id: u for u in self.units}
        for share, ended in [(SECOND_POST_SHARE, False),
                (PAST_POST_SHARE, True)]:
            for employee in self.rng.sample(
                    self.employees, int(len(self.employees) * share)):
                unit = by_unit[employee['unit']]
                held = primary[employee['id']]
                own = [d.posts['staff'] for d in unit.departments
                    if d.posts['staff'] != held]
                if own and self.rng.random() < 0.6:
                    post = self.rng.choice(own)
                else:
                    post = self.rng.choice(staff_posts[employee['division']])
                if post != held:
                    self.add_assignment(employee, post, ended=ended)

    def build_leaderships(self):
        """The deputies of each division's government are each in charge of
        a few units of the division; a unit's deputies lead its sub-units"""
        for division in self.divisions:
            units = [u for u in self.units
                if u.division == division.id and u.people]
            if not units:
                continue
            government = units[0]
            leaders = [e for e in government.people
                if e['sequence'] == 20] or government.people[:1]
            others = units[1:]
            self.rng.shuffle(others)
            per_leader = max(1, min(10, len(others) // max(1, len(leaders))))
            for i, leader in enumerate(leaders):
                for unit in others[i * per_leader:(i + 1) * per_leader]:
                    self.add_leadership(leader, unit)
        for unit in self.units:
            if unit.type == 'sub' and unit.parent.people:
                leader = unit.parent.people[
                    1 if len(unit.parent.people) > 1 else 0]
                self.add_leadership(leader, unit)

    def add_leadership(self, leader, unit):
        start = self.today - datetime.timedelta(self.rng.randint(30, 2000))
        self.leaderships.append((self.ids['egov_org_leadership'](),
                leader['id'], unit.id, start, None, None))

    def build_post_roles(self):
        """The posts of each division's data bureau (or government office)
        carry the organisation administrator's role: city-wide for the
        city, the county's for the others; one city post also administers
        the applications"""
        groups = self.context['groups']
        for division in self.divisions:
            units = [u for u in self.units if u.division == division.id]
            staffed = [u for u in units if u.people]
            admin_unit = next((u for u in staffed if '数据' in u.name),
                staffed[1] if len(staffed) > 1 else None)
            if admin_unit is None:
                continue
            post = admin_unit.departments[0].posts['staff']
            group = ('group_org_admin_city' if division.kind == 'city'
                else 'group_org_admin')
            self.post_groups.append(
                (self.ids['egov_org_post-res_group'](), post, groups[group]))
            if division.kind == 'city':
                self.post_groups.append(
                    (self.ids['egov_org_post-res_group'](), post,
                        groups['group_app_admin']))

    def build_contacts(self):
        "A few people keep personal contacts (the rule-governed model)"
        owners = self.rng.sample(self.employees,
            int(len(self.employees) * CONTACT_OWNER_SHARE))
        for owner in owners:
            for _ in range(self.rng.randint(2, 8)):
                name = self.person_name()
                organisation = self.rng.choice(names.CONTACT_ORGANISATIONS)
                mobile = self.mobile()
                self.contacts.append((self.ids['egov_directory_contact'](),
                        owner['user'], name, organisation,
                        self.rng.choice(['经理', '主任', '科长', None]),
                        mobile, None, None,
                        self.rng.choice(names.CONTACT_CATEGORIES), None,
                        search_text(name, organisation, mobile)))

    def build(self):
        self.build_divisions()
        self.division_by_id = {d.id: d for d in self.divisions}
        self.build_units()
        self.build_departments()
        self.build_people()
        self.build_second_posts()
        self.build_leaderships()
        self.build_post_roles()
        self.build_contacts()
        return self.tables()

    # Values

    def person_name(self):
        if self.rng.random() < 0.004:
            surname = self.rng.choice(names.COMPOUND_SURNAMES)
        else:
            surname = self.rng.choices(
                self.surnames, cum_weights=self.surname_weights)[0]
        size = 1 if self.rng.random() < 0.3 else 2
        given = ''.join(self.rng.choice(names.GIVEN) for _ in range(size))
        return surname + given

    def next_number(self, prefix):
        count = self.numbers.get(prefix, 0) + 1
        self.numbers[prefix] = count
        return '%s%06d' % (prefix, count)

    def unique(self, seen, stem):
        value, n = stem, 1
        while value in seen:
            n += 1
            value = '%s%d' % (stem, n)
        seen.add(value)
        return value

    def mobile(self):
        while True:
            value = '1%s%s' % (self.rng.choice('3456789'),
                ''.join(self.rng.choices('0123456789', k=9)))
            if value not in self.mobiles:
                self.mobiles.add(value)
                return value

    def office_phone(self):
        return '0795-%d' % self.rng.randint(3000000, 8999999)

    def street(self):
        return '%s路%d号' % (
            ''.join(self.rng.sample(names.TOWN_CHARACTERS, 2)),
            self.rng.randint(1, 300))

    def uscc(self, region, serial):
        # 1 (机构编制) + 1 (机关), the region, a 9-character organisation
        # code made unique by the serial number, and the check character
        code17 = '11%s%09d' % (region, serial)
        return code17 + uscc_check_character(code17)

    # Rows

    def tables(self):
        c = self.context
        admin, now = c['admin'], self.now
        stamp = (now, admin)
        tables = {}
        tables['egov_org_unit'] = (
            ['id', 'active', 'address', 'code', 'division', 'division_type',
                'kind', 'name', 'parent', 'path', 'phone', 'search_text',
                'sequence', 'short_name', 'unit', 'uscc', 'create_date',
                'create_uid'],
            [(n.id, True, n.address, n.code, n.division, n.division_type,
                    n.kind, n.name, n.parent.id if n.parent else None,
                    n.path, n.phone,
                    search_text(n.name, n.short_name, n.code),
                    n.sequence, n.short_name, n.unit, n.uscc, *stamp)
                for n in self.nodes])
        tables['egov_org_unit_event'] = (
            ['id', 'action', 'unit', 'create_date', 'create_uid'],
            [(self.ids['egov_org_unit_event'](), 'created', n.id, *stamp)
                for n in self.nodes])
        tables['egov_org_post'] = (
            ['id', 'active', 'name', 'unit', 'head', 'sequence',
                'create_date', 'create_uid'],
            [(i, True, name, unit, head, seq, *stamp)
                for i, name, unit, head, seq in self.posts])
        tables['res_user'] = (
            ['id', 'name', 'active', 'login', 'email', 'language', 'menu',
                'password_hash', 'notify_sms', 'notify_wechat',
                'notify_email', 'create_date', 'create_uid'],
            # notify_*: res.user's defaults (notify/user.py; notify_sms is
            # required)
            [(e['user'], e['name'], True, e['login'], e['email'],
                    c['language'], c['menu'], c['password_hash'],
                    'rule', True, False, *stamp)
                for e in self.employees])
        tables['egov_org_employee'] = (
            ['id', 'active', 'name', 'number', 'gender', 'user', 'unit',
                'department', 'title', 'mobile', 'phone', 'email', 'sequence',
                'search_text', 'create_date', 'create_uid'],
            [(e['id'], True, e['name'], e['number'], e['gender'], e['user'],
                    e['unit'], e['department'], e['title'], e['mobile'],
                    e['phone'], e['email'], e['sequence'],
                    search_text(e['name'], e['number'], person=True), *stamp)
                for e in self.employees])
        tables['egov_org_assignment'] = (
            ['id', 'employee', 'post', 'primary', 'start_date', 'end_date',
                'create_date', 'create_uid'],
            [(*a, *stamp) for a in self.assignments])
        tables['egov_org_leadership'] = (
            ['id', 'leader', 'unit', 'start_date', 'end_date', 'note',
                'create_date', 'create_uid'],
            [(*lead, *stamp) for lead in self.leaderships])
        tables['egov_org_post-res_group'] = (
            ['id', 'post', 'group', 'create_date', 'create_uid'],
            [(*pg, *stamp) for pg in self.post_groups])
        tables['egov_application_switch'] = (
            ['id', 'application', 'division', 'enabled', 'create_date',
                'create_uid'],
            list(self.switch_rows(stamp)))
        tables['egov_directory_contact'] = (
            ['id', 'owner', 'name', 'organisation', 'title', 'mobile',
                'phone', 'email', 'category', 'note', 'search_text',
                'create_date', 'create_uid'],
            [(*contact, *stamp) for contact in self.contacts])
        return tables

    def switch_rows(self, stamp):
        """Every non-core application for every county and zone, as the
        module creates them; the last zone has the optional ones off so
        that the runner meets a division with applications switched off"""
        divisions = [d for d in self.divisions if d.kind != 'city']
        for application, default_enabled in self.context['applications']:
            for division in divisions:
                enabled = default_enabled and division is not divisions[-1]
                yield (self.ids['egov_application_switch'](), application,
                    division.id, enabled, *stamp)


def largest_remainder(shares, total, minimum=0):
    """Share total out by shares (summing to 1), giving each key at least
    minimum while total allows, the rounding to the largest remainders"""
    keys = list(shares)
    if total < minimum * len(keys):
        minimum = 0
    rest = total - minimum * len(keys)
    exact = {k: shares[k] * rest for k in keys}
    result = {k: minimum + math.floor(v) for k, v in exact.items()}
    left = total - sum(result.values())
    for k in sorted(keys, key=lambda k: exact[k] - math.floor(exact[k]),
            reverse=True)[:left]:
        result[k] += 1
    return result
