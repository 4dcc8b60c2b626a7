"""Tokens of the smart search: jieba's words (search mode) and, for each
Chinese word, its full pinyin and initials under every reading of its
characters (bounded), so that 公文, gongwen and gw find the same records.

Documents and queries go through the same functions; the backends store and
match the tokens as they are (no parser of their own)."""
import functools
import itertools
import re
import threading
import unicodedata

from pypinyin import Style, pinyin

# Government terms that jieba's dictionary splits or misses
GOVERNMENT_TERMS = [
    '公文', '收文', '发文', '督办', '督查', '会议纪要', '请示', '批复', '通知',
    '通报', '函', '报告', '意见', '决定', '纪要', '签发', '会签', '拟稿', '核稿',
    '办文', '办件', '来文', '承办', '催办', '呈批', '审批单', '发文字号',
    '政务公开', '依申请公开', '主动公开', '不予公开', '密级', '机密', '秘密',
    '绝密', '内部', '特急', '加急', '平急', '人民政府', '办公室', '发改委',
    '发展和改革委员会', '政务服务', '数据管理局', '智慧办公', '信息报送',
    '政务督查', '文件督办', '领导批示', '工作要点', '实施方案', '管理办法',
    '宜春市', '袁州区', '樟树市', '丰城市', '高安市', '靖安县', '奉新县',
    '上高县', '宜丰县', '铜鼓县', '万载县', '宜春经济技术开发区',
    '宜阳新区', '明月山温泉风景名胜区',
    ]
# Surnames read otherwise than the character's most common reading
SURNAMES = {
    '单': 'shan', '曾': 'zeng', '解': 'xie', '区': 'ou', '仇': 'qiu',
    '朴': 'piao', '查': 'zha', '覃': 'qin', '盖': 'ge', '繁': 'po',
    '缪': 'miao', '翟': 'zhai', '召': 'shao', '乐': 'yue', '员': 'yun',
    '秘': 'bi', '尉': 'yu', '褚': 'chu', '长': 'chang', '万': 'wan',
    '沈': 'shen', '任': 'ren', '华': 'hua', '纪': 'ji', '过': 'guo',
    '种': 'chong', '句': 'gou', '阚': 'kan', '那': 'na', '隗': 'wei',
    }
# Readings combined per word, at most: 行长 has 2 × 2 readings, a long
# word of polyphones would have hundreds
MAX_READINGS = 8
# Readings of the words of a body (its titles and names get MAX_READINGS):
# the index stays small, the usual reading and one other are there
BODY_READINGS = 2
# A word longer than this gets no pinyin of its own (its parts have some)
MAX_PINYIN_WORD = 12
# Title-long forms (the pinyin of a whole name or title) up to this length
MAX_PHRASE = 24
# Characters of a title or name given phrase tokens
MAX_PHRASE_TEXT = 80
# Characters of a text that are tokenised; the rest is not searched
MAX_TEXT = 200000
# A query of more characters is cut (said to the user)
MAX_QUERY = 100
MAX_QUERY_WORDS = 12

HAN_RUN = re.compile(r'[\u3400-\u9fff\uf900-\ufaff]+')
HAN = re.compile(r'[\u3400-\u9fff\uf900-\ufaff]')
ONLY_HAN = re.compile(r'^[\u3400-\u9fff\uf900-\ufaff]+$')
WORD = re.compile(r'[\w]+', re.UNICODE)
ASCII_WORD = re.compile(r'^[a-z0-9]+$')
# Where jieba's runs end (it cuts each run of [\u4e00-\u9fd5a-zA-Z0-9+#&._%-]
# alone): line ends, white space and Chinese punctuation
CLAUSE = re.compile(r'[\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20,;:!?()"]+')
# Clauses longer than this are segmented each time (not kept in memory)
MAX_CACHED_CLAUSE = 200

_lock = threading.Lock()
_tokenizer = None
_words_loaded = set()
# The word list last synchronised: the words' cache gives the same object
# until the dictionary changes, so a query need not normalise 12,000 unit
# names again to find nothing new
_words_synced = None


