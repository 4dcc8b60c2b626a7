from egov_base.tests.test_access import AccessTestCase
from egov_base.tests.test_module import EgovBaseTestCase
from egov_base.tests.test_translation import TranslationTestCase


class EgovSupervisionModuleTestCase(EgovBaseTestCase):
    "Test the egov_supervision module"
    module = 'egov_supervision'
    extras = ['egov_document']


class SupervisionTranslationTestCase(TranslationTestCase):
    "Every string of egov_supervision has its Chinese"
    modules = ['egov_supervision']

    # The framework's strings are egov_base's to check
    test_framework_strings = None
    test_messages_read_as_chinese = None


class SupervisionAccessTestCase(AccessTestCase):
    "Every model of egov_supervision declares who sees it, with rules"
    modules = ['egov_supervision']


del EgovBaseTestCase, TranslationTestCase, AccessTestCase
