"""The source of weekly_report.docx, the default template of 每周督查工作
进展情况 (weekly.py): a docxtpl (Jinja) Word file an administrator may open
in Word or WPS, change and upload on the report action.

    python addons/egov_supervision/templates/weekly_source.py

An edited template need not keep this layout; the names it may use are
listed in weekly.py (WeeklyReport.values)."""
import os

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = os.path.dirname(__file__)
# The fonts of the offices; a PC without them shows its own Song/Hei
TITLE_FONT = '方正小标宋简体'
HEADING_FONT = '黑体'
BODY_FONT = '仿宋_GB2312'


def font(run, name, size):
    run.font.name = name
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(
        qn('w:eastAsia'), name)


def paragraph(document, text, name=BODY_FONT, size=16, center=False):
    p = document.add_paragraph()
    font(p.add_run(text), name, size)
    if name == HEADING_FONT:
        p.paragraph_format.space_before = Pt(12)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def table(document, headers, widths, loop, cells):
    """A bordered table: the header row, then one row per item of loop
    (docxtpl's {%tr %} rows around the row of values)"""
    t = document.add_table(rows=4, cols=len(headers))
    t.style = 'Table Grid'
    # Word reads the cells' widths, LibreOffice and WPS the grid's
    t.autofit = False
    for column, width in zip(t.columns, widths):
        column.width = Cm(width)
    for row, texts in enumerate([headers,
                ['{%%tr for item in %s %%}' % loop] + [''] * (
                    len(headers) - 1),
                cells,
                ['{%tr endfor %}'] + [''] * (len(headers) - 1)]):
        for column, text in enumerate(texts):
            cell = t.rows[row].cells[column]
            cell.width = Cm(widths[column])
            run = cell.paragraphs[0].add_run(text)
            font(run, HEADING_FONT if row == 0 else BODY_FONT, 12)
    return t


def build():
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    paragraph(document, '{{ title }}', TITLE_FONT, 22, center=True)
    paragraph(document, '（{{ period }}）', BODY_FONT, 16, center=True)
    paragraph(document, '{{ unit }}', BODY_FONT, 16, center=True)

    paragraph(document, '一、总体情况', HEADING_FONT)
    paragraph(document, '　　本周在办和办结的重点任务共{{ counts.total }}项，'
        '其中绿灯{{ counts.green }}项、黄灯{{ counts.yellow }}项、'
        '红灯（逾期）{{ counts.red }}项、已办结{{ counts.done }}项；'
        '本周催办{{ reminders|length }}次。')

    paragraph(document, '二、重点任务进展', HEADING_FONT)
    table(document, ['序号', '任务', '主办单位', '办理时限', '灯号', '最新反馈'],
        [1.5, 3.5, 2.5, 2.4, 1.4, 4.3], 'tasks',
        ['{{ item.number }}', '{{ item.title }}', '{{ item.lead_unit }}',
            '{{ item.deadline }}', '{{ item.light }}', '{{ item.feedback }}'])
    paragraph(document, '{{ more }}', BODY_FONT, 12)

    paragraph(document, '三、逾期任务', HEADING_FONT)
    table(document, ['序号', '任务', '主办单位', '办理时限', '逾期天数', '责任人'],
        [1.5, 4.3, 3.0, 2.6, 1.8, 2.4], 'overdue',
        ['{{ item.number }}', '{{ item.title }}', '{{ item.lead_unit }}',
            '{{ item.deadline }}', '{{ item.days }}', '{{ item.owner }}'])

    paragraph(document, '四、本周催办情况', HEADING_FONT)
    table(document, ['日期', '任务', '催办类别', '催办对象', '说明'],
        [2.6, 4.3, 2.2, 3.5, 3.0], 'reminders',
        ['{{ item.date }}', '{{ item.task }}', '{{ item.level }}',
            '{{ item.recipients }}', '{{ item.note }}'])

    p = paragraph(document, '{{ printed }}', BODY_FONT, 14)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(os.path.join(HERE, 'weekly_report.docx'))


if __name__ == '__main__':
    build()
