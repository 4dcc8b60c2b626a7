"""签收 and 退回 of a 收文, told back to the platform it came from.

A 收文 waiting for 签收 may be signed for or returned (退回, with a
reason) by its unit's 收发员. A 收文 that came through the exchange then
sends its platform a signed 签收回执 (log.py send_status), queued and tried
again like a package, so the sender sees 已签收 or 已退回 on its 发文."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..document import now
from ..exceptions import DocumentError


class Incoming(metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'
    return_reason = fields.Text("Reason for Return", readonly=True,
        states={'invisible': Eval('receipt') != 'returned'})
    returned_by = fields.Many2One('res.user', "Returned By", readonly=True,
        ondelete='RESTRICT',
        states={'invisible': Eval('receipt') != 'returned'})
    returned_at = fields.DateTime("Returned At", readonly=True,
        states={'invisible': Eval('receipt') != 'returned'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.receipt.selection = cls.receipt.selection + [
            ('returned', "Returned")]
        cls._buttons.update({
                'return_document': {
                    'invisible': Eval('receipt') != 'pending',
                    'depends': ['receipt'],
                    'icon': 'tryton-back',
                    },
                })
        # A 收文 returned is not the unit's to handle
        for name in ['circulate', 'workflow_start']:
            cls._buttons[name]['invisible'] |= (
                Eval('receipt') == 'returned')

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['return_reason', 'returned_by', 'returned_at']:
            default.setdefault(name, None)
        return super().copy(documents, default=default)

    @classmethod
    @ModelView.button
    def sign_for(cls, documents):
        pending = [d for d in documents if d.receipt == 'pending']
        super().sign_for(documents)
        Log = Pool().get('egov.document.exchange.log')
        Log.send_status([d for d in pending if d.origin == 'exchange'],
            'signed')

    @classmethod
    @ModelView.button_action('egov_document.wizard_incoming_return')
    def return_document(cls, documents):
        "退回: the 收发员 sends a 收文 back, with the reason"

    @classmethod
    def return_(cls, documents, reason):
        "Return the 收文 waiting for 签收 to their senders"
        from egov_base.tools import check_write_access
        Log = Pool().get('egov.document.exchange.log')
        check_write_access(cls, documents)
        reason = (reason or '').strip()
        if not reason:
            raise DocumentError(gettext(
                    'egov_document.msg_exchange_return_reason'))
        pending = [d for d in documents if d.receipt == 'pending']
        with without_check_access():
            cls.write(pending, {
                    'receipt': 'returned',
                    'return_reason': reason,
                    'returned_by': Transaction().user,
                    'returned_at': now(),
                    })
        Log.send_status([d for d in pending if d.origin == 'exchange'],
            'returned', reason=reason)

    @classmethod
    @ModelView.button
    def workflow_start(cls, documents):
        for document in documents:
            if document.receipt == 'returned':
                raise DocumentError(gettext(
                        'egov_document.msg_exchange_incoming_returned',
                        document=document.rec_name))
        super().workflow_start(documents)


class ReturnStart(ModelView):
    "Return Incoming Document"
    __string__ = "Return Incoming Document"
    __name__ = 'egov.document.incoming.return.start'
    reason = fields.Text("Reason", required=True,
        help="Why the unit does not take the document; the sender reads it.")


class Return(Wizard):
    "Return Incoming Document"
    __string__ = "Return Incoming Document"
    __name__ = 'egov.document.incoming.return'
    start = StateView('egov.document.incoming.return.start',
        'egov_document.exchange_return_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'return_', 'tryton-ok', default=True),
            ])
    return_ = StateTransition()

    def transition_return_(self):
        reason = (self.start.reason or '').strip()[:2000]
        self.model.return_(list(self.records), reason)
        return 'end'
