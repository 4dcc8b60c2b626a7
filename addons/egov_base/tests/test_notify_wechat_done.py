"""A to-do told on WeChat Work is a button card, and when the to-do is done
the card shows 已办结: through the notification service, the worker and the
local WeChat Work server (tests/fakes/wechat_work.py) that wechatpy talks
to as to WeChat."""
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .notify_tools import run_queue, wechat_provider
from .tools import EgovTestCase, create_org

from tests.fakes.wechat_work import FakeWeChatWork

VALUES = {'subject': '新待办：部门负责人审批', 'text': '谢娜请假，请审批。'}
PAGE = 'https://oa.yichun.gov.cn/egov/workflow/sign/12'


class NotifyWeChatDoneTestCase(EgovTestCase):

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

    def setup_org(self):
        "The organisation, 谢娜 on WeChat Work, the local WeChat Work"
        pool = Pool()
        User = pool.get('res.user')
        org = create_org()
        User.write([org.yz_clerk], {'wechat_userid': 'xiena'})
        wechat_provider(self.wechat)
        return org

    def wechat_delivery(self, message):
        Delivery = Pool().get('egov.notify.delivery')
        delivery, = Delivery.search([
                ('message', '=', message.id), ('channel', '=', 'wechat')])
        return delivery

    @with_transaction()
    def test_todo_card_shown_done(self):
        """The to-do arrives as a card with 去办理; done, its button reads
        已办结 for the person, once"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, actionable=True, url=PAGE)
        run_queue()
        delivery = self.wechat_delivery(message)
        self.assertEqual(delivery.state, 'sent')
        self.assertFalse(delivery.done_shown)
        self.assertIn('response_code', delivery.provider_data)
        (_, _, msgtype, card), = self.wechat.received('xiena')
        self.assertEqual(msgtype, 'template_card')
        self.assertEqual(card['card_type'], 'button_interaction')
        self.assertEqual(card['task_id'], delivery.key)
        self.assertEqual(card['main_title']['title'], VALUES['subject'])
        self.assertEqual(card['sub_title_text'], VALUES['text'])
        # The card opens the platform's link (marks it read, then the page)
        self.assertIn('/egov/notify/open/%d-' % delivery.id,
            card['card_action']['url'])
        self.assertEqual(self.wechat.button(delivery.key, 'xiena'), '去办理')

        Delivery.show_done([delivery])
        # Nothing changes before the worker runs
        self.assertEqual(self.wechat.button(delivery.key, 'xiena'), '去办理')
        run_queue()
        delivery = Delivery(delivery.id)
        self.assertTrue(delivery.done_shown)
        self.assertEqual(self.wechat.button(delivery.key, 'xiena'), '已办结')
        self.assertEqual([u['userids'] for u in self.wechat.updates],
            [['xiena']])

        # Told again (another holder finished it too): no second call
        Delivery.show_done([delivery])
        run_queue()
        self.assertEqual(len(self.wechat.updates), 1)

    @with_transaction()
    def test_notice_is_no_card(self):
        "A message that is no to-do stays a text card; nothing to update"
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES)
        run_queue()
        delivery = self.wechat_delivery(message)
        self.assertEqual(delivery.state, 'sent')
        self.assertFalse(delivery.provider_data)
        (_, _, msgtype, _), = self.wechat.received('xiena')
        self.assertEqual(msgtype, 'textcard')
        Delivery.show_done([delivery])
        run_queue()
        self.assertFalse(Delivery(delivery.id).done_shown)
        self.assertFalse(self.wechat.calls[
                '/cgi-bin/message/update_template_card'])

    @with_transaction()
    def test_update_refused_leaves_it_unmarked(self):
        """WeChat refuses the update (the code expired): the delivery is not
        marked, the card is left as it is, nothing raises"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, actionable=True, url=PAGE)
        run_queue()
        delivery = self.wechat_delivery(message)
        self.wechat.expire_response_codes()
        Delivery.show_done([delivery])
        run_queue()
        self.assertFalse(Delivery(delivery.id).done_shown)
        self.assertEqual(self.wechat.button(delivery.key, 'xiena'), '去办理')
        self.assertFalse(self.wechat.updates)

