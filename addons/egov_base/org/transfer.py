"""Transfers (调动): a person moves to another unit. Their posts in the old
unit end (and stay as history), their records stay with the old unit, and
their pending work goes to a named successor."""
import datetime

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, check_access

from ..exceptions import OrgError
from . import scope


class Transfer(Workflow, ModelSQL, ModelView):
    __name__ = 'egov.org.transfer'
    __string__ = "Transfer"
    _egov_visibility = 'admin'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    employee = fields.Many2One(
        'egov.org.employee', "Employee", required=True, ondelete='RESTRICT',
        states=_states)
    date = fields.Date("Date", required=True, states=_states)
    from_unit = fields.Many2One(
        'egov.org.unit', "From Unit", readonly=True, ondelete='RESTRICT')
    from_department = fields.Many2One(
        'egov.org.unit', "From Department", readonly=True,
        ondelete='RESTRICT')
    to_unit = fields.Many2One(
        'egov.org.unit', "To Unit", required=True, ondelete='RESTRICT',
        domain=[('kind', '=', 'unit')], states=_states)
    to_department = fields.Many2One(
        'egov.org.unit', "To Department", ondelete='RESTRICT',
        domain=[
            ('kind', '=', 'department'),
            If(Eval('to_unit'),
                ('unit', '=', Eval('to_unit', -1)),
                ()),
            ],
        states=_states)
    to_post = fields.Many2One(
        'egov.org.post', "New Post", ondelete='RESTRICT',
        domain=[
            If(Eval('to_department'),
                ('unit', '=', Eval('to_department', -1)),
                ('unit', '=', Eval('to_unit', -1))),
            ],
        states=_states,
        help="The post the person takes in the new unit.")
    successor = fields.Many2One(
        'egov.org.employee', "Successor", ondelete='RESTRICT',
        domain=[('id', '!=', Eval('employee', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="Who takes over the pending work of the person.")
    pending_work = fields.Function(
        fields.Integer("Pending Work",
            help="Items of work the person still has to do."),
        'get_pending_work')
    reason = fields.Text("Reason", states=_states)
    ended_posts = fields.Text("Ended Posts", readonly=True)
    handed_over = fields.Text("Handed Over", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    done_by = fields.Many2One('res.user', "Done By", readonly=True)
    done_at = fields.Timestamp("Done At", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('employee')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'draft'),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return '%s: %s → %s' % (
            self.employee.name,
            self.from_unit.name if self.from_unit else '',
            self.to_unit.name)

    @fields.depends('employee', 'from_unit', 'from_department')
    def on_change_employee(self):
        if self.employee:
            self.from_unit = self.employee.unit
            self.from_department = self.employee.department

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('employee'):
            employee = Employee(values['employee'])
            values.setdefault('from_unit', employee.unit.id)
            values.setdefault('from_department',
                employee.department.id if employee.department else None)
        return values

    @classmethod
    def handover_handlers(cls):
        """Return the functions that hand pending work over.

        Each is called as handler(transfer, count_only) and returns the
        number of items; modules that give people work (the to-dos of the
        workflow engine) extend this list."""
        return []

    def get_pending_work(self, name):
        if self.state != 'draft':
            return 0
        return sum(handler(self, True) for handler in self.handover_handlers())

    @classmethod
    def create(cls, vlist):
        scope.check_create(cls, vlist)
        return super().create(vlist)

    @classmethod
    def check_scope(cls, rows, own=False):
        """Refuse a transfer whose person, new unit, department or post, or
        successor is outside the organisation of the administrator; and
        nobody transfers himself (but to delete it: own)"""
        division = scope.administered_division()
        for row in rows:
            scope.check([
                    ('egov.org.employee', row.get('employee')),
                    ('egov.org.unit', row.get('to_unit')),
                    ('egov.org.unit', row.get('to_department')),
                    ('egov.org.post', row.get('to_post')),
                    ('egov.org.employee', row.get('successor')),
                    ], division)
            if not own:
                scope.check_not_self(employee_ids=[row.get('employee')],
                    record=scope.rec_name(
                        'egov.org.employee', row.get('employee')))

    @classmethod
    def check_modification(cls, mode, transfers, values=None, external=False):
        super().check_modification(
            mode, transfers, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            names = ['employee', 'to_unit', 'to_department', 'to_post',
                'successor']
            before = [{n: getattr(t, n).id if getattr(t, n) else None
                    for n in names} for t in transfers]
            cls.check_scope(before, own=mode == 'delete')
            if mode == 'write':
                cls.check_scope([{**b, **{n: values[n] for n in names
                                if n in values}} for b in before])
        if mode == 'delete':
            for transfer in transfers:
                if transfer.state == 'done':
                    raise OrgError(gettext(
                            'egov_base.msg_transfer_delete_done',
                            transfer=transfer.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, transfers):
        pass

    @classmethod
    @ModelView.button
    def do(cls, transfers):
        # Buttons run without access checks: the administrator must be
        # allowed to change both the person and the new unit's posts.
        with check_access():
            cls._do(transfers)

    @classmethod
    @Workflow.transition('done')
    def _do(cls, transfers):
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        Leadership = pool.get('egov.org.leadership')
        User = pool.get('res.user')
        for transfer in transfers:
            employee = transfer.employee
            transfer.check_transfer()
            last_day = transfer.date - datetime.timedelta(days=1)
            ended = [a for a in employee.assignments
                if a.current and a.post.unit.unit == transfer.from_unit]
            Assignment.end(ended, last_day)
            Leadership.end(
                [l for l in employee.leaderships if l.current], last_day)
            handed = []
            for handler in cls.handover_handlers():
                count = handler(transfer, False)
                if count:
                    handed.append(count)
            Employee.write([employee], {
                    'unit': transfer.to_unit.id,
                    'department': (transfer.to_department.id
                        if transfer.to_department else None),
                    })
            if transfer.to_post:
                still_primary = any(a.primary for a in employee.assignments
                    if a.current and a not in ended)
                Assignment.create([{
                            'employee': employee.id,
                            'post': transfer.to_post.id,
                            'primary': not still_primary,
                            'start_date': transfer.date,
                            }])
            if employee.user:
                User.write([employee.user], {
                        'post': (transfer.to_post.id
                            if transfer.to_post else None)})
            transfer.ended_posts = '\n'.join(
                a.post.rec_name for a in ended) or None
            transfer.handed_over = gettext(
                'egov_base.msg_transfer_handed_over',
                count=sum(handed),
                successor=transfer.successor.name) if handed else None
            transfer.done_by = Transaction().user
            transfer.done_at = datetime.datetime.now()
        cls.save(transfers)

    def check_transfer(self):
        if self.to_unit == self.employee.unit and (
                self.to_department == self.employee.department):
            raise OrgError(gettext(
                    'egov_base.msg_transfer_same_unit',
                    employee=self.employee.name, unit=self.to_unit.name))
        for unit in filter(None, [self.to_unit, self.to_department]):
            if not unit.active:
                raise OrgError(gettext(
                        'egov_base.msg_transfer_unit_closed',
                        employee=self.employee.name, unit=unit.rec_name))
        if self.pending_work and not self.successor:
            raise OrgError(gettext(
                    'egov_base.msg_transfer_successor_required',
                    employee=self.employee.name, count=self.pending_work))
        if self.successor and not self.successor.active:
            raise OrgError(gettext(
                    'egov_base.msg_transfer_successor_inactive',
                    successor=self.successor.name))
