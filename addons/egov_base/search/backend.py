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
from contextlib import contextmanager

from sql import Cast, Column, Literal, Null, Table, Union
from sql.aggregate import Count
from sql.conditionals import Coalesce
from sql.functions import Function
from sql.operators import BinaryOperator, ILike, Like, Or

from trytond import backend
from trytond.transaction import Transaction

FTS_TABLE = 'egov_search_fts'
# PostgreSQL's bound of a tsvector is 1 MB
MAX_TSVECTOR = 900000
# Matches are counted exactly up to this many; a count of COUNT_MAX + 1
# means "more" (counting or ranking them all is what made a broad query slow)
COUNT_MAX = 1000
# Matches ranked when no count is wanted (suggestions, hot words), at least
CANDIDATES = 64
# A scope: the entries of model the user may open (the Parts whose union
# they are, or None for all of them); title_only when a body field is
# hidden from them
Scope = namedtuple('Scope', ['model', 'parts', 'title_only'])


class Part(namedtuple('Part', ['column', 'query'])):
    """A part of a scope: the entries whose column ('record' or 'unit') is
    in query (a select of ids)"""
    __slots__ = ()

    @property
    def broad(self):
        "The records of units, not a person's own few"
        return self.column == 'unit'


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


class Any(Function):
    """= ANY(an array): one parameter for a thousand ids (an IN list of
    them took the driver 4 ms to parse, and the planner longer)"""
    __slots__ = ()
    _function = 'ANY'


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
        """Return ([(entry id, score)], count or None): the count is exact
        up to COUNT_MAX, COUNT_MAX + 1 when there are more"""
        raise NotImplementedError

    def _scope_clause(self, scopes, title_match):
        table = self.table
        clauses = []
        for scope in scopes:
            condition = table.model == scope.model
            if scope.parts is not None:
                condition &= Or([
                        Column(table, column).in_(union_of(
                                p.query for p in scope.parts
                                if p.column == column))
                        for column in sorted(
                            {p.column for p in scope.parts})])
            if scope.title_only:
                condition &= title_match
            clauses.append(condition)
        return Or(clauses)


def union_of(queries):
    queries = list(queries)
    return queries[0] if len(queries) == 1 else Union(*queries)


def _newest_first(item):
    id_, date = item
    return (date is None, -(date.toordinal() if date else 0), -id_)


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


def _quoted(token):
    if "'" in token or '\\' in token:
        token = token.replace('\\', '\\\\').replace("'", "''")
    return "'" + token + "'"


def tsvector_text(tokens):
    """The tsvector of the tokens in its text form, each lexeme once and
    without positions (small, so that matching and ranking many rows
    reads little): no parser reads them"""
    parts = [_quoted(t) for t in dict.fromkeys(tokens)]
    text = ' '.join(parts)
    if len(text.encode('utf-8')) <= MAX_TSVECTOR:
        return text
    kept = []
    size = 0
    for part in parts:
        size += len(part.encode('utf-8')) + 1
        if size > MAX_TSVECTOR:
            break
        kept.append(part)
    return ' '.join(kept)


def _like_escape(text):
    return (text.replace('\\', '\\\\').replace('%', '\\%')
        .replace('_', '\\_'))


# The planner's settings for the candidate queries, which stop at a LIMIT
# after a few thousand rows: no parallel workers (their start-up and
# merging made them twice as slow on 2 busy cores), no merge join (it
# walks the (model, record) index, reading each row's TOASTed tsvector to
# filter it, a cost the planner does not see: 160 ms against 117 ms by the
# GIN index), no sequential scan (for a word in a third of the documents
# the planner reads the table in order until the LIMIT, again reading each
# row's tsvector: 280 ms against 200 ms by the GIN index, on 1 million)
CANDIDATE_SETTINGS = {
    'max_parallel_workers_per_gather': '0',
    'enable_mergejoin': 'off',
    'enable_seqscan': 'off',
    }


_SETTINGS = sorted(CANDIDATE_SETTINGS.items())
# One round trip each way: the settings as they were, then set
_SET = 'SELECT %s' % ', '.join(
    'current_setting(%s), set_config(%s, %s, true)' for _ in _SETTINGS)
_RESTORE = 'SELECT %s' % ', '.join(
    'set_config(%s, %s, true)' for _ in _SETTINGS)


def any_broad(scopes):
    "Whether a scope has all its records or a unit's among its parts"
    return any(s.parts is None or any(p.broad for p in s.parts)
        for s in scopes)


