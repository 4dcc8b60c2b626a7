"""The sensitive words the administrator keeps (敏感词: 禁用 or 慎用, with
what to write instead), and their matcher: one regular expression shaped
as a trie of the words, so that each position of the text costs at most
the length of the longest word, however many words there are."""
import functools
import re

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import ValidationError
from trytond.transaction import without_check_access

LEVELS = [
    ('banned', "Banned"),
    ('caution', "Use with Care"),
    ]
MAX_WORD = 50


class SensitiveWord(DeactivableMixin, ModelSQL, ModelView):
    "Sensitive Word"
    __string__ = "Sensitive Word"
    __name__ = 'egov.document.sensitive_word'
    # Read by the document administrators and clerks (秘书科) who keep and
    # apply the list; the check itself runs for every drafter and signer
    _egov_visibility = 'admin'
    _words_cache = Cache('egov.document.sensitive_word.words', context=False)

    word = fields.Char("Word", required=True, strip=True, size=MAX_WORD)
    level = fields.Selection(LEVELS, "Level", required=True, sort=False)
    suggestion = fields.Char("Suggestion", strip=True,
        help="What to write instead, shown with the finding.")
    note = fields.Char("Note", strip=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('word_unique', Unique(t, t.word),
                'egov_document.msg_proofread_word_unique'),
            ]
        cls._order = [('level', 'ASC'), ('word', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_level(cls):
        return 'banned'

    @classmethod
    def validate_fields(cls, words, field_names):
        super().validate_fields(words, field_names)
        if field_names and 'word' not in field_names:
            return
        for word in words:
            if not word.word or len(word.word) > MAX_WORD:
                raise ValidationError(gettext(
                        'egov_document.msg_proofread_word_length',
                        max=MAX_WORD))

    @classmethod
    def on_modification(cls, mode, words, field_names=None):
        super().on_modification(mode, words, field_names=field_names)
        cls._words_cache.clear()

    @classmethod
    def words(cls):
        "(word, level, suggestion) of the active words, for every checker"
        words = cls._words_cache.get(None)
        if words is None:
            with without_check_access():
                words = [(w.word, w.level, w.suggestion or '')
                    for w in cls.search([])]
            cls._words_cache.set(None, words)
        return words


@functools.lru_cache(maxsize=8)
def matcher(words):
    "A compiled trie regex of words (a tuple), longest match first"
    if not words:
        return None
    trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[''] = True
    return re.compile(_pattern(trie))


def _pattern(node):
    alternatives = []
    end = node.get('') is True
    for char in sorted(k for k in node if k):
        alternatives.append(re.escape(char) + _pattern(node[char]))
    if not alternatives:
        return ''
    body = alternatives[0] if len(alternatives) == 1 else (
        '(?:' + '|'.join(alternatives) + ')')
    return '(?:%s)?' % body if end else body


def sensitive(paragraph, words, compiled):
    "The words of the list in the paragraph, banned ones first"
    if compiled is None:
        return
    hits = {}
    for match in compiled.finditer(paragraph.text):
        word = match.group()
        level, suggestion = words[word]
        hits.setdefault(level, {}).setdefault(word, suggestion)
    for level, rule in (
            ('banned', 'word.banned'), ('caution', 'word.caution')):
        if level not in hits:
            continue
        found = '、'.join('“%s”' % w for w in hits[level])
        suggestions = '；'.join('“%s”→“%s”' % (w, s)
            for w, s in hits[level].items() if s)
        if suggestions:
            yield rule, 'word_%s_suggestion' % level, {
                'found': found, 'suggestion': suggestions}
        else:
            yield rule, 'word_%s' % level, {'found': found}
