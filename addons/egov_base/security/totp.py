"""Time-based one-time passwords (RFC 6238) as a second login factor: the
user scans a QR code with an authenticator app and confirms with a first
code. The seed is encrypted (crypto.py) and no user reads it through the
ORM; a code is accepted once."""
import io
import time

import pyotp
import qrcode
from qrcode.image.pure import PyPNGImage
from trytond import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import crypto
from .exceptions import SecurityError

ISSUER = '宜春市智慧办公平台'
CODE_DIGITS = 6
INTERVAL = 30


def issuer():
    return config.get('egov', 'totp_issuer', default=ISSUER)


def normalise_code(code):
    "Return the code without spaces, or None when it cannot be a code"
    if not isinstance(code, str):
        return None
    code = code.strip().replace(' ', '')
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    return code


class Key(ModelSQL):
    "The database's own encryption key when none is configured"
    __name__ = 'egov.security.key'
    __string__ = "Encryption Key"
    _egov_visibility = 'admin'
    _table = crypto.KEY_TABLE

    key = fields.Char("Key", strip=False)


class TOTP(ModelSQL):
    "The authenticator seed of a login"
    __name__ = 'egov.security.totp'
    __string__ = "Authenticator"
    _egov_visibility = 'admin'

    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    secret = fields.Char("Secret", strip=False)
    pending = fields.Char("Pending Secret", strip=False)
    last_counter = fields.Integer("Last Counter")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('user_unique', Unique(t, t.user),
                'egov_base.msg_security_totp_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.user, Index.Equality())))

    @classmethod
    def _for_user(cls, user_id):
        with without_check_access():
            records = cls.search([('user', '=', user_id)], limit=1)
            return records[0] if records else None

    @classmethod
    def enrolled(cls, user_id):
        record = cls._for_user(user_id)
        return bool(record and record.secret)

    @classmethod
    def start(cls, user_id):
        "Create a new pending seed for the user and return it"
        secret = pyotp.random_base32()
        record = cls._for_user(user_id)
        with without_check_access():
            if record:
                cls.write([record], {'pending': crypto.encrypt(secret)})
            else:
                cls.create([{
                            'user': user_id,
                            'pending': crypto.encrypt(secret),
                            }])
        return secret

    @classmethod
    def _match(cls, secret, code, after=None, at=None):
        "Return the counter code matches within one step, or None"
        totp = pyotp.TOTP(secret, digits=CODE_DIGITS, interval=INTERVAL)
        now = at if at is not None else time.time()
        counter = int(now // INTERVAL)
        for candidate in (counter, counter - 1, counter + 1):
            if after is not None and candidate <= after:
                continue
            if pyotp.utils.strings_equal(
                    totp.generate_otp(candidate), code):
                return candidate
        return None

    @classmethod
    def confirm(cls, user_id, code):
        "Make the pending seed the user's if code matches it"
        code = normalise_code(code)
        record = cls._for_user(user_id)
        if not code or not record or not record.pending:
            return False
        secret = crypto.decrypt(record.pending)
        counter = secret and cls._match(secret, code)
        if counter is None:
            return False
        with without_check_access():
            cls.write([record], {
                    'secret': record.pending,
                    'pending': None,
                    'last_counter': counter,
                    })
        return True

    @classmethod
    def verify(cls, user_id, code):
        """Return the counter of code if it is a valid code of the user not
        used before, else None (the counter is marked used by use())"""
        code = normalise_code(code)
        record = cls._for_user(user_id)
        if not code or not record or not record.secret:
            return None
        secret = crypto.decrypt(record.secret)
        if not secret:
            return None
        return cls._match(secret, code, after=record.last_counter)

    @classmethod
    def use(cls, user_id, counter):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.last_counter], [counter],
                where=(table.user == user_id)))

    @classmethod
    def remove(cls, user_ids):
        with without_check_access():
            cls.delete(cls.search([('user', 'in', list(user_ids))]))


def qr_png(uri):
    image = qrcode.make(uri, image_factory=PyPNGImage, box_size=6, border=2)
    output = io.BytesIO()
    image.save(output)
    return output.getvalue()


class EnrolStart(ModelView):
    __name__ = 'egov.security.totp.enrol.start'
    __string__ = "Set Up the Authenticator App"

    qr_code = fields.Binary("QR Code", readonly=True)
    secret = fields.Char(
        "Key", readonly=True,
        help="Type this key into the app if it cannot scan the code.")
    account = fields.Char("Account", readonly=True)
    code = fields.Char(
        "Code", size=CODE_DIGITS, required=True, strip=True,
        help="The 6 digits the app shows now.")


class Enrol(Wizard):
    "Set up an authenticator app (TOTP) for one's own login"
    __name__ = 'egov.security.totp.enrol'

    start = StateView('egov.security.totp.enrol.start',
        'egov_base.totp_enrol_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm", 'confirm', 'tryton-ok', default=True),
            ])
    confirm = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        User = pool.get('res.user')
        TOTP = pool.get('egov.security.totp')
        user = User(Transaction().user)
        secret = TOTP.start(user.id)
        uri = pyotp.TOTP(secret, digits=CODE_DIGITS, interval=INTERVAL
            ).provisioning_uri(name=user.login, issuer_name=issuer())
        return {
            'qr_code': qr_png(uri),
            'secret': ' '.join(
                secret[i:i + 4] for i in range(0, len(secret), 4)),
            'account': '%s (%s)' % (user.login, issuer()),
            }

    def transition_confirm(self):
        pool = Pool()
        User = pool.get('res.user')
        TOTP = pool.get('egov.security.totp')
        user_id = Transaction().user
        if not TOTP.confirm(user_id, self.start.code):
            raise SecurityError(gettext('egov_base.msg_security_totp_wrong'))
        with without_check_access():
            User.write([User(user_id)], {'second_factor': 'totp'})
        return 'end'

    def end(self):
        return 'reload context'


