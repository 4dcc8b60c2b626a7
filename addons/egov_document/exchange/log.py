"""The exchange log (交换日志): each package sent or received, its state,
its attempts, the last error in words a person reads, and the peer's signed
receipt (回执).

Sending: at 分发 each peer named gets one package, signed and kept here
(the same bytes are sent again on retries, so the peer recognises them);
the task queue sends it. A peer that cannot be reached, or answers 5xx or
429, is tried again after a back-off doubling from the peer's delay (at
most an hour) until its number of attempts; a refusal (4xx) or the last
attempt makes the package 'failed'. Without a worker the cron sweeper
sends what is due.

Receiving: exchange/routes.py hands the package to receive(), which
verifies it whole (package.py), refuses a package id already received and
makes a 收文 waiting for 签收 in the addressed unit, all in one
transaction: a refusal saves nothing but a 'refused' line here.

签收回执 (kind 'receipt'): when the unit signs for or returns a 收文 of
the exchange, send_status() queues a signed receipt to its platform, sent
and retried as a package; receive_status() takes such a receipt for a
package we sent and records it on that package's line (delivery)."""
import datetime
import json
import logging

import requests

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from egov_base.tools import enqueue, retry_delay

from ..document import BODY_KINDS
from . import package as package_

logger = logging.getLogger(__name__)

DIRECTIONS = [
    ('out', "Sent"),
    ('in', "Received"),
    ]
KINDS = [
    ('package', "Package"),
    ('receipt', "Receipt"),
    ]
# What the receiving unit did with a package delivered (签收回执)
DELIVERIES = [
    (None, ""),
    ('delivered', "Delivered"),
    ('signed', "Signed For"),
    ('returned', "Returned"),
    ]
STATES = [
    ('queued', "Queued"),
    ('sent', "Sent"),
    ('acknowledged', "Acknowledged"),
    ('failed', "Failed"),
    ('received', "Received"),
    ('refused', "Refused"),
    ]
MAX_ANSWER = 64 * 1024
MAX_WAIT = 3600
QUEUE = 'document_exchange'
LANGUAGE = 'zh_CN'


def text(key, /, **values):
    "A message of the exchange in Chinese (peers and logs read it)"
    with Transaction().set_context(language=LANGUAGE):
        return gettext('egov_document.msg_exchange_' + key, **values)


def refusal_text(refused):
    values = {k: v for k, v in refused.values.items()}
    return text('refused_' + refused.reason, **values)


