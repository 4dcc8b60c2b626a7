"""The guard every uploaded file passes before it is stored.

`sniff(data)` tells the kind of a file from its bytes and structure, never
from its name. `check(name, data)` refuses, with a message in the user's
language that names the file, what the platform does not keep: an empty or
too large file, a kind not allowed here, a name whose extension lies about
the content, a malformed container, a zip bomb, XML with a DTD (XXE, billion
laughs), a PDF with active content.

Everything is bounded: the size is checked before any byte is read, a zip's
sizes and entry count are read from its directories before anything is
inflated, inflating stops at the declared sizes (which must hold, CRC
included), nested archives are never expanded and an XML part is parsed
only up to its root element, where a DTD would have to be."""
import io
import os
import re
import struct
import zipfile
import zlib

from lxml import etree

from trytond.exceptions import UserError
from trytond.i18n import gettext

MB = 1024 * 1024
KINDS = ('docx', 'xlsx', 'pptx', 'ofd', 'zip', 'pdf', 'doc', 'png', 'jpeg',
    'tiff', 'gif', 'txt')
DEFAULT_ALLOWED = tuple(k for k in KINDS if k != 'zip')
DEFAULT_MAX_SIZE = 50  # MB
DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_UNCOMPRESSED = 256  # MB, as the search extraction reads
# A large zip entry inflating more than this many times its compressed size
# is a bomb: deflate reaches about 1,000; a Word table of empty cells 230
MAX_RATIO = 500
RATIO_FROM = 5 * MB
# The prolog of an XML part (declaration, comments, a DTD) before its root
PROLOG_LIMIT = 1 * MB
# Pillow refuses larger images as decompression bombs
MAX_PIXELS = 178_956_970
CHUNK = 64 * 1024

# Extensions and the kinds their content may be; an extension not listed
# here says nothing, except those that run or render when opened
EXTENSIONS = {
    'docx': {'docx'}, 'dotx': {'docx'},
    'xlsx': {'xlsx'}, 'xltx': {'xlsx'},
    'pptx': {'pptx'}, 'potx': {'pptx'}, 'ppsx': {'pptx'},
    'ofd': {'ofd'},
    'zip': {'zip'},
    'pdf': {'pdf'},
    'doc': {'doc'}, 'dot': {'doc'}, 'xls': {'doc'}, 'xlt': {'doc'},
    'ppt': {'doc'}, 'pps': {'doc'}, 'pot': {'doc'},
    # WPS Office saves its own extensions in either format
    'wps': {'doc', 'docx'}, 'wpt': {'doc', 'docx'},
    'et': {'doc', 'xlsx'}, 'ett': {'doc', 'xlsx'},
    'dps': {'doc', 'pptx'}, 'dpt': {'doc', 'pptx'},
    'png': {'png'},
    'jpg': {'jpeg'}, 'jpeg': {'jpeg'}, 'jpe': {'jpeg'}, 'jfif': {'jpeg'},
    'tif': {'tiff'}, 'tiff': {'tiff'},
    'gif': {'gif'},
    'txt': {'txt'}, 'text': {'txt'}, 'csv': {'txt'}, 'log': {'txt'},
    'md': {'txt'},
    }
DANGEROUS = {
    'exe', 'com', 'bat', 'cmd', 'scr', 'pif', 'msi', 'msp', 'dll', 'cpl',
    'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'hta', 'ps1', 'psm1', 'jar',
    'lnk', 'reg', 'inf', 'chm', 'sh', 'apk', 'html', 'htm', 'xhtml', 'mht',
    'mhtml', 'svg', 'swf', 'docm', 'dotm', 'xlsm', 'xltm', 'pptm', 'potm',
    }


class UploadError(UserError):
    "A file refused by the upload guard"


class Kind(str):
    """The kind of a file, compared as its name ('pdf'); `encrypted` tells
    a password-protected document, kept but not readable by the search"""
    encrypted = False

    def __new__(cls, value, encrypted=False):
        kind = super().__new__(cls, value)
        kind.encrypted = encrypted
        return kind


def kind_label(kind):
    "The kind as users call it (Word 文档、PDF 文件…)"
    return gettext('egov_base.msg_upload_kind_%s' % kind)


def _labels(kinds):
    if not kinds:
        return gettext('egov_base.msg_upload_kind_none')
    return gettext('egov_base.msg_upload_list_separator').join(
        kind_label(k) for k in KINDS if k in kinds)


