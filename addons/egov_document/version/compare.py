"""Two versions of a body side by side: on the left the older with what
the newer no longer has, on the right the newer with what it added."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.tools import check_read_access

from ..exceptions import DocumentError
from . import docx


def compare_versions(old, new):
    """(rows, inserted, deleted) of two versions, or raise DocumentError
    when one of them cannot be read as text"""
    texts = []
    for version in (old, new):
        paragraphs = version.paragraphs()
        if paragraphs is None:
            raise DocumentError(gettext(
                    'egov_document.msg_version_unreadable',
                    version=version.rec_name))
        texts.append(paragraphs)
    return docx.compare(*texts)


class CompareStart(ModelView):
    "Compare Body Versions"
    __string__ = "Compare Body Versions"
    __name__ = 'egov.document.version.compare.start'
    old_number = fields.Integer("Older Version", required=True)
    new_number = fields.Integer("Newer Version", required=True)
    versions = fields.Text("Versions", readonly=True)


class CompareResult(ModelView):
    "Body Versions Compared"
    __string__ = "Body Versions Compared"
    __name__ = 'egov.document.version.compare.result'
    summary = fields.Char("Summary", readonly=True)
    old_title = fields.Char("Older", readonly=True)
    new_title = fields.Char("Newer", readonly=True)
    old_html = fields.Text("Older Text", readonly=True)
    new_html = fields.Text("Newer Text", readonly=True)


class Compare(Wizard):
    "Compare Body Versions"
    __name__ = 'egov.document.version.compare'
    start_state = 'check'
    check = StateTransition()
    start = StateView('egov.document.version.compare.start',
        'egov_document.version_compare_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compare", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('egov.document.version.compare.result',
        'egov_document.version_compare_result_view_form', [
            Button("Other Versions", 'start', 'tryton-back'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def _document(self):
        "The document the wizard was started on, from it or its versions"
        records = self.records
        if self.model.__name__.endswith('.version'):
            document = records[0].document if records else None
        else:
            document = records[0] if records else None
        if document is None:
            raise DocumentError(gettext('egov_document.msg_version_none'))
        check_read_access(document.__class__, [document])
        return document

    def _versions(self):
        Version = Pool().get(self._document().__name__ + '.version')
        return Version.search([('document', '=', self._document().id)],
            order=[('number', 'ASC')])

    def transition_check(self):
        if self.model.__name__.endswith('.version') and len(
                self.records) == 2:
            return 'result'
        if len(self._versions()) < 2:
            raise DocumentError(gettext('egov_document.msg_version_none'))
        return 'start'

    def default_start(self, fields):
        pool = Pool()
        Version = pool.get(self._document().__name__ + '.version')
        versions = self._versions()
        sources = dict(Version.fields_get(['source'])['source']['selection'])
        lines = ['%s　%s　%s　%s' % (
                gettext('egov_document.msg_version_label', number=v.number),
                v.create_date.strftime('%Y-%m-%d %H:%M'),
                v.author.rec_name if v.author else '',
                sources.get(v.source, ''))
            for v in reversed(versions)]
        return {
            'old_number': versions[-2].number,
            'new_number': versions[-1].number,
            'versions': '\n'.join(lines),
            }

    def _chosen(self):
        if self.model.__name__.endswith('.version') and len(
                self.records) == 2 and not getattr(self.start, 'new_number',
                    None):
            old, new = sorted(self.records, key=lambda v: v.number)
            return old, new
        by_number = {v.number: v for v in self._versions()}
        chosen = []
        for number in (self.start.old_number, self.start.new_number):
            if number not in by_number:
                raise DocumentError(gettext(
                        'egov_document.msg_version_unknown', number=number))
            chosen.append(by_number[number])
        return tuple(chosen)

    def default_result(self, fields):
        old, new = self._chosen()
        rows, inserted, deleted = compare_versions(old, new)
        return {
            'summary': gettext('egov_document.msg_version_compare_summary',
                inserted=inserted, deleted=deleted),
            'old_title': self._title(old),
            'new_title': self._title(new),
            'old_html': docx.to_sao_html(rows, 0),
            'new_html': docx.to_sao_html(rows, 1),
            }

    @staticmethod
    def _title(version):
        return '%s（%s，%s）' % (version.rec_name,
            version.author.rec_name if version.author else '',
            version.create_date.strftime('%Y-%m-%d %H:%M'))
