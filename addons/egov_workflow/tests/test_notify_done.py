"""A to-do the engine tells on WeChat Work is a button card (去办理); when
its holder finishes it, the card shows 已办结. Through the notification
service and the worker, against the local WeChat Work server
(tests/fakes/wechat_work.py)."""
import pathlib
import sys

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase

# The local WeChat Work lives with the server tests
ROOT = pathlib.Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.wechat_work import FakeWeChatWork  # noqa: E402


def run_queue():
    "Run the tasks queued so far, as trytond-worker does"
    Queue = Pool().get('ir.queue')
    for _ in range(10):
        tasks = Queue.search(
            [('finished_at', '=', None)], order=[('id', 'ASC')])
        if not tasks:
            return
        for task in tasks:
            task.run()


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
        Provider = pool.get('egov.notify.provider')
        Delivery = pool.get('egov.notify.delivery')
        org = workflow_org()
        User.write([org.office_head], {'wechat_userid': 'zhuting'})
        settings = self.wechat.settings()
        Provider.create([{
                    'name': '企业微信', 'kind': 'wechat_work',
                    'corp_id': settings['corp_id'],
                    'agent_id': str(settings['agent_id']),
                    'secret': settings['secret'],
                    'token': settings['token'],
                    'encoding_aes_key': settings['encoding_aes_key'],
                    'api_base_url': settings['api_base_url'],
                    'oauth_base_url': settings['oauth_base_url'],
                    'timeout': 2,
                    }])
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