def _shown(name):
    "The name as the message shows it: printable and not too long"
    name = ''.join(c if c.isprintable() else '?' for c in (name or ''))
    return name if len(name) <= 80 else name[:60] + '…' + name[-16:]


def _refuse(message, name, **values):
    raise UploadError(gettext('egov_base.msg_upload_%s' % message,
            name=_shown(name), **values))


def _malformed(name, reason):
    _refuse('malformed', name,
        reason=gettext('egov_base.msg_upload_reason_%s' % reason))


def _bomb(name, reason, **values):
    _refuse('bomb', name,
        reason=gettext('egov_base.msg_upload_reason_%s' % reason, **values))


def extension(name):
    "The lower-case extension of name, '' if it has none that looks like one"
    ext = os.path.splitext(name or '')[1][1:].lower()
    return ext if re.fullmatch(r'[a-z0-9]{1,8}', ext) else ''


def _mb(size):
    return ('%.1f' % (size / MB)).rstrip('0').rstrip('.')


# ---------------------------------------------------------------- sniffing
def _family(data):
    "The kind told by the first bytes; zip and OLE need a look inside"
    head = bytes(data[:16])
    if head.startswith(b'PK\x03\x04') or head.startswith(b'PK\x05\x06'):
        return 'zip'
    if head.startswith(b'%PDF-'):
        return 'pdf'
    if head.startswith(b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'):
        return 'doc'
    if head.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'png'
    if head.startswith(b'\xff\xd8\xff'):
        return 'jpeg'
    if head.startswith(b'II*\x00') or head.startswith(b'MM\x00*'):
        return 'tiff'
    if head.startswith(b'GIF87a') or head.startswith(b'GIF89a'):
        return 'gif'
    if _is_text(data):
        return 'txt'
    return None


# Control characters text files hold: tab, line feeds, form feed, the DOS
# end of file and escape
_BINARY = re.compile(rb'[\x00-\x08\x0e-\x19\x1c-\x1f]')


def _is_text(data):
    if _BINARY.search(data):
        return False
    for encoding in ('utf-8-sig', 'gb18030'):
        try:
            str(data, encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _zip_kind(names):
    if 'OFD.xml' in names:
        return 'ofd'
    if '[Content_Types].xml' in names:
        for prefix, kind in (
                ('word/', 'docx'), ('xl/', 'xlsx'), ('ppt/', 'pptx')):
            if any(n.startswith(prefix) for n in names):
                return kind
    return 'zip'


ENCRYPTED_PACKAGE = 'EncryptedPackage'.encode('utf-16-le')


def sniff(data):
    """Return the kind of data (bytes) from its content: one of KINDS, or
    None when it is none of them. A Kind: `.encrypted` tells an encrypted
    PDF or Office document."""
    family = _family(data)
    if family == 'zip':
        directory = _zip_directory(data)
        if directory is None or _too_many(directory, DEFAULT_MAX_ENTRIES):
            return Kind('zip')
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return Kind(_zip_kind(set(archive.namelist())))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return Kind('zip')
    if family == 'doc' and ENCRYPTED_PACKAGE in data:
        # A password-protected .docx/.xlsx is an OLE file around it
        return Kind('docx', encrypted=True)
    if family == 'pdf':
        return Kind('pdf', encrypted=bool(_PDF_ENCRYPT.search(data)))
    return Kind(family) if family else None


# ------------------------------------------------------------------ limits
class Limits:
    "The bounds of one check, in bytes and entries"

    def __init__(self, max_size=None, max_entries=None,
            max_uncompressed=None, allowed=None):
        self.max_size = (max_size or DEFAULT_MAX_SIZE) * MB
        self.max_entries = max_entries or DEFAULT_MAX_ENTRIES
        self.max_uncompressed = (
            max_uncompressed or DEFAULT_MAX_UNCOMPRESSED) * MB
        self.allowed = set(allowed if allowed is not None
            else DEFAULT_ALLOWED)


def configured_limits():
    "The limits the security administrator set (egov.upload.configuration)"
    from trytond.pool import Pool
    try:
        Configuration = Pool().get('egov.upload.configuration')
    except KeyError:
        return Limits()
    return Configuration.limits()


def check(name, data, allowed=None, max_size=None, limits=None,
        max_pixels=MAX_PIXELS):
    """Return the Kind of the file name holding data (bytes), or raise
    UploadError. allowed (kinds), max_size (MB) and max_pixels (of an
    image) narrow the configured limits for one field (a 正文 takes only
    documents)."""
    if limits is None:
        limits = configured_limits()
    # A field narrows what the administrator allows, never widens it
    allowed = limits.allowed if allowed is None else (
        set(allowed) & limits.allowed)
    max_bytes = limits.max_size
    if max_size is not None:
        max_bytes = min(max_bytes, max_size * MB)
    if isinstance(data, str):
        data = data.encode('utf-8')
    if data is None or not len(data):
        _refuse('empty', name)
    if len(data) > max_bytes:
        _refuse('too_big', name, size=_mb(len(data)), limit=_mb(max_bytes))
    data = bytes(data) if not isinstance(data, bytes) else data

    ext = extension(name)
    if ext in DANGEROUS:
        _refuse('dangerous', name, extension='.' + ext)
    archive = None
    try:
        kind, archive = _content_kind(name, data, ext, limits)
        if ext in EXTENSIONS and kind not in EXTENSIONS[ext]:
            if kind is None:
                _refuse('extension_unknown', name, extension='.' + ext,
                    expected=_labels(EXTENSIONS[ext]))
            _refuse('extension', name, extension='.' + ext,
                kind=kind_label(kind), expected=_labels(EXTENSIONS[ext]))
        if kind is None:
            _refuse('unknown', name, allowed=_labels(allowed))
        if kind not in allowed:
            _refuse('not_allowed', name, kind=kind_label(kind),
                allowed=_labels(allowed))
        if archive is not None:
            _check_zip_entries(name, archive, kind, limits)
        elif kind == 'pdf':
            _check_pdf(name, data, limits)
        elif kind in {'png', 'gif', 'jpeg'}:
            _check_image(name, data, kind, min(max_pixels, MAX_PIXELS))
    finally:
        if archive is not None:
            archive.close()
    return kind


def _content_kind(name, data, ext, limits):
    """Return the Kind of data and, for a zip, the archive opened once its
    directory is known sound and bounded"""
    family = _family(data)
    if family == 'zip':
        archive = _open_zip(name, data, limits)
        return Kind(_zip_kind(set(archive.namelist()))), archive
    if family == 'doc':
        _check_ole(name, data)
        if ENCRYPTED_PACKAGE in data:
            # Encrypted Office Open XML: the name tells which
            return Kind(ext if ext in {'docx', 'xlsx', 'pptx'} else 'docx',
                encrypted=True), None
        return Kind('doc'), None
    if family == 'pdf':
        return Kind('pdf', encrypted=bool(_PDF_ENCRYPT.search(data))), None
    return (Kind(family) if family else None), None


# -------------------------------------------------------------------- zip
def _zip_directory(data):
    """Return the entry count and the directory size that the end records
    declare (read before zipfile builds an object per entry), or None"""
    tail_start = max(0, len(data) - (65535 + 22))
    position = data.rfind(b'PK\x05\x06', tail_start)
    if position < 0 or len(data) < position + 22:
        return None
    entries, directory_size = struct.unpack(
        '<HI', data[position + 10:position + 16])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        locator = position - 20
        if locator < 0 or data[locator:locator + 4] != b'PK\x06\x07':
            return None
        offset, = struct.unpack('<Q', data[locator + 8:locator + 16])
        record = data[offset:offset + 56]
        if len(record) < 56 or record[:4] != b'PK\x06\x06':
            return None
        entries, directory_size = struct.unpack('<QQ', record[32:48])
    return entries, directory_size


def _too_many(directory, max_entries):
    entries, directory_size = directory
    # An entry takes at least 46 bytes of the directory; allow long names
    return entries > max_entries or directory_size > max_entries * 1024


def _open_zip(name, data, limits):
    "Open a zip whose directory is sound and whose sizes are bounded"
    directory = _zip_directory(data)
    if directory is None:
        _malformed(name, 'zip')
    if _too_many(directory, limits.max_entries):
        _bomb(name, 'entries', limit=limits.max_entries)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
            EOFError, NotImplementedError, struct.error):
        _malformed(name, 'zip')
    try:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            _bomb(name, 'entries', limit=limits.max_entries)
        names = set()
        total = 0
        for info in infos:
            entry = info.filename
            if (entry in names or entry.startswith(('/', '\\'))
                    or '\\' in entry or '..' in entry.split('/')
                    or '\x00' in entry):
                _malformed(name, 'zip_names')
            names.add(entry)
            if info.flag_bits & 0x1:
                _refuse('encrypted_zip', name)
            if info.compress_type not in {
                    zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}:
                _malformed(name, 'zip_method')
            total += info.file_size
            if total > limits.max_uncompressed:
                _bomb(name, 'uncompressed',
                    limit=_mb(limits.max_uncompressed))
            if (info.file_size > RATIO_FROM and info.file_size
                    > MAX_RATIO * max(info.compress_size, 1)):
                _bomb(name, 'ratio', entry=_shown(entry), ratio=MAX_RATIO)
    except BaseException:
        archive.close()
        raise
    return archive


ARCHIVE_MAGIC = (b'PK\x03\x04', b'PK\x05\x06', b'Rar!', b'7z\xbc\xaf',
    b'\x1f\x8b', b'BZh', b'\xfd7zXZ')
# Documents that are zips themselves, kept whole inside an archive
DOCUMENT_PACKAGES = {e for e, kinds in EXTENSIONS.items()
    if kinds & {'docx', 'xlsx', 'pptx', 'ofd'}}
XML_NAMES = re.compile(r'\.(xml|rels|vml)$', re.IGNORECASE)


def _check_zip_entries(name, archive, kind, limits):
    """Inflate every entry as a stream, within its declared size (zipfile
    stops there and checks the CRC), look at the prolog of each XML part,
    and never expand an archive inside"""
    inflated = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        try:
            with archive.open(info) as member:
                head = member.read(CHUNK)
                inflated += len(head)
                if not head:
                    continue
                if head.startswith(ARCHIVE_MAGIC):
                    if kind == 'zip' and (extension(info.filename)
                            not in DOCUMENT_PACKAGES):
                        _refuse('nested', name, entry=_shown(info.filename))
                elif kind != 'zip' and (XML_NAMES.search(info.filename)
                        or _looks_xml(head)):
                    try:
                        _check_xml_prolog(name, info.filename, head, member)
                    except _BadXML:
                        _malformed(name, 'xml')
                while True:
                    chunk = member.read(CHUNK)
                    if not chunk:
                        break
                    inflated += len(chunk)
                    if inflated > limits.max_uncompressed:
                        _bomb(name, 'uncompressed',
                            limit=_mb(limits.max_uncompressed))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError,
                zlib.error, NotImplementedError):
            _malformed(name, 'zip')


