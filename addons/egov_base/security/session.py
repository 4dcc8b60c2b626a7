"""Sessions: the check every call starts with, in one query, and the idle
timeout.

Tryton 8.0's check searches and reads every session of the person from the
same address through the ORM (by `create_uid`, which no index of the table
starts with: a scan of the whole table, 51,000 people's sessions) and
deletes the expired ones, on every call; it checks the idle timeout
(`[session] timeout`, 30 minutes) only for the calls that need a fresh
session. Here the session is read by its key (the table's index) in one
query, a session older than `[session] max_age` or idle longer than the
timeout is refused and removed on any call, and the person's other expired
sessions are removed when they log in.

After each call Tryton's dispatcher opens a transaction of its own to
bump the session's activity (`security.reset`), which writes only when the
last bump is older than a tenth of the timeout: the check has just read
that time, so the call's request carries it and the transaction is opened
only when there is something to write."""
import datetime
from secrets import compare_digest

from sql.conditionals import Coalesce

from trytond import backend, config, security
from trytond.pool import PoolMeta
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction

from . import routes  # noqa: F401 (Tryton's HTTP routes, mended or closed)

# Where the check leaves the session's last activity in the request's own
# context (shared by the call's transactions and the reset after it)
ACTIVE = 'egov_session_active'


def _limits():
    "(max age, idle timeout) of a session"
    return (
        datetime.timedelta(seconds=config.getint('session', 'max_age')),
        datetime.timedelta(seconds=config.getint('session', 'timeout')))


class Session(metaclass=PoolMeta):
    __name__ = 'ir.session'

    @classmethod
    def check(cls, user, key, domain=None):
        """True for a valid session, False for one expired (removed), None
        for a key unknown to this person at this address"""
        if domain:
            # A caller's own condition on the sessions: Tryton's check
            return cls._idle_checked(
                super().check(user, key, domain=domain), key)
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        query = table.select(table.id, table.key, table.ip_address,
            table.create_date.as_('created'),
            Coalesce(table.write_date, table.create_date).as_('active'),
            where=(table.key == key) & (table.create_uid == user),
            limit=1)
        if backend.name == 'sqlite':
            sqlite_apply_types(query, [None, None, None, 'DATETIME',
                    'DATETIME'])
        cursor.execute(*query)
        row = cursor.fetchone()
        ip_address, _ = transaction.remote_address()
        ip_address = str(ip_address) if ip_address else None
        if (not row or not compare_digest(row[1], key)
                or row[2] != ip_address):
            return None
        id_, _, _, created, active = row
        now = datetime.datetime.now()
        max_age, timeout = _limits()
        if abs(created - now) >= max_age or now - active > timeout:
            cls.delete([cls(id_)])
            return False
        cls._session_reset_cache.set(key, active)
        request = transaction.context.get('_request')
        if isinstance(request, dict):
            request[ACTIVE] = active
        return True

    @classmethod
    def _idle_checked(cls, find, key):
        "find, or False when the session found is idle (removed)"
        if not find:
            return find
        sessions = cls.search([('key', '=', key)], limit=1)
        _, timeout = _limits()
        if sessions and (datetime.datetime.now()
                - sessions[0].last_modified_at) > timeout:
            cls.delete(sessions)
            return False
        return find

    @classmethod
    def new(cls, values=None):
        "A new session of the user; their expired ones are removed"
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*table.select(table.id,
                where=(table.create_uid == transaction.user)
                & _expired(table)))
        expired = [cls(i) for i, in cursor]
        if expired:
            cls.delete(expired)
        return super().new(values)

    @classmethod
    def clean_expired(cls):
        """Remove every expired session (the daily cron): those of people
        who do not log in again would stay for ever otherwise"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(where=_expired(table)))


def _expired(table):
    "The condition of the sessions past max_age or idle past the timeout"
    now = datetime.datetime.now()
    max_age, timeout = _limits()
    return ((table.create_date < now - max_age)
        | (table.create_date > now + max_age)
        | (Coalesce(table.write_date, table.create_date) < now - timeout))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('ir.session|clean_expired', "Remove Expired Sessions"))


def reset_when_due(dbname, session, context):
    "trytond.security.reset, without a transaction when nothing is due"
    request = (context or {}).get('_request')
    active = request.get(ACTIVE) if isinstance(request, dict) else None
    if active is not None:
        _, timeout = _limits()
        # Tryton's Session.reset writes when the last bump is older
        if datetime.datetime.now() - timeout // 10 <= active:
            return
    return reset_when_due.tryton_reset(dbname, session, context)


# Once, though the module may be imported under two names
if not hasattr(security.reset, 'tryton_reset'):
    reset_when_due.tryton_reset = security.reset
    security.reset = reset_when_due

