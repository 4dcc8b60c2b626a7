"""Text of an attachment for the search index.

The real type is read from the bytes, never from the name. The parsers run in
a child Python process with hard limits on time, memory and file size, so that
a hostile file can neither hang nor exhaust the worker that indexes it; a bad
file gives an error code, never an exception.

This module has no database and no Tryton import: the child loads it by path.
"""
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import NamedTuple

logger = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
TIMEOUT = 120  # seconds, the whole extraction
MAX_CHARS = 1_000_000
MEMORY = 2 * 1024 ** 3  # address space of the child and its helpers
# Unpacked size of a .docx or .ofd: a zip bomb is refused before inflating
MAX_UNZIPPED = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
# One XML part of an OFD
MAX_XML_PART = 32 * 1024 * 1024

ERRORS = ('too_large', 'encrypted', 'corrupt', 'unsupported', 'timeout',
    'no_text')

_CHUNK = 1024 * 1024


class Extracted(NamedTuple):
    text: str
    method: str | None  # docx, pdf, pdf+ocr, soffice, ofd, ocr, text
    pages: int | None
    error: str | None  # one of ERRORS, with any text found before it


class Refused(Exception):
    "The file cannot be read further; args[0] is one of ERRORS"


def extract_text(data, filename='', mimetype=None, max_bytes=MAX_BYTES,
        timeout=TIMEOUT, max_chars=MAX_CHARS, memory=MEMORY):
    """Return the Extracted text of data: bytes, a path or a binary file.

    A file larger than max_bytes is refused before it is read; the parsing
    is stopped after timeout seconds; at most max_chars characters are kept.
    """
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix='egov-extract-')
    try:
        try:
            path = _stage(data, workdir, max_bytes)
        except Refused as refused:
            return Extracted('', None, None, refused.args[0])
        job = {
            'path': path,
            'filename': filename or '',
            'mimetype': mimetype or '',
            'max_chars': int(max_chars),
            # The child stops on its own a little before the hard kill, to
            # hand back the text it already has
            'deadline': max(timeout - max(1, timeout * 0.15), timeout * 0.5),
            'memory': int(memory),
            'cpu': int(timeout) + 5,
            'workdir': workdir,
            }
        result = _run_child(job, timeout)
        logger.debug('extracted %r in %.2fs: %s', filename,
            time.monotonic() - started, result.error or result.method)
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _stage(data, workdir, max_bytes):
    "Return a path to the file, copied only when needed, within max_bytes"
    if isinstance(data, (bytes, bytearray, memoryview)):
        if len(data) > max_bytes:
            raise Refused('too_large')
        path = os.path.join(workdir, 'input')
        with open(path, 'wb') as file:
            file.write(data)
        return path
    if isinstance(data, (str, os.PathLike)):
        try:
            size = os.stat(data).st_size
        except OSError:
            raise Refused('corrupt')
        if size > max_bytes:
            raise Refused('too_large')
        return os.path.abspath(os.fspath(data))
    if hasattr(data, 'read'):
        path = os.path.join(workdir, 'input')
        size = 0
        with open(path, 'wb') as file:
            while chunk := data.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise Refused('too_large')
                file.write(chunk)
        return path
    raise TypeError('bytes, a path or a binary file expected')


