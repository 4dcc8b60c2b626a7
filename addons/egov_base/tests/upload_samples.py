"""Real files for the upload guard's tests, good and hostile, built in code:
nothing is downloaded, no file of the repository is needed."""
import atexit
import functools
import io
import os
import struct
import tempfile
import zipfile
import zlib

MB = 1024 * 1024


def docx(text='关于做好2026年防汛工作的通知'):
    "A .docx written by python-docx"
    import docx as python_docx
    document = python_docx.Document()
    document.add_paragraph(text)
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


def replace_part(package, part, content):
    "The zip package with one part replaced"
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                data = content
            target.writestr(info.filename, data)
    return out.getvalue()


def docx_xxe():
    "A .docx whose body pulls /etc/passwd through an external entity"
    return replace_part(docx(), 'word/document.xml', (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM '
            b'"file:///etc/passwd">]>\n'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;'
            b'</w:t></w:r></w:p></w:body></w:document>'))


def docx_billion_laughs():
    "A .docx whose [Content_Types].xml is a billion laughs"
    entities = [b'<!ENTITY lol "lol">']
    for level in range(1, 10):
        entities.append(b'<!ENTITY lol%d "%s">' % (
                level, b''.join(b'&lol%s;' % (
                            b'' if level == 1 else b'%d' % (level - 1))
                        for _ in range(10))))
    return replace_part(docx(), '[Content_Types].xml', (
            b'<?xml version="1.0"?>\n<!DOCTYPE Types [' + b''.join(entities)
            + b']>\n<Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types">&lol9;</Types>'))


def docx_utf16_doctype():
    "The same attack with the part in UTF-16, which a byte search misses"
    return replace_part(docx(), 'word/document.xml', (
            '<?xml version="1.0" encoding="UTF-16"?>\n'
            '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<d>&x;</d>').encode('utf-16'))


def xlsx():
    import openpyxl
    workbook = openpyxl.Workbook()
    workbook.active['A1'] = '单位名称'
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def ofd():
    "The smallest OFD package (GB/T 33190): OFD.xml and one document"
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as package:
        package.writestr('OFD.xml', (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
                'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocRoot>'
                'Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'
                ).encode('utf-8'))
        package.writestr('Doc_0/Document.xml', (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016">'
                '<ofd:Pages/></ofd:Document>').encode('utf-8'))
    return out.getvalue()


