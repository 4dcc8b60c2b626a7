"""Logins: the password policy and its history, the forced change of
password at login, the lockout, the built-in admin and the second factor.

The login flow is Tryton's own (`res.user.get_login` with the methods of
`[session] authentications`, e.g. `password+totp+sms`); every refusal is a
LoginException (the client asks again, with the reason) or a UserError, so
that the audit records it."""
import datetime
import hashlib
import hmac
import string

import zxcvbn
from trytond import config
from trytond.exceptions import LoginException
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.res.user import PasswordError
from trytond.transaction import Transaction, without_check_access

from . import keyboard, weak
from .exceptions import LoginFailed, LoginLocked, LoginRefused
from .lock import login_key, remote_address
from .roles import Roles

PASSWORD_MAX = 128
LOGIN_MAX = 512
STATE = '_egov_state'
# The language of the platform's users, where a request names none
USERS_LANGUAGE = 'zh_CN'
# zxcvbn's warnings, in the messages of the module
ZXCVBN_WARNINGS = [
    ('top-10', 'msg_security_strength_top'),
    ('top-100', 'msg_security_strength_top'),
    ('very common', 'msg_security_strength_common'),
    ('similar to a commonly used', 'msg_security_strength_common'),
    ('dates', 'msg_security_strength_dates'),
    ('recent years', 'msg_security_strength_years'),
    ('keyboard', 'msg_security_strength_keyboard'),
    ('repeats', 'msg_security_strength_repeats'),
    ('sequences', 'msg_security_strength_sequence'),
    ('names', 'msg_security_strength_names'),
    ('word by itself', 'msg_security_strength_word'),
    ]


def character_classes(password):
    classes = 0
    classes += any(c in string.ascii_uppercase for c in password)
    classes += any(c in string.ascii_lowercase for c in password)
    classes += any(c.isdigit() for c in password)
    classes += any(not c.isalnum() for c in password)
    return classes


