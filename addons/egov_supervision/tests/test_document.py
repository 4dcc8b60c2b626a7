"""文件督办: a 发文 under supervision, one task per 主送 unit; the end of
its process closes the tasks."""
import datetime

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_document.tests.tools import DocumentHelpers, numbering_rule

from ..document import supervise
from .tools import (
    SupervisionTestCase, acting_as, instruction_task, supervision_org)


class DocumentSupervisionTestCase(DocumentHelpers, SupervisionTestCase):

    @with_transaction()
    def test_outgoing_done_closes_tasks(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Task = pool.get('egov.supervision.task')
        Date = pool.get('ir.date')
        org = supervision_org()
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org)
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        deadline = Date.today() + datetime.timedelta(days=10)
        with acting_as(org.yz_clerk):
            Supervise = pool.get(
                'egov.supervision.document.supervise', type='wizard')
            session_id, _, _ = Supervise.create()
            with Transaction().set_context(
                    active_model=Outgoing.__name__,
                    active_id=document.id, active_ids=[document.id]):
                wizard = Supervise(session_id)
                start = wizard.default_start(None)
            self.assertEqual([l['unit'] for l in start['lines']],
                [org.zs_finance.id])
            task, = supervise(Outgoing(document.id), [
                    {'unit': org.zs_finance.id, 'deadline': deadline}])
            with self.assertRaises(UserError) as cm:
                supervise(Outgoing(document.id), [
                        {'unit': org.zs_finance.id, 'deadline': deadline}])
            self.assertIn('已在督办中', cm.exception.message)
        task = Task(task.id)
        self.assertEqual((task.state, task.source, task.origin,
                task.assigning_unit, task.lead_unit),
            ('assigned', 'document', Outgoing(document.id), org.yz_edu,
                org.zs_finance))
        # 樟树市财政局's officer sees it; the other county's does not
        with acting_as(org.zs_clerk):
            self.assertEqual(Task.search([]), [task])
            Task.accept([task])
        with acting_as(org.city_clerk):
            self.assertIn(task, Task.search([]))
        # The task is no way into the 发文 it came from: its origin is
        # searched within what the person may read, and no person sets it
        any_title = ('origin.title', 'ilike', '%', Outgoing.__name__)
        with acting_as(org.zs_clerk):
            self.assertEqual(Outgoing.search([('id', '=', document.id)]), [])
            self.assertEqual(Task.search_count([any_title]), 0)
            # Its owner is one of the lead unit's people, not anyone's
            with self.assertRaises(UserError) as cm:
                Task.write([task], {'owner': org.yz_clerk.id})
            self.assertIn('督办任务的承办人须为牵头单位的人员',
                cm.exception.message)
            with self.assertRaises(UserError) as cm:
                Task.write([task], {'origin': str(document)})
            self.assertEqual(cm.exception.message,
                '督办任务的来源在公文或会议决定“立项督办”时由平台填写，'
                '不能直接填写或修改。')
        with acting_as(org.yz_clerk):
            self.assertEqual(Task.search_count([any_title]), 1)
        with self.assertRaises(UserError) as cm:
            instruction_task(org, origin=str(document))
        self.assertIn('来源', cm.exception.message)

        self.act(org.office_head, document, text='同意。')
        self.act(org.bureau_head, document, text='同意印发。')
        for _ in range(3):
            self.act(org.yz_clerk, document)
        self.assertEqual(Outgoing(document.id).workflow_state, 'done')
        task = Task(task.id)
        self.assertEqual((task.state, task.light), ('closed', 'done'))
        feedback, = task.feedbacks
        self.assertTrue(feedback.automatic)
        self.assertIn('办理完毕', feedback.text)
        with acting_as(org.yz_clerk), self.assertRaises(UserError) as cm:
            supervise(Outgoing(document.id), [
                    {'unit': org.zs_finance.id, 'deadline': deadline}])
        self.assertIn('流程已结束', cm.exception.message)
