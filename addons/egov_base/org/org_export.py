"""Exports of units and employees to Excel, in the import's format."""
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report

from ..excel.writer import write_table
from .import_employees import EmployeeImporter
from .import_units import UnitImporter


class ExcelExport(Report):
    "Export the selected records as one Excel sheet"
    importer = None
    model_name = None
    sheet_message = None

    @classmethod
    def _get_records(cls, ids, model, data):
        # Search, not browse: only records the user may read are exported
        Model = Pool().get(cls.model_name)
        return Model.search([
                ('id', 'in', ids),
                ('active', 'in', [True, False]),
                ])

    @classmethod
    def _execute(cls, records, header, data, action):
        importer = cls.importer(None)
        content = write_table(
            gettext(cls.sheet_message), importer.columns(),
            importer.rows_of(records))
        return 'xlsx', content


class UnitExport(ExcelExport):
    __name__ = 'egov.org.unit.export'
    importer = UnitImporter
    model_name = 'egov.org.unit'
    sheet_message = 'egov_base.msg_import_sheet_units'


class EmployeeExport(ExcelExport):
    __name__ = 'egov.org.employee.export'
    importer = EmployeeImporter
    model_name = 'egov.org.employee'
    sheet_message = 'egov_base.msg_import_sheet_employees'
