"""Word files for the version tests: plain .docx made with python-docx, one
with tracked changes (w:ins, w:del, w:moveFrom, w:moveTo) as Word writes
them, and the bad ones (macros, encrypted, not Word at all)."""
import io
import zipfile

import docx
from docx.oxml.ns import qn
from lxml import etree

W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'


def docx_bytes(*paragraphs):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _run(tag, text):
    run = etree.SubElement(etree.Element('dummy'), qn('w:r'))
    node = etree.SubElement(run, qn(tag))
    node.text = text
    node.set('{http://www.w3.org/XML/1998/namespace}space', 'preserve')
    return run


def _change(tag, author, date, run):
    change = etree.Element(qn(tag))
    change.set(qn('w:id'), str(id(run) % 10000))
    change.set(qn('w:author'), author)
    change.set(qn('w:date'), date)
    change.append(run)
    return change


def tracked_docx():
    """A 正文 revised by two people: 朱婷 inserted and deleted, 宋涛 moved
    a sentence"""
    document = docx.Document()
    document.add_paragraph('各学校：')
    second = document.add_paragraph('请于3月底前完成')
    second._p.append(_change('w:ins', '朱婷', '2026-12-01T09:30:00Z',
            _run('w:t', '校园安全')))
    second._p.append(_change('w:del', '朱婷', '2026-12-01T09:31:00Z',
            _run('w:delText', '卫生')))
    second._p.append(_run('w:t', '自查。'))
    third = document.add_paragraph('')
    third._p.append(_change('w:moveFrom', '宋涛', '2026-12-02T15:00:00Z',
            _run('w:t', '报送联系人：胡军。')))
    fourth = document.add_paragraph('')
    fourth._p.append(_change('w:moveTo', '宋涛', '2026-12-02T15:00:00Z',
            _run('w:t', '报送联系人：胡军。')))
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def macro_docx():
    "A .docm renamed .docx: VBA inside"
    data = docx_bytes('宏')
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(
            stream, 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr('word/vbaProject.bin', b'\xd0\xcf\x11\xe0' + b'\0' * 60)
    return stream.getvalue()


def encrypted_docx():
    "A password-protected Word file: an OLE container around the package"
    header = bytearray(512)
    header[:8] = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
    header[28:30] = b'\xfe\xff'
    header[30:32] = (9).to_bytes(2, 'little')
    return bytes(header) + 'EncryptedPackage'.encode('utf-16-le') + b'\0' * 512