def _run_child(job, timeout):
    code = (
        'import importlib.util, sys\n'
        'spec = importlib.util.spec_from_file_location("_egov_extract", %r)\n'
        'module = importlib.util.module_from_spec(spec)\n'
        'spec.loader.exec_module(module)\n'
        'module.child_main()\n' % os.path.abspath(__file__))
    env = {k: v for k, v in os.environ.items() if k in {
            'PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TESSDATA_PREFIX'}}
    # Tesseract would take every core for one page
    env['OMP_THREAD_LIMIT'] = '1'
    process = subprocess.Popen(
        [sys.executable, '-I', '-c', code],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, cwd=job['workdir'], env=env,
        start_new_session=True)
    try:
        out, _ = process.communicate(json.dumps(job).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        # Not yet reaped: the group id cannot have been reused
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # Not communicate(): a helper that left the group may hold stdout
        process.wait()
        process.stdout.close()
        return Extracted('', None, None, 'timeout')
    try:
        answer = json.loads(out)
    except ValueError:
        # Killed by a limit (memory, CPU, file size) or crashed
        logger.info('extraction child ended with %s', process.returncode)
        if process.returncode in {-signal.SIGXCPU, -signal.SIGKILL}:
            return Extracted('', None, None, 'timeout')
        return Extracted('', None, None, 'corrupt')
    if answer.get('detail'):
        logger.info('extraction of %r: %s', job['filename'], answer['detail'])
    return Extracted(answer['text'], answer['method'], answer['pages'],
        answer['error'])


# What follows runs in the child process.

class Collector:
    "The text found so far, bounded in characters and in time"

    def __init__(self, max_chars, deadline):
        self.parts = []
        self.size = 0
        self.max_chars = max_chars
        self.deadline = deadline
        self.method = None
        self.pages = None

    @property
    def full(self):
        return self.size > self.max_chars

    def add(self, text):
        if text and not self.full:
            self.parts.append(text)
            self.size += len(text)

    def remaining(self):
        "Seconds left, Refused('timeout') when none"
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Refused('timeout')
        return left

    def text(self):
        return normalise('\n'.join(self.parts))[:self.max_chars]


def child_main():
    job = json.load(sys.stdin)
    _limit(job['memory'], job['cpu'])
    started = time.monotonic()
    collector = Collector(job['max_chars'], started + job['deadline'])
    error, detail = None, None
    try:
        kind = sniff(job['path'], job['filename'], job['mimetype'])
        READERS[kind](job['path'], collector, job['workdir'])
    except MemoryError:
        error = 'too_large'
    except Exception as exception:
        ocr = _sibling('ocr')
        if isinstance(exception, (Refused, ocr.Refused)):
            error = exception.args[0]
        elif isinstance(exception, ocr.OCRUnavailable):
            error, detail = 'unsupported', str(exception)
        else:
            error, detail = 'corrupt', repr(exception)[:500]
    try:
        text = collector.text()
    except MemoryError:
        text, error = '', 'too_large'
    if not text and not error:
        error = 'no_text'
    # ASCII JSON: the child's locale may not be UTF-8
    sys.stdout.buffer.write(json.dumps({
                'text': text,
                'method': collector.method,
                'pages': collector.pages,
                'error': error,
                'detail': detail,
                }).encode())


def _limit(memory, cpu):
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # In case the parent died and cannot kill a runaway parser
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The text export of LibreOffice and the OCR images stay well below
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_UNZIPPED, MAX_UNZIPPED))
    os.nice(10)
    logging.disable(logging.CRITICAL)


MAGIC = [
    (b'%PDF-', 'pdf'),
    (b'PK\x03\x04', 'zip'),
    (b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', 'ole'),
    (b'{\\rtf', 'soffice'),
    (b'\x89PNG\r\n\x1a\n', 'image'),
    (b'\xff\xd8\xff', 'image'),
    (b'II*\x00', 'image'),
    (b'MM\x00*', 'image'),
    ]
TEXT_NAMES = re.compile(r'\.(txt|csv|md)$', re.IGNORECASE)


def sniff(path, filename='', mimetype=''):
    "Return the kind of reader for the file, from its bytes"
    with open(path, 'rb') as file:
        head = file.read(1024)
    if not head:
        raise Refused('no_text')
    # A PDF may start with some garbage, readers accept it
    if b'%PDF-' in head:
        return 'pdf'
    for magic, kind in MAGIC:
        if head.startswith(magic):
            break
    else:
        if (TEXT_NAMES.search(filename or '')
                or (mimetype or '').startswith('text/plain')):
            return 'text'
        raise Refused('unsupported')
    if kind == 'zip':
        names = set(open_zip(path).namelist())
        if 'word/document.xml' in names:
            return 'docx'
        if 'OFD.xml' in names:
            return 'ofd'
        raise Refused('unsupported')
    if kind == 'ole':
        with open(path, 'rb') as file:
            # An encrypted .docx is an OLE file holding EncryptedPackage
            if 'EncryptedPackage'.encode('utf-16-le') in file.read():
                raise Refused('encrypted')
        return 'soffice'
    return kind


def open_zip(path):
    "Open a zip whose unpacked size is bounded, before inflating anything"
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused('corrupt')
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise Refused('too_large')
    if sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise Refused('too_large')
    if any(m.flag_bits & 0x1 for m in members):
        raise Refused('encrypted')
    return archive


def read_member(archive, name, limit):
    "Read a member no larger than limit; zipfile stops at its declared size"
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise Refused('corrupt')
    if info.file_size > limit:
        raise Refused('too_large')
    try:
        with archive.open(info) as member:
            return member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError,
            NotImplementedError):
        raise Refused('corrupt')


