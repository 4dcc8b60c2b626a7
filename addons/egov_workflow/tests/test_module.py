from egov_base.tests.test_module import EgovBaseTestCase
from egov_base.tests.test_translation import TranslationTestCase


class EgovWorkflowModuleTestCase(EgovBaseTestCase):
    "Test the egov_workflow module"
    module = 'egov_workflow'


class WorkflowTranslationTestCase(TranslationTestCase):
    "Every string of egov_workflow has its Chinese"
    modules = ['egov_workflow']

    # The framework's strings are egov_base's to check
    test_framework_strings = None
    test_messages_read_as_chinese = None


del EgovBaseTestCase, TranslationTestCase
