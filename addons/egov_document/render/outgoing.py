"""The 发文 laid out by GB/T 9704-2012: 渲染版式 stores the .docx, 格式检查
lists what departs from the standard (the layout here, the text from other
checks through `format_findings`) with 一键修正, and 签发 warns of the
findings (signed.py makes the PDF of the signed document)."""
import os

from trytond.exceptions import UserWarning
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import DocumentError
from . import body as body_file
from . import conformance, gbt9704

SECRECY_LABELS = {'secret': '秘密', 'confidential': '机密',
    'top_secret': '绝密'}


class FormatWarning(UserWarning):
    pass


class Outgoing(metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'

    note = fields.Char("Note", strip=True,
        states={'readonly': Eval('workflow_state') != 'draft'},
        help="附注, e.g. 联系人：张三，电话：0795-1234567")
    rendered_body = fields.Binary("Rendered Document",
        filename='rendered_body_name', file_id='rendered_body_id',
        readonly=True, help="The 发文 laid out by GB/T 9704-2012.")
    rendered_body_id = fields.Char("Rendered Document ID", readonly=True)
    rendered_body_name = fields.Char("Rendered Document Name",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'render_layout': {'icon': 'tryton-print'},
                'check_format': {'readonly': ~Bool(Eval('body'))},
                })

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['rendered_body', 'rendered_body_name']:
            default.setdefault(name, None)
        return super().copy(documents, default=default)

    # Shared with barcode/ and proofread/, which extend them: whichever
    # registers first, each adds to what the others give
    def render_first_page_images(self):
        "[(png bytes, width in mm, label)] drawn on the first page"
        parent = getattr(super(), 'render_first_page_images', None)
        return list(parent()) if parent else []

    def format_findings(self):
        """The findings of the body against GB/T 9704: dicts of rule,
        category ('layout' or 'text'), line, message (Chinese), fix"""
        parent = getattr(super(), 'format_findings', None)
        others = list(parent()) if parent else []
        try:
            document = self.body_document()
        except DocumentError as exception:
            return [conformance.finding('unreadable', exception.message)
                ] + others
        if document is None:
            return others
        return conformance.check(document) + others

    # The body

    def body_document(self):
        """The body as python-docx reads it, None if it is no Word file
        (a .doc, PDF or OFD is not checked); DocumentError if unreadable"""
        from egov_base.upload import guard
        if not self.body or guard.sniff(bytes(self.body)) not in {
                'docx', 'zip'}:
            return None
        return body_file.open_docx(self.body, self.body_name)

    # Rendering

    def render_sheet(self):
        "What the rendering shows of the document (gbt9704.Sheet)"
        pool = Pool()
        Layout = pool.get('egov.document.layout')
        Attachment = pool.get('ir.attachment')
        Date = pool.get('ir.date')
        layout = Layout.of_unit(self.unit)
        upward = bool(self.kind and self.kind.direction == 'up')
        signers = [self.signer.name] if self.signer else []
        document = self.body_document()
        if self.body and document is None:
            # A .doc, .wps, PDF or OFD body: its text is not laid out
            raise DocumentError(gettext(
                    'egov_document.msg_render_not_docx',
                    name=self.body_name or self.title))
        sheet = gbt9704.Sheet(
            mark=layout.mark if layout else self.unit.name + '文件',
            mark_size=layout.mark_size if layout else None,
            color=layout.color if layout else gbt9704.RED,
            number=self.number or '',
            copy_no=1 if self.secrecy != 'none' else None,
            secrecy=SECRECY_LABELS.get(self.secrecy),
            secrecy_years=self.secrecy_term,
            urgency=self.urgency,
            upward=upward and (layout.show_signer if layout else True),
            signers=signers,
            title=self.title,
            main_recipients=[u.name for u in self.main_recipients],
            paragraphs=(body_file.blocks(document, self.title)
                if document is not None else []),
            attachments=[os.path.splitext(a.name)[0]
                for a in Attachment.search([
                        ('resource', '=', str(self))],
                    order=[('create_date', 'ASC'), ('id', 'ASC')])],
            organ=self.unit.name,
            date=(self.signed_at.date() if self.signed_at
                else Date.today()),
            note=self.note,
            copy_recipients=[u.name for u in self.copy_recipients],
            issuer=(layout.issuer if layout and layout.issuer
                else self.unit.name),
            issued=(self.sealed_at.date() if self.sealed_at
                else Date.today()),
            images=self.render_first_page_images(),
            )
        if layout and layout.template:
            template = body_file.open_docx(layout.template,
                layout.template_name)
            gbt9704.fill(template, {
                    'number': sheet['number'],
                    'copy_no': ('%06d' % sheet['copy_no']
                        if sheet['copy_no'] else ''),
                    'secrecy': sheet['secrecy'] or '',
                    'urgency': gbt9704.URGENCY_LABELS.get(
                        self.urgency, ''),
                    'signers': '　'.join(signers),
                    'mark': sheet['mark'],
                    })
            sheet['template'] = template
        return sheet

    def render_docx(self):
        return gbt9704.render(self.render_sheet())

    def rendered_name(self, extension):
        return '%s.%s' % ((self.number or self.title)[:80], extension)

    @classmethod
    @ModelView.button
    def render_layout(cls, documents):
        "渲染版式: the .docx of each document, kept for download"
        for document in documents:
            document._write({
                    'rendered_body': document.render_docx(),
                    'rendered_body_name': document.rendered_name('docx'),
                    })

    @classmethod
    @ModelView.button_action('egov_document.wizard_format_check')
    def check_format(cls, documents):
        pass

    def fix_format(self):
        "一键修正: the body with the fixable layout findings applied"
        document = self.body_document()
        if document is None:
            raise DocumentError(gettext('egov_document.msg_render_no_body'))
        findings = [f for f in conformance.check(document) if f['fix']]
        if not findings:
            return False
        conformance.fix(document, findings)
        name = self.body_name or '正文.docx'
        if not name.lower().endswith('.docx'):
            name = os.path.splitext(name)[0] + '.docx'
        # The person's own write: their access to the body decides
        self.__class__.write([self], {
                'body': body_file.save(document),
                'body_name': name,
                })
        return True

    # 签发

    def _step_sign(self, task):
        self.warn_findings()
        super()._step_sign(task)

    def warn_findings(self):
        "Let the signer see the findings and go on once confirmed"
        Warning = Pool().get('res.user.warning')
        findings = self.format_findings()
        if not findings:
            return
        key = 'egov_document_format_%s' % self.id
        if Warning.check(key):
            raise FormatWarning(key, gettext(
                    'egov_document.msg_render_sign_findings',
                    document=self.title, count=len(findings),
                    findings=format_list(findings, limit=10)))