def pdf(objects=None, trailer=b''):
    """A PDF with a right cross-reference table; objects are the bodies
    of objects 1…n (the default: one empty page)"""
    if objects is None:
        objects = [
            b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
            ]
    out = bytearray(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n%s\nendobj\n' % (number, body)
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    for offset in offsets:
        out += b'%010d 00000 n \n' % offset
    out += (b'trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n'
        % (len(objects) + 1, trailer, xref))
    return bytes(out)


def pdf_javascript():
    "A PDF that runs JavaScript when opened"
    return pdf([
            b'<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
            b'<< /S /JavaScript /JS (app.alert\\("hi"\\)) >>',
            ])


def pdf_launch_escaped():
    "A PDF launching a program, its name written /L#61unch"
    return pdf([
            b'<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
            b'<< /S /L#61unch /F (cmd.exe) >>',
            ])


def pdf_javascript_in_object_stream():
    "The JavaScript action compressed inside an object stream"
    hidden = b'<< /S /JavaScript /JS (app.alert\\(1\\)) >>'
    index = b'4 0 '
    content = zlib.compress(index + hidden)
    return pdf([
            b'<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
            b'<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode '
            b'/Length %d >>\nstream\n%s\nendstream' % (
                len(index), len(content), content),
            ])


def pdf_encrypted():
    "A PDF whose trailer names an encryption dictionary"
    return pdf([
            b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
            b'<< /Filter /Standard /V 2 /R 3 /Length 128 /P -44 '
            b'/O <00> /U <00> >>',
            ], trailer=b'/Encrypt 4 0 R ')


def png(size=(40, 30)):
    from PIL import Image
    data = io.BytesIO()
    Image.new('RGB', size, (200, 30, 30)).save(data, 'PNG')
    return data.getvalue()


def jpeg():
    from PIL import Image
    data = io.BytesIO()
    Image.new('RGB', (40, 30), (30, 30, 200)).save(data, 'JPEG')
    return data.getvalue()


def png_huge_dimensions():
    "A few hundred bytes that declare a 50,000 × 50,000 image"
    data = bytearray(png((1, 1)))
    data[16:24] = struct.pack('>II', 50_000, 50_000)
    data[29:33] = struct.pack('>I', zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def ole():
    """The header of a compound file, as Word 97–2003 and WPS write it
    (.doc, .wps, .et), with an empty directory"""
    header = bytearray(512)
    header[0:8] = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
    header[24:26] = struct.pack('<H', 0x3E)
    header[26:28] = struct.pack('<H', 3)
    header[28:30] = b'\xfe\xff'
    header[30:32] = struct.pack('<H', 9)
    header[32:34] = struct.pack('<H', 6)
    return bytes(header) + bytes(1024)


def exe():
    "A Windows program (MZ … PE)"
    header = bytearray(b'MZ' + bytes(0x3E))
    header += struct.pack('<I', 0x80)
    header += bytes(0x80 - len(header)) + b'PE\x00\x00' + bytes(200)
    return bytes(header)


def gb18030_text():
    return ('宜春市人民政府办公室\r\n关于印发《宜春市防汛应急预案》的通知\r\n'
        '各县（市、区）人民政府：\r\n').encode('gb18030')


@functools.lru_cache(maxsize=None)
def zip_bomb_path():
    """A zip of one entry of 2 GB of zeros (about 9 MB), streamed to a file
    once per test run: never 2 GB in memory"""
    handle, path = tempfile.mkstemp(prefix='egov-bomb-', suffix='.zip')
    os.close(handle)
    atexit.register(os.unlink, path)
    chunk = bytes(MB)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED,
            compresslevel=1) as archive:
        with archive.open('word/document.xml', 'w',
                force_zip64=True) as member:
            for _ in range(2048):
                member.write(chunk)
    return path


def zip_bomb():
    with open(zip_bomb_path(), 'rb') as file:
        return file.read()


def lying_bomb():
    """100 MB of zeros behind directories that declare 1 KB: zipfile reads
    what is declared, and the CRC tells the lie"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as archive:
        with archive.open('payload.txt', 'w') as member:
            for _ in range(100):
                member.write(bytes(MB))
    data = bytearray(out.getvalue())
    real = struct.pack('<I', 100 * MB)
    # Local header: uncompressed size at 22; central directory: at 24
    local = data.find(b'PK\x03\x04')
    if data[local + 22:local + 26] == real:
        data[local + 22:local + 26] = struct.pack('<I', 1024)
    central = data.find(b'PK\x01\x02')
    data[central + 24:central + 28] = struct.pack('<I', 1024)
    return bytes(data)


def many_entries(count):
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as archive:
        for number in range(count):
            archive.writestr('f%d' % number, b'')
    return out.getvalue()


def nested_zip(levels=3, copies=16, inner=10 * MB):
    """42.zip in small: each level holds copies of the level below, the
    innermost entries inflate to inner bytes of zeros each"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as archive:
        with archive.open('0.txt', 'w') as member:
            member.write(bytes(inner))
    level = out.getvalue()
    for _ in range(levels):
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as archive:
            for number in range(copies):
                archive.writestr('lib %d.zip' % number, level)
        level = out.getvalue()
    return level


def plain_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr('通知.txt', '会议通知'.encode('utf-8'))
        archive.writestr('名单.docx', docx('参会名单'))
    return out.getvalue()


def ratio_bomb():
    """A .docx whose body is 10 MB of zeros packed a thousand times: small
    in total, but no document packs like that"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED,
            compresslevel=9) as archive:
        archive.writestr('[Content_Types].xml', b'<?xml version="1.0"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"/>')
        archive.writestr('word/document.xml', bytes(10 * MB))
    return out.getvalue()
