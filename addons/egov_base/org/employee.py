"""Employees (人员): the civil servants, each linked to a login."""
import datetime

from sql.conditionals import Coalesce
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice

from ..exceptions import OrgValidationError
from ..tools import IN_MAX
from . import scope
from .codes import CODE_PATTERN, MOBILE_PATTERN, PHONE_PATTERN, search_text


class Employee(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.org.employee'
    __string__ = "Employee"
    _egov_visibility = 'city'
    # Masked in the audit (audit/policy.py)
    _egov_personal_fields = frozenset({'mobile', 'gender'})
    _egov_search = {
        'title': 'name',
        'body': ['number', 'title', 'unit', 'department'],
        'unit': 'unit',
        'person': True,
        }

    name = fields.Char("Name", required=True, strip=True)
    number = fields.Char(
        "Number", required=True, strip=True,
        help="The employee number (人员编号), unique in the city.")
    gender = fields.Selection([
            (None, ""),
            ('male', "Male"),
            ('female', "Female"),
            ], "Gender")
    user = fields.Many2One(
        'res.user', "User", ondelete='RESTRICT',
        help="The login of this person.")
    unit = fields.Many2One(
        'egov.org.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=[('kind', '=', 'unit')],
        help="The unit that employs the person.")
    department = fields.Many2One(
        'egov.org.unit', "Department", ondelete='RESTRICT',
        domain=[
            ('kind', '=', 'department'),
            If(Eval('unit'),
                ('unit', '=', Eval('unit', -1)),
                ()),
            ])
    division = fields.Function(
        fields.Many2One('egov.org.unit', "Division"),
        'get_division', searcher='search_division')
    title = fields.Char(
        "Title", strip=True, help="The job title shown in the address book.")
    mobile = fields.Char("Mobile", strip=True)
    phone = fields.Char("Office Phone", strip=True)
    email = fields.Char("Email", strip=True)
    sequence = fields.Integer("Sequence")
    assignments = fields.One2Many(
        'egov.org.assignment', 'employee', "Posts")
    leaderships = fields.One2Many(
        'egov.org.leadership', 'leader', "Units in Charge")
    posts = fields.Function(fields.Char("Current Posts"), 'get_posts')
    search_text = fields.Char("Search Text", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.number),
                'egov_base.msg_employee_number_unique'),
            ('user_unique', Unique(t, t.user),
                'egov_base.msg_employee_user_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Range())),
                Index(t, (t.department, Index.Range())),
                # Tryton searches COALESCE(search_text, ''): index just that
                Index(t, (Coalesce(t.search_text, ''), Index.Similarity())),
                })
        cls._order = [
            ('sequence', 'ASC NULLS LAST'),
            ('name', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_sequence(cls):
        return 100

    def get_rec_name(self, name):
        return '%s (%s)' % (self.name, self.unit.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.endswith('like') and isinstance(operand, str):
            # search_text holds name, number and their pinyin
            # search_text is lower case already: LIKE, cheaper than ILIKE
            return [('search_text', operator.replace('ilike', 'like'),
                    operand.lower(), *extra)]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('number', operator, operand, *extra),
            ]

    def get_division(self, name):
        return self.unit.division.id if self.unit.division else None

    @classmethod
    def search_division(cls, name, clause):
        nested = clause[0][len(name):]
        return [('unit.division' + nested, *clause[1:])]

    @classmethod
    def get_posts(cls, employees, name):
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        posts = {e.id: [] for e in employees}
        for sub_ids in grouped_slice([e.id for e in employees], IN_MAX):
            for assignment in Assignment.search([
                        ('employee', 'in', list(sub_ids)),
                        ('current', '=', True),
                        ], order=[('primary', 'DESC'), ('id', 'ASC')]):
                posts[assignment.employee.id].append(
                    assignment.post.rec_name)
        return {k: '; '.join(v) for k, v in posts.items()}

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names)
        if field_names is None or {'name', 'number'} & set(field_names):
            text = search_text(self.name, self.number, person=True)
            if self.search_text != text:
                values['search_text'] = text
        return values

    @classmethod
    def validate_fields(cls, employees, field_names):
        super().validate_fields(employees, field_names)
        cls.check_number(employees, field_names)
        cls.check_contact(employees, field_names)
        cls.check_unit(employees, field_names)

    @classmethod
    def check_number(cls, employees, field_names=None):
        # Uniqueness is the SQL constraint's; here only the format
        if field_names and 'number' not in field_names:
            return
        for employee in employees:
            if not CODE_PATTERN.match(employee.number or ''):
                raise OrgValidationError(gettext(
                        'egov_base.msg_employee_number_invalid',
                        number=employee.number, employee=employee.name))

    @classmethod
    def check_contact(cls, employees, field_names=None):
        def checked(name):
            return not field_names or name in field_names
        for employee in employees:
            if (checked('mobile') and employee.mobile
                    and not MOBILE_PATTERN.match(employee.mobile)):
                raise OrgValidationError(gettext(
                        'egov_base.msg_mobile_invalid',
                        mobile=employee.mobile, record=employee.name))
            if (checked('phone') and employee.phone
                    and not PHONE_PATTERN.match(employee.phone)):
                raise OrgValidationError(gettext(
                        'egov_base.msg_phone_invalid',
                        phone=employee.phone, record=employee.name))
            if (checked('email') and employee.email
                    and '@' not in employee.email):
                raise OrgValidationError(gettext(
                        'egov_base.msg_email_invalid',
                        email=employee.email, record=employee.name))

    @classmethod
    def check_unit(cls, employees, field_names=None):
        if field_names and not {'unit', 'department', 'active'} & set(
                field_names):
            return
        for employee in employees:
            if not employee.active:
                continue
            for unit in filter(None, [employee.unit, employee.department]):
                if not unit.active:
                    raise OrgValidationError(gettext(
                            'egov_base.msg_employee_unit_closed',
                            employee=employee.name, unit=unit.rec_name))
            if (employee.department
                    and employee.department.unit != employee.unit):
                raise OrgValidationError(gettext(
                        'egov_base.msg_employee_department_unit',
                        employee=employee.name,
                        department=employee.department.rec_name,
                        unit=employee.unit.name))

    @classmethod
    def create(cls, vlist):
        if scope.external():
            Pool().get('ir.model.access').check(cls.__name__, 'create')
            cls.check_login_scope([v.get('user') for v in vlist])
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, employees, values=None,
            external=False):
        super().check_modification(
            mode, employees, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            # The record rules see the person's unit; a person is the
            # administrator's only if every post they hold is his too
            division = scope.administered_division()
            scope.check([('egov.org.employee', e.id) for e in employees],
                division)
            if mode == 'write' and values.get('user'):
                cls.check_login_scope([values['user']])

    @classmethod
    def check_login_scope(cls, user_ids):
        """Refuse to link a person to a login outside the organisation of
        the administrator, or to a built-in login"""
        pool = Pool()
        User = pool.get('res.user')
        from ..security.roles import Roles
        user_ids = [u for u in user_ids if u is not None]
        exempt = set(Roles.get()['exempt']) | {0}
        for user_id in user_ids:
            if user_id in exempt:
                raise scope.ScopeError(gettext(
                        'egov_base.msg_scope_builtin_user',
                        user=scope.rec_name('res.user', user_id)))
        scope.check([('res.user', u) for u in user_ids])

    @classmethod
    def on_modification(cls, mode, employees, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        Assignment = pool.get('egov.org.assignment')
        super().on_modification(mode, employees, field_names=field_names)
        if mode == 'write' and 'active' in (field_names or []):
            departed = [e for e in employees if not e.active]
            if departed:
                # A person who leaves keeps their history but no longer
                # holds posts nor logs in.
                Assignment.end([a for e in departed for a in e.assignments
                        if a.current],
                    datetime.date.today() - datetime.timedelta(days=1))
                users = [e.user for e in departed if e.user]
                if users:
                    User.write(users, {'active': False})
        # A person's scope depends on their login, unit and being active
        if (mode == 'delete'
                or (mode == 'create' and any(e.user for e in employees))
                or (mode == 'write' and (field_names is None or {
                            'user', 'active', 'unit', 'department'} & set(
                            field_names)))):
            User.clear_org_caches()

    @classmethod
    def copy(cls, employees, default=None):
        default = default.copy() if default else {}
        default.setdefault('user', None)
        default.setdefault('assignments', None)
        default.setdefault('leaderships', None)
        return super().copy(employees, default=default)
