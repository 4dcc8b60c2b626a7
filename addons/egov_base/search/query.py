"""The search RPC (egov.search): queries, suggestions, hot words, history
and the filters of the search box, all as the calling user.

What a user may find is what they may open: the index is matched only
within, per model, the ids Tryton's access rights and record rules give
them (Model.search(query=True) as a sub-query), so counts, snippets,
suggestions and hot words never come from another record; a model whose
body field they may not read is matched on its title only."""
import datetime
import time

from sql import Null
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access

from . import registry, tokens
from . import backend as engines
from .backend import Scope
from .scope import unit_field_of, visible_ids
from .entry import load_dictionary
from .snippet import snippet

MAX_LIMIT = 100
MAX_OFFSET = 10000
HOT_DAYS = 30
MODULE_MESSAGES = {
    'egov_base': 'egov_base.msg_search_module_base',
    'egov_workflow': 'egov_base.msg_search_module_workflow',
    }


def _int(value, default, low, high):
    try:
        value = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def _date(value):
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return False


class Search(ModelView):
    __name__ = 'egov.search'
    __string__ = "Smart Search"

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'query': RPC(readonly=False),
                'suggest': RPC(),
                'hot_words': RPC(),
                'history': RPC(),
                'clear_history': RPC(readonly=False),
                'filters': RPC(),
                })

    # What the user may find

    @classmethod
    def scopes(cls, kind=None):
        """[Scope] of the searchable models the user may read, with the
        sub-query of the ids their record rules let them open"""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        FieldAccess = pool.get('ir.model.field.access')
        Rule = pool.get('ir.rule')
        transaction = Transaction()
        scopes = []
        for model_name, spec in registry.searchable_models():
            if kind and model_name != kind:
                continue
            Model = pool.get(model_name)
            if transaction.user and transaction.check_access:
                if not ModelAccess.check(
                        model_name, 'read', raise_exception=False):
                    continue
                access = FieldAccess.get_access([model_name])[model_name]

                def readable(name):
                    return access.get(name, {}).get('read', True)
                if not readable(spec['title']):
                    continue
                # The body's fields and files: hidden from the user, by
                # field access or on some records by a step they hold,
                # they are not matched (nor shown in snippets)
                body = set(spec['body']) | set(spec.get('files') or [])
                title_only = not all(readable(n) for n in body)
                partial = getattr(Model, '_guard_partial_fields', None)
                if not title_only and partial is not None:
                    title_only = bool(partial(body))
                parts = None
                domain = Rule.domain_get(model_name, mode='read')
                if domain or 'active' in Model._fields:
                    parts = visible_ids(
                        Model, domain, unit_field_of(Model, spec))
            else:
                title_only, parts = False, None
            scopes.append(Scope(model_name, parts, title_only))
        return scopes

    @classmethod
    def _where(cls, filters):
        """A function of the index table giving the SQL condition of the
        filters, or a message when one is wrong"""
        filters = filters if isinstance(filters, dict) else {}
        checks = []
        if filters.get('module'):
            module = str(filters['module'])[:64]
            checks.append(lambda t: t.module == module)
        if filters.get('unit'):
            unit = _int(filters['unit'], None, 1, 2 ** 31 - 1)
            if unit is None:
                return None, gettext('egov_base.msg_search_filter_invalid')
            checks.append(lambda t: t.unit == unit)
        if filters.get('secrecy'):
            secrecy = str(filters['secrecy'])[:50]
            checks.append(lambda t: t.secrecy == secrecy)
        for key, operator in (('date_from', '__ge__'), ('date_to', '__le__')):
            value = _date(filters.get(key))
            if value is False:
                return None, gettext('egov_base.msg_search_date_invalid',
                    value=str(filters.get(key))[:20])
            if value:
                checks.append(
                    lambda t, o=operator, v=value: getattr(t.date, o)(v))
        if not checks:
            return None, None

        def where(table):
            condition = checks[0](table)
            for check in checks[1:]:
                condition &= check(table)
            return condition
        return where, None

    # The RPC

    @classmethod
    def query(cls, text, filters=None, order='relevance', offset=0,
            limit=20):
        pool = Pool()
        Entry = pool.get('egov.search.entry')
        Synonym = pool.get('egov.search.synonym')
        History = pool.get('egov.search.history')
        started = time.perf_counter()

        def answer(count=0, results=(), message=None, exact=True):
            return {
                'count': count,
                # False: there are more than count (engines.COUNT_MAX)
                'count_exact': exact,
                'results': list(results),
                'took_ms': round((time.perf_counter() - started) * 1000, 2),
                'message': message,
                }
        if text is not None and not isinstance(text, str):
            return answer(message=gettext('egov_base.msg_search_not_text'))
        if not isinstance(filters, (dict, type(None))):
            return answer(
                message=gettext('egov_base.msg_search_filter_invalid'))
        order = 'date' if order == 'date' else 'relevance'
        offset = _int(offset, 0, 0, MAX_OFFSET)
        limit = _int(limit, 20, 1, MAX_LIMIT)
        load_dictionary()
        parsed = tokens.Query(text, synonyms=Synonym.mapping())
        if not parsed:
            return answer(message=gettext('egov_base.msg_search_empty'))
        message = None
        if parsed.truncated:
            message = gettext('egov_base.msg_search_cut',
                max=tokens.MAX_QUERY)
        backend = Entry.backend()
        where, problem = cls._where(filters)
        if problem:
            return answer(message=problem)
        kind = (filters or {}).get('kind')
        scopes = cls.scopes(kind=str(kind) if kind else None)
        hits, count = backend.search(parsed, scopes, where=where,
            order=order, offset=offset, limit=limit)
        title_only = {s.model for s in scopes if s.title_only}
        results = cls._results(hits, parsed, title_only)
        History.record(parsed.text)
        if not count:
            message = message or gettext('egov_base.msg_search_none',
                text=parsed.text[:30])
        bound = engines.COUNT_MAX
        exact = count <= bound
        if not exact:
            count = bound
            message = message or gettext('egov_base.msg_search_count_more',
                count='{:,}'.format(bound))
        return answer(count, results, message, exact)

    @classmethod
    def _entries(cls, ids):
        "The stored columns of the entries, in the order of ids"
        pool = Pool()
        Entry = pool.get('egov.search.entry')
        table = Entry.__table__()
        cursor = Transaction().connection.cursor()
        rows = {}
        if ids:
            cursor.execute(*table.select(table.id, table.model,
                    table.record, table.module, table.title, table.content,
                    table.date, table.unit, table.secrecy,
                    where=table.id.in_(list(ids))))
            for row in cursor:
                rows[row[0]] = row
        return [rows[i] for i in ids if i in rows]

    @classmethod
    def _titles(cls, ids):
        "The titles of the entries, in the order of ids"
        Entry = Pool().get('egov.search.entry')
        table = Entry.__table__()
        cursor = Transaction().connection.cursor()
        titles = {}
        if ids:
            cursor.execute(*table.select(table.id, table.title,
                    where=table.id.in_(list(ids))))
            titles = dict(cursor)
        return [titles[i] for i in ids if i in titles]

    @classmethod
    def _results(cls, hits, parsed, title_only):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        database = Transaction().database.name
        kinds = {}
        # The query's terms, worked out for the first snippet
        snippets = {}
        results = []
        entries = cls._entries([i for i, _ in hits])
        units = Unit.rec_names(list({e[7] for e in entries if e[7]}))
        for (entry_id, model, record, module, title, content, date, unit,
                secrecy) in entries:
            Model = pool.get(model)
            if model not in kinds:
                with without_check_access():
                    kinds[model] = Model.__names__()['model']
            text = title if model in title_only else (content or title)
            url = '#%s/model/%s/%d' % (database, model, record)
            spec = registry.spec_of(Model)
            if spec['url']:
                url = getattr(Model(record), spec['url'])() or url
            unit = units.get(unit)
            if isinstance(date, str):
                date = datetime.date.fromisoformat(date[:10])
            results.append({
                    'model': model,
                    'id': record,
                    'title': title or '',
                    'snippet': snippet(text, parsed, cache=snippets),
                    'kind': kinds[model],
                    'module': module,
                    'unit': unit or None,
                    'date': date.isoformat() if date else None,
                    'secrecy': secrecy,
                    'url': url,
                    })
        return results

    @classmethod
    def suggest(cls, prefix, limit=8):
        "Completions from the user's history, then from titles they may open"
        pool = Pool()
        Entry = pool.get('egov.search.entry')
        History = pool.get('egov.search.history')
        limit = _int(limit, 8, 1, 20)
        if not isinstance(prefix, str):
            return []
        text = tokens.normalise(prefix[:tokens.MAX_QUERY]).strip()
        if not text:
            return [h['text'] for h in cls.history(limit)]
        found = [t for t in History.own_texts(text, limit)]
        load_dictionary()
        parsed = tokens.Query(text)
        if parsed and len(found) < limit:
            hits, _ = Entry.backend().search(parsed, cls.scopes(),
                count=False, limit=limit * 3, title_only=True)
            for title in cls._titles([i for i, _ in hits]):
                if title and title not in found:
                    found.append(title)
        return found[:limit]

    @classmethod
    def hot_words(cls, limit=10):
        """What the people of the user's unit searched most in the last
        days, among words that find something the user may open"""
        pool = Pool()
        Entry = pool.get('egov.search.entry')
        History = pool.get('egov.search.history')
        limit = _int(limit, 10, 1, 50)
        load_dictionary()
        scopes = None
        words = []
        for text, count in History.popular(limit * 3):
            parsed = tokens.Query(text)
            if not parsed:
                continue
            if scopes is None:
                scopes = cls.scopes()
            hits, _ = Entry.backend().search(
                parsed, scopes, count=False, limit=1)
            if hits:
                words.append({'word': text, 'count': count})
            if len(words) >= limit:
                break
        return words

    @classmethod
    def history(cls, limit=20):
        History = Pool().get('egov.search.history')
        return History.own(_int(limit, 20, 1, 200))

    @classmethod
    def clear_history(cls, ids=None):
        History = Pool().get('egov.search.history')
        if ids is not None and not isinstance(ids, (list, tuple)):
            ids = [ids]
        History.clear(ids)

    @classmethod
    def filters(cls):
        pool = Pool()
        Entry = pool.get('egov.search.entry')
        modules, kinds = {}, []
        for scope in cls.scopes():
            Model = pool.get(scope.model)
            spec = registry.spec_of(Model)
            if spec['module'] not in modules:
                msg = MODULE_MESSAGES.get(spec['module'])
                modules[spec['module']] = (
                    gettext(msg) if msg else spec['module'])
            with without_check_access():
                kinds.append([scope.model, Model.__names__()['model']])
        table = Entry.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.secrecy, Count(),
                where=table.secrecy != Null, group_by=[table.secrecy],
                order_by=[table.secrecy], limit=20))
        secrecy = [[s, s] for s, _ in cursor]
        return {
            'modules': [[k, v] for k, v in modules.items()],
            'kinds': kinds,
            'secrecy': secrecy,
            }
