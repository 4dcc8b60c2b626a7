"""The import wizard: choose a file, see every problem by row and column,
and import only a file without problems, all rows in one transaction."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..excel.reader import read_table
from ..excel.writer import write_table
from .import_employees import EmployeeImporter
from .import_units import UnitImporter

IMPORTERS = {
    'units': UnitImporter,
    'employees': EmployeeImporter,
    }
SHOWN_PROBLEMS = 200


class ImportStart(ModelView):
    "Import the organisation"
    __name__ = 'egov.org.import.start'
    __string__ = "Import the Organisation"

    kind = fields.Selection([
            ('units', "Units and Departments"),
            ('employees', "Employees"),
            ], "Import", required=True, sort=False)
    file = fields.Binary("Excel File", filename='filename', required=True)
    filename = fields.Char("File Name")
    template = fields.Binary(
        "Template", filename='template_name', readonly=True)
    template_name = fields.Char("Template Name")

    @classmethod
    def default_kind(cls):
        return 'units'

    @fields.depends('kind')
    def on_change_with_template(self):
        if self.kind:
            return template(self.kind)

    @fields.depends('kind')
    def on_change_with_template_name(self):
        if self.kind:
            return gettext('egov_base.msg_import_template_%s' % self.kind)


class ImportResult(ModelView):
    "Result of the organisation import"
    __name__ = 'egov.org.import.result'
    __string__ = "Import Result"

    kind = fields.Char("Import", readonly=True)
    ready = fields.Boolean("Ready", readonly=True)
    summary = fields.Text("Summary", readonly=True)
    problems = fields.Text(
        "Problems", readonly=True,
        states={
            'invisible': ~Eval('problems'),
            })


def template(kind):
    "Return an empty .xlsx with the columns of kind"
    return write_table(
        gettext('egov_base.msg_import_sheet_%s' % kind),
        IMPORTERS[kind].columns(), [])


def check_file(kind, data):
    "Return the importer after reading and checking every row of data"
    importer_class = IMPORTERS[kind]
    table = read_table(bytes(data or b''), importer_class.columns(),
        max_rows=importer_class.max_rows)
    importer = importer_class(table)
    if table.rows:
        # Cell problems do not stop the checks against the database: the
        # person sees every problem of the file at once.
        importer.check()
        table.sort()
    return importer


class Import(Wizard):
    "Import the organisation"
    __name__ = 'egov.org.import'

    start = StateView('egov.org.import.start',
        'egov_base.org_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'check', 'tryton-ok', default=True),
            ])
    check = StateTransition()
    result = StateView('egov.org.import.result',
        'egov_base.org_import_result_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Cancel", 'end', 'tryton-cancel',
                states={
                    'invisible': ~Eval('ready'),
                    }),
            Button("Import", 'import_', 'tryton-ok', default=True,
                states={
                    'invisible': ~Eval('ready'),
                    }),
            ])
    import_ = StateTransition()
    done = StateView('egov.org.import.result',
        'egov_base.org_import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    # Wizards run without access checks; an import must respect the
    # user's rights (a county administrator imports into their county).
    def transition_check(self):
        with check_access():
            importer = check_file(self.start.kind, self.start.file)
        problems = importer.table.problems
        self.result.kind = self.start.kind
        self.result.ready = not problems
        if problems:
            lines = [str(p) for p in problems[:SHOWN_PROBLEMS]]
            if len(problems) > SHOWN_PROBLEMS:
                lines.append(gettext('egov_base.msg_import_more_problems',
                        count=len(problems) - SHOWN_PROBLEMS))
            self.result.problems = '\n'.join(lines)
            self.result.summary = gettext(
                'egov_base.msg_import_refused', count=len(problems))
        else:
            self.result.problems = None
            self.result.summary = gettext(
                'egov_base.msg_import_ready',
                rows=len(importer.table.rows))
        return 'result'

    def default_result(self, fields):
        return {
            'kind': self.result.kind,
            'ready': self.result.ready,
            'summary': self.result.summary,
            'problems': self.result.problems,
            }

    def transition_import_(self):
        # The file is read and checked again: nothing is trusted from the
        # earlier step, and the database may have changed meanwhile.
        with check_access():
            importer = check_file(self.start.kind, self.start.file)
            if not importer.table.problems:
                created, updated = importer.apply()
        if importer.table.problems:
            self.result.ready = False
            self.result.problems = '\n'.join(
                str(p) for p in importer.table.problems[:SHOWN_PROBLEMS])
            self.result.summary = gettext(
                'egov_base.msg_import_refused',
                count=len(importer.table.problems))
            return 'result'
        self.result.summary = gettext(
            'egov_base.msg_import_done', created=created, updated=updated)
        self.result.problems = None
        return 'done'

    def default_done(self, fields):
        return {
            'kind': self.start.kind,
            'ready': False,
            'summary': self.result.summary,
            }
