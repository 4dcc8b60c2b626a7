"""Record rules see the organisation scope of the user: the post they act
in, its unit, department and division, and the units they lead."""
from collections import defaultdict

from sql import Literal

from trytond.cache import Cache
from trytond.ir.rule import _get_access_models
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONDecoder
from trytond.transaction import Transaction, without_check_access

SCOPE_KEYS = ('employee', 'post', 'unit', 'department', 'division', 'units')


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'
    # The rules that apply to a model for a set of groups: the same for
    # everyone with those groups (their domains evaluate per person)
    _group_rules_cache = Cache('ir_rule.group_rules', context=False)

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
        scope = User.get_org_scope()
        return (*key, Transaction().user, *(scope[k] for k in SCOPE_KEYS))

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
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
        """Tryton's get, with the rules of the groups cached: the domains
        evaluate per person (scope above), so the domain cache misses on
        everybody's first call of the day, where four queries a model found
        the same rules each time"""
        pool = Pool()
        RuleGroup = pool.get('ir.rule.group')
        User = pool.get('res.user')
        assert mode in cls.modes
        model_names, model2field = _get_access_models(pool.get(model_name))
        key = (model_name, mode, User.get_groups())
        found = cls._group_rules_cache.get(key)
        if found is None:
            found = cls._group_rules(list(model_names), mode)
            cls._group_rules_cache.set(key, found)
        rules, no_rules = found

        clause = defaultdict(lambda: ['OR'])
        clause_global = defaultdict(lambda: ['OR'])
        decoders = {}
        for domain, group_id, target_model, global_p in rules:
            if target_model not in decoders:
                decoders[target_model] = PYSONDecoder(
                    cls._get_context(target_model))
            dom = decoders[target_model].decode(domain)
            if target_model in model2field:
                dom = ['OR', *((field, 'where', dom)
                        for field in model2field[target_model])]
            if global_p:
                clause_global[RuleGroup(group_id)].append(dom)
            else:
                clause[RuleGroup(group_id)].append(dom)
        if no_rules is not None:
            clause[RuleGroup(no_rules)] = []
        return clause, clause_global

    @classmethod
    def _group_rules(cls, model_names, mode):
        """The rules of model_names (a model and those it takes its access
        from) for mode and the groups of the user, as Tryton's get finds
        them: ([(domain, rule group id, model, global)], the id of a rule
        group of the user without rules or None)"""
        pool = Pool()
        RuleGroup = pool.get('ir.rule.group')
        RuleGroup_Group = pool.get('ir.rule.group-res.group')
        User = pool.get('res.user')
        rule = cls.__table__()
        rule_group = RuleGroup.__table__()
        rule_group_group = RuleGroup_Group.__table__()
        cursor = Transaction().connection.cursor()
        groups = User.get_groups()

        cursor.execute(*rule.join(rule_group,
                condition=rule_group.id == rule.rule_group
                ).join(rule_group_group, 'LEFT',
                condition=rule_group_group.rule_group == rule_group.id
                ).select(rule.id,
                where=(rule_group.model.in_(model_names))
                & (getattr(rule_group, 'perm_%s' % mode) == Literal(True))
                & (rule_group_group.group.in_(groups or [-1])
                    | (rule_group.default_p == Literal(True))
                    | (rule_group.global_p == Literal(True))
                    )))
        ids = [x for x, in cursor]
        cursor.execute(*rule_group.join(rule_group_group, 'LEFT',
                condition=rule_group_group.rule_group == rule_group.id
                ).select(rule_group.id,
                where=(rule_group.model.in_(model_names))
                & ~rule_group.id.in_(rule.select(rule.rule_group))
                & rule_group_group.group.in_(groups or [-1])))
        no_rules = cursor.fetchone()
        with without_check_access():
            rules = tuple((r.domain, r.rule_group.id, r.rule_group.model,
                    bool(r.rule_group.global_p)) for r in cls.browse(ids))
        return rules, no_rules[0] if no_rules else None

    @classmethod
    def on_modification(cls, mode, rules, field_names=None):
        super().on_modification(mode, rules, field_names=field_names)
        cls._group_rules_cache.clear()


class RuleGroup(metaclass=PoolMeta):
    __name__ = 'ir.rule.group'

    @classmethod
    def on_modification(cls, mode, groups, field_names=None):
        pool = Pool()
        Rule = pool.get('ir.rule')
        super().on_modification(mode, groups, field_names=field_names)
        Rule._group_rules_cache.clear()
