"""Import of employees from Excel: check every row, then write all of them
or nothing. New logins are created without a password; the administrator
sets or sends one."""
import re

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice

from ..tools import IN_MAX
from .codes import CODE_PATTERN, MOBILE_PATTERN, PHONE_PATTERN
from .columns import employee_columns, split_list
from .import_units import selection_labels, writable_domain

LOGIN_PATTERN = re.compile(r'^[a-z0-9][a-z0-9_.@-]{1,63}$')
UPDATED_FIELDS = [
    'name', 'gender', 'unit', 'department', 'title', 'mobile', 'phone',
    'email', 'sequence']


class EmployeeImporter:
    columns = staticmethod(employee_columns)
    # The city has about 51,000 civil servants
    max_rows = 60000

    def __init__(self, table):
        self.table = table
        self.units = {}
        self.existing = {}
        self.users = {}

    def add(self, message, row, column=None):
        self.table.add(message, row, column)

    def check(self):
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        Unit = pool.get('egov.org.unit')
        User = pool.get('res.user')
        titles = {c.name: c.title for c in employee_columns()}
        genders = selection_labels(Employee, 'gender')
        rows = self.table.rows

        numbers, logins = {}, {}
        for row in rows:
            number = row.get('number')
            if number:
                if not CODE_PATTERN.match(number):
                    self.add(gettext('egov_base.msg_import_number_invalid',
                            value=number), row['_row'], titles['number'])
                if number in numbers:
                    self.add(gettext(
                            'egov_base.msg_import_duplicate_in_file',
                            value=number, other=numbers[number]),
                        row['_row'], titles['number'])
                numbers[number] = row['_row']
            login = row.get('login')
            if login:
                row['login'] = login = login.lower()
                if not LOGIN_PATTERN.match(login):
                    self.add(gettext('egov_base.msg_import_login_invalid',
                            value=login), row['_row'], titles['login'])
                if login in logins:
                    self.add(gettext(
                            'egov_base.msg_import_duplicate_in_file',
                            value=login, other=logins[login]),
                        row['_row'], titles['login'])
                logins[login] = row['_row']
            if row.get('gender'):
                gender = genders.get(row['gender'])
                if gender is None:
                    self.add(gettext('egov_base.msg_import_gender_invalid',
                            value=row['gender']), row['_row'],
                        titles['gender'])
                row['gender'] = gender

        codes = {r[k] for r in rows for k in ('unit', 'department')
            if r.get(k)}
        for sub_codes in grouped_slice(list(codes), IN_MAX):
            for unit in Unit.search([
                        ('code', 'in', list(sub_codes)),
                        ('active', 'in', [True, False]),
                        ]):
                self.units[unit.code] = unit
        # People are imported into units the user administers, that is
        # units the user may write.
        self.writable_units = set()
        for sub_codes in grouped_slice(list(self.units), IN_MAX):
            self.writable_units.update(u.code for u in Unit.search([
                        ('code', 'in', list(sub_codes)),
                        ('active', 'in', [True, False]),
                        writable_domain(Unit),
                        ]))
        for sub_numbers in grouped_slice(list(numbers), IN_MAX):
            for employee in Employee.search([
                        ('number', 'in', list(sub_numbers)),
                        ('active', 'in', [True, False]),
                        ]):
                self.existing[employee.number] = employee
        writable = set()
        for sub_numbers in grouped_slice(list(self.existing), IN_MAX):
            writable.update(e.number for e in Employee.search([
                        ('number', 'in', list(sub_numbers)),
                        ('active', 'in', [True, False]),
                        writable_domain(Employee),
                        ]))
        for sub_logins in grouped_slice(list(logins), IN_MAX):
            for user in User.search([
                        ('login', 'in', list(sub_logins)),
                        ('active', 'in', [True, False]),
                        ]):
                self.users[user.login] = user
        linked = {}
        users = [u.id for u in self.users.values()]
        for sub_ids in grouped_slice(users, IN_MAX):
            for employee in Employee.search([
                        ('user', 'in', list(sub_ids)),
                        ('active', 'in', [True, False]),
                        ]):
                linked[employee.user.login] = employee.number

        for row in rows:
            number = row['_row']
            if row.get('number') in self.existing and (
                    row['number'] not in writable):
                self.add(gettext('egov_base.msg_import_employee_not_yours',
                        value=row['number']), number, titles['number'])
            self._check_units(row, titles)
            login = row.get('login')
            if login and login in linked and linked[login] != row.get(
                    'number'):
                self.add(gettext('egov_base.msg_import_login_taken',
                        value=login, other=linked[login]),
                    number, titles['login'])
            if row.get('mobile') and not MOBILE_PATTERN.match(row['mobile']):
                self.add(gettext('egov_base.msg_import_mobile_invalid',
                        value=row['mobile']), number, titles['mobile'])
            if row.get('phone') and not PHONE_PATTERN.match(row['phone']):
                self.add(gettext('egov_base.msg_import_phone_invalid',
                        value=row['phone']), number, titles['phone'])
            if row.get('email') and '@' not in row['email']:
                self.add(gettext('egov_base.msg_import_email_invalid',
                        value=row['email']), number, titles['email'])
        self._check_writable_units(rows, titles)

    def _check_units(self, row, titles):
        number = row['_row']
        unit = self.units.get(row.get('unit'))
        if row.get('unit') and unit is None:
            self.add(gettext('egov_base.msg_import_unit_unknown',
                    code=row['unit']), number, titles['unit'])
        elif unit and unit.kind != 'unit':
            self.add(gettext('egov_base.msg_import_unit_not_unit',
                    code=row['unit']), number, titles['unit'])
        elif unit and not unit.active:
            self.add(gettext('egov_base.msg_import_unit_closed',
                    code=row['unit']), number, titles['unit'])
        department = self.units.get(row.get('department'))
        if row.get('department') and department is None:
            self.add(gettext('egov_base.msg_import_unit_unknown',
                    code=row['department']), number, titles['department'])
        elif department and (department.kind != 'department'
                or department.unit != unit):
            self.add(gettext('egov_base.msg_import_department_not_in_unit',
                    code=row['department'], unit=row.get('unit')),
                number, titles['department'])
        elif department and not department.active:
            self.add(gettext('egov_base.msg_import_unit_closed',
                    code=row['department']), number, titles['department'])

    def _check_writable_units(self, rows, titles):
        for row in rows:
            code = row.get('unit')
            if code in self.units and code not in self.writable_units:
                self.add(gettext('egov_base.msg_import_unit_not_yours',
                        code=code), row['_row'], titles['unit'])

    def apply(self):
        "Write the checked rows; return (created, updated)"
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        User = pool.get('res.user')
        Lang = pool.get('ir.lang')
        zh_cn = Lang.search([('code', '=', 'zh_CN')], limit=1)

        new_users = [{
                'login': r['login'],
                'name': r['name'],
                'language': zh_cn[0].id if zh_cn else None,
                } for r in self.table.rows
            if r.get('login') and r['login'] not in self.users]
        for user in User.create(new_users):
            self.users[user.login] = user

        to_create, to_write = [], []
        for row in self.table.rows:
            values = {
                'name': row['name'],
                'gender': row.get('gender'),
                'unit': self.units[row['unit']].id,
                'department': (self.units[row['department']].id
                    if row.get('department') else None),
                'title': row.get('title'),
                'mobile': row.get('mobile'),
                'phone': row.get('phone'),
                'email': row.get('email'),
                'sequence': row.get('sequence'),
                }
            user = self.users.get(row.get('login'))
            employee = self.existing.get(row['number'])
            if employee is None:
                values['number'] = row['number']
                values['user'] = user.id if user else None
                if values['sequence'] is None:
                    values['sequence'] = 100
                to_create.append(values)
                continue
            changes = {k: v for k, v in values.items()
                if v is not None and _value(getattr(employee, k)) != v}
            if user and employee.user != user:
                changes['user'] = user.id
            if changes:
                to_write.extend([[employee], changes])
        if to_write:
            Employee.write(*to_write)
        employees = dict(self.existing)
        employees.update((e.number, e) for e in Employee.create(to_create))
        self._assign_posts(employees)
        return len(to_create), len(to_write) // 2

    def _assign_posts(self, employees):
        "Give each person the posts named in the file, creating missing ones"
        pool = Pool()
        Post = pool.get('egov.org.post')
        Assignment = pool.get('egov.org.assignment')
        to_assign = []
        for row in self.table.rows:
            names = split_list(row.get('posts'))
            if not names:
                continue
            employee = employees[row['number']]
            node = self.units[row.get('department') or row['unit']]
            held = {a.post.id for a in employee.assignments if a.current}
            has_primary = any(
                a.primary for a in employee.assignments if a.current)
            for name in names:
                posts = Post.search([
                        ('unit', '=', node.id), ('name', '=', name)],
                    limit=1)
                if posts:
                    post, = posts
                else:
                    post, = Post.create([{'unit': node.id, 'name': name}])
                if post.id in held:
                    continue
                held.add(post.id)
                to_assign.append({
                        'employee': employee.id,
                        'post': post.id,
                        'primary': not has_primary,
                        })
                has_primary = True
        if to_assign:
            Assignment.create(to_assign)

    def rows_of(self, employees):
        "Return the export rows of employees"
        Employee = Pool().get('egov.org.employee')
        genders = dict(Employee.fields_get(['gender'])['gender']['selection'])
        rows = []
        for e in employees:
            posts = [a.post for a in e.assignments if a.current]
            rows.append({
                    'number': e.number,
                    'name': e.name,
                    'gender': genders.get(e.gender) if e.gender else None,
                    'unit': e.unit.code,
                    'department': e.department.code if e.department else None,
                    'title': e.title,
                    'posts': '、'.join(p.name for p in posts) or None,
                    'mobile': e.mobile,
                    'phone': e.phone,
                    'email': e.email,
                    'login': e.user.login if e.user else None,
                    'sequence': e.sequence,
                    })
        return rows


def _value(value):
    return value.id if hasattr(value, 'id') else value

