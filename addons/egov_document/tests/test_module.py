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


del EgovBaseTestCase, TranslationTestCase
