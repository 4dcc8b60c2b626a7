"""The print forms: 收文处理单 of a 收文 and 发文稿纸 of a 发文, Relatorio ODT
templates (template_source.py) filled with the document's registration
data and each step's opinions — who, when, what, and the handwritten
signature drawn on the phone — in the box of that step.

Printing is a read: Report.check_access reads the records with the
caller's rights (record rules by unit, 密级), so a person who cannot read
the document cannot print it. Whoever may read the document sees all its
opinions on the form, as on the paper form that travels with it (and as
the document's 意见 page shows them)."""
import datetime
import io
import os
import shutil

from PIL import Image

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import without_check_access

from ..exceptions import DocumentError

# The signature next to a name: as high as a line and a half of 12 pt
SIGNATURE_HEIGHT_CM = 1.2
SIGNATURE_MAX_WIDTH_CM = 4.0
CONVERT_TIMEOUT = 60


def chinese_date(value):
    return '%d年%d月%d日' % (value.year, value.month, value.day) if value else ''


def chinese_datetime(value):
    if not value:
        return ''
    return '%s %02d:%02d' % (chinese_date(value), value.hour, value.minute)


def signature_image(data):
    """(png, mimetype, width, height) for Relatorio, the height fixed and
    the width by the drawing's proportions; None when there is none or
    it cannot be read (the opinion still prints)"""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:
        return None
    if not width or not height:
        return None
    width_cm = min(SIGNATURE_HEIGHT_CM * width / height,
        SIGNATURE_MAX_WIDTH_CM)
    height_cm = width_cm * height / width
    return (bytes(data), 'image/png', '%.2fcm' % width_cm,
        '%.2fcm' % height_cm)


class DocumentForm(Report):
    "What both print forms share: opinions by step, labels, PDF output"
    _form_title = ''

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        if records:
            Model = Pool().get(records[0].__class__.__name__)
            # Read access was checked on the records (check_access): the
            # form shows what belongs to a document its reader reads
            with without_check_access():
                document = Model(records[0].id)
                context['form'] = cls.form(document)
        return context

    @classmethod
    def form(cls, document):
        "The values of the template: text, ready to print"
        return {
            'form_title': document.unit.name + cls._form_title,
            'title': document.title,
            'secrecy': cls.secrecy(document),
            'urgency': cls.label(document, 'urgency'),
            'opinions': cls.opinions(document),
            'printed': chinese_datetime(datetime.datetime.now()),
            }

    @staticmethod
    def label(document, name):
        "The label of a selection in the reader's language"
        value = getattr(document, name)
        selection = dict(document.__class__.fields_get([name])[name][
                'selection'])
        return selection.get(value, value or '')

    @classmethod
    def secrecy(cls, document):
        "密级★保密期限 as GB/T 9704 writes it; nothing when not classified"
        if document.secrecy == 'none':
            return ''
        return '%s★%d年' % (document.secrecy_label(), document.secrecy_term)

    @classmethod
    def opinions(cls, document):
        "{step id: [opinion]}, each step's opinions in the order given"
        Opinion = Pool().get('egov.workflow.opinion')
        decisions = dict(Opinion.fields_get(['decision'])['decision'][
                'selection'])
        result = _StepOpinions()
        if not document.workflow:
            return result
        for opinion in document.workflow.opinions:
            step = opinion.task.step if opinion.task else None
            text = (opinion.text or '').strip()
            if opinion.decision not in {'approve', 'read', None}:
                label = decisions.get(opinion.decision, '')
                text = '%s：%s' % (label, text) if text else label
            result.setdefault(step, []).append({
                    'text': text,
                    'signed': '%s　%s' % (opinion.author,
                        chinese_datetime(opinion.date)),
                    'signature_image': signature_image(opinion.signature),
                    })
        return result

    @classmethod
    def render(cls, action, report_context):
        return super().render(cls.template_action(action), report_context)

    @classmethod
    def template_action(cls, action):
        """The action whose template is used: the ODT and PDF actions of a
        form share the template uploaded on either (the ODT one first)"""
        if action.report_content_custom:
            return action
        ActionReport = Pool().get('ir.action.report')
        for other in ActionReport.search([
                    ('report_name', '=', cls.__name__),
                    ('id', '!=', action.id),
                    ], order=[('id', 'ASC')]):
            if other.report_content_custom:
                return other
        return action

    @classmethod
    def convert(cls, action, data, timeout=CONVERT_TIMEOUT, retry=0):
        """PDF by LibreOffice with the official fonts mapped, or a clear
        error instead of the ODT trytond would hand back silently"""
        if (action.extension or action.template_extension) != 'pdf':
            return super().convert(action, data)
        return 'pdf', pdf_of(data, action.template_extension)


