"""密级 (secrecy) of documents and the clearance of people and units.

A person reads a document of a 密级 only when their clearance reaches it:
a global record rule on each document model compares the document's level
with the levels of the person (the "secrecy_levels" of the rules' context,
added below). A global rule is applied to every read, search, count, order
and export, so a person without the clearance finds nothing of the
document by any of them."""
from trytond.cache import Cache
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

# In the order of their rank: a clearance reaches every level before it
SECRECY = [
    ('none', "Not Classified"),
    ('secret', "Secret"),
    ('confidential', "Confidential"),
    ('top_secret', "Top Secret"),
    ]
LEVELS = [s for s, _ in SECRECY]
# The 保密期限 of a level when the drafter names none (保密法 第十五条)
DEFAULT_YEARS = {'secret': 10, 'confidential': 20, 'top_secret': 30}
# In the rules' context while the rules of a set of groups are found
# (egov_base/org/rule.py TEMPLATE)
TEMPLATE = '_egov_rule_template'


def levels_up_to(clearance):
    "The levels a clearance reaches"
    return LEVELS[:LEVELS.index(clearance or 'none') + 1]


def reaches(clearance, level):
    return LEVELS.index(clearance or 'none') >= LEVELS.index(level or 'none')


class Employee(metaclass=PoolMeta):
    __name__ = 'egov.org.employee'
    secrecy_clearance = fields.Selection(
        SECRECY, "Secrecy Clearance", sort=False, required=True,
        help="The highest 密级 of the documents the person may read.")

    @classmethod
    def default_secrecy_clearance(cls):
        return 'none'

    @classmethod
    def on_modification(cls, mode, employees, field_names=None):
        super().on_modification(mode, employees, field_names=field_names)
        if mode != 'write' or not field_names or (
                {'secrecy_clearance', 'user', 'active'} & set(field_names)):
            Pool().get('ir.rule').clear_clearance()


class Unit(metaclass=PoolMeta):
    __name__ = 'egov.org.unit'
    secrecy_clearance = fields.Selection(
        SECRECY, "Secrecy Clearance", sort=False, required=True,
        help="The highest 密级 of the documents the unit may receive.")

    @classmethod
    def default_secrecy_clearance(cls):
        return 'none'


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'
    _clearance_cache = Cache('egov_document.clearance', context=False)

    @classmethod
    def clearance_of(cls, user_id):
        "The clearance of the person of the user (none without a person)"
        if not user_id:
            return 'top_secret'
        clearance = cls._clearance_cache.get(user_id)
        if clearance is None:
            Employee = Pool().get('egov.org.employee')
            employee = Employee.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*employee.select(employee.secrecy_clearance,
                    where=(employee.user == user_id)
                    & (employee.active == True)))  # noqa: E712
            found = [c for c, in cursor]
            # Of several records of one login, the lowest counts
            clearance = min(found or ['none'], key=LEVELS.index)
            cls._clearance_cache.set(user_id, clearance)
        return clearance

    @classmethod
    def clear_clearance(cls):
        cls._clearance_cache.clear()
        cls.clear_caches()

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        names, _ = cls._evaluations(model_names)
        if names is None or 'secrecy_levels' in names:
            key += (('clearance',
                    cls.clearance_of(Transaction().user)),)
        return key

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        if Transaction().context.get(TEMPLATE):
            context['secrecy_levels'] = Eval('secrecy_levels')
        else:
            context['secrecy_levels'] = levels_up_to(
                cls.clearance_of(Transaction().user))
        return context
