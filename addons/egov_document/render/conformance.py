"""The layout of an uploaded Word body against GB/T 9704-2012: page size,
margins, the 22 × 28 grid, the faces and sizes of the title and the text,
line spacing. Each deviation is a finding (the `format_findings` shape);
`fix` applies what can be fixed to a copy."""
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, Twips

from trytond.i18n import gettext

from . import gbt9704 as gb

TOLERANCE_MM = 1           # GB/T 9704 allows ±1 mm
MAX_FINDINGS = 100
SIZE_NAMES = {gb.SIZE_2: '2号', gb.SIZE_3: '3号', gb.SIZE_4: '4号'}
FACES = {
    gb.FANGSONG: ('仿宋', 'fangsong'),
    gb.HEITI: ('黑体', 'simhei', 'heiti', 'hei'),
    gb.KAITI: ('楷', 'kaiti'),
    gb.XIAOBIAOSONG: ('小标宋', '标宋'),
    }
MARGINS = [
    ('top_margin', gb.MARGIN_TOP, 'top'),
    ('bottom_margin', gb.MARGIN_BOTTOM, 'bottom'),
    ('left_margin', gb.MARGIN_LEFT, 'left'),
    ('right_margin', gb.MARGIN_RIGHT, 'right'),
    ]


def _mm(length):
    return round(length / Mm(1), 1) if length is not None else None


def _points(length):
    value = round(length / Pt(1), 1)
    return int(value) if value == int(value) else value


def finding(rule, message, line=None, fix=None):
    return {'rule': rule, 'category': 'layout', 'line': line,
        'message': message, 'fix': fix}


def _styles(paragraph):
    style = paragraph.style
    while style is not None:
        yield style
        style = style.base_style


def _defaults(document):
    return document.styles.element.find(
        '{%(w)s}docDefaults/{%(w)s}rPrDefault/{%(w)s}rPr'.replace(
            '{%(w)s}', '{http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main}'))


def run_size(document, paragraph, run):
    "The size of run in points as Word shows it"
    if run.font.size is not None:
        return _points(run.font.size)
    for style in _styles(paragraph):
        if style.font.size is not None:
            return _points(style.font.size)
    defaults = _defaults(document)
    if defaults is not None:
        size = defaults.find(qn('w:sz'))
        if size is not None:
            return int(size.get(qn('w:val'))) / 2
    return 10.5


def _east_asia(rpr):
    if rpr is None:
        return None
    fonts = rpr.find(qn('w:rFonts'))
    if fonts is None:
        return None
    return fonts.get(qn('w:eastAsia')) or (
        '主题字体' if fonts.get(qn('w:eastAsiaTheme')) else None)


def run_face(document, paragraph, run):
    "The East Asian face of run as Word shows it"
    face = _east_asia(run._element.rPr)
    if face:
        return face
    for style in _styles(paragraph):
        face = _east_asia(style.element.rPr)
        if face:
            return face
    return _east_asia(_defaults(document)) or '宋体'


def face_ok(face, expected):
    face = (face or '').lower()
    return any(k in face for k in FACES[expected])


def expected_face(text):
    for pattern, face in gb.HEADINGS:
        if pattern.match(text):
            return face
    return gb.FANGSONG


def _alignment(paragraph):
    if paragraph.paragraph_format.alignment is not None:
        return paragraph.paragraph_format.alignment
    for style in _styles(paragraph):
        if style.paragraph_format.alignment is not None:
            return style.paragraph_format.alignment
    return None


def _spacing(paragraph):
    "(rule, line) of paragraph, its own or its styles'"
    fmt = paragraph.paragraph_format
    if fmt.line_spacing is not None or fmt.line_spacing_rule is not None:
        return fmt.line_spacing_rule, fmt.line_spacing
    for style in _styles(paragraph):
        fmt = style.paragraph_format
        if fmt.line_spacing is not None:
            return fmt.line_spacing_rule, fmt.line_spacing
    return None, None