MC_FALLBACK = (
    '{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback')


def read_docx(path, collector, workdir):
    import docx
    from docx.oxml.ns import qn
    open_zip(path).close()
    collector.method = 'docx'
    document = docx.Document(path)
    seen = set()
    parts = []
    for section in document.sections:
        for header in (section.header, section.first_page_header,
                section.even_page_header, section.footer,
                section.first_page_footer, section.even_page_footer):
            if header.is_linked_to_previous:
                continue
            part = header.part
            if id(part) not in seen:
                seen.add(id(part))
                parts.append(part.element)
    body = document.element.body
    P = qn('w:p')
    # The body first: headers repeat on every page
    for element in [body] + parts:
        for paragraph in element.iter(P):
            # A text box is stored twice, once for old readers
            if any(a.tag == MC_FALLBACK for a in paragraph.iterancestors()):
                continue
            collector.add(_docx_paragraph(paragraph))
            if collector.full:
                return


def _docx_paragraph(paragraph):
    from docx.oxml.ns import qn
    T, TAB, BR, CR = qn('w:t'), qn('w:tab'), qn('w:br'), qn('w:cr')
    P = qn('w:p')
    text = []
    for node in paragraph.iter(T, TAB, BR, CR):
        # Nested paragraphs (text boxes) are read on their own
        if next(node.iterancestors(P)) is not paragraph:
            continue
        if node.tag == T:
            text.append(node.text or '')
        elif node.tag == TAB:
            text.append('\t')
        else:
            text.append('\n')
    return ''.join(text)


def read_pdf(path, collector, workdir):
    from pdfminer.layout import LAParams
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import (
        PDFDocument, PDFEncryptionError, PDFPasswordIncorrect)
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    collector.method = 'pdf'
    with open(path, 'rb') as file:
        try:
            document = PDFDocument(PDFParser(file), password='')
        except (PDFPasswordIncorrect, PDFEncryptionError):
            raise Refused('encrypted')
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=LAParams())
        interpreter = PDFPageInterpreter(manager, device)
        scanned = {}
        pages = 0
        try:
            for number, page in enumerate(PDFPage.create_pages(document)):
                pages = number + 1
                if collector.full:
                    continue
                collector.remaining()
                interpreter.process_page(page)
                texts, images = [], []
                _walk_layout(device.get_result(), texts, images)
                text = close_cjk_gaps(''.join(texts))
                if len(text.strip()) < 5 and images:
                    scanned[number] = images
                    collector.add('\0page%d\0' % number)
                else:
                    collector.add(text)
        finally:
            # A broken page is reported corrupt, the pages before it kept
            collector.pages = pages
        if scanned:
            _ocr_pdf(path, scanned, collector, workdir)


def _walk_layout(item, texts, images):
    from pdfminer.layout import LTChar, LTImage, LTTextBox, LTTextContainer
    if isinstance(item, LTTextBox):
        texts.append(_unwrap(item))
    elif isinstance(item, LTTextContainer):
        texts.append(item.get_text())
    elif isinstance(item, LTChar):
        texts.append(item.get_text())
    elif isinstance(item, LTImage):
        images.append(item)
    else:
        for child in getattr(item, '_objs', ()):
            _walk_layout(child, texts, images)


