"""Sending a message by hand (发送消息): to units, posts and people the
sender may see, in the platform and WeChat, by SMS for those allowed to
(group SMS — to more than one person — for those allowed that too), within
their unit's SMS quota, optionally asking for a reply (回复1参加)."""
from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..tools import check_visible
from .exceptions import NotifyAccessError, NotifyError
from .message import URGENCIES
from .recipients import resolve
from .sms_text import count_segments

MAX_TEXT = 500
MAX_SUBJECT = 60


class ComposeStart(ModelView):
    __name__ = 'egov.notify.compose.start'
    __string__ = "Send a Message"

    units = fields.Many2Many('egov.org.unit', None, None, "Units",
        help="Everyone working in these units and their departments.")
    posts = fields.Many2Many('egov.org.post', None, None, "Posts",
        help="The people holding these posts.")
    users = fields.Many2Many('res.user', None, None, "People")
    subject = fields.Char("Subject", required=True, strip=True)
    text = fields.Text("Text", required=True)
    urgency = fields.Selection(URGENCIES, "Urgency", required=True)
    sms = fields.Boolean("Also by SMS",
        help="Send it by SMS at once, besides the platform and WeChat.")
    email = fields.Boolean("Also by E-mail")
    reply_options = fields.Text("Reply Options",
        help="One option per line, as code=meaning (1=参加). People "
        "answer with the code.")

    @classmethod
    def default_urgency(cls):
        return 'normal'


class Compose(Wizard):
    __name__ = 'egov.notify.compose'
    start = StateView('egov.notify.compose.start',
        'egov_base.notify_compose_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def transition_send(self):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        start = self.start
        text = (start.text or '').strip()
        subject = (start.subject or '').strip()
        if not text or len(text) > MAX_TEXT:
            raise NotifyError(gettext('egov_base.msg_notify_text_length',
                    length=len(text), limit=MAX_TEXT))
        if len(subject) > MAX_SUBJECT:
            raise NotifyError(gettext('egov_base.msg_notify_subject_length',
                    length=len(subject), limit=MAX_SUBJECT))
        # Only recipients the sender may see
        for name, model in [('units', 'egov.org.unit'),
                ('posts', 'egov.org.post'), ('users', 'res.user')]:
            check_visible(pool.get(model), list(getattr(start, name)))
        recipients = {
            'units': list(start.units), 'posts': list(start.posts),
            'users': list(start.users)}
        users = resolve(recipients)
        if not users:
            raise NotifyError(gettext('egov_base.msg_notify_no_recipient'))
        self.check_broadcast(len(users))
        channels = ['inapp', 'wechat']
        if start.email:
            channels.append('email')
        if start.sms:
            self.check_sms(len(users), text)
            channels.append('sms')
        options = (start.reply_options or '').strip() or None
        if options:
            self.check_options(options)
        Message.send('egov_base', 'manual', recipients,
            {'subject': subject, 'text': text},
            urgency=start.urgency, channels=channels,
            sender=Transaction().user, reply_options=options)
        return 'end'

    def check_broadcast(self, count):
        """A message to more people than [egov] notify_broadcast_limit is a
        broadcast (群发): for those given the right, not for any clerk"""
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        limit = config.getint('egov', 'notify_broadcast_limit', default=100)
        if count > limit and ModelData.get_id(
                'egov_base', 'group_notify_broadcast') not in set(
                User.get_groups()):
            raise NotifyAccessError(gettext(
                    'egov_base.msg_notify_broadcast_not_allowed',
                    count=count, limit=limit))

    def check_sms(self, count, text):
        pool = Pool()
        User = pool.get('res.user')
        Quota = pool.get('egov.notify.quota')
        Provider = pool.get('egov.notify.provider')
        ModelData = pool.get('ir.model.data')
        groups = set(User.get_groups())
        if ModelData.get_id('egov_base', 'group_notify_sms') not in groups:
            raise NotifyAccessError(gettext(
                    'egov_base.msg_notify_sms_not_allowed'))
        if count > 1 and ModelData.get_id(
                'egov_base', 'group_notify_sms_group') not in groups:
            raise NotifyAccessError(gettext(
                    'egov_base.msg_notify_group_sms_not_allowed',
                    count=count))
        provider = Provider.active_for('sms')
        sign = provider.sign_name if provider else ''
        user = User(Transaction().user)
        unit = user.employee.unit if user.employee else None
        Quota.check(unit, count * count_segments(text, sign or ''))

    def check_options(self, options):
        Template = Pool().get('egov.notify.template')
        Template(reply_options=options, name='').check_reply_options()

    def end(self):
        return 'reload'
