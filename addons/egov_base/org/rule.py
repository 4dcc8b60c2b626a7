"""Record rules see the organisation scope of the user: the post they act
in, its unit, department and division, and the units they lead."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

SCOPE_KEYS = ('employee', 'post', 'unit', 'department', 'division', 'units')


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

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
