"""What a 正文 says, read without Word: the text of its paragraphs, the
tracked changes (修订) a .docx carries, and the difference between two
versions, paragraph by paragraph and, inside a changed paragraph,
character by character (Chinese has no spaces to cut words at).

Everything is bounded: a file is read only after the upload guard passed
it (no DTD, no bomb), at most MAX_PARAGRAPHS paragraphs and MAX_REVISIONS
changes are kept, and a pair of paragraphs too long to compare character
by character is shown as replaced whole."""
import datetime
import difflib
import html
import io
import zipfile

from lxml import etree

W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
MAX_PARAGRAPHS = 20_000
MAX_REVISIONS = 2_000
MAX_TEXT = 1_000
MAX_XML = 64 * 1024 * 1024
# Above this product of lengths a paragraph pair is not diffed by character
MAX_CHAR_WORK = 4_000_000
MAX_EXTRACT = 50 * 1024 * 1024


def _w(name):
    return '{%s}%s' % (W, name)


P, T, DEL_TEXT, TAB, BR, CR = map(_w, ['p', 't', 'delText', 'tab', 'br', 'cr'])
INS, DEL, MOVE_FROM, MOVE_TO = map(_w, ['ins', 'del', 'moveFrom', 'moveTo'])
RPR_CHANGE, PPR_CHANGE, RPR = map(_w, ['rPrChange', 'pPrChange', 'rPr'])
REVISION_KINDS = {
    INS: 'insert', DEL: 'delete', MOVE_FROM: 'move_from',
    MOVE_TO: 'move_to', RPR_CHANGE: 'format', PPR_CHANGE: 'format',
    }


def is_docx(data):
    return bytes(data[:4]) == b'PK\x03\x04' and _document_xml(data) is not None


def _document_xml(data):
    "The main part of a .docx (bytes), or None"
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            info = archive.getinfo('word/document.xml')
            if info.file_size > MAX_XML:
                return None
            with archive.open(info) as part:
                return part.read(MAX_XML + 1)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError,
            NotImplementedError):
        return None


def _body(data):
    xml = _document_xml(data)
    if xml is None:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        return None
    return root.find(_w('body'))


def has_macros(data):
    "A .docx that carries VBA (a .docm renamed): Word would run it"
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            names = archive.namelist()
            if any(n.lower().endswith('vbaproject.bin') for n in names):
                return True
            types = archive.read('[Content_Types].xml')[:1024 * 1024]
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError,
            NotImplementedError):
        return False
    return b'macroEnabled' in types or b'vbaProject' in types


def _paragraph_text(paragraph):
    "The text the paragraph shows now: insertions in, deletions out"
    parts = []

    def walk(element):
        for child in element:
            tag = child.tag
            if tag in {DEL, MOVE_FROM, RPR, RPR_CHANGE, PPR_CHANGE}:
                continue
            if tag == T:
                parts.append(child.text or '')
            elif tag == TAB:
                parts.append('\t')
            elif tag in {BR, CR}:
                parts.append('\n')
            elif tag != P:
                walk(child)
    walk(paragraph)
    return ''.join(parts)


def docx_paragraphs(data):
    "The text of each paragraph of a .docx (tables included), or None"
    body = _body(data)
    if body is None:
        return None
    result = []
    for paragraph in body.iter(P):
        result.append(_paragraph_text(paragraph))
        if len(result) >= MAX_PARAGRAPHS:
            break
    return result


def paragraphs(data, name=''):
    """The paragraphs of a body: a .docx read here, a PDF, OFD or WPS/.doc
    through the search extractor (LibreOffice for .doc); None if unread"""
    if data is None:
        return None
    if bytes(data[:4]) == b'PK\x03\x04':
        found = docx_paragraphs(data)
        if found is not None:
            return found
    from egov_base.search.extract import extract_text
    extracted = extract_text(bytes(data), filename=name or '',
        max_bytes=MAX_EXTRACT)
    if not extracted.text:
        return None
    return [line for line in extracted.text.splitlines()][:MAX_PARAGRAPHS]


def _date(value):
    if not value:
        return None
    value = value.strip().rstrip('Z')
    for pattern in ('%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d'):
        try:
            return datetime.datetime.strptime(value[:19], pattern)
        except ValueError:
            continue
    return None


