from egov_base.tests.test_access import AccessTestCase
from egov_base.tests.test_module import EgovBaseTestCase
from egov_base.tests.test_translation import TranslationTestCase


class EgovDocumentModuleTestCase(EgovBaseTestCase):
    "Test the egov_document module"
    module = 'egov_document'


class DocumentTranslationTestCase(TranslationTestCase):
    "Every string of egov_document has its Chinese"
    modules = ['egov_document']

    # The framework's strings are egov_base's to check
    test_framework_strings = None
    test_messages_read_as_chinese = None


class DocumentAccessTestCase(AccessTestCase):
    "Every model of egov_document declares who sees it, with rules"
    modules = ['egov_document']


del EgovBaseTestCase, TranslationTestCase, AccessTestCase
