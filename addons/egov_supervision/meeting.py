"""会议决定事项 under supervision: each decision chosen becomes a task of
its lead unit, assigned by the unit that held the meeting; the task closed,
the decision is done."""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.transaction import without_check_access
from trytond.wizard import StateAction, Wizard

from egov_base.tools import check_read_access

from .acting import check_acting
from .exceptions import SupervisionError


class Task(metaclass=PoolMeta):
    __name__ = 'egov.supervision.task'

    @classmethod
    def on_modification(cls, mode, tasks, field_names=None):
        super().on_modification(mode, tasks, field_names=field_names)
        if mode == 'write' and 'state' in (field_names or ()):
            Decision = Pool().get('egov.meeting.decision')
            decisions = [t.origin for t in tasks
                if t.state == 'closed' and isinstance(t.origin, Decision)]
            if decisions:
                with without_check_access():
                    Decision.write(decisions, {'state': 'done'})


def supervise_decisions(decisions):
    pool = Pool()
    Task = pool.get('egov.supervision.task')
    Date = pool.get('ir.date')
    check_read_access(pool.get('egov.meeting.decision'), decisions)
    today = Date.today()
    values = []
    for decision in decisions:
        meeting = decision.meeting
        if not decision.unit or not decision.deadline:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_decision_incomplete',
                    decision=decision.rec_name[:60]))
        if Task.search([('origin', '=', str(decision))], limit=1):
            raise SupervisionError(gettext(
                    'egov_supervision.msg_decision_supervised',
                    decision=decision.rec_name[:60]))
        check_acting(meeting.unit, Task(title=meeting.rec_name))
        values.append({
                'title': decision.text.strip().splitlines()[0][:100],
                'source': 'meeting',
                'origin': str(decision),
                'content': decision.text,
                'assigning_unit': meeting.unit.id,
                'lead_unit': decision.unit.id,
                'start': min(today, decision.deadline),
                'deadline': decision.deadline,
                })
    with without_check_access():
        tasks = Task.create(values)
        Task.assign(tasks)
    return tasks


class SuperviseDecision(Wizard):
    __name__ = 'egov.supervision.meeting.supervise'
    start_state = 'supervise'
    supervise = StateAction('egov_supervision.act_task_form')

    def do_supervise(self, action):
        tasks = supervise_decisions(list(self.records))
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [t.id for t in tasks])])
        return action, {}
