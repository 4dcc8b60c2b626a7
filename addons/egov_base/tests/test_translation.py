"""Every string a user sees has its Chinese translation: the platform's own
strings and the framework's (ir, res) that Tryton leaves untranslated."""
import polib

from trytond.modules import get_modules
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import ENGLISH, EgovTestCase

FRAMEWORK_MODULES = ['ir', 'res']


def untranslated(module):
    "Return the entries of module's live zh_CN export that lack Chinese"
    Translation = Pool().get('ir.translation')
    content = Translation.translation_export('zh_CN', module)
    po = polib.pofile(content.decode('utf-8'))
    return [
        '%s: %s' % (e.msgctxt, e.msgid) for e in po
        if e.msgid and (not e.msgstr or e.fuzzy)]


class TranslationTestCase(EgovTestCase):

    @with_transaction()
    def test_platform_strings(self):
        "Every field, view, menu, selection and message of egov modules"
        modules = sorted(m for m in get_modules() if m.startswith('egov_'))
        self.assertIn('egov_base', modules)
        for module in modules:
            with self.subTest(module=module):
                self.assertEqual(untranslated(module), [])

    @with_transaction()
    def test_framework_strings(self):
        "The framework's own strings, completed by the override file"
        # Tryton refuses to export what another module overrides: ask the
        # table of translations instead
        Translation = Pool().get('ir.translation')
        for module in FRAMEWORK_MODULES:
            with self.subTest(module=module):
                missing = Translation.search([
                        ('lang', '=', 'zh_CN'),
                        ('module', '=', module),
                        ['OR',
                            ('value', '=', None),
                            ('value', '=', ''),
                            ('fuzzy', '=', True)],
                        ])
                self.assertEqual(
                    ['%s: %s' % (t.name, t.src) for t in missing], [])

    @with_transaction()
    def test_messages_read_as_chinese(self):
        "Framework messages shown to users come out in Chinese"
        from trytond.i18n import gettext
        from trytond.transaction import Transaction
        with Transaction().set_context(language='zh_CN'):
            for message in [
                    'ir.msg_required_validation_record',
                    'ir.msg_domain_validation_record',
                    'ir.msg_size_validation_record',
                    'ir.msg_access_rule_error',
                    'ir.msg_write_error',
                    'res.msg_password_length',
                    ]:
                text = gettext(message, field='上级', record='测试',
                    model='组织机构', value='x', size=1, max_size=1,
                    length=8, ids='1', rules='', domain='',
                    **{'model.string': '组织机构'})
                with self.subTest(message=message):
                    self.assertRegex(text, '[\u4e00-\u9fff]')
                    self.assertNotRegex(text, ENGLISH)