class Log(ModelSQL, ModelView):
    "Exchange Log"
    __string__ = "Exchange Log"
    __name__ = 'egov.document.exchange.log'
    _egov_visibility = 'admin'
    _rec_name = 'package_id'

    direction = fields.Selection(DIRECTIONS, "Direction", required=True,
        readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True,
        help="A package (公文交换包), or a receipt telling the sender what "
        "the receiving unit did with one (签收回执).")
    peer = fields.Many2One('egov.document.exchange.peer', "Peer",
        readonly=True, ondelete='RESTRICT')
    package_id = fields.Char("Package ID", readonly=True)
    # The id of a package received: unique, so a package is taken once
    # (refused ones do not hold it)
    received_key = fields.Char("Received Key", readonly=True)
    outgoing = fields.Many2One('egov.document.outgoing', "Outgoing Document",
        readonly=True, ondelete='RESTRICT')
    incoming = fields.Many2One('egov.document.incoming', "Incoming Document",
        readonly=True, ondelete='RESTRICT')
    title = fields.Char("Title", readonly=True)
    dispatcher = fields.Many2One('res.user', "Dispatched By", readonly=True,
        ondelete='SET NULL',
        help="Told in the platform when the package fails.")
    number = fields.Char("Document Number", readonly=True)
    sender_code = fields.Char("Sender Code", readonly=True)
    receiver_code = fields.Char("Receiver Code", readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.DateTime("Next Attempt", readonly=True)
    error = fields.Char("Last Error", readonly=True)
    receipt = fields.Text("Receipt", readonly=True,
        help="回执: the receiving platform's signed answer.")
    metadata_sm3 = fields.Char("Metadata SM3", readonly=True)
    content = fields.Binary("Package", filename='content_name',
        file_id='content_id', readonly=True)
    content_id = fields.Char("Package File ID", readonly=True)
    content_name = fields.Char("Package File Name", readonly=True)
    size = fields.Integer("Size (bytes)", readonly=True)
    sent_at = fields.DateTime("Sent At", readonly=True)
    acknowledged_at = fields.DateTime("Acknowledged At", readonly=True)
    delivery = fields.Selection(DELIVERIES, "Delivery", readonly=True,
        sort=False,
        help="Of a package sent: delivered (收到), then signed for (已签收) "
        "or returned (已退回) by the receiving unit.")
    delivery_at = fields.DateTime("Delivery Updated At", readonly=True)
    return_reason = fields.Text("Reason for Return", readonly=True)
    status_receipt = fields.Text("Signing Receipt", readonly=True,
        help="签收回执: the receiving platform's signed word that the unit "
        "signed for or returned the document.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_constraints += [
            ('received_key_unique', Unique(table, table.received_key),
                'egov_document.msg_exchange_received_key_unique'),
            ]
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'retry': {
                    'invisible': ~Eval('state').in_(['failed', 'queued']) | (
                        Eval('direction') != 'out'),
                    'depends': ['state', 'direction'],
                    'icon': 'tryton-refresh',
                    },
                })

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def default_kind(cls):
        return 'package'

    # Sending

    @classmethod
    def prepare(cls, outgoing, peers):
        "One signed package of outgoing for each peer, queued"
        today = Pool().get('ir.date').today()
        vlist = []
        for peer in peers:
            package = outgoing_package(outgoing, peer, today)
            data = package_.build(package, peer.signing_key(),
                encrypt_for=peer.peer_encryption_key or None)
            vlist.append({
                    'direction': 'out',
                    'peer': peer.id,
                    'package_id': package.package_id,
                    'outgoing': outgoing.id,
                    'dispatcher': Transaction().user or None,
                    'title': outgoing.title,
                    'number': outgoing.number,
                    'sender_code': package.sender.code,
                    'receiver_code': package.receiver.code,
                    'state': 'queued',
                    'metadata_sm3': package.metadata_digest,
                    'content': data,
                    'content_name': package.package_id + '.zip',
                    'size': len(data),
                    })
        with without_check_access():
            logs = cls.create(vlist)
        cls.queue_send(logs)
        return logs

    @classmethod
    def queue_send(cls, logs, delay=None):
        """Hand logs to the worker; a retry waits delay (a timedelta) when
        a worker runs (without one, the cron sends when due)"""
        enqueue(cls, 'send', logs, QUEUE, delay=delay)

    @classmethod
    def send_due(cls):
        "The cron's sweep: send the queued packages whose time has come"
        now = datetime.datetime.now()
        with without_check_access():
            logs = cls.search([
                    ('direction', '=', 'out'),
                    ('state', '=', 'queued'),
                    ['OR',
                        ('next_attempt', '=', None),
                        ('next_attempt', '<=', now),
                        ],
                    ], limit=500)
        cls.send(logs)

    @classmethod
    @ModelView.button
    def retry(cls, logs):
        "An administrator sends a failed package again, from a fresh count"
        logs = [l for l in logs
            if l.direction == 'out' and l.state in {'failed', 'queued'}]
        with without_check_access():
            cls.write(logs, {
                    'state': 'queued', 'attempts': 0, 'next_attempt': None,
                    })
        cls.send(logs)

    @classmethod
    def send(cls, logs):
        "Try each queued package once"
        now = datetime.datetime.now()
        with without_check_access():
            logs = cls.browse([l.id for l in logs])
            for log in logs:
                if log.state != 'queued' or (
                        log.next_attempt and log.next_attempt > now):
                    continue
                log.attempt()

    def attempt(self):
        "Post the package to the peer; record what the peer answered"
        peer = self.peer
        values = {
            'attempts': (self.attempts or 0) + 1,
            'sent_at': datetime.datetime.now(),
            }
        outcome, detail, receipt = 'retry', '', None
        if not peer.active or not peer.endpoint:
            outcome, detail = 'failed', text('peer_inactive',
                peer=peer.rec_name)
        else:
            outcome, detail, receipt = self._post(peer)
        if outcome == 'acknowledged':
            values.update({
                    'state': 'acknowledged', 'error': None,
                    'receipt': json.dumps(receipt, ensure_ascii=False,
                        indent=1),
                    'acknowledged_at': datetime.datetime.now(),
                    'next_attempt': None,
                    })
            if self.kind == 'package' and not self.delivery:
                values.update({'delivery': 'delivered',
                        'delivery_at': values['acknowledged_at']})
        elif outcome == 'sent':
            values.update({'state': 'sent', 'error': detail[:250],
                    'next_attempt': None})
        elif outcome == 'retry' and values['attempts'] < peer.max_attempts:
            wait = retry_delay(peer.retry_delay, values['attempts'],
                MAX_WAIT)
            values.update({'state': 'queued', 'error': detail[:250],
                    'next_attempt': datetime.datetime.now() + wait})
            self.__class__.write([self], values)
            self.__class__.queue_send([self], delay=wait)
            return
        elif outcome == 'retry':
            values.update({'state': 'failed', 'next_attempt': None,
                    'error': text('failed_attempts',
                        attempts=values['attempts'],
                        error=detail)[:250]})
        else:
            values.update({'state': 'failed', 'error': detail[:250],
                    'next_attempt': None})
        self.__class__.write([self], values)
        if values.get('state') == 'failed':
            self.tell_failure()

    def tell_failure(self):
        "The person who dispatched learns that the package did not arrive"
        Notification = Pool().get('res.notification')
        if not self.dispatcher or not self.outgoing or (
                self.kind != 'package'):
            return
        Notification.create([{
                    'user': self.dispatcher.id,
                    'label': text('failed_notice', peer=self.peer.rec_name,
                        document=self.outgoing.rec_name)[:250],
                    'description': (self.error or '')[:250],
                    'model': 'egov.document.outgoing',
                    'records': json.dumps([self.outgoing.id]),
                    }])

    def _post(self, peer):
        "(outcome, error text, receipt) of one POST of the package"
        try:
            response = requests.post(peer.endpoint, data=self.content,
                headers={
                    'Content-Type': 'application/json; charset=utf-8'
                    if self.kind == 'receipt' else 'application/zip',
                    'Accept': 'application/json',
                    }, timeout=peer.timeout, allow_redirects=False,
                stream=True)
            try:
                body = response.raw.read(MAX_ANSWER + 1, decode_content=True)
            finally:
                response.close()
        except requests.Timeout:
            return 'retry', text('error_timeout', seconds=peer.timeout), None
        except requests.RequestException as exception:
            logger.info("exchange to %s: %s", peer.endpoint, exception)
            return 'retry', text('error_connection'), None
        status = response.status_code
        try:
            answer = json.loads(body) if len(body) <= MAX_ANSWER else None
        except ValueError:
            answer = None
        if self.kind == 'receipt' and (200 <= status < 300 or status == 409):
            # (409: the sender recorded this receipt already)
            return 'acknowledged', '', answer
        receipt = package_.check_receipt(answer, self.package_id,
            self.metadata_sm3, peer.peer_public_key) if (
            answer and self.kind == 'package') else None
        if receipt is not None and (200 <= status < 300 or status == 409):
            # (409: a retry of a package the peer already took)
            return 'acknowledged', '', answer
        if 200 <= status < 300:
            return 'sent', text('error_receipt'), None
        if status >= 500 or status == 429:
            return 'retry', text('error_status', status=status), None
        message = ''
        if isinstance(answer, dict) and isinstance(
                answer.get('message'), str):
            message = answer['message'][:200]
        return 'failed', text('error_refused', status=status,
            message=message or '-'), None

    # Receiving

    @classmethod
    def receive(cls, data):
        """Take the package data (bytes) from a peer: the 收文 made and the
        answer (a signed receipt); PackageRefused or a UserError else"""
        pool = Pool()
        Peer = pool.get('egov.document.exchange.peer')
        Incoming = pool.get('egov.document.incoming')
        found = {}

        def public_key_of(code):
            peer = Peer.by_code(code)
            if peer is None or not peer.active:
                return None
            found['peer'] = peer
            return peer.peer_public_key

        def private_key_of(code):
            return found['peer'].decryption_key()

        package = package_.read(data, public_key_of,
            private_key_of=private_key_of)
        peer = found['peer']
        if cls.search([('received_key', '=', package.package_id)], limit=1):
            raise package_.PackageRefused('replayed',
                package=package.package_id)
        unit = addressed_unit(package.receiver.code)
        if unit is None:
            raise package_.PackageRefused('unknown_receiver',
                code=package.receiver.code)
        from ..secrecy import reaches
        if not reaches(unit.secrecy_clearance, package.document.secrecy):
            raise package_.PackageRefused('secrecy', unit=unit.name)
        kind = kind_of(package.document)
        check_files(package)
        incoming, = Incoming.create([incoming_values(package, unit, kind)])
        attach(incoming, package.attachments)
        answer = package_.make_receipt(package, peer.local_code,
            peer.signing_key())
        cls.create([{
                    'direction': 'in',
                    'peer': peer.id,
                    'package_id': package.package_id,
                    'received_key': package.package_id,
                    'incoming': incoming.id,
                    'title': package.document.title[:250],
                    'number': package.document.number,
                    'sender_code': package.sender.code,
                    'receiver_code': package.receiver.code,
                    'state': 'received',
                    'metadata_sm3': package.metadata_digest,
                    'receipt': json.dumps(answer, ensure_ascii=False,
                        indent=1),
                    'content': data,
                    'content_name': package.package_id + '.zip',
                    'size': len(data),
                    }])
        tell_clerks(unit, package)
        return incoming, answer

    @classmethod
    def receive_status(cls, data):
        """Take a 签收回执 (JSON) from a peer: the package sent it names is
        marked signed for or returned; PackageRefused else"""
        pool = Pool()
        Peer = pool.get('egov.document.exchange.peer')
        found = {}

        def public_key_of(code):
            peer = Peer.by_code(code)
            if peer is None or not peer.active:
                return None
            found['peer'] = peer
            return peer.peer_public_key

        receipt = package_.read_status(data, public_key_of)
        peer = found['peer']
        if cls.search([('received_key', '=', receipt['receipt_id'])],
                limit=1):
            raise package_.PackageRefused('status_replayed',
                package=receipt['package_id'])
        logs = cls.search([
                ('direction', '=', 'out'),
                ('kind', '=', 'package'),
                ('peer', '=', peer.id),
                ('package_id', '=', receipt['package_id']),
                ('sender_code', '=', receipt['sender']),
                ], limit=1)
        if not logs:
            raise package_.PackageRefused('status_unknown',
                package=receipt['package_id'])
        log, = logs
        if log.metadata_sm3 != receipt['metadata_sm3']:
            raise package_.PackageRefused('status_digest',
                package=receipt['package_id'])
        if log.delivery in package_.STATUSES:
            # Signed for or returned once: a second word is not taken
            raise package_.PackageRefused('status_replayed',
                package=receipt['package_id'])
        now = datetime.datetime.now()
        text_ = json.dumps(json.loads(data), ensure_ascii=False, indent=1)
        values = {
            'delivery': receipt['state'],
            'delivery_at': now,
            'status_receipt': text_,
            'return_reason': receipt['reason'] or None
            if receipt['state'] == 'returned' else None,
            }
        if log.state != 'acknowledged':
            # The 签收回执 proves the delivery too
            values.update({'state': 'acknowledged', 'error': None,
                    'next_attempt': None, 'acknowledged_at': now})
        cls.write([log], values)
        cls.create([{
                    'direction': 'in',
                    'kind': 'receipt',
                    'peer': peer.id,
                    'package_id': receipt['package_id'],
                    'received_key': receipt['receipt_id'],
                    'outgoing': log.outgoing.id if log.outgoing else None,
                    'title': log.title,
                    'number': log.number,
                    'sender_code': receipt['receiver'],
                    'receiver_code': receipt['sender'],
                    'state': 'received',
                    'delivery': receipt['state'],
                    'delivery_at': now,
                    'return_reason': values['return_reason'],
                    'receipt': text_,
                    'size': len(data),
                    }])
        if receipt['state'] == 'returned':
            log.tell_returned(receipt['reason'])
        return log

    def tell_returned(self, reason):
        "The person who dispatched learns that the unit returned it"
        Notification = Pool().get('res.notification')
        if not self.dispatcher or not self.outgoing:
            return
        Notification.create([{
                    'user': self.dispatcher.id,
                    'label': text('returned_notice', peer=self.peer.rec_name,
                        document=self.outgoing.rec_name)[:250],
                    'description': (reason or '')[:250],
                    'model': 'egov.document.outgoing',
                    'records': json.dumps([self.outgoing.id]),
                    }])

    @classmethod
    def send_status(cls, incomings, state, reason=''):
        """签收回执: tell the platform each 收文 came from that its unit
        signed for it or returned it (queued, retried as packages)"""
        with without_check_access():
            # (the log and the peers' codes are the administrators')
            return cls._send_status(incomings, state, reason)

    @classmethod
    def _send_status(cls, incomings, state, reason):
        received = cls.search([
                ('direction', '=', 'in'),
                ('kind', '=', 'package'),
                ('state', '=', 'received'),
                ('incoming', 'in', [i.id for i in incomings]),
                ])
        vlist = []
        for log in received:
            peer = log.peer
            answer = package_.make_status(log.package_id, log.sender_code,
                peer.local_code, log.metadata_sm3, state, peer.signing_key(),
                reason=reason)
            receipt = answer['receipt']
            data = json.dumps(answer, ensure_ascii=False).encode('utf-8')
            vlist.append({
                    'direction': 'out',
                    'kind': 'receipt',
                    'peer': peer.id,
                    'package_id': log.package_id,
                    'incoming': log.incoming.id,
                    'dispatcher': Transaction().user or None,
                    'title': log.title,
                    'number': log.number,
                    'sender_code': peer.local_code,
                    'receiver_code': log.sender_code,
                    'state': 'queued',
                    'delivery': state,
                    'delivery_at': datetime.datetime.now(),
                    'return_reason': reason or None,
                    'metadata_sm3': log.metadata_sm3,
                    'receipt': json.dumps(answer, ensure_ascii=False,
                        indent=1),
                    'content': data,
                    'content_name': receipt['receipt_id'] + '.json',
                    'size': len(data),
                    })
        logs = cls.create(vlist)
        cls.queue_send(logs)
        return logs

    @classmethod
    def stored_receipt(cls, package_id):
        "The receipt given for a package already received, or None"
        logs = cls.search([('received_key', '=', package_id)], limit=1)
        if logs and logs[0].receipt:
            try:
                return json.loads(logs[0].receipt)
            except ValueError:
                return None
        return None

    @classmethod
    def refused(cls, refusal, message, size):
        "A line of a package refused: what a peer sent and why"
        Peer = Pool().get('egov.document.exchange.peer')
        code = refusal.values.get('code')
        peer = Peer.by_code(code) if code else None
        cls.create([{
                    'direction': 'in',
                    'peer': peer.id if peer else None,
                    'package_id': (refusal.values.get('package') or '')[
                        :100] or None,
                    'state': 'refused',
                    'error': message[:250],
                    'size': size,
                    }])


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('egov.document.exchange.log|send_due',
                "Send Due Exchange Packages"))