def _revision_text(element):
    texts = []
    for node in element.iter(T, DEL_TEXT):
        texts.append(node.text or '')
    text = ''.join(texts)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + '…'


def revisions(data):
    """The tracked changes of a .docx, in the order of the document: dicts
    of kind (insert, delete, move_from, move_to, format), author, date
    (UTC, as Word writes it), text and paragraph (from 1)"""
    body = _body(data)
    if body is None:
        return []
    result = []
    number = 0
    for paragraph in body.iter(P):
        number += 1
        for element in paragraph.iter(*REVISION_KINDS):
            parent = element.getparent()
            if element.tag in {INS, DEL} and parent is not None and (
                    parent.tag == RPR):
                # The paragraph mark itself inserted or deleted: no text
                continue
            if any(a.tag in REVISION_KINDS for a in element.iterancestors()
                    if a is not paragraph and a.tag != P):
                # Nested in another change, which shows it
                continue
            result.append({
                    'kind': REVISION_KINDS[element.tag],
                    'author': (element.get(_w('author')) or '')[:100],
                    'date': _date(element.get(_w('date'))),
                    'text': (_revision_text(element)
                        if element.tag not in {RPR_CHANGE, PPR_CHANGE}
                        else ''),
                    'paragraph': number,
                    })
            if len(result) >= MAX_REVISIONS:
                return result
    return result


# ------------------------------------------------------------- comparing
def _chars(old, new):
    "[(op, text)] of two paragraphs: op is '=', '-' or '+'"
    if len(old) * len(new) > MAX_CHAR_WORK:
        return [('-', old), ('+', new)]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    result = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == 'equal':
            result.append(('=', old[i1:i2]))
        else:
            if i2 > i1:
                result.append(('-', old[i1:i2]))
            if j2 > j1:
                result.append(('+', new[j1:j2]))
    return result


def compare(old, new):
    """The rows of a side-by-side comparison of two lists of paragraphs:
    (left, right), each a list of (op, text) or None where that side has
    no paragraph; and the counts of inserted and deleted characters"""
    rows = []
    inserted = deleted = 0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == 'equal':
            rows.extend(([('=', p)], [('=', p)]) for p in old[i1:i2])
            continue
        left, right = old[i1:i2], new[j1:j2]
        for index in range(max(len(left), len(right))):
            a = left[index] if index < len(left) else None
            b = right[index] if index < len(right) else None
            if a is None:
                rows.append((None, [('+', b)]))
                inserted += len(b)
            elif b is None:
                rows.append(([('-', a)], None))
                deleted += len(a)
            else:
                ops = _chars(a, b)
                rows.append(([o for o in ops if o[0] != '+'],
                        [o for o in ops if o[0] != '-']))
                inserted += sum(len(t) for o, t in ops if o == '+')
                deleted += sum(len(t) for o, t in ops if o == '-')
    return rows, inserted, deleted


def _side(ops, ins, delete):
    if ops is None:
        return ''
    parts = []
    for op, text in ops:
        if not text:
            continue
        text = html.escape(text).replace('\n', '<br>')
        if op == '+':
            parts.append(ins % text)
        elif op == '-':
            parts.append(delete % text)
        else:
            parts.append(text)
    return ''.join(parts) or '&#160;'


def to_html(rows):
    """A table of the two versions side by side, <del> and <ins> marking
    what changed (a page's stylesheet stacks the columns on a phone)"""
    lines = ['<table class="egov-compare">']
    for left, right in rows:
        changed = any(o != '=' for o, _ in (left or []) + (right or [])) or (
            left is None or right is None)
        lines.append('<tr%s><td>%s</td><td>%s</td></tr>' % (
                ' class="changed"' if changed else '',
                _side(left, '<ins>%s</ins>', '<del>%s</del>'),
                _side(right, '<ins>%s</ins>', '<del>%s</del>')))
    lines.append('</table>')
    return '\n'.join(lines)


# The web client's HTML widget keeps only b, i, u, font, div and br: on
# each side what that version has and the other not stands out in colour
SAO_INSERT = '<font color="#1b5e20"><u><b>%s</b></u></font>'
SAO_DELETE = '<font color="#b71c1c"><b>%s</b></font>'


def to_sao_html(rows, side):
    "One side (0: old, 1: new) of the comparison for the web client"
    return ''.join('<div>%s</div>' % _side(row[side], SAO_INSERT, SAO_DELETE)
        for row in rows)