def _looks_xml(head):
    stripped = head.lstrip(b'\xef\xbb\xbf \t\r\n')
    return stripped.startswith(b'<') or head.startswith(
        (b'\xff\xfe<', b'\xfe\xff\x00<'))


class _BadXML(Exception):
    pass


def _check_xml_prolog(name, part, head, member):
    """Parse the part up to its root element: a DOCTYPE (and with it any
    ENTITY) sits before it. Office and OFD parts never have one."""
    parser = etree.XMLPullParser(events=('start',), resolve_entities=False,
        no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False)
    chunk, read = head, 0
    try:
        while chunk:
            read += len(chunk)
            parser.feed(chunk)
            for _, element in parser.read_events():
                docinfo = element.getroottree().docinfo
                if docinfo.doctype or docinfo.internalDTD is not None:
                    _refuse('xml_dtd', name, part=_shown(part))
                return
            if read > PROLOG_LIMIT:
                break
            chunk = member.read(CHUNK)
        parser.close()
    except etree.XMLSyntaxError as exception:
        if b'<!DOCTYPE' in head or b'<!ENTITY' in head:
            _refuse('xml_dtd', name, part=_shown(part))
        raise _BadXML(str(exception))
    raise _BadXML('no root element')


# --------------------------------------------------------------------- OLE
def _check_ole(name, data):
    "The header of a compound file (MS-CFB): byte order and sector size"
    if (len(data) < 512 or data[28:30] != b'\xfe\xff'
            or struct.unpack('<H', data[30:32])[0] not in {9, 12}):
        _malformed(name, 'ole')


