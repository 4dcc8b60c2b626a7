from trytond.tests.test_tryton import ModuleTestCase


class EgovBaseTestCase(ModuleTestCase):
    "Test the egov_base module"
    module = 'egov_base'


del ModuleTestCase
