"""Search history: each user's own queries (clearable), and through them
the hot words of a unit."""
import datetime

from sql.aggregate import Count, Max
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.model import Index, ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from ..audit.capture import record_inserted

MAX_TEXT = 100
# Entries kept per user: the oldest go
MAX_PER_USER = 500


class History(ModelSQL):
    __name__ = 'egov.search.history'
    __string__ = "Search History"
    _egov_visibility = 'owner'

    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    unit = fields.Many2One(
        'egov.org.unit', "Unit", ondelete='SET NULL',
        help="The unit of the user when they searched (hot words).")
    text = fields.Char("Text", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.user, Index.Range()), (t.id, Index.Range())),
                Index(t, (t.unit, Index.Range()),
                    (t.create_date, Index.Range())),
                })
        cls._order = [('id', 'DESC')]

    @classmethod
    def _user_unit(cls):
        "The unit the user acts in (their organisation scope, cached)"
        User = Pool().get('res.user')
        return User.get_org_scope()['unit']

    @classmethod
    def record(cls, text):
        """Keep the query. Written by SQL: it happens at every search, and
        the ORM's create (its validation reads the row back) cost more
        than the search's own queries. The audit keeps it as a create."""
        transaction = Transaction()
        user = transaction.user
        text = (text or '').strip()[:MAX_TEXT]
        if not user or not text:
            return
        values = {'user': user, 'unit': cls._user_unit(), 'text': text}
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        columns = [table.create_uid, table.create_date, table.user,
            table.unit, table.text]
        row = [user, CurrentTimestamp(), user, values['unit'], text]
        # The newest of the user's entries beyond the bound once this one
        # is in (the statement's snapshot does not see it)
        beyond = table.select(table.id, where=table.user == user,
            order_by=[table.id.desc], offset=MAX_PER_USER - 1, limit=1)
        if backend.name == 'postgresql':
            # One round trip for both
            cursor.execute(*table.insert(columns, [row], [table.id, beyond]))
            record_id, last_old = cursor.fetchone()
        else:
            cursor.execute(*beyond)
            last_old = next((i for i, in cursor), None)
            cursor.execute(*table.insert(columns, [row]))
            record_id = transaction.database.lastid(cursor)
        record_inserted(cls, {record_id: values})
        if last_old is not None:
            with without_check_access():
                cls.delete(cls.search([
                            ('user', '=', user), ('id', '<=', last_old)]))

    @classmethod
    def own(cls, limit):
        "The user's latest distinct queries"
        user = Transaction().user
        result, seen = [], set()
        with without_check_access():
            for record in cls.search([('user', '=', user)],
                    limit=limit * 5):
                if record.text in seen:
                    continue
                seen.add(record.text)
                result.append({
                        'id': record.id,
                        'text': record.text,
                        'date': record.create_date.isoformat(),
                        })
                if len(result) >= limit:
                    break
        return result

    @classmethod
    def own_texts(cls, prefix, limit):
        user = Transaction().user
        texts = []
        with without_check_access():
            for record in cls.search([
                        ('user', '=', user),
                        ('text', 'like', prefix.replace('\\', '\\\\')
                            .replace('%', '\\%').replace('_', '\\_') + '%'),
                        ], limit=limit * 5):
                if record.text not in texts:
                    texts.append(record.text)
        return texts[:limit]

    @classmethod
    def clear(cls, ids=None):
        "Delete the user's own history (the given entries, or all)"
        user = Transaction().user
        domain = [('user', '=', user)]
        if ids is not None:
            ids = [i for i in ids if isinstance(i, int)]
            # The same text is listed once: clear all its entries
            with without_check_access():
                texts = {r.text for r in cls.search(
                        domain + [('id', 'in', ids)])}
            domain.append(('text', 'in', list(texts)))
        with without_check_access():
            cls.delete(cls.search(domain))

    @classmethod
    def popular(cls, limit):
        "[(text, count)] searched most by the people of the user's unit"
        unit = cls._user_unit()
        if not unit:
            return []
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        since = datetime.datetime.now() - datetime.timedelta(days=30)
        count = Count()
        cursor.execute(*table.select(table.text, count,
                where=(table.unit == unit) & (table.create_date >= since),
                group_by=[table.text],
                order_by=[count.desc, Max(table.id).desc],
                limit=limit))
        return list(cursor)
