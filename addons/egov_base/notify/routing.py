"""Routing that saves money: every message reaches the platform (in-app)
and, by the template's rule, WeChat Work and e-mail at once; SMS only at
once for what the template marks so for its urgency, else as a reminder
when the message is still unread after a delay, and never for what the
person's preference or the module's channel rules exclude."""
import datetime
from types import SimpleNamespace

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from . import provider as provider_
from .recipients import ids_of
from .sms_text import InvalidMobile, normalize_mobile


class Routing:
    "The deliveries of one message, person by person"

    def __init__(self, message):
        pool = Pool()
        Configuration = pool.get('egov.notify.configuration')
        Rule = pool.get('egov.notify.channel.rule')
        self.message = message
        self.template = message.template
        self.policy = Configuration.policy()
        self.now = datetime.datetime.now()
        chosen = set(filter(None, (message.channels or '').split(',')))
        self.chosen = chosen
        self.allowed = Rule.allowed_channels(message.module)
        # No WeChat or e-mail without a provider to carry them; SMS asked
        # for without one fails visibly (the sender counted on it)
        Provider = pool.get('egov.notify.provider')
        for channel in ('wechat', 'email'):
            if not Provider.active_for(channel):
                self.allowed.discard(channel)

    def channels_of(self, user):
        """{channel: state} for user: 'queued' to send now, 'waiting' for
        an SMS sent only if still unread"""
        template, chosen, allowed = self.template, self.chosen, self.allowed
        result = {'inapp': 'sent'}
        wechat_on = user.notify_wechat or not self.policy.users_may_stop_wechat
        if 'wechat' in allowed and user.wechat_userid and (
                'wechat' in chosen
                or (not chosen and template.wechat and wechat_on)):
            result['wechat'] = 'queued'
        if 'email' in allowed and user.email and (
                'email' in chosen
                or (not chosen and template.email and user.notify_email)):
            result['email'] = 'queued'
        if 'sms' in allowed:
            if 'sms' in chosen:
                rule = 'now'
            elif chosen:
                rule = 'never'
            else:
                rule = template.sms_rule(self.message.urgency)
                if (rule == 'unread' and self.message.urgency == 'normal'
                        and user.notify_sms == 'urgent'
                        and self.policy.users_may_stop_sms):
                    rule = 'never'
            if rule == 'now':
                result['sms'] = 'queued'
            elif rule == 'unread':
                result['sms'] = 'waiting'
        return result

    def deliveries(self, user_ids):
        "The values of the deliveries to user_ids"
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        message = self.message
        # (values, not records: see recipients.ids_of)
        users = [SimpleNamespace(**u) for u in User.read(user_ids, [
                    'wechat_userid', 'notify_wechat', 'email', 'notify_email',
                    'notify_sms', 'mobile'])]
        # The person's record in the organisation: their unit (charged
        # when no sender's unit is), and their mobile when the login has
        # none of its own
        unit_of, mobile_of = {}, {}
        employees = ids_of(Employee, [('user', 'in', user_ids)])
        for employee in Employee.read(employees, ['user', 'unit', 'mobile']):
            if employee['unit']:
                unit_of[employee['user']] = employee['unit']
            if employee['mobile']:
                mobile_of[employee['user']] = employee['mobile']
        delay = datetime.timedelta(minutes=self.template.delay)
        vlist = []
        for user in users:
            unit = (message.sender_unit.id if message.sender_unit
                else unit_of.get(user.id))
            for channel, state in self.channels_of(user).items():
                values = {
                    'message': message.id,
                    'user': user.id,
                    'unit': unit,
                    'channel': channel,
                    'state': state,
                    }
                if channel == 'inapp':
                    values['sent_at'] = self.now
                elif channel == 'wechat':
                    values['address'] = user.wechat_userid
                elif channel == 'email':
                    values['address'] = user.email
                elif channel == 'sms':
                    try:
                        values['address'] = normalize_mobile(
                            user.mobile or mobile_of.get(user.id) or '')
                    except InvalidMobile:
                        if state == 'waiting':
                            continue
                        values['state'] = 'failed'
                        values['error'] = gettext(
                            'egov_base.msg_notify_error_no_mobile')
                    if state == 'waiting':
                        values['next_attempt'] = self.now + delay
                vlist.append(values)
        return vlist

    def notify_in_app(self, user_ids):
        """The platform's notifications (the bell of the web client; an
        open client hears of them at once through the bus) to user_ids,
        each in the language of its person, in the same order"""
        pool = Pool()
        Notification = pool.get('res.notification')
        from .language import languages
        message = self.message
        language_of = languages(user_ids)
        texts = {}
        values = message.value_map
        origin = message.origin
        records = None
        if origin is not None and origin.id is not None and origin.id >= 0:
            records = '[%d]' % origin.id
        vlist = []
        for user in user_ids:
            language = language_of[user]
            if language not in texts:
                texts[language] = self.template.rendered(values, language)
            subject, body = texts[language]
            vlist.append({
                    'user': user,
                    'label': subject[:250],
                    'description': body[:1000],
                    'icon': ('tryton-warning' if message.urgency != 'normal'
                        else 'tryton-notification'),
                    'model': origin.__name__ if records else None,
                    'records': records,
                    'action': message.action.id if message.action else None,
                    })
        notifications = []
        with without_check_access():
            for sub in grouped_slice(vlist, 200):
                notifications.extend(Notification.create(list(sub)))
        return notifications


def outgoing_of(delivery):
    "What the provider sends for delivery"
    message = delivery.message
    values = {k: str(v) for k, v in message.value_map.items()}
    template = message.template
    url = ''
    if delivery.channel in {'wechat', 'email'}:
        from .tracking import open_url
        url = open_url(delivery)
    return provider_.Outgoing(
        key=delivery.key,
        address=delivery.address or '',
        text=message.body or '',
        title=message.subject or '',
        url=url,
        template_code=template.sms_template_code or '',
        params=values,
        urgent=message.urgency != 'normal',
        attempt=delivery.attempts or 1,
        actionable=bool(message.actionable),
        provider_data=delivery.provider_data or '')


def tell_sender(message):
    """An in-app notification to the sender of message when some of its
    deliveries failed, once"""
    pool = Pool()
    Delivery = pool.get('egov.notify.delivery')
    Notification = pool.get('res.notification')
    if not message.sender or message.sender.login in {'root'}:
        return
    with without_check_access():
        failed = Delivery.search_count([
                ('message', '=', message.id),
                ('state', '=', 'failed'),
                ])
        if not failed:
            return
        told = Notification.search([
                ('user', '=', message.sender.id),
                ('model', '=', 'egov.notify.message'),
                ('records', '=', '[%d]' % message.id),
                ], limit=1)
        if told:
            return
        from .language import languages
        language = languages([message.sender])[message.sender.id]
        with Transaction().set_context(language=language):
            label = gettext('egov_base.msg_notify_failed_notice',
                subject=message.subject, count=failed)
        Notification.create([{
                    'user': message.sender.id,
                    'label': label[:250],
                    'icon': 'tryton-warning',
                    'model': 'egov.notify.message',
                    'records': '[%d]' % message.id,
                    }])
