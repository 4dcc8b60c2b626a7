"""The figures a search computed, read again without computing them twice.

For the models whose table query aggregates many rows (statistics, boards):
the web client asks for a list in two calls, a search (the groups' ids, in
order) then a read of their fields, and each call runs the table query over
all the rows: half of the time a person waits. The search here keeps the rows it computed, per person and context,
for a short while; a read of those groups by the same person reads them
from a VALUES list instead of the table query. A new search computes again,
so the figures are never older than the list the person sees.

PostgreSQL only: there the figures are slow; SQLite computes as before."""
import threading

from sql import Cast, Column, Join, Literal, Null, Values

from trytond import backend
from trytond.cache import Cache
from trytond.model.modelsql import _TABLE_QUERY_COLUMNS
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

# A read more than this after its search computes again
KEEP_SECONDS = 60
# Parameters of one statement's VALUES list, well under PostgreSQL's 65,535
MAX_PARAMETERS = 30000
_serving = threading.local()


def audit_columns():
    "The columns every table query of figures gives for Tryton's audit"
    return [
        Cast(Literal(0), 'INTEGER').as_('create_uid'),
        Cast(Null, 'TIMESTAMP').as_('create_date'),
        Cast(Null, 'INTEGER').as_('write_uid'),
        Cast(Null, 'TIMESTAMP').as_('write_date'),
        ]


class FiguresCacheMixin:
    """A table query model computed once per list. _figures_context: the
    context keys its figures depend on (the person and their language
    always count)"""
    __slots__ = ()
    _figures_context = ()
    _figures = Cache('egov.figures', duration=KEEP_SECONDS, context=False)

    @classmethod
    def _figures_key(cls):
        transaction = Transaction()
        context = transaction.context
        return (cls.__name__, transaction.user, transaction.language,
            context.get('company'),
            tuple(str(context.get(k)) for k in cls._figures_context))

    @classmethod
    def _figures_columns(cls):
        "The stored fields of the figures: those of the table query"
        return sorted(n for n, f in cls._fields.items()
            if not hasattr(f, 'get') and f.sql_type()
            and n not in _TABLE_QUERY_COLUMNS and n != 'id')

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        if count or query or backend.name != 'postgresql':
            return super().search(domain, offset=offset, limit=limit,
                order=order, count=count, query=query)
        # The search's own query, with every column of the figures
        select = super().search(domain, offset=offset, limit=limit,
            order=order, query=True)
        table = select.from_[0]
        while isinstance(table, Join):
            table = table.left
        names = cls._figures_columns()
        select.columns = [table.id.as_('id')] + [
            Column(table, n).as_(n) for n in names]
        cursor = Transaction().connection.cursor()
        cursor.execute(*select)
        rows = cursor.fetchall()
        # As Tryton's search: the records of this transaction read these
        cache = Transaction().get_cache()
        for row in rows[:cache.size_limit]:
            cache[cls.__name__][row[0]]._update(dict(zip(['id'] + names, row)))
        cls._figures.set(cls._figures_key(),
            {'names': names, 'rows': {r[0]: r for r in rows}})
        return cls.browse([r[0] for r in rows])

    @classmethod
    def read(cls, ids, fields_names):
        kept = (cls._figures.get(cls._figures_key())
            if backend.name == 'postgresql' else None)
        if not kept or not ids or any(
                int(i) not in kept['rows'] for i in ids):
            return super().read(ids, fields_names)
        names = kept['names']
        # PostgreSQL takes at most 65,535 parameters a statement: the
        # VALUES list of a read of thousands of groups is cut in slices
        result = []
        for sub in grouped_slice(ids, max(1, MAX_PARAMETERS // (
                        len(names) + 1))):
            sub = list(sub)
            _serving.rows = {cls.__name__: (
                    names, [kept['rows'][int(i)] for i in sub])}
            try:
                result.extend(super().read(sub, fields_names))
            finally:
                _serving.rows = {}
        return result

    @classmethod
    def __table__(cls):
        served = getattr(_serving, 'rows', {}).get(cls.__name__)
        if not served:
            return super().__table__()
        names, rows = served
        values = Values([list(r) for r in rows])
        columns = [Cast(Column(values, 'column1'), 'INTEGER').as_('id')]
        for i, name in enumerate(names, 2):
            columns.append(Cast(Column(values, 'column%d' % i),
                    cls._fields[name].sql_type().base).as_(name))
        return values.select(*columns)
