"""Where the tokens live and how they are matched: one narrow interface,
one class per engine.

- PostgreSQL: two `tsvector` columns of the index table built from the
  tokens as they are (their text form, each lexeme quoted: no parser, so
  no locale decides what a Chinese word is): `tokens` (title and body) and
  `title_tokens` (title-only matching, suggestions, the title's weight in
  the rank), each with a GIN index; pg_trgm on the title for substrings
  jieba cut otherwise.
- SQLite: an FTS5 table (unicode61) over the same tokens, its rowid the
  entry's id.

An OpenSearch backend would implement the same five methods; the scopes it
gets are SQL sub-queries of the ids a user may open, which it would turn
into denormalised terms of its documents."""
from collections import namedtuple

from sql import Cast, Column, Literal, Null, Table, Union, Window
from sql.aggregate import Count
from sql.conditionals import Coalesce
from sql.functions import Function
from sql.operators import BinaryOperator, ILike, Like, Or

from trytond import backend
from trytond.transaction import Transaction

FTS_TABLE = 'egov_search_fts'
# PostgreSQL's bound of a tsvector is 1 MB
MAX_TSVECTOR = 900000
# A scope: the entries of model the user may open (select of the ids, or
# None for all of them); title_only when a body field is hidden from them
Scope = namedtuple('Scope', ['model', 'ids', 'title_only'])


class Match(BinaryOperator):
    __slots__ = ()
    _operator = '@@'


class FTSMatch(BinaryOperator):
    __slots__ = ()
    _operator = 'MATCH'


class TsRank(Function):
    __slots__ = ()
    _function = 'ts_rank'


class BM25(Function):
    __slots__ = ()
    _function = 'bm25'


class Backend:
    "The interface every search engine implements"
    name = None

    def __init__(self, table):
        self.table = table

    def register(self):
        "Create what the backend stores beside the index table"
        raise NotImplementedError

    def columns(self, row):
        """{column: SQL value} the backend keeps in the entry's own row
        (written with it in one INSERT)"""
        return {}

    def index(self, rows):
        """Store what columns() did not of rows (dicts of the entry's
        columns with `id`, plus `title_tokens` and `body_tokens`)"""
        raise NotImplementedError

    def delete(self, ids):
        "Forget the tokens of the entries"
        raise NotImplementedError

    def search(self, query, scopes, where=None, order='relevance',
            offset=0, limit=20, count=True, title_only=False):
        "Return ([(entry id, score)], count or None)"
        raise NotImplementedError

    def _scope_clause(self, scopes, title_match):
        table = self.table
        clauses = []
        for scope in scopes:
            condition = table.model == scope.model
            if scope.ids is not None:
                condition &= table.record.in_(scope.ids)
            if scope.title_only:
                condition &= title_match
            clauses.append(condition)
        return Or(clauses)


def _lexeme(term, prefix):
    quoted = "'%s'" % term.replace('\\', '\\\\').replace("'", "''")
    return quoted + (':*' if prefix else '')


def tsquery(query):
    "The tsquery of a parsed query (tokens quoted, taken as they are)"
    groups = []
    for group in query.groups:
        alternatives = [
            '(%s)' % ' & '.join(_lexeme(t, p) for t, p in alt)
            for alt in group]
        groups.append('(%s)' % ' | '.join(alternatives))
    return ' & '.join(groups)


def fts_query(query, column=None):
    "The FTS5 MATCH expression of a parsed query"
    groups = []
    for group in query.groups:
        alternatives = [
            '(%s)' % ' AND '.join(
                '"%s"%s' % (t.replace('"', '""'), '*' if p else '')
                for t, p in alt)
            for alt in group]
        groups.append('(%s)' % ' OR '.join(alternatives))
    expression = ' AND '.join(groups)
    if column:
        expression = '{%s} : (%s)' % (column, expression)
    return expression


def tsvector_text(tokens):
    """The tsvector of the tokens in its text form, each lexeme once and
    without positions (small, so that matching and ranking many rows
    reads little): no parser reads them"""
    parts = []
    size = 0
    for token in dict.fromkeys(tokens):
        part = "'%s'" % token.replace('\\', '\\\\').replace("'", "''")
        size += len(part.encode('utf-8')) + 1
        if size > MAX_TSVECTOR:
            break
        parts.append(part)
    return ' '.join(parts)


def _like_escape(text):
    return (text.replace('\\', '\\\\').replace('%', '\\%')
        .replace('_', '\\_'))


