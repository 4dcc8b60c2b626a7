"""Sample attachments for the extraction tests, built at test time.

Good files as offices send them (.docx, a PDF and a .doc made from it by
LibreOffice, an OFD, scans rendered with a Chinese font) and hostile ones.
"""
import io
import os
import shutil
import subprocess
import zipfile
import zlib

TITLE = '关于做好宜春市智慧办公平台推广工作的通知'
BODY = ('各县（市、区）人民政府，市政府各部门：为贯彻落实数字政府建设要求，'
    '现将有关事项通知如下。请于2026年12月31日前报送“推广情况表”！')
TABLE = [('单位名称', '联系人'), ('袁州区教育局', '曾晓明')]
HEADER = '宜春市人民政府办公室文件'
# Large and clear, so that tesseract reads them every time
SCAN_LINES = ['宜春市人民政府', '公文编号 2026 第18号']

OFD_NS = 'http://www.ofdspec.org/2016'


def soffice():
    return shutil.which('soffice') or shutil.which('libreoffice')


def cjk_font():
    "Path and index of a Simplified Chinese Noto font, or None"
    try:
        out = subprocess.run(
            ['fc-list', ':lang=zh', 'file', 'index', 'family'],
            capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(out.splitlines()):
        # /path/NotoSansCJK-Regular.ttc: Noto Sans CJK SC,...:index=2
        if 'CJK SC' in line and 'Sans' in line and 'Bold' not in line:
            path, _, rest = line.partition(':')
            index = rest.rpartition('index=')[2]
            return path, int(index or 0)


def build(folder):
    "Write every sample into folder and return {name: path}"
    samples = {}

    def put(name, data):
        path = os.path.join(folder, name)
        with open(path, 'wb') as file:
            file.write(data)
        samples[name] = path
        return path

    put('notice.docx', docx_bytes())
    put('long.docx', docx_bytes(paragraphs=400))
    put('notice.ofd', ofd_bytes())
    put('entities.docx', entity_bomb_docx())
    put('empty.pdf', b'')
    # A PDF header, then noise where objects should be
    put('garbage.pdf', b'%PDF-1.7\n' + bytes(
            (i * 7919) % 251 for i in range(20000)))
    put('program.pdf', b'MZ\x90\x00\x03' + bytes(2000))
    put('archive.pdf', zip_bytes({'readme.txt': '说明'.encode()}))
    put('bomb.ofd', zip_bomb_ofd())
    put('entities.ofd', entity_bomb_ofd())
    put('lying.ofd', lying_zip_ofd())
    put('flate-bomb.pdf', flate_bomb_pdf())
    put('notes.txt', '会议纪要：请各单位\u3000按时参会。'.encode('gb18030'))
    huge = os.path.join(folder, 'huge.pdf')
    with open(huge, 'wb') as file:
        # Sparse: 200 MB that take no disk and no memory
        file.write(b'%PDF-1.7\n')
        file.truncate(200 * 1024 * 1024)
    samples['huge.pdf'] = huge

    font = cjk_font()
    if font:
        scan = scan_image(font)
        png = io.BytesIO()
        scan.save(png, 'PNG')
        put('scan.png', png.getvalue())
        pdf = io.BytesIO()
        scan.convert('L').save(pdf, 'PDF', resolution=150)
        put('scan.pdf', pdf.getvalue())
        put('pixels.png', pixel_bomb_png())

    office = soffice()
    if office:
        convert(office, folder, samples)
    return samples


def docx_bytes(paragraphs=0):
    import docx
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = HEADER
    document.add_heading(TITLE, level=1)
    document.add_paragraph(BODY)
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for row, values in zip(table.rows, TABLE):
        for cell, value in zip(row.cells, values):
            cell.text = value
    for i in range(paragraphs):
        document.add_paragraph('第%d段：%s' % (i + 1, BODY))
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


def zip_bytes(members):
    data = io.BytesIO()
    with zipfile.ZipFile(data, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return data.getvalue()


def _ofd_members(pages):
    "An OFD (GB/T 33190) whose pages hold the given TextObject XML"
    ofd = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:OFD xmlns:ofd="%s" Version="1.0" DocType="OFD">'
        '<ofd:DocBody><ofd:DocInfo><ofd:DocID>0001</ofd:DocID>'
        '<ofd:Title>%s</ofd:Title></ofd:DocInfo>'
        '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody>'
        '</ofd:OFD>' % (OFD_NS, TITLE))
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:Document xmlns:ofd="%s"><ofd:CommonData><ofd:MaxUnitID>99'
        '</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297'
        '</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>%s'
        '</ofd:Pages></ofd:Document>' % (OFD_NS, ''.join(
            '<ofd:Page ID="%d" BaseLoc="Pages/Page_%d/Content.xml"/>'
            % (i + 1, i) for i in range(len(pages)))))
    members = {'OFD.xml': ofd, 'Doc_0/Document.xml': document}
    for i, objects in enumerate(pages):
        members['Doc_0/Pages/Page_%d/Content.xml' % i] = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ofd:Page xmlns:ofd="%s"><ofd:Content><ofd:Layer ID="%d">%s'
            '</ofd:Layer></ofd:Content></ofd:Page>' % (OFD_NS, 50 + i, objects))
    return members


