"""收文: a document the unit received, from 签收 and 登记 to 办结, on the
process `document_incoming` (process.xml): 登记 → 拟办 → 批办 → 承办 (each
department named) → 办结. A 收文 comes from a 发文 of the platform
(dispatch.py), from another platform (exchange) or from paper, registered
by the unit's 收发员; it may be circulated (传阅) with read receipts."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from egov_base.relations import OwnedMany2Many
from egov_workflow.mixin import WorkflowMixin

from .document import DRAFT, DocumentMixin, now, set_by_person
from .exceptions import DocumentError

CATEGORIES = [
    ('superior', "From a Higher Organ"),
    ('level', "From a Peer Organ"),
    ('subordinate', "From a Lower Organ"),
    ('internal', "Internal"),
    ('other', "Other"),
    ]
ORIGINS = [
    ('paper', "Paper"),
    ('platform', "Platform"),
    ('exchange', "Exchange"),
    ]
RECEIPT = [
    ('pending', "To Sign For"),
    ('received', "Signed For"),
    ]


class Incoming(DocumentMixin, WorkflowMixin, ModelSQL, ModelView):
    "Incoming Document"
    __string__ = "Incoming Document"
    __name__ = 'egov.document.incoming'
    _egov_visibility = 'unit'
    # Access rows, the participants' rule and the buttons: document.xml
    _workflow_group = None
    _egov_search = {
        'title': 'title',
        'body': ['source_name', 'source_number', 'kind', 'unit'],
        'date': 'received_date',
        'unit': 'unit',
        'secrecy': 'search_secrecy',
        'attachments': True,
        'files': ['body'],
        }

    source_unit = fields.Many2One('egov.org.unit', "Sending Unit",
        ondelete='RESTRICT', states=DRAFT,
        help="The unit of the platform that sent it; empty for paper or "
        "another platform.")
    source_name = fields.Char("Sending Organ", required=True, strip=True,
        states=DRAFT, help="来文单位")
    source_number = fields.Char("Sender's Number", strip=True, states=DRAFT,
        help="来文字号")
    received_date = fields.Date("Received On", required=True, states=DRAFT)
    category = fields.Selection(CATEGORIES, "Category", sort=False,
        states=DRAFT)
    origin = fields.Selection(ORIGINS, "Origin", readonly=True)
    copies = fields.Integer("Copies", states=DRAFT,
        domain=['OR', ('copies', '=', None), ('copies', '>=', 1)])
    handlers = OwnedMany2Many('egov.document.incoming-handler.unit',
        'document', 'unit', "Handling Departments", states=DRAFT,
        domain=[('unit', '=', Eval('unit', -1))])
    outgoing = fields.Many2One('egov.document.outgoing', "Outgoing Document",
        readonly=True, ondelete='RESTRICT')
    receipt = fields.Selection(RECEIPT, "Receipt", readonly=True)
    received_by = fields.Many2One('res.user', "Signed For By", readonly=True,
        ondelete='RESTRICT')
    received_at = fields.DateTime("Signed For At", readonly=True)
    circulations = fields.One2Many('egov.document.circulation', 'document',
        "Circulation", readonly=True)
    registrar = fields.Many2One('res.user', "Registered By", readonly=True,
        ondelete='RESTRICT')

    _workflow_fields = {
        '*': {'title': 'read', 'source_name': 'read',
            'source_number': 'read', 'received_date': 'read',
            'secrecy': 'read', 'urgency': 'read', 'deadline': 'read',
            'handlers': 'read'},
        'register': {'title': 'required', 'source_name': 'required',
            'source_number': 'edit', 'urgency': 'edit', 'deadline': 'edit',
            'handlers': 'edit'},
        'propose': {'handlers': 'edit', 'deadline': 'edit'},
        'instruct': {'handlers': 'required', 'deadline': 'edit'},
        }

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('received_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'sign_for': {
                    'invisible': Eval('receipt') != 'pending',
                    'depends': ['receipt'],
                    },
                'circulate': {
                    'invisible': Eval('receipt') == 'pending',
                    'depends': ['receipt'],
                    },
                })
        # A 收文 waiting to be signed for is not submitted yet
        cls._buttons['workflow_start']['invisible'] |= (
            Eval('receipt') == 'pending')
        cls._buttons['workflow_start']['depends'].append('receipt')

    @classmethod
    def check_modification(cls, mode, incomings, values=None, external=False):
        super().check_modification(
            mode, incomings, values=values, external=external)
        if not set_by_person('outgoing', mode, values, external):
            return
        # The 发文 a 收文 came from is set by the dispatch and the scan:
        # one addressed to the 收文's unit, never any 发文 (a 机密 one)
        Outgoing = Pool().get('egov.document.outgoing')
        with without_check_access():
            for incoming in cls.browse(incomings):
                # Before a write, the records still hold the old values
                outgoing = (incoming.outgoing if mode == 'create'
                    else values['outgoing'] and Outgoing(values['outgoing']))
                if outgoing and incoming.unit not in outgoing.recipients:
                    raise DocumentError(gettext(
                            'egov_document.msg_incoming_outgoing_not_addressed',
                            unit=incoming.unit.rec_name))

    @classmethod
    def default_received_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_origin(cls):
        return 'paper'

    @classmethod
    def default_receipt(cls):
        return 'received'

    @classmethod
    def default_category(cls):
        return 'superior'

    def get_rec_name(self, name):
        if self.source_number:
            return '%s %s' % (self.source_number, self.title)
        return self.title

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('title', operator, value),
            ('source_number', operator, value),
            ('source_name', operator, value),
            ]

    def workflow_field(self, name):
        shown = super().workflow_field(name)
        if name == 'handlers':
            # The act dialog has no unit to evaluate the field's domain
            # with: the departments of this document's unit, by id
            unit = getattr(self, 'unit', None)
            shown['domain'] = [('unit', '=', unit.id if unit else -1)]
        return shown

    @fields.depends('source_unit', 'source_name')
    def on_change_source_unit(self):
        if self.source_unit and not self.source_name:
            self.source_name = self.source_unit.name

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['outgoing', 'received_by', 'received_at',
                'circulations', 'registrar']:
            default.setdefault(name, None)
        default.setdefault('origin', 'paper')
        default.setdefault('receipt', 'received')
        return super().copy(documents, default=default)

    @classmethod
    @ModelView.button
    def sign_for(cls, documents):
        "签收: the 收发员 takes a dispatched 收文 into the unit"
        from egov_base.tools import check_write_access
        check_write_access(cls, documents)
        pending = [d for d in documents if d.receipt == 'pending']
        with without_check_access():
            cls.write(pending, {
                    'receipt': 'received',
                    'received_by': Transaction().user,
                    'received_at': now(),
                    })

    @classmethod
    @ModelView.button_action('egov_document.wizard_circulate')
    def circulate(cls, documents):
        "传阅: choose the readers among the people of the unit"

    @classmethod
    @ModelView.button
    def workflow_start(cls, documents):
        for document in documents:
            if document.receipt == 'pending':
                raise DocumentError(gettext(
                        'egov_document.msg_incoming_sign_first',
                        document=document.rec_name))
        with without_check_access():
            cls.write([d for d in documents if not d.registrar],
                {'registrar': Transaction().user})
        super().workflow_start(documents)



class IncomingHandler(ModelSQL):
    "Incoming Document - Handling Department"
    __string__ = "Incoming Document - Handling Department"
    __name__ = 'egov.document.incoming-handler.unit'
    _egov_visibility = 'parent'
    document = fields.Many2One('egov.document.incoming', "Document",
        required=True, ondelete='CASCADE')
    unit = fields.Many2One('egov.org.unit', "Department", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        t = cls.__table__()
        # The units of a document (its form, 分发, the statistics)
        cls._sql_indexes.add(Index(t,
                (t.document, Index.Range()), (t.unit, Index.Range())))