# The document's side

def organ_code(unit):
    return unit.uscc or unit.code


def identifier(outgoing, code, year):
    """The 公文标识 of outgoing: the issuing organ's code, the year and
    the document's serial number on this platform (GB/T 33477 outline)"""
    return '%s-%s-%08d' % (code, year, outgoing.id)


def outgoing_package(outgoing, peer, today):
    "The Package of outgoing for peer (not yet built)"
    unit = outgoing.unit
    code = organ_code(unit)
    signed = outgoing.signed_at.date() if outgoing.signed_at else today
    externals = list(getattr(outgoing, 'external_recipients', []) or [])
    kind_code, kind_name = package_.kind_wire(outgoing.kind.code,
        outgoing.kind.name) if outgoing.kind else ('', '')
    document = package_.Document(
        identifier=identifier(outgoing, code, signed.year),
        kind_code=kind_code,
        kind_name=kind_name,
        secrecy=outgoing.secrecy,
        secrecy_years=outgoing.secrecy_term,
        urgency=outgoing.urgency,
        issuer=package_.Organ(code, unit.name),
        number=outgoing.number or '',
        signer=outgoing.signer.rec_name if outgoing.signer else '',
        title=outgoing.title,
        main_recipients=[package_.Organ(organ_code(u), u.name)
            for u in outgoing.main_recipients] + [
            package_.Organ(p.code, p.name) for p in externals],
        signatory=unit.name,
        date=signed,
        copy_recipients=[package_.Organ(organ_code(u), u.name)
            for u in outgoing.copy_recipients],
        printer=unit.name,
        printed=today,
        disclosure=dict(outgoing.__class__.fields_get(['disclosure'])[
                'disclosure']['selection']).get(outgoing.disclosure) or '',
        )
    files = []
    if outgoing.body:
        files.append(package_.File('body',
                outgoing.body_name or 'body', bytes(outgoing.body)))
    for attachment in attachments_of(outgoing):
        files.append(package_.File('attachment', attachment.name,
                bytes(attachment.data)))
    return package_.Package(
        sender=package_.Organ(peer.local_code, unit.name),
        receiver=package_.Organ(peer.code, peer.name),
        document=document, files=files)


