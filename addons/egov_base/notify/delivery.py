"""Deliveries (投递): one message to one person by one channel, with its
state as the provider reports it. The worker sends them; nothing is lost
and nothing is sent twice:

- a delivery is claimed (queued → sending) and that claim is committed
  before the provider is called, so two workers never send the same one;
- a provider that does not answer is tried again later (back-off), up to
  the policy's number of attempts, then the delivery is failed, visibly,
  and its sender told;
- a worker killed after the call leaves the delivery `sending`: the sweeper
  asks the provider whether it took it (Provider.recover, by the delivery's
  key) before sending again, and the providers' own duplicate checks
  (WeChat Work, the gateway's idempotency key) hold behind that;
- an SMS kept as a reminder (`waiting`) is cancelled when the person reads
  the message in the platform or in WeChat first: that is an SMS saved."""
import datetime
import hashlib
import logging
from decimal import Decimal

from sql import Null
from sql.operators import In

from trytond import config
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from ..tools import SlicedBrowseMixin
from . import provider as provider_
from .message import DELIVERY_STATES

logger = logging.getLogger(__name__)
CHANNELS = [
    ('inapp', "Platform"),
    ('wechat', "WeChat Work"),
    ('sms', "SMS"),
    ('email', "E-mail"),
    ]
STATES = dict(zip(DELIVERY_STATES, [
            "Waiting for Reading", "Queued", "Sending", "Sent", "Delivered",
            "Read", "Failed", "Not Needed"]))
# A claim older than this is a worker that died: recover it
STALE_SENDING = datetime.timedelta(minutes=2)
# (the queue browses a task's records: a cost that grows with the square
# of the batch)
CLAIM_BATCH = 250
# A card's update refused for now is tried again this much later
UPDATE_RETRY = datetime.timedelta(minutes=10)


def key_prefix():
    "Keys of deliveries differ between databases that share a provider"
    name = Transaction().database.name
    return 'eg%s-' % hashlib.sha1(name.encode()).hexdigest()[:6]


