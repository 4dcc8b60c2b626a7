"""Every string a user sees has its Chinese translation: the platform's own
strings and the framework's (ir, res) that Tryton leaves untranslated."""
import polib
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import ENGLISH, EgovTestCase

FRAMEWORK_MODULES = ['ir', 'res', 'authentication_sms']


def register_sources():
    """Register the strings of views and reports as sources, as Tryton's
    "Set Translations" does (fields, menus, messages… are registered when
    the module loads)"""
    TranslationSet = Pool().get('ir.translation.set', type='wizard')
    session_id, _, _ = TranslationSet.create()
    wizard = TranslationSet(session_id)
    wizard.set_view()
    wizard.set_report()
    TranslationSet.delete(session_id)


def untranslated(module):
    """Return the source strings of module (every field, view, menu,
    selection, message… that Tryton registered) that lack Chinese"""
    Translation = Pool().get('ir.translation')
    register_sources()

    def key(t):
        return (t.type, t.name, t.res_id, t.src)
    chinese = {key(t): t for t in Translation.search([
                ('lang', '=', 'zh_CN'), ('module', '=', module)])}
    missing = []
    for source in Translation.search([
                ('lang', '=', 'en'), ('module', '=', module)]):
        if not source.src:
            continue
        target = chinese.get(key(source))
        if target is None or not target.value or target.fuzzy:
            missing.append('%s:%s: %s' % (
                    source.type, source.name, source.src))
    return missing


class TranslationTestCase(EgovTestCase):

    @with_transaction()
    def test_platform_strings(self):
        "Every field, view, menu, selection and message of the modules"
        for module in self.modules:
            with self.subTest(module=module):
                self.assertEqual(untranslated(module), [])

    @with_transaction()
    def test_framework_strings(self):
        "The framework's own strings, completed by the override file"
        for module in FRAMEWORK_MODULES:
            with self.subTest(module=module):
                self.assertEqual(untranslated(module), [])

    @with_transaction()
    def test_po_file_is_complete(self):
        "The shipped file has no empty or fuzzy entry"
        import os
        from trytond.tools import file_open
        for module in self.modules:
            with file_open(os.path.join(module, 'locale', 'zh_CN.po')) as fp:
                po = polib.pofile(fp.read())
            self.assertEqual([e.msgid for e in po
                    if e.msgid and (not e.msgstr or e.fuzzy)], [])

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
