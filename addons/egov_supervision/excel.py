"""The 考核 ranking and the 数据分析 tables to Excel, with egov_base's
writer (text never becomes a formula): the figures the person's lists show,
for the period chosen."""
from collections import namedtuple

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from egov_base.excel.writer import write_table

from .exceptions import SupervisionError

Column = namedtuple('Column', ['name', 'title', 'kind', 'required'])
# The rows of a sheet: a city has a few thousand units at most
MAX_ROWS = 20000
ASSESSMENT = ['unit_name', 'due', 'closed', 'on_time', 'on_time_rate',
    'quality', 'extensions', 'reminders', 'score']
STATISTIC = ['name', 'total', 'closed', 'completion_rate', 'green',
    'yellow', 'red', 'extensions']


class ExportStart(ModelView):
    __name__ = 'egov.supervision.export.start'
    __string__ = "Export Supervision Figures"

    what = fields.Selection([
            ('assessment', "Assessment Ranking"),
            ('statistic', "Statistics"),
            ], "Export", required=True, sort=False)
    from_date = fields.Date("From", required=True)
    to_date = fields.Date("To", required=True)
    axis = fields.Selection('get_axes', "By", sort=False,
        states={'invisible': Eval('what') != 'statistic'})

    @classmethod
    def get_axes(cls):
        Context = Pool().get('egov.supervision.period.context')
        return Context.fields_get(['axis'])['axis']['selection']

    @classmethod
    def default_what(cls):
        return Transaction().context.get('supervision_export') or (
            'assessment')

    @classmethod
    def default_from_date(cls):
        return Transaction().context.get('from_date') or Pool().get(
            'ir.date').today().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        return Transaction().context.get('to_date') or Pool().get(
            'ir.date').today()

    @classmethod
    def default_axis(cls):
        return Transaction().context.get('axis') or 'lead_unit'


class Export(Wizard):
    "Export Supervision Figures to Excel"
    __name__ = 'egov.supervision.export'
    start = StateView('egov.supervision.export.start',
        'egov_supervision.export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-ok', default=True),
            ])
    export = StateReport('egov.supervision.excel')

    def do_export(self, action):
        return action, {
            'what': self.start.what,
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            'axis': self.start.axis or 'lead_unit',
            }

    def transition_export(self):
        return 'end'


class Excel(Report):
    __name__ = 'egov.supervision.excel'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'xlsx', workbook(data)


def workbook(data):
    "The bytes of the .xlsx of the figures data asks for"
    pool = Pool()
    what = data.get('what') or 'assessment'
    if what == 'assessment':
        Model, names = pool.get('egov.supervision.assessment'), ASSESSMENT
        sheet = gettext('egov_supervision.msg_sheet_assessment')
    else:
        Model, names = pool.get('egov.supervision.statistic'), STATISTIC
        sheet = gettext('egov_supervision.msg_sheet_statistic')
    context = {k: data.get(k) for k in ['from_date', 'to_date', 'axis']}
    with Transaction().set_context(**context):
        definitions = Model.fields_get(names)
        # Refused rather than cut: a sheet missing rows would read as whole
        count = Model.search([], count=True)
        if count > MAX_ROWS:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_export_too_large',
                    rows=count, limit=MAX_ROWS))
        rows = Model.read([r.id for r in Model.search([])], names)
    columns = []
    if what == 'assessment':
        columns.append(Column('rank', gettext(
                    'egov_supervision.msg_column_rank'), 'integer', False))
        for rank, row in enumerate(rows, 1):
            row['rank'] = rank
    for name in names:
        kind = definitions[name]['type']
        columns.append(Column(name, definitions[name]['string'],
                'integer' if kind == 'integer' else 'char', False))
        if kind == 'float':
            for row in rows:
                if row[name] is not None:
                    row[name] = '%.1f' % row[name]
    return write_table(sheet, columns, rows)
