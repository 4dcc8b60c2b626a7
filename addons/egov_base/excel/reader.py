"""Read one table from an .xlsx file people send, defensively.

The file is checked before openpyxl parses it (size, zip structure,
uncompressed size), then every cell is checked (formulas, merged cells,
types, lengths). Problems are collected, not raised one by one, so that a
person sees every mistake of their file at once, by row and column."""
import datetime
import io
import zipfile
from dataclasses import dataclass, field

# The XML parts of a workbook are parsed by openpyxl with defusedxml
# installed, which refuses entity expansion and external entities; the
# worksheet is streamed here with defusedxml too.
from defusedxml.ElementTree import iterparse
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import (
    CELL_TAG, DIMENSION_TAG, ROW_TAG, WorkSheetParser)
from openpyxl.xml.constants import SHEET_MAIN_NS
from trytond import config
from trytond.i18n import gettext

OLE_MAGIC = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
ZIP_MAGIC = b'PK\x03\x04'
MAX_COMPRESSION_RATIO = 200
MAX_PROBLEMS = 500
# A part of the workbook parsed whole (styles.xml of a real workbook is a
# few hundred KB)
MAX_WHOLE_PART = 8 * 1024 * 1024
MERGE_CELL_TAG = '{%s}mergeCell' % SHEET_MAIN_NS
INLINE_TAG = '{%s}is' % SHEET_MAIN_NS
TEXT_PATHS = ('{%s}t' % SHEET_MAIN_NS, '{%s}r/{%s}t' % (
        SHEET_MAIN_NS, SHEET_MAIN_NS))


@dataclass(frozen=True)
class Column:
    "A column of the table, found by its title in the first row"
    name: str
    title: str
    required: bool = False
    max_length: int = 100
    kind: str = 'text'  # text, integer or date


@dataclass
class Problem:
    message: str
    row: int = None
    column: str = None

    def __str__(self):
        if self.row and self.column:
            return gettext('egov_base.msg_excel_problem_cell',
                row=self.row, column=self.column, message=self.message)
        elif self.row:
            return gettext('egov_base.msg_excel_problem_row',
                row=self.row, message=self.message)
        return self.message


@dataclass
class Table:
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def add(self, message, row=None, column=None):
        self.problems.append(Problem(message, row, column))

    def sort(self):
        "Put the problems in row order, those of the whole file first"
        self.problems.sort(key=lambda p: p.row or 0)

    @property
    def too_many_problems(self):
        return len(self.problems) >= MAX_PROBLEMS


def limits():
    return {
        'max_size': config.getint(
            'egov', 'import_max_size', default=10 * 1024 * 1024),
        'max_unzipped': config.getint(
            'egov', 'import_max_unzipped', default=100 * 1024 * 1024),
        'max_rows': config.getint(
            'egov', 'import_max_rows', default=60000),
        # Characters of text kept from one file: the memory ceiling of an
        # import, whatever its number of rows
        'max_text': config.getint(
            'egov', 'import_max_text', default=20 * 1000 * 1000),
        }


def _mb(size):
    return '%.1f' % (size / 1024 / 1024)


def check_file(data, table, max_size, max_unzipped, max_text=None):
    "Check the container before any XML is parsed; return True if usable"
    if not data:
        table.add(gettext('egov_base.msg_excel_empty_file'))
        return False
    if len(data) > max_size:
        table.add(gettext('egov_base.msg_excel_too_large',
                size=_mb(len(data)), limit=_mb(max_size)))
        return False
    if data.startswith(OLE_MAGIC):
        table.add(gettext('egov_base.msg_excel_old_format'))
        return False
    if not data.startswith(ZIP_MAGIC):
        table.add(gettext('egov_base.msg_excel_not_xlsx'))
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            # openpyxl loads every shared string at once, and the other
            # parts (styles, workbook…) whole: only worksheets are streamed
            shared = sum(i.file_size for i in infos
                if i.filename.lower() == 'xl/sharedstrings.xml')
            whole = max((i.file_size for i in infos
                    if not i.filename.lower().startswith('xl/worksheets/')
                    and i.filename.lower() != 'xl/sharedstrings.xml'),
                default=0)
            ratio = max(
                (i.file_size / max(i.compress_size, 1) for i in infos),
                default=0)
    except (zipfile.BadZipFile, ValueError, OSError):
        table.add(gettext('egov_base.msg_excel_not_xlsx'))
        return False
    if '[Content_Types].xml' not in names or 'xl/workbook.xml' not in names:
        table.add(gettext('egov_base.msg_excel_not_xlsx'))
        return False
    if total > max_unzipped or whole > MAX_WHOLE_PART or (
            ratio > MAX_COMPRESSION_RATIO and total > max_size):
        table.add(gettext('egov_base.msg_excel_unzipped_too_large',
                limit=_mb(max_unzipped)))
        return False
    # Up to 2 bytes of XML per character allowed is a generous measure
    if max_text is not None and shared > 2 * max_text:
        table.add(gettext('egov_base.msg_limit_excel_text', limit=max_text))
        return False
    return True


