"""收文时间戳: when a 收文 is received (签收 of a dispatched or exchanged
one, the arrival of an exchange package, the 登记 of a paper one), its
body and each attachment are hashed and time-stamped by the authority in
use (authority.py); the token is kept with what it proves.

The receipt never waits for the stamp: an authority that is down, slow or
answers wrongly leaves the stamp pending, and it is asked again later
(the task queue, then the cron), each time after twice the delay."""
import datetime
import logging

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from egov_base.tools import enqueue, retry_delay

from ..document import now
from . import rfc3161

logger = logging.getLogger(__name__)
QUEUE = 'egov_timestamp'
MAX_DELAY = 3600
STATES = [
    ('pending', "Pending"),
    ('done', "Stamped"),
    ('failed', "Failed"),
    ]
SUBJECTS = [
    ('body', "Body"),
    ('attachment', "Attachment"),
    ]
EVENTS = [
    ('sign_for', "Signed For"),
    ('arrival', "Arrival by Exchange"),
    ('register', "Registration"),
    ]


def error_text(error):
    "The Chinese message of a TimestampError"
    return gettext('egov_document.msg_tsa_error_%s' % error.code,
        **error.values)


class Timestamp(ModelSQL, ModelView):
    "Document Timestamp"
    __string__ = "Document Timestamp"
    __name__ = 'egov.document.timestamp'
    _egov_visibility = 'parent'

    incoming = fields.Many2One('egov.document.incoming', "Document",
        required=True, ondelete='CASCADE', readonly=True)
    event = fields.Selection(EVENTS, "Event", readonly=True)
    subject = fields.Selection(SUBJECTS, "Stamped", readonly=True)
    name = fields.Char("File", readonly=True)
    attachment = fields.Many2One('ir.attachment', "Attachment",
        readonly=True, ondelete='SET NULL')
    algorithm = fields.Char("Digest Algorithm", readonly=True)
    digest = fields.Char("Digest", readonly=True)
    tsa = fields.Many2One('egov.document.tsa', "Authority", readonly=True,
        ondelete='RESTRICT')
    tsa_name = fields.Char("Authority Name", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True)
    tries = fields.Integer("Tries", readonly=True)
    next_try = fields.DateTime("Next Try", readonly=True)
    error = fields.Char("Error", readonly=True)
    token = fields.Binary("Token", filename='token_name', readonly=True)
    token_name = fields.Function(fields.Char("Token File Name"),
        'get_token_name')
    gen_time = fields.DateTime("Stamped At", readonly=True,
        help="The time in the token (UTC shown in local time).")
    serial = fields.Char("Serial Number", readonly=True)
    policy = fields.Char("Policy", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('incoming')
        cls._order = [('incoming', 'DESC'), ('id', 'ASC')]
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') == 'done',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_tries(cls):
        return 0

    def get_rec_name(self, name):
        return '%s %s' % (self.incoming.rec_name, self.name or '')

    @classmethod
    def check_modification(cls, mode, stamps, values=None, external=False):
        super().check_modification(
            mode, stamps, values=values, external=external)
        # What a token proves is the platform's record: no one edits it
        if stamps and external:
            raise AccessError(gettext('egov_document.msg_timestamp_kept'))

    def get_token_name(self, name):
        return '%s.tsr' % (self.serial or self.id)

    # Making the stamps

    @classmethod
    def receive(cls, incomings, event):
        """Stamp the body and attachments of incomings not stamped yet as
        they are (a file changed since is stamped again)"""
        pool = Pool()
        Authority = pool.get('egov.document.tsa')
        with without_check_access():
            authority = Authority.current()
            if authority is None or not incomings:
                return []
            algorithm = authority.digest_algorithm
            known = {(t.incoming.id, t.subject, t.name, t.digest)
                for t in cls.search([
                        ('incoming', 'in', [i.id for i in incomings]),
                        ('state', '!=', 'failed'),
                        ])}
            vlist = []
            for incoming in incomings:
                for subject, name, attachment, data in _files(incoming):
                    digest = rfc3161.digest(data, algorithm).hex()
                    if (incoming.id, subject, name, digest) in known:
                        continue
                    vlist.append({
                            'incoming': incoming.id,
                            'event': event,
                            'subject': subject,
                            'name': name,
                            'attachment': attachment,
                            'algorithm': algorithm,
                            'digest': digest,
                            'tsa': authority.id,
                            'tsa_name': authority.name,
                            })
            stamps = cls.create(vlist)
        if authority.kind == 'own':
            # Our own authority answers in milliseconds: stamped at once
            cls.stamp(stamps)
        else:
            cls.queue_stamp(stamps)
        return stamps

    @classmethod
    def queue_stamp(cls, stamps, delay=None):
        "Ask the worker; without one, after commit (or the cron later)"
        enqueue(cls, 'stamp', stamps, QUEUE, delay=delay)

    @classmethod
    def stamp(cls, stamps):
        "Ask the authority of each pending stamp once"
        with without_check_access():
            for stamp in cls.browse([s.id for s in stamps]):
                if stamp.state == 'pending':
                    stamp.attempt()

    def attempt(self):
        try:
            if not self.tsa or not self.tsa.active:
                raise rfc3161.TimestampError('no_tsa')
            result = self.tsa.stamp(bytes.fromhex(self.digest),
                self.algorithm)
        except rfc3161.TimestampError as error:
            self.failed_try(error)
            return
        self.write([self], {
                'state': 'done',
                'tries': self.tries + 1,
                'token': result.token,
                'gen_time': result.gen_time.astimezone(
                    datetime.timezone.utc).replace(tzinfo=None),
                'serial': '%x' % result.serial,
                'policy': result.policy,
                'error': None,
                'next_try': None,
                })

    def failed_try(self, error):
        message = error_text(error)
        tries = self.tries + 1
        values = {'tries': tries, 'error': message[:250]}
        max_tries = self.tsa.max_tries if self.tsa else 1
        delay = None
        if tries >= max_tries:
            values.update(state='failed', next_try=None)
        else:
            delay = retry_delay(self.tsa.retry_delay if self.tsa else 60,
                tries, MAX_DELAY)
            values['next_try'] = now() + delay
        self.write([self], values)
        logger.warning("收文时间戳未取得（%s，第%s次）：%s",
            self.incoming.id, tries, message)
        if values.get('state') == 'failed':
            self.tell_failure(message)
        else:
            self.queue_stamp([self], delay=delay)

    def tell_failure(self, message):
        "The person who received the document learns it stays unstamped"
        incoming = self.incoming
        user = incoming.received_by or incoming.registrar
        if not user:
            return
        incoming.__class__.notify_user([incoming], 'tryton-warning',
            gettext('egov_document.msg_tsa_failed_label'),
            gettext('egov_document.msg_tsa_failed',
                document=incoming.rec_name, file=self.name or '',
                error=message),
            user=user.id)

    @classmethod
    def stamp_due(cls):
        "The cron's sweep: ask again for the stamps whose time has come"
        with without_check_access():
            stamps = cls.search([
                    ('state', '=', 'pending'),
                    ['OR',
                        ('next_try', '=', None),
                        ('next_try', '<=', now()),
                        ],
                    ], order=[('id', 'ASC')], limit=500)
        cls.stamp(stamps)

    @classmethod
    @ModelView.button
    def retry(cls, stamps):
        "Ask again now, from a fresh count"
        from egov_base.tools import check_read_access
        check_read_access(cls, stamps)
        stamps = [s for s in stamps if s.state != 'done']
        with without_check_access():
            cls.write(stamps, {
                    'state': 'pending', 'tries': 0, 'next_try': None})
        cls.stamp(stamps)

    def verify(self, data):
        "TimestampError unless the token proves data (bytes) at gen_time"
        rfc3161.check_token(self.token, rfc3161.digest(data,
                self.algorithm), self.algorithm, None, self.tsa.trusted(),
            now=self.gen_time.replace(tzinfo=datetime.timezone.utc))


def _files(incoming):
    "(subject, name, attachment id, data) of the body and attachments"
    Attachment = Pool().get('ir.attachment')
    if incoming.body:
        yield ('body', incoming.body_name or '正文', None,
            bytes(incoming.body))
    for attachment in Attachment.search([
                ('resource', '=', str(incoming)),
                ('type', '=', 'data'),
                ], order=[('id', 'ASC')]):
        if attachment.data:
            yield ('attachment', attachment.name, attachment.id,
                bytes(attachment.data))


class Incoming(metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'

    timestamps = fields.One2Many('egov.document.timestamp', 'incoming',
        "Timestamps", readonly=True)

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('timestamps', None)
        return super().copy(documents, default=default)

    @classmethod
    @ModelView.button
    def sign_for(cls, documents):
        pending = [d for d in documents if d.receipt == 'pending']
        super().sign_for(documents)
        Timestamp = Pool().get('egov.document.timestamp')
        Timestamp.receive(cls.browse([
                    d.id for d in pending]), 'sign_for')

    @classmethod
    @ModelView.button
    def workflow_start(cls, documents):
        super().workflow_start(documents)
        Timestamp = Pool().get('egov.document.timestamp')
        Timestamp.receive(cls.browse([d.id for d in documents]),
            'register')


class ExchangeLog(metaclass=PoolMeta):
    __name__ = 'egov.document.exchange.log'

    @classmethod
    def receive(cls, data):
        incoming, answer = super().receive(data)
        Timestamp = Pool().get('egov.document.timestamp')
        Timestamp.receive([incoming], 'arrival')
        return incoming, answer


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('egov.document.timestamp|stamp_due',
                "Ask Pending Document Timestamps"))
