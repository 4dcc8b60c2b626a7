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


def texts(document, title=None):
    "The paragraphs of the body, without empty ones and the title again"
    result = [p.text.strip() for p in document.paragraphs]
    result = [t for t in result if t]
    if result and title and result[0].replace(' ', '') == title.replace(
            ' ', ''):
        result = result[1:]
    return result