def attachments_of(record):
    Attachment = Pool().get('ir.attachment')
    with without_check_access():
        return [a for a in Attachment.search([
                    ('resource', '=', str(record)),
                    ('type', '=', 'data'),
                    ], order=[('id', 'ASC')]) if a.data]


def addressed_unit(code):
    "The unit of the platform whose organ code is code"
    Unit = Pool().get('egov.org.unit')
    units = Unit.search([
            ['OR', ('code', '=', code), ('uscc', '=', code)],
            ('kind', '!=', 'department'),
            ], limit=2)
    return units[0] if len(units) == 1 else None


def _upload_guard():
    "The upload guard of egov_base, when installed"
    try:
        from egov_base.upload import guard
    except ImportError:
        return None
    return guard


def check_files(package):
    "The body and attachments pass the upload guard, when installed"
    guard = _upload_guard()
    if guard is None:
        return
    for file in package.files:
        guard.check(file.name, file.data,
            allowed=BODY_KINDS if file.role == 'body' else None)


def kind_of(doc):
    """The kind of the 收文: the 文种 of the package by its code, then its
    term (package_.KINDS), then a kind of this platform with that code or
    name; none of them is a refusal (the 条例 has 15 kinds, and a 收文
    registered under a wrong one would be counted and handled wrongly)"""
    Kind = Pool().get('egov.document.kind')
    if not (doc.kind_code or doc.kind_name):
        raise package_.PackageRefused('field', field='Kind')
    ours = package_.kind_of(doc.kind_code, doc.kind_name)
    for domain in ([('code', '=', ours)] if ours else [],
            [('code', '=', doc.kind_code)] if doc.kind_code else [],
            [('name', '=', doc.kind_name)] if doc.kind_name else []):
        if domain:
            kinds = Kind.search(domain, limit=1)
            if kinds:
                return kinds[0]
    raise package_.PackageRefused('kind', code=doc.kind_code or '-',
        name=doc.kind_name or '-')


