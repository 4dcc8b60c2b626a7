"""Assignments (任职): who holds which post, from when to when.
One person may hold several posts (一人多岗) and acts in one at a time."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If

from ..exceptions import OrgValidationError
from . import scope


class DatedMixin:
    "A relation valid from start_date to end_date, both included"
    __slots__ = ()
    start_date = fields.Date(
        "Start Date",
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date",
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    current = fields.Function(
        fields.Boolean("Current"), 'get_current', searcher='search_current')

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    def get_current(self, name):
        today = Pool().get('ir.date').today()
        return ((not self.start_date or self.start_date <= today)
            and (not self.end_date or self.end_date >= today))

    @classmethod
    def search_current(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause
        current = (operator == '=') == bool(value)
        domain = [
            ['OR', ('start_date', '=', None), ('start_date', '<=', today)],
            ['OR', ('end_date', '=', None), ('end_date', '>=', today)],
            ]
        if current:
            return domain
        return ['OR',
            ('start_date', '>', today),
            ('end_date', '<', today),
            ]

    @classmethod
    def end(cls, records, date):
        "End the records on date (their last day), keeping them as history"
        to_write = []
        for record in records:
            if record.end_date and record.end_date <= date:
                continue
            # A relation cannot end before it starts
            end = max(date, record.start_date) if record.start_date else date
            to_write.extend([[record], {'end_date': end}])
        if to_write:
            cls.write(*to_write)


class Assignment(DatedMixin, ModelSQL, ModelView):
    __name__ = 'egov.org.assignment'
    __string__ = "Assignment"
    _egov_visibility = 'parent'

    employee = fields.Many2One(
        'egov.org.employee', "Employee", required=True, ondelete='CASCADE')
    post = fields.Many2One(
        'egov.org.post', "Post", required=True, ondelete='RESTRICT')
    primary = fields.Boolean(
        "Primary",
        help="The post a person acts in unless they choose another.")
    unit = fields.Function(
        fields.Many2One('egov.org.unit', "Unit or Department"),
        'get_unit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('employee')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range())),
                Index(t, (t.post, Index.Range())),
                })
        cls._order = [
            ('primary', 'DESC'),
            ('start_date', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]

    def get_rec_name(self, name):
        return '%s: %s' % (self.employee.name, self.post.rec_name)

    def get_unit(self, name):
        return self.post.unit.id

    @classmethod
    def validate_fields(cls, assignments, field_names):
        super().validate_fields(assignments, field_names)
        cls.check_post_open(assignments, field_names)
        cls.check_unique(assignments, field_names)

    @classmethod
    def check_post_open(cls, assignments, field_names=None):
        if field_names and not {'post', 'end_date'} & set(field_names):
            return
        for assignment in assignments:
            post = assignment.post
            if assignment.current and not (post.active and post.unit.active):
                raise OrgValidationError(gettext(
                        'egov_base.msg_assignment_post_closed',
                        employee=assignment.employee.name,
                        post=post.rec_name))

    @classmethod
    def check_unique(cls, assignments, field_names=None):
        if field_names and not {
                'post', 'employee', 'primary', 'start_date', 'end_date'
                } & set(field_names):
            return
        employees = {a.employee for a in assignments if a.current}
        for employee in employees:
            current = cls.search([
                    ('employee', '=', employee.id),
                    ('current', '=', True),
                    ])
            posts = set()
            primary = None
            for assignment in current:
                if assignment.post in posts:
                    raise OrgValidationError(gettext(
                            'egov_base.msg_assignment_duplicate',
                            employee=employee.name,
                            post=assignment.post.rec_name))
                posts.add(assignment.post)
                if assignment.primary:
                    if primary:
                        raise OrgValidationError(gettext(
                                'egov_base.msg_assignment_primary_unique',
                                employee=employee.name,
                                post=assignment.post.rec_name,
                                other=primary.post.rec_name))
                    primary = assignment

    @classmethod
    def create(cls, vlist):
        scope.check_create(cls, vlist)
        cls.check_role_grants(vlist)
        return super().create(vlist)

    @classmethod
    def check_role_grants(cls, vlist):
        "The roles the new relations give: security/roles.py checks them"

    @classmethod
    def check_modification(cls, mode, assignments, values=None,
            external=False):
        super().check_modification(
            mode, assignments, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            before = [{'employee': a.employee.id, 'post': a.post.id}
                for a in assignments]
            # Both the relation as it is and as it becomes
            cls.check_scope(before, own=mode == 'delete')
            if mode == 'write':
                cls.check_scope([{**b, **values} for b in before])

    @classmethod
    def check_scope(cls, rows, own=False):
        """Refuse a person or a post outside the organisation of the
        administrator, or an assignment of himself (but to end one: own)"""
        division = scope.administered_division()
        for row in rows:
            scope.check([
                    ('egov.org.employee', row.get('employee')),
                    ('egov.org.post', row.get('post')),
                    ], division)
            if not own:
                scope.check_not_self(employee_ids=[row.get('employee')],
                    record=scope.rec_name('egov.org.post', row.get('post')))

    @classmethod
    def on_modification(cls, mode, assignments, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        super().on_modification(mode, assignments, field_names=field_names)
        User.clear_org_caches()
