"""Opening a Word body (正文) safely: the upload guard first (a real .docx,
no zip bomb, no DTD), then what the guard keeps but a renderer must not
touch: an encrypted document and one carrying macros."""
import io
import zipfile

from trytond.i18n import gettext

from egov_base.upload import guard

from ..exceptions import DocumentError

MACRO_TYPES = ('macroEnabled', 'vbaProject', 'vbaData')


def open_docx(data, name):
    """Return the python-docx Document of data, or raise DocumentError in
    the user's language naming the file"""
    import docx
    name = name or '正文.docx'
    if data is None or not len(data):
        raise DocumentError(gettext('egov_document.msg_render_no_body'))
    data = bytes(data)
    kind = guard.check(name, data, allowed=('docx',))
    if kind.encrypted:
        raise DocumentError(gettext(
                'egov_document.msg_render_encrypted', name=name))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        content_types = archive.read('[Content_Types].xml') if (
            '[Content_Types].xml' in names) else b''
    if (any(n.lower().endswith(('vbaproject.bin', 'vbadata.xml'))
                for n in names)
            or any(t.encode() in content_types for t in MACRO_TYPES)):
        raise DocumentError(gettext(
                'egov_document.msg_render_macros', name=name))
    try:
        # python-docx parses with resolve_entities=False; the guard
        # refused any DTD already
        return docx.Document(io.BytesIO(data))
    except Exception:
        raise DocumentError(gettext(
                'egov_document.msg_render_unreadable', name=name))


def save(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# The body as the renderer lays it out: its paragraphs and tables in
# order, with the runs' bold, italic and underline

MAX_TABLE_CELLS = 5000


def blocks(document, title=None):
    """[block] of the body, in order, without empty paragraphs and the title
    again: {'kind': 'paragraph', 'text', 'runs': [(text, format)]} or
    {'kind': 'table', 'widths': [twips], 'rows': [[cell]]}, a cell
    {'span', 'merge' (None, 'restart', 'continue'), 'paragraphs'}; format
    is a frozenset of 'bold', 'italic', 'underline'"""
    from docx.table import Table
    result = []
    cells = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            table = table_block(item)
            cells += sum(len(row) for row in table['rows'])
            if cells > MAX_TABLE_CELLS:
                raise DocumentError(gettext(
                        'egov_document.msg_render_table_too_large',
                        count=MAX_TABLE_CELLS))
            if table['rows']:
                result.append(table)
            continue
        block = paragraph_block(item)
        if not block['text'].strip():
            continue
        if (not result and title and block['text'].replace(' ', '').strip()
                == title.replace(' ', '')):
            continue
        result.append(block)
    return result


def paragraph_block(paragraph):
    "The paragraph's text and its runs, runs of one format joined"
    from docx.text.hyperlink import Hyperlink
    runs = []
    for item in paragraph.iter_inner_content():
        for run in (item.runs if isinstance(item, Hyperlink) else [item]):
            text = run.text
            if not text:
                continue
            format_ = run_format(run, paragraph)
            if runs and runs[-1][1] == format_:
                runs[-1] = (runs[-1][0] + text, format_)
            else:
                runs.append((text, format_))
    # The text a reader sees: no spaces around it
    if runs:
        first, format_ = runs[0]
        runs[0] = (first.lstrip(), format_)
        last, format_ = runs[-1]
        runs[-1] = (last.rstrip(), format_)
        runs = [r for r in runs if r[0]]
    return {'kind': 'paragraph', 'text': ''.join(t for t, _ in runs),
        'runs': runs}


def run_format(run, paragraph):
    "bold, italic and underline of run: its own, else its styles'"
    found = set()
    for name in ('bold', 'italic', 'underline'):
        value = getattr(run.font, name)
        if value is None and run.style is not None:
            value = _style_value(run.style, name)
        if value is None and paragraph.style is not None:
            value = _style_value(paragraph.style, name)
        if value:
            found.add(name)
    return frozenset(found)


def _style_value(style, name):
    "The value of the style or of the styles it is based on"
    seen = 0
    while style is not None and seen < 10:
        value = getattr(style.font, name, None)
        if value is not None:
            return value
        style = style.base_style
        seen += 1
    return None


def table_block(table):
    """The rows of table, each cell with its span, vertical merge and
    paragraphs (a table in a cell gives its paragraphs)"""
    from docx.oxml.ns import qn
    from docx.table import _Cell
    widths = [int(column.get(qn('w:w')) or 0)
        for grid in table._tbl.iterchildren(qn('w:tblGrid'))
        for column in grid.iterchildren(qn('w:gridCol'))]
    rows = []
    for tr in table._tbl.iterchildren(qn('w:tr')):
        row = []
        for tc in tr.iterchildren(qn('w:tc')):
            cell = _Cell(tc, table)
            merge = None
            if tc.tcPr is not None and tc.tcPr.vMerge is not None:
                merge = tc.tcPr.vMerge.val or 'continue'
            paragraphs = [paragraph_block(p) for p in cell.paragraphs]
            for inner in cell.tables:
                paragraphs.extend(paragraph_block(p)
                    for inner_row in inner.rows
                    for inner_cell in inner_row.cells
                    for p in inner_cell.paragraphs)
            paragraphs = [p for p in paragraphs if p['text']]
            row.append({'span': tc.grid_span, 'merge': merge,
                    'paragraphs': paragraphs,
                    'alignment': (cell.paragraphs[0].alignment
                        if cell.paragraphs else None)})
        if row:
            rows.append(row)
    return {'kind': 'table', 'widths': widths, 'rows': rows}