def incoming_values(package, unit, kind):
    doc = package.document
    values = {
        'title': doc.title,
        'kind': kind.id if kind else None,
        'unit': unit.id,
        'source_name': doc.issuer.name,
        'source_number': doc.number or None,
        'secrecy': doc.secrecy,
        'secrecy_years': doc.secrecy_years,
        'urgency': doc.urgency,
        'received_date': Pool().get('ir.date').today(),
        'origin': 'exchange',
        'receipt': 'pending',
        'copies': 1,
        }
    body = package.body
    if body is not None:
        values['body'] = body.data
        values['body_name'] = body.name
    return values


def attach(record, files):
    Attachment = Pool().get('ir.attachment')
    if files:
        Attachment.create([{
                    'resource': str(record),
                    'name': f.name,
                    'type': 'data',
                    'data': f.data,
                    } for f in files])


def tell_clerks(unit, package):
    pool = Pool()
    Dispatch = pool.get('egov.document.dispatch')
    Message = pool.get('egov.notify.message')
    posts = Dispatch.clerks_of([unit.id])
    if not posts:
        return
    doc = package.document
    Message.send('egov_document', 'incoming_dispatched', {'posts': posts}, {
            'title': doc.title,
            'number': doc.number or '',
            'sender': doc.issuer.name,
            }, urgency='urgent' if doc.urgency != 'normal' else 'normal',
        sender=None)