def normalise(text):
    "Full-width to half-width (NFKC), lower case, no control characters"
    if not text:
        return ''
    text = unicodedata.normalize('NFKC', str(text)[:MAX_TEXT]).lower()
    return ''.join(
        c if unicodedata.category(c)[0] != 'C' else ' ' for c in text)


def tokenizer():
    """jieba's tokenizer with the government terms, loaded once per process
    (its dictionary takes about a second to load)"""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import logging

                import jieba
                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.initialize()
                for word in GOVERNMENT_TERMS:
                    instance.add_word(word, freq=50000)
                _tokenizer = instance
    return _tokenizer


def add_words(words):
    """Add words (unit names, the administrators' dictionary) to the
    tokenizer of this process; words known already cost nothing"""
    new = [w for w in (normalise(w).strip() for w in words)
        if w and w not in _words_loaded and len(w) <= 40]
    if not new:
        return
    instance = tokenizer()
    with _lock:
        for word in new:
            instance.add_word(word, freq=50000)
            _words_loaded.add(word)
    _clause_tokens.cache_clear()


def is_han(word):
    return bool(ONLY_HAN.match(word))


@functools.lru_cache(maxsize=200000)
def _readings(word, person, bound):
    return tuple(readings_uncached(word, person, bound))


def readings(word, person=False, bound=MAX_READINGS):
    return list(_readings(word, bool(person), bound))


def readings_uncached(word, person=False, bound=MAX_READINGS):
    """The full pinyin and the initials of word under each reading of its
    characters, the usual reading (of the phrase) first, at most
    MAX_READINGS; a person's name reads its first character as a surname"""
    usual = [s[0] for s in pinyin(word, style=Style.NORMAL, errors='ignore')]
    if len(usual) != len(word):
        return []
    # The phrase dictionary answers one reading for known phrases (重庆):
    # ask each character alone for the others
    per_char = [
        list(dict.fromkeys(
                [u] + pinyin(c, style=Style.NORMAL, heteronym=True)[0]))
        for u, c in zip(usual, word)]
    if person and word[0] in SURNAMES:
        surname = SURNAMES[word[0]]
        per_char[0] = [surname] + [r for r in per_char[0] if r != surname]
        usual[0] = surname
    combos = [tuple(usual)]
    for combo in itertools.product(*per_char):
        if len(combos) >= bound:
            break
        if combo != combos[0]:
            combos.append(combo)
    forms = []
    for combo in combos:
        forms.append(''.join(combo))
        forms.append(''.join(s[0] for s in combo))
    return list(dict.fromkeys(forms))


def segments(text):
    "jieba's search-mode words of normalised text, without punctuation"
    instance = tokenizer()
    for word in instance.cut_for_search(text):
        word = word.strip()
        if word and WORD.fullmatch(word):
            yield word


def document_tokens(text, person=False, phrase=False, bound=MAX_READINGS):
    """The tokens of a field's text: its words, their pinyin and initials;
    with phrase (titles, names) also each Chinese character and the pinyin
    of the whole text, so that a person is found by a single character or
    by their whole name in pinyin"""
    text = normalise(text)
    if not text.strip():
        return []
    tokens = []
    # jieba cuts each run of its word characters alone, so the text's
    # tokens are its clauses' in order; clauses recur (a form's labels,
    # set phrases), and segmenting was most of the indexing's time
    for clause in CLAUSE.split(text):
        if len(clause) <= MAX_CACHED_CLAUSE:
            tokens.extend(_clause_tokens(clause, bound))
        else:
            tokens.extend(_clause_tokens_uncached(clause, bound))
    if phrase:
        for part in HAN_RUN.findall(text[:MAX_PHRASE_TEXT]):
            tokens.extend(part)
            if len(part) > 1:
                tokens.extend(readings(part[:MAX_PHRASE], person=person))
            tokens.extend(suffix_pinyin(part, person=person))
    return tokens


@functools.lru_cache(maxsize=100000)
def _clause_tokens(clause, bound):
    return tuple(_clause_tokens_uncached(clause, bound))


def _clause_tokens_uncached(clause, bound):
    tokens = []
    for word in segments(clause):
        tokens.append(word)
        if is_han(word) and len(word) <= MAX_PINYIN_WORD:
            tokens.extend(readings(word, bound=bound))
    return tokens


