"""Logins, failed logins, logouts and forged or unknown sessions, recorded
where Tryton decides them: res.user.get_login and ir.session."""
from trytond.exceptions import LoginException, RateLimitException
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .recording import clip, session_hash

NOBODY = (None,) * 9


def _login_actor(Log, user_id, login):
    "The actor of a login row: the user if known, else the typed login"
    if user_id:
        actor = list(Log.actor(user_id))
    else:
        actor = list(NOBODY)
    actor[1] = clip(login, 128)
    return tuple(actor)


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    # Masked in the audit (policy.py); modules add theirs in __setup__
    _egov_personal_fields = frozenset({'mobile'})

    @classmethod
    def get_login(cls, login, parameters):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        try:
            user_id = super().get_login(login, parameters)
        except RateLimitException:
            known, _, _ = cls._get_login(login)
            Log.record('login_failed', model='res.user', record_id=known,
                result='refused', method='common.db.login',
                message=gettext('egov_base.msg_audit_login_rate_limited'),
                actor=_login_actor(Log, known, login))
            raise
        except LoginException as exception:
            # A wrong password or code, a locked account (security/): a
            # failure, committed with the attempt. Otherwise the next
            # factor (password, code…) is asked: not a failure
            if getattr(exception, 'failure', False):
                known, _, _ = cls._get_login(login)
                # The person trying reads the same for both; the auditor
                # is told whether the login exists
                message = (clip(exception.message, 2000) if known
                    else gettext('egov_base.msg_audit_login_unknown_user'))
                Log.record('login_failed', model='res.user',
                    record_id=known, result='refused',
                    method='common.db.login', message=message,
                    actor=_login_actor(Log, known, login))
            raise
        if user_id:
            Log.record('login', model='res.user', record_id=user_id,
                method='common.db.login',
                actor=_login_actor(Log, user_id, login))
        else:
            known, _, _ = cls._get_login(login)
            message = gettext('egov_base.msg_audit_login_wrong_password'
                if known else 'egov_base.msg_audit_login_unknown_user')
            Log.record('login_failed', model='res.user', record_id=known,
                result='refused', method='common.db.login', message=message,
                actor=_login_actor(Log, known, login))
        return user_id


class Session(metaclass=PoolMeta):
    __name__ = 'ir.session'

    @classmethod
    def check(cls, user, key, domain=None):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        find = super().check(user, key, domain=domain)
        request = Transaction().context.get('_request')
        if find and isinstance(request, dict):
            # The request's own context: the actions of this request carry
            # the session (its hash) in their audit rows
            request['egov_session'] = session_hash(key)
        elif find is None:
            Log.record('session_invalid', model='res.user',
                record_id=user if isinstance(user, int) else None,
                result='refused', method='session',
                message=gettext('egov_base.msg_audit_session_invalid',
                    user=user),
                session=session_hash(key), actor=NOBODY)
        return find

    @classmethod
    def remove(cls, key, domain=None):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.create_uid,
                where=table.key == key, limit=1))
        row = cursor.fetchone()
        name = super().remove(key, domain=domain)
        if name and row:
            Log.record('logout', model='res.user', record_id=row[0],
                method='common.db.logout', session=session_hash(key),
                actor=Log.actor(row[0]))
        return name