@contextmanager
def serial(cursor, scopes):
    """The candidate queries' settings within, the transaction's ones
    after, when a scope is broad: a person's own records are a few rows of
    an index, which the planner finds without them (and the two round
    trips were a tenth of their search)"""
    if not any_broad(scopes):
        yield
        return
    cursor.execute(_SET, [v for name, value in _SETTINGS
            for v in (name, name, value)])
    row = cursor.fetchone()
    previous = row[0::2]
    try:
        yield
    finally:
        cursor.execute(_RESTORE, [v for (name, _), value in zip(
                    _SETTINGS, previous) for v in (name, value)])
        cursor.fetchall()


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
        """A bounded candidate set is ranked: the matches are collected up
        to COUNT_MAX + 1, one query per part of a scope (each starts from
        what is smaller, the user's records or the matches, and stops at
        the bound); at most that many are ranked. Above the bound, the
        date order reads the newest matches by the date index."""
        if not scopes:
            return [], 0
        bound = COUNT_MAX + 1 if count else max(
            (offset + limit) * 4, CANDIDATES)
        found = self._candidates(query, scopes, where, title_only, bound)
        more = len(found) >= bound
        total = min(len(found), COUNT_MAX + 1) if count else None
        if order == 'date':
            if more:
                page = self._newest(query, scopes, where, title_only,
                    offset + limit)[offset:offset + limit]
            else:
                page = sorted(found.items(), key=_newest_first)[
                    offset:offset + limit]
            return [(i, 0.0) for i, _ in page], total
        return self._rank(query, list(found), offset, limit), total

    def _parts(self, query, scope, where, title_only, titles=False,
            broad_only=False):
        """The queries of the matches in scope, one per part of its ids;
        with titles, of the matches in the titles only; with broad_only, of
        its broad parts only (all its records, or those of units)"""
        table = self.table.__class__(self.table._name)
        only_title = title_only or scope.title_only
        match = self._match(table, query, only_title or titles)
        if query.substring and not only_title:
            match |= ILike(table.title,
                '%' + _like_escape(query.substring) + '%')
        condition = (table.model == scope.model) & match
        if where is not None:
            condition &= where(table)
        if scope.parts is None:
            yield table, condition
            return
        for part in scope.parts:
            if broad_only and not part.broad:
                continue
            yield table, condition & Column(table, part.column).in_(
                part.query)

    @staticmethod
    def _union(selects):
        """One statement of the parts' selects, each planned on its own
        (as a query of its own, with its own limit): a person's scope has
        several small parts (their requests, their to-dos…), and a round
        trip each was most of their search's time"""
        if len(selects) == 1:
            return selects[0]
        return Union(*(q.select(q.id, q.date) for q in selects), all_=True)

    def _candidates(self, query, scopes, where, title_only, bound):
        """{entry id: date} of the matches, at most bound of them: those of
        the titles first. They rank first (the rank is the title's), and
        the titles' index is a fraction of the whole text's: a common word
        (安全生产 in a fifth of a million documents) fills the bound from
        the titles without reading the body's long posting lists. Each
        whole-text query returns matches of the titles too, so the union
        reaches the bound exactly when there are that many matches.
        The titles' pass is for the broad parts of a scope: a person's own
        records (their requests, their to-dos) are few, and the whole
        text's pass finds their titles too."""
        cursor = Transaction().connection.cursor()
        found = {}
        # The scopes searched by title only are done in the first pass
        passes = [(True, scopes)]
        if not title_only:
            passes.append(
                (False, [s for s in scopes if not s.title_only]))
        with serial(cursor, scopes):
            for titles, searched in passes:
                for scope in searched:
                    broad_only = titles and not (
                        title_only or scope.title_only)
                    selects = [table.select(table.id, table.date,
                            where=condition, limit=bound)
                        for table, condition in self._parts(
                            query, scope, where, title_only, titles=titles,
                            broad_only=broad_only)]
                    if not selects:
                        continue
                    cursor.execute(*self._union(selects))
                    found.update(cursor)
                    if len(found) >= bound:
                        return dict(list(found.items())[:bound])
        return found

    def _newest(self, query, scopes, where, title_only, size):
        """[(entry id, date)] of the size newest matches: the dated ones by
        the date index, then the undated"""
        cursor = Transaction().connection.cursor()
        found = {}
        with serial(cursor, scopes):
            for dated in [True, False]:
                for scope in scopes:
                    selects = []
                    for table, condition in self._parts(
                            query, scope, where, title_only):
                        if dated:
                            condition &= table.date != Null
                            order_by = [table.date.desc, table.id.desc]
                        else:
                            condition &= table.date == Null
                            order_by = [table.id.desc]
                        selects.append(table.select(table.id, table.date,
                                where=condition, order_by=order_by,
                                limit=size))
                    if selects:
                        cursor.execute(*self._union(selects))
                        found.update(cursor)
                if len(found) >= size:
                    break
        return sorted(found.items(), key=_newest_first)[:size]

    def _rank(self, query, ids, offset, limit):
        "[(entry id, score)] of a page of ids by relevance"
        if not ids:
            return []
        cursor = Transaction().connection.cursor()
        table = self.table
        query_all = Cast(Literal(tsquery(query)), 'tsquery')
        # The title's rank: the body's tsvector has no positions, so its
        # rank is the same for every match of an AND query, and reading
        # it (a TOASTed value per candidate) was most of the ranking's time
        score = TsRank(table.title_tokens, query_all)
        cursor.execute(*table.select(table.id, score,
                where=table.id == Any(list(ids)),
                order_by=[score.desc, table.date.desc.nulls_last,
                    table.id.desc],
                limit=limit, offset=offset))
        return [(i, float(s or 0)) for i, s in cursor]

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
            # Counted up to the bound, as PostgreSQL does
            bounded = join.select(Literal(1), where=condition,
                limit=COUNT_MAX + 1)
            cursor.execute(*bounded.select(Count()))
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
