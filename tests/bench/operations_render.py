"""Benchmark operations of GB/T 9704 rendering (issue 15, item 2).

render_docx          a 5-page 发文 (版头, title, 主送, 正文, 附件说明,
                     署名 and date, 版记, page numbers) laid out to .docx
                     by python-docx; target < 300 ms
render_pdf           the signed PDF of the same sheet (pdf.render_pdf: the
                     .docx, LibreOffice headless, one process a
                     conversion, its profile reused, and the 版记 check);
                     target < 3 s; the first (cold) call apart
render_format_check  the layout check of a 5-page uploaded body whose
                     every paragraph departs (14 pt 宋体, wrong margins),
                     then the one-click fix

The rendering needs no data of the benchmark database; the check runs in a
transaction of it for the Chinese messages (egov_document activated)."""
import datetime
import io
import math
import time

from harness import summary, timed
from operations import operation, rounds

PARAGRAPH = ('各地各部门要切实提高政治站位，把校园安全工作摆在突出位置，'
    '健全责任体系，完善工作机制，强化督促检查，确保各项措施落到实处，'
    '切实保障广大师生生命财产安全和校园秩序稳定。')
HEADINGS = ['一、总体要求', '（一）压实工作责任。', '1.开展全面排查。']
PAGES = 5


def sheet():
    "A 发文 of five pages on the 22-line grid"
    from egov_document.render import gbt9704
    paragraphs, lines = [], 0
    per_page = gbt9704.LINES
    # The 版头, title, 主送 and the signature take about 16 lines
    while lines < PAGES * per_page - 16 - 6:
        if len(paragraphs) % 6 == 0:
            paragraphs.append(HEADINGS[len(paragraphs) // 6 % 3])
            lines += 1
        paragraphs.append(PARAGRAPH)
        # Two characters of first-line indent
        lines += math.ceil((gbt9704.text_width(PARAGRAPH) + 2) / gbt9704.CHARS)
    date = datetime.date(2026, 12, 3)
    return gbt9704.Sheet(mark='宜春市人民政府办公室文件',
        number='宜府办字〔2026〕12号', copy_no=1, secrecy='秘密',
        secrecy_years=5, urgency='urgent',
        title='宜春市人民政府办公室关于进一步加强校园安全工作的通知',
        main_recipients=['各县（市、区）人民政府', '宜春经济技术开发区',
            '市政府各部门'],
        paragraphs=paragraphs, attachments=['校园安全检查表', '责任清单'],
        organ='宜春市人民政府办公室', date=date,
        note='联系人：张三，电话：0795-3221234',
        copy_recipients=['市委办公室', '市人大常委会办公室',
            '市政协办公室'],
        issuer='宜春市人民政府办公室秘书科', issued=date)


def body(paragraphs):
    "An uploaded body in 14 pt 宋体 with Word's default margins"
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt
    document = Document()
    for text in paragraphs:
        run = document.add_paragraph().add_run(text)
        run.font.size = Pt(14)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(
            qn('w:eastAsia'), '宋体')
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@operation('render_docx')
def render_docx(bench):
    "gbt9704.render of a 5-page 发文"
    from egov_document.render import gbt9704
    data = sheet()
    samples = []
    for n in rounds(bench):
        elapsed, _ = timed(gbt9704.render, data)
        if n >= 0:
            samples.append(elapsed)
    result = summary(samples)
    result['paragraphs'] = len(data['paragraphs'])
    result['target_ms'] = 300
    result['meets_target'] = result['p95_ms'] < 300
    return result


@operation('render_pdf')
def render_pdf(bench):
    """pdf.render_pdf of the 5-page sheet, as the signed PDF is made: the
    .docx, LibreOffice's conversion (its start included) and the check of
    the 版记's page, with a second conversion when the estimate was off"""
    import pypdfium2
    from egov_document.render import gbt9704
    from egov_document.render.convert import to_pdf
    from egov_document.render.pdf import imprint_place
    from egov_document.render.pdf import render_pdf as signed_pdf
    data = sheet()
    cold, pdf = timed(signed_pdf, data)
    reader = pypdfium2.PdfDocument(pdf)
    pages = len(reader)
    reader.close()
    samples = []
    for n in range(min(bench.repeat, 10)):
        elapsed, _ = timed(signed_pdf, data)
        samples.append(elapsed)
    result = summary(samples)
    result['cold_ms'] = round(cold, 1)
    result['pages'] = pages
    # One conversion when the line estimate put the 版记 right at once
    placed, _ = imprint_place(to_pdf(gbt9704.render(data), 'docx'), data)
    result['conversions'] = 1 if placed else 2
    result['target_ms'] = 3000
    result['meets_target'] = result['p95_ms'] < 3000
    return result


@operation('render_format_check')
def render_format_check(bench):
    "conformance.check and fix of a 5-page body full of deviations"
    from docx import Document
    from trytond.transaction import Transaction
    from egov_document.render import conformance
    data = body(sheet()['paragraphs'])
    checks, fixes, found = [], [], 0
    with Transaction().start(bench.database, 0, readonly=True,
            context={'language': 'zh_CN'}):
        for n in rounds(bench):
            started = time.perf_counter()
            document = Document(io.BytesIO(data))
            findings = conformance.check(document)
            checked = (time.perf_counter() - started) * 1000
            fixed, _ = timed(conformance.fix, document, findings)
            if n >= 0:
                checks.append(checked)
                fixes.append(fixed)
                found = len(findings)
    result = summary(checks)
    result['fix'] = summary(fixes)
    result['findings'] = found
    return result
