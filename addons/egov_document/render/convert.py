"""Documents to PDF with LibreOffice headless.

The fonts a 公文 names are mapped to installed substitutes by fonts.conf
(next to this file), given to LibreOffice through FONTCONFIG_FILE; licensed
fonts an administrator drops into the folder `[egov_document] fonts` of the
configuration are found first. A profile of LibreOffice is reused and
locked (egov_base.search.extract.soffice_profile)."""
import hashlib
import io
import math
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile

from lxml import etree

from trytond import config

from egov_base.search.extract import soffice_profile

TIMEOUT = 60  # seconds
MAX_PDF = 100 * 1024 * 1024
ALIASES = os.path.join(os.path.dirname(__file__), 'fonts.conf')
SUFFIXES = {'docx', 'doc', 'wps', 'odt', 'rtf'}


class ConversionError(Exception):
    "LibreOffice made no PDF: missing, timed out or refused the file"


def fonts_folder():
    return config.get('egov_document', 'fonts', default=None)


def fontconfig_file(folder=None):
    """The fontconfig file LibreOffice reads: the system's, the licensed
    fonts' folder and the aliases"""
    folder = folder if folder is not None else fonts_folder()
    directory = os.path.join(tempfile.gettempdir(),
        'egov-fonts-%d' % os.getuid())
    os.makedirs(directory, mode=0o700, exist_ok=True)
    key = hashlib.sha1(('%s\0%s' % (folder, ALIASES)).encode()).hexdigest()
    name = 'fonts-%s.conf' % key[:16]
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        extra = ('<dir>%s</dir>' % _escape(folder)) if folder else ''
        content = ('<?xml version="1.0"?>\n<fontconfig>\n'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            '%s\n<include>%s</include>\n</fontconfig>\n' % (
                extra, _escape(ALIASES)))
        handle, temporary = tempfile.mkstemp(dir=directory)
        with os.fdopen(handle, 'w') as file:
            file.write(content)
        os.replace(temporary, path)
    return path


def _escape(text):
    return (text.replace('&', '&amp;').replace('<', '&lt;')
        .replace('>', '&gt;'))


W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
PARSER = etree.XMLParser(resolve_entities=False, no_network=True,
    load_dtd=False, huge_tree=False)


def word_grid(data):
    """The .docx with Word's character grid as LibreOffice can lay it out.

    Word fits a line of `linesAndChars` to the grid by narrowing every
    character to the pitch; LibreOffice gives a character wider than the
    pitch two cells (14 characters a line instead of 28). Keep the line
    grid and narrow the characters by the grid's char space instead."""
    source = zipfile.ZipFile(io.BytesIO(data))
    try:
        document = etree.fromstring(source.read('word/document.xml'), PARSER)
        grids = document.iter('{%s}docGrid' % W)
        condense = None
        for grid in grids:
            if grid.get('{%s}type' % W) not in {'linesAndChars',
                    'snapToChars'}:
                continue
            space = int(grid.get('{%s}charSpace' % W) or 0)
            grid.set('{%s}type' % W, 'lines')
            # In twentieths of a point, rounded to fit
            condense = math.floor(space / 4096 * 20)
        if condense is None or condense >= 0:
            return data
        styles = etree.fromstring(source.read('word/styles.xml'), PARSER)
        rpr = styles.find('{%(w)s}docDefaults/{%(w)s}rPrDefault/{%(w)s}rPr'
            % {'w': W})
        if rpr is None:
            return data
        spacing = rpr.find('{%s}spacing' % W)
        if spacing is None:
            spacing = etree.SubElement(rpr, '{%s}spacing' % W)
        spacing.set('{%s}val' % W, str(condense))
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                content = source.read(info)
                if info.filename == 'word/document.xml':
                    content = etree.tostring(document, xml_declaration=True,
                        encoding='UTF-8', standalone=True)
                elif info.filename == 'word/styles.xml':
                    content = etree.tostring(styles, xml_declaration=True,
                        encoding='UTF-8', standalone=True)
                target.writestr(info, content)
        return out.getvalue()
    except (KeyError, etree.XMLSyntaxError, ValueError):
        return data
    finally:
        source.close()


def to_pdf(data, suffix='docx', timeout=TIMEOUT):
    "Return the PDF (bytes) of the document data (bytes) of kind suffix"
    suffix = suffix.lower().lstrip('.')
    if suffix not in SUFFIXES:
        raise ConversionError('unsupported kind %r' % suffix)
    if suffix == 'docx':
        data = word_grid(data)
    soffice = shutil.which('soffice') or shutil.which('libreoffice')
    if not soffice:
        raise ConversionError('LibreOffice is not installed')
    with tempfile.TemporaryDirectory(prefix='egov-pdf-') as workdir:
        source = os.path.join(workdir, 'document.' + suffix)
        with open(source, 'wb') as file:
            file.write(data)
        env = {k: v for k, v in os.environ.items()
            if k in {'PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR'}}
        env['FONTCONFIG_FILE'] = fontconfig_file()
        env.setdefault('HOME', workdir)
        lock, profile = soffice_profile()
        try:
            process = subprocess.Popen([soffice, '--headless', '--norestore',
                    '--nologo', '--nodefault', '--nolockcheck',
                    '-env:UserInstallation=file://' + profile,
                    '--convert-to', 'pdf:writer_pdf_Export',
                    '--outdir', workdir, source],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, cwd=workdir, env=env,
                start_new_session=True)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise ConversionError('LibreOffice timed out')
        finally:
            lock.close()
        result = os.path.join(workdir, 'document.pdf')
        if not os.path.exists(result):
            raise ConversionError('LibreOffice made no PDF')
        if os.path.getsize(result) > MAX_PDF:
            raise ConversionError('PDF too large')
        with open(result, 'rb') as file:
            return file.read()
