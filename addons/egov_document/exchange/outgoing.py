"""发文 to units on other platforms: the peers named among its recipients
get a signed package at 分发 (log.py), after the units of the platform
have their 收文."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from ..document import DRAFT, now
from ..exceptions import DispatchError


class Outgoing(metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'
    external_recipients = fields.Many2Many(
        'egov.document.outgoing-exchange.peer', 'document', 'peer',
        "External Recipients", states=DRAFT,
        domain=[('active', '=', True)],
        help="Units on other platforms, reached through the exchange.")
    exchange_logs = fields.One2Many('egov.document.exchange.log', 'outgoing',
        "Exchange", readonly=True)
    # The log is the administrators': what each peer's unit did with the
    # document is told here to whoever reads the 发文
    exchange_deliveries = fields.Function(fields.Text(
            "Delivery to Other Platforms",
            help="Per receiving unit: delivered (已送达), signed for "
            "(已签收) or returned (已退回), with the time."),
        'get_exchange_deliveries')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._workflow_fields = {k: dict(v)
            for k, v in cls._workflow_fields.items()}
        # Named on the 发文单 before 提交: the act dialog has no list of
        # peers, and a step that lets it be edited cannot be acted on
        cls._workflow_fields['*']['external_recipients'] = 'read'

    @classmethod
    def validate(cls, documents):
        super().validate(documents)
        Peer = Pool().get('egov.document.exchange.peer')
        for document in documents:
            Peer.check_cleared(document.external_recipients, document)

    @classmethod
    def get_exchange_deliveries(cls, documents, name):
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        lines = {d.id: [] for d in documents}
        with without_check_access():
            logs = Log.search([
                    ('outgoing', 'in', list(lines)),
                    ('direction', '=', 'out'),
                    ('kind', '=', 'package'),
                    ], order=[('id', 'ASC')])
            labels = {n: dict(f['selection']) for n, f in Log.fields_get(
                    ['state', 'delivery']).items()}
            for log in logs:
                if log.delivery:
                    state = labels['delivery'][log.delivery]
                    at = log.delivery_at
                else:
                    state = labels['state'][log.state]
                    at = log.sent_at
                line = gettext('egov_document.msg_exchange_delivery_line',
                    peer=log.peer.rec_name, state=state,
                    at=_local(at).strftime('%Y-%m-%d %H:%M') if at else '')
                if log.delivery == 'returned' and log.return_reason:
                    line += gettext(
                        'egov_document.msg_exchange_delivery_reason',
                        reason=log.return_reason)
                lines[log.outgoing.id].append(line.strip())
        return {i: '\n'.join(l) or None for i, l in lines.items()}

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('exchange_logs', None)
        return super().copy(documents, default=default)

    def _step_draft(self, task):
        # A document for other platforms only has recipients too
        if self.external_recipients and not self.recipients:
            return
        super()._step_draft(task)


def _local(value):
    "A stored (UTC) time in the user's time zone (the city's by default)"
    import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        zone = ZoneInfo(Transaction().context.get('timezone')
            or 'Asia/Shanghai')
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo('Asia/Shanghai')
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(zone)


class OutgoingPeer(ModelSQL):
    "Outgoing Document - External Recipient"
    __string__ = "Outgoing Document - External Recipient"
    __name__ = 'egov.document.outgoing-exchange.peer'
    _egov_visibility = 'parent'
    document = fields.Many2One('egov.document.outgoing', "Document",
        required=True, ondelete='CASCADE')
    peer = fields.Many2One('egov.document.exchange.peer', "Peer",
        required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')


class Dispatch(metaclass=PoolMeta):
    __name__ = 'egov.document.dispatch'

    @classmethod
    def dispatch(cls, outgoing):
        """The units of the platform as before, then one package for each
        peer; a 密级 a peer is not cleared for refuses the whole 分发"""
        pool = Pool()
        Peer = pool.get('egov.document.exchange.peer')
        Log = pool.get('egov.document.exchange.log')
        Outgoing = pool.get('egov.document.outgoing')
        peers = list(outgoing.external_recipients)
        if not peers:
            return super().dispatch(outgoing)
        Peer.check_cleared(peers, outgoing)
        Peer.check_ready(peers)
        if outgoing.recipients:
            incomings = super().dispatch(outgoing)
        else:
            incomings = []
            cls._check_not_dispatched(outgoing)
            with without_check_access():
                Outgoing.write([outgoing], {'dispatched_at': now()})
        Log.prepare(Outgoing(outgoing.id), peers)
        return incomings

    @classmethod
    def _check_not_dispatched(cls, outgoing):
        if outgoing.dispatched_at:
            raise DispatchError(gettext(
                    'egov_document.msg_dispatch_twice',
                    document=outgoing.rec_name))
