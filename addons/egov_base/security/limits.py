"""Bounds on what one RPC call may ask of the server: the size and depth of
a domain, the length of an order and of a list of ids. An OR of 20,000
terms costs seconds to validate and to turn into SQL; sao sends a few
dozen leaves.

The bounds are checked where Tryton converts the arguments of a call that
comes over RPC (trytond.rpc.RPC.convert), so that the platform's own code
(an import checking 60,000 numbers with one 'in') is not bounded."""
from trytond import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.transaction import Transaction

from . import errors  # noqa: F401 (the generic answer to unexpected errors)
from .field_guard import _guarded

# The positions, in the arguments of each method called over RPC, of its
# domain, its order and its list of ids (the context is not counted)
BOUNDED_METHODS = {
    'search': {'domain': 0, 'order': 3},
    'search_count': {'domain': 0},
    'search_read': {'domain': 0, 'order': 3},
    'export_data_domain': {'domain': 0, 'order': 4},
    'read': {'ids': 0},
    'export_data': {'ids': 0},
    'write': {'ids': slice(0, None, 2)},
    'delete': {'ids': 0},
    'copy': {'ids': 0},
    'history_revisions': {'ids': 0},
    'resources': {'ids': 0},
    'autocomplete': {'domain': 1, 'order': 3},
    'create': {'records': 0},
    'import_data': {'records': 1},
    }
DOMAIN_OPERATORS = {'AND', 'OR'}


def limits():
    return {
        'leaves': config.getint('egov', 'domain_max_leaves', default=500),
        'depth': config.getint('egov', 'domain_max_depth', default=12),
        # The values of all 'in' lists of a domain, and ids of a call
        'values': config.getint('egov', 'domain_max_values', default=20000),
        'order': config.getint('egov', 'order_max_length', default=16),
        'path': config.getint('egov', 'domain_max_path', default=256),
        # The characters of one value of a domain (an ilike pattern)
        'text': config.getint('egov', 'domain_max_text', default=1000),
        # Records made at once (create, import_data): about a second each
        # thousand
        'records': config.getint('egov', 'create_max_records', default=5000),
        }


class LimitError(UserError):
    pass


def _refuse(message_id, model, **values):
    # The model as people know it (用户, 组织机构…), in their language
    try:
        model = Pool().get('ir.model').get_name(model)
    except Exception:
        pass
    raise LimitError(gettext(
            'egov_base.msg_limit_%s' % message_id, model=model, **values))


def is_leaf(node):
    "Whether node of a domain is a clause (a field, an operator, a value)"
    return (isinstance(node, (list, tuple)) and bool(node)
        and isinstance(node[0], str) and node[0] not in DOMAIN_OPERATORS)


