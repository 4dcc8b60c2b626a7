"""A to-do the engine tells on WeChat Work is a button card (去办理); when
its holder finishes it, the card shows 已办结. Through the notification
service and the worker, against the local WeChat Work server
(tests/fakes/wechat_work.py)."""
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.notify_tools import run_queue, wechat_provider

from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase

from tests.fakes.wechat_work import FakeWeChatWork


class NotifyDoneTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wechat = FakeWeChatWork().start()

    @classmethod
    def tearDownClass(cls):
        cls.wechat.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.wechat.reset()

    @with_transaction()
    def test_finished_todo_card_shows_done(self):
        pool = Pool()
        User = pool.get('res.user')
        Delivery = pool.get('egov.notify.delivery')
        org = workflow_org()
        User.write([org.office_head], {'wechat_userid': 'zhuting'})
        wechat_provider(self.wechat)
        self.leave_request(org)
        # 谢娜 submits: 朱婷, the head of the office, has a to-do
        self.act(org.yz_clerk)
        run_queue()
        task, = self.open_tasks(org.office_head)
        delivery, = Delivery.search([
                ('user', '=', org.office_head.id),
                ('channel', '=', 'wechat'),
                ])
        self.assertEqual(delivery.state, 'sent')
        (_, _, msgtype, card), = self.wechat.received('zhuting')
        self.assertEqual(msgtype, 'template_card')
        self.assertEqual(card['task_id'], delivery.key)
        self.assertEqual(card['button_list'][0]['text'], '去办理')
        self.assertEqual(self.wechat.button(delivery.key, 'zhuting'), '去办理')

        # She approves: her card shows 已办结, once
        self.act(org.office_head)
        run_queue()
        self.assertEqual(self.wechat.button(delivery.key, 'zhuting'), '已办结')
        self.assertTrue(Delivery(delivery.id).done_shown)
        self.assertEqual([u['userids'] for u in self.wechat.updates],
            [['zhuting']])
        # The next holder (no WeChat Work account) changes nothing there
        self.act(org.leader)
        run_queue()
        self.assertEqual(len(self.wechat.updates), 1)
