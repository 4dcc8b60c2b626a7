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
# installed, which refuses entity expansion and external entities.
import openpyxl  # noqa: E402
from trytond import config
from trytond.i18n import gettext

OLE_MAGIC = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
ZIP_MAGIC = b'PK\x03\x04'
MAX_COMPRESSION_RATIO = 200
MAX_PROBLEMS = 500


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
        }


def _mb(size):
    return '%.1f' % (size / 1024 / 1024)


def check_file(data, table, max_size, max_unzipped):
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
            ratio = max(
                (i.file_size / max(i.compress_size, 1) for i in infos),
                default=0)
    except (zipfile.BadZipFile, ValueError, OSError):
        table.add(gettext('egov_base.msg_excel_not_xlsx'))
        return False
    if '[Content_Types].xml' not in names or 'xl/workbook.xml' not in names:
        table.add(gettext('egov_base.msg_excel_not_xlsx'))
        return False
    if total > max_unzipped or (
            ratio > MAX_COMPRESSION_RATIO and total > max_size):
        table.add(gettext('egov_base.msg_excel_unzipped_too_large',
                limit=_mb(max_unzipped)))
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


def read_table(data, columns, **overrides):
    """Return a Table with the rows (dicts by column name, '_row' the row
    number in the sheet) and every problem found."""
    options = limits()
    options.update(overrides)
    table = Table()
    if not check_file(
            data, table, options['max_size'], options['max_unzipped']):
        return table
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), data_only=False, read_only=False,
            keep_links=False, keep_vba=False)
    except Exception:
        table.add(gettext('egov_base.msg_excel_unreadable'))
        return table
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None or sheet.max_row < 1:
        table.add(gettext('egov_base.msg_excel_no_rows'))
        return table

    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    positions = _header_positions(header, columns, table)
    if positions is None:
        return table

    for merged in sheet.merged_cells.ranges:
        table.add(gettext('egov_base.msg_excel_merged', cells=merged.coord))
    if table.problems:
        return table

    last_row = min(sheet.max_row, options['max_rows'] + 1)
    for cells in sheet.iter_rows(min_row=2, max_row=last_row):
        if table.too_many_problems:
            break
        row_number = cells[0].row
        if all(c.value is None or (isinstance(c.value, str)
                    and not c.value.strip()) for c in cells):
            continue
        row = {'_row': row_number}
        for column, position in positions.items():
            cell = cells[position] if position < len(cells) else None
            value = cell.value if cell is not None else None
            if cell is not None and cell.data_type == 'f':
                table.add(gettext('egov_base.msg_excel_formula',
                        formula=str(value)[:40]), row_number, column.title)
                continue
            value = _convert(value, column, table, row_number)
            if value is None and column.required:
                table.add(gettext('egov_base.msg_excel_required'),
                    row_number, column.title)
            row[column.name] = value
        table.rows.append(row)
    if sheet.max_row > last_row and any(
            c.value is not None for cells in sheet.iter_rows(
                min_row=last_row + 1, max_row=min(
                    sheet.max_row, last_row + 1000))
            for c in cells):
        table.add(gettext('egov_base.msg_excel_too_many_rows',
                limit=options['max_rows']))
    if not table.rows and not table.problems:
        table.add(gettext('egov_base.msg_excel_no_rows'))
    return table


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