class PostgreSQL(Backend):
    name = 'postgresql'

    def register(self):
        cursor = Transaction().connection.cursor()
        table = self.table._name
        for column in ['tokens', 'title_tokens']:
            cursor.execute(
                'ALTER TABLE "%s" ADD COLUMN IF NOT EXISTS "%s" tsvector'
                % (table, column))
            cursor.execute(
                'CREATE INDEX IF NOT EXISTS "%s_%s_gin" ON "%s" '
                'USING GIN ("%s")' % (table, column, table, column))

    def columns(self, row):
        return {
            'tokens': Cast(Literal(tsvector_text(
                        row['title_tokens'] + row['body_tokens'])),
                'tsvector'),
            'title_tokens': Cast(Literal(tsvector_text(
                        row['title_tokens'])), 'tsvector'),
            }

    def index(self, rows):
        # Written with the rows (columns)
        pass

    def delete(self, ids):
        # The tokens go with their row
        pass

    def search(self, query, scopes, where=None, order='relevance',
            offset=0, limit=20, count=True, title_only=False):
        """One sub-query per model, UNION ALL: each can start from what is
        smaller, the user's records or the matches"""
        if not scopes:
            return [], 0
        cursor = Transaction().connection.cursor()
        query_all = Cast(Literal(tsquery(query)), 'tsquery')
        parts = []
        for scope in scopes:
            table = self.table.__class__(self.table._name)
            match = self._match(table, query, title_only or scope.title_only)
            if query.substring and not (title_only or scope.title_only):
                match |= ILike(table.title,
                    '%' + _like_escape(query.substring) + '%')
            condition = (table.model == scope.model) & match
            if scope.ids is not None:
                condition &= table.record.in_(scope.ids)
            if where is not None:
                condition &= where(table)
            parts.append(table.select(table.id.as_('id'),
                    (TsRank(table.title_tokens, query_all) * Literal(2.0)
                        + TsRank(table.tokens, query_all)).as_('score'),
                    table.date.as_('date'), where=condition))
        union = parts[0] if len(parts) == 1 else Union(*parts, all_=True)
        if order == 'date':
            order_by = [union.date.desc.nulls_last, union.id.desc]
        else:
            order_by = [union.score.desc, union.date.desc.nulls_last,
                union.id.desc]
        columns = [union.id, union.score]
        if count:
            columns.append(Count(union.id, window=Window([])))
        cursor.execute(*union.select(*columns, order_by=order_by,
                limit=limit, offset=offset))
        rows = cursor.fetchall()
        total = None
        if count:
            if rows:
                total = rows[0][2]
            else:
                cursor.execute(*union.select(Count(union.id)))
                total, = cursor.fetchone()
        return [(r[0], float(r[1] or 0)) for r in rows], total

    def _match(self, table, query, title_only=False):
        column = table.title_tokens if title_only else table.tokens
        return Match(column, Cast(Literal(tsquery(query)), 'tsquery'))


class SQLite(Backend):
    name = 'sqlite'

    def register(self):
        cursor = Transaction().connection.cursor()
        cursor.execute(
            'CREATE VIRTUAL TABLE IF NOT EXISTS "%s" USING fts5('
            'title, body, tokenize="unicode61 remove_diacritics 0")'
            % FTS_TABLE)

    def index(self, rows):
        cursor = Transaction().connection.cursor()
        fts = Table(FTS_TABLE)
        ids = [r['id'] for r in rows]
        self.delete(ids)
        for row in rows:
            cursor.execute(*fts.insert(
                    [Column(fts, 'rowid'), fts.title, fts.body],
                    [[row['id'], ' '.join(row['title_tokens']),
                            ' '.join(row['body_tokens'])]]))

    def delete(self, ids):
        cursor = Transaction().connection.cursor()
        fts = Table(FTS_TABLE)
        for id_ in ids:
            cursor.execute(*fts.delete(where=Column(fts, 'rowid') == id_))

    def _matching(self, expression):
        fts = Table(FTS_TABLE)
        return fts.select(Column(fts, 'rowid'),
            where=FTSMatch(Column(fts, FTS_TABLE), expression))

    def search(self, query, scopes, where=None, order='relevance',
            offset=0, limit=20, count=True, title_only=False):
        if not scopes:
            return [], 0
        cursor = Transaction().connection.cursor()
        table = self.table
        fts = Table(FTS_TABLE)
        expression = fts_query(query, 'title' if title_only else None)
        ranked = fts.select(Column(fts, 'rowid').as_('rid'),
            BM25(Column(fts, FTS_TABLE), Literal(10.0), Literal(1.0)
                ).as_('score'),
            where=FTSMatch(Column(fts, FTS_TABLE), expression))
        join = table.join(ranked, type_='LEFT',
            condition=ranked.rid == table.id)
        found = ranked.rid != Null
        if query.substring and not title_only:
            found |= Like(table.title,
                '%' + _like_escape(query.substring) + '%', escape='\\')
        title_match = table.id.in_(
            self._matching(fts_query(query, 'title')))
        condition = found & self._scope_clause(scopes, title_match)
        if where is not None:
            condition &= where(table)
        total = None
        if count:
            cursor.execute(*join.select(Count(),
                    where=condition))
            total, = cursor.fetchone()
            if not total:
                return [], 0
        # bm25 is smaller for better matches
        score = Coalesce(ranked.score, Literal(0.0))
        if order == 'date':
            order_by = [table.date.desc, table.id.desc]
        else:
            order_by = [score.asc, table.date.desc, table.id.desc]
        cursor.execute(*join.select(table.id, score,
                where=condition, order_by=order_by,
                limit=limit, offset=offset))
        return [(i, -float(s or 0)) for i, s in cursor], total


def get_backend(table):
    if backend.name == 'postgresql':
        return PostgreSQL(table)
    return SQLite(table)