def _text_object(x, y, text, size=5):
    return ('<ofd:TextObject ID="1" Boundary="%s %s 180 %s" Font="3" '
        'Size="%s"><ofd:TextCode X="0" Y="%s">%s</ofd:TextCode>'
        '</ofd:TextObject>' % (x, y, size * 1.5, size, size, text))


def ofd_bytes():
    # Page 1 as some writers do it: one text object per character
    title = ''.join(_text_object(20 + 6 * i, 30, c)
        for i, c in enumerate(TITLE))
    page1 = title + _text_object(20, 45, BODY)
    page2 = ''.join(_text_object(20, 30 + 10 * i, '%s %s' % row)
        for i, row in enumerate(TABLE))
    return zip_bytes(_ofd_members([page1, page2]))


def zip_bomb_ofd():
    "A valid OFD whose page inflates to 300 MB from a few hundred kB"
    data = io.BytesIO()
    members = _ofd_members([_text_object(20, 30, TITLE)])
    with zipfile.ZipFile(data, 'w', zipfile.ZIP_DEFLATED,
            compresslevel=1) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        with archive.open('Doc_0/Pages/Page_1/Content.xml', 'w',
                force_zip64=True) as member:
            chunk = b' ' * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    return data.getvalue()


def entity_bomb_ofd():
    "Billion laughs in the page: a parser that expands it needs gigabytes"
    members = _ofd_members([''])
    page = members['Doc_0/Pages/Page_0/Content.xml']
    members['Doc_0/Pages/Page_0/Content.xml'] = page.replace(
        '<ofd:Page ', _billion_laughs('ofd:Page') + '<ofd:Page ').replace('</ofd:Layer>',
        _text_object(20, 30, '&lol9;') + '</ofd:Layer>')
    return zip_bytes(members)


def _billion_laughs(root):
    "A DOCTYPE whose entity lol9 expands to 10⁹ times 宜春"
    entities = ['<!ENTITY lol0 "宜春宜春宜春宜春宜春宜春宜春宜春宜春宜春">'] + [
        '<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1)) * 10)
        for i in range(1, 10)]
    return '<!DOCTYPE %s [%s]>' % (root, ''.join(entities))


def entity_bomb_docx():
    "A .docx whose body holds a billion laughs"
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    members = {n: source.read(n) for n in source.namelist()}
    body = members['word/document.xml'].decode()
    start = body.index('<w:document')
    members['word/document.xml'] = (body[:start]
        + _billion_laughs('w:document') + body[start:]).replace(
        '</w:body>', '<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>')
    return zip_bytes(members)


