"""The layout of GB/T 9704-2012 《党政机关公文格式》 written with python-docx.

`render(sheet)` takes a plain dict (what the 发文 says, see `Sheet`) and
returns the .docx bytes. Everything sits on the grid of the standard:
A4, 版心 156 × 225 mm, 22 lines of 28 characters of 3号 (16 pt) type, so
that line counts (and with them where the 版记 falls) are known without
laying the document out."""
import io
import math
import re

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import (
    WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT)
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

# The page (mm)
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37, 35, 28, 26
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT      # 156
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM    # 225
LINES, CHARS = 22, 28
TWIPS_PER_MM = 1440 / 25.4
PT_PER_MM = 72 / 25.4

# 字号 in points
SIZE_2 = 22      # 2号: the title
SIZE_3 = 16      # 3号: everything else
SIZE_4 = 14      # 4号: 版记 and page numbers

# The grid: the line pitch rounded down so that 22 lines fit, the
# character space (1/4096 pt added to the 16 pt of the text) so that 28
# characters fit
LINE_PITCH = int(TEXT_HEIGHT * TWIPS_PER_MM / LINES)               # 579
CHAR_SPACE = math.floor(
    (TEXT_WIDTH * PT_PER_MM / CHARS - SIZE_3) * 4096)             # -848
CHAR = Pt(SIZE_3)  # one character of 3号 type, for indents

# The fonts as the offices have them; PDFs made here substitute them
# (render/fonts.conf)
FANGSONG = '仿宋_GB2312'
XIAOBIAOSONG = '方正小标宋简体'
HEITI = '黑体'
KAITI = '楷体_GB2312'
SONGTI = '宋体'
RED = 'FF0000'

# Headings kept as the drafter wrote them, each level in its face
HEADINGS = [
    (re.compile(r'^[一二三四五六七八九十百]+、'), HEITI),
    (re.compile(r'^[（(][一二三四五六七八九十百]+[）)]'), KAITI),
    (re.compile(r'^\d+[\.．](?!\d)'), FANGSONG),
    (re.compile(r'^[（(]\d+[）)]'), FANGSONG),
    ]
URGENCY_LABELS = {'urgent': '加急', 'very_urgent': '特急'}
# 版记 in lines of the grid: 抄送 and 印发 rows and their rules
IMPRINT_LINES = 3


class Sheet(dict):
    """What a rendering needs, all optional but the title:

    mark, color, number, copy_no (int), secrecy ('机密'), secrecy_years,
    urgency ('urgent'…), upward (bool), signers (names), title,
    main_recipients, paragraphs (texts, or blocks of render/body.py:
    runs with their bold and italic, tables), attachments (names),
    organ (署名), date (datetime.date, 成文日期), note (附注),
    copy_recipients, issuer (印发机关), issued (印发日期),
    images ([(png, width_mm, label)]), template (a .docx Document whose
    body is the 版头, its {{placeholders}} filled)"""


def chinese_date(date):
    "2026年12月3日: Arabic numerals, no leading zero (GB/T 9704 7.3.5.1)"
    return '%d年%d月%d日' % (date.year, date.month, date.day)


def text_width(text):
    "The width of text in characters of the grid (Latin and digits: half)"
    return sum(0.5 if ord(c) < 0x2e80 else 1 for c in text)


# Closing punctuation may hang past the end of a line (LibreOffice's and
# Word's Asian typography): a line of 28 characters and a 。 is one line
HANGING = frozenset('，。、；：？！）》」』】〕”’')


def lines_of(text, per_line, first=0):
    """The lines text fills, per_line characters wide, the first line
    starting first characters in: filled character by character as the
    word processor does, closing punctuation hanging at a line's end"""
    lines, used = 1, first
    for char in text:
        width = 0.5 if ord(char) < 0x2e80 else 1
        if used + width > per_line + 0.01:
            if char in HANGING and used <= per_line + 0.01:
                used += width
                continue
            lines += 1
            used = 0
        used += width
    return lines


