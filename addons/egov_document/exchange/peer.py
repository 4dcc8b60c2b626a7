"""The platforms the city exchanges 公文 with (the provincial system, the
archives bureau…): their organ code, the address of their exchange API,
the key pair this platform signs with towards them and their public key.

Every person may pick a peer as a recipient (its name and code); the keys
and the address are for the document administrators only, and the private
key never leaves the server, not even encrypted (as the message providers'
secrets, egov_base/notify/provider_config.py)."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.transaction import Transaction, without_check_access

from egov_base.security import crypto, field_guard

from ..exceptions import DocumentError
from ..secrecy import SECRECY
from . import package as package_, signing


# Our private key is read, searched, sorted and exported by no one over RPC
field_guard.SECRETS['egov.document.exchange.peer'] = frozenset(
    {'private_key', 'encryption_private_key'})


class Peer(crypto.EncryptValuesMixin, ModelSQL, ModelView):
    "Exchange Peer"
    __string__ = "Exchange Peer"
    __name__ = 'egov.document.exchange.peer'
    _never_read = ('private_key', 'encryption_private_key')
    # The directory of peers is the city's; keys and address are the
    # administrators' (field access in exchange.xml)
    _egov_visibility = 'city'

    name = fields.Char("Name", required=True, strip=True)
    code = fields.Char("Organ Code", required=True, strip=True,
        help="The peer's organ code (统一社会信用代码 or 组织机构代码), "
        "as in its packages (GB/T 33477).")
    local_code = fields.Char("Our Code", required=True, strip=True,
        help="The code this platform sends under, as the peer knows it.")
    endpoint = fields.Char("Endpoint URL", strip=True,
        help="The address of the peer's exchange API (https://…).")
    active = fields.Boolean("Active")
    secrecy_clearance = fields.Selection(SECRECY, "Secrecy Clearance",
        sort=False, required=True,
        help="The highest 密级 that may be sent to this peer: "
        "a document above it is refused at 分发.")
    public_key = fields.Char("Our Public Key", readonly=True,
        help="Give it to the peer: it checks our signatures with it.")
    private_key = fields.Char("Our Private Key", readonly=True)
    peer_public_key = fields.Text("Peer's Public Key",
        help="SM2 public key of the peer (hex, 128 digits), to check "
        "its packages and receipts.")
    timeout = fields.Integer("Timeout (seconds)", required=True,
        domain=[('timeout', '>=', 1), ('timeout', '<=', 300)])
    max_attempts = fields.Integer("Attempts", required=True,
        domain=[('max_attempts', '>=', 1), ('max_attempts', '<=', 50)],
        help="How many times a package is tried before it fails.")
    retry_delay = fields.Integer("First Retry After (seconds)",
        required=True,
        domain=[('retry_delay', '>=', 0), ('retry_delay', '<=', 86400)],
        help="Doubled at each attempt, at most an hour.")
    # SM2 key pairs for encryption apart from those for signatures (as
    # the 双证书 of GB/T 35276): the peer encrypts each package's SM4 key
    # with our public one
    encryption_public_key = fields.Char("Our Encryption Key", readonly=True,
        help="Give it to the peer: it encrypts its packages to us with it.")
    encryption_private_key = fields.Char("Our Decryption Key", readonly=True)
    peer_encryption_key = fields.Text("Peer's Encryption Key",
        help="SM2 public key of the peer for encryption (hex, 128 digits): "
        "packages to it are encrypted with SM4 under a key wrapped with "
        "it. Without it, documents of a 密级 are not sent to the peer and "
        "the others travel unencrypted.")
    key_set = fields.Function(fields.Boolean("Key Pair Made"),
        'get_key_set')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(table, table.code),
                'egov_document.msg_exchange_peer_code_unique'),
            ]
        cls._buttons.update({
                'generate_keys': {
                    'icon': 'tryton-launch',
                    'depends': ['key_set'],
                    },
                })

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def default_secrecy_clearance(cls):
        return 'none'

    @classmethod
    def default_timeout(cls):
        return 30

    @classmethod
    def default_max_attempts(cls):
        return 6

    @classmethod
    def default_retry_delay(cls):
        return 60

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('name', operator, value),
            ('code', operator, value),
            ]

    def get_key_set(self, name):
        return bool(self.public_key)

    @classmethod
    def validate_fields(cls, peers, field_names):
        super().validate_fields(peers, field_names)
        for peer in peers:
            for name in ('code', 'local_code'):
                if not package_.CODE.fullmatch(getattr(peer, name) or ''):
                    raise DocumentError(gettext(
                            'egov_document.msg_exchange_peer_code',
                            peer=peer.name, code=getattr(peer, name)))
            if peer.endpoint and not peer.endpoint.startswith(
                    ('https://', 'http://')):
                raise DocumentError(gettext(
                        'egov_document.msg_exchange_peer_endpoint',
                        peer=peer.name))
            for key in (peer.peer_public_key, peer.peer_encryption_key):
                if key:
                    try:
                        signing.normalise_public_key(key)
                    except signing.SignatureError:
                        raise DocumentError(gettext(
                                'egov_document.msg_exchange_peer_key',
                                peer=peer.name))

    @classmethod
    def _encrypt(cls, values):
        values = dict(values)
        for name in ('private_key', 'encryption_private_key'):
            if values.get(name):
                values[name] = crypto.encrypt(values[name])
        for name in ('peer_public_key', 'peer_encryption_key'):
            if values.get(name):
                values[name] = signing.normalise_public_key(
                    values[name]) if _is_key(values[name]) else values[name]
        return values

    @classmethod
    def copy(cls, peers, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('private_key', None)
        default.setdefault('public_key', None)
        default.setdefault('encryption_private_key', None)
        default.setdefault('encryption_public_key', None)
        default.setdefault('code', None)
        return super().copy(peers, default=default)

    @classmethod
    @ModelView.button
    def generate_keys(cls, peers):
        "A new key pair of this platform towards each peer"
        for peer in peers:
            private_key, public_key = signing.generate_key_pair()
            decryption_key, encryption_key = signing.generate_key_pair()
            cls.write([peer], {
                    'private_key': private_key,
                    'public_key': public_key,
                    'encryption_private_key': decryption_key,
                    'encryption_public_key': encryption_key,
                    })

    def _stored_key(self, column):
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(getattr(table, column),
                where=table.id == self.id))
        row = cursor.fetchone()
        return crypto.decrypt(row[0]) if row and row[0] else None

    def decryption_key(self):
        "Our SM2 private key for the packages of this peer, or None"
        return self._stored_key('encryption_private_key')

    def signing_key(self):
        "Our private key in clear, for the server's own use"
        key = self._stored_key('private_key')
        if not key:
            raise DocumentError(gettext(
                    'egov_document.msg_exchange_peer_no_key',
                    peer=self.name))
        return key

    @classmethod
    def by_code(cls, code):
        "The active peer of code, or None"
        peers = cls.search([('code', '=', code)], limit=1)
        return peers[0] if peers else None

    def may_receive(self, secrecy):
        from ..secrecy import reaches
        return reaches(self.secrecy_clearance, secrecy)

    @classmethod
    def check_cleared(cls, peers, document):
        refused = [p for p in peers if not p.may_receive(document.secrecy)]
        if refused:
            raise DocumentError(gettext(
                    'egov_document.msg_exchange_peer_not_cleared',
                    peers='、'.join(p.rec_name for p in refused[:5]),
                    secrecy=document.secrecy_label()))
        # A 密级 document crosses between platforms only encrypted
        with without_check_access():
            # (the keys are the administrators' fields)
            plain = [p for p in cls.browse(peers)
                if not p.peer_encryption_key]
        if plain and (document.secrecy or 'none') != 'none':
            raise DocumentError(gettext(
                    'egov_document.msg_exchange_peer_no_encryption',
                    peers='、'.join(p.rec_name for p in plain[:5]),
                    secrecy=document.secrecy_label()))

    @classmethod
    def check_ready(cls, peers):
        "Each peer has an address, our keys and its key"
        for peer in peers:
            if not (peer.endpoint and peer.public_key
                    and peer.peer_public_key and peer.active):
                raise DocumentError(gettext(
                        'egov_document.msg_exchange_peer_not_ready',
                        peer=peer.rec_name))


def _is_key(value):
    try:
        signing.normalise_public_key(value)
    except signing.SignatureError:
        return False
    return True
