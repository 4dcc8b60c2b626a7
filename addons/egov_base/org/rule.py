"""Record rules see the organisation scope of the user: the post they act
in, its unit, department and division, and the units they lead.

Tryton finds the rules of a model (ir.rule.get) and keeps the domain they
make (domain_get) under a cache key. Two additions keep that cheap for a
city of users, where each person's first call would otherwise find the
same rules again:
- the cache key names only what the domain depends on: the groups and the
  values of the scope that the model's rules evaluate; so everyone with the
  same groups (and, for the rules by county, the same county) shares a
  domain;
- the rules found for a set of groups are kept with the person's values
  left to evaluate, and evaluated for each person (get)."""
import json
from collections import defaultdict

from trytond.cache import Cache
from trytond.ir.rule import _get_access_models
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONDecoder, PYSONEncoder
from trytond.transaction import Transaction

SCOPE_KEYS = ('employee', 'post', 'unit', 'department', 'division', 'units')
# The values of the context that differ from person to person
PERSON_KEYS = ('user_id',) + SCOPE_KEYS
# In the context while the rules of a set of groups are found (get)
TEMPLATE = '_egov_rule_template'


def _evaluations(domain):
    """Return the names of the context a PYSON-encoded domain evaluates
    (None when they cannot be told) and whether it uses the person's values
    only as values of its clauses, never in a computation"""
    try:
        value = json.loads(domain or '[]')
    except ValueError:
        return None, False
    names = set()
    plain = True

    def walk(value, in_pyson):
        nonlocal plain
        if isinstance(value, list):
            for item in value:
                walk(item, in_pyson)
        elif isinstance(value, dict):
            if value.get('__class__') == 'Eval':
                name = value.get('v')
                if not isinstance(name, str):
                    names.add(None)
                    return
                # "a.b" reads "b" of "a" when the context has no "a.b"
                base = name.split('.', 1)[0]
                names.update({name, base})
                if base in PERSON_KEYS and (in_pyson or name != base):
                    plain = False
                walk(value.get('d'), True)
            else:
                in_pyson = in_pyson or '__class__' in value
                for item in value.values():
                    walk(item, in_pyson)

    walk(value, False)
    if None in names:
        return None, False
    return names, plain


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'
    # The names of the context the rules of some models evaluate
    _evaluations_cache = Cache('ir_rule.evaluations', context=False)
    # The rules of a model found for a set of groups, the person's values
    # left to evaluate
    _template_cache = Cache('ir_rule.template', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "employee", "post", "unit", "department" and "division" '
            'as ids of the current user (-1 when none)'
            '\n- "units" as the ids of the unit acted in and the units led'
            '\n- "user_id" as the id of the current user')

    @classmethod
    def _get_cache_key(cls, model_names):
        pool = Pool()
        User = pool.get('res.user')
        key = super()._get_cache_key(model_names)
        names, _ = cls._evaluations(model_names)
        if names is None:
            names = frozenset(PERSON_KEYS)
        if 'user_id' in names:
            key += (('user_id', Transaction().user),)
        if names.intersection(SCOPE_KEYS):
            scope = User.get_org_scope()
            key += tuple((k, scope[k]) for k in SCOPE_KEYS if k in names)
        return key

    @classmethod
    def _evaluations(cls, model_names):
        """Return the names of the context that the rules of model_names
        evaluate, whatever their groups and modes (None when unknown), and
        whether they use the person's values only as values of clauses"""
        pool = Pool()
        RuleGroup = pool.get('ir.rule.group')
        key = tuple(sorted(model_names))
        found = cls._evaluations_cache.get(key)
        if found is not None:
            return found
        rule = cls.__table__()
        rule_group = RuleGroup.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*rule.join(rule_group,
                condition=rule_group.id == rule.rule_group
                ).select(rule.domain,
                where=rule_group.model.in_(list(key))))
        names, plain = set(), True
        for domain, in cursor:
            evaluated, evaluated_plain = _evaluations(domain)
            plain &= evaluated_plain
            if evaluated is None:
                names = None
                break
            names |= evaluated
        found = (frozenset(names) if names is not None else None, plain)
        return cls._evaluations_cache.set(key, found)

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        if Transaction().context.get(TEMPLATE):
            context.update((k, Eval(k)) for k in PERSON_KEYS)
            return context
        scope = User.get_org_scope()
        context['user_id'] = Transaction().user
        for key in SCOPE_KEYS:
            value = scope[key]
            if key == 'units':
                context[key] = list(value)
            else:
                context[key] = value if value is not None else -1
        return context

    @classmethod
    def get(cls, model_name, mode='read'):
        """Tryton's get, found once for the groups with the person's values
        left as Eval (the context of _get_context under TEMPLATE), then
        evaluated for each person. Not when a rule of the model computes
        with those values: then Tryton's get for each person."""
        pool = Pool()
        RuleGroup = pool.get('ir.rule.group')
        User = pool.get('res.user')
        model_names, _ = _get_access_models(pool.get(model_name))
        _, plain = cls._evaluations(model_names)
        if not plain:
            return super().get(model_name, mode=mode)
        key = (model_name, mode, User.get_groups())
        template = cls._template_cache.get(key)
        if template is None:
            encoder = PYSONEncoder()
            with Transaction().set_context({TEMPLATE: True}):
                clause, clause_global = super().get(model_name, mode=mode)
            template = tuple(
                (global_p, rule_group.id, encoder.encode(domain))
                for global_p, clauses in [
                    (False, clause), (True, clause_global)]
                for rule_group, domain in clauses.items())
            cls._template_cache.set(key, template)
        decoder = PYSONDecoder(cls._get_context(model_name))
        clause = defaultdict(lambda: ['OR'])
        clause_global = defaultdict(lambda: ['OR'])
        for global_p, rule_group_id, domain in template:
            clauses = clause_global if global_p else clause
            clauses[RuleGroup(rule_group_id)] = decoder.decode(domain)
        return clause, clause_global

    @classmethod
    def on_modification(cls, mode, rules, field_names=None):
        super().on_modification(mode, rules, field_names=field_names)
        cls.clear_caches()

    @classmethod
    def clear_caches(cls):
        cls._evaluations_cache.clear()
        cls._template_cache.clear()


class RuleGroup(metaclass=PoolMeta):
    __name__ = 'ir.rule.group'

    @classmethod
    def on_modification(cls, mode, groups, field_names=None):
        pool = Pool()
        Rule = pool.get('ir.rule')
        super().on_modification(mode, groups, field_names=field_names)
        Rule.clear_caches()
