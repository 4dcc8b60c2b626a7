"""The nonces and message ids of the WeChat Work callbacks already taken:
a callback played again is refused. The unique key decides between two
workers that receive the same callback at once: one insert wins. (On
PostgreSQL the loser's REPEATABLE READ transaction is told to serialise;
the route's with_transaction runs it again and it then sees the key.)"""
import datetime

from sql import Conflict

from trytond.model import Index, ModelSQL, Unique, fields
from trytond.transaction import Transaction

# A callback is refused beyond 5 minutes (wechat_callback.WINDOW): a day
# keeps the nonces well past the time they could be played
KEEP = datetime.timedelta(days=1)
KEY_MAX = 128


class WeChatNonce(ModelSQL):
    __name__ = 'egov.notify.wechat.nonce'
    __string__ = "WeChat Work Callback Nonce"
    _egov_visibility = 'admin'
    key = fields.Char("Key", required=True, size=KEY_MAX, strip=False)
    received_at = fields.DateTime("Received at", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_unique', Unique(t, t.key),
                'egov_base.msg_wechat_nonce_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.received_at, Index.Range())))

    @classmethod
    def seen(cls, key):
        """Whether key was taken before; record it otherwise (in the
        transaction of the callback, so that a callback rolled back can
        come again)"""
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        now = datetime.datetime.now()
        cursor.execute(*table.insert(
                [table.key, table.received_at,
                    table.create_uid, table.create_date],
                [[key[:KEY_MAX], now, transaction.user, now]],
                on_conflict=Conflict(table, indexed_columns=[table.key])))
        return cursor.rowcount == 0

    @classmethod
    def clean(cls):
        "Forget the nonces older than a day (called by the cron)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(
                where=table.received_at < datetime.datetime.now() - KEEP))
