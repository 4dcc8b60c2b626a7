"""Access everywhere: every model of the platform declares who sees its
records, has access rights for every group, and rules where it says so."""
from trytond.model import ModelSQL
from trytond.modules import get_modules
from trytond.pool import Pool, isregisteredby
from trytond.tests.test_tryton import with_transaction

from .tools import EgovTestCase

# What a model's _egov_visibility promises:
#   city    every platform user reads all of them (the city's directory);
#           changes need an administrator's group, limited by rules
#   owner   each user sees only their own (a global record rule)
#   unit    users see those of their units (record rules by unit)
#   admin   only administrators' groups read them
#   parent  they follow the access of their parent record (__access__)
VISIBILITIES = {'city', 'owner', 'unit', 'admin', 'parent'}


def egov_models():
    "The ModelSQL models that egov modules define (not their extensions)"
    pool = Pool()
    modules = [m for m in get_modules() if m.startswith('egov_')]
    for name, Model in pool.iterobject():
        if not issubclass(Model, ModelSQL) or callable(
                getattr(Model, 'table_query', None)):
            continue
        if not any(isregisteredby(Model, m) for m in modules):
            continue
        if any('.tests.' in c.__module__ for c in Model.__mro__):
            # A model of a module's tests (egov.workflow.test.mission)
            continue
        if name.split('.')[0] in {'ir', 'res'}:
            continue
        yield name, Model


class AccessTestCase(EgovTestCase):

    @with_transaction()
    def test_every_model_declares_its_visibility(self):
        models = dict(egov_models())
        self.assertIn('egov.org.unit', models)
        for name, Model in models.items():
            with self.subTest(model=name):
                self.assertIn(
                    getattr(Model, '_egov_visibility', None), VISIBILITIES)

    @with_transaction()
    def test_every_model_has_access_rights(self):
        """A default row that grants no change, and the groups that may
        change records named explicitly"""
        pool = Pool()
        Access = pool.get('ir.model.access')
        for name, Model in egov_models():
            with self.subTest(model=name):
                rows = Access.search([('model', '=', name)])
                defaults = [r for r in rows if not r.group]
                self.assertEqual(len(defaults), 1,
                    msg="a default access row (no group)")
                default, = defaults
                self.assertFalse(
                    default.perm_write or default.perm_create
                    or default.perm_delete,
                    msg="the default row grants changes")
                if Model._egov_visibility == 'parent':
                    self.assertTrue(Model.__access__,
                        msg="follows no parent (__access__)")
                else:
                    self.assertTrue([r for r in rows if r.group],
                        msg="no group is granted anything")

    @with_transaction()
    def test_rules_where_promised(self):
        pool = Pool()
        RuleGroup = pool.get('ir.rule.group')
        Access = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        Role = pool.get('egov.application.role')
        egov_user = ModelData.get_id('egov_base', 'group_egov_user')
        # The groups every employee has (through the applications)
        staff = set(Role.staff_groups()) | {egov_user}
        for name, Model in egov_models():
            visibility = Model._egov_visibility
            rules = RuleGroup.search([('model', '=', name)])
            readers = [r for r in Access.search([
                        ('model', '=', name), ('perm_read', '=', True)])]
            with self.subTest(model=name, visibility=visibility):
                if visibility in {'owner', 'unit'}:
                    # A read rule that binds every plain user
                    # (a default rule binds everyone whose groups have
                    # no rule of their own: the administrators' see more)
                    self.assertTrue([r for r in rules
                            if r.perm_read and (
                                r.global_p or r.default_p or staff & {
                                    g.id for g in r.groups})],
                        msg="no read rule for plain users")
                elif visibility == 'admin':
                    self.assertFalse([r for r in readers
                            if not r.group or r.group.id == egov_user],
                        msg="plain users read it")
                elif visibility == 'city':
                    self.assertTrue([r for r in readers
                            if r.group and r.group.id == egov_user],
                        msg="platform users cannot read it")
                    writers = Access.search([
                            ('model', '=', name),
                            ['OR',
                                ('perm_write', '=', True),
                                ('perm_create', '=', True),
                                ('perm_delete', '=', True)]])
                    self.assertFalse([w for w in writers
                            if w.group.id == egov_user],
                        msg="every platform user may change it")
