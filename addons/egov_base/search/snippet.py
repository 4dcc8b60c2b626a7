"""Snippets: a window of the text around the first match, HTML-escaped,
the matching words wrapped in <mark>."""
import functools
import html
import unicodedata

from . import tokens

WIDTH = 120
BEFORE = 30
# Characters segmented to find a match given in pinyin
SCAN = 1500


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


@functools.lru_cache(maxsize=20000)
def _word_tokens(word):
    """The word and its index tokens (its pinyin, initials…): the same
    words recur in every query's snippets"""
    return (word, *tokens.document_tokens(word))


def _marked(piece, query, cache):
    key = _normalised_chars(piece).strip()
    if not key:
        return False
    if key not in cache:
        cache[key] = any(query.matches(t) for t in _word_tokens(key))
    return cache[key]


def snippet(text, query, width=WIDTH, cache=None):
    """cache: {word: marked} shared by the snippets of one query (the same
    words recur; telling whether one matches segments it)"""
    if not text:
        return ''
    if cache is None:
        cache = {}
    normal = _normalised_chars(text)
    start = None
    for term in sorted(query.terms, key=len, reverse=True):
        if tokens.HAN.search(term) or len(term) > 1:
            position = normal.find(term)
            if position >= 0 and (start is None or position < start):
                start = position
    if start is None:
        # A pinyin query: find the first word whose tokens match
        offset = 0
        for piece in tokens.tokenizer().cut(text[:SCAN]):
            if _marked(piece, query, cache):
                start = offset
                break
            offset += len(piece)
    if start is None:
        start = 0
    start = max(0, start - BEFORE)
    window = text[start:start + width]
    parts = []
    for piece in tokens.tokenizer().cut(window):
        escaped = html.escape(piece)
        if _marked(piece, query, cache):
            escaped = '<mark>%s</mark>' % escaped
        parts.append(escaped)
    result = ''.join(parts).replace('\n', ' ')
    if start > 0:
        result = '…' + result
    if start + width < len(text):
        result += '…'
    return result
