"""公文统计 to Excel: one sheet per axis (month, department, kind, 来文单位,
主送单位) with a Chinese header row, the figures as numbers, and a chart
sheet of the months. The figures are those the person's statistics show
(the same table queries, the same record rules); values are written as
in egov_base's writer: text never becomes a formula."""
import io

import xlsxwriter

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .statistic import DIRECTIONS

# (model, the field naming the group, its sheet's message)
AXES = [
    ('egov.document.statistic.month', 'month_name',
        'egov_document.msg_statistic_sheet_month'),
    ('egov.document.statistic.department', 'department_name',
        'egov_document.msg_statistic_sheet_department'),
    ('egov.document.statistic.kind', 'kind_name',
        'egov_document.msg_statistic_sheet_kind'),
    ('egov.document.statistic.source', 'source_name',
        'egov_document.msg_statistic_sheet_source'),
    ('egov.document.statistic.recipient', 'recipient_name',
        'egov_document.msg_statistic_sheet_recipient'),
    ]
FIGURES = ['count', 'done', 'running', 'overdue', 'average_days']
# A sheet holds at most this many groups (the 来文单位 of a city's year)
MAX_ROWS = 20000
CONTEXT_KEYS = ['from_date', 'to_date', 'direction', 'unit']


class StatisticExportStart(ModelView):
    __name__ = 'egov.document.statistic.export.start'
    __string__ = "Export Document Statistics"

    from_date = fields.Date("From", required=True)
    to_date = fields.Date("To", required=True)
    direction = fields.Selection(DIRECTIONS, "Documents", required=True)
    unit = fields.Many2One('egov.org.unit', "Unit",
        domain=[('kind', '!=', 'department')])

    @classmethod
    def default_from_date(cls):
        context = Transaction().context
        return context.get('from_date') or Pool().get(
            'ir.date').today().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        context = Transaction().context
        return context.get('to_date') or Pool().get('ir.date').today()

    @classmethod
    def default_direction(cls):
        return Transaction().context.get('direction') or 'incoming'

    @classmethod
    def default_unit(cls):
        return Transaction().context.get('unit')


class StatisticExport(Wizard):
    "Export Document Statistics to Excel"
    __name__ = 'egov.document.statistic.export'
    start = StateView('egov.document.statistic.export.start',
        'egov_document.statistics_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-ok', default=True),
            ])
    export = StateReport('egov.document.statistic.excel')

    def do_export(self, action):
        data = {
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            'direction': self.start.direction,
            'unit': self.start.unit.id if self.start.unit else None,
            }
        return action, data

    def transition_export(self):
        return 'end'


class StatisticExcel(Report):
    __name__ = 'egov.document.statistic.excel'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'xlsx', statistics_workbook(
            {k: data.get(k) for k in CONTEXT_KEYS})


def _text(record, name, field):
    value = getattr(record, name)
    if field['type'] == 'many2one':
        return value.rec_name if value else gettext(
            'egov_document.msg_statistic_none')
    return value or gettext('egov_document.msg_statistic_none')


def statistics_workbook(context):
    "The bytes of the .xlsx of the statistics of context's period"
    pool = Pool()
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {
            'in_memory': True,
            'strings_to_formulas': False,
            'strings_to_numbers': False,
            'strings_to_urls': False,
            })
    header = workbook.add_format({
            'bold': True, 'bg_color': '#DDE6F0', 'border': 1,
            'font_name': 'SimSun'})
    text = workbook.add_format({'num_format': '@', 'font_name': 'SimSun'})
    number = workbook.add_format({'font_name': 'SimSun'})
    decimal = workbook.add_format({
            'num_format': '0.0', 'font_name': 'SimSun'})
    month_sheet = None
    with Transaction().set_context(**context):
        for model, key, message in AXES:
            Model = pool.get(model)
            definitions = Model.fields_get([key] + FIGURES)
            sheet_name = gettext(message)[:31]
            sheet = workbook.add_worksheet(sheet_name)
            columns = [key] + FIGURES
            for position, name in enumerate(columns):
                sheet.write_string(0, position,
                    definitions[name]['string'], header)
                sheet.set_column(position, position, 30 if not position
                    else 12)
            records = Model.search([], limit=MAX_ROWS)
            for row, record in enumerate(records, 1):
                sheet.write_string(row, 0,
                    _text(record, key, definitions[key]), text)
                for position, name in enumerate(FIGURES, 1):
                    value = getattr(record, name)
                    if value is None:
                        continue
                    if name == 'average_days':
                        sheet.write_number(row, position, round(value, 1),
                            decimal)
                    else:
                        sheet.write_number(row, position, value, number)
            sheet.freeze_panes(1, 0)
            if model == 'egov.document.statistic.month':
                month_sheet = (sheet_name, len(records), definitions)
    if month_sheet:
        _chart(workbook, *month_sheet)
    workbook.close()
    return output.getvalue()


def _chart(workbook, sheet_name, count, definitions):
    "A chart sheet of the documents, done and overdue by month"
    chart = workbook.add_chart({'type': 'column'})
    last = max(count, 1)
    for position, name in enumerate(['count', 'done', 'overdue'], 1):
        chart.add_series({
                'name': definitions[name]['string'],
                'categories': [sheet_name, 1, 0, last, 0],
                'values': [sheet_name, 1, position, last, position],
                })
    chart.set_title({'name': gettext(
                'egov_document.msg_statistic_chart_title')})
    chart.set_x_axis({'name': definitions['month_name']['string']})
    chart.set_y_axis({'name': definitions['count']['string']})
    chartsheet = workbook.add_chartsheet(
        gettext('egov_document.msg_statistic_sheet_chart')[:31])
    chartsheet.set_chart(chart)