def lying_zip_ofd():
    "A page that says it is 1 kB in the zip index but inflates to 20 MB"
    members = _ofd_members([_text_object(20, 30, TITLE)])
    data = zip_bytes(members | {
            'Doc_0/Pages/Page_0/Content.xml': ' ' * (20 * 1024 * 1024)})
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo('Doc_0/Pages/Page_0/Content.xml')
    real = info.file_size.to_bytes(4, 'little')
    forged = (1024).to_bytes(4, 'little')
    # The uncompressed size sits after the CRC and the compressed size in
    # both the local header and the central directory
    marker = (info.CRC.to_bytes(4, 'little')
        + info.compress_size.to_bytes(4, 'little') + real)
    assert data.count(marker) == 2
    return data.replace(marker, marker[:8] + forged)


def flate_bomb_pdf():
    "A one-page PDF whose content stream inflates to 400 MB"
    compressor = zlib.compressobj(1)
    chunk = b' ' * (1024 * 1024)
    stream = b''.join(compressor.compress(chunk) for _ in range(400))
    stream += compressor.flush()
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
        b'/Contents 4 0 R >>',
        b'<< /Length %d /Filter /FlateDecode >>\nstream\n' % len(stream)
        + stream + b'\nendstream',
        ]
    out = io.BytesIO()
    out.write(b'%PDF-1.4\n')
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b'%d 0 obj\n' % number + body + b'\nendobj\n')
    xref = out.tell()
    out.write(b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1))
    for offset in offsets:
        out.write(b'%010d 00000 n \n' % offset)
    out.write(b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n'
        % (len(objects) + 1, xref))
    return out.getvalue()


def scan_image(font):
    "A page as a scanner gives it: black text on white, 150 dpi"
    from PIL import Image, ImageDraw, ImageFont
    face = ImageFont.truetype(font[0], 64, index=font[1])
    image = Image.new('RGB', (1240, 600), 'white')
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(SCAN_LINES):
        draw.text((100, 100 + 180 * i), line, font=face, fill='black')
    return image


def pixel_bomb_png(side=30000):
    "A white 30,000 × 30,000 1-bit PNG of 100 kB: 900 M pixels decoded"
    import struct

    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body
            + struct.pack('>I', zlib.crc32(kind + body)))
    compressor = zlib.compressobj(9)
    row = b'\x00' + b'\xff' * (side // 8)
    pixels = b''.join(compressor.compress(row) for _ in range(side))
    pixels += compressor.flush()
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', side, side, 1, 0, 0, 0, 0))
        + chunk(b'IDAT', pixels) + chunk(b'IEND', b''))


def convert(office, folder, samples):
    "Make the PDF, the .doc and an encrypted PDF from the .docx, once"
    from ..search.extract import soffice_profile
    lock, profile = soffice_profile()
    source = samples['notice.docx']
    encrypt = ('{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"mima2026"}}')
    try:
        for target, folder_name in [
                ('pdf', 'pdf'), ('doc', 'doc'),
                ('pdf:writer_pdf_Export:' + encrypt, 'encrypted')]:
            out = os.path.join(folder, folder_name)
            subprocess.run([office, '--headless', '--norestore',
                    '-env:UserInstallation=file://' + profile,
                    '--convert-to', target, '--outdir', out, source],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, timeout=120, check=True)
    finally:
        lock.close()
    samples['notice.pdf'] = os.path.join(folder, 'pdf', 'notice.pdf')
    samples['notice.doc'] = os.path.join(folder, 'doc', 'notice.doc')
    samples['encrypted.pdf'] = os.path.join(folder, 'encrypted', 'notice.pdf')
    # Kingsoft WPS writes the Word 97 format under its own extension
    wps = os.path.join(folder, 'notice.wps')
    shutil.copy(samples['notice.doc'], wps)
    samples['notice.wps'] = wps
    with open(samples['notice.pdf'], 'rb') as file:
        pdf = file.read()
    # Cut in the middle of the page objects and the cross-reference table
    path = os.path.join(folder, 'corrupt.pdf')
    with open(path, 'wb') as file:
        file.write(pdf[:len(pdf) // 3] + bytes(range(256)) * 8)
    samples['corrupt.pdf'] = path