def grid_ok(section):
    grid = section._sectPr.find(qn('w:docGrid'))
    if grid is None or grid.get(qn('w:type')) not in {
            'linesAndChars', 'snapToChars'}:
        return False
    pitch = int(grid.get(qn('w:linePitch')) or 0)
    space = int(grid.get(qn('w:charSpace')) or 0)
    if None in (section.page_height, section.page_width,
            section.top_margin, section.bottom_margin,
            section.left_margin, section.right_margin):
        return False
    usable = Emu(section.page_height - section.top_margin
        - section.bottom_margin).twips
    width = Emu(section.page_width - section.left_margin
        - section.right_margin) / Pt(1)
    char = gb.SIZE_3 + space / 4096
    return (pitch > 0 and usable // pitch == gb.LINES
        and char > 0 and int(width // char) == gb.CHARS)


def paragraphs(document):
    "(number, paragraph, is_title) of the non-empty paragraphs"
    number = 0
    for paragraph in document.paragraphs:
        if not paragraph.text.strip():
            continue
        number += 1
        is_title = number == 1 and (
            _alignment(paragraph) == WD_ALIGN_PARAGRAPH.CENTER)
        yield number, paragraph, is_title


def check(document):
    "Return the findings of document (python-docx)"
    findings = []
    # The first section decides for a 公文: more repeat the same
    for section in document.sections[:1]:
        width, height = _mm(section.page_width), _mm(section.page_height)
        if (width is None or height is None
                or abs(width - gb.PAGE_WIDTH) > TOLERANCE_MM
                or abs(height - gb.PAGE_HEIGHT) > TOLERANCE_MM):
            findings.append(finding('page_size', gettext(
                        'egov_document.msg_render_finding_page_size',
                        width=width, height=height), fix='page'))
        for attribute, expected, side in MARGINS:
            value = _mm(getattr(section, attribute))
            if value is None or abs(value - expected) > TOLERANCE_MM:
                findings.append(finding('margin', gettext(
                            'egov_document.msg_render_finding_margin_%s'
                            % side, value=value, expected=expected),
                        fix='page'))
        if not grid_ok(section):
            findings.append(finding('grid', gettext(
                        'egov_document.msg_render_finding_grid'),
                    fix='grid'))
    for number, paragraph, is_title in paragraphs(document):
        runs = [r for r in paragraph.runs if r.text.strip()]
        if not runs:
            continue
        if is_title:
            expected_font, expected_size = gb.XIAOBIAOSONG, gb.SIZE_2
        else:
            expected_font = expected_face(paragraph.text.strip())
            expected_size = gb.SIZE_3
        sizes = {run_size(document, paragraph, r) for r in runs}
        wrong = sorted(s for s in sizes if s != expected_size)
        if wrong:
            values = dict(size='、'.join(str(s) for s in wrong),
                expected=SIZE_NAMES[expected_size],
                points=expected_size, paragraph=number)
            findings.append(finding(
                    'title_size' if is_title else 'body_size', gettext(
                        'egov_document.msg_render_finding_%s' % (
                            'title_size' if is_title else 'body_size'),
                        **values), line=number, fix='text'))
        faces = []
        for run in runs:
            face = run_face(document, paragraph, run)
            if not face_ok(face, expected_font) and face not in faces:
                faces.append(face)
        if faces:
            findings.append(finding(
                    'title_font' if is_title else 'body_font', gettext(
                        'egov_document.msg_render_finding_%s' % (
                            'title_font' if is_title else 'body_font'),
                        font='、'.join(faces), expected=expected_font,
                        paragraph=number), line=number, fix='text'))
        rule, line = _spacing(paragraph)
        if not spacing_ok(rule, line, document):
            findings.append(finding('line_spacing', gettext(
                        'egov_document.msg_render_finding_line_spacing',
                        paragraph=number, spacing=spacing_label(rule, line)),
                    line=number, fix='text'))
        if len(findings) >= MAX_FINDINGS:
            break
    return findings[:MAX_FINDINGS]


def spacing_ok(rule, line, document):
    if rule == WD_LINE_SPACING.EXACTLY and line is not None:
        return 28 <= line / Pt(1) <= 30
    if rule in {None, WD_LINE_SPACING.SINGLE} and (
            line is None or line == 1.0):
        # Single lines snap to a grid of 22 lines
        return all(grid_ok(s) for s in document.sections[:1])
    return False


def spacing_label(rule, line):
    if rule in {WD_LINE_SPACING.EXACTLY, WD_LINE_SPACING.AT_LEAST} and (
            line is not None):
        return gettext('egov_document.msg_render_spacing_points',
            points=_points(line))
    if isinstance(line, float):
        return gettext('egov_document.msg_render_spacing_times',
            times=round(line, 2))
    return gettext('egov_document.msg_render_spacing_single')


def fix(document, findings=None):
    """Apply to document what the findings can fix: A4 and the margins,
    the grid, the faces, sizes and line spacing of each paragraph"""
    codes = {f['fix'] for f in findings or check(document) if f['fix']}
    if codes & {'page', 'grid'}:
        for section in document.sections:
            section.page_width = Mm(gb.PAGE_WIDTH)
            section.page_height = Mm(gb.PAGE_HEIGHT)
            section.top_margin = Mm(gb.MARGIN_TOP)
            section.bottom_margin = Mm(gb.MARGIN_BOTTOM)
            section.left_margin = Mm(gb.MARGIN_LEFT)
            section.right_margin = Mm(gb.MARGIN_RIGHT)
            gb.Writer.grid(section._sectPr)
    if 'text' in codes:
        for number, paragraph, is_title in paragraphs(document):
            if is_title:
                font, size = gb.XIAOBIAOSONG, gb.SIZE_2
            else:
                font, size = expected_face(paragraph.text.strip()), gb.SIZE_3
            for run in paragraph.runs:
                gb.set_font(run, font, size)
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Twips(gb.LINE_PITCH)
    return document