def _convert(value, column, table, row):
    "Return the cell value as the column wants it, or None with a problem"
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if column.kind == 'date':
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).replace('/', '-'))
        except ValueError:
            table.add(gettext('egov_base.msg_excel_date_invalid',
                    value=value), row, column.title)
            return None
    if column.kind == 'integer':
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or number != int(number):
            table.add(gettext('egov_base.msg_excel_integer_invalid',
                    value=value), row, column.title)
            return None
        return int(number)
    # Text: numbers typed in a cell come back as int or float
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    value = str(value)
    if len(value) > column.max_length:
        table.add(gettext('egov_base.msg_excel_too_long',
                length=len(value), limit=column.max_length),
            row, column.title)
        return None
    return value


def read_table(data, columns, max_rows=None, max_columns=None, **overrides):
    """Return a Table with the rows (dicts by column name, '_row' the row
    number in the sheet) and every problem found, in row order.

    The sheet is streamed cell by cell within a box of max_rows data rows
    (below the header) by max_columns columns: a sheet whose declared size
    or any cell lies outside the box is refused before more is read, and
    the cells and the text kept are counted against a ceiling, so that a
    small hostile file cannot make the server build millions of cells."""
    options = limits()
    options.update(overrides)
    if max_rows is not None:
        # The configured bound caps what each import declares
        options['max_rows'] = min(
            max_rows, options.get('max_rows_cap', options['max_rows']))
    if max_columns is None:
        max_columns = max(2 * len(columns), 26)
    table = Table()
    if not check_file(data, table, options['max_size'],
            options['max_unzipped'], options['max_text']):
        return table
    try:
        reader, sheet_path = _open_workbook(data)
    except Exception:
        table.add(gettext('egov_base.msg_excel_unreadable'))
        return table
    try:
        if sheet_path is None:
            table.add(gettext('egov_base.msg_excel_no_rows'))
            return table
        box = _Box(options['max_rows'] + 1, max_columns,
            options['max_text'])
        try:
            _read_sheet(reader, sheet_path, columns, box, table)
        except _OutOfBounds as refusal:
            table.add(refusal.message)
        except Exception:
            table.add(gettext('egov_base.msg_excel_unreadable'))
    finally:
        reader.archive.close()
    if not table.rows and not table.problems:
        table.add(gettext('egov_base.msg_excel_no_rows'))
    table.sort()
    return table


@dataclass
class _Box:
    "The bounds of a sheet and what was counted of it"
    last_row: int
    last_column: int
    max_text: int
    cells: int = 0
    text: int = 0

    @property
    def max_cells(self):
        return self.last_row * self.last_column

    def check_cell(self, row, column):
        self.cells += 1
        cell = '%s%s' % (_letter(column), row)
        if column > self.last_column:
            raise _OutOfBounds(gettext('egov_base.msg_limit_excel_column',
                    cell=cell, limit=_letter(self.last_column)))
        if row > self.last_row:
            raise _OutOfBounds(gettext('egov_base.msg_limit_excel_row',
                    cell=cell, limit=self.last_row))
        if self.cells > self.max_cells:
            raise _OutOfBounds(gettext('egov_base.msg_limit_excel_cells',
                    cell=cell, limit=self.max_cells))

    def check_dimension(self, reference):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(reference)
        except (TypeError, ValueError):
            return
        if ((max_col or 0) > self.last_column
                or (max_row or 0) > self.last_row):
            raise _OutOfBounds(gettext('egov_base.msg_limit_excel_dimension',
                    dimension=reference, column=_letter(self.last_column),
                    row=self.last_row))

    def count_text(self, value):
        if isinstance(value, str):
            self.text += len(value)
            if self.text > self.max_text:
                raise _OutOfBounds(gettext('egov_base.msg_limit_excel_text',
                        limit=self.max_text))


