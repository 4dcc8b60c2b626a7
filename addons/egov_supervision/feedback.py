"""反馈: what a lead or co-unit reports on a task, with an attachment that
passes the platform's upload checks before it is stored."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, check_access, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.upload.attachment import UploadGuardMixin

from .acting import acting_units, check_acting, trusted
from .exceptions import SupervisionError
from .task import WORKING


class Feedback(UploadGuardMixin, ModelSQL, ModelView):
    __name__ = 'egov.supervision.feedback'
    __string__ = "Supervision Feedback"
    _egov_visibility = 'parent'
    # None: the kinds the platform's upload policy allows
    _upload_fields = {'attachment': None}

    task = fields.Many2One('egov.supervision.task', "Task", required=True,
        ondelete='CASCADE')
    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='RESTRICT', help="The unit that reports.")
    user = fields.Many2One('res.user', "Reported By", readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", readonly=True)
    progress = fields.Integer("Progress (%)",
        domain=['OR', ('progress', '=', None),
            [('progress', '>=', 0), ('progress', '<=', 100)]])
    text = fields.Text("Progress Report", required=True, strip=True)
    attachment = fields.Binary("Attachment", filename='attachment_name')
    attachment_name = fields.Char("Attachment Name", strip=True)
    automatic = fields.Boolean("Automatic", readonly=True,
        help="Written by the platform (a document's process ended).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('task')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.task, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_user(cls):
        return Transaction().user or None

    @classmethod
    def default_task(cls):
        active = Transaction().context.get('active_id')
        if Transaction().context.get('active_model') == (
                'egov.supervision.task') and active:
            return active

    @classmethod
    def default_unit(cls):
        Task = Pool().get('egov.supervision.task')
        task_id = cls.default_task()
        if task_id:
            task = Task(task_id)
            mine = acting_units()
            for unit in [task.lead_unit] + list(task.co_units):
                if unit.id in mine:
                    return unit.id

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # Who and when are the platform's to say
            values['user'] = Transaction().user or None
            values['date'] = Pool().get('ir.date').today()
        return values

    @classmethod
    def check_modification(cls, mode, feedbacks, values=None,
            external=False):
        super().check_modification(
            mode, feedbacks, values=values, external=external)
        if mode == 'create':
            for feedback in feedbacks:
                feedback.check_task(external)
        elif external and not trusted():
            # Feedback is a record of what was said: kept as it was
            raise SupervisionError(gettext(
                    'egov_supervision.msg_feedback_frozen'))

    def check_task(self, external):
        task = self.task
        if task.state == 'closed':
            raise SupervisionError(gettext(
                    'egov_supervision.msg_feedback_task_closed',
                    task=task.rec_name))
        if task.state not in WORKING and not self.automatic:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_feedback_task_state',
                    task=task.rec_name))
        units = [task.lead_unit] + list(task.co_units)
        if self.unit not in units:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_feedback_unit_not_on_task',
                    unit=self.unit.rec_name, task=task.rec_name))
        if external:
            if self.automatic:
                raise SupervisionError(gettext(
                        'egov_supervision.msg_feedback_frozen'))
            check_acting(self.unit, task,
                'egov_supervision.msg_feedback_not_acting')

    @classmethod
    def on_modification(cls, mode, feedbacks, field_names=None):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        super().on_modification(mode, feedbacks, field_names=field_names)
        if mode != 'create':
            return
        with without_check_access():
            tasks = {f.task for f in feedbacks}
            for task in tasks:
                last = max(f.date for f in feedbacks if f.task == task)
                if not task.last_feedback or task.last_feedback < last:
                    Task.write([task], {'last_feedback': last})
            Task.start_progress([t for t in tasks
                    if t.state in {'accepted', 'returned'}])


class FeedbackStart(ModelView):
    __name__ = 'egov.supervision.task.feedback.start'
    __string__ = "Give Feedback"

    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        domain=[('id', 'in', Eval('units', []))])
    units = fields.Many2Many('egov.org.unit', None, None, "Units",
        readonly=True)
    progress = fields.Integer("Progress (%)",
        domain=['OR', ('progress', '=', None),
            [('progress', '>=', 0), ('progress', '<=', 100)]])
    text = fields.Text("Progress Report", required=True, strip=True)
    attachment = fields.Binary("Attachment", filename='attachment_name')
    attachment_name = fields.Char("Attachment Name")


class GiveFeedback(Wizard):
    __name__ = 'egov.supervision.task.feedback'
    start = StateView('egov.supervision.task.feedback.start',
        'egov_supervision.task_feedback_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def default_start(self, fields):
        task = self.record
        mine = acting_units()
        units = [u.id for u in [task.lead_unit] + list(task.co_units)
            if trusted() or u.id in mine]
        return {'units': units, 'unit': units[0] if units else None}

    def transition_send(self):
        Feedback = Pool().get('egov.supervision.feedback')
        # Created as over RPC: the access rights and the checks apply
        with check_access():
            Feedback.create([{
                        'task': self.record.id,
                        'unit': self.start.unit.id,
                        'progress': self.start.progress,
                        'text': self.start.text,
                        'attachment': self.start.attachment,
                        'attachment_name': self.start.attachment_name,
                        }])
        return 'end'