class _StepOpinions(dict):
    "A step without opinions gives an empty box, not an error"

    def __missing__(self, key):
        return []


def pdf_of(data, suffix):
    "The PDF of the filled template, by LibreOffice (render/convert.py)"
    from ..render.convert import ConversionError, to_pdf
    if not (shutil.which('soffice') or shutil.which('libreoffice')):
        raise DocumentError(gettext(
                'egov_document.msg_printing_no_converter'))
    try:
        return to_pdf(data, suffix, timeout=CONVERT_TIMEOUT)
    except ConversionError as exception:
        raise DocumentError(gettext(
                'egov_document.msg_printing_convert_failed',
                format='PDF')) from exception


class IncomingForm(DocumentForm):
    "收文处理单"
    __name__ = 'egov.document.incoming.form'
    _form_title = '收文处理单'

    @classmethod
    def form(cls, document):
        form = super().form(document)
        form.update({
                'source_name': document.source_name or '',
                'source_number': document.source_number or '',
                'received_date': chinese_date(document.received_date),
                'register_number': cls.register_number(document),
                'handlers': '、'.join(h.name for h in document.handlers),
                'registrar': (document.registrar.rec_name
                    if document.registrar else ''),
                'conclusion': cls.conclusion(document),
                })
        return form

    @classmethod
    def register_number(cls, document):
        """收文编号: 收〔year〕n号, n the rank of the document among the
        unit's 收文 registered with a received date in that year"""
        Incoming = Pool().get('egov.document.incoming')
        if not document.registrar or not document.received_date:
            return ''
        year = document.received_date.year
        rank = Incoming.search_count([
                ('unit', '=', document.unit.id),
                ('registrar', '!=', None),
                ('received_date', '>=', document.received_date.replace(
                        month=1, day=1)),
                ('received_date', '<=', document.received_date.replace(
                        month=12, day=31)),
                ('id', '<=', document.id),
                ])
        return '收〔%d〕%d号' % (year, rank)

    @classmethod
    def conclusion(cls, document):
        "办结情况: done on the day the last opinion was given, or running"
        if document.workflow_state == 'done':
            opinions = document.workflow.opinions if document.workflow else []
            day = chinese_date(opinions[-1].date) if opinions else ''
            return gettext('egov_document.msg_printing_concluded', date=day)
        if document.workflow_state == 'running':
            return gettext('egov_document.msg_printing_running',
                steps=document.workflow_steps or '')
        return ''


class OutgoingForm(DocumentForm):
    "发文稿纸"
    __name__ = 'egov.document.outgoing.form'
    _form_title = '发文稿纸'

    @classmethod
    def form(cls, document):
        form = super().form(document)
        form.update({
                'department': (document.department.name
                    if document.department else ''),
                'drafter': (document.drafter.rec_name
                    if document.drafter else ''),
                'number': document.number or '',
                'copies': str(document.copies) if document.copies else '',
                'kind': document.kind.rec_name if document.kind else '',
                'disclosure': cls.label(document, 'disclosure'),
                'main_recipients': '、'.join(
                    u.name for u in document.main_recipients),
                'copy_recipients': '、'.join(
                    u.name for u in document.copy_recipients),
                'attachments': cls.attachments(document),
                'sealed': ('%s　%s' % (document.sealed_by.rec_name,
                        chinese_date(document.sealed_at))
                    if document.sealed_by else ''),
                'dispatched': chinese_date(document.dispatched_at),
                })
        return form

    @classmethod
    def attachments(cls, document):
        "附件: 1．name　2．name, by their names without the file extension"
        Attachment = Pool().get('ir.attachment')
        attachments = Attachment.search([
                ('resource', '=', str(document)),
                ], order=[('create_date', 'ASC'), ('id', 'ASC')])
        return '　'.join('%d．%s' % (i, os.path.splitext(a.name)[0])
            for i, a in enumerate(attachments, 1))
