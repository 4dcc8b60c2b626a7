"""Punctuation as GB/T 15834-2011 wants it in Chinese text: full-width
marks, paired quotes and brackets, a paragraph closed by its mark, no mark
doubled, 顿号 between coordinate words and 序号 written with their own
marks (GB/T 9704-2012 7.3.3: 一、 （一） 1. （1））."""
import re

from .text import CJK

# A Chinese character or a full-width mark: the context of a Chinese mark
CHINESE = re.compile('[%s\u3000-\u303f\uff01-\uff5e“”‘’…—]' % CJK)
FULL = {',': '，', '.': '。', ':': '：', ';': '；', '?': '？', '!': '！',
    '(': '（', ')': '）', '"': '“”', "'": '‘’'}
HALF = re.compile(r'''[,.:;?!()"']''')
DIGIT = re.compile(r'\d')
# 1. of a list, at the start or after 附件：, and the like
SERIAL_DOT = re.compile(r'(?:^|[\s：:（(])\d{1,2}$')
SERIAL_CHINESE = re.compile('^[一二三四五六七八九十]+[.,]$')

OPENING = {'“': '”', '‘': '’', '（': '）', '《': '》', '〔': '〕', '【': '】',
    '〈': '〉'}
CLOSING = {v: k for k, v in OPENING.items()}
PAIRS = re.compile('[%s]' % re.escape(''.join(OPENING) + ''.join(CLOSING)))

ENDING = set('。？！：；…—')
CLOSERS = '”’）》】〕'
LOOSE_END = re.compile('[，、,]$')
REPEAT = re.compile('[。，、；：]{2,}|！！+|？？+')

SERIAL = [
    (re.compile('^([一二三四五六七八九十]+)[.．，,]'), '{0}、'),
    (re.compile('^（([一二三四五六七八九十]+)）[、，,.．]'), '（{0}）'),
    (re.compile(r'^(\d{1,2})[、，,]'), '{0}.'),
    (re.compile(r'^（(\d{1,2})）[、，,.．]'), '（{0}）'),
    (re.compile(r'^附\s*件[：:]\s*(\d{1,2})[、，,]'), '附件：{0}.'),
    ]
APPROX_START = re.compile(r'^\d、\d[个天名人次年月家项倍种条]')
# Where a 序号 may be faulty: the start of a paragraph (whole text, re.M)
SERIAL_TRIGGER = re.compile(
    r'^(?:[一二三四五六七八九十]+[.．，,]|（[一二三四五六七八九十\d]+）[、，,.．]'
    r'|\d{1,2}[、，,]|附\s*件)', re.M)
# 甲，乙，丙等: short coordinate words joined by commas
COMMA_LIST = re.compile('(?:[%s]{2,5}，){2,}[%s]{2,5}等' % (CJK, CJK))
# 要高度重视、要加强领导: clauses, each with its 要, take ，
CLAUSE_LIST = re.compile('(要|应当|必须|务必)[^、，。；]{2,10}、\\1')
MARKED_LIST = re.compile('[》”]、[《“]')


def halfwidth(paragraph, skip=()):
    "Half-width marks beside Chinese text (decimals, times, 1. excepted)"
    text = paragraph.text
    found = []
    for match in HALF.finditer(text):
        start = match.start()
        if any(a <= start < b for a, b in skip):
            continue
        mark = match.group()
        before = text[start - 1] if start else ''
        after = text[start + 1] if start + 1 < len(text) else ''
        if mark in '.:,' and DIGIT.match(before) and DIGIT.match(after):
            continue
        if mark == '.' and SERIAL_DOT.search(text[max(0, start - 4):start]):
            continue
        if mark in '.,' and SERIAL_CHINESE.match(text[:start + 1]):
            # 一. is the 序号's fault (serial below), reported once
            continue
        if CHINESE.match(before) or CHINESE.match(after) or (
                mark in '()' and _encloses_chinese(text, start, mark)):
            if mark not in found:
                found.append(mark)
    if found:
        yield 'punct.halfwidth', 'halfwidth', {
            'marks': '、'.join('“%s”' % m for m in found),
            'fixes': '、'.join('“%s”' % FULL[m] for m in found),
            }


def _encloses_chinese(text, start, mark):
    if mark == '(':
        end = text.find(')', start)
        inner = text[start + 1:end] if end > 0 else ''
    else:
        begin = text.rfind('(', 0, start)
        inner = text[begin + 1:start] if begin >= 0 else ''
    return bool(inner) and bool(CHINESE.search(inner))


def pairs(paragraph):
    "Quotes and brackets paired and nested the right way"
    stack = []
    for match in PAIRS.finditer(paragraph.text):
        mark = match.group()
        if mark in OPENING:
            if stack and mark == stack[-1] and mark in '“《':
                inner = {'“': '‘’', '《': '〈〉'}[mark]
                yield 'punct.pair', 'pair_inner', {
                    'mark': mark + OPENING[mark], 'inner': inner}
                return
            stack.append(mark)
        elif stack and stack[-1] == CLOSING[mark]:
            stack.pop()
        elif CLOSING[mark] in stack:
            yield 'punct.pair', 'pair_nested', {
                'mark': mark, 'open': stack[-1] + OPENING[stack[-1]]}
            return
        else:
            yield 'punct.pair', 'pair_unopened', {'mark': mark}
            return
    if stack:
        yield 'punct.pair', 'pair_unclosed', {'mark': stack[-1]}


def ending(paragraph):
    "A paragraph of text ends with 。 (or ？！：；…)"
    text = paragraph.text
    if paragraph.role == 'heading' and not re.search('[，。；：]', text):
        # A heading alone on its line takes no mark (GB/T 9704 7.3.3)
        return
    if paragraph.role not in {'body', 'heading', 'copy'}:
        return
    last = text.rstrip(CLOSERS)[-1:] if text.rstrip(CLOSERS) else ''
    if last in ENDING:
        if paragraph.role == 'copy' and last != '。':
            yield 'punct.end', 'end_copy', {'mark': last}
        return
    if LOOSE_END.search(text):
        yield 'punct.end', 'end_wrong', {'mark': text[-1]}
    elif paragraph.role == 'copy':
        yield 'punct.end', 'end_copy', {'mark': last}
    elif not HALF.match(last):
        yield 'punct.end', 'end_missing', {}


def repeated(paragraph):
    match = REPEAT.search(paragraph.text)
    if match and match.group() not in {'……'}:
        yield 'punct.repeat', 'repeat', {'marks': match.group()}


def serial(paragraph):
    "一、 （一） 1. （1）: the marks of the 序号 of headings and lists"
    if APPROX_START.match(paragraph.text):
        # 2、3个单位: a 概数 (numbers.fixed_expressions), not a 序号
        return
    for pattern, fix in SERIAL:
        match = pattern.match(paragraph.text)
        if match:
            yield 'punct.serial', 'serial', {
                'found': match.group(), 'fix': fix.format(match.group(1))}
            return


def coordinate(paragraph):
    "、 between coordinate words, none between marked ones (4.5.3.5)"
    match = COMMA_LIST.search(paragraph.text)
    if match:
        yield 'punct.list_comma', 'list_comma', {'found': match.group()}
        return
    match = CLAUSE_LIST.search(paragraph.text)
    if match:
        yield 'punct.list_comma', 'list_clause', {'found': match.group()}
        return
    match = MARKED_LIST.search(paragraph.text)
    if match:
        yield 'punct.list_comma', 'list_marked', {'found': match.group()}
