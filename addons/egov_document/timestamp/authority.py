"""The time-stamping authorities (TSA) the platform asks: its own (a key
and a self-signed certificate made here, kept encrypted in the database,
or files named in the configuration) or an external one by URL, whose
answers are checked against the certificates given for it.

The first active authority that is ready stamps new receipts."""
import collections
import logging
import threading
import urllib.error
import urllib.request

from trytond import config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pyson import Eval
from trytond.transaction import Transaction

from egov_base.security import crypto, field_guard

from ..exceptions import DocumentError
from . import rfc3161

logger = logging.getLogger(__name__)

# Our authority's private key is read, searched, sorted and exported by no
# one over RPC
field_guard.SECRETS['egov.document.tsa'] = frozenset({'private_key'})

OWN = {'invisible': Eval('kind') != 'own'}
EXTERNAL = {
    'invisible': Eval('kind') != 'external',
    'required': Eval('kind') == 'external',
    }
CONTENT_TYPE = 'application/timestamp-query'

# Loading a key costs more than a signature: kept per process, by the
# authority and the moment it last changed
_signers = collections.OrderedDict()
_signers_lock = threading.Lock()


class Authority(crypto.EncryptValuesMixin, DeactivableMixin,
        sequence_ordered(), ModelSQL, ModelView):
    "Time-Stamping Authority"
    __string__ = "Time-Stamping Authority"
    __name__ = 'egov.document.tsa'
    _never_read = ('private_key',)
    _egov_visibility = 'admin'

    name = fields.Char("Name", required=True, strip=True)
    kind = fields.Selection([
            ('own', "The Platform's Own"),
            ('external', "External"),
            ], "Kind", required=True)
    algorithm = fields.Selection([
            ('rsa', "RSA (SHA-256)"),
            ('sm2', "SM2 (SM3)"),
            ], "Algorithm", states={
            'invisible': OWN['invisible'],
            'readonly': Eval('key_set', False),
            },
        help="RSA tokens are checked by `openssl ts -verify`; SM2 tokens "
        "follow GB/T 35276, which OpenSSL 3.0 does not check.")
    key_source = fields.Selection([
            ('database', "Database (Encrypted)"),
            ('file', "Files of the Configuration"),
            ], "Key", states=OWN,
        help="Files: [egov] tsa_key_file and tsa_certificate_file.")
    private_key = fields.Char("Private Key", readonly=True)
    certificate = fields.Text("Certificate", readonly=True, states=OWN,
        help="PEM; give it to whoever checks the tokens.")
    certificate_info = fields.Function(fields.Char("Certificate Holder"),
        'get_certificate_info')
    valid_until = fields.Function(fields.DateTime("Valid Until"),
        'get_certificate_info')
    key_set = fields.Function(fields.Boolean("Key Made"),
        'get_key_set')
    serve_http = fields.Boolean("Serve over HTTP", states=OWN,
        help="Answer RFC 3161 requests of other parties at "
        "POST /<database>/egov/tsa.")
    url = fields.Char("URL", strip=True, states=EXTERNAL)
    timeout = fields.Integer("Timeout (seconds)", required=True,
        domain=[('timeout', '>=', 1), ('timeout', '<=', 120)])
    trusted_certificates = fields.Text("Trusted Certificates",
        states=EXTERNAL,
        help="PEM: the authority's certificate or the CA that issued it.")
    max_tries = fields.Integer("Tries", required=True,
        domain=[('max_tries', '>=', 1), ('max_tries', '<=', 50)],
        help="How many times a stamp is asked before it fails.")
    retry_delay = fields.Integer("First Retry After (seconds)",
        required=True,
        domain=[('retry_delay', '>=', 1), ('retry_delay', '<=', 86400)],
        help="Doubled at each try, at most an hour.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'generate_certificate': {
                    'invisible': ((Eval('kind') != 'own')
                        | (Eval('key_source') != 'database')),
                    'icon': 'tryton-launch',
                    'depends': ['kind', 'key_source'],
                    },
                })

    @classmethod
    def default_kind(cls):
        return 'own'

    @classmethod
    def default_algorithm(cls):
        return 'rsa'

    @classmethod
    def default_key_source(cls):
        return 'database'

    @classmethod
    def default_timeout(cls):
        return 10

    @classmethod
    def default_max_tries(cls):
        return 8

    @classmethod
    def default_retry_delay(cls):
        return 60

    @classmethod
    def default_serve_http(cls):
        return False

    def get_key_set(self, name):
        return bool(self.certificate)

    @classmethod
    def get_certificate_info(cls, authorities, names):
        result = {n: {} for n in names}
        for authority in authorities:
            try:
                certificate, = rfc3161.load_certificates(
                    authority.certificate)[:1] or [None]
            except rfc3161.TimestampError:
                certificate = None
            if 'certificate_info' in names:
                result['certificate_info'][authority.id] = (
                    certificate.subject.human_friendly if certificate
                    else None)
            if 'valid_until' in names:
                result['valid_until'][authority.id] = (
                    certificate.not_valid_after.replace(tzinfo=None)
                    if certificate else None)
        return result

    @classmethod
    def validate_fields(cls, authorities, field_names):
        super().validate_fields(authorities, field_names)
        for authority in authorities:
            if authority.kind != 'external':
                continue
            if not (authority.url or '').startswith(('https://', 'http://')):
                raise DocumentError(gettext(
                        'egov_document.msg_tsa_url', tsa=authority.name))
            try:
                trusted = rfc3161.load_certificates(
                    authority.trusted_certificates)
            except rfc3161.TimestampError:
                trusted = []
            if not trusted:
                raise DocumentError(gettext(
                        'egov_document.msg_tsa_trusted', tsa=authority.name))

    @classmethod
    def _encrypt(cls, values):
        values = dict(values)
        if values.get('private_key'):
            values['private_key'] = crypto.encrypt(values['private_key'])
        return values

    @classmethod
    def copy(cls, authorities, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('private_key', None)
        default.setdefault('certificate', None)
        default.setdefault('serve_http', False)
        return super().copy(authorities, default=default)

    @classmethod
    @ModelView.button
    def generate_certificate(cls, authorities):
        """A new key pair and self-signed certificate (10 years; critical
        extended key usage timeStamping) for each own authority"""
        for authority in authorities:
            if authority.kind != 'own':
                continue
            key, certificate = rfc3161.generate(authority.algorithm,
                authority.name, _organisation())
            cls.write([authority], {
                    'private_key': key,
                    'certificate': rfc3161.pem(certificate),
                    })

    @classmethod
    def current(cls):
        "The authority that stamps new receipts, or None"
        for authority in cls.search([], order=[
                    ('sequence', 'ASC NULLS FIRST'), ('id', 'ASC')]):
            if authority.ready:
                return authority
        return None

    @property
    def ready(self):
        if self.kind == 'external':
            return bool(self.url and self.trusted_certificates)
        if self.key_source == 'file':
            return bool(config.get('egov', 'tsa_key_file', default=None))
        return bool(self.certificate)

    @property
    def digest_algorithm(self):
        return ('sm3' if self.kind == 'own' and self.algorithm == 'sm2'
            else 'sha256')

    def trusted(self):
        if self.kind == 'external':
            return rfc3161.load_certificates(self.trusted_certificates)
        return [self.signer().certificate]

    def signer(self):
        "Our authority's rfc3161.Signer (loaded once per change)"
        key = (Transaction().database.name, self.id,
            str(self.write_date or self.create_date), self.key_source)
        with _signers_lock:
            signer = _signers.get(key)
            if signer is not None:
                _signers.move_to_end(key)
                return signer
        if self.key_source == 'file':
            private, certificate = _read_files()
        else:
            private, certificate = self._stored_key()
        try:
            certificate, = rfc3161.load_certificates(certificate)[:1]
            signer = rfc3161.Signer(self.algorithm, private,
                certificate.dump())
        except (ValueError, TypeError):
            raise rfc3161.TimestampError('own_key')
        with _signers_lock:
            _signers[key] = signer
            while len(_signers) > 8:
                _signers.popitem(last=False)
        return signer

    def _stored_key(self):
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.private_key, table.certificate,
                where=table.id == self.id))
        row = cursor.fetchone()
        key = crypto.decrypt(row[0]) if row and row[0] else None
        if not key or not row[1]:
            raise rfc3161.TimestampError('own_key')
        return key, row[1]

    def stamp(self, hashed, algorithm):
        "The checked rfc3161.Stamp of the digest hashed; TimestampError"
        nonce = rfc3161.new_nonce()
        request = rfc3161.make_request(hashed, algorithm, nonce)
        if self.kind == 'own':
            answer = self.signer().respond(request, rfc3161.new_serial())
        else:
            answer = self.post(request)
        return rfc3161.read_answer(answer, hashed, algorithm, nonce,
            self.trusted())

    def post(self, request):
        "The answer of the external authority to request (DER)"
        http = urllib.request.Request(self.url, data=request, method='POST',
            headers={'Content-Type': CONTENT_TYPE,
                'Accept': 'application/timestamp-reply'})
        # Only the address configured: no proxy of the environment
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(http, timeout=self.timeout) as response:
                return response.read(rfc3161.MAX_ANSWER + 1)
        except urllib.error.HTTPError as error:
            raise rfc3161.TimestampError('status', status=error.code)
        except TimeoutError:
            raise rfc3161.TimestampError('timeout', seconds=self.timeout)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, 'reason', error)
            if isinstance(reason, TimeoutError):
                raise rfc3161.TimestampError('timeout',
                    seconds=self.timeout)
            raise rfc3161.TimestampError('unreachable')

    @classmethod
    def serving(cls):
        "The own authority that answers other parties over HTTP, or None"
        for authority in cls.search([
                    ('kind', '=', 'own'), ('serve_http', '=', True)],
                order=[('sequence', 'ASC NULLS FIRST'), ('id', 'ASC')]):
            if authority.ready:
                return authority
        return None


def _organisation():
    return config.get('egov', 'tsa_organisation', default='宜春市智慧办公平台')


def _read_files():
    "Our key and certificate from the files of the configuration"
    paths = [config.get('egov', 'tsa_key_file', default=None),
        config.get('egov', 'tsa_certificate_file', default=None)]
    if not all(paths):
        raise rfc3161.TimestampError('own_key')
    try:
        with open(paths[0], 'rb') as file:
            key = file.read(64 * 1024).decode('ascii').strip()
        with open(paths[1], 'rb') as file:
            certificate = file.read(64 * 1024)
    except (OSError, UnicodeDecodeError):
        logger.warning("the files of the time-stamping key cannot be read")
        raise rfc3161.TimestampError('own_key')
    return key, certificate
