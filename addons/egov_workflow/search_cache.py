"""The SQL of a list's search, kept for the next identical search.

For a page of the inbox, building the SQL (the domain and the record rules
converted, the order resolved, python-sql formatting the string) costs more
than the database takes to answer it, and a person opening their list again
builds the same SQL. It is kept only when it provably depends on nothing but
what its key holds:
- the domain and the record rules' domain are pure: leaves on stored columns
  of the model itself compared with literal values, no path, no function
  field, no operator that reads rows while it is converted (child_of, where,
  a Many2One given as text);
- the order is on such columns;
- the model's search is Tryton's and the field guard's, nothing else.
The key holds the user, the context, the domain, the rules' domain as
ir.rule computes it for this person (groups, organisation scope, clearance:
a new or changed rule gives a new key), offset, limit, order and the
columns selected. The access checks still run on every search.
"""
import datetime as dt
import threading
from decimal import Decimal

from trytond.cache import LRUDict
from trytond.model import ModelSQL, ModelStorage
from trytond.model.modelstorage import is_leaf
from trytond.pool import Pool
from trytond.transaction import Transaction

from egov_base.security.field_guard import FieldGuardMixin, guard_search

# About 2 KB each: 20 MB a worker process at most, a busy morning's people
SIZE = 8192
# Neither a long domain (a list of thousands of ids) nor its SQL is kept:
# thousands of them would hold a worker's memory
MAX_TEXT = 8192
PURE_TYPES = {'char', 'text', 'selection', 'integer', 'biginteger', 'float',
    'numeric', 'boolean', 'date', 'datetime', 'timestamp', 'time'}
OPERATORS = {'=', '!=', '<', '<=', '>', '>=', 'like', 'ilike', 'not like',
    'not ilike', 'in', 'not in'}
LITERALS = (type(None), bool, int, float, Decimal, str, dt.date, dt.time,
    dt.timedelta)
IGNORED_CONTEXT = {'_request'}
# The classes whose methods may build the SQL of a cached search
SEARCH_METHODS = {
    'search': {FieldGuardMixin, ModelSQL, ModelStorage},
    'search_domain': {ModelSQL},
    '_search_domain_active': {ModelSQL, ModelStorage},
    }


def cacheable(Model):
    """Whether Model's search is built by Tryton and the field guard alone:
    looked up once per model class, not at each search"""
    cache = Model._search_cache
    if cache.cacheable is None:
        cache.cacheable = all(
            klass in allowed
            for name, allowed in SEARCH_METHODS.items()
            for klass in Model.__mro__ if name in klass.__dict__)
    return cache.cacheable


def _literal(field, value):
    if field._type == 'many2one':
        return value is None or (
            isinstance(value, int) and not isinstance(value, bool))
    return isinstance(value, LITERALS)


def _pure_field(Model, name):
    field = Model._fields.get(name)
    return (field is not None
        and (field._type in PURE_TYPES or field._type == 'many2one')
        and not hasattr(field, 'get')
        and not getattr(field, 'translate', False)
        and field.sql_type() is not None)


def pure_domain(Model, domain):
    "Whether the SQL of domain depends on nothing but the domain itself"
    if is_leaf(domain):
        if len(domain) != 3:
            return False
        name, operator, value = domain
        if not _pure_field(Model, name) or operator not in OPERATORS:
            return False
        field = Model._fields[name]
        if operator in {'in', 'not in'}:
            return (isinstance(value, (list, tuple))
                and all(_literal(field, v) for v in value))
        return _literal(field, value)
    if not isinstance(domain, (list, tuple)):
        return False
    clauses = domain
    if domain and domain[0] in ('AND', 'OR'):
        clauses = domain[1:]
    return all(pure_domain(Model, c) for c in clauses)


def pure_order(Model, order):
    if not order:
        return True
    for oexpr, otype in order:
        if (not _pure_field(Model, oexpr)
                or Model._fields[oexpr]._type == 'many2one'
                or not isinstance(otype, (str, type(None)))):
            return False
    return True


def key(Model, domain, offset, limit, order, columns):
    """The key of the search's SQL, or None when it may not be kept"""
    Rule = Pool().get('ir.rule')
    if not cacheable(Model):
        return None
    if not pure_domain(Model, domain):
        return None
    if not pure_order(Model, Model._order if order is None else order):
        return None
    rule_domain = Rule.domain_get(Model.__name__, mode='read')
    if not pure_domain(Model, rule_domain):
        return None
    transaction = Transaction()
    # Not the HTTP request's details (the address, the session's last
    # activity): the SQL does not read them, and they change by the minute
    context = sorted((k, v) for k, v in transaction.context.items()
        if k not in IGNORED_CONTEXT)
    texts = (repr(context), repr(domain),
        repr(rule_domain), repr(order))
    if sum(map(len, texts)) > MAX_TEXT:
        return None
    return (transaction.user, transaction.check_access, *texts, offset,
        limit, tuple(columns))


def check(Model, domain, offset, limit, order):
    """The checks Model.search runs before it builds its SQL: the field
    guard's, the access to the model and to the fields searched and
    ordered"""
    domain = guard_search(Model, domain, order)
    ModelStorage.search.__func__(Model, domain, offset=offset, limit=limit,
        order=order)


class SearchCache:
    """The kept SQL of one model class of a pool: (sql, params) by key, the
    least recently used dropped first"""

    def __init__(self):
        self._sql = LRUDict(SIZE)
        self._lock = threading.Lock()
        # Whether the model's SQL may be kept at all (cacheable)
        self.cacheable = None

    def get(self, key):
        with self._lock:
            sql = self._sql.get(key)
            if sql is not None:
                self._sql.move_to_end(key)
            return sql

    def set(self, key, sql):
        if len(sql[0]) > MAX_TEXT:
            return
        with self._lock:
            self._sql[key] = sql

    def clear(self):
        with self._lock:
            self._sql.clear()

    def __len__(self):
        return len(self._sql)
