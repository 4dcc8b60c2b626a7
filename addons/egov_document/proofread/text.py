"""The 正文 as a proofreader reads it: numbered paragraphs, each with the
part of the document it is (版头, 标题, 主送, body, heading, 署名, 成文日期,
版记), because the rules differ between them (a heading needs no 。)."""
import io
import re

from docx import Document
from docx.oxml.ns import qn

CJK = '\u4e00-\u9fff'
BLANKS = ' \t\r\n\u3000\xa0\ufeff'
# Paragraphs longer than this are checked in slices: the rules look at
# neighbouring characters only (a pair split between two slices excepted),
# so that a pathological paragraph costs no more than many short ones
MAX_PARAGRAPH = 20000

KINDS = ('通知|通报|决定|决议|意见|报告|请示|批复|函|纪要|公告|通告|命令|'
    '议案|公报|方案|办法|规定|细则|规划|计划|要点|总结|通令|令')
TITLE = re.compile('^(?:.{0,40}关于.{2,80}|.{2,60}(?:%s))$' % KINDS)
HEADER = re.compile('^.{2,30}(?:文件|文件签|简报|会议纪要)$')
DOCNO_LINE = re.compile(
    r'^(?:签发人[:：].{0,20})?[%s]{1,12}\s*[〔\[【(（［{]\s*\d{2,4}\s*'
    r'[〕\]】)）］}]\s*第?\s*\d+\s*号(?:\s*签发人[:：].{0,20})?$' % CJK)
DATE_LINE = re.compile(
    r'^(?:\d{4}|[〇零○Ｏ一二三四五六七八九]{4})\s*(?:年|[.\-/．])\s*'
    r'(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*(?:月|[.\-/．])\s*'
    r'(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日?$')
HEADING = re.compile(
    r'^(?:[一二三四五六七八九十]+[、.．，,]|[（(][一二三四五六七八九十]+[）)]'
    r'|\d{1,2}\s*[.．、]|[（(]\d{1,2}[）)]|第[一二三四五六七八九十]+[条章节部分])')
RECIPIENTS = re.compile(r'^(?:主送[:：])?(?P<names>[^。；;！？]{2,300}?)[:：]$')
NOTE = re.compile(
    r'^(?:[（(][^（()）]*[）)]'
    r'|(?:联系人|联系电话|电话|传真|地址|邮编|邮箱|电子邮箱)[:：].*)$')
# 出席：…、…  组长：张三  — a label and a list, not a sentence
LISTING = re.compile('^[^，。；：:]{1,8}[：:][^，。；]*$')
COPY = re.compile(r'^抄\s*送[:：]')
PRINTED = re.compile(r'印发$')
ATTACHMENT = re.compile(r'^附\s*件[:：\d]')
ATTACHMENT_ITEM = re.compile(r'^\d{1,2}\s*[.．、]')


class Paragraph:
    __slots__ = ('number', 'text', 'role')

    def __init__(self, number, text, role='body'):
        self.number = number
        self.text = text
        self.role = role

    def __repr__(self):
        return '<%s %s %s>' % (self.number, self.role, self.text[:20])


def split_text(text):
    "The paragraphs of a plain text: one a line"
    return [t for t in text.splitlines()]


def docx_paragraphs(document):
    """The text of each paragraph of a .docx (python-docx Document or
    bytes), tables included, with the insertions of tracked changes and
    without their deletions (w:delText)"""
    if isinstance(document, (bytes, bytearray, memoryview)):
        document = Document(io.BytesIO(bytes(document)))
    texts = []
    for paragraph in document.element.body.iter(qn('w:p')):
        texts.append(''.join(t.text or '' for t in paragraph.iter(qn('w:t'))))
    return texts


