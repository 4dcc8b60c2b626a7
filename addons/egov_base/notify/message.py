"""Messages (消息): what a module or a person tells people, through the one
service every module calls:

    Message = Pool().get('egov.notify.message')
    Message.send('egov_workflow', 'task_new',
        {'users': [user]}, {'step': …, 'title': …},
        record=task, urgency='normal', action='egov_workflow.act_inbox')

`send` checks the template's values and queues the message: one row and
one task, whatever the number of recipients, so that the request that
sends stays fast. The task queue (`trytond-worker`) then resolves the
recipients and creates one delivery per person and channel (delivery.py),
which the worker sends, retries and records."""
import datetime
import json

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import recipients as recipients_
from .exceptions import NotifyError

URGENCIES = [
    ('normal', "Normal"),
    ('urgent', "Urgent"),
    ('critical', "Very Urgent"),
    ]
# Messages to at most this many people named one by one are handed out in
# the request; larger ones by the worker
INLINE_USERS = 20
DELIVERY_STATES = ['waiting', 'queued', 'sending', 'sent', 'delivered',
    'read', 'failed', 'cancelled']


class Message(ModelSQL, ModelView):
    __name__ = 'egov.notify.message'
    __string__ = "Message"
    _egov_visibility = 'owner'
    _rec_name = 'subject'

    template = fields.Many2One('egov.notify.template', "Template",
        required=True, readonly=True, ondelete='RESTRICT')
    module = fields.Char("Module", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    body = fields.Text("Text", readonly=True)
    values = fields.Text("Values", readonly=True)
    urgency = fields.Selection(URGENCIES, "Urgency", readonly=True)
    sender = fields.Many2One('res.user', "Sender", readonly=True)
    sender_unit = fields.Many2One('egov.org.unit', "Sender's Unit",
        readonly=True, ondelete='SET NULL')
    origin = fields.Reference("Concerns", selection='get_origins',
        readonly=True)
    url = fields.Char("Link", readonly=True,
        help="The page the message opens, when not the record in the "
        "web client (the phone's to-do page).")
    action = fields.Many2One('ir.action', "Action", readonly=True,
        ondelete='SET NULL')
    reply_options = fields.Text("Reply Options", readonly=True)
    actionable = fields.Boolean("To Act On", readonly=True,
        help="It tells of something to do (a to-do): where it was shown, "
        "it is shown as done when that is done.")
    recipients = fields.Text("Recipients", readonly=True)
    recipients_summary = fields.Function(
        fields.Char("Recipients"), 'get_recipients_summary')
    channels = fields.Char("Channels", readonly=True,
        help="The channels the sender chose; empty: as the template says.")
    sent_at = fields.Function(fields.DateTime("Sent at"), 'get_sent_at')
    state = fields.Selection([
            ('queued', "Queued"),
            ('sent', "Handed Out"),
            ], "State", readonly=True)
    deliveries = fields.One2Many('egov.notify.delivery', 'message',
        "Deliveries", readonly=True)
    replies = fields.One2Many('egov.notify.reply', 'message', "Replies",
        readonly=True)
    delivery_count = fields.Function(
        fields.Integer("Deliveries"), 'get_counts')
    read_count = fields.Function(fields.Integer("Read"), 'get_counts')
    failed_count = fields.Function(fields.Integer("Failed"), 'get_counts')
    reply_count = fields.Function(fields.Integer("Replies"), 'get_counts')
    sms_count = fields.Function(fields.Integer("SMS Sent"), 'get_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls.__rpc__.update({
                # Modules send from the server; people use the compose wizard
                })

    @classmethod
    def get_origins(cls):
        Model = Pool().get('ir.model')
        return [(None, '')] + [(m, n) for m, n in Model.get_name_items()]

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def default_urgency(cls):
        return 'normal'

    def get_sent_at(self, name):
        return self.create_date.replace(microsecond=0)

    @classmethod
    def order_sent_at(cls, tables):
        table, _ = tables[None]
        return [table.create_date]

    def get_recipients_summary(self, name):
        pool = Pool()
        spec = json.loads(self.recipients or '{}')
        parts = []
        with without_check_access():
            for kind, model, field in [
                    ('units', 'egov.org.unit', 'rec_name'),
                    ('posts', 'egov.org.post', 'rec_name'),
                    ('groups', 'res.group', 'rec_name'),
                    ('users', 'res.user', 'rec_name')]:
                ids = spec.get(kind) or []
                if not ids:
                    continue
                Model = pool.get(model)
                names = [getattr(r, field) for r in Model.browse(ids[:3])]
                text = '、'.join(names)
                if len(ids) > 3:
                    text += gettext('egov_base.msg_notify_and_more',
                        count=len(ids))
                parts.append(text)
        return '；'.join(parts)

    @classmethod
    def get_counts(cls, messages, names):
        pool = Pool()
        Delivery = pool.get('egov.notify.delivery')
        Reply = pool.get('egov.notify.reply')
        result = {n: {m.id: 0 for m in messages} for n in names}
        ids = [m.id for m in messages]
        delivery = Delivery.__table__()
        cursor = Transaction().connection.cursor()
        from sql.aggregate import Count
        from sql.operators import In
        cursor.execute(*delivery.select(
                delivery.message, delivery.channel, delivery.state,
                Count(delivery.id),
                where=In(delivery.message, ids),
                group_by=[delivery.message, delivery.channel,
                    delivery.state]))
        for message, channel, state, count in cursor:
            if 'delivery_count' in result and channel == 'inapp':
                result['delivery_count'][message] += count
            if 'read_count' in result and state == 'read' and (
                    channel == 'inapp'):
                result['read_count'][message] += count
            if 'failed_count' in result and state == 'failed':
                result['failed_count'][message] += count
            if 'sms_count' in result and channel == 'sms' and state in {
                    'sent', 'delivered', 'read'}:
                result['sms_count'][message] += count
        if 'reply_count' in result:
            reply = Reply.__table__()
            cursor.execute(*reply.select(reply.message, Count(reply.id),
                    where=In(reply.message, ids),
                    group_by=[reply.message]))
            for message, count in cursor:
                result['reply_count'][message] = count
        return result

    @classmethod
    def send(cls, module, event, recipients, values=None, record=None,
            urgency='normal', action=None, sender=None, channels=None,
            url=None, reply_options=None, actionable=False):
        """Queue a message of module's event template to recipients
        ({'users'|'posts'|'units'|'groups': [records or ids]}) and answer
        it. record: what it concerns (its link); action: the XML id
        ('module.id') of the action that opens it; channels: a subset of
        inapp, wechat, sms, email that the sender chose (None: as the
        template says)."""
        pool = Pool()
        Template = pool.get('egov.notify.template')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        values = dict(values or {})
        template = Template.get(module, event)
        if not template.active:
            return None
        template.check_values(values)
        if urgency not in dict(URGENCIES):
            raise NotifyError(gettext(
                    'egov_base.msg_notify_urgency_unknown', urgency=urgency))
        spec = recipients_.normalize(recipients)
        if not any(spec.values()):
            raise NotifyError(gettext('egov_base.msg_notify_no_recipient'))
        if sender is None:
            sender = Transaction().user or None
        sender_unit = None
        if sender:
            with without_check_access():
                employee = User(int(sender)).employee
                if employee and employee.unit:
                    sender_unit = employee.unit.id
        subject, body = template.rendered(values, Transaction().language)
        with without_check_access():
            message, = cls.create([{
                        'template': template.id,
                        'module': module,
                        'subject': subject,
                        'body': body,
                        'values': json.dumps(values, ensure_ascii=False),
                        'urgency': urgency,
                        'sender': int(sender) if sender else None,
                        'sender_unit': sender_unit,
                        'origin': (str(record) if record is not None
                            else None),
                        'action': (ModelData.get_id(*action.split('.', 1))
                            if action else None),
                        'recipients': json.dumps(spec),
                        'channels': ','.join(channels) if channels else None,
                        'url': url,
                        'actionable': actionable,
                        'reply_options': (reply_options
                            or template.reply_options or None),
                        }])
        if not any(spec[k] for k in ('posts', 'units', 'groups')) and len(
                spec['users']) <= INLINE_USERS:
            # A few people named: their bell rings at once, without
            # waiting for the worker (which still sends WeChat and SMS)
            cls.hand_out([message])
        else:
            with Transaction().set_context(queue_name='notify'):
                cls.__queue__.hand_out([message])
        return message

    def options(self):
        from .template import parse_options
        return parse_options(self.reply_options)

    @property
    def value_map(self):
        return json.loads(self.values or '{}')

    @classmethod
    def hand_out(cls, messages):
        """Create the deliveries of queued messages (run by the worker).
        Idempotent: a message already handed out is left as it is, and a
        worker that dies half-way leaves it queued, whole."""
        pool = Pool()
        Delivery = pool.get('egov.notify.delivery')
        with without_check_access():
            messages = cls.browse([m.id for m in messages])
            for message in messages:
                if message.state != 'queued':
                    continue
                users = recipients_.resolve(json.loads(message.recipients))
                Delivery.plan(message, users)
                message.state = 'sent'
            cls.save(messages)

    @classmethod
    def resume_queued(cls):
        """Hand out messages whose task was lost (a worker killed after
        taking it): those still queued a while after their creation"""
        with without_check_access():
            messages = cls.search([
                    ('state', '=', 'queued'),
                    ('create_date', '<',
                        datetime.datetime.now() - datetime.timedelta(
                            minutes=5)),
                    ], limit=100)
        if messages:
            with Transaction().set_context(queue_name='notify'):
                cls.__queue__.hand_out(messages)

    def link(self):
        "The URL that opens what the message concerns, or ''"
        if self.url:
            return self.url
        origin = self.origin
        if origin is None or origin.id is None or origin.id < 0:
            return ''
        transaction = Transaction()
        return '/#%s/model/%s/%d' % (
            transaction.database.name, origin.__name__, origin.id)
