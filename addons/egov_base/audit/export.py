"""The audit log to Excel for auditors (xlsxwriter; every value is written
as text, so that a fragment such as =cmd|… never becomes a formula)."""
from types import SimpleNamespace

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report

from ..excel.writer import write_table

COLUMNS = [
    'sequence', 'timestamp', 'login', 'user_name', 'post_name', 'unit_name',
    'division_name', 'address', 'model', 'record_id', 'record_name',
    'action', 'result', 'method', 'message', 'changes_text', 'session',
    'hash',
    ]
MAX_ROWS = 100000


class AuditExport(Report):
    __name__ = 'egov.audit.log.export'

    @classmethod
    def _get_records(cls, ids, model, data):
        # Search, not browse: the access rights of the auditor apply
        Log = Pool().get('egov.audit.log')
        return Log.search([('id', 'in', ids)], limit=MAX_ROWS)

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        definitions = Log.fields_get(COLUMNS)
        columns = [SimpleNamespace(name=name,
                title=definitions[name]['string'], required=False,
                kind='integer' if definitions[name]['type'] == 'integer'
                else 'text')
            for name in COLUMNS]
        # A selection given by a method (the models) comes as its name:
        # call it
        selections = {}
        for name in ['model', 'action', 'result']:
            selection = definitions[name]['selection']
            if isinstance(selection, str):
                selection = getattr(Log, selection)()
            selections[name] = dict(selection)
        rows = []
        for log in records:
            row = {name: getattr(log, name) for name in COLUMNS}
            row['timestamp'] = log.timestamp.strftime(
                '%Y-%m-%d %H:%M:%S') if log.timestamp else None
            for name, selection in selections.items():
                row[name] = selection.get(row[name], row[name])
            rows.append(row)
        content = write_table(
            gettext('egov_base.msg_audit_export_sheet'), columns, rows)
        return 'xlsx', content