# --------------------------------------------------------------------- PDF
_DELIMITER = rb'(?=[\s/<>\[\]()%{}]|$)'
_PDF_ENCRYPT = re.compile(rb'/Encrypt' + _DELIMITER)
_PDF_ACTIVE = re.compile(
    rb'/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)' + _DELIMITER)
_PDF_ESCAPED_NAME = re.compile(rb'/[^\s/<>\[\]()%{}]*#[0-9A-Fa-f]{2}')
_PDF_NAME = re.compile(rb'/[^\s/<>\[\]()%{}]+')
_PDF_OBJECT_STREAM = re.compile(rb'/Type\s*/ObjStm' + _DELIMITER)
_PDF_STREAM = re.compile(rb'stream\r?\n')
_PDF_FILTER = re.compile(rb'/(\w+Decode)' + _DELIMITER)
_PDF_STARTXREF = re.compile(rb'startxref\s+(\d+)\s+%%EOF')
ACTIVE = {
    b'JavaScript': 'javascript', b'JS': 'javascript', b'Launch': 'launch',
    b'EmbeddedFile': 'embedded', b'EmbeddedFiles': 'embedded',
    b'RichMedia': 'rich_media',
    }


def _unescape_name(match):
    return re.sub(rb'#([0-9A-Fa-f]{2})',
        lambda m: bytes([int(m.group(1), 16)]), match.group(0))