def suffix_pinyin(part, person=False):
    """The pinyin and initials of part from each of its characters on
    (教育体育局: jiaoyutiyuju, jytyj, yutiyuju…), so that a name or a title
    is found by its pinyin typed from any word, by prefix"""
    syllables = [s[0] for s in pinyin(part, style=Style.NORMAL,
            errors='ignore')]
    if len(syllables) != len(part):
        return []
    if person and part[0] in SURNAMES:
        syllables[0] = SURNAMES[part[0]]
    forms = []
    for position in range(1, len(syllables) - 1):
        rest = syllables[position:position + MAX_PHRASE]
        forms.append(''.join(rest))
        forms.append(''.join(s[0] for s in rest))
    return forms


def pinyin_variants(text, person=False):
    """The pinyin forms of text as the organisation's pickers search them
    (search_text): every reading, the surname's first for a person"""
    text = normalise(text).strip()
    if not text:
        return []
    forms = []
    for part in WORD.findall(text):
        if is_han(part):
            forms.extend(readings(part[:MAX_PHRASE], person=person))
        elif HAN.search(part):
            # Mixed text (2号楼): the pinyin of its characters in order
            from pypinyin import lazy_pinyin
            full = ''.join(lazy_pinyin(part))
            initials = ''.join(
                lazy_pinyin(part, style=Style.FIRST_LETTER))
            forms.extend([full, initials])
    return list(dict.fromkeys(forms))


class Query:
    """A parsed query: groups of alternatives, all groups required.

    Each group is a list of (token, prefix) alternatives: a Chinese word
    matches itself or all its parts; a word in letters matches pinyin,
    initials or a Latin word by prefix."""

    def __init__(self, text, synonyms=None):
        self.original = text or ''
        self.truncated = len(self.original) > MAX_QUERY
        self.text = normalise(self.original[:MAX_QUERY]).strip()
        self.groups = []
        self.terms = set()
        self.substring = None
        synonyms = synonyms or {}
        instance = tokenizer()
        words = [w.strip() for w in instance.cut(self.text)]
        words = [w for w in words if w and WORD.fullmatch(w)]
        if len(words) > MAX_QUERY_WORDS:
            self.truncated = True
            words = words[:MAX_QUERY_WORDS]
        for word in dict.fromkeys(words):
            group = self._alternatives(word)
            for synonym in synonyms.get(word, ())[:5]:
                group.extend(self._alternatives(normalise(synonym)))
            self.groups.append(group)
        compact = ''.join(WORD.findall(self.text))
        if is_han(compact) and 2 <= len(compact) <= 30:
            # Substrings of titles that jieba cuts otherwise (pg_trgm)
            self.substring = compact

    def _alternatives(self, word):
        alternatives = []
        if is_han(word):
            alternatives.append(((word, False),))
            self.terms.add(word)
            parts = [p for p in segments(word) if p != word]
            # 会议纪要 also as 会议 and 纪要 when the text was cut so
            if parts and len(parts) <= 6:
                alternatives.append(tuple((p, False) for p in parts))
                self.terms.update(parts)
        elif ASCII_WORD.match(word):
            prefix = not word.isdigit() or len(word) >= 4
            alternatives.append(((word, prefix),))
            self.terms.add(word)
        else:
            alternatives.append(((word, False),))
            self.terms.add(word)
        return alternatives

    def __bool__(self):
        return bool(self.groups)

    def matches(self, token):
        "Whether a document token is one the query asks for"
        for group in self.groups:
            for alternative in group:
                for term, prefix in alternative:
                    if token == term or (prefix and token.startswith(term)):
                        return True
        return False


def sync_words(words):
    """Make this process's dictionary hold exactly the given extra words
    (the government terms stay): added ones are learnt, removed ones
    forgotten"""
    global _words_synced
    if words is _words_synced:
        return
    given = words
    words = {w for w in (normalise(w).strip() for w in words)
        if w and len(w) <= 40}
    with _lock:
        removed = _words_loaded - words
    if removed:
        instance = tokenizer()
        with _lock:
            for word in removed:
                if word not in GOVERNMENT_TERMS:
                    instance.del_word(word)
                _words_loaded.discard(word)
        _clause_tokens.cache_clear()
    add_words(words)
    _words_synced = given
