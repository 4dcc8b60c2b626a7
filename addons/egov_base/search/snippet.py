"""Snippets: a window of the text around the first match, HTML-escaped,
the matches wrapped in <mark>.

A Chinese term is marked where it occurs. A term in letters is matched
against the text's characters by their pinyin: each character gives its
whole reading (any of them, 重 zhong or chong) or its initial, and the
term's last syllable may be cut short when the query takes it as a prefix.
So gongwen, gw and gongw all mark 公文, without segmenting the text
(jieba on each result's text was a fifth of a search's time)."""
import functools
import html
import re
import unicodedata

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from . import tokens

WIDTH = 120
BEFORE = 30
# Characters searched for the first match of a term in letters
SCAN = 1500
# A term in letters longer than this is not looked for in the text
MAX_LETTERS = 40


class _CharFolding(dict):
    """str.translate's table: each character to its NFKC form in lower
    case where that is one character (so positions are kept), learnt the
    first time it is met"""

    def __missing__(self, code):
        c = chr(code)
        n = unicodedata.normalize('NFKC', c).lower()
        folded = self[code] = n if len(n) == 1 else c.lower()
        return folded


_FOLDING = _CharFolding()


def _normalised_chars(text):
    "Normalise character by character, keeping positions"
    return text.translate(_FOLDING)


@functools.lru_cache(maxsize=30000)
def _readings(char):
    """The ways a folded character is typed in letters: its pinyin
    readings (surname readings too), or itself for a letter or digit; ()
    for anything else, which no term in letters runs across"""
    if char.isascii():
        return (char,) if char.isalnum() else ()
    if not tokens.HAN.match(char):
        return ()
    readings = pinyin(char, style=Style.NORMAL, heteronym=True,
        errors='ignore')
    found = list(readings[0]) if readings else []
    surname = tokens.SURNAMES.get(char)
    if surname and surname not in found:
        found.append(surname)
    return tuple(found)


def _end_of_letters(normal, start, term, prefix):
    """The end of the characters from start that spell term (each by its
    reading or its initial), or None"""
    # Each (character, letters spelt) is tried once: a text and a query
    # written to make the readings branch cannot make it exponential
    tried = {}

    def walk(position, done):
        if done == len(term):
            return position
        if position >= len(normal):
            return None
        if (position, done) in tried:
            return tried[position, done]
        tried[position, done] = end = spell(position, done)
        return end

    def spell(position, done):
        rest = term[done:]
        for reading in _readings(normal[position]):
            if rest.startswith(reading):
                end = walk(position + 1, done + len(reading))
                if end is not None:
                    return end
            elif prefix and reading.startswith(rest):
                return position + 1
            if len(reading) > 1 and rest[0] == reading[0]:
                end = walk(position + 1, done + 1)
                if end is not None:
                    return end
        return None
    return walk(start, 0)


def _initial(reading):
    "The letter a reading with tone marks starts with (à → a)"
    return unicodedata.normalize('NFKD', reading[0])[0]


@functools.lru_cache(maxsize=1)
def _characters_by_initial():
    """{letter: the Chinese characters with a reading that begins with
    it}, from pypinyin's table in one pass"""
    found = {}
    for code, readings in pinyin_dict.items():
        char = chr(code)
        if tokens.HAN.match(char):
            for letter in {_initial(r) for r in readings.split(',')}:
                found.setdefault(letter, set()).add(char)
    for char, reading in tokens.SURNAMES.items():
        found.setdefault(reading[0], set()).add(char)
    return found


@functools.lru_cache(maxsize=64)
def _starting_with(letter):
    """A pattern of the characters that may start a term beginning with
    letter: the letter itself and the Chinese characters read with it
    (the regular expression finds them in C; looking at each of 1,500
    characters in Python took as long as jieba)"""
    chars = sorted(_characters_by_initial().get(letter, ()))
    return re.compile('[%s%s]' % (re.escape(letter), ''.join(chars)))


def _letter_spans(normal, term, prefix, stop=None):
    "[(start, end)] of the places where term is spelt, left to right"
    spans = []
    limit = len(normal) if stop is None else min(stop, len(normal))
    pattern = _starting_with(term[0])
    position = 0
    while True:
        found = pattern.search(normal, position, limit)
        if not found:
            return spans
        position = found.start()
        # A term in letters starts a word: not inside a Latin one
        inside_word = (normal[position].isascii() and position
            and normal[position - 1].isascii()
            and normal[position - 1].isalnum())
        end = None if inside_word else _end_of_letters(
            normal, position, term, prefix)
        if end is not None:
            spans.append((position, end))
            position = end
        else:
            position += 1


def _terms(query):
    """(Chinese terms longest first, [(term in letters, prefix)]) of the
    query"""
    chinese = sorted((t for t in query.terms if tokens.HAN.search(t)),
        key=len, reverse=True)
    letters = {}
    for group in query.groups:
        for alternative in group:
            for term, prefix in alternative:
                if (not tokens.HAN.search(term)
                        and 0 < len(term) <= MAX_LETTERS):
                    letters[term] = letters.get(term, False) or prefix
    return chinese, list(letters.items())


def _spans(normal, chinese, letters):
    "The marked spans of normal, sorted, without overlaps"
    found = []
    for term in chinese:
        position = normal.find(term)
        while position >= 0:
            found.append((position, position + len(term)))
            position = normal.find(term, position + len(term))
    for term, prefix in letters:
        found.extend(_letter_spans(normal, term, prefix))
    found.sort(key=lambda s: (s[0], -s[1]))
    spans = []
    for start, end in found:
        # Overlapping or touching marks are one (应急 and 预案 of 应急预案)
        if spans and start <= spans[-1][1]:
            if end > spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
            continue
        spans.append((start, end))
    return spans


def _first_match(normal, chinese, letters):
    "The position of the first match in the text, or None"
    first = None
    for term in chinese:
        position = normal.find(term)
        if position >= 0 and (first is None or position < first):
            first = position
    for term, prefix in letters:
        spans = _letter_spans(normal, term, prefix,
            stop=SCAN if first is None else first)
        if spans and (first is None or spans[0][0] < first):
            first = spans[0][0]
    return first


def snippet(text, query, width=WIDTH, cache=None):
    """The window of text around its first match, the matches marked.
    cache: {} shared by the snippets of one query (its terms)"""
    if not text:
        return ''
    if cache is None:
        cache = {}
    if 'terms' not in cache:
        cache['terms'] = _terms(query)
    chinese, letters = cache['terms']
    normal = _normalised_chars(text)
    start = _first_match(normal, chinese, letters) or 0
    start = max(0, start - BEFORE)
    end = start + width
    parts = []
    position = start
    for mark_start, mark_end in _spans(normal[start:end], chinese, letters):
        parts.append(html.escape(text[position:start + mark_start]))
        parts.append('<mark>%s</mark>' % html.escape(
                text[start + mark_start:start + mark_end]))
        position = start + mark_end
    parts.append(html.escape(text[position:end]))
    result = ''.join(parts).replace('\n', ' ')
    if start > 0:
        result = '…' + result
    if end < len(text):
        result += '…'
    return result