def _check_pdf(name, data, limits):
    tail = data[-1024:]
    if b'%%EOF' not in tail:
        _malformed(name, 'pdf_eof')
    found = _PDF_STARTXREF.search(data, max(0, len(data) - 2048))
    if (not found or int(found.group(1)) >= len(data)
            or (b'xref' not in data and b'/XRef' not in data)):
        _malformed(name, 'pdf_xref')
    # Names may hide behind #xx escapes (/J#61vaScript)
    if _PDF_ESCAPED_NAME.search(data):
        data = _PDF_NAME.sub(_unescape_name, data)
    _check_pdf_active(name, data)
    # Objects compressed in object streams: inflate them, within bounds
    encrypted = bool(_PDF_ENCRYPT.search(data))
    budget = limits.max_uncompressed
    for found in _PDF_OBJECT_STREAM.finditer(data):
        start = _PDF_STREAM.search(data, found.end())
        if not start:
            continue
        dictionary = data[
            max(0, data.rfind(b'obj', 0, found.start())):start.start()]
        filters = _PDF_FILTER.findall(dictionary)
        if not filters:
            continue  # plain bytes, already read above
        if filters != [b'FlateDecode']:
            if encrypted:
                continue
            _malformed(name, 'pdf_filter')
        end = data.find(b'endstream', start.end())
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(
                data[start.end():end if end >= 0 else len(data)],
                budget + 1)
        except zlib.error:
            # Encrypted streams cannot be read: extraction tells it
            continue
        budget -= len(raw)
        if budget < 0:
            _bomb(name, 'uncompressed', limit=_mb(limits.max_uncompressed))
        if _PDF_ESCAPED_NAME.search(raw):
            raw = _PDF_NAME.sub(_unescape_name, raw)
        _check_pdf_active(name, raw)


def _check_pdf_active(name, data):
    found = _PDF_ACTIVE.search(data)
    if found:
        _refuse('pdf_active', name, what=gettext(
                'egov_base.msg_upload_active_%s' % ACTIVE[found.group(1)]))


# ------------------------------------------------------------------ images
def _check_image(name, data, kind, max_pixels=MAX_PIXELS):
    size = None
    if kind == 'png':
        if data[12:16] != b'IHDR' or b'IEND' not in data[-64:]:
            _malformed(name, 'image')
        size = struct.unpack('>II', data[16:24])
    elif kind == 'gif':
        if len(data) < 13:
            _malformed(name, 'image')
        size = struct.unpack('<HH', data[6:10])
    elif kind == 'jpeg':
        size = _jpeg_size(data)
    if size and size[0] * size[1] > max_pixels:
        _refuse('pixels', name, width=size[0], height=size[1],
            limit=max_pixels // 1_000_000)


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
    0xCE, 0xCF}


def _jpeg_size(data):
    "The width and height of the first frame header, walking the markers"
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        length, = struct.unpack('>H', data[position + 2:position + 4])
        if marker in _SOF:
            height, width = struct.unpack(
                '>HH', data[position + 5:position + 9])
            return width, height
        if marker == 0xDA:  # the scan starts: no frame header before it
            return None
        position += 2 + length
    return None