def read(texts):
    """The paragraphs of texts (a list of strings) with their roles,
    numbered from 1 as they come (blank ones counted)"""
    paragraphs = []
    for number, text in enumerate(texts, 1):
        text = text.strip(BLANKS)
        while len(text) > MAX_PARAGRAPH:
            # Its slices but the last: checked for all but their end
            paragraphs.append(
                Paragraph(number, text[:MAX_PARAGRAPH], 'slice'))
            text = text[MAX_PARAGRAPH:]
        paragraphs.append(Paragraph(number, text, 'blank' if not text
                else 'body'))
    classify(paragraphs)
    return paragraphs


def classify(paragraphs):
    filled = [p for p in paragraphs if p.role != 'blank']
    # 版头 and 标题: the first lines, before any sentence
    seen_title = False
    for paragraph in filled[:6]:
        text = paragraph.text
        if DOCNO_LINE.match(text):
            paragraph.role = 'docno'
        elif HEADER.match(text) and not seen_title:
            paragraph.role = 'header'
        elif (not seen_title and TITLE.match(text)
                and not re.search('[。；！？]$', text)):
            paragraph.role = 'title'
            seen_title = True
        elif not seen_title and len(text) <= 30 and not re.search(
                '[，。；：！？,.;:!?]', text) and not TITLE.match(text):
            # 发文机关标志 without 文件 (信函格式)
            paragraph.role = 'header'
        elif seen_title and RECIPIENTS.match(text):
            paragraph.role = 'recipients'
            break
        elif text.startswith('主送'):
            paragraph.role = 'recipients'
            break
        elif seen_title and paragraph.role == 'body' and not re.search(
                '[，。；]', text) and len(text) <= 40 and re.search(
                '^[（(]', text):
            # A 副标题 or the （…年…月…日…会议通过） line
            paragraph.role = 'note'
        elif seen_title:
            break
    in_attachments = False
    for paragraph in filled:
        text = paragraph.text
        if paragraph.role != 'body':
            continue
        if ATTACHMENT.match(text):
            paragraph.role = 'attachment'
            in_attachments = True
            continue
        if in_attachments and ATTACHMENT_ITEM.match(text):
            paragraph.role = 'attachment'
            continue
        in_attachments = False
        if text[-1] == '。' and not HEADING.match(text):
            # A sentence: the common case, decided without the patterns
            continue
        if DATE_LINE.match(text):
            paragraph.role = 'date'
        elif COPY.match(text):
            paragraph.role = 'copy'
        elif PRINTED.search(text) and len(text) <= 60:
            paragraph.role = 'printed'
        elif NOTE.match(text) or LISTING.match(text):
            paragraph.role = 'note'
        elif HEADING.match(text):
            paragraph.role = 'heading'
    # An item of a list whose other items end with ；or 。 ends so too
    for index, paragraph in enumerate(filled):
        if paragraph.role != 'heading' or re.search('[，。；：]', paragraph.text):
            continue
        kind = serial_kind(paragraph.text)
        neighbours = (filled[max(0, index - 1):index]
            + filled[index + 1:index + 2])
        if any(n.role == 'heading' and serial_kind(n.text) == kind
                and re.search('[；。]$', n.text) for n in neighbours):
            paragraph.role = 'body'
    # 发文机关署名: the short lines without marks just before 成文日期
    for index, paragraph in enumerate(filled):
        if paragraph.role != 'date':
            continue
        for previous in reversed(filled[max(0, index - 3):index]):
            if previous.role == 'body' and len(previous.text) <= 40 \
                    and not re.search('[，。；：！？,.;:]', previous.text):
                previous.role = 'signature'
            else:
                break


SERIAL_KINDS = [
    ('chinese', re.compile('^[一二三四五六七八九十]+[、.．]')),
    ('chinese_paren', re.compile('^[（(][一二三四五六七八九十]+[）)]')),
    ('arabic', re.compile(r'^\d{1,2}\s*[.．、]')),
    ('arabic_paren', re.compile(r'^[（(]\d{1,2}[）)]')),
    ]


def serial_kind(text):
    for kind, pattern in SERIAL_KINDS:
        if pattern.match(text):
            return kind
