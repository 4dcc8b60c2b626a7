"""The PDF of the signed 发文, made off the signer's request.

签发 freezes the body (version/) and queues the PDF: LibreOffice takes
seconds, the signer does not wait for it. The worker (or, without one, the
server after the request) makes and keeps it; until then the form says
正在生成. A failure is noted on the document and tried again later (the
queue when a worker runs, else the cron), each time after twice the
delay; after the last try the signer is told and anyone who reads the
document may ask again."""
import datetime
import logging

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from egov_base.tools import check_read_access, enqueue, retry_delay

from ..document import now
from ..exceptions import DocumentError
from .convert import ConversionError
from .pdf import render_pdf

logger = logging.getLogger(__name__)
QUEUE = 'egov_document_pdf'
MAX_TRIES = 5
RETRY_DELAY = 60        # seconds, doubled at each try
MAX_DELAY = 3600
# When the queued task is lost (a server stopped before running it), the
# cron takes the document after this
LOST_AFTER = datetime.timedelta(minutes=10)
STATES = [
    (None, ""),
    ('pending', "Being Made"),
    ('done', "Made"),
    ('failed', "Failed"),
    ]


class Outgoing(metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'

    signed_pdf = fields.Binary("Signed PDF", filename='signed_pdf_name',
        file_id='signed_pdf_id', readonly=True,
        help="The PDF of the document as it was signed (签发).")
    signed_pdf_id = fields.Char("Signed PDF ID", readonly=True)
    signed_pdf_name = fields.Char("Signed PDF Name", readonly=True)
    signed_pdf_state = fields.Selection(STATES, "Signed PDF State",
        readonly=True)
    signed_pdf_tries = fields.Integer("Signed PDF Tries", readonly=True)
    signed_pdf_next_try = fields.DateTime("Signed PDF Next Try",
        readonly=True)
    signed_pdf_error = fields.Char("Signed PDF Error", readonly=True,
        states={'invisible': ~Eval('signed_pdf_error')})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'make_signed_pdf': {
                    'invisible': Eval('signed_pdf_state') != 'failed',
                    'icon': 'tryton-refresh',
                    },
                })

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['signed_pdf', 'signed_pdf_name', 'signed_pdf_state',
                'signed_pdf_tries', 'signed_pdf_next_try',
                'signed_pdf_error']:
            default.setdefault(name, None)
        return super().copy(documents, default=default)

    def _step_sign(self, task):
        super()._step_sign(task)
        self.queue_signed_pdf()

    def queue_signed_pdf(self):
        "Queue the PDF of a Word body; any other body has none"
        values = {'signed_pdf': None, 'signed_pdf_name': None,
            'signed_pdf_state': None, 'signed_pdf_tries': 0,
            'signed_pdf_next_try': None, 'signed_pdf_error': None}
        try:
            readable = self.body_document() is not None
        except DocumentError:
            # The signer confirmed the finding: signed without a PDF
            readable = False
        if readable:
            values.update(signed_pdf_state='pending',
                signed_pdf_next_try=now() + LOST_AFTER)
        self._write(values)
        if readable:
            enqueue(self.__class__, 'make_signed_pdfs', [self], QUEUE)

    @classmethod
    def make_signed_pdfs(cls, documents):
        "Make the PDF of each document waiting for it, once"
        with without_check_access():
            for document in cls.browse([d.id for d in documents]):
                if document.signed_pdf_state == 'pending':
                    document.make_signed_pdf_once()

    def make_signed_pdf_once(self):
        try:
            pdf = render_pdf(self.render_sheet())
        except (ConversionError, DocumentError) as error:
            self.signed_pdf_failed(error)
            return
        self._write({
                'signed_pdf': pdf,
                'signed_pdf_name': self.rendered_name('pdf'),
                'signed_pdf_state': 'done',
                'signed_pdf_tries': (self.signed_pdf_tries or 0) + 1,
                'signed_pdf_next_try': None,
                'signed_pdf_error': None,
                })

    def signed_pdf_failed(self, error):
        tries = (self.signed_pdf_tries or 0) + 1
        if isinstance(error, DocumentError):
            message = error.message
        else:
            message = gettext('egov_document.msg_render_pdf_failed',
                document=self.title)
        values = {'signed_pdf_tries': tries,
            'signed_pdf_error': message[:250]}
        delay = None
        if tries >= MAX_TRIES:
            values.update(signed_pdf_state='failed',
                signed_pdf_next_try=None)
        else:
            delay = retry_delay(RETRY_DELAY, tries, MAX_DELAY)
            values['signed_pdf_next_try'] = now() + delay
        self._write(values)
        logger.warning("签发PDF未生成（发文%s，第%s次）：%s",
            self.id, tries, error)
        if delay is None:
            self.tell_signed_pdf_failure(message)
        else:
            enqueue(self.__class__, 'make_signed_pdfs', [self], QUEUE,
                delay=delay)

    def tell_signed_pdf_failure(self, message):
        "The signer learns the document stays without its PDF"
        user = self.signer or self.drafter
        if not user:
            return
        self.__class__.notify_user([self], 'tryton-warning',
            gettext('egov_document.msg_render_pdf_failed_label'),
            gettext('egov_document.msg_render_pdf_failed_notice',
                document=self.rec_name, error=message),
            user=user.id)

    @classmethod
    def make_signed_pdfs_due(cls):
        "The cron's sweep: the PDFs whose (next) try has come"
        with without_check_access():
            documents = cls.search([
                    ('signed_pdf_state', '=', 'pending'),
                    ('signed_pdf_next_try', '<=', now()),
                    ], order=[('id', 'ASC')], limit=100)
        cls.make_signed_pdfs(documents)

    @classmethod
    @ModelView.button
    def make_signed_pdf(cls, documents):
        "Queue a failed PDF again, from a fresh count"
        check_read_access(cls, documents)
        documents = [d for d in documents if d.signed_pdf_state == 'failed']
        with without_check_access():
            cls.write(documents, {
                    'signed_pdf_state': 'pending', 'signed_pdf_tries': 0,
                    'signed_pdf_next_try': now() + LOST_AFTER,
                    'signed_pdf_error': None,
                    })
        enqueue(cls, 'make_signed_pdfs', documents, QUEUE)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('egov.document.outgoing|make_signed_pdfs_due',
                "Make Due Signed PDFs"))
