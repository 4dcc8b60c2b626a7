"""会议数据分析 to Excel: a sheet per view (meetings per organiser,
attendance per unit and per person, notice rates, room usage) of the
period in the context (the statistics' own) with a Chinese header row
and the figures as numbers — the rows the person's statistics show (same views, same
rules); text never becomes a formula."""
import io

import xlsxwriter

from trytond.pool import Pool
from trytond.report import Report

SHEETS = [
    ('egov.meeting.statistic.organiser', ['organiser'],
        ['meetings', 'held', 'invitations']),
    ('egov.meeting.statistic.unit', ['organiser', 'unit'],
        ['invitations', 'declined', 'registered', 'present', 'late']),
    ('egov.meeting.statistic.person', ['unit', 'employee'],
        ['meetings', 'declined', 'present', 'late', 'absent']),
    ('egov.meeting.statistic.notice', ['meeting', 'organiser'],
        ['told', 'readers', 'read_rate', 'units', 'registered', 'declined',
            'silent', 'registration_rate']),
    ('egov.meeting.statistic.room', ['room'],
        ['bookings', 'approved', 'refused']),
    ]
MAX_ROWS = 20000


class StatisticExcel(Report):
    __name__ = 'egov.meeting.statistic.excel'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'xlsx', workbook()


def workbook():
    pool = Pool()
    Model = pool.get('ir.model')
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {
            'in_memory': True,
            'strings_to_formulas': False,
            'strings_to_numbers': False,
            'strings_to_urls': False,
            })
    head = book.add_format({'bold': True, 'bg_color': '#DDE6F0',
            'border': 1, 'font_name': 'SimSun'})
    text = book.add_format({'num_format': '@', 'font_name': 'SimSun'})
    for name, keys, figures in SHEETS:
        Statistic = pool.get(name)
        definitions = Statistic.fields_get(keys + figures)
        title = Model.get_names().get(name, name)
        sheet = book.add_worksheet(title[:31])
        for position, field in enumerate(keys + figures):
            sheet.write_string(0, position, definitions[field]['string'],
                head)
            sheet.set_column(position, position, 30 if field in keys
                else 12)
        for row, record in enumerate(
                Statistic.search([], limit=MAX_ROWS), 1):
            for position, field in enumerate(keys):
                value = getattr(record, field)
                sheet.write_string(row, position,
                    value.rec_name if value else '', text)
            for position, field in enumerate(figures, len(keys)):
                value = getattr(record, field)
                if value is None:
                    # A rate of nobody: no figure, not a zero
                    sheet.write_blank(row, position, None)
                else:
                    sheet.write_number(row, position, value)
        sheet.freeze_panes(1, 0)
    book.close()
    return output.getvalue()