def check_domain(model, domain, bounds=None):
    """Refuse a domain with too many leaves, nested too deep, or whose
    lists of values are too long; walk it without recursion"""
    bounds = bounds or limits()
    if domain is None:
        return
    if not isinstance(domain, (list, tuple)):
        _refuse('domain_invalid', model)
    leaves = values = 0
    todo = [(domain, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > bounds['depth']:
            _refuse('domain_depth', model, limit=bounds['depth'])
        if is_leaf(node):
            leaves += 1
            if leaves > bounds['leaves']:
                _refuse('domain_leaves', model, limit=bounds['leaves'])
            if len(node[0]) > bounds['path']:
                _refuse('domain_invalid', model)
            for value in node[1:]:
                if isinstance(value, str) and len(value) > bounds['text']:
                    _refuse('domain_text', model, limit=bounds['text'])
                if isinstance(value, (list, tuple)):
                    values += len(value)
                    # A sub-domain ('where', 'child_of' with a domain…)
                    todo.extend((v, depth + 1) for v in value
                        if isinstance(v, (list, tuple)))
            if values > bounds['values']:
                _refuse('domain_values', model, limit=bounds['values'])
        elif isinstance(node, (list, tuple)):
            todo.extend((n, depth + 1) for n in node
                if isinstance(n, (list, tuple)))


def check_order(model, order, bounds=None):
    bounds = bounds or limits()
    if order is None:
        return
    if not isinstance(order, (list, tuple)):
        _refuse('order_invalid', model)
    if len(order) > bounds['order']:
        _refuse('order_length', model, limit=bounds['order'])
    for item in order:
        if (not isinstance(item, (list, tuple)) or not 1 <= len(item) <= 2
                or not isinstance(item[0], str)
                or len(item[0]) > bounds['path']
                or (len(item) == 2 and item[1] is not None
                    and (not isinstance(item[1], str)
                        or len(item[1]) > 32))):
            _refuse('order_invalid', model)


def check_ids(model, ids, bounds=None):
    bounds = bounds or limits()
    if isinstance(ids, (list, tuple)) and len(ids) > bounds['values']:
        _refuse('ids', model, limit=bounds['values'])


def check_records(model, records, bounds=None):
    bounds = bounds or limits()
    if isinstance(records, (list, tuple)) and len(records) > bounds['records']:
        _refuse('records', model, limit=bounds['records'])


class BoundedRPC(RPC):
    "An RPC whose domain, order and ids are bounded before the call"
    __slots__ = ('bounded',)

    @classmethod
    def wrap(cls, rpc, bounded):
        new = cls()
        for name in RPC.__slots__:
            setattr(new, name, getattr(rpc, name))
        new.bounded = bounded
        return new

    def convert(self, obj, *args, **kwargs):
        # The arguments are checked before anything is built of them:
        # records are instantiated from the ids by the conversion
        bounds = limits()
        positional = list(args[:-1]) if args and 'context' not in kwargs \
            else list(args)
        context = kwargs.get('context', args[-1] if args else None)
        if not isinstance(context, dict):
            context = {}
        # The refusal speaks the caller's language
        with Transaction().set_context(language=context.get('language')):
            for kind, position in self.bounded.items():
                if isinstance(position, slice):
                    value = [i for ids in positional[position]
                        if isinstance(ids, (list, tuple)) for i in ids]
                elif position < len(positional):
                    value = positional[position]
                else:
                    continue
                if kind == 'domain':
                    check_domain(obj.__name__, value, bounds)
                elif kind == 'order':
                    check_order(obj.__name__, value, bounds)
                elif kind == 'records':
                    check_records(obj.__name__, value, bounds)
                else:
                    check_ids(obj.__name__, value, bounds)
        return super().convert(obj, *args, **kwargs)


class _BoundedRPCs:
    """The __rpc__ of the classes below the mixin, with the methods of
    BOUNDED_METHODS bounded; computed on first use and kept on the class.

    Tryton puts a [register_mixin] above each class once the pool is set
    up, without calling __setup__ again: the dispatcher's look-up of
    Model.__rpc__ is where a mixin can still take part."""

    def __get__(self, instance, owner):
        rpcs = dict(super(RPCLimits, owner).__rpc__)
        for method, bounded in BOUNDED_METHODS.items():
            rpc = rpcs.get(method)
            if rpc is not None and not isinstance(rpc, BoundedRPC):
                rpcs[method] = BoundedRPC.wrap(rpc, bounded)
        type.__setattr__(owner, '__rpc__', rpcs)
        return rpcs


class RPCLimits:
    "Bound the domains, orders and ids of every model's RPC methods"
    __slots__ = ()
    __rpc__ = _BoundedRPCs()

    # Tryton's CSV export route (/<database>/data/<model>) calls this
    # without RPC: a person's search there is bounded too

    @classmethod
    def export_data_domain(cls, domain, fields_names, offset=0, limit=None,
            order=None, header=False):
        if _guarded():
            bounds = limits()
            check_domain(cls.__name__, domain, bounds)
            check_order(cls.__name__, order, bounds)
        return super().export_data_domain(domain, fields_names,
            offset=offset, limit=limit, order=order, header=header)

