"""search_read in one query, for the lists read most (the to-do inbox).

Tryton's search_read is a search, then a read of the rows found: two
queries, the record rules applied twice and the read machinery for every
row. For a page of plain columns the query of search itself (its domain,
its order, the access check and the record rules) can select them at once;
its SQL is kept for the next identical search (search_cache.py).
"""
from sql import Table

from trytond import backend
from trytond.transaction import Transaction

from . import search_cache


def plain_column(field):
    "Whether read returns the field's table column as the database has it"
    return (field.sql_type() is not None
        and not hasattr(field, 'get')
        and not getattr(field, 'translate', False))


class OneQuerySearchRead:
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Per class of a pool: a pool built anew starts without SQL
        cls._search_cache = search_cache.SearchCache()

    @classmethod
    def row_functions(cls):
        """Function fields computed from the columns of their row:
        {name: (column names needed, function(rows) -> {id: value})}"""
        return {}

    @classmethod
    def search_read(cls, domain, offset=0, limit=None, order=None,
            fields_names=None):
        fields_names = list(dict.fromkeys(['id', *(fields_names or [])]))
        functions = cls.row_functions()
        columns = cls._one_query_columns(fields_names, functions)
        if columns is None:
            return super().search_read(domain, offset=offset, limit=limit,
                order=order, fields_names=fields_names)
        key = search_cache.key(cls, domain, offset, limit, order, columns)
        sql = cls._search_cache.get(key) if key is not None else None
        if sql is not None:
            search_cache.check(cls, domain, offset, limit, order)
        else:
            sql = cls._one_query_sql(domain, offset, limit, order, columns)
            if sql is None:
                return super().search_read(domain, offset=offset,
                    limit=limit, order=order, fields_names=fields_names)
            if key is not None:
                cls._search_cache.set(key, sql)
        # The model and field access read checks
        cls._before_read([], fields_names)
        cursor = Transaction().connection.cursor()
        cursor.execute(*sql)
        rows = [dict(zip(columns, row)) for row in cursor]
        for name, (_, function) in functions.items():
            if name in fields_names:
                values = function(rows)
                for row in rows:
                    row[name] = values[row['id']]
        rows = [{n: row[n] for n in fields_names} for row in rows]
        if hasattr(cls, 'audit_read'):
            cls.audit_read([r['id'] for r in rows], fields_names, rows)
        return rows

    @classmethod
    def _one_query_sql(cls, domain, offset, limit, order, columns):
        "The SQL and parameters of the search selecting columns, or None"
        query = cls.search(domain, offset=offset, limit=limit, order=order,
            query=True)
        table = query.columns[0].expression.table
        # Not the UNION Tryton builds for some OR domains
        if not isinstance(table, Table):
            return None
        query.columns = [cls._one_query_column(table, n) for n in columns]
        return tuple(query)

    @classmethod
    def _one_query_columns(cls, fields_names, functions):
        """The columns to select for fields_names, or None when one of them
        is not a plain column nor a row function"""
        columns = []
        for name in fields_names:
            if name in functions:
                columns.extend(functions[name][0])
                continue
            field = cls._fields.get(name)
            if field is None or not plain_column(field):
                return None
            columns.append(name)
        return list(dict.fromkeys(columns))

    @classmethod
    def _one_query_column(cls, table, name):
        field = cls._fields[name]
        column = field.sql_column({None: (table, None)}, cls).as_(name)
        if backend.name == 'sqlite':
            # The type that makes sqlite3 convert the value (as read does)
            column.output_name += ' [%s]' % field.sql_type().base
        return column
