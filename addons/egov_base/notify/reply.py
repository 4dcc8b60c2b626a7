"""Replies (短信回复): what people answer by SMS or WeChat, matched to the
person by their number or account, to the message they answer (the latest
one asking for a reply that reached them) and to its record, whose model
may act on it (a meeting registers 回复1参加)."""
import datetime
import logging
import re
import unicodedata

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import without_check_access

from .sms_text import InvalidMobile, normalize_mobile

logger = logging.getLogger(__name__)
# A reply answers a message received in the last days only
MATCH_DAYS = 7
OPTION = re.compile(r'^\s*([0-9A-Za-z]{1,4})\b')


class Reply(ModelSQL, ModelView):
    __name__ = 'egov.notify.reply'
    __string__ = "Reply"
    _egov_visibility = 'owner'
    _rec_name = 'text'

    channel = fields.Selection([
            ('sms', "SMS"),
            ('wechat', "WeChat Work"),
            ], "Channel", required=True, readonly=True)
    address = fields.Char("From", readonly=True)
    text = fields.Char("Text", readonly=True)
    received_at = fields.Timestamp("Received at", readonly=True)
    provider_ref = fields.Char("Provider's ID", readonly=True)
    user = fields.Many2One('res.user', "Person", readonly=True,
        ondelete='SET NULL')
    message = fields.Many2One('egov.notify.message', "Answers",
        readonly=True, ondelete='SET NULL')
    option = fields.Char("Option", readonly=True)
    meaning = fields.Char("Meaning", readonly=True)
    state = fields.Selection([
            ('matched', "Matched"),
            ('unknown_sender', "Unknown Sender"),
            ('no_message', "Answers No Message"),
            ('unknown_option', "Unknown Option"),
            ], "State", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('received_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def receive(cls, channel, replies):
        """Store replies (provider.Reply) of channel, each once, and tell
        the records they answer; answer the new egov.notify.reply"""
        created, seen = [], set()
        with without_check_access():
            for reply in replies:
                if reply.provider_id and (reply.provider_id in seen
                        or cls.search([
                                ('channel', '=', channel),
                                ('provider_ref', '=', reply.provider_id),
                                ], limit=1)):
                    continue
                seen.add(reply.provider_id)
                created.append(cls.match(channel, reply))
            if created:
                cls.save(created)
            for record in created:
                record.tell_origin()
        return created

    @classmethod
    def match(cls, channel, reply):
        pool = Pool()
        Delivery = pool.get('egov.notify.delivery')
        text = unicodedata.normalize('NFKC', reply.text or '')[:250]
        record = cls(channel=channel, address=(reply.address or '')[:64],
            text=text, received_at=reply.at or datetime.datetime.now(),
            provider_ref=reply.provider_id or None)
        user = cls.sender_of(channel, reply.address)
        if user is None:
            record.state = 'unknown_sender'
            logger.info("reply from an unknown %s address", channel)
            return record
        record.user = user
        since = datetime.datetime.now() - datetime.timedelta(days=MATCH_DAYS)
        deliveries = Delivery.search([
                ('user', '=', user.id),
                ('message.reply_options', '!=', None),
                ('create_date', '>=', since),
                ('state', 'not in', ['failed', 'cancelled', 'waiting']),
                ], order=[('create_date', 'DESC'), ('id', 'DESC')], limit=1)
        if not deliveries:
            record.state = 'no_message'
            return record
        message = deliveries[0].message
        record.message = message
        options = message.options()
        match = OPTION.match(text)
        code = match.group(1).upper() if match else None
        if code in options:
            record.option, record.meaning = code, options[code]
            record.state = 'matched'
        else:
            record.state = 'unknown_option'
        # An answer is proof of reading
        Delivery.mark_read([(message.id, user.id)])
        return record

    @classmethod
    def sender_of(cls, channel, address):
        User = Pool().get('res.user')
        if not address:
            return None
        if channel == 'wechat':
            users = User.search([('wechat_userid', '=', address)], limit=1)
        else:
            try:
                number = normalize_mobile(address)
            except InvalidMobile:
                return None
            # Numbers are kept as people typed them (+86 138-0013-8000):
            # narrow by the last digits, then compare them normalised
            Employee = Pool().get('egov.org.employee')
            tail = '%' + number[-4:]
            candidates = {u: u.mobile
                for u in User.search([('mobile', 'like', tail)])}
            for employee in Employee.search([
                        ('mobile', 'like', tail), ('user', '!=', None)]):
                candidates.setdefault(employee.user, employee.mobile)
            users = []
            for user, mobile in candidates.items():
                try:
                    if normalize_mobile(mobile) == number:
                        users.append(user)
                except InvalidMobile:
                    continue
        return users[0] if len(users) == 1 else None

    def tell_origin(self):
        "The record the message concerns acts on a matched reply"
        if self.state != 'matched' or not self.message:
            return
        origin = self.message.origin
        if origin is None or origin.id is None or origin.id < 0:
            return
        handler = getattr(origin.__class__, 'notify_reply', None)
        if handler:
            handler(origin, self)
