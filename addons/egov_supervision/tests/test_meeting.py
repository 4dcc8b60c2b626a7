"""会议决定事项 under supervision: the decision becomes a task of its lead
unit, assigned by the meeting's unit; closed, the decision is done."""
import datetime

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..meeting import supervise_decisions
from .tools import EgovTestCase, acting_as, supervision_org


class MeetingSupervisionTestCase(EgovTestCase):
    modules = ['egov_supervision', 'egov_meeting', 'egov_document']

    @with_transaction()
    def test_decision_to_task(self):
        pool = Pool()
        Meeting = pool.get('egov.meeting.meeting')
        Decision = pool.get('egov.meeting.decision')
        Task = pool.get('egov.supervision.task')
        Date = pool.get('ir.date')
        org = supervision_org()
        start = datetime.datetime.now() + datetime.timedelta(days=1)
        meeting, = Meeting.create([{'name': '市政府办公会',
                    'unit': org.city_office.id,
                    'start': start,
                    'end': start + datetime.timedelta(hours=2)}])
        deadline = Date.today() + datetime.timedelta(days=20)
        decision, vague = Decision.create([{'meeting': meeting.id,
                    'text': '樟树市负责完成城区停车场建设方案。',
                    'unit': org.zhangshu.id, 'deadline': deadline,
                    }, {'meeting': meeting.id, 'text': '研究其他事项。'}])
        with acting_as(org.city_clerk):
            with self.assertRaises(UserError) as cm:
                supervise_decisions([vague])
            self.assertIn('主办单位和办理时限', cm.exception.message)
            task, = supervise_decisions([decision])
        task = Task(task.id)
        self.assertEqual((task.source, task.origin, task.assigning_unit,
                task.lead_unit, task.deadline, task.state),
            ('meeting', decision, org.city_office, org.zhangshu, deadline,
                'assigned'))
        with acting_as(org.zs_clerk):
            Task.accept([task])
            Task.request_completion([task])
        with acting_as(org.city_clerk):
            Task.close([task])
        self.assertEqual(Decision(decision.id).state, 'done')
