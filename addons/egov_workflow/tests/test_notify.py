"""Notifications (通知) are built in one place (notify.py) and each is in the
language of the person told, whoever acts: a new to-do, a copy (抄送), an
urging (催办), an overdue reminder."""
import datetime

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.notify_tools import run_queue
from egov_base.tests.tools import acting_as

from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase


class NotifyTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    def notes(self, user):
        "The notifications of user, oldest first"
        Notification = Pool().get('res.notification')
        return Notification.search(
            [('user', '=', user.id)], order=[('id', 'ASC')])

    def labels(self, user):
        return [n.label for n in self.notes(user)]

    @with_transaction()
    def test_in_the_holders_language(self):
        "Holders who read Chinese are told in Chinese by people in English"
        pool = Pool()
        User = pool.get('res.user')
        Lang = pool.get('ir.lang')
        Task = pool.get('egov.workflow.task')
        Request = pool.get('egov.workflow.request')
        ModelData = pool.get('ir.model.data')
        zh_cn, = Lang.search([('code', '=', 'zh_CN')])
        org = workflow_org()
        User.write([org.office_head, org.leader, org.school_head],
            {'language': zh_cn.id})
        request = self.leave_request(org)

        def in_english():
            return Transaction().set_context(language='en')

        # 谢娜 works in English for once: 朱婷 is told in Chinese
        with acting_as(org.yz_clerk), in_english():
            self.assertEqual(
                gettext('egov_workflow.msg_workflow_notify_label', step='x'),
                'New to-do: x')
            task, = self.open_tasks(org.yz_clerk)
            task.decide('approve', None)
        note, = self.notes(org.office_head)
        self.assertEqual(note.label, '新待办：部门负责人审批')
        self.assertEqual(note.description, '谢娜请假')
        task, = self.open_tasks(org.office_head)
        self.assertEqual((note.model, note.records),
            ('egov.workflow.task', '[%d]' % task.id))
        self.assertEqual(note.action.id,
            ModelData.get_id('egov_workflow', 'act_inbox'))

        # So does 朱婷: the next holder and the person copied (抄送) read
        # Chinese
        with acting_as(org.office_head), in_english():
            task.decide('approve', 'Agreed', copy_to=[org.school_head.id])
        self.assertEqual(self.labels(org.leader), ['新待办：分管领导审批'])
        self.assertEqual(self.labels(org.school_head), ['抄送：部门负责人审批'])

        # The initiator urges (催办) in English
        with acting_as(org.yz_clerk), in_english():
            Request.workflow_urge([Request(request.id)])
        self.assertEqual(self.labels(org.leader)[-1], '谢娜 催办：分管领导审批')

        # The scheduler, run in English, reminds of an overdue to-do
        task, = self.open_tasks(org.leader)
        Task.write([task], {
                'deadline': datetime.datetime.now()
                - datetime.timedelta(hours=1),
                'reminded_at': None,
                })
        with in_english():
            Task.remind_overdue()
            run_queue()
        self.assertEqual(self.labels(org.leader)[-1], '已超期：分管领导审批')
        for user in [org.office_head, org.leader, org.school_head]:
            for label in self.labels(user):
                self.assertChinese(label)
