"""文件督办: a 收文 or 发文 put under supervision, one task per handling
unit with its own deadline; the end of the document's process (办理 done)
closes the tasks, a process stopped otherwise is reported on them."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.transaction import without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from egov_base.tools import check_read_access

from .acting import check_acting
from .exceptions import SupervisionError


class SupervisedMixin:
    __slots__ = ()

    def workflow_changed(self, instance):
        super().workflow_changed(instance)
        if instance.state in {'done', 'rejected', 'terminated'}:
            supervised_ended(self, instance.state)


def supervised_ended(document, state):
    pool = Pool()
    Task = pool.get('egov.supervision.task')
    Feedback = pool.get('egov.supervision.feedback')
    with without_check_access():
        tasks = Task.search([('origin', '=', str(document))])
        if not tasks:
            return
        if state == 'done':
            Task.close_automatically(tasks, gettext(
                    'egov_supervision.msg_document_done',
                    document=document.rec_name))
        else:
            Feedback.create([{
                        'task': t.id, 'unit': t.lead_unit.id,
                        'automatic': True,
                        'text': gettext(
                            'egov_supervision.msg_document_stopped',
                            document=document.rec_name),
                        } for t in tasks if t.state != 'closed'])


class Incoming(SupervisedMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'

    def supervision_units(self):
        "The handling departments, else the receiving unit"
        return list(self.handlers) or [self.unit]


class Outgoing(SupervisedMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'

    def supervision_units(self):
        return list(self.main_recipients) or [self.unit]


class SuperviseStart(ModelView):
    __name__ = 'egov.supervision.document.supervise.start'
    __string__ = "Supervise Document"

    document = fields.Reference("Document", selection=[
            ('egov.document.incoming', "Incoming Document"),
            ('egov.document.outgoing', "Outgoing Document"),
            ], readonly=True)
    leader = fields.Many2One('res.user', "Leader in Charge")
    rhythm = fields.Selection('get_rhythms', "Feedback Rhythm",
        required=True)
    lines = fields.One2Many('egov.supervision.document.supervise.line',
        None, "Handling Units", required=True)

    @classmethod
    def get_rhythms(cls):
        Task = Pool().get('egov.supervision.task')
        return Task.fields_get(['rhythm'])['rhythm']['selection']


class SuperviseLine(ModelView):
    __name__ = 'egov.supervision.document.supervise.line'
    __string__ = "Supervise Document Line"

    unit = fields.Many2One('egov.org.unit', "Unit", required=True)
    deadline = fields.Date("Deadline", required=True)
    owner = fields.Many2One('res.user', "Owner")


class Supervise(Wizard):
    __name__ = 'egov.supervision.document.supervise'
    start = StateView('egov.supervision.document.supervise.start',
        'egov_supervision.document_supervise_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Supervise", 'supervise', 'tryton-ok', default=True),
            ])
    supervise = StateAction('egov_supervision.act_task_form')

    def default_start(self, fields):
        document = self.record
        deadline = document.deadline
        return {
            'document': str(document),
            'rhythm': 'weekly',
            'lines': [{'unit': u.id, 'deadline': deadline}
                for u in document.supervision_units()],
            }

    def do_supervise(self, action):
        tasks = supervise(self.record, [{
                    'unit': line.unit.id, 'deadline': line.deadline,
                    'owner': line.owner.id if line.owner else None,
                    } for line in self.start.lines],
            leader=self.start.leader, rhythm=self.start.rhythm)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [t.id for t in tasks])])
        return action, {}


def supervise(document, lines, leader=None, rhythm='weekly'):
    """Put document under supervision: one task per line ({unit,
    deadline, owner}), assigned by the document's unit"""
    pool = Pool()
    Task = pool.get('egov.supervision.task')
    Date = pool.get('ir.date')
    check_read_access(document.__class__, [document])
    if document.workflow_state in {'done', 'rejected', 'terminated'}:
        raise SupervisionError(gettext(
                'egov_supervision.msg_document_ended',
                document=document.rec_name))
    if not lines:
        raise SupervisionError(gettext(
                'egov_supervision.msg_task_split_empty'))
    today = Date.today()
    for line in lines:
        if line['deadline'] < today:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_document_deadline_past',
                    deadline=line['deadline']))
    if Task.search([('origin', '=', str(document)),
                ('state', '!=', 'closed')], limit=1):
        raise SupervisionError(gettext(
                'egov_supervision.msg_document_supervised',
                document=document.rec_name))
    task = Task(assigning_unit=document.unit, title=document.title)
    check_acting(document.unit, task)
    with without_check_access():
        tasks = Task.create([{
                    'title': document.title,
                    'source': 'document',
                    'origin': str(document),
                    'content': gettext(
                        'egov_supervision.msg_document_task_content',
                        document=document.rec_name),
                    'assigning_unit': document.unit.id,
                    'lead_unit': line['unit'],
                    'owner': line.get('owner'),
                    'leader': leader.id if leader else None,
                    'rhythm': rhythm,
                    'start': today,
                    'deadline': line['deadline'],
                    } for line in lines])
        Task.assign(tasks)
    return tasks