def _unwrap(box):
    "Join the lines of a box that were broken at its right edge"
    text = ''
    full = False
    for line in box:
        part = line.get_text().rstrip('\n')
        if full and text and part:
            # Latin words wrap at a space, Chinese anywhere
            latin = text[-1].isascii() and part[0].isascii()
            text += ' ' if latin else ''
        elif text:
            text += '\n'
        text += part
        full = line.x1 >= box.x1 - 1.5 * line.height
    return text + '\n'


def _ocr_pdf(path, scanned, collector, workdir):
    "Replace the placeholders of scanned pages by their OCR text"
    ocr = _sibling('ocr')
    collector.method = 'pdf+ocr'
    texts = {}
    try:
        for number, image in ocr.pdf_page_images(
                path, scanned, workdir, collector.remaining):
            texts[number] = texts.get(number, '') + '\n' + close_cjk_gaps(
                ocr.recognise(image, collector.remaining()))
    finally:
        collector.parts = [
            re.sub(r'\0page(\d+)\0',
                lambda m: texts.get(int(m.group(1)), ''), p)
            for p in collector.parts]


def read_image(path, collector, workdir):
    ocr = _sibling('ocr')
    collector.method = 'ocr'
    collector.pages = 0
    for image in ocr.image_frames(path):
        collector.pages += 1
        collector.add(close_cjk_gaps(
                ocr.recognise(image, collector.remaining())))
        if collector.full:
            break


OFD_NS = '{http://www.ofdspec.org/2016}'


def read_ofd(path, collector, workdir):
    "Read the TextCode of each page, in the order Document.xml gives"
    collector.method = 'ofd'
    archive = open_zip(path)
    names = set(archive.namelist())
    pages = []
    root = _ofd_xml(archive, 'OFD.xml')
    for doc_root in root.iter(OFD_NS + 'DocRoot'):
        doc_path = _ofd_path('', doc_root.text)
        document = _ofd_xml(archive, doc_path)
        base = doc_path.rpartition('/')[0]
        for page in document.iter(OFD_NS + 'Page'):
            pages.append(_ofd_path(base, page.get('BaseLoc', '')))
    if not pages:
        # Some writers leave Document.xml incomplete: read pages by name
        pages = sorted((n for n in names if n.endswith('/Content.xml')),
            key=lambda n: [int(d) for d in re.findall(r'\d+', n)])
    collector.pages = len(pages)
    for page in pages:
        collector.remaining()
        if page not in names:
            continue
        collector.add(_ofd_page_text(_ofd_xml(archive, page)))
        if collector.full:
            break


def _ofd_path(base, location):
    location = (location or '').strip().lstrip('/')
    if base and not location.startswith(base + '/'):
        location = base + '/' + location
    return location


def _ofd_xml(archive, name):
    from lxml import etree
    data = read_member(archive, name, MAX_XML_PART)
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise Refused('corrupt')
    # OFD (GB/T 33190) has no DTD: one is only there to attack the parser
    if root.getroottree().docinfo.internalDTD is not None:
        raise Refused('corrupt')
    return root


def _ofd_page_text(root):
    "Join text objects of one line; a new line when the baseline moves"
    lines, line, last_y = [], [], None
    for text_object in root.iter(OFD_NS + 'TextObject'):
        try:
            top = float(text_object.get('Boundary', '0 0').split()[1])
        except (IndexError, ValueError):
            top = None
        for code in text_object.iter(OFD_NS + 'TextCode'):
            try:
                y = top + float(code.get('Y', 0)) if top is not None else None
            except ValueError:
                y = None
            if line and (y is None or last_y is None
                    or abs(y - last_y) > 1):
                lines.append(''.join(line))
                line = []
            if (line and line[-1][-1:].isascii() and line[-1][-1:].isalnum()
                    and (code.text or ' ')[:1].isascii()
                    and (code.text or ' ')[:1].isalnum()):
                line.append(' ')
            line.append(code.text or '')
            last_y = y
    lines.append(''.join(line))
    return '\n'.join(lines)


