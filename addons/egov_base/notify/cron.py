"""The notification service's scheduled work: the sweeper (due reminders,
retries, what a dead worker left), the pull of delivery reports and
replies from providers that are asked rather than pushing, the cleaning of
old callback nonces."""
import datetime
import logging

from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

logger = logging.getLogger(__name__)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('egov.notify.delivery|process_due',
                    "Send Due and Retried Messages"),
                ('egov.notify.provider|pull_news',
                    "Fetch Delivery Reports and Replies"),
                ('egov.notify.wechat.nonce|clean',
                    "Forget Old WeChat Callback Nonces"),
                ])


class Provider(metaclass=PoolMeta):
    __name__ = 'egov.notify.provider'

    @classmethod
    def pull_news(cls):
        pool = Pool()
        Delivery = pool.get('egov.notify.delivery')
        Reply = pool.get('egov.notify.reply')
        with without_check_access():
            providers = cls.search([])
            for provider in providers:
                try:
                    client = provider.client()
                    reports = client.pull_reports(
                        *cls.pending_reports(provider))
                    replies = client.pull_replies()
                except Exception:
                    logger.exception("pull from %s failed", provider.name)
                    continue
                cursors = {name: getattr(client, name)
                    for name in ('reports_since', 'replies_since')
                    if hasattr(client, name)}
                if cursors:
                    cls.write([provider], cursors)
                if reports:
                    Delivery.record_reports(provider.channel, reports)
                if replies:
                    Reply.receive(provider.channel, replies)

    @classmethod
    def pending_reports(cls, provider):
        """The arguments of client.pull_reports: the sent deliveries of the
        last two days still without a report, for Aliyun, which is asked
        about each (QuerySendDetails); a gateway pulls from its cursor"""
        if provider.kind != 'aliyun':
            return ()
        Delivery = Pool().get('egov.notify.delivery')
        since = datetime.datetime.now() - datetime.timedelta(days=2)
        deliveries = Delivery.search([
                ('provider', '=', provider.id),
                ('state', '=', 'sent'),
                ('sent_at', '>=', since),
                ], limit=500)
        return ([(d.key, d.address, d.provider_ref, d.sent_at.date())
                    for d in deliveries],)