class _OutOfBounds(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _letter(column):
    try:
        return get_column_letter(column)
    except ValueError:
        return str(column)


def _open_workbook(data):
    """Return openpyxl's reader of the workbook's strings, styles and date
    system, and the path of its first worksheet; the worksheets are not
    opened: load_workbook(read_only=True) parses each whole sheet once
    when it has no <dimension>, keeping every element it read."""
    reader = ExcelReader(io.BytesIO(data), read_only=True, keep_vba=False,
        data_only=False, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        for sheet, rel in reader.parser.find_sheets():
            if (rel.target in reader.valid_files
                    and 'chartsheet' not in rel.Type):
                return reader, rel.target
    except Exception:
        reader.archive.close()
        raise
    return reader, None


def _inline_text(element):
    "The text of an inline string cell (its runs, not their phonetics)"
    inline = element.find(INLINE_TAG)
    if inline is None:
        return None
    return ''.join(t.text or '' for t in inline.iterfind(TEXT_PATHS[0])) + (
        ''.join(t.text or '' for t in inline.iterfind(TEXT_PATHS[1])))


def _stream_rows(reader, sheet_path, box):
    """Yield (row number, {column: cell}) for the rows of the sheet that
    have cells with a value, then (None, range) for each merged range.

    Every element is dropped from the tree once read, so that memory holds
    one cell, whatever the size of the sheet."""
    workbook = reader.wb
    parser = WorkSheetParser(None, reader.shared_strings,
        data_only=False, epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats)
    parents = []
    row_number, cells = 0, {}
    with reader.archive.open(sheet_path) as source:
        for event, element in iterparse(
                source, events=('start', 'end'), forbid_dtd=True):
            tag = element.tag
            if event == 'start':
                parents.append(element)
                if tag == ROW_TAG:
                    number = element.get('r')
                    row_number = int(number) if number else row_number + 1
                    if row_number <= parser.row_counter:
                        # Rows out of order could repeat a row for ever
                        raise ValueError(number)
                    parser.row_counter = row_number
                    parser.col_counter = 0
                    cells = {}
                continue
            parents.pop()
            if tag == CELL_TAG:
                if element.get('t') == 'inlineStr':
                    # openpyxl builds an object per run: much slower
                    element.set('t', 'str')
                    cell = parser.parse_cell(element)
                    if cell['data_type'] != 'f':
                        cell['value'] = _inline_text(element)
                else:
                    cell = parser.parse_cell(element)
                box.check_cell(cell['row'], cell['column'])
                if cell['row'] != row_number:
                    raise ValueError(cell['row'])
                if cell['value'] is not None:
                    cells[cell['column']] = cell
            elif tag == ROW_TAG:
                if cells:
                    yield row_number, cells
                cells = {}
            elif tag == DIMENSION_TAG:
                box.check_dimension(element.get('ref'))
            elif tag == MERGE_CELL_TAG:
                yield None, element.get('ref')
            # A cell's own children are read with the cell; anything above
            # is removed from its parent as soon as it is read
            if parents and len(parents) <= 3:
                parents[-1].remove(element)


def _read_sheet(reader, sheet_path, columns, box, table):
    positions = None
    seen = 0
    for row_number, cells in _stream_rows(reader, sheet_path, box):
        if row_number is None:
            table.add(gettext('egov_base.msg_excel_merged', cells=cells))
            continue
        if row_number <= seen:
            raise ValueError(row_number)
        seen = row_number
        if positions is None:
            header = []
            if row_number == 1:
                header = [None] * max(cells)
                for column, cell in cells.items():
                    header[column - 1] = cell['value']
            positions = _header_positions(header, columns, table)
            if positions is None:
                return
            if row_number == 1:
                continue
        if table.too_many_problems:
            return
        if all(isinstance(c['value'], str) and not c['value'].strip()
                for c in cells.values()):
            continue
        row = {'_row': row_number}
        for column, position in positions.items():
            cell = cells.get(position + 1)
            value = cell['value'] if cell is not None else None
            if cell is not None and cell['data_type'] == 'f':
                table.add(gettext('egov_base.msg_excel_formula',
                        formula=str(value)[:40]), row_number, column.title)
                continue
            value = _convert(value, column, table, row_number)
            if value is None and column.required:
                table.add(gettext('egov_base.msg_excel_required'),
                    row_number, column.title)
            box.count_text(value)
            row[column.name] = value
        table.rows.append(row)
    if positions is None:
        _header_positions([], columns, table)


def _header_positions(header, columns, table):
    "Return {column: position} from the titles of the first row"
    titles = {}
    for position, title in enumerate(header):
        if title is None or not str(title).strip():
            continue
        title = str(title).strip().rstrip('*').strip()
        if title in titles:
            table.add(gettext('egov_base.msg_excel_header_duplicate',
                    title=title))
        titles[title] = position
    known = {c.title for c in columns}
    unknown = [t for t in titles if t not in known]
    if unknown:
        table.add(gettext('egov_base.msg_excel_header_unknown',
                titles='、'.join(unknown),
                expected='、'.join(c.title for c in columns)))
    missing = [
        c.title for c in columns if c.required and c.title not in titles]
    if missing:
        table.add(gettext('egov_base.msg_excel_header_missing',
                titles='、'.join(missing)))
    if table.problems:
        return None
    return {c: titles[c.title] for c in columns if c.title in titles}