def strength(password, words=()):
    "Return (score 0-4, message id of the main weakness or None)"
    if not password:
        return 0, None
    result = zxcvbn.zxcvbn(password[:PASSWORD_MAX], user_inputs=list(words))
    warning = (result.get('feedback') or {}).get('warning') or ''
    message = None
    for text, msg_id in ZXCVBN_WARNINGS:
        if text in warning.lower():
            message = msg_id
            break
    return result['score'], message


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    password_date = fields.DateTime(
        "Password Changed", readonly=True,
        help="When the password was last set.")
    password_must_change = fields.Boolean(
        "Must Change Password",
        help="The user must choose a new password at the next login.")
    password_change_reason = fields.Selection([
            (None, ""),
            ('reset', "Set by an administrator"),
            ('weak', "Weak password"),
            ('policy', "Required by the security administrator"),
            ], "Reason for Change", readonly=True)
    second_factor = fields.Selection([
            (None, "None"),
            ('totp', "Authenticator App"),
            ('sms', "SMS Code"),
            ], "Second Factor",
        help="What the user enters at login after the password.")
    second_factor_required = fields.Function(fields.Boolean(
            "Second Factor Required",
            help="One of the user's roles requires a second factor."),
        'get_second_factor_required')
    second_factor_next_login = fields.Boolean(
        "Second Factor at Next Login", readonly=True,
        help="An administrator role was gained: the next login asks for "
        "the second factor, whatever the role's own rule.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'reset_second_factor': {
                    'invisible': ~Eval('second_factor'),
                    'depends': ['second_factor'],
                    },
                })

    @classmethod
    def default_password_must_change(cls):
        return False

    # --- password policy -------------------------------------------------

    @classmethod
    def validate_password(cls, password, users):
        pool = Pool()
        Configuration = pool.get('egov.security.configuration')
        if not isinstance(password, str):
            raise PasswordError(gettext(
                    'egov_base.msg_security_password_too_long',
                    length=PASSWORD_MAX))
        if len(password) > PASSWORD_MAX:
            raise PasswordError(gettext(
                    'egov_base.msg_security_password_too_long',
                    length=PASSWORD_MAX))
        super().validate_password(password, users)
        policy = Configuration.policy()
        cls._check_password_policy(password, users, policy)
        cls._check_password_history(password, users, policy)

    @classmethod
    def _password_words(cls, user):
        login = getattr(user, 'login', None)
        name = getattr(user, 'name', None)
        units = []
        if getattr(user, 'id', None) and user.id > 0:
            with without_check_access():
                _, _, units = weak.user_words(cls(user.id))
        return login, name, units

    @classmethod
    def _check_password_policy(cls, password, users, policy):
        if len(password) < policy.password_length:
            raise PasswordError(gettext(
                    'egov_base.msg_security_password_length',
                    length=policy.password_length))
        if character_classes(password) < policy.password_classes:
            raise PasswordError(gettext(
                    'egov_base.msg_security_password_classes',
                    classes=policy.password_classes))
        lowered = password.lower()
        if keyboard.is_keyboard_pattern(password):
            raise PasswordError(gettext(
                    'egov_base.msg_account_password_keyboard'))
        words = []
        for user in users:
            login, name, units = cls._password_words(user)
            words.extend(w for w in [login, name, *units] if w)
            if login and len(login) >= 3 and login.lower() in lowered:
                raise PasswordError(gettext(
                        'egov_base.msg_security_password_login'))
            if name:
                full, initials = weak.pinyin_forms(name)
                if (name.lower() in lowered
                        or (len(full) >= 3 and full in lowered)
                        or (len(initials) >= 3 and initials in lowered)):
                    raise PasswordError(gettext(
                            'egov_base.msg_security_password_name'))
            found = weak.organisation_word_in(password, units)
            if found:
                raise PasswordError(gettext(
                        'egov_base.msg_account_password_organisation',
                        name=found))
            if weak.weak_reason(password, login, name, units):
                raise PasswordError(gettext(
                        'egov_base.msg_security_password_weak'))
        if not users and weak.weak_reason(password, None, None):
            raise PasswordError(gettext(
                    'egov_base.msg_security_password_weak'))
        score, message = strength(password, words)
        if score < policy.password_min_score:
            hint = gettext('egov_base.' + message) if message else ''
            raise PasswordError(gettext(
                    'egov_base.msg_security_password_strength',
                    hint=hint))

    @classmethod
    def _check_password_history(cls, password, users, policy):
        pool = Pool()
        History = pool.get('egov.security.password.history')
        if not policy.password_history:
            return
        for user in users:
            user_id = getattr(user, 'id', None)
            if not user_id or user_id < 0:
                continue
            hashes = History.last_hashes(user_id, policy.password_history)
            current = cls._password_hashes([user_id])[user_id]
            if current and current not in hashes:
                hashes.insert(0, current)
            for hash_ in hashes[:policy.password_history]:
                valid, _ = cls.check_password(password, hash_)
                if valid:
                    raise PasswordError(gettext(
                            'egov_base.msg_security_password_history',
                            count=policy.password_history))

    @classmethod
    def set_password(cls, users, name, value):
        pool = Pool()
        History = pool.get('egov.security.password.history')
        super().set_password(users, name, value)
        if not value or value == 'x' * 10:
            return
        writer = Transaction().user
        now = datetime.datetime.now()
        to_write = []
        for user in users:
            # A password set by someone else (an administrator creating
            # the login or resetting it) is changed at the first login
            by_other = writer not in {0, user.id}
            to_write.extend([[user], {
                        'password_date': now,
                        'password_must_change': by_other,
                        'password_change_reason': (
                            'reset' if by_other else None),
                        }])
        with without_check_access():
            cls.write(*to_write)
            History.add(users)

    @classmethod
    def copy(cls, users, default=None):
        default = default.copy() if default else {}
        for name in ['password_date', 'password_must_change',
                'password_change_reason', 'second_factor']:
            default.setdefault(name, None)
        return super().copy(users, default=default)

    @classmethod
    def _password_hashes(cls, user_ids):
        "Return {user id: password hash}: read() always hides the hashes"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        user_ids = list(user_ids)
        for i in range(0, len(user_ids), 1000):
            cursor.execute(*table.select(table.id, table.password_hash,
                    where=table.id.in_(user_ids[i:i + 1000])))
            result.update(cursor)
        return result

    # --- preferences -----------------------------------------------------

    @classmethod
    def set_preferences(cls, values):
        """One's name is the organisation's, one's password is changed
        with the current one (Change Password) and a new mobile is
        confirmed by a code sent to it (Change Mobile): not here"""
        values = dict(values)
        with without_check_access():
            user = cls(Transaction().user)
            current = {
                'name': user.name,
                'mobile': getattr(user, 'mobile', None),
                }
        for name, message in [
                ('name', 'msg_account_rename_self'),
                ('mobile', 'msg_account_mobile_self')]:
            if name in values:
                if (values[name] or None) != (current[name] or None):
                    raise AccessError(gettext('egov_base.' + message))
                del values[name]
        password = values.pop('password', None)
        if password and password != 'x' * 10:
            raise AccessError(gettext('egov_base.msg_account_password_self'))
        if not isinstance(values.get('language', ''), str):
            # Tryton ignores an unknown language code, but puts the value
            # in the context, where a number broke the call
            del values['language']
        super().set_preferences(values)

    # --- second factor ---------------------------------------------------

    @classmethod
    def get_second_factor_required(cls, users, name):
        return {u.id: cls._second_factor_required(u.id) for u in users}

    @classmethod
    def _second_factor_required(cls, user_id):
        pool = Pool()
        Group = pool.get('res.group')
        if user_id == cls._builtin_admin():
            # Its login is closed unless [egov] admin_login opens it for a
            # maintenance window: the roles it holds for setting up ask no
            # second factor of it
            return False
        with without_check_access():
            if cls(user_id).second_factor_next_login:
                return True
        groups = Roles.users_groups([user_id])[user_id]
        if not groups:
            return False
        cursor = Transaction().connection.cursor()
        parents = Group.group_parent_all_cte()
        group = Group.__table__()
        cursor.execute(*parents
            .join(group, condition=group.id == parents.parent)
            .select(group.id, where=parents.id.in_(list(groups))
                & (group.second_factor == True)
                & (group.active == True),
                with_=parents, limit=1))
        return bool(cursor.fetchone())

    @classmethod
    def _second_factor(cls, user_id):
        """Return the factor the user logs in with: 'totp', 'sms', None,
        or 'missing' when one is required but none is set up"""
        pool = Pool()
        TOTP = pool.get('egov.security.totp')
        with without_check_access():
            user = cls(user_id)
            chosen = user.second_factor
        if chosen == 'totp' and TOTP.enrolled(user_id):
            return 'totp'
        if chosen == 'sms' and cls._sms_available(user_id):
            return 'sms'
        if chosen or cls._second_factor_required(user_id):
            if cls._sms_available(user_id):
                return 'sms'
            return 'missing'
        return None

    @classmethod
    def _sms_available(cls, user_id):
        "Whether SMS codes can be sent to the user"
        return (cls._login_methods() >= {'sms'}
            and hasattr(cls, '_sms_mobile')
            and bool(cls._sms_mobile(user_id)))

    @staticmethod
    def _login_methods():
        methods = set()
        for alternative in config.get(
                'session', 'authentications', default='password').split(','):
            for method in alternative.split('+'):
                methods.add(method.split('?', 1)[0].strip())
        return methods

    @classmethod
    def _login_totp(cls, login, parameters):
        pool = Pool()
        TOTP = pool.get('egov.security.totp')
        user_id = cls._get_login(login)[0]
        if not user_id:
            return None
        state = parameters.get(STATE, {})
        if cls._second_factor(user_id) != 'totp':
            return user_id
        code = parameters.get('totp_code')
        if not code:
            raise LoginException('totp_code',
                gettext('egov_base.msg_security_totp_code'), type='char')
        counter = TOTP.verify(user_id, code)
        if counter is None:
            state['failed'] = 'totp'
            return None
        state['second_factor'] = 'totp'
        state['totp_counter'] = counter
        return user_id

    @classmethod
    @ModelView.button
    def reset_second_factor(cls, users):
        "Remove the second factor (a lost phone): it is set up anew"
        pool = Pool()
        TOTP = pool.get('egov.security.totp')
        TOTP.remove([u.id for u in users])
        with without_check_access():
            cls.write(list(users), {'second_factor': None})

    # --- login -----------------------------------------------------------

    @classmethod
    def _builtin_admin(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('res', 'user_admin')
        except KeyError:
            return None

    @classmethod
    def get_login(cls, login, parameters):
        # The web client sends its locale (zh-CN); the messages of the login
        # are looked up under the language code (zh_CN). A login without
        # one (HTTP Basic on a route, a script) is answered in the users'
        # language, not in the database's base language (en)
        language = Transaction().context.get('language')
        if isinstance(language, str) and '-' in language:
            language = language.replace('-', '_')
        if not language or not isinstance(language, str):
            language = USERS_LANGUAGE
        with Transaction().set_context(language=language):
            return cls._egov_get_login(login, parameters)

    @classmethod
    def _egov_get_login(cls, login, parameters):
        pool = Pool()
        Lock = pool.get('egov.security.login.lock')
        Failure = pool.get('egov.security.login.failure')
        TOTP = pool.get('egov.security.totp')
        if not isinstance(login, str) or not isinstance(parameters, dict):
            raise LoginFailed('password',
                gettext('egov_base.msg_security_login_failed',
                    remaining='-'), 'password')
        key = login_key(login)
        address = remote_address()
        lock = Lock.active_for(key, address)
        if lock:
            raise LoginLocked('password', lock.message(), 'password')
        admin_id = cls._builtin_admin()
        if (admin_id and not config.getboolean(
                    'egov', 'admin_login', default=False)
                and cls._get_login(login)[0] == admin_id):
            raise LoginRefused(gettext('egov_base.msg_security_admin_login'))

        parameters = {k: v for k, v in parameters.items() if k != STATE}
        state = parameters[STATE] = {}
        too_long = len(login) > LOGIN_MAX or any(
            not isinstance(v, str) or len(v) > 4 * PASSWORD_MAX
            for k, v in parameters.items()
            if k in {'password', 'new_password', 'totp_code', 'sms_code'}
            or k.startswith('confirm_password_'))
        user_id = None
        if not too_long:
            user_id = super().get_login(login, parameters)
        if not user_id:
            remaining, lock = Failure.add(login)
            if lock:
                raise LoginLocked('password', lock.message(), 'password')
            failed = state.get('failed')
            if failed == 'totp':
                raise LoginFailed('totp_code',
                    gettext('egov_base.msg_security_totp_failed',
                        remaining=remaining), 'char')
            if failed == 'sms':
                raise LoginFailed('sms_code',
                    gettext('egov_base.msg_security_sms_failed',
                        remaining=remaining), 'char')
            raise LoginFailed('password',
                gettext('egov_base.msg_security_login_failed',
                    remaining=remaining), 'password')

        factor = cls._second_factor(user_id)
        if factor and state.get('second_factor') != factor:
            # Required but not asked: not set up, or the server is not
            # configured for it. Fail closed.
            raise LoginRefused(gettext(
                    'egov_base.msg_security_second_factor_missing'))
        if 'totp_counter' in state:
            TOTP.use(user_id, state['totp_counter'])
        if factor:
            with without_check_access():
                user = cls(user_id)
                if user.second_factor_next_login:
                    # The role gained is now confirmed by its holder
                    cls.write([user], {'second_factor_next_login': False})
        # A success forgets the failures from this address only: those
        # from elsewhere still count towards the account's lock
        Failure.clear('login', [key], address=address or '')
        if 'new_password' in state:
            with Transaction().set_user(user_id), without_check_access():
                cls.write([cls(user_id)], {'password': state['new_password']})
        else:
            with without_check_access():
                user = cls(user_id)
                if not user.password_date:
                    cls.write([user], {
                            'password_date': datetime.datetime.now()})
        return user_id

    @classmethod
    def _login_password(cls, login, parameters):
        user_id = super()._login_password(login, parameters)
        if not user_id:
            return user_id
        password = parameters.get('password')
        if not isinstance(password, str):
            return user_id
        reason = cls._password_change_reason(user_id, password)
        if reason:
            cls._ask_new_password(user_id, parameters, reason)
        return user_id

    @classmethod
    def _password_change_reason(cls, user_id, password):
        pool = Pool()
        Configuration = pool.get('egov.security.configuration')
        policy = Configuration.policy()
        with without_check_access():
            user = cls(user_id)
            if user.password_must_change:
                return user.password_change_reason or 'policy'
            if (policy.password_max_age and user.password_date
                    and datetime.datetime.now() - user.password_date
                    > datetime.timedelta(days=policy.password_max_age)):
                return 'expired'
            if weak.weak_reason(password, *weak.user_words(user)):
                cls.write([user], {
                        'password_must_change': True,
                        'password_change_reason': 'weak',
                        })
                return 'weak'
            try:
                cls._check_password_policy(password, [user], policy)
            except PasswordError:
                return 'policy'
        return None

    @classmethod
    def _ask_new_password(cls, user_id, parameters, reason):
        state = parameters.get(STATE, {})
        intro = gettext('egov_base.msg_security_password_change_%s' % reason)
        new = parameters.get('new_password')
        if not new or not isinstance(new, str):
            raise LoginException('new_password', intro, type='password')
        with without_check_access():
            user = cls(user_id)
            try:
                cls.validate_password(new, [user])
            except PasswordError as exception:
                raise LoginException('new_password', gettext(
                        'egov_base.msg_security_password_again',
                        problem=exception.message), type='password')
            secret = cls._password_hashes([user_id])[user_id] or ''
        # The confirmation is asked under a name bound to the new password:
        # a new password typed after a mismatch is confirmed anew
        digest = hmac.new(secret.encode('utf-8'), new.encode('utf-8'),
            hashlib.sha256).hexdigest()[:12]
        confirm_name = 'confirm_password_' + digest
        confirm = parameters.get(confirm_name)
        if confirm is None:
            raise LoginException(confirm_name,
                gettext('egov_base.msg_security_password_confirm'),
                type='password')
        if not hmac.compare_digest(
                str(confirm).encode('utf-8'), new.encode('utf-8')):
            raise LoginException('new_password',
                gettext('egov_base.msg_security_password_mismatch'),
                type='password')
        state['new_password'] = new

    # --- weak password scan ----------------------------------------------

    @classmethod
    def egov_weak_scan(cls, users, scan_id):
        "Try the weak candidates on the stored password of each user"
        pool = Pool()
        Result = pool.get('egov.security.weak.result')
        Scan = pool.get('egov.security.weak.scan')
        Configuration = pool.get('egov.security.configuration')
        policy = Configuration.policy()
        found = []
        with without_check_access():
            users = cls.browse(users)
            hashes = cls._password_hashes([u.id for u in users])
            for user in users:
                hash_ = hashes.get(user.id)
                if not hash_:
                    continue
                for guess, reason in weak.candidates(
                        *weak.user_words(user),
                        limit=policy.weak_scan_candidates):
                    valid, _ = cls.check_password(guess, hash_)
                    if valid:
                        found.append((user, reason))
                        break
            if found:
                Result.create([{
                            'scan': scan_id,
                            'user': u.id,
                            'reason': r,
                            } for u, r in found])
                cls.write([u for u, _ in found], {
                        'password_must_change': True,
                        'password_change_reason': 'weak',
                        })
            Scan.add_progress(scan_id, len(users))
        return [u.id for u, _ in found]


class PasswordHistory(ModelSQL):
    "A former password of a login, as its hash"
    __name__ = 'egov.security.password.history'
    __string__ = "Password History"
    _egov_visibility = 'admin'

    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    password_hash = fields.Char("Password Hash", strip=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]

    @classmethod
    def add(cls, users):
        pool = Pool()
        Configuration = pool.get('egov.security.configuration')
        User = pool.get('res.user')
        keep = max(Configuration.policy().password_history, 1)
        hashes = User._password_hashes([u.id for u in users])
        with without_check_access():
            cls.create([{'user': u, 'password_hash': h}
                    for u, h in hashes.items() if h])
            for user in users:
                old = cls.search([('user', '=', user.id)], offset=keep)
                if old:
                    cls.delete(old)

    @classmethod
    def last_hashes(cls, user_id, count):
        with without_check_access():
            return [h.password_hash for h in cls.search(
                    [('user', '=', user_id)], limit=count)]
