"""The Chinese messages people read use full-width punctuation
(“记录保存成功。”, not "记录保存成功."): the platform's own, the overrides of
Tryton's and every message as a database in zh_CN gives it out."""
import os
import re

import polib
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import EgovTestCase

CJK = '\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019'
# What is not prose: placeholders (read as a Chinese word, so that
# "%(field)s" is caught as well as "上级"), addresses, dotted names and
# numbers, file patterns, the "..." of a menu entry that opens a dialog.
# Parentheses stay free: the roles are named 组织机构管理员(县区) everywhere.
PLACEHOLDER = re.compile(r'%\(\w+\)[sdifr]|%[sdif]|%\d|\$\{\w+\}|\{\w*\}')
TECHNICAL = re.compile(
    r'https?://\S+|\*?\.[A-Za-z]{2,5}\b|\w+(?:[.:/-]\w+)+|\.\.\.'
    # a character to type, alone between spaces; a literal in an expression
    r'|(?<=\s)[-_.@,:;](?=\s|$)|==?\s*"[^"]*"')
HALF_WIDTH = re.compile(
    r'(?:(?<=[%(cjk)s])\s*[,.;:!?"\']|[,;:!?"\']\s*(?=[%(cjk)s]))'
    % {'cjk': CJK})


def half_width(text):
    """Return the places of text where half-width punctuation touches
    Chinese, each with a few characters around it"""
    text = PLACEHOLDER.sub('某', text or '')
    text = TECHNICAL.sub('x', text)
    return [text[max(m.start() - 6, 0):m.end() + 6]
        for m in HALF_WIDTH.finditer(text)]


def po_messages(path):
    "The Chinese of every message of a po file"
    for entry in polib.pofile(path):
        if ((entry.msgctxt or '').startswith('model:ir.message,text')
                and not entry.obsolete):
            yield entry.msgctxt, entry.msgstr
            for plural in entry.msgstr_plural.values():
                yield entry.msgctxt, plural


class PunctuationTestCase(EgovTestCase):
    "Full-width punctuation in the Chinese messages"
    # (egov_workflow's template: egov_base comes with it)
    modules = ['egov_workflow']

    def test_rule(self):
        "The rule: what touches Chinese is full-width, the rest is free"
        for bad in ['记录保存成功.', '"上级" 是必填项.', '"%(field)s" 是必填项.',
                '确定?', '错误: %(error)s']:
            with self.subTest(text=bad):
                self.assertTrue(half_width(bad))
        for good in ['记录保存成功。', '“上级”是必填项。', '“%(field)s”是必填项。',
                '请上传 *.xlsx 文件。', '见 https://example.org/a.b。',
                '偏好设置...', '第 1,000 行', '只能用字母、数字和 . _ - @。',
                '例如：urgency == "特急"。', '时间 10:30', 'res.user 无权限。',
                'Error: "x".', '组织机构管理员(县区)']:
            with self.subTest(text=good):
                self.assertEqual(half_width(good), [])

    def test_po_files(self):
        "The messages of the modules and the overrides of Tryton's"
        from trytond.tools import file_open
        for module in self.modules:
            for name in ['zh_CN.po', os.path.join('override', 'zh_CN.po')]:
                try:
                    fp = file_open(os.path.join(module, 'locale', name))
                except (IOError, FileNotFoundError):
                    continue
                with fp:
                    path = fp.name
                found = ['%s: %s' % (ctxt, text)
                    for ctxt, text in po_messages(path) if half_width(text)]
                with self.subTest(file=path):
                    self.assertEqual(found, [])

    @with_transaction()
    def test_messages_in_database(self):
        "Every message, Tryton's included, as a database gives it out"
        Message = Pool().get('ir.message')
        with Transaction().set_context(language='zh_CN'):
            messages = Message.search([])
            found = []
            for message in messages:
                for text in [message.text, message.text_plural]:
                    if half_width(text):
                        found.append('%s: %s' % (message.id, text))
        ModelData = Pool().get('ir.model.data')
        names = {d.db_id: '%s.%s' % (d.module, d.fs_id)
            for d in ModelData.search([('model', '=', 'ir.message')])}
        found = [names.get(int(f.split(':')[0]), '?') + f[f.index(':'):]
            for f in found]
        self.assertEqual(found, [])