SOFFICE_SLOTS = 8


def soffice_profile():
    """Return (lock, profile folder) of a LibreOffice profile for this user.

    Two LibreOffice on one profile would hand the file to each other; a
    profile is reused, as creating one costs seconds. Close lock when done.
    """
    base = os.path.join(tempfile.gettempdir(), 'egov-soffice-%d' % os.getuid())
    os.makedirs(base, mode=0o700, exist_ok=True)
    if os.stat(base).st_uid != os.getuid():
        base = tempfile.mkdtemp()
    lock = _lock_slot(base)
    return lock, lock.name[:-len('.lock')]


def _lock_slot(base):
    "Lock a free profile slot, or wait for the first one"
    import fcntl
    for slot in range(SOFFICE_SLOTS):
        lock = open(os.path.join(base, 'slot-%d.lock' % slot), 'w')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            lock.close()
    lock = open(os.path.join(base, 'slot-0.lock'), 'w')
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def read_soffice(path, collector, workdir):
    "Convert .doc, .wps or .rtf to text with LibreOffice headless"
    collector.method = 'soffice'
    soffice = shutil.which('soffice') or shutil.which('libreoffice')
    if not soffice:
        raise Refused('unsupported')
    lock, profile = soffice_profile()
    source = os.path.join(workdir, 'document.doc')
    os.symlink(path, source)
    out = os.path.join(workdir, 'out')
    command = [soffice, '--headless', '--norestore', '--nologo',
        '--nodefault', '--nolockcheck',
        '-env:UserInstallation=file://' + profile,
        '--convert-to', 'txt:Text (encoded):UTF8', '--outdir', out, source]
    collector.remaining()
    # No timeout of its own: LibreOffice forks, the parent kills the group
    try:
        subprocess.run(command, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=workdir, check=False)
    finally:
        lock.close()
    result = os.path.join(out, 'document.txt')
    if not os.path.exists(result):
        raise Refused('corrupt')
    with open(result, 'rb') as file:
        data = file.read(collector.max_chars * 4)
    collector.add(data.decode('utf-8-sig', 'ignore'))


def read_text(path, collector, workdir):
    collector.method = 'text'
    with open(path, 'rb') as file:
        data = file.read(collector.max_chars * 4)
    for encoding in ('utf-8-sig', 'gb18030'):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused('unsupported')
    if sum(c < ' ' and c not in '\t\n\r\f' for c in text[:10000]) > 10:
        raise Refused('unsupported')
    collector.add(text)


READERS = {
    'pdf': read_pdf,
    'docx': read_docx,
    'ofd': read_ofd,
    'soffice': read_soffice,
    'image': read_image,
    'text': read_text,
    }


def _sibling(name):
    "Import a module of this folder by path: the child has no package"
    if __package__:  # imported normally, not in the child
        return importlib.import_module('.' + name, __package__)
    module_name = '_egov_extract_' + name
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name,
            os.path.join(os.path.dirname(os.path.abspath(__file__)),
                name + '.py'))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


CJK = (r'\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf'
    r'\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef')
_CONTROLS = re.compile(r'[\x00-\x08\x0b\x0e-\x1f\x7f\u200b-\u200d\ufeff]')
_SPACES = re.compile(r'[ \t\f\v\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+')
_CJK_GAP = re.compile(r'(?<=[%s])[ \t]+(?=[%s])' % (CJK, CJK))
_BLANK_LINES = re.compile(r'\n(?: ?\n)+')


def close_cjk_gaps(text):
    "Drop the spaces OCR and some PDF writers put between Chinese characters"
    return _CJK_GAP.sub('', text)


def normalise(text):
    "One space between words, one newline between lines; full-width kept"
    text = text.replace('\r\n', '\n').replace('\r', '\n').replace('\f', '\n')
    text = _CONTROLS.sub('', text)
    text = _SPACES.sub(' ', text)
    text = '\n'.join(line.strip() for line in text.split('\n'))
    return _BLANK_LINES.sub('\n', text).strip()
