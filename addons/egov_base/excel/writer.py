"""Write one table to an .xlsx file with xlsxwriter.

The files written here are also the templates of the imports: the first row
holds the column titles (required ones marked with *), so an export can be
edited and imported again."""
import datetime
import io

import xlsxwriter


def write_table(sheet_name, columns, rows):
    """Return the bytes of an .xlsx file with one sheet.

    columns: the reader's Column objects; rows: dicts by column name."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {
            'in_memory': True,
            # Values are written as text: a code such as 001 stays 001 and a
            # text such as =1+1 never becomes a formula.
            'strings_to_formulas': False,
            'strings_to_numbers': False,
            'strings_to_urls': False,
            })
    header = workbook.add_format({
            'bold': True, 'bg_color': '#DDE6F0', 'border': 1,
            'font_name': 'SimSun'})
    text = workbook.add_format({'num_format': '@', 'font_name': 'SimSun'})
    date = workbook.add_format({
            'num_format': 'yyyy-mm-dd', 'font_name': 'SimSun'})
    sheet = workbook.add_worksheet(sheet_name[:31])
    for position, column in enumerate(columns):
        title = column.title + ('*' if column.required else '')
        sheet.write_string(0, position, title, header)
        width = max(len(column.title) * 2 + 4, 12)
        sheet.set_column(position, position, min(width, 40),
            date if column.kind == 'date' else text)
    for index, row in enumerate(rows, 1):
        for position, column in enumerate(columns):
            value = row.get(column.name)
            if value is None or value == '':
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(index, position,
                    datetime.datetime.combine(value, datetime.time()), date)
            elif column.kind == 'integer' and isinstance(value, int):
                sheet.write_number(index, position, value)
            else:
                sheet.write_string(index, position, str(value), text)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()
