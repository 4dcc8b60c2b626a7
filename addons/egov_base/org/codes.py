"""Identifiers used by the organisation: the unified social credit code
(统一社会信用代码, GB 32100-2015) and the search text of names (pinyin)."""
import re

from pypinyin import Style, lazy_pinyin

# GB 32100-2015: the 31 characters in use (no I, O, S, V, Z).
USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registration authority.
USCC_AUTHORITIES = set('123456789ABCDEFGNY')
USCC_PATTERN = re.compile(r'^[%s]{18}$' % USCC_CHARSET)

CODE_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$')
MOBILE_PATTERN = re.compile(r'^1[3-9]\d{9}$')
PHONE_PATTERN = re.compile(r'^[0-9()（）+\- ]{3,30}$')


def uscc_check_character(code17):
    "Return the check character of the first 17 characters of a USCC"
    total = sum(
        USCC_CHARSET.index(c) * w for c, w in zip(code17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code):
    """Return None when code is a valid USCC, else the name of the problem:
    'length', 'character', 'authority', 'region' or 'check'."""
    if len(code) != 18:
        return 'length'
    if not USCC_PATTERN.match(code):
        return 'character'
    if code[0] not in USCC_AUTHORITIES:
        return 'authority'
    if not code[2:8].isdigit():
        return 'region'
    if uscc_check_character(code[:17]) != code[17]:
        return 'check'
    return None


def normalise_uscc(code):
    "Strip spaces and use upper case, as people copy codes from documents"
    return re.sub(r'\s+', '', code or '').upper() or None


def pinyin_forms(text):
    "Return (full pinyin, initials) of text, in lower case"
    if not text:
        return '', ''
    syllables = lazy_pinyin(text, errors=lambda s: list(s))
    full = ''.join(syllables).lower()
    initials = ''.join(
        lazy_pinyin(text, style=Style.FIRST_LETTER,
            errors=lambda s: list(s))).lower()
    return full, initials


def search_text(*values, person=False):
    """Return one lower-case text that contains each value, its full pinyin
    and its initials, so that 张伟, zhangwei and zw all find 张伟; every
    reading of a polyphone is there (the smart search's tokens), the first
    value read as a person's name (单 shan) when person is set."""
    from ..search.tokens import pinyin_variants
    parts = []
    for index, value in enumerate(values):
        if not value:
            continue
        value = str(value).strip()
        full, initials = pinyin_forms(value)
        parts.extend([value.lower(), full, initials])
        parts.extend(pinyin_variants(value, person=person and index == 0))
    seen = set()
    unique = [p for p in parts if p and not (p in seen or seen.add(p))]
    return ' '.join(unique)
