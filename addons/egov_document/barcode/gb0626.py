"""The payload of the 公文二维条码 (PDF417) after the 机关公文二维条码使用规范
commonly cited as GB0626-2005: the data elements in a fixed order, each
followed by "^", the last closed by "^|", encoded GB18030 (README.md,
"公文二维条码", names the source of the layout).

Values are bounded by the bytes the layout gives each element (cut at a
character, never inside one) and may not carry the separators: a "^" or
"|" of a title becomes its full-width form, so nobody shifts the fields
of the code by naming a document."""
import datetime
import re

VERSION = 'GB0626-2005'
SEPARATOR = '^'
END = '^|'
ENCODING = 'gb18030'
# (name, the most bytes, required): elements 001-012 in their order
ELEMENTS = [
    ('version', 11, True),          # 001 条码版本标识
    ('code_number', 20, True),      # 002 条码编号
    ('organ', 40, True),            # 003 发文单位 (the main one)
    ('kind', 30, False),            # 004 公文种类
    ('number', 30, True),           # 005 发文字号 ("无" when none)
    ('main', 40, False),            # 006 主送单位
    ('title', 160, False),          # 007 标题
    ('secrecy', 16, True),          # 008 秘密等级 (and 保密期限)
    ('urgency', 4, True),           # 009 紧急程度
    ('date', 10, True),             # 010 成文日期 (YYYY-MM-DD)
    ('copies', 6, False),           # 011 印发份数
    ('printer', 40, False),         # 012 印发机关
    ]
NAMES = [n for n, _, _ in ELEMENTS]
# A payload is short: the longest layout is under 500 bytes
MAX_PAYLOAD = 1000
SECRECY_TEXT = {
    'none': '无', 'secret': '秘密', 'confidential': '机密',
    'top_secret': '绝密'}
URGENCY_TEXT = {'normal': '无', 'urgent': '急件', 'very_urgent': '特急'}
# What other organs print: 平急/加急/特提 of telegrams, "特急件"…
URGENCY_READ = {'无': 'normal', '平急': 'normal', '急件': 'urgent',
    '加急': 'urgent', '急': 'urgent', '特急': 'very_urgent',
    '特提': 'very_urgent', '特急件': 'very_urgent'}
SECRECY_READ = re.compile(r'(无|非密|秘密|机密|绝密)(?:★?(\d{1,2})年?)?')
DATE = re.compile(r'(\d{4})-?(\d{1,2})-?(\d{1,2})')
SAFE = str.maketrans({'^': '＾', '|': '｜', '\r': ' ', '\n': ' '})
# When the 主送 list does not fit, the layout's own words
SEE_MAIN = '见主送机关'


class PayloadError(ValueError):
    "What was read is not a payload of this layout"


def cut(text, size):
    "text without separators, at most size bytes of GB18030"
    text = (text or '').translate(SAFE).strip()
    data = text.encode(ENCODING, 'replace')
    if len(data) <= size:
        return data.decode(ENCODING)
    # Cut at a character: drop characters until the bytes fit
    while len(text.encode(ENCODING, 'replace')) > size:
        text = text[:-1]
    return text


def encode(values):
    "The payload (bytes) of values {element name: text}"
    values = dict(values, version=VERSION)
    if not values.get('number'):
        values['number'] = '无'
    main = cut(values.get('main'), 1000)
    if len(main.encode(ENCODING)) > 40:
        values['main'] = SEE_MAIN
    fields = [cut(values.get(name), size) for name, size, _ in ELEMENTS]
    return (SEPARATOR.join(fields) + END).encode(ENCODING)


def decode(data):
    """{element name: text} of a payload (bytes, or text as a reader gave
    it); PayloadError when it is not one"""
    if isinstance(data, str):
        text = data
        try:
            # A reader that took the bytes for Latin-1 (zxing's text,
            # html5-qrcode): the GB18030 bytes back
            text = data.encode('latin-1').decode(ENCODING)
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    else:
        try:
            text = bytes(data[:MAX_PAYLOAD + 1]).decode(ENCODING)
        except UnicodeDecodeError:
            raise PayloadError('encoding')
    if len(text) > MAX_PAYLOAD:
        raise PayloadError('size')
    text = text.strip()
    if not text.startswith(VERSION + SEPARATOR) or not text.endswith(END):
        raise PayloadError('layout')
    parts = text[:-len(END)].split(SEPARATOR)
    # Older or richer layouts: the first ten elements are what is read
    if len(parts) < 10:
        raise PayloadError('elements')
    values = dict(zip(NAMES, parts))
    for name, _, required in ELEMENTS:
        values[name] = (values.get(name) or '').strip()
        if required and not values[name] and name in NAMES[:10]:
            raise PayloadError(name)
    if values['number'] == '无':
        values['number'] = ''
    return values


def secrecy_of(text):
    "(level, years) of an element 008"
    match = SECRECY_READ.match(text or '')
    if not match:
        raise PayloadError('secrecy')
    level = {'无': 'none', '非密': 'none', '秘密': 'secret',
        '机密': 'confidential', '绝密': 'top_secret'}[match.group(1)]
    years = int(match.group(2)) if match.group(2) else None
    return level, years


def urgency_of(text):
    try:
        return URGENCY_READ[text]
    except KeyError:
        raise PayloadError('urgency')


def date_of(text):
    match = DATE.fullmatch(text or '')
    if not match:
        raise PayloadError('date')
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        raise PayloadError('date')


def secrecy_text(level, years):
    if level == 'none':
        return SECRECY_TEXT['none']
    if years:
        return '%s★%d年' % (SECRECY_TEXT[level], years)
    return SECRECY_TEXT[level]
