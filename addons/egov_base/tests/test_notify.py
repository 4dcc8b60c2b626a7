"""The notification service (egov_base/notify): one API for every module,
routing that saves SMS, delivery through the local providers' real
protocols (tests/fakes), retries that never lose nor repeat a message,
quotas, permissions and replies."""
import datetime

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .notify_tools import aliyun_provider, run_queue, wechat_provider
from .tools import EgovTestCase, acting_as, create_org

from tests.fakes.aliyun_sms import FakeAliyunSMS
from tests.fakes.smtp import FakeSMTP
from tests.fakes.wechat_work import FakeWeChatWork

VALUES = {'subject': '关于召开防汛工作会议的通知', 'text': '请于明日9时到三楼会议室参会。'}


class NotifyTestCase(EgovTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeAliyunSMS(templates={
                'SMS_MANUAL': '${subject}：${text}'})
        cls.fake.start()
        cls.wechat = FakeWeChatWork()
        cls.wechat.start()
        cls.smtp = FakeSMTP().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.wechat.stop()
        cls.smtp.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.fake.up()
        self.fake.reset()
        self.wechat.reset()
        self.smtp.reset()

    def setup_org(self, sms=True):
        pool = Pool()
        User = pool.get('res.user')
        Template = pool.get('egov.notify.template')
        org = create_org()
        User.write([org.yz_clerk], {
                'mobile': '13800138001', 'wechat_userid': 'xiena'})
        User.write([org.yz_admin], {'mobile': '+86 138-0013-8002'})
        User.write([org.zs_clerk], {'mobile': '13800138003'})
        template = Template.get('egov_base', 'manual')
        template.sms_template_code = 'SMS_MANUAL'
        template.sms_normal = 'unread'
        template.sms_critical = 'now'
        template.save()
        if sms:
            aliyun_provider(self.fake)
            wechat_provider(self.wechat)
        return org

    def deliveries(self, message, **domain):
        Delivery = Pool().get('egov.notify.delivery')
        return Delivery.search([('message', '=', message.id)]
            + [(k, '=', v) for k, v in domain.items()],
            order=[('id', 'ASC')])

    @with_transaction()
    def test_one_api_to_units_rings_their_bell(self):
        "A unit's staff, departments included, each once, nobody else"
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Notification = pool.get('res.notification')
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'units': [org.yz_edu], 'users': [org.yz_clerk]}, VALUES)
        self.assertEqual(message.state, 'queued')
        run_queue()
        message = Message(message.id)
        self.assertEqual(message.state, 'sent')
        inapp = self.deliveries(message, channel='inapp')
        self.assertEqual({d.user for d in inapp},
            {org.yz_admin, org.yz_clerk})
        notes = Notification.search([('user', '=', org.yz_clerk.id)])
        self.assertEqual([n.label for n in notes], [VALUES['subject']])
        self.assertFalse(Notification.search([('user', '=', org.zs_clerk.id)]))
        # A second run of the task changes nothing (idempotent)
        Message.hand_out([message])
        self.assertEqual(len(self.deliveries(message, channel='inapp')), 2)

    @with_transaction()
    def test_bad_values_refused_before_queueing(self):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        org = self.setup_org()
        for values in [{'subject': '缺正文'}, dict(VALUES, text=['x']),
                dict(VALUES, text='长' * 3000)]:
            with self.subTest(values=str(values)[:20]):
                with self.assertRaises(UserError) as cm:
                    Message.send('egov_base', 'manual',
                        {'users': [org.yz_clerk]}, values)
                self.assertChinese(cm.exception.message)
        for args in [('egov_base', 'no_such_event', {'users': [org.yz_clerk]}),
                ('egov_base', 'manual', {'users': []})]:
            with self.assertRaises(UserError) as cm:
                Message.send(*args, VALUES)
            self.assertChinese(cm.exception.message)
        self.assertFalse(Message.search([]))

    @with_transaction()
    def test_routing_saves_sms(self):
        """Normal: platform and WeChat at once, SMS only if unread later;
        very urgent: SMS at once; a person may stop SMS reminders"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        User = pool.get('res.user')
        org = self.setup_org()
        normal = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk, org.yz_admin]}, VALUES)
        channels = {(d.user.id, d.channel): d.state
            for d in self.deliveries(normal)}
        self.assertEqual(channels[org.yz_clerk.id, 'sms'], 'waiting')
        self.assertIn((org.yz_clerk.id, 'wechat'), channels)
        # No WeChat account, no WeChat delivery
        self.assertNotIn((org.yz_admin.id, 'wechat'), channels)
        critical = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, urgency='critical')
        sms, = self.deliveries(critical, channel='sms')
        self.assertEqual(sms.state, 'queued')
        # (as the RPC call does: the user writes their own preferences)
        with Transaction().set_user(org.yz_clerk.id):
            User.set_preferences({'notify_sms': 'urgent'})
        again = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES)
        self.assertFalse(self.deliveries(again, channel='sms'))

    @with_transaction()
    def test_sms_through_aliyun_protocol(self):
        """The worker sends by the real SDK to the local Aliyun service:
        signed, one group call, provider's id, segments and cost kept"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk, org.yz_admin]}, VALUES,
            urgency='critical')
        run_queue()
        sms = self.deliveries(message, channel='sms')
        self.assertEqual([d.state for d in sms], ['sent', 'sent'])
        self.assertTrue(all(d.provider_ref for d in sms))
        self.assertEqual({d.address for d in sms},
            {'13800138001', '13800138002'})
        self.assertEqual(len(self.fake.records), 2)
        self.assertFalse(self.fake.duplicates())
        self.assertTrue(all(d.segments >= 1 and d.cost > 0 for d in sms))
        # The one with a WeChat Work account has it there too, as a card
        # whose link marks it read
        wechat, = self.deliveries(message, channel='wechat')
        self.assertEqual(wechat.state, 'sent')
        received = self.wechat.received('xiena')
        self.assertEqual(len(received), 1)

    @with_transaction()
    def test_provider_down_retried_then_failed_visibly(self):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        Configuration = pool.get('egov.notify.configuration')
        Notification = pool.get('res.notification')
        org = self.setup_org()
        Configuration.write([Configuration(1)], {'max_attempts': 2})
        self.fake.down('503')
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, urgency='critical',
            sender=org.yz_admin)
        run_queue()
        sms, = self.deliveries(message, channel='sms')
        self.assertEqual(sms.state, 'queued')
        self.assertEqual(sms.attempts, 1)
        self.assertGreater(sms.next_attempt, datetime.datetime.now())
        self.assertTrue(sms.error)
        # Due again, still down: failed, and the sender is told
        Delivery.write([sms], {'next_attempt': datetime.datetime(2000, 1, 1)})
        Delivery.transmit([sms])
        sms = Delivery(sms.id)
        self.assertEqual(sms.state, 'failed')
        # What the platform says, then the provider's own words
        self.assertTrue(sms.error.startswith('多次重试后服务商仍未接收。'),
            msg=sms.error)
        told = Notification.search([
                ('user', '=', org.yz_admin.id),
                ('model', '=', 'egov.notify.message')])
        self.assertEqual(len(told), 1)
        self.assertChinese(told[0].label)
        self.assertEqual(Message(message.id).failed_count, 1)

    @with_transaction()
    def test_lost_answer_not_sent_twice(self):
        """The provider took the SMS but its answer was lost: the retry
        asks it first (by OutId) instead of sending again"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        org = self.setup_org()
        self.fake.fail_after_accept(1)
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, urgency='critical')
        run_queue()
        sms, = self.deliveries(message, channel='sms')
        self.assertEqual(sms.state, 'queued')
        self.assertEqual(len(self.fake.records), 1)
        Delivery.write([sms], {'next_attempt': datetime.datetime(2000, 1, 1)})
        Delivery.transmit([sms])
        self.assertEqual(Delivery(sms.id).state, 'sent')
        self.assertEqual(len(self.fake.records), 1)

    @with_transaction()
    def test_dead_worker_claim_recovered(self):
        "A claim a killed worker left is resolved without a second send"
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, urgency='critical')
        run_queue()
        sms, = self.deliveries(message, channel='sms')
        self.assertEqual(sms.state, 'sent')
        # As if the worker died after the call, before its record
        Delivery.write([sms], {'state': 'sending',
                'sending_since': datetime.datetime(2000, 1, 1)})
        Delivery.process_due()
        self.assertEqual(Delivery(sms.id).state, 'sent')
        self.assertEqual(len(self.fake.records), 1)

    @with_transaction()
    def test_read_in_platform_saves_the_sms(self):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        Notification = pool.get('res.notification')
        Report = pool.get('egov.notify.sms.report')
        org = self.setup_org()
        read = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES)
        unread = Message.send('egov_base', 'manual',
            {'users': [org.yz_admin]}, VALUES)
        note, = Notification.search([('user', '=', org.yz_clerk.id)])
        # (as sao's RPC call does)
        with Transaction().set_user(org.yz_clerk.id):
            Notification.mark_read([Notification(note.id)])
        self.assertEqual(
            self.deliveries(read, channel='inapp')[0].state, 'read')
        self.assertEqual(
            self.deliveries(read, channel='sms')[0].state, 'cancelled')
        # The other one's reminder is due: sent
        waiting, = self.deliveries(unread, channel='sms')
        Delivery.write([waiting],
            {'next_attempt': datetime.datetime(2000, 1, 1)})
        Delivery.process_due()
        run_queue()
        self.assertEqual(Delivery(waiting.id).state, 'sent')
        rows = Report.search([('unit', '=', org.yz_edu.id)])
        self.assertEqual(
            (sum(r.sent for r in rows), sum(r.avoided for r in rows)), (1, 1))
        self.assertGreater(sum(r.saved for r in rows), 0)

    @with_transaction()
    def test_sms_rights_and_quota(self):
        pool = Pool()
        Compose = pool.get('egov.notify.compose', type='wizard')
        Quota = pool.get('egov.notify.quota')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = self.setup_org()

        def compose(user, recipients, sms=True, text=VALUES['text']):
            with acting_as(user):
                session_id, _, _ = Compose.create()
                wizard = Compose(session_id)
                wizard.start.subject = VALUES['subject']
                wizard.start.text = text
                wizard.start.urgency = 'normal'
                wizard.start.sms = sms
                wizard.start.email = False
                wizard.start.units = []
                wizard.start.posts = []
                wizard.start.users = recipients
                wizard.start.reply_options = None
                return wizard.transition_send()

        with self.assertRaises(AccessError) as cm:
            compose(org.yz_admin, [org.yz_clerk])
        self.assertChinese(cm.exception.message)
        sms_group = ModelData.get_id('egov_base', 'group_notify_sms')
        User.write([org.yz_admin], {'groups': [('add', [sms_group])]})
        with self.assertRaises(AccessError) as cm:
            compose(org.yz_admin, [org.yz_clerk, org.city_clerk])
        self.assertIn('群发', cm.exception.message)
        Quota.create([{'unit': org.yz_edu.id, 'monthly': 0}])
        with self.assertRaises(UserError) as cm:
            compose(org.yz_admin, [org.yz_clerk])
        self.assertIn('额度', cm.exception.message)
        for text in ['', '长' * 501]:
            with self.assertRaises(UserError):
                compose(org.yz_admin, [org.yz_clerk], sms=False, text=text)
        self.assertEqual(compose(org.yz_admin, [org.yz_clerk], sms=False),
            'end')

        # Beyond [egov] notify_broadcast_limit people, a message is a
        # broadcast (群发): not for any clerk (here: more than one)
        from .test_security import configured
        with configured('egov', 'notify_broadcast_limit', '1'):
            with self.assertRaises(AccessError) as cm:
                compose(org.yz_clerk, [org.yz_admin, org.city_clerk],
                    sms=False)
            self.assertEqual(cm.exception.message,
                '本条消息将发给 2 人：超过 1 人即为群发。'
                '请向消息管理员申请“消息群发”权限，或减少接收人。')
            User.write([org.yz_clerk], {'groups': [('add', [
                                ModelData.get_id('egov_base',
                                    'group_notify_broadcast')])]})
            self.assertEqual(compose(
                    org.yz_clerk, [org.yz_admin, org.city_clerk], sms=False),
                'end')

    @with_transaction()
    def test_each_reads_only_their_own(self):
        "Two units: the sender and recipients read it, nobody else"
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, sender=org.yz_admin)
        with acting_as(org.zs_clerk):
            self.assertFalse(Message.search([]))
            self.assertFalse(Delivery.search([]))
            self.assertEqual(Delivery.search_count(
                    [('message.subject', 'ilike', '%防汛%')]), 0)
        with acting_as(org.yz_clerk):
            self.assertEqual(
                {d.channel for d in Delivery.search([])},
                {'inapp', 'wechat', 'sms'})
            self.assertFalse(Message.search([]))
        with acting_as(org.yz_admin):
            self.assertEqual(Message.search([]), [message])

    @with_transaction()
    def test_replies_matched_and_counted(self):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Reply = pool.get('egov.notify.reply')
        ReplyReport = pool.get('egov.notify.reply.report')
        from egov_base.notify.provider import Reply as Incoming
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk, org.yz_admin]}, VALUES,
            sender=org.city_admin, reply_options='1=参加\n2=不参加')
        replies = Reply.receive('sms', [
                Incoming(address='+8613800138001', text='1 我参加',
                    provider_id='up-1'),
                Incoming(address='13800138001', text='1',
                    provider_id='up-1'),
                Incoming(address='13800138002', text='好的',
                    provider_id='up-2'),
                Incoming(address='13999999999', text='1',
                    provider_id='up-3'),
                ])
        self.assertEqual([r.state for r in replies],
            ['matched', 'unknown_option', 'unknown_sender'])
        self.assertEqual((replies[0].meaning, replies[0].message),
            ('参加', message))
        self.assertEqual(
            self.deliveries(message, channel='inapp', user=org.yz_clerk)[0]
            .state, 'read')
        self.assertEqual(Message(message.id).reply_count, 2)
        report, = ReplyReport.search([])
        self.assertEqual((report.asked, report.replied), (2, 2))

    @with_transaction()
    def test_email_through_smtp(self):
        """E-mail for who asked for it: the delivery's key is the
        Message-ID; a refused address fails, a busy server is retried"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Provider = pool.get('egov.notify.provider')
        User = pool.get('res.user')
        org = self.setup_org()
        Provider.create([{'name': '邮件', 'kind': 'smtp',
                    'url': self.smtp.url, 'from_address': 'oa@yichun.gov.cn'}])
        User.write([org.yz_clerk], {'email': 'xiena@yichun.gov.cn'})
        User.write([org.yz_admin], {'email': 'luoqiang@yichun.gov.cn'})
        self.smtp.refused.add('luoqiang@yichun.gov.cn')
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk, org.yz_admin]}, VALUES,
            channels=['inapp', 'email'])
        run_queue()
        states = {d.user: d.state
            for d in self.deliveries(message, channel='email')}
        self.assertEqual(states, {org.yz_clerk: 'sent', org.yz_admin: 'failed'})
        (_, to, mail), = self.smtp.messages
        self.assertEqual(to, ['xiena@yichun.gov.cn'])
        self.assertEqual(mail['Subject'], VALUES['subject'])
        sent, = self.deliveries(message, channel='email', user=org.yz_clerk)
        self.assertEqual(mail['Message-ID'].strip(), sent.provider_ref)
        self.assertIn('/egov/notify/open/', mail.get_payload(decode=True)
            .decode())
        self.smtp.mode = 'busy'
        busy = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES, channels=['email'])
        run_queue()
        self.assertEqual(
            self.deliveries(busy, channel='email')[0].state, 'queued')

    @with_transaction()
    def test_opening_the_link_marks_read(self):
        "The signed link of a WeChat card or e-mail marks the message read"
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        from egov_base.notify.tracking import check_token, token
        org = self.setup_org()
        message = Message.send('egov_base', 'manual',
            {'users': [org.yz_clerk]}, VALUES)
        wechat, = self.deliveries(message, channel='wechat')
        self.assertEqual(check_token(token(wechat.id)), wechat.id)
        self.assertIsNone(check_token('%d-forged' % wechat.id))
        self.assertIsNone(check_token('x'))
        Delivery.mark_read([wechat])
        self.assertEqual(
            self.deliveries(message, channel='sms')[0].state, 'cancelled')
