"""The idle timeout (`[session] timeout`, 30 minutes): Tryton 8.0 checks it
only for the calls that need a fresh session; every other call is accepted
until `[session] max_age`. Here a session left idle longer than the
timeout is refused and removed on any call."""
import datetime

from trytond import config
from trytond.pool import PoolMeta
from trytond.transaction import without_check_access


class Session(metaclass=PoolMeta):
    __name__ = 'ir.session'

    @classmethod
    def check(cls, user, key, domain=None):
        find = super().check(user, key, domain=domain)
        if find:
            timeout = datetime.timedelta(
                seconds=config.getint('session', 'timeout'))
            now = datetime.datetime.now()
            # Tryton's check has just cached the session's last activity:
            # reading the session again cost a search and a read per call
            last = cls._session_reset_cache.get(key)
            if last is not None and now - last <= timeout:
                return find
            with without_check_access():
                sessions = cls.search([
                        ('create_uid', '=', user),
                        ('key', '=', key),
                        domain or [],
                        ], limit=1)
                if sessions and (
                        now - sessions[0].last_modified_at) > timeout:
                    cls.delete(sessions)
                    return False
        return find