def set_font(run, font, size, color=None, bold=None):
    "Name font for every script (w:eastAsia first) and size it"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn('w:rFonts'))
    if fonts is None:
        fonts = OxmlElement('w:rFonts')
        rpr.insert(0, fonts)
    for attribute in ('w:ascii', 'w:hAnsi', 'w:eastAsia', 'w:cs'):
        fonts.set(qn(attribute), font)
    fonts.set(qn('w:hint'), 'eastAsia')
    run.font.size = Pt(size)
    size_cs = rpr.find(qn('w:szCs'))
    if size_cs is None:
        size_cs = OxmlElement('w:szCs')
        rpr.append(size_cs)
    size_cs.set(qn('w:val'), str(int(size * 2)))
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    if bold is not None:
        run.font.bold = bold
    return run


def on_grid(paragraph, before=0, lines=1, alignment=None):
    "Exact line spacing of the grid; before: blank lines above"
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(LINE_PITCH * lines)
    fmt.space_before = Twips(LINE_PITCH * before)
    fmt.space_after = Pt(0)
    fmt.widow_control = False
    if alignment is not None:
        fmt.alignment = alignment
    return paragraph


class Writer:
    def __init__(self, sheet):
        self.sheet = sheet
        self.lines = 0      # grid lines used, for the 版记's page
        template = sheet.get('template')
        self.document = template if template is not None else Document()
        self.body = self.document.element.body

    # ---------------------------------------------------------- setup
    def setup(self):
        document = self.document
        for section in document.sections:
            section.page_width = Mm(PAGE_WIDTH)
            section.page_height = Mm(PAGE_HEIGHT)
            section.top_margin = Mm(MARGIN_TOP)
            section.bottom_margin = Mm(MARGIN_BOTTOM)
            section.left_margin = Mm(MARGIN_LEFT)
            section.right_margin = Mm(MARGIN_RIGHT)
            section.header_distance = Mm(15)
            # The 一字线 of the page number 7 mm under the 版心
            section.footer_distance = Mm(MARGIN_BOTTOM - 7 - 5)
            self.grid(section._sectPr)
        document.settings.odd_and_even_pages_header_footer = True
        self.defaults()

    @staticmethod
    def grid(sectpr):
        grid = sectpr.find(qn('w:docGrid'))
        if grid is None:
            grid = OxmlElement('w:docGrid')
            sectpr.append(grid)
        grid.set(qn('w:type'), 'linesAndChars')
        grid.set(qn('w:linePitch'), str(LINE_PITCH))
        grid.set(qn('w:charSpace'), str(CHAR_SPACE))

    def defaults(self):
        "3号仿宋 for the whole document, so the grid counts 16 pt characters"
        styles = self.document.styles.element
        defaults = styles.find(qn('w:docDefaults'))
        if defaults is None:
            defaults = OxmlElement('w:docDefaults')
            styles.insert(0, defaults)
        rpr_default = defaults.find(qn('w:rPrDefault'))
        if rpr_default is None:
            rpr_default = OxmlElement('w:rPrDefault')
            defaults.insert(0, rpr_default)
        rpr = rpr_default.find(qn('w:rPr'))
        if rpr is None:
            rpr = OxmlElement('w:rPr')
            rpr_default.append(rpr)
        for child in list(rpr):
            if child.tag in {qn('w:rFonts'), qn('w:sz'), qn('w:szCs'),
                    qn('w:lang')}:
                rpr.remove(child)
        fonts = OxmlElement('w:rFonts')
        for attribute in ('w:ascii', 'w:hAnsi', 'w:eastAsia', 'w:cs'):
            fonts.set(qn(attribute), FANGSONG)
        rpr.insert(0, fonts)
        for tag in ('w:sz', 'w:szCs'):
            size = OxmlElement(tag)
            size.set(qn('w:val'), str(SIZE_3 * 2))
            rpr.append(size)
        lang = OxmlElement('w:lang')
        lang.set(qn('w:val'), 'en-US')
        lang.set(qn('w:eastAsia'), 'zh-CN')
        rpr.append(lang)
        normal = self.document.styles['Normal']
        normal.font.size = Pt(SIZE_3)
        normal.font.name = FANGSONG
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(
            qn('w:eastAsia'), FANGSONG)

    # ---------------------------------------------------------- parts
    def paragraph(self, text='', font=FANGSONG, size=SIZE_3, before=0,
            alignment=None, color=None, lines=1):
        paragraph = on_grid(self.document.add_paragraph(), before=before,
            lines=lines, alignment=alignment)
        if text:
            set_font(paragraph.add_run(text), font, size, color=color)
        self.lines += before + lines * self.count(text, size,
            paragraph.paragraph_format)
        return paragraph

    @staticmethod
    def count(text, size=SIZE_3, fmt=None, width=None):
        "The lines text takes on the grid (width: of a cell, in characters)"
        if not text:
            return 1
        per_line = (width if width is not None else CHARS) * SIZE_3 / size
        indent = 0
        if fmt is not None:
            indent = sum((x or 0) for x in (fmt.left_indent,
                    fmt.right_indent)) / Pt(SIZE_3)
            per_line -= indent
            first = (fmt.first_line_indent or 0) / Pt(SIZE_3)
        else:
            first = 0
        return lines_of(text, max(per_line, 1), first)

    def head(self):
        "份号, 密级和保密期限, 紧急程度 (3号黑体, top left) and the mark"
        sheet = self.sheet
        used = 0
        if sheet.get('copy_no'):
            self.paragraph('%06d' % sheet['copy_no'], font=HEITI)
            used += 1
        if sheet.get('secrecy'):
            text = sheet['secrecy']
            if sheet.get('secrecy_years'):
                text += '★%d年' % sheet['secrecy_years']
            self.paragraph(text, font=HEITI)
            used += 1
        urgency = URGENCY_LABELS.get(sheet.get('urgency'))
        if urgency:
            self.paragraph(urgency, font=HEITI)
            used += 1
        if sheet.get('template') is None:
            self.mark(used)
        self.number()

    def mark(self, used):
        """发文机关标志: red 小标宋, centred, its top 35 mm under the top of
        the 版心 (80 mm for a 上行文)"""
        sheet = self.sheet
        mark = sheet.get('mark') or ''
        size = sheet.get('mark_size') or min(
            52, math.floor(TEXT_WIDTH * PT_PER_MM * 0.96
                / max(text_width(mark), 1)))
        top = 80 if sheet.get('upward') else 35
        lines = math.ceil(size * 1.25 * 20 / LINE_PITCH)
        before = max(0, round(
                top * TWIPS_PER_MM / LINE_PITCH) - used)
        paragraph = self.paragraph(before=before, lines=lines,
            alignment=WD_ALIGN_PARAGRAPH.CENTER)
        set_font(paragraph.add_run(mark), XIAOBIAOSONG, size,
            color=sheet.get('color') or RED)
        paragraph.paragraph_format.keep_with_next = True

    def number(self):
        """发文字号 two lines under the mark, centred; for a 上行文 left with
        one character of space and 签发人 (楷体 names) at the right. The red
        line: a bottom border of the paragraph, 4 mm under it, 版心 wide"""
        sheet = self.sheet
        number = sheet.get('number') or ''
        has_template = sheet.get('template') is not None
        before = 0 if has_template else 2
        if sheet.get('upward') and sheet.get('signers'):
            paragraph = self.paragraph(before=before)
            set_font(paragraph.add_run('\u3000' + number), FANGSONG, SIZE_3)
            paragraph.paragraph_format.tab_stops.add_tab_stop(
                Mm(TEXT_WIDTH) - CHAR, WD_TAB_ALIGNMENT.RIGHT)
            set_font(paragraph.add_run('\t签发人：'), FANGSONG, SIZE_3)
            set_font(paragraph.add_run('　'.join(sheet['signers'])),
                KAITI, SIZE_3)
        else:
            paragraph = self.paragraph(number, before=before,
                alignment=WD_ALIGN_PARAGRAPH.CENTER)
        border(paragraph, 'bottom', sheet.get('color') or RED, size=12,
            space=round(4 * PT_PER_MM))
        self.lines += 1  # the 4 mm and the line

    def title(self):
        "标题: 2号小标宋, centred, two lines under the red line"
        title = self.sheet.get('title', '')
        self.paragraph(title, font=XIAOBIAOSONG,
            size=SIZE_2, before=2, alignment=WD_ALIGN_PARAGRAPH.CENTER)
        # A line of 2号 after the first takes two lines of the grid in
        # LibreOffice (measured on its PDFs)
        self.lines += self.count(title, SIZE_2) - 1

    def recipients(self):
        "主送机关: one line under the title, flush left, ending with ："
        names = self.sheet.get('main_recipients') or []
        if names:
            self.paragraph('、'.join(names) + '：', before=1)

    def text(self):
        """正文: 3号仿宋, two characters of first line indent; the body's
        bold, italic and underline kept, its tables in the same faces"""
        for block in self.sheet.get('paragraphs') or []:
            if isinstance(block, str):
                block = {'kind': 'paragraph', 'text': block,
                    'runs': [(block, frozenset())]}
            if block['kind'] == 'table':
                self.table(block)
                continue
            text = block['text']
            font = FANGSONG
            for pattern, face in HEADINGS:
                if pattern.match(text):
                    font = face
                    break
            paragraph = on_grid(self.document.add_paragraph())
            paragraph.paragraph_format.first_line_indent = CHAR * 2
            first_line_chars(paragraph, 200)
            paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            add_runs(paragraph, block['runs'], font, SIZE_3)
            self.lines += self.count(text, SIZE_3,
                paragraph.paragraph_format)

    def table(self, block):
        """A table of the body, 版心 wide, its columns in the proportions
        the drafter gave, single black rules, 3号仿宋 on the grid's lines"""
        rows = block['rows']
        columns = max(len(block.get('widths') or []),
            max(sum(c['span'] for c in row) for row in rows))
        widths = list(block.get('widths') or [])[:columns]
        widths += [0] * (columns - len(widths))
        if not all(widths):
            widths = [1] * columns
        total = round(TEXT_WIDTH * TWIPS_PER_MM)
        widths = [w * total // sum(widths) for w in widths]
        table = OxmlElement('w:tbl')
        properties = OxmlElement('w:tblPr')
        table.append(properties)
        width = OxmlElement('w:tblW')
        width.set(qn('w:w'), str(sum(widths)))
        width.set(qn('w:type'), 'dxa')
        properties.append(width)
        centre = OxmlElement('w:jc')
        centre.set(qn('w:val'), 'center')
        properties.append(centre)
        rules = OxmlElement('w:tblBorders')
        for side in ('top', 'left', 'bottom', 'right', 'insideH',
                'insideV'):
            line = OxmlElement('w:' + side)
            line.set(qn('w:val'), 'single')
            line.set(qn('w:sz'), '4')
            line.set(qn('w:space'), '0')
            line.set(qn('w:color'), '000000')
            rules.append(line)
        properties.append(rules)
        layout = OxmlElement('w:tblLayout')
        layout.set(qn('w:type'), 'fixed')
        properties.append(layout)
        grid = OxmlElement('w:tblGrid')
        for value in widths:
            column = OxmlElement('w:gridCol')
            column.set(qn('w:w'), str(value))
            grid.append(column)
        table.append(grid)
        for row in rows:
            tr = OxmlElement('w:tr')
            table.append(tr)
            index, height = 0, 1
            for cell in row:
                span = max(1, min(cell['span'], columns - index))
                cell_width = sum(widths[index:index + span])
                index += span
                tr.append(self.cell(cell, span, cell_width))
                if cell.get('merge') != 'continue':
                    height = max(height, sum(self.count(p['text'], SIZE_3,
                                None, cell_width / (SIZE_3 * 20))
                            for p in cell['paragraphs']) or 1)
            self.lines += height
        # The rules and the row that does not fit at the foot of a page
        self.lines += 1
        self.body._insert_tbl(table)

    def cell(self, cell, span, width):
        from docx.text.paragraph import Paragraph
        tc = OxmlElement('w:tc')
        properties = OxmlElement('w:tcPr')
        tc.append(properties)
        cell_width = OxmlElement('w:tcW')
        cell_width.set(qn('w:w'), str(width))
        cell_width.set(qn('w:type'), 'dxa')
        properties.append(cell_width)
        if span > 1:
            grid_span = OxmlElement('w:gridSpan')
            grid_span.set(qn('w:val'), str(span))
            properties.append(grid_span)
        if cell.get('merge'):
            merge = OxmlElement('w:vMerge')
            if cell['merge'] == 'restart':
                merge.set(qn('w:val'), 'restart')
            properties.append(merge)
        for block in cell['paragraphs'] or [None]:
            p = OxmlElement('w:p')
            tc.append(p)
            paragraph = on_grid(Paragraph(p, self.document._body))
            if cell.get('alignment') is not None:
                paragraph.paragraph_format.alignment = cell['alignment']
            if block:
                add_runs(paragraph, block['runs'], FANGSONG, SIZE_3)
        return tc

    def attachments(self):
        """附件说明: one line under the text, two characters in, 附件：1.名称
        (no punctuation after the names), the next names under the first"""
        names = self.sheet.get('attachments') or []
        if not names:
            return
        numbered = len(names) > 1
        for index, name in enumerate(names, 1):
            label = ('%d.' % index if numbered else '') + name
            paragraph = self.paragraph(before=1 if index == 1 else 0)
            fmt = paragraph.paragraph_format
            fmt.left_indent = CHAR * (2 if index == 1 else 5)
            if index == 1:
                label = '附件：' + label
            set_font(paragraph.add_run(label), FANGSONG, SIZE_3)

    def signature(self):
        """发文机关署名 centred over the 成文日期, which stands four
        characters from the right; the seal (印章) presses on both, its top
        within a line of the text: the space is left and a bookmark
        `seal` marks its place"""
        sheet = self.sheet
        organ = sheet.get('organ') or ''
        date = chinese_date(sheet['date']) if sheet.get('date') else ''
        shift = max(0, (text_width(date) - text_width(organ)) / 2)
        if self.lines >= LINES:
            # The red line's 4 mm leave the first page's last line empty
            # in LibreOffice: the text past it stands a line further on
            self.lines += 1
        start = self.lines
        # Space for the seal (about 42 mm): two lines above the 署名
        paragraph = self.paragraph(organ, before=2,
            alignment=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Twips(
            round((4 + shift) * SIZE_3 * 20))
        bookmark(paragraph, 'seal')
        paragraph.paragraph_format.keep_with_next = True
        paragraph = self.paragraph(date, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = CHAR * 4
        page_end = math.ceil(start / LINES) * LINES
        if start and not start % LINES:
            # The text filled its page: the 署名 heads the next, where the
            # space above a paragraph at the top is dropped
            self.lines = start + 2
        elif self.lines > page_end - (page_end == LINES):
            # 署名 and date are kept together: on the next page, the space
            # above dropped
            self.lines = page_end + 2
        if sheet.get('note'):
            # 附注: under the date, two characters in, in brackets
            note = sheet['note'].strip('（）()')
            paragraph = self.paragraph('（%s）' % note)
            paragraph.paragraph_format.left_indent = CHAR * 2

    def imprint(self):
        """版记 at the foot of the last, even page: 抄送 and 印发机关 with
        印发日期 in 4号仿宋 between a thick first and last rule and thin
        ones in between. The lines used tell the page: a page break moves
        it to an even page when the text ends on an odd one"""
        sheet = self.sheet
        rows = []
        if sheet.get('copy_recipients'):
            rows.append(('抄送：' + '，'.join(sheet['copy_recipients'])
                    + '。', None))
        issued = chinese_date(sheet['issued']) + '印发' if sheet.get(
            'issued') else ''
        rows.append((sheet.get('issuer') or '', issued))
        if sheet.get('imprint_after'):
            # Where the text really ended, as a laid-out PDF showed it
            pages, used = sheet['imprint_after']
            free = LINES - used
        else:
            pages = max(1, math.ceil(self.lines / LINES))
            free = pages * LINES - self.lines
        if free <= (1 if pages == 1 else 0):
            # The text filled its page to the last line (the first page's
            # last stays empty): the anchor below starts the next page (a
            # break in it would skip one more)
            pages, free = pages + 1, LINES
        breaks = 0
        if pages % 2:
            breaks = 1
        elif free < IMPRINT_LINES + 1:
            breaks = 2
        anchor = self.document.add_paragraph()
        on_grid(anchor)
        for index in range(breaks):
            # One break a paragraph: LibreOffice lays two breaks of one
            # paragraph out as one
            if index:
                anchor = on_grid(self.document.add_paragraph())
            anchor.add_run().add_break(WD_BREAK.PAGE)
        # Word and WPS hold the floating table at the foot; LibreOffice
        # places it where it stands: blank lines bring it down (one line
        # kept free in case a line was counted short)
        used = 0 if breaks else LINES - free
        for _ in range(max(0, LINES - used - IMPRINT_LINES - 2)):
            on_grid(self.document.add_paragraph())
        table = self.document.add_table(rows=len(rows), cols=1)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        float_to_bottom(table)
        table_width(table, Mm(TEXT_WIDTH))
        for index, (left, right) in enumerate(rows):
            cell = table.rows[index].cells[0]
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Twips(LINE_PITCH)
            fmt.left_indent = fmt.right_indent = Pt(SIZE_4)
            set_font(paragraph.add_run(left), FANGSONG, SIZE_4)
            if right:
                fmt.tab_stops.add_tab_stop(
                    Mm(TEXT_WIDTH) - Pt(SIZE_4) * 2, WD_TAB_ALIGNMENT.RIGHT)
                set_font(paragraph.add_run('\t' + right), FANGSONG, SIZE_4)
            # First and last rules thick (0.35 mm), those between thin
            cell_border(cell, 'top', 8 if index == 0 else 4)
            if index == len(rows) - 1:
                cell_border(cell, 'bottom', 8)
        self.lines = (pages + breaks) * LINES
        # Word needs a paragraph after a table: one point high and off the
        # grid, so that it never starts a page of its own
        end = self.document.add_paragraph()
        snap = OxmlElement('w:snapToGrid')
        snap.set(qn('w:val'), '0')
        end._p.get_or_add_pPr().append(snap)
        end.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        end.paragraph_format.line_spacing = Pt(1)
        end.paragraph_format.space_before = end.paragraph_format.space_after = (
            Pt(0))
        set_font(end.add_run(), FANGSONG, 1)

    def footers(self):
        """Page numbers: 4号半角宋体 between 一字线, odd ones one character
        from the right, even ones one character from the left"""
        for section in self.document.sections:
            for footer, alignment in (
                    (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                    (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
                footer.is_linked_to_previous = False
                paragraph = footer.paragraphs[0]
                paragraph.paragraph_format.alignment = alignment
                if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                    paragraph.paragraph_format.right_indent = Pt(SIZE_4)
                else:
                    paragraph.paragraph_format.left_indent = Pt(SIZE_4)
                set_font(paragraph.add_run('— '), SONGTI, SIZE_4)
                page_field(paragraph)
                set_font(paragraph.add_run(' —'), SONGTI, SIZE_4)

    def images(self):
        "Barcodes and the like at the top right of the first page"
        images = self.sheet.get('images') or []
        if not images:
            return
        first = self.body.find(qn('w:p'))
        paragraph = next(p for p in self.document.paragraphs
            if p._p is first)
        offset = 0
        for png, width_mm, label in images:
            run = paragraph.add_run()
            run.add_picture(io.BytesIO(png), width=Mm(width_mm))
            offset += width_mm
            anchor_picture(run, Mm(TEXT_WIDTH - offset), label)
            offset += 3


def add_runs(paragraph, runs, font, size):
    "The runs [(text, format)] in font and size, with their format"
    for text, format_ in runs:
        run = set_font(paragraph.add_run(text), font, size,
            bold=True if 'bold' in format_ else None)
        if 'italic' in format_:
            run.font.italic = True
        if 'underline' in format_:
            run.font.underline = True


def first_line_chars(paragraph, hundredths):
    "The indent in characters too, so Word keeps it on the grid"
    ind = paragraph._p.get_or_add_pPr().find(qn('w:ind'))
    if ind is None:
        ind = OxmlElement('w:ind')
        paragraph._p.get_or_add_pPr().append(ind)
    ind.set(qn('w:firstLineChars'), str(hundredths))


def border(paragraph, side, color, size=12, space=1):
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn('w:pBdr'))
    if borders is None:
        borders = OxmlElement('w:pBdr')
        # w:pBdr comes before w:spacing in CT_PPr
        spacing = ppr.find(qn('w:spacing'))
        if spacing is not None:
            spacing.addprevious(borders)
        else:
            ppr.append(borders)
    line = OxmlElement('w:' + side)
    line.set(qn('w:val'), 'single')
    line.set(qn('w:sz'), str(size))
    line.set(qn('w:space'), str(space))
    line.set(qn('w:color'), color)
    borders.append(line)


def cell_border(cell, side, size):
    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn('w:tcBorders'))
    if borders is None:
        borders = OxmlElement('w:tcBorders')
        tcpr.append(borders)
    line = OxmlElement('w:' + side)
    line.set(qn('w:val'), 'single')
    line.set(qn('w:sz'), str(size))
    line.set(qn('w:space'), '0')
    line.set(qn('w:color'), '000000')
    borders.append(line)


def table_width(table, width):
    tblpr = table._tbl.tblPr
    tblw = tblpr.find(qn('w:tblW'))
    if tblw is None:
        tblw = OxmlElement('w:tblW')
        tblpr.append(tblw)
    tblw.set(qn('w:type'), 'dxa')
    tblw.set(qn('w:w'), str(int(width.twips)))
    for cell in table.columns[0].cells:
        cell.width = width


def float_to_bottom(table):
    "A floating table held at the foot of the 版心 of its page"
    tblpr = table._tbl.tblPr
    position = OxmlElement('w:tblpPr')
    position.set(qn('w:vertAnchor'), 'margin')
    position.set(qn('w:horzAnchor'), 'margin')
    position.set(qn('w:tblpXSpec'), 'center')
    position.set(qn('w:tblpYSpec'), 'bottom')
    style = tblpr.find(qn('w:tblStyle'))
    if style is not None:
        style.addnext(position)
    else:
        tblpr.insert(0, position)


def page_field(paragraph):
    run = set_font(paragraph.add_run(), SONGTI, SIZE_4)
    for kind, text in (('begin', None), (None, 'PAGE'), ('end', None)):
        if kind:
            char = OxmlElement('w:fldChar')
            char.set(qn('w:fldCharType'), kind)
            run._element.append(char)
        else:
            instr = OxmlElement('w:instrText')
            instr.set(qn('xml:space'), 'preserve')
            instr.text = text
            run._element.append(instr)


def bookmark(paragraph, name):
    start = OxmlElement('w:bookmarkStart')
    start.set(qn('w:id'), '1')
    start.set(qn('w:name'), name)
    end = OxmlElement('w:bookmarkEnd')
    end.set(qn('w:id'), '1')
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def anchor_picture(run, x, label):
    """Turn the inline picture of run into one anchored to the 版心: x from
    its left edge, at its top, in front of the text"""
    from docx.oxml import parse_xml
    drawing = run._element.find(qn('w:drawing'))
    inline = drawing[0]
    extent = inline.find(qn('wp:extent'))
    graphic = inline.find(qn('a:graphic'))
    doc_pr = inline.find(qn('wp:docPr'))
    doc_pr.set('descr', label or '')
    anchor = parse_xml(
        '<wp:anchor xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing" distT="0" distB="0" '
        'distL="0" distR="0" simplePos="0" relativeHeight="2" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="margin"><wp:posOffset>%d'
        '</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="margin"><wp:posOffset>0'
        '</wp:posOffset></wp:positionV>'
        '<wp:extent cx="%s" cy="%s"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        '</wp:anchor>' % (int(x), extent.get('cx'), extent.get('cy')))
    anchor.append(doc_pr)
    anchor.append(OxmlElement('wp:cNvGraphicFramePr'))
    anchor.append(graphic)
    drawing.remove(inline)
    drawing.append(anchor)


def fill(document, values):
    """Fill {{name}} in the paragraphs of a unit's 版头 template; a
    placeholder split over runs takes the format of its first run"""
    pattern = re.compile(r'\{\{\s*(\w+)\s*\}\}')
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for paragraph in paragraphs:
        text = paragraph.text
        if '{{' not in text:
            continue
        runs = paragraph.runs
        filled = pattern.sub(lambda m: str(values.get(m.group(1), '')), text)
        if runs:
            runs[0].text = filled
            for run in runs[1:]:
                run.text = ''


def render(sheet):
    "Return the .docx (bytes) of sheet laid out by GB/T 9704-2012"
    writer = Writer(sheet)
    writer.setup()
    writer.head()
    writer.title()
    writer.recipients()
    writer.text()
    writer.attachments()
    writer.signature()
    writer.imprint()
    writer.footers()
    writer.images()
    out = io.BytesIO()
    writer.document.save(out)
    return out.getvalue()
