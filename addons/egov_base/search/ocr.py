"""OCR of scanned images and image-only PDF pages with tesseract.

Runs only in the extraction child (see extract.py), under its limits.
"""
import os
import warnings

LANGUAGES = 'chi_sim+eng'
# Chinese body text (小四, 12 pt) is about 33 pixels high at 200 dpi, which
# tesseract reads well; 300 dpi costs twice the time for little gain
DPI = 200
MAX_PIXELS = 40_000_000  # one page or image; an A4 page at 600 dpi is 35 M


class Refused(Exception):
    "As extract.Refused, which this module cannot import in the child"


class OCRUnavailable(Exception):
    pass


def recognise(image, timeout):
    "Return the text of a Pillow image"
    import pytesseract
    if image.mode not in {'L', 'RGB', '1'}:
        image = image.convert('RGB')
    try:
        return pytesseract.image_to_string(
            image, lang=LANGUAGES, timeout=max(1, timeout))
    except pytesseract.TesseractNotFoundError as exception:
        raise OCRUnavailable('tesseract is not installed') from exception
    except pytesseract.TesseractError as exception:
        if 'language' in str(exception).lower():
            raise OCRUnavailable(
                'tesseract lacks %s' % LANGUAGES) from exception
        raise
    except RuntimeError as exception:
        # pytesseract signals its timeout so
        if 'timeout' in str(exception).lower():
            raise Refused('timeout')
        raise


def _open(path):
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        # Above MAX_PIXELS Pillow only warns; above twice it refuses
        warnings.simplefilter('error', Image.DecompressionBombWarning)
        return Image.open(path)


def image_frames(path):
    "Yield each frame (TIFF page) of an image file, bounded in pixels"
    from PIL import Image, ImageSequence
    try:
        image = _open(path)
        for frame in ImageSequence.Iterator(image):
            if frame.width * frame.height > MAX_PIXELS:
                raise Image.DecompressionBombError(frame.size)
            frame.load()
            yield frame
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused('too_large')
    except (OSError, SyntaxError, ValueError) as exception:
        raise Refused('corrupt') from exception


def pdf_page_images(path, scanned, workdir, remaining):
    """Yield (page number, image) for the scanned pages of a PDF.

    scanned maps page numbers to pdfminer's LTImage of the page.
    PDFium renders the page as it is printed; without it, the images
    embedded in the page are read, which is what a scanner writes.
    """
    try:
        import pypdfium2
    except ImportError:
        pypdfium2 = None
    if pypdfium2 is not None:
        yield from _render_pages(pypdfium2, path, sorted(scanned), remaining)
    else:
        yield from _embedded_images(scanned, workdir, remaining)


def _render_pages(pypdfium2, path, numbers, remaining):
    document = pypdfium2.PdfDocument(path)
    try:
        for number in numbers:
            remaining()
            page = document[number]
            width, height = page.get_size()
            scale = DPI / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width * height)) ** 0.5
            yield number, page.render(scale=scale, grayscale=True).to_pil()
            page.close()
    finally:
        document.close()


def _embedded_images(scanned, workdir, remaining):
    from pdfminer.image import ImageWriter
    from PIL import Image
    folder = os.path.join(workdir, 'images')
    os.makedirs(folder, exist_ok=True)
    writer = ImageWriter(folder)
    for number in sorted(scanned):
        for lt_image in scanned[number]:
            remaining()
            width, height = lt_image.srcsize
            if (width or 0) * (height or 0) > MAX_PIXELS:
                continue
            try:
                name = writer.export_image(lt_image)
                image = _open(os.path.join(folder, name))
                image.load()
            except (OSError, SyntaxError, ValueError, KeyError, TypeError,
                    Image.DecompressionBombError,
                    Image.DecompressionBombWarning):
                # JBIG2 and unusual colour spaces: nothing to read here
                continue
            yield number, image
