"""What administrators teach the search: words jieba must keep whole (a
unit's abbreviation, a project's name) and synonyms (发改委 = 发展和改革委员会)
applied to queries."""
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.transaction import without_check_access

from . import tokens

MAX_WORD = 40


class Word(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.search.word'
    __string__ = "Search Dictionary Word"
    _egov_visibility = 'admin'

    word = fields.Char("Word", required=True, strip=True,
        help="A word the search keeps whole, such as a unit's short name.")
    note = fields.Char("Note")
    _words_cache = Cache('egov.search.word.words', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('word_unique', Unique(t, t.word),
                'egov_base.msg_search_word_unique'),
            ]
        cls._order = [('word', 'ASC'), ('id', 'ASC')]

    @classmethod
    def validate_fields(cls, words, field_names):
        super().validate_fields(words, field_names)
        for record in words:
            if not tokens.WORD.fullmatch(tokens.normalise(record.word)) \
                    or len(record.word) > MAX_WORD:
                raise ValidationError(gettext(
                        'egov_base.msg_search_word_invalid',
                        word=record.word, max=MAX_WORD))

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        cls._words_cache.clear()

    @classmethod
    def words(cls):
        """The extra words of jieba: the administrators' and the names of
        the units (cached in every process, cleared on change)"""
        words = cls._words_cache.get(None)
        if words is None:
            pool = Pool()
            Unit = pool.get('egov.org.unit')
            with without_check_access():
                words = [w.word for w in cls.search([])]
                for synonym in pool.get('egov.search.synonym').search([]):
                    words.append(synonym.word)
                    words.extend(synonym.synonyms.replace('，', ',').split(','))
                words += [u.name for u in Unit.search([
                            ('kind', '!=', 'department'),
                            ], order=[])]
                words += [u.short_name for u in Unit.search([
                            ('short_name', '!=', None),
                            ], order=[])]
            words = sorted(set(w for w in words if w))
            cls._words_cache.set(None, words)
        return words


class Synonym(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.search.synonym'
    __string__ = "Search Synonym"
    _egov_visibility = 'admin'

    word = fields.Char("Word", required=True, strip=True,
        help="What people type, such as 发改委.")
    synonyms = fields.Char("Synonyms", required=True, strip=True,
        help="What it also means, separated by commas: 发展和改革委员会.")
    _synonyms_cache = Cache('egov.search.synonym.map', context=False)

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        cls._synonyms_cache.clear()
        Pool().get('egov.search.word')._words_cache.clear()

    @classmethod
    def mapping(cls):
        "{word: [synonyms]}, both ways, normalised as queries are"
        mapping = cls._synonyms_cache.get(None)
        if mapping is None:
            mapping = {}
            with without_check_access():
                for record in cls.search([]):
                    group = [tokens.normalise(record.word).strip()] + [
                        tokens.normalise(s).strip()
                        for s in record.synonyms.replace('，', ',').split(',')]
                    group = [g for g in group if g]
                    for word in group:
                        mapping.setdefault(word, []).extend(
                            g for g in group if g != word)
            cls._synonyms_cache.set(None, mapping)
        return mapping