class Delivery(SlicedBrowseMixin, ModelSQL, ModelView):
    __name__ = 'egov.notify.delivery'
    __string__ = "Delivery"
    _egov_visibility = 'owner'

    message = fields.Many2One('egov.notify.message', "Message",
        required=True, readonly=True, ondelete='CASCADE')
    user = fields.Many2One('res.user', "Recipient", required=True,
        readonly=True, ondelete='CASCADE')
    unit = fields.Many2One('egov.org.unit', "Unit Charged", readonly=True,
        ondelete='SET NULL',
        help="The unit whose SMS quota and cost the delivery counts in.")
    channel = fields.Selection(CHANNELS, "Channel", required=True,
        readonly=True)
    address = fields.Char("Address", readonly=True)
    state = fields.Selection(list(STATES.items()), "State",
        required=True, readonly=True)
    provider = fields.Many2One('egov.notify.provider', "Provider",
        readonly=True, ondelete='SET NULL')
    provider_ref = fields.Char("Provider's ID", readonly=True)
    provider_data = fields.Char("Provider's Data", readonly=True)
    done_shown = fields.Boolean("Shown as Done", readonly=True,
        help="The provider shows the to-do as done (WeChat card).")
    error = fields.Char("Error", readonly=True)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.Timestamp("Next Attempt", readonly=True)
    sending_since = fields.Timestamp("Sending Since", readonly=True)
    sent_at = fields.Timestamp("Sent at", readonly=True)
    delivered_at = fields.Timestamp("Delivered at", readonly=True)
    read_at = fields.Timestamp("Read at", readonly=True)
    segments = fields.Integer("SMS Count", readonly=True)
    cost = fields.Numeric("Cost (yuan)", digits=(16, 4), readonly=True)
    notification = fields.Many2One('res.notification', "Notification",
        readonly=True, ondelete='SET NULL')
    created = fields.Function(fields.DateTime("Created at"), 'get_created')
    subject = fields.Function(fields.Char("Subject"), 'get_message_field')
    urgency = fields.Function(fields.Selection(
            'get_urgencies', "Urgency"), 'get_message_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.message, Index.Range()),
                    (t.user, Index.Range())),
                Index(t, (t.state, Index.Equality()),
                    (t.next_attempt, Index.Range())),
                Index(t, (t.provider_ref, Index.Equality()),
                    where=t.provider_ref != Null),
                Index(t, (t.unit, Index.Range()),
                    (t.create_date, Index.Range()),
                    where=t.channel == 'sms'),
                Index(t, (t.notification, Index.Range()),
                    where=t.notification != Null),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def get_urgencies(cls):
        from .message import URGENCIES
        return URGENCIES

    def get_created(self, name):
        return self.create_date.replace(microsecond=0)

    @classmethod
    def order_created(cls, tables):
        table, _ = tables[None]
        return [table.create_date]

    def get_message_field(self, name):
        return getattr(self.message, name)

    @property
    def key(self):
        return '%s%d' % (key_prefix(), self.id)

    # Planning: who gets what, where (run by the worker in Message.hand_out)

    @classmethod
    def plan(cls, message, user_ids):
        from .routing import Routing
        routing = Routing(message)
        vlist = []
        for users in grouped_slice(user_ids, 500):
            vlist.extend(routing.deliveries(list(users)))
        # The bell's notifications first, so that each in-app delivery is
        # created naming its own (one write less per person)
        inapp = [v for v in vlist if v['channel'] == 'inapp']
        notifications = routing.notify_in_app([v['user'] for v in inapp])
        for values, notification in zip(inapp, notifications):
            values['notification'] = notification.id
        ids = cls._insert(vlist)
        cls.queue_transmit([(i, v['channel']) for i, v in zip(ids, vlist)
                if v['state'] == 'queued'])
        cls.tell_sender_of_failures([message])
        return ids

    # The columns plan() fills
    PLANNED = ['message', 'user', 'unit', 'channel', 'state', 'address',
        'error', 'next_attempt', 'sent_at', 'notification']

    @classmethod
    def _insert(cls, vlist):
        """Create the deliveries plan() made, one INSERT per slice: their
        values are the service's own (ids it just read, states of its
        selection), so the ORM's validation of each relation, a query per
        row, is spared; nothing else listens to their creation (they are
        not audited, not searched)"""
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        columns = [getattr(table, c) for c in cls.PLANNED] + [
            table.attempts, table.create_uid, table.create_date]
        now = datetime.datetime.now()
        ids = []
        for sub in grouped_slice(vlist, 500):
            rows = [[v.get(c) for c in cls.PLANNED]
                + [0, transaction.user, now] for v in sub]
            if database.has_returning():
                cursor.execute(*table.insert(columns, rows,
                        returning=[table.id]))
                ids.extend(r[0] for r in cursor)
            else:
                for row in rows:
                    cursor.execute(*table.insert(columns, [row]))
                    ids.append(cursor.lastrowid)
        return ids

    @classmethod
    def queue_transmit(cls, deliveries, delay=None):
        """Hand deliveries to the worker, by channel, in batches; a retry
        waits delay (a timedelta) when a worker runs (without one, the
        sweeper of the cron retries when due)"""
        if not deliveries:
            return
        has_worker = config.getboolean('queue', 'worker', default=False)
        if delay and not has_worker:
            return
        context = {'queue_name': 'notify'}
        if delay:
            context['queue_scheduled_at'] = delay
        by_channel = {}
        for delivery in deliveries:
            # (records, or (id, channel) of deliveries just inserted)
            if isinstance(delivery, tuple):
                id_, channel = delivery
            else:
                id_, channel = delivery.id, delivery.channel
            by_channel.setdefault(channel, []).append(id_)
        with Transaction().set_context(**context):
            for ids in by_channel.values():
                for sub in grouped_slice(ids, CLAIM_BATCH):
                    # (ids: the queue keeps ids, records would be browsed)
                    cls.__queue__.transmit(list(sub))

    # Sending (run by the worker)

    @classmethod
    def claim(cls, ids):
        """Take the queued and due ones of ids for sending, in a transaction
        of its own committed before any provider is called; answer (ids
        claimed apart, ids claimed in this transaction)

        Deliveries this very transaction created are seen by no other
        transaction, nor taken by another worker: they are claimed here
        (the worker plans and sends in separate transactions; a caller that
        plans and sends in one, as the tests do, does not)."""
        transaction = Transaction()
        # (An in-memory SQLite database, the tests', has one connection:
        # committing apart would commit the caller's work too)
        if transaction.database.name == ':memory:':
            return [], cls._claim_rows(transaction, ids)
        with transaction.new_transaction() as apart:
            claimed = cls._claim_rows(apart, ids)
            own = set(ids) - cls._existing(apart, ids)
            apart.commit()
        return claimed, cls._claim_rows(transaction, sorted(own))

    @classmethod
    def _existing(cls, transaction, ids):
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        existing = set()
        for sub in grouped_slice(ids, 1000):
            cursor.execute(*table.select(table.id,
                    where=In(table.id, list(sub))))
            existing.update(r[0] for r in cursor)
        return existing

    @classmethod
    def _claim_rows(cls, transaction, ids):
        now = datetime.datetime.now()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        database = transaction.database
        claimed = []
        for sub in grouped_slice(ids, 1000):
            query = table.select(table.id,
                where=In(table.id, list(sub))
                & (table.state == 'queued')
                & ((table.next_attempt == Null)
                    | (table.next_attempt <= now)))
            if database.has_select_for():
                For = database.get_select_for_skip_locked()
                query.for_ = For('UPDATE')
            cursor.execute(*query)
            sub_ids = [r[0] for r in cursor]
            if sub_ids:
                cursor.execute(*table.update(
                        [table.state, table.sending_since, table.attempts],
                        ['sending', now, table.attempts + 1],
                        where=In(table.id, sub_ids)))
                claimed.extend(sub_ids)
        return claimed

    @classmethod
    def transmit(cls, deliveries):
        with without_check_access():
            apart, here = cls.claim([d.id for d in deliveries])
        if here:
            cls._transmit(here)
        if not apart:
            return
        # The task's transaction took its snapshot before the claim was
        # committed (PostgreSQL, REPEATABLE READ): it sees the deliveries
        # unclaimed and may not write over the claim (a serialization
        # failure after the provider took the messages). Send and record
        # in a transaction that starts after the claim.
        with Transaction().new_transaction() as after:
            cls._transmit(apart)
            after.commit()

    @classmethod
    def _transmit(cls, ids):
        pool = Pool()
        Provider = pool.get('egov.notify.provider')
        with without_check_access():
            deliveries = cls.browse(ids)
            by_channel = {}
            for delivery in deliveries:
                by_channel.setdefault(delivery.channel, []).append(delivery)
            for channel, deliveries in by_channel.items():
                provider = Provider.active_for(channel)
                if provider is None:
                    cls.record(deliveries, [provider_.Result(
                                d.key, provider_.FAILED,
                                error=cls.error_text('no_provider'))
                            for d in deliveries])
                    continue
                cls.send_by(provider, deliveries)

    @classmethod
    def send_by(cls, provider, deliveries):
        from .routing import outgoing_of
        deliveries = cls.within_quota(provider, deliveries)
        try:
            client = provider.client()
        except Exception as exception:
            logger.exception("provider %s cannot be built", provider.name)
            cls.record(deliveries, [provider_.Result(
                        d.key, provider_.RETRY, error=str(exception)[:200])
                    for d in deliveries])
            return
        deliveries = cls.recovered(provider, client, deliveries)
        size = max(1, client.batch_size)
        for batch in grouped_slice(deliveries, size):
            batch = list(batch)
            outgoing = [outgoing_of(d) for d in batch]
            try:
                results = client.send(outgoing)
            except Exception as exception:
                # A provider class must not raise; if it does, nothing is
                # known of the batch: retry it (keys stop duplicates)
                logger.exception("provider %s raised", provider.name)
                results = [provider_.Result(o.key, provider_.RETRY,
                        error=str(exception)[:200]) for o in outgoing]
            for delivery in batch:
                delivery.provider = provider
            cls.record(batch, results, price=(
                    provider.sms_price if provider.channel == 'sms'
                    else None))

    @classmethod
    def recovered(cls, provider, client, deliveries):
        """Before sending again what was tried already (a timeout, a lost
        answer), ask the provider whether it took it: answer the deliveries
        still to send"""
        from .routing import outgoing_of
        fresh, known = [], []
        for delivery in deliveries:
            if (delivery.attempts or 0) <= 1:
                fresh.append(delivery)
                continue
            try:
                result = client.recover(outgoing_of(delivery))
            except Exception:
                logger.exception("recovery of %s failed", delivery.key)
                result = provider_.Result(delivery.key, provider_.RETRY)
            if result is None:
                fresh.append(delivery)
            else:
                known.append((delivery, result))
        if known:
            for delivery, _ in known:
                delivery.provider = provider
            cls.record(*zip(*known), price=(
                    provider.sms_price if provider.channel == 'sms' else None))
        return fresh

    @classmethod
    def within_quota(cls, provider, deliveries):
        "Fail the SMS over their unit's monthly quota, answer the others"
        if provider.channel != 'sms':
            return deliveries
        Quota = Pool().get('egov.notify.quota')
        allowed, refused = Quota.split(deliveries)
        if refused:
            cls.record(refused, [provider_.Result(
                        d.key, provider_.FAILED,
                        error=cls.error_text('quota'))
                    for d in refused])
        return allowed

    @classmethod
    def error_text(cls, code):
        from trytond.i18n import gettext
        return gettext('egov_base.msg_notify_error_%s' % code)

    @classmethod
    def record(cls, deliveries, results, price=None):
        "Write the results of a provider on deliveries (same order)"
        Configuration = Pool().get('egov.notify.configuration')
        policy = Configuration.policy()
        now = datetime.datetime.now()
        retry, failed_messages, to_save = [], set(), []
        for delivery, result in zip(deliveries, results):
            delivery.sending_since = None
            if result.state in {provider_.SENT, provider_.DELIVERED}:
                delivery.state = result.state
                delivery.provider_ref = result.provider_id or None
                delivery.provider_data = result.provider_data or None
                delivery.error = None
                delivery.sent_at = now
                if result.state == provider_.DELIVERED:
                    delivery.delivered_at = now
                if delivery.channel == 'sms':
                    delivery.segments = result.segments
                    delivery.cost = (Decimal(result.segments) * price
                        if price is not None else None)
            elif (result.state == provider_.RETRY
                    and (delivery.attempts or 0) < policy.max_attempts):
                delivery.state = 'queued'
                delivery.error = result.error[:250] or None
                wait = datetime.timedelta(seconds=min(3600,
                        policy.retry_delay * 2 ** max(
                            0, (delivery.attempts or 1) - 1)))
                delivery.next_attempt = now + wait
                retry.append((delivery, wait))
            else:
                delivery.state = 'failed'
                delivery.error = (result.error or '')[:250] or None
                if result.state == provider_.RETRY:
                    delivery.error = cls.error_text('attempts') + (
                        ' ' + result.error if result.error else '')[:200]
                failed_messages.add(delivery.message.id)
            to_save.append(delivery)
        cls.save(to_save)
        # One task per wait, not per delivery: after an outage thousands
        # are due again together
        by_wait = {}
        for delivery, wait in retry:
            by_wait.setdefault(wait, []).append(delivery)
        for wait, group in by_wait.items():
            cls.queue_transmit(group, delay=wait)
        if failed_messages:
            Message = Pool().get('egov.notify.message')
            cls.tell_sender_of_failures(Message.browse(list(failed_messages)))

    @classmethod
    def tell_sender_of_failures(cls, messages):
        """The sender learns, once per message, that some of it failed: it
        is never dropped silently"""
        from .routing import tell_sender
        for message in messages:
            tell_sender(message)

    # The sweeper (cron): what is due, what a dead worker left

    @classmethod
    def process_due(cls):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        now = datetime.datetime.now()
        with without_check_access():
            Message.resume_queued()
            cls.remind_unread(cls.search([
                        ('state', '=', 'waiting'),
                        ('next_attempt', '<=', now),
                        ], limit=5000))
            cls.recover_stale(cls.search([
                        ('state', '=', 'sending'),
                        ('sending_since', '<', now - STALE_SENDING),
                        ], limit=1000))
            due = cls.search([
                    ('state', '=', 'queued'),
                    ['OR',
                        ('next_attempt', '=', None),
                        ('next_attempt', '<=', now),
                        ],
                    ('create_date', '<', now - datetime.timedelta(
                            seconds=30)),
                    ], limit=5000)
            cls.queue_transmit(due)

    @classmethod
    def remind_unread(cls, waiting):
        """The SMS reminders that are due: sent if the message is still
        unread by its person, else not needed (an SMS saved)"""
        if not waiting:
            return
        read = cls.read_pairs(waiting)
        cancel = [d for d in waiting
            if (d.message.id, d.user.id) in read]
        send = [d for d in waiting if d not in cancel]
        if cancel:
            cls.write(cancel, {'state': 'cancelled', 'error': None})
        if send:
            cls.write(send, {'state': 'queued', 'next_attempt': None})
            cls.queue_transmit(send)

    @classmethod
    def read_pairs(cls, deliveries):
        "{(message, user)} of deliveries whose person read the message"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        pairs = set()
        messages = list({d.message.id for d in deliveries})
        for sub in grouped_slice(messages, 1000):
            cursor.execute(*table.select(table.message, table.user,
                    where=In(table.message, list(sub))
                    & (table.state == 'read')))
            pairs.update(cursor)
        return pairs

    @classmethod
    def recover_stale(cls, deliveries):
        "Ask the providers about claims a dead worker left; send the rest"
        from .routing import outgoing_of
        if not deliveries:
            return
        Provider = Pool().get('egov.notify.provider')
        again = []
        for delivery in deliveries:
            result = None
            # A worker killed before its record left no provider on the
            # delivery: ask the one that carries the channel
            provider = delivery.provider or Provider.active_for(
                delivery.channel)
            if provider:
                try:
                    result = provider.client().recover(
                        outgoing_of(delivery))
                except Exception:
                    logger.exception("recovery of %s failed", delivery.key)
            if result is not None and result.state == provider_.RETRY:
                # The provider cannot be asked now: sending blind could
                # send twice; ask again at the next sweep
                continue
            if result is not None:
                delivery.provider = provider
                cls.record([delivery], [result], price=(
                        provider.sms_price
                        if delivery.channel == 'sms' else None))
            else:
                again.append(delivery)
        if again:
            cls.write(again, {'state': 'queued', 'sending_since': None})
            cls.queue_transmit(again)

    # What people and providers tell back

    @classmethod
    def mark_read(cls, deliveries_or_pairs, notifications=True):
        """The person read the message: their deliveries of it are read,
        and their SMS reminder is not needed any more"""
        if not deliveries_or_pairs:
            return
        now = datetime.datetime.now()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        pairs = {(d.message.id, d.user.id) if isinstance(d, cls) else d
            for d in deliveries_or_pairs}
        for message, user in pairs:
            where = (table.message == message) & (table.user == user)
            cursor.execute(*table.update(
                    [table.state, table.read_at], ['read', now],
                    where=where & In(table.state, [
                            'sent', 'delivered', 'read'])
                    & In(table.channel, ['inapp', 'wechat', 'email'])
                    & (table.read_at == Null)))
            cursor.execute(*table.update(
                    [table.state], ['cancelled'],
                    where=where & (table.state == 'waiting')))
        if notifications:
            cls._mark_notifications_read(pairs)

    @classmethod
    def show_done(cls, deliveries):
        """The to-do these deliveries told of is done: where the provider
        can (WeChat Work's card), show it as done, by the worker"""
        shown = [d for d in deliveries if d.provider_data
            and not d.done_shown and d.state in {'sent', 'delivered', 'read'}]
        if shown:
            with Transaction().set_context(queue_name='notify'):
                cls.__queue__.update_done(shown)

    @classmethod
    def update_done(cls, deliveries):
        from .routing import outgoing_of
        with without_check_access():
            by_provider = {}
            for delivery in cls.browse([d.id for d in deliveries]):
                if delivery.provider and not delivery.done_shown:
                    by_provider.setdefault(delivery.provider, []).append(
                        delivery)
            for provider, deliveries in by_provider.items():
                try:
                    results = provider.client().update_done(
                        [outgoing_of(d) for d in deliveries])
                except Exception:
                    logger.exception("update of %s failed", provider.name)
                    continue
                done = [d for d, r in zip(deliveries, results)
                    if r.state in {provider_.SENT, provider_.DELIVERED}]
                if done:
                    cls.write(done, {'done_shown': True})
                for delivery, result in zip(deliveries, results):
                    if result.state == provider_.FAILED:
                        logger.warning("card of %s not shown done: %s",
                            delivery.key, result.error)
                # Throttled or down: again later (the provider fails it
                # once its code has expired)
                again = [d for d, r in zip(deliveries, results)
                    if r.state == provider_.RETRY]
                if again and config.getboolean(
                        'queue', 'worker', default=False):
                    with Transaction().set_context(queue_name='notify',
                            queue_scheduled_at=UPDATE_RETRY):
                        cls.__queue__.update_done(again)

    @classmethod
    def _mark_notifications_read(cls, pairs):
        Notification = Pool().get('res.notification')
        with without_check_access():
            deliveries = cls.search([
                    ('channel', '=', 'inapp'),
                    ('notification.unread', '=', True),
                    ['OR'] + [[('message', '=', m), ('user', '=', u)]
                        for m, u in pairs],
                    ])
            notifications = [d.notification for d in deliveries]
            if notifications:
                Notification.write(notifications, {'unread': False})

    @classmethod
    def record_reports(cls, channel, reports):
        "Delivery reports of a provider: delivered or failed at the device"
        with without_check_access():
            for report in reports:
                domain = [('channel', '=', channel)]
                if report.key:
                    prefix = key_prefix()
                    if not report.key.startswith(prefix):
                        continue
                    try:
                        domain.append(
                            ('id', '=', int(report.key[len(prefix):])))
                    except ValueError:
                        continue
                elif report.provider_id:
                    domain.append(('provider_ref', '=', report.provider_id))
                else:
                    continue
                if report.address and not report.key:
                    domain.append(('address', '=', report.address))
                deliveries = cls.search(domain)
                for delivery in deliveries:
                    if delivery.state not in {'sent', 'delivered'}:
                        continue
                    if report.delivered:
                        delivery.state = 'delivered'
                        delivery.delivered_at = (report.at
                            or datetime.datetime.now())
                    else:
                        delivery.state = 'failed'
                        delivery.error = (report.error
                            or cls.error_text('undelivered'))[:250]
                cls.save(deliveries)
                failed = {d.message for d in deliveries
                    if d.state == 'failed'}
                cls.tell_sender_of_failures(failed)
