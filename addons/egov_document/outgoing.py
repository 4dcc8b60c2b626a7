"""发文: a document the unit sends, from 拟稿 to 分发, on the process
`document_outgoing` (process.xml): 拟稿 → 核稿 → 会签 (when units are named)
→ 签发 → 编号 → 用印 → 分发. At 分发 each receiving unit of the platform
gets a 收文 to sign for (dispatch.py)."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from egov_workflow.mixin import WorkflowMixin

from .document import DRAFT, DocumentMixin, now
from .exceptions import DocumentError

DISCLOSURE = [
    ('public', "Public"),
    ('on_request', "On Request"),
    ('not_public', "Not Public"),
    ]


class Outgoing(DocumentMixin, WorkflowMixin, ModelSQL, ModelView):
    "Outgoing Document"
    __string__ = "Outgoing Document"
    __name__ = 'egov.document.outgoing'
    _egov_visibility = 'unit'
    # Access rows, the participants' rule and the buttons: document.xml
    _workflow_group = None
    _egov_search = {
        'title': 'title',
        'body': ['number', 'summary', 'kind', 'unit'],
        'date': 'create_date',
        'unit': 'unit',
        'secrecy': 'search_secrecy',
        'attachments': True,
        'files': ['body'],
        }

    department = fields.Many2One('egov.org.unit', "Drafting Department",
        ondelete='RESTRICT', states=DRAFT)
    drafter = fields.Many2One('res.user', "Drafter", readonly=True,
        ondelete='RESTRICT')
    disclosure = fields.Selection(DISCLOSURE, "Disclosure", sort=False,
        states=DRAFT)
    summary = fields.Text("Summary", states=DRAFT)
    # Tryton searches a Text field by PostgreSQL's full text, which does
    # not cut Chinese into words: a substring would not be found
    summary.search_full_text = False
    main_recipients = fields.Many2Many(
        'egov.document.outgoing-main.unit', 'document', 'unit',
        "Main Recipients", states=DRAFT,
        domain=[('kind', '!=', 'department')])
    copy_recipients = fields.Many2Many(
        'egov.document.outgoing-copy.unit', 'document', 'unit',
        "Copy Recipients", states=DRAFT,
        domain=[('kind', '!=', 'department')])
    cosign_units = fields.Many2Many(
        'egov.document.outgoing-cosign.unit', 'document', 'unit',
        "Countersigning Units", states=DRAFT)
    numbering = fields.Many2One('egov.document.numbering', "Numbering Rule",
        ondelete='RESTRICT', states=DRAFT,
        domain=[('unit', '=', Eval('unit', -1))])
    number = fields.Char("Document Number", readonly=True,
        help="发文字号, taken at 编号.")
    manual_number = fields.Char("Number Typed", strip=True,
        states={'readonly': Eval('workflow_state') != 'running'},
        help="At 编号: a reserved number, or the number of a manual rule; "
        "empty: the next number.")
    copies = fields.Integer("Copies", states=DRAFT,
        domain=['OR', ('copies', '=', None), ('copies', '>=', 1)],
        help="印发份数")
    signer = fields.Many2One('res.user', "Signed By", readonly=True,
        ondelete='RESTRICT')
    signed_at = fields.DateTime("Signed At", readonly=True)
    sealed_by = fields.Many2One('res.user', "Sealed By", readonly=True,
        ondelete='RESTRICT')
    sealed_at = fields.DateTime("Sealed At", readonly=True)
    dispatched_at = fields.DateTime("Dispatched At", readonly=True)
    incomings = fields.One2Many('egov.document.incoming', 'outgoing',
        "Received As", readonly=True)
    dispatch_status = fields.Function(fields.Text("Dispatch Status"),
        'get_dispatch_status')

    # What the holder of each step reads, fills or must fill
    _workflow_fields = {
        '*': {'title': 'read', 'kind': 'read', 'number': 'read',
            'secrecy': 'read', 'urgency': 'read', 'summary': 'read',
            'main_recipients': 'read', 'copy_recipients': 'read',
            'cosign_units': 'read'},
        # 文种 is chosen on the 发文单 before 提交 (checked there): the act
        # dialog has no field of its kind
        'draft': {'title': 'required',
            'main_recipients': 'edit', 'copy_recipients': 'edit',
            'cosign_units': 'edit', 'summary': 'edit', 'urgency': 'edit',
            'secrecy': 'edit'},
        'review': {'title': 'edit', 'summary': 'edit',
            'cosign_units': 'edit'},
        'sign': {'main_recipients': 'edit', 'copy_recipients': 'edit'},
        'number': {'copies': 'edit', 'manual_number': 'edit'},
        }

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_drafter(cls):
        return Transaction().user or None

    @classmethod
    def default_department(cls):
        User = Pool().get('res.user')
        return User.get_org_scope()['department']

    @classmethod
    def default_disclosure(cls):
        return 'public'

    @classmethod
    def get_dispatch_status(cls, documents, name):
        """Per receiving unit, whether its 收文 was signed for and when: the
        sender follows the dispatch without reading the receivers' 收文"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Unit = pool.get('egov.org.unit')
        incoming = Incoming.__table__()
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        result = {d.id: None for d in documents}
        states = dict(Incoming.fields_get(['receipt'])['receipt']['selection'])
        ids = [d.id for d in documents if d.dispatched_at]
        if not ids:
            return result
        cursor.execute(*incoming.join(unit,
                condition=unit.id == incoming.unit).select(
                incoming.outgoing, unit.name, incoming.receipt,
                incoming.received_at,
                where=incoming.outgoing.in_(ids),
                order_by=[incoming.outgoing, incoming.id]))
        lines = {}
        for outgoing, unit_name, receipt, received_at in cursor:
            line = '%s：%s' % (unit_name, states.get(receipt, receipt))
            if received_at:
                line += '（%s）' % str(received_at)[:16]
            lines.setdefault(outgoing, []).append(line)
        for outgoing, found in lines.items():
            result[outgoing] = '\n'.join(found)
        return result

    def get_rec_name(self, name):
        if self.number:
            return '%s %s' % (self.number, self.title)
        return self.title

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('title', operator, value),
            ('number', operator, value),
            ]

    @property
    def recipients(self):
        "The units the document goes to: 主送 then 抄送, each once"
        seen, result = set(), []
        for unit in list(self.main_recipients) + list(self.copy_recipients):
            if unit.id not in seen:
                seen.add(unit.id)
                result.append(unit)
        return result

    @classmethod
    def validate_fields(cls, documents, field_names):
        super().validate_fields(documents, field_names)
        if field_names is None or set(field_names) & {
                'secrecy', 'main_recipients', 'copy_recipients'}:
            for document in documents:
                document.check_unit_clearance(document.recipients)

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'manual_number', 'signer', 'signed_at', 'sealed_by',
                'sealed_at', 'dispatched_at', 'incomings', 'drafter']:
            default.setdefault(name, None)
        return super().copy(documents, default=default)

    # The process

    @classmethod
    @ModelView.button
    def workflow_start(cls, documents):
        for document in documents:
            if not document.kind:
                raise DocumentError(gettext(
                        'egov_workflow.msg_workflow_form_required',
                        field=document._workflow_label('kind')))
        super().workflow_start(documents)

    def workflow_step_done(self, task, decision):
        super().workflow_step_done(task, decision)
        if decision != 'approve':
            return
        step = getattr(self, '_step_' + task.step, None)
        if step:
            step(task)

    def _step_draft(self, task):
        if not self.recipients:
            raise DocumentError(gettext(
                    'egov_document.msg_outgoing_no_recipient',
                    document=self.title))

    def _step_sign(self, task):
        "签发: only a person with the right to sign, for their unit"
        User = Pool().get('res.user')
        if not User.may_sign_for(Transaction().user, self.unit):
            raise DocumentError(gettext(
                    'egov_document.msg_outgoing_sign_right',
                    user=User(Transaction().user).rec_name,
                    unit=self.unit.rec_name))
        self._write({'signer': Transaction().user, 'signed_at': now()})

    def _step_number(self, task):
        "编号: the next number of the unit's rule for the kind"
        Numbering = Pool().get('egov.document.numbering')
        if self.number:
            return
        number = Numbering.number_document(self)
        self._write({'number': number})

    def _step_seal(self, task):
        if not self.number:
            raise DocumentError(gettext(
                    'egov_document.msg_outgoing_seal_unnumbered',
                    document=self.title))
        self._write({'sealed_by': Transaction().user, 'sealed_at': now()})

    def _step_dispatch(self, task):
        Dispatch = Pool().get('egov.document.dispatch')
        Dispatch.dispatch(self)

    def _write(self, values):
        with without_check_access():
            self.__class__.write([self], values)


class _OutgoingUnit(ModelSQL):
    _egov_visibility = 'parent'
    document = fields.Many2One('egov.document.outgoing', "Document",
        required=True, ondelete='CASCADE')
    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        t = cls.__table__()
        # The units of a document (its form, 分发, the statistics)
        cls._sql_indexes.add(Index(t,
                (t.document, Index.Range()), (t.unit, Index.Range())))


class OutgoingMainUnit(_OutgoingUnit):
    __string__ = "Outgoing Document - Main Recipient"
    __name__ = 'egov.document.outgoing-main.unit'


class OutgoingCopyUnit(_OutgoingUnit):
    __string__ = "Outgoing Document - Copy Recipient"
    __name__ = 'egov.document.outgoing-copy.unit'


class OutgoingCosignUnit(_OutgoingUnit):
    __string__ = "Outgoing Document - Countersigning Unit"
    __name__ = 'egov.document.outgoing-cosign.unit'
