from lxml import etree
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

# The web client has no list column for these types: a list shows them
# through widget="date" and widget="time"
NO_LIST_COLUMN = {'datetime', 'timestamp'}


class EgovBaseTestCase(ModuleTestCase):
    "Test the egov_base module"
    module = 'egov_base'
    # In the users' language, as the module's other tests: one database
    # template per module for all its tests instead of two
    language = 'zh_CN'

    @with_transaction()
    def test_list_views_render_in_sao(self):
        "Every list view field has a column type the web client knows"
        pool = Pool()
        View = pool.get('ir.ui.view')
        for view in View.search([
                    ('module', '=', self.module), ('type', '=', 'tree')]):
            Model = pool.get(view.model)
            arch = etree.fromstring(view.arch)
            for node in arch.iter('field'):
                field = Model._fields[node.get('name')]
                type_ = getattr(field, '_type', None)
                with self.subTest(view=view.name, field=node.get('name')):
                    if type_ in NO_LIST_COLUMN:
                        self.assertIn(node.get('widget'), {'date', 'time'})


del ModuleTestCase
