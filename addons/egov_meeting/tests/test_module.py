from egov_base.tests.test_access import AccessTestCase
from egov_base.tests.test_module import EgovBaseTestCase
from egov_base.tests.test_translation import TranslationTestCase


class EgovMeetingModuleTestCase(EgovBaseTestCase):
    "Test the egov_meeting module"
    module = 'egov_meeting'


class MeetingTranslationTestCase(TranslationTestCase):
    "Every string of egov_meeting has its Chinese"
    modules = ['egov_meeting']

    # The framework's strings are egov_base's to check
    test_framework_strings = None
    test_messages_read_as_chinese = None


class MeetingAccessTestCase(AccessTestCase):
    "Every model of egov_meeting declares who sees it, with rules"
    modules = ['egov_meeting']


del EgovBaseTestCase, TranslationTestCase, AccessTestCase
