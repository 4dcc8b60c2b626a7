"""延期申请: the lead unit asks the unit that assigned the task for a later
deadline; that unit approves or refuses (one decision of one known unit:
explicit transitions)."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, check_access, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.tools import check_read_access

from .acting import check_acting, trusted
from .exceptions import SupervisionError

# The states in which a task may still be given more time
EXTENDABLE = ('assigned', 'accepted', 'in_progress', 'returned')


class Extension(Workflow, ModelSQL, ModelView):
    __name__ = 'egov.supervision.extension'
    __string__ = "Supervision Extension Request"
    _egov_visibility = 'parent'

    task = fields.Many2One('egov.supervision.task', "Task", required=True,
        ondelete='CASCADE', states={'readonly': Eval('id', -1) >= 0})
    unit = fields.Function(fields.Many2One('egov.org.unit', "Lead Unit"),
        'get_unit')
    old_deadline = fields.Date("Current Deadline", readonly=True)
    new_deadline = fields.Date("New Deadline", required=True,
        states={'readonly': Eval('state') != 'requested'})
    reason = fields.Text("Reason", required=True, strip=True,
        states={'readonly': Eval('state') != 'requested'})
    requested_by = fields.Many2One('res.user', "Requested By",
        readonly=True, ondelete='RESTRICT')
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True,
        ondelete='RESTRICT')
    decided_date = fields.Date("Decided On", readonly=True)
    decision_note = fields.Text("Decision Note",
        states={'readonly': Eval('state') != 'requested'})
    state = fields.Selection([
            ('requested', "Requested"),
            ('approved', "Approved"),
            ('refused', "Refused"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('task')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.task, Index.Range())),
                Index(t, (t.state, Index.Equality())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('requested', 'approved'),
            ('requested', 'refused'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-ok',
                    },
                'refuse': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-cancel',
                    },
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def default_task(cls):
        context = Transaction().context
        if context.get('active_model') == 'egov.supervision.task':
            return context.get('active_id')

    def get_unit(self, name):
        return self.task.lead_unit.id

    @classmethod
    def preprocess_values(cls, mode, values):
        Task = Pool().get('egov.supervision.task')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values['requested_by'] = Transaction().user or None
            values['state'] = 'requested'
            if values.get('task'):
                values['old_deadline'] = Task(values['task']).deadline
        return values

    @classmethod
    def check_modification(cls, mode, extensions, values=None,
            external=False):
        super().check_modification(
            mode, extensions, values=values, external=external)
        if mode == 'create':
            for extension in extensions:
                extension.check_request(external)
        elif external and not trusted():
            for extension in extensions:
                if extension.state != 'requested' or mode == 'delete':
                    raise SupervisionError(gettext(
                            'egov_supervision.msg_extension_frozen'))
                check_acting(extension.task.lead_unit, extension.task)

    def check_request(self, external):
        task = self.task
        if task.state == 'closed':
            raise SupervisionError(gettext(
                    'egov_supervision.msg_extension_task_closed',
                    task=task.rec_name))
        if task.state not in EXTENDABLE:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_extension_task_state',
                    task=task.rec_name))
        if self.new_deadline <= task.deadline:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_extension_not_later',
                    deadline=task.deadline, new_deadline=self.new_deadline))
        if task.parent and self.new_deadline > task.parent.deadline:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_extension_after_parent',
                    parent_deadline=task.parent.deadline,
                    unit=task.parent.lead_unit.rec_name))
        if self.search([('task', '=', task.id), ('state', '=', 'requested'),
                    ('id', '!=', self.id)], limit=1):
            raise SupervisionError(gettext(
                    'egov_supervision.msg_extension_pending',
                    task=task.rec_name))
        if external:
            check_acting(task.lead_unit, task)

    @classmethod
    def on_modification(cls, mode, extensions, field_names=None):
        pool = Pool()
        Reminder = pool.get('egov.supervision.reminder')
        super().on_modification(mode, extensions, field_names=field_names)
        if mode == 'create':
            Reminder.announce([e.task for e in extensions],
                'extension_requested', to_assigner=True)

    @classmethod
    def _decide(cls, extensions):
        check_read_access(cls, extensions)
        for extension in extensions:
            task = extension.task
            check_acting(task.assigning_unit, task,
                'egov_supervision.msg_not_checker')
            if task.state not in EXTENDABLE:
                raise SupervisionError(gettext(
                        'egov_supervision.msg_extension_task_closed'
                        if task.state == 'closed'
                        else 'egov_supervision.msg_extension_task_state',
                        task=task.rec_name))
        cls.write(extensions, {
                'decided_by': Transaction().user or None,
                'decided_date': Pool().get('ir.date').today(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, extensions):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Reminder = pool.get('egov.supervision.reminder')
        cls._decide(extensions)
        with without_check_access():
            for extension in extensions:
                task = extension.task
                Task.write([task], {
                        'deadline': extension.new_deadline,
                        'extension_count': (task.extension_count or 0) + 1,
                        })
        Reminder.announce([e.task for e in extensions], 'extension_approved')

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, extensions):
        Reminder = Pool().get('egov.supervision.reminder')
        cls._decide(extensions)
        Reminder.announce([e.task for e in extensions], 'extension_refused')


class ExtendStart(ModelView):
    __name__ = 'egov.supervision.task.extend.start'
    __string__ = "Request Extension"

    deadline = fields.Date("Current Deadline", readonly=True)
    new_deadline = fields.Date("New Deadline", required=True)
    reason = fields.Text("Reason", required=True, strip=True)


class Extend(Wizard):
    __name__ = 'egov.supervision.task.extend'
    start = StateView('egov.supervision.task.extend.start',
        'egov_supervision.task_extend_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Request", 'request', 'tryton-ok', default=True),
            ])
    request = StateTransition()

    def default_start(self, fields):
        return {'deadline': self.record.deadline}

    def transition_request(self):
        Extension = Pool().get('egov.supervision.extension')
        with check_access():
            Extension.create([{
                        'task': self.record.id,
                        'new_deadline': self.start.new_deadline,
                        'reason': self.start.reason,
                        }])
        return 'end'
