"""Lockout (登录失败处理): after too many failed logins within the lock
duration, an account is locked for that duration, even for the right
password — first only from the address the failures came from, so that
nobody locks someone else's account from their own desk; the whole
account only after many more failures from any addresses; and an address
after many failures of any accounts. The owner is told (a notification at
the next login, an SMS to their mobile). Unknown logins are counted and
locked the same way, so that a lock says nothing about whether a login
exists. The security administrator unlocks; a weak password scan may lock
an account until then."""
import datetime
import math

from sql.aggregate import Count
from trytond import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

LOGIN_SIZE = 512


def login_key(login):
    return (login or '')[:LOGIN_SIZE]


def remote_address():
    ip_address, _ = Transaction().remote_address()
    return str(ip_address) if ip_address else None


def account_attempts(policy):
    """Failures of one account from any addresses that lock it everywhere:
    well above those that lock it from one address"""
    return max(config.getint('egov', 'lockout_account_attempts',
            default=4 * policy.lockout_attempts),
        policy.lockout_attempts + 1)


class LoginFailure(ModelSQL):
    "A failed login, kept for the lock duration"
    __name__ = 'egov.security.login.failure'
    __string__ = "Failed Login"
    _egov_visibility = 'admin'

    login = fields.Char("Login", size=LOGIN_SIZE)
    ip_address = fields.Char("IP Address")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.login, Index.Equality()),
                    (t.create_date, Index.Range())),
                Index(t, (t.ip_address, Index.Equality()),
                    (t.create_date, Index.Range())),
                })

    @classmethod
    def add(cls, login):
        """Record a failed login; lock the account from this address, the
        whole account or the address when they reach their limits. Return
        (remaining attempts, lock or None)"""
        pool = Pool()
        Configuration = pool.get('egov.security.configuration')
        Lock = pool.get('egov.security.login.lock')
        policy = Configuration.policy()
        now = datetime.datetime.now()
        since = now - datetime.timedelta(minutes=policy.lockout_minutes)
        key = login_key(login)
        address = remote_address()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(where=table.create_date < since))
        with without_check_access():
            cls.create([{'login': key, 'ip_address': address}])

        def count(where):
            cursor.execute(*table.select(Count(),
                    where=where & (table.create_date >= since)))
            return cursor.fetchone()[0]

        same_address = (table.ip_address == address if address
            else table.ip_address == None)
        pair_failures = count((table.login == key) & same_address)
        account_failures = count(table.login == key)
        lock = None
        if account_failures >= account_attempts(policy):
            lock = Lock.lock('login', key, policy.lockout_minutes,
                account_failures)
        if not lock and pair_failures >= policy.lockout_attempts:
            lock = Lock.lock('login_address', key, policy.lockout_minutes,
                pair_failures, address=address)
        if address:
            address_failures = count(table.ip_address == address)
            if address_failures >= policy.lockout_address_attempts:
                lock = lock or Lock.lock('address', address,
                    policy.lockout_minutes, address_failures)
        return max(policy.lockout_attempts - pair_failures, 0), lock

    @classmethod
    def clear(cls, kind, keys, address=None):
        """Forget the failures of keys (logins or addresses); of logins
        from address only when given"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        column = table.login if kind == 'login' else table.ip_address
        if keys:
            where = column.in_(list(keys))
            if address is not None:
                where &= (table.ip_address == address) if address else (
                    table.ip_address == None)
            cursor.execute(*table.delete(where=where))


class LoginAttempt(metaclass=PoolMeta):
    __name__ = 'res.user.login.attempt'

    @classmethod
    def count(cls, login, device_cookie=None):
        """Tryton's back-off counts the failures of a login from the
        caller's address only: failures from elsewhere must not slow down
        or refuse the owner (the lock above decides for the account)"""
        address = remote_address()
        if not address:
            return super().count(login, device_cookie)
        login = login[:cls.login.size]
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(Count(),
                where=(table.login == login)
                & (table.device_cookie == device_cookie)
                & (table.ip_address == address)
                & (table.create_date >= cls.delay())))
        return cursor.fetchone()[0]


class LoginLock(ModelSQL, ModelView):
    __name__ = 'egov.security.login.lock'
    __string__ = "Login Lock"
    _egov_visibility = 'admin'

    kind = fields.Selection([
            ('login', "Account"),
            ('login_address', "Account from an Address"),
            ('address', "Network Address"),
            ], "Kind", readonly=True, required=True)
    key = fields.Char("Account or Address", readonly=True, required=True)
    address = fields.Char(
        "From Address", readonly=True,
        help="The address the account is locked from.")
    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='CASCADE')
    reason = fields.Selection([
            ('failures', "Failed logins"),
            ('weak', "Weak password"),
            ], "Reason", readonly=True, required=True)
    failures = fields.Integer("Failed Logins", readonly=True)
    locked_until = fields.DateTime(
        "Locked Until", readonly=True,
        help="Empty: until the security administrator unlocks it.")
    unlocked_at = fields.DateTime("Unlocked At", readonly=True)
    unlocked_by = fields.Many2One(
        'res.user', "Unlocked By", readonly=True, ondelete='SET NULL')
    state = fields.Function(fields.Selection([
                ('locked', "Locked"),
                ('expired', "Expired"),
                ('unlocked', "Unlocked"),
                ], "State"), 'get_state', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.key, Index.Equality()), (t.kind, Index.Equality())))
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'unlock': {
                    'invisible': Eval('state') != 'locked',
                    'depends': ['state'],
                    },
                })

    def get_rec_name(self, name):
        return self.key

    def get_state(self, name):
        if self.unlocked_at:
            return 'unlocked'
        if self.locked_until and self.locked_until <= _now():
            return 'expired'
        return 'locked'

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause
        now = _now()
        active = [
            ('unlocked_at', '=', None),
            ['OR',
                ('locked_until', '=', None),
                ('locked_until', '>', now),
                ],
            ]
        states = {
            'locked': active,
            'unlocked': [('unlocked_at', '!=', None)],
            'expired': [
                ('unlocked_at', '=', None),
                ('locked_until', '<=', now)],
            }
        values = value if isinstance(value, (list, tuple)) else [value]
        domain = ['OR'] + [states[v] for v in values if v in states]
        if operator in {'!=', 'not in'}:
            return ['NOT', domain]
        return domain

    @classmethod
    def active(cls, kind, key, address=None):
        "Return the active lock of key (from address), or None"
        if not key:
            return None
        domain = [
            ('kind', '=', kind),
            ('key', '=', key),
            ('state', '=', 'locked'),
            ]
        if kind == 'login_address':
            domain.append(('address', '=', address or ''))
        with without_check_access():
            locks = cls.search(domain, limit=1)
        return locks[0] if locks else None

    @classmethod
    def active_for(cls, login, address):
        "Return the lock that refuses login from address now, or None"
        key = login_key(login)
        return (cls.active('login', key)
            or cls.active('login_address', key, address)
            or cls.active('address', address))

    @classmethod
    def lock(cls, kind, key, minutes, failures=0, reason='failures',
            address=None):
        "Lock key for minutes (None: until unlocked); return the lock"
        pool = Pool()
        User = pool.get('res.user')
        existing = cls.active(kind, key, address)
        if existing:
            return existing
        user = None
        if kind in {'login', 'login_address'}:
            user = User._get_login(key)[0]
        until = None
        if minutes:
            until = _now() + datetime.timedelta(minutes=minutes)
        with without_check_access():
            lock, = cls.create([{
                        'kind': kind,
                        'key': key,
                        'address': (address or '') if kind == 'login_address'
                        else None,
                        'user': user,
                        'reason': reason,
                        'failures': failures,
                        'locked_until': until,
                        }])
        if user and reason == 'failures':
            lock.tell_owner()
        return lock

    def tell_owner(self):
        """Tell the owner of the account that it was locked: a
        notification they read at the next login, and an SMS"""
        pool = Pool()
        User = pool.get('res.user')
        Notification = pool.get('res.notification')
        with without_check_access():
            user = User(self.user.id)
            language = user.language.code if user.language else None
            with Transaction().set_context(language=language):
                values = dict(failures=self.failures,
                    address=self.address or '-',
                    time=self.create_date.strftime('%Y-%m-%d %H:%M')
                    if self.create_date else '',
                    minutes=pool.get('egov.security.configuration'
                        ).policy().lockout_minutes)
                if self.kind == 'login_address':
                    text = gettext(
                        'egov_base.msg_account_lock_notice_address',
                        **values)
                else:
                    text = gettext('egov_base.msg_account_lock_notice',
                        **values)
                Notification.create([{
                            'user': user.id,
                            'label': gettext(
                                'egov_base.msg_account_lock_notice_label'),
                            'description': text,
                            'icon': 'tryton-warning',
                            }])
            mobile = (User._sms_mobile(user.id)
                if hasattr(User, '_sms_mobile') else None)
        if mobile:
            from .sms import send_notice
            send_notice(text, mobile)

    @classmethod
    def lock_logins(cls, logins, reason='weak'):
        for login in logins:
            cls.lock('login', login, None, reason=reason)

    @classmethod
    def locked_logins(cls, logins):
        with without_check_access():
            return {l.key for l in cls.search([
                        ('kind', '=', 'login'),
                        ('key', 'in', list(logins)),
                        ('state', '=', 'locked'),
                        ])}

    def message(self):
        if self.locked_until is None:
            return gettext('egov_base.msg_security_login_blocked')
        minutes = max(math.ceil(
                (self.locked_until - _now()).total_seconds() / 60), 1)
        return gettext('egov_base.msg_security_login_locked',
            minutes=minutes)

    @classmethod
    @ModelView.button
    def unlock(cls, locks):
        pool = Pool()
        Failure = pool.get('egov.security.login.failure')
        Attempt = pool.get('res.user.login.attempt')
        cls.write(locks, {
                'unlocked_at': _now(),
                'unlocked_by': Transaction().user,
                })
        for lock in locks:
            if lock.kind == 'login_address':
                Failure.clear('login', [lock.key], address=lock.address)
        for kind in ['login', 'address']:
            keys = [l.key for l in locks if l.kind == kind]
            Failure.clear(kind, keys)
            if kind == 'login':
                keys += [l.key for l in locks if l.kind == 'login_address']
            if kind == 'login' and keys:
                # Tryton's own back-off counts the same failures
                attempt = Attempt.__table__()
                cursor = Transaction().connection.cursor()
                cursor.execute(*attempt.delete(
                        where=attempt.login.in_(keys)))


def _now():
    return datetime.datetime.now().replace(microsecond=0)