def format_list(findings, limit=None):
    "The findings as lines a person reads"
    lines = []
    for index, found in enumerate(findings, 1):
        if limit and index > limit:
            lines.append(gettext('egov_document.msg_render_findings_more',
                    count=len(findings) - limit))
            break
        lines.append('%d. %s' % (index, found['message']))
    return '\n'.join(lines)


class FormatCheckStart(ModelView):
    "Format Check"
    __string__ = "Format Check"
    __name__ = 'egov.document.format.check.start'

    document = fields.Many2One('egov.document.outgoing', "Document",
        readonly=True)
    count = fields.Integer("Findings", readonly=True)
    fixable = fields.Integer("Fixable", readonly=True)
    findings = fields.Text("Findings", readonly=True)


class FormatCheck(Wizard):
    "Format Check"
    __name__ = 'egov.document.format.check'
    start = StateView('egov.document.format.check.start',
        'egov_document.format_check_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            Button("Fix All", 'fix', 'tryton-ok',
                states={'invisible': ~Eval('fixable', 0)}),
            ])
    fix = StateTransition()

    def default_start(self, fields):
        document = self.record
        findings = document.format_findings()
        if findings:
            text = format_list(findings)
        else:
            text = gettext('egov_document.msg_render_no_findings')
        return {
            'document': document.id,
            'count': len(findings),
            # A body frozen at 签发 is no longer fixed here
            'fixable': 0 if getattr(document, 'body_frozen', False)
            else len([f for f in findings
                    if f['fix'] and f['category'] == 'layout']),
            'findings': text,
            }

    def transition_fix(self):
        self.record.fix_format()
        return 'start'
