"""Numbers as GB/T 15835-2011 wants them (Arabic for counts, percentages,
公历 dates; Chinese numerals in fixed expressions and 概数), the 发文字号
(机关代字〔2026〕12号, GB/T 9704-2012 7.2.4) and the 成文日期
(2026年12月3日, 7.3.5.1)."""
import re

from .text import CJK

DIGITS = '〇零○Ｏ一二三四五六七八九'
VALUE = {c: i % 10 for i, c in enumerate('〇一二三四五六七八九')}
VALUE.update({'零': 0, '○': 0, 'Ｏ': 0, '两': 2})
UNITS = {'十': 10, '百': 100, '千': 1000}

# A number in a date: Arabic or Chinese
A_OR_C = r'(\d{1,4}|[%s十]{1,4})' % DIGITS
DATE = re.compile(A_OR_C + '年' + A_OR_C + '月(?:' + A_OR_C + '日)?')
MONTH_DAY = re.compile(
    '(?<![%s十农历正腊初])([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日'
    % DIGITS)
PERCENT = re.compile('百分之([零一二三四五六七八九十百点两]+)')
MEASURE = re.compile(
    '(?<![%s十百千万亿第几数])([零一二三四五六七八九十百千万亿两]{2,})'
    '(万元|亿元|元|平方公里|公里|千米|平方米|公顷|吨|亩|户|人次|个百分点|辆|台|套|家|名|人|件|个|例|场次|次)'
    % DIGITS)
APPROXIMATE = re.compile('一二|一两|二三|两三|三四|四五|五六|六七|七八|八九|三五|十几|几')
APPROX_ARABIC = re.compile(r'(?<!\d)([1-9])、([1-9])(?=[个天名人次年月家项倍种条场所批轮位周户期])')
FIXED = [
    (re.compile('星期([1-6])'), lambda m: '星期' + '一二三四五六'[
        int(m.group(1)) - 1]),
    (re.compile(r'“?(1\d)五”?(?=规划|时期|期间|”|末|以来|计划)'),
        lambda m: '“十%s五”' % '零一二三四五六七八九'[int(m.group(1)) - 10]),
    (re.compile(r'(\d{1,2})届(\d)中全会'),
        lambda m: '%s届%s中全会' % (chinese(int(m.group(1))),
            chinese(int(m.group(2))))),
    (re.compile(r'(?<!\d)1把手'), lambda m: '一把手'),
    ]
# From the bracket of the year: a pattern that starts with the 机关代字
# ([一-龥]{1,10}) would be tried at every character of the text
DOCNO = re.compile(
    r'(?P<open>[〔\[【(（［{])\s*(?P<year>\d{4})\s*(?P<close>[〕\]】)）］}])'
    r'\s*(?P<di>第)?\s*(?P<zeros>0*)(?P<seq>\d+)\s*号')
CODE = re.compile('[%s]{1,10}\\s*$' % CJK)
LEADING_ZERO = re.compile(r'(\d{4})年0(\d)月(?:(\d{1,2})日)?|'
    r'(\d{4})年(\d{1,2})月0(\d)日')
SEPARATED = re.compile(
    r'^(\d{4})\s*[.\-/．]\s*(\d{1,2})\s*[.\-/．]\s*(\d{1,2})$')


def chinese(number):
    "12 → 十二, the way 十四五 and 二十届 are written"
    tens, ones = divmod(number, 10)
    text = ('' if tens <= 1 else '〇一二三四五六七八九'[tens]) + (
        '十' if tens else '')
    return text + ('〇一二三四五六七八九'[ones] if ones or not tens else '')


