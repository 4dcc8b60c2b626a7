"""The images of the codes and their reading.

PDF417 (pdf417gen): security level 4 (ISO/IEC 15438 advises it for 161 to
320 data codewords, where a long title takes the payload) and 8 columns:
about 52 mm wide and 15-30 mm high with a module of 0.254 mm (3 dots at
300 dpi), readable by phones and desk scanners, and fitting the 版头 beside
the 份号 and 密级. QR (qrcode): level M, 4 modules of quiet zone.

Reading (zxing-cpp, which also reads PDF417; zbar does not): a photo is
bounded before its pixels are decoded (bytes, format, pixels), then
reduced to at most 2,000 pixels on its long side in grey."""
import io

import pdf417gen
import qrcode
import zxingcpp
from PIL import Image, UnidentifiedImageError

DPI = 300
MODULE_DOTS = 3
PDF417_COLUMNS = 8
PDF417_LEVEL = 4
QR_BOX = 6
QR_MM = 20
# Bounds of a picture to read: a phone photo is 2-6 MB and 12-50 MP
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000
READ_SIDE = 2000
FORMATS = {'JPEG', 'PNG', 'WEBP', 'BMP', 'GIF', 'TIFF'}


class ImageRefused(ValueError):
    "reason: not_image, too_big (with size and limit)"

    def __init__(self, reason, **values):
        super().__init__(reason)
        self.reason = reason
        self.values = values


def _png(image):
    out = io.BytesIO()
    image.save(out, format='PNG', dpi=(DPI, DPI))
    return out.getvalue()


def pdf417_png(payload):
    "(PNG bytes, width in mm) of the PDF417 of payload (bytes)"
    codes = pdf417gen.encode(payload, columns=PDF417_COLUMNS,
        security_level=PDF417_LEVEL)
    # Quiet zone of 2 modules each side (ISO/IEC 15438 5.8)
    image = pdf417gen.render_image(codes, scale=MODULE_DOTS, ratio=3,
        padding=2 * MODULE_DOTS)
    return _png(image.convert('1')), image.width * 25.4 / DPI


def qr_png(text):
    "(PNG bytes, width in mm) of the QR code of text"
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=QR_BOX, border=4)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image().get_image()
    return _png(image), QR_MM


def open_image(data):
    "The picture of data, bounded, in grey; ImageRefused"
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused('too_big', size=len(data),
            limit=MAX_IMAGE_BYTES)
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError,
            Image.DecompressionBombError):
        raise ImageRefused('not_image')
    if image.format not in FORMATS:
        raise ImageRefused('not_image')
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRefused('too_big', size=width * height,
            limit=MAX_PIXELS)
    try:
        if image.format == 'JPEG':
            # The decoder scales down while reading (much faster)
            image.draft('L', (READ_SIDE, READ_SIDE))
        image = image.convert('L')
        if max(image.size) > READ_SIDE:
            image.thumbnail((READ_SIDE, READ_SIDE))
    except (OSError, ValueError, SyntaxError):
        raise ImageRefused('not_image')
    return image


def read(data):
    """The contents of the PDF417 and QR codes in the picture data: a list
    of bytes (PDF417, its own encoding) or str (QR); ImageRefused"""
    image = open_image(data)
    found = zxingcpp.read_barcodes(image, formats=(
            zxingcpp.BarcodeFormat.PDF417, zxingcpp.BarcodeFormat.QRCode))
    result = []
    for code in found:
        if code.format == zxingcpp.BarcodeFormat.PDF417:
            result.append(bytes(code.bytes))
        else:
            result.append(code.text)
    return result
