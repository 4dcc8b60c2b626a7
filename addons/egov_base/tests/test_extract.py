"""Attachment text for the smart search: what the index receives from each
kind of file offices send, and how hostile files are refused within bounds.

No database: the samples are built once in a temporary folder.
"""
import io
import os
import shutil
import subprocess
import tempfile
import time
import tracemalloc
import unittest
from concurrent.futures import ThreadPoolExecutor

from ..search import ocr
from ..search.extract import (
    ERRORS, MAX_BYTES, close_cjk_gaps, extract_text, normalise)
from . import extract_samples as samples
from .extract_samples import BODY, HEADER, TABLE, TITLE

# Time a child needs to start and be killed, on top of its timeout
SLACK = 1.5


def tesseract_reads_chinese():
    try:
        out = subprocess.run(['tesseract', '--list-langs'],
            capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return 'chi_sim' in out.split()


class ZeroStream(io.RawIOBase):
    "A file of size bytes that never exists in memory"

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return bytes(n)


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE__URI', '').startswith('postgresql'),
    'no database involved: run once, on the SQLite pass')
class ExtractTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix='egov-samples-')
        cls.samples = samples.build(cls.folder)
        cls.ocr = ('scan.png' in cls.samples) and tesseract_reads_chinese()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def sample(self, name):
        if name not in self.samples:
            self.skipTest('%s needs LibreOffice or a Chinese font' % name)
        return self.samples[name]

    def extract(self, name, **kwargs):
        started = time.monotonic()
        result = extract_text(self.sample(name), name, **kwargs)
        self.assertIn(result.error, ERRORS + (None,))
        self.assertLess(time.monotonic() - started,
            kwargs.get('timeout', 120) + SLACK)
        return result

    def assertTable(self, text):
        for row in TABLE:
            for value in row:
                self.assertIn(value, text)

    # Files as offices send them

    def test_docx(self):
        "A .docx gives its paragraphs, table and header, punctuation kept"
        result = self.extract('notice.docx')
        self.assertEqual(result.error, None)
        self.assertEqual(result.method, 'docx')
        self.assertEqual(result.text.splitlines()[0], TITLE)
        self.assertIn(BODY, result.text)
        self.assertTable(result.text)
        self.assertIn(HEADER, result.text)

    def test_type_from_bytes(self):
        "A .docx named .pdf is read as a .docx; bytes, path, file alike"
        path = self.sample('notice.docx')
        with open(path, 'rb') as file:
            data = file.read()
        by_path = extract_text(path, 'notice.docx')
        by_bytes = extract_text(data, '通知.pdf', 'application/pdf')
        by_file = extract_text(io.BytesIO(data), '通知')
        self.assertEqual(by_bytes, by_path)
        self.assertEqual(by_file, by_path)

    def test_pdf(self):
        "A PDF made by LibreOffice gives its text, Chinese lines unwrapped"
        result = self.extract('notice.pdf')
        self.assertEqual((result.error, result.method, result.pages),
            (None, 'pdf', 1))
        self.assertIn(TITLE, result.text)
        self.assertIn('各县（市、区）人民政府，市政府各部门：', result.text)
        self.assertTable(result.text)
        self.assertNotIn('宜 春', result.text)

    def test_doc_and_wps(self):
        "A .doc, and the same format named .wps, go through LibreOffice"
        names = ['notice.doc', 'notice.wps']
        # At the same time: each LibreOffice has a profile of its own
        with ThreadPoolExecutor(len(names)) as executor:
            results = list(executor.map(self.extract, names))
        for name, result in zip(names, results):
            with self.subTest(name=name):
                self.assertEqual((result.error, result.method),
                    (None, 'soffice'))
                self.assertIn(TITLE, result.text)
                self.assertIn(BODY, result.text)
                self.assertTable(result.text)

    def test_ofd(self):
        "An OFD gives the TextCode of its pages, one character a object"
        result = self.extract('notice.ofd')
        self.assertEqual((result.error, result.method, result.pages),
            (None, 'ofd', 2))
        lines = result.text.splitlines()
        self.assertEqual(lines[0], TITLE)
        self.assertEqual(lines[1], BODY)
        self.assertEqual(lines[2:], ['%s %s' % row for row in TABLE])

    def test_text(self):
        "A GB18030 text file is decoded"
        result = self.extract('notes.txt')
        self.assertEqual((result.error, result.text),
            (None, '会议纪要：请各单位 按时参会。'))

    def test_image_ocr(self):
        "A scanned page in PNG is read by tesseract"
        if not self.ocr:
            self.skipTest('tesseract with chi_sim is not installed')
        result = self.extract('scan.png')
        self.assertEqual((result.error, result.method, result.pages),
            (None, 'ocr', 1))
        self.assertIn('宜春市', result.text)
        self.assertIn('人民政府', result.text)
        self.assertIn('2026', result.text)

    def test_scanned_pdf(self):
        "A PDF without a text layer is rendered and read by tesseract"
        if not self.ocr:
            self.skipTest('tesseract with chi_sim is not installed')
        result = self.extract('scan.pdf')
        self.assertEqual((result.error, result.method, result.pages),
            (None, 'pdf+ocr', 1))
        self.assertIn('宜春市', result.text)
        self.assertIn('公文编号', result.text)

    def test_scanned_pdf_embedded_image(self):
        "Without PDFium the image a scanner put in the page is read"
        if not self.ocr:
            self.skipTest('tesseract with chi_sim is not installed')
        from pdfminer.high_level import extract_pages
        from pdfminer.layout import LTFigure, LTImage
        page, = extract_pages(self.sample('scan.pdf'))
        images = [i for f in page if isinstance(f, LTFigure)
            for i in f if isinstance(i, LTImage)]
        found = list(ocr._embedded_images({0: images}, self.folder,
                lambda: 60))
        self.assertEqual(len(found), 1)
        number, image = found[0]
        self.assertIn('人民政府', ocr.recognise(image, 60))

    def test_max_chars(self):
        "At most max_chars characters are kept, from the start"
        result = self.extract('long.docx', max_chars=1000)
        self.assertEqual(result.error, None)
        self.assertLessEqual(len(result.text), 1000)
        self.assertGreater(len(result.text), 900)
        self.assertTrue(result.text.startswith(TITLE))

    def test_normalise(self):
        "Whitespace is normalised, full-width punctuation kept"
        self.assertEqual(
            normalise('\u3000\u3000宜春市，\t 袁州区！\r\n\r\n\n'
                'Word\xa0 文档\u200b “公文”\x00\f第2页'),
            '宜春市， 袁州区！\nWord 文档 “公文”\n第2页')
        # What OCR gives: a space between Chinese characters, not words
        self.assertEqual(close_cjk_gaps('宜 春 市 Word 文 档，OK'),
            '宜春市 Word 文档，OK')

    # Hostile or broken files

    def test_empty(self):
        self.assertEqual(self.extract('empty.pdf').error, 'no_text')

    def test_not_what_the_name_says(self):
        "A program or a plain zip named .pdf is refused as unsupported"
        for name in ['program.pdf', 'archive.pdf']:
            with self.subTest(name=name):
                self.assertEqual(self.extract(name).error, 'unsupported')

    def test_corrupt_pdf(self):
        for name in ['garbage.pdf', 'corrupt.pdf']:
            with self.subTest(name=name):
                self.assertEqual(self.extract(name).error, 'corrupt')

    def test_encrypted_pdf(self):
        "A PDF that needs a password to open is reported encrypted"
        result = self.extract('encrypted.pdf')
        self.assertEqual((result.error, result.text), ('encrypted', ''))

    def test_zip_bomb(self):
        "An OFD that would inflate to 300 MB is refused before inflating"
        started = time.monotonic()
        self.assertEqual(self.extract('bomb.ofd').error, 'too_large')
        self.assertLess(time.monotonic() - started, 2)

    def test_lying_zip(self):
        "A member larger than its zip index says is not read past it"
        self.assertEqual(self.extract('lying.ofd').error, 'corrupt')

    def test_entity_bomb(self):
        "XML entities are not expanded: a DTD in an OFD is refused"
        started = time.monotonic()
        result = self.extract('entities.ofd')
        self.assertEqual((result.error, result.text), ('corrupt', ''))
        self.assertLess(time.monotonic() - started, 2)

    def test_entity_bomb_docx(self):
        "A billion laughs in a .docx is refused by libxml2's own bound"
        started = time.monotonic()
        result = self.extract('entities.docx')
        self.assertEqual((result.error, result.text), ('corrupt', ''))
        self.assertLess(time.monotonic() - started, 2)

    def test_flate_bomb(self):
        "A PDF stream of 400 MB hits the memory limit, not the worker"
        result = self.extract('flate-bomb.pdf', memory=256 * 1024 ** 2)
        self.assertEqual(result.error, 'too_large')
        # Without the memory bound, the time bound stops it
        result = self.extract('flate-bomb.pdf', timeout=2)
        self.assertIn(result.error, {'too_large', 'timeout', 'no_text'})

    def test_pixel_bomb(self):
        "An image of 900 M pixels is refused before it is decoded"
        self.assertEqual(self.extract('pixels.png').error, 'too_large')

    def test_too_large_path(self):
        "A 200 MB file is refused from its size, unread"
        started = time.monotonic()
        self.assertEqual(self.extract('huge.pdf').error, 'too_large')
        self.assertLess(time.monotonic() - started, 0.5)

    def test_too_large_stream(self):
        "A 200 MB stream is read in chunks and refused past max_bytes"
        tracemalloc.start()
        try:
            result = extract_text(ZeroStream(200 * 1024 ** 2), 'big.pdf')
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(result.error, 'too_large')
        self.assertLess(peak, 8 * 1024 ** 2)
        self.assertEqual(MAX_BYTES, 50 * 1024 ** 2)

    def test_timeout(self):
        "A conversion past its timeout is killed with its helpers"
        self.sample('notice.doc')
        started = time.monotonic()
        result = extract_text(self.samples['notice.doc'], 'notice.doc',
            timeout=0.5)
        self.assertEqual(result.error, 'timeout')
        self.assertLess(time.monotonic() - started, 0.5 + SLACK)
        time.sleep(0.2)
        self.assertEqual(self.running('egov-extract-'), [])

    @staticmethod
    def running(word):
        found = []
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as file:
                    if word.encode() in file.read():
                        found.append(pid)
            except OSError:
                pass
        return found