def value(text):
    "The value of a Chinese numeral: 二〇二六 → 2026, 十二 → 12"
    if not text:
        return None
    if all(c in VALUE for c in text):
        return int(''.join(str(VALUE[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char in VALUE:
            current = VALUE[char]
        elif char in UNITS:
            total += (current or 1) * UNITS[char]
            current = 0
        else:
            return None
    return total + current


def arabic(text):
    return text if text.isdigit() else str(value(text))


def is_arabic(text):
    return text.isdigit()


def docno_spans(paragraph):
    return [m.span() for _, m in document_number_matches(paragraph.text)]


def document_number_matches(text):
    "(机关代字, match) of each 发文字号 of text"
    for match in DOCNO.finditer(text):
        code = CODE.search(text, max(0, match.start() - 12), match.start())
        if code:
            yield code.group().strip(), match


def document_numbers(paragraph):
    "发文字号: 〔〕 round the year, no 第, no leading zeros"
    for code, match in document_number_matches(paragraph.text):
        fix = '%s〔%s〕%s号' % (code, match.group('year'), match.group('seq'))
        found = code + match.group()
        if match.group('open') != '〔' or match.group('close') != '〕':
            yield 'docno.bracket', 'docno_bracket', {
                'found': found, 'fix': fix}
        if match.group('di'):
            yield 'docno.di', 'docno_di', {'found': found, 'fix': fix}
        if match.group('zeros') and match.group('seq') != '0':
            yield 'docno.zero', 'docno_zero', {'found': found, 'fix': fix}


def signing_date(paragraph):
    "成文日期 and 印发日期: 2026年12月3日"
    text = paragraph.text
    if paragraph.role == 'printed':
        match = DATE.search(text)
        if not match:
            return
        text = match.group()
    elif paragraph.role != 'date':
        return
    date = text.replace(' ', '')
    match = SEPARATED.match(date) or DATE.fullmatch(date)
    if not match:
        return
    year, month, day = (match.group(1), match.group(2), match.group(3))
    fix = '%s年%s月%s日' % (arabic(year), int(arabic(month)),
        int(arabic(day))) if day else '%s年%s月' % (
        arabic(year), int(arabic(month)))
    if fix != date:
        yield 'date.format', 'date_format', {'found': date, 'fix': fix}


def leading_zeros(paragraph):
    "2026年03月05日 elsewhere than the 成文日期"
    if paragraph.role in {'date', 'printed'}:
        return
    match = LEADING_ZERO.search(paragraph.text)
    if match:
        found = match.group()
        fix = re.sub(r'(?<=[年月])0(\d)', r'\1', found)
        yield 'date.format', 'date_zero', {'found': found, 'fix': fix}


def dates(paragraph):
    "Dates in the text: all Arabic (GB/T 15835 4.1.1), never mixed"
    if paragraph.role in {'date', 'printed'}:
        return
    for match in DATE.finditer(paragraph.text):
        parts = [p for p in match.groups() if p]
        if not all(_plausible(p) for p in parts):
            continue
        kinds = {is_arabic(p) for p in parts}
        fix = '%s年%s月' % (arabic(parts[0]), int(arabic(parts[1])))
        if len(parts) > 2:
            fix += '%s日' % int(arabic(parts[2]))
        if kinds == {True, False}:
            yield 'num.mixed', 'mixed', {'found': match.group(), 'fix': fix}
            return
        if kinds == {False}:
            yield 'num.arabic_due', 'arabic_due', {
                'found': match.group(), 'fix': fix}
            return
    match = MONTH_DAY.search(paragraph.text)
    if match:
        fix = '%s月%s日' % (value(match.group(1)), value(match.group(2)))
        yield 'num.arabic_due', 'arabic_due', {
            'found': match.group(), 'fix': fix}


def _plausible(part):
    return value(part) is not None if not part.isdigit() else True


def counts(paragraph):
    "Percentages and measured quantities in Arabic numerals"
    text = paragraph.text
    match = PERCENT.search(text)
    if match:
        number = value(match.group(1).split('点')[0])
        if number is not None:
            fraction = match.group(1).split('点')[1:]
            fix = str(number) + ('.' + ''.join(
                        str(VALUE.get(c, '')) for c in fraction[0])
                if fraction else '') + '%'
            yield 'num.arabic_due', 'arabic_due', {
                'found': match.group(), 'fix': fix}
            return
    for match in MEASURE.finditer(text):
        number = match.group(1)
        if APPROXIMATE.search(number):
            continue
        amount = _amount(number)
        if amount is None or amount < 10:
            continue
        yield 'num.arabic_due', 'arabic_due', {
            'found': match.group(), 'fix': amount_text(number)
            + match.group(2)}
        return


def _amount(number):
    "三千五百万 → 35000000; None when it is no number"
    total = 0
    for big, factor in (('亿', 10 ** 8), ('万', 10 ** 4)):
        if big in number:
            head, number = number.split(big, 1)
            head_value = value(head) if head else 1
            if head_value is None:
                return None
            total += head_value * factor
    rest = value(number) if number else 0
    if rest is None:
        return None
    return total + rest


def amount_text(number):
    "三千五百万 → 3500万 (the 万 and 亿 kept, as 公文 write money)"
    for big in ('亿', '万'):
        if number.endswith(big) and value(number[:-1]) is not None:
            return str(value(number[:-1])) + big
    return str(_amount(number))


def fixed_expressions(paragraph):
    "Chinese numerals in fixed expressions and 概数 (GB/T 15835 4.2)"
    text = paragraph.text
    match = APPROX_ARABIC.search(text)
    if match:
        fix = '%s%s' % (chinese(int(match.group(1))).replace('二', '两')
            if match.group(1) == '2' and int(match.group(2)) == 3
            else chinese(int(match.group(1))), chinese(int(match.group(2))))
        if match.group(1) == '1' and match.group(2) == '2':
            fix = '一两'
        yield 'num.chinese_due', 'chinese_due', {
            'found': match.group(), 'fix': fix}
        return
    for pattern, fix in FIXED:
        match = pattern.search(text)
        if match:
            yield 'num.chinese_due', 'chinese_due', {
                'found': match.group(), 'fix': fix(match)}
            return
