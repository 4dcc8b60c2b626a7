"""The PDF of a rendered 发文, its 版记 checked where LibreOffice put it.

The .docx places the 版记 from a count of grid lines; LibreOffice (like
Word) compresses punctuation and may end the text a line earlier or later.
The PDF shows where the 成文日期 really fell: when the 版记 is not at the
foot of an even last page, the document is rendered again from there."""
import io

from . import gbt9704
from .convert import to_pdf

PT_PER_MM = 72 / 25.4


def render_pdf(sheet):
    "Return the PDF (bytes) of sheet (gbt9704.Sheet)"
    first = gbt9704.render(sheet)
    pdf = to_pdf(first, 'docx')
    if not sheet.get('date'):
        return pdf
    placed, end = imprint_place(pdf, sheet)
    if placed or end is None:
        return pdf
    again = gbt9704.render(gbt9704.Sheet(sheet, imprint_after=end))
    if _text_of(again) == _text_of(first):
        # The line count was right: LibreOffice would lay it out the same
        return pdf
    return to_pdf(again, 'docx')


def _text_of(data):
    "The main part of a .docx (its zip's dates aside)"
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read('word/document.xml')


def _line(page, box):
    "The grid line (1 to 22) of a character box on page"
    height = page.get_size()[1]
    pitch = gbt9704.LINE_PITCH / 20
    return round((height - box[1] - gbt9704.MARGIN_TOP * PT_PER_MM)
        / pitch)


def _find(textpage, text):
    searcher = textpage.search(text)
    try:
        found = searcher.get_next()
    finally:
        searcher.close()
    return found


def imprint_place(pdf, sheet):
    """Return whether the 版记 stands at the foot of an even last page,
    and (page, lines used) where the signature block ended"""
    import pypdfium2
    date = gbt9704.chinese_date(sheet['date'])
    issued = '印发'
    reader = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        pages = len(reader)
        end = None
        imprint = None
        for number in range(pages):
            page = reader[number]
            textpage = page.get_textpage()
            try:
                if end is None:
                    found = _find(textpage, date)
                    if found:
                        box = textpage.get_charbox(found[0])
                        used = _line(page, box) + (
                            1 if sheet.get('note') else 0)
                        end = (number + 1, min(used, gbt9704.LINES))
                found = _find(textpage, issued)
                if found and end is not None:
                    imprint = (number + 1, _line(
                            page, textpage.get_charbox(found[0])))
            finally:
                textpage.close()
                page.close()
    finally:
        reader.close()
    placed = (imprint is not None and pages % 2 == 0
        and imprint[0] == pages
        and imprint[1] >= gbt9704.LINES - gbt9704.IMPRINT_LINES)
    return placed, end
