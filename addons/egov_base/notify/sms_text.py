"""Mobile numbers and SMS length as Chinese carriers and Aliyun count them.

Aliyun's rule (help.aliyun.com/zh/sms/user-guide/message-rules, 短信发送规则):
短信长度 = 短信签名字数 + 短信模板内容字数, the signature counting with the
【】 the platform adds; a domestic message of at most 70 characters is one
SMS, a longer one is billed as parts of 67 characters (160 → 67 + 67 + 26);
the content may not exceed 500 characters. The carriers encode Chinese
messages in UCS-2, so a character outside the BMP (an emoji) takes two
units: lengths here are UTF-16 code units."""
import datetime
import math
import re

# The longest message (signature included) Aliyun accepts
MAX_LENGTH = 500
# One SMS holds up to SINGLE_LENGTH units; a long one is billed per
# PART_LENGTH units (the rest of each part carries the concatenation header)
SINGLE_LENGTH = 70
PART_LENGTH = 67

# Providers give times in China time, without a zone
CHINA = datetime.timezone(datetime.timedelta(hours=8))

MOBILE = re.compile(r'1[3-9]\d{9}')
_FULL_WIDTH = {0xFF10 + i: ord('0') + i for i in range(10)}
_FULL_WIDTH.update({0xFF0B: ord('+'), 0xFF0D: ord('-'), 0x3000: ord(' ')})
# Longest input worth looking at: '+86 138-0013-8000' with some spacing
_MAX_INPUT = 40


class InvalidMobile(ValueError):
    "Not a mainland China mobile number"

    def __init__(self, text):
        super().__init__(text)
        self.text = text


def normalize_mobile(text):
    """The 11 digits of a mainland mobile number written with +86, 0086 or
    86, spaces, hyphens or full-width digits; InvalidMobile otherwise"""
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        raise InvalidMobile(text)
    # Full-width digits, ＋ and － as typed by Chinese input methods; not
    # NFKC, which would also take '²' for a 2
    number = text.translate(_FULL_WIDTH)
    number = re.sub(r'[\s\-\u2010-\u2015]', '', number)
    for prefix in ('+86', '0086', '86'):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix):]
            break
    # isascii: str.isdigit() is also true for '²' or '٣'
    if not (number.isascii() and MOBILE.fullmatch(number)):
        raise InvalidMobile(text)
    return number


def units(text):
    "Length in UTF-16 code units, as UCS-2 carriers count it"
    return len(text.encode('utf-16-le')) // 2


def signature(sign_name):
    return '【%s】' % sign_name if sign_name else ''


def length(text, sign_name):
    "The length the carrier bills: the signature and its 【】 count"
    return units(signature(sign_name) + (text or ''))


def too_long(text, sign_name):
    return length(text, sign_name) > MAX_LENGTH


def count_segments(text, sign_name):
    "SMS billed for text sent under sign_name"
    n = length(text, sign_name)
    if n <= SINGLE_LENGTH:
        return 1
    return math.ceil(n / PART_LENGTH)


def split_for_gateway(text, sign_name, part_length=PART_LENGTH):
    """The texts to send, one SMS each, through a gateway that does not
    concatenate: text itself when it fits in one SMS, else parts each
    starting with a '(1/3)' marker; the signature the gateway adds to each
    part and the marker count in part_length. A surrogate pair is never
    cut."""
    text = text or ''
    if length(text, sign_name) <= SINGLE_LENGTH:
        return [text]
    sign_units = units(signature(sign_name))
    count = 2
    # The marker grows with the count of parts: settle both together
    for _ in range(4):
        room = part_length - sign_units - units('(%d/%d)' % (count, count))
        if room < 1:
            raise ValueError('Signature too long to split the message')
        chunks = _chunks(text, room)
        if len(chunks) == count:
            break
        count = len(chunks)
    return ['(%d/%d)%s' % (i, len(chunks), chunk)
        for i, chunk in enumerate(chunks, 1)]


def _chunks(text, room):
    chunks, current, used = [], [], 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > room:
            chunks.append(''.join(current))
            current, used = [], 0
        current.append(char)
        used += size
    if current:
        chunks.append(''.join(current))
    return chunks


def china_time(text, formats=('%Y-%m-%d %H:%M:%S', '%Y%m%d%H%M%S')):
    "A naive UTC datetime (as Tryton stores them) from Aliyun's China time"
    if not text:
        return None
    for format_ in formats:
        try:
            value = datetime.datetime.strptime(str(text), format_)
        except ValueError:
            continue
        return value.replace(tzinfo=CHINA).astimezone(
            datetime.timezone.utc).replace(tzinfo=None)
    return None
