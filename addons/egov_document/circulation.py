"""传阅: a 收文 handed to people to read, each reading confirmed (read
receipts). Whoever has the document may circulate it to people of their
unit; a reader reads the document while the circulation is theirs."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.tools import check_read_access

from .document import now
from .exceptions import DocumentError


class Circulation(ModelSQL, ModelView):
    "Circulation"
    __string__ = "Circulation"
    __name__ = 'egov.document.circulation'
    _egov_visibility = 'parent'

    document = fields.Many2One('egov.document.incoming', "Document",
        required=True, ondelete='CASCADE', readonly=True)
    reader = fields.Many2One('res.user', "Reader", required=True,
        readonly=True, ondelete='RESTRICT')
    sender = fields.Many2One('res.user', "Sent By", readonly=True,
        ondelete='RESTRICT')
    sent_at = fields.DateTime("Sent At", readonly=True)
    note = fields.Char("Note", readonly=True)
    read_at = fields.DateTime("Read At", readonly=True)
    state = fields.Function(fields.Selection([
                ('unread', "Unread"),
                ('read', "Read"),
                ], "State"), 'get_state', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        cls._order = [('sent_at', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.document, Index.Range())),
                # The readers' rule: what was circulated to the person
                Index(t, (t.reader, Index.Range())),
                })
        cls._buttons.update({
                'confirm_read': {
                    'invisible': Eval('state') != 'unread',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def check_modification(
            cls, mode, circulations, values=None, external=False):
        super().check_modification(
            mode, circulations, values=values, external=external)
        # Made by send (传阅), which checks the readers' unit and 密级,
        # and marked read by confirm_read: never written by a person
        if external and mode in {'create', 'write'}:
            raise DocumentError(gettext(
                    'egov_document.msg_circulation_by_send'))

    def get_state(self, name):
        return 'read' if self.read_at else 'unread'

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause
        read = ('read_at', '!=', None)
        unread = ('read_at', '=', None)
        if operator == '=':
            return [read if value == 'read' else unread]
        return [unread if value == 'read' else read]

    @classmethod
    def send(cls, document, user_ids, note=None):
        """Circulate document to the users (people of the sender's unit)
        who do not have an unread circulation of it yet; tell them"""
        pool = Pool()
        User = pool.get('res.user')
        Message = pool.get('egov.notify.message')
        check_read_access(document.__class__, [document])
        if document.workflow_state == 'draft' and document.receipt == 'pending':
            raise DocumentError(gettext(
                    'egov_document.msg_circulation_unregistered',
                    document=document.rec_name))
        scope = User.get_org_scope()
        user_ids = set(map(int, user_ids))
        Employee = pool.get('egov.org.employee')
        with without_check_access():
            readers = User.browse({e.user.id for e in Employee.search([
                        ('user', 'in', list(user_ids)),
                        ('unit', '=', scope['unit']),
                        ])}) if scope['unit'] else []
        if len(readers) != len(user_ids):
            raise DocumentError(gettext(
                    'egov_document.msg_circulation_outside_unit'))
        for reader in readers:
            document.check_holders_clearance([reader.id], {
                    'name': gettext('egov_document.msg_circulation_step')})
        with without_check_access():
            waiting = {c.reader.id for c in cls.search([
                        ('document', '=', document.id),
                        ('read_at', '=', None),
                        ])}
            new = [r for r in readers if r.id not in waiting]
            circulations = cls.create([{
                        'document': document.id,
                        'reader': r.id,
                        'sender': Transaction().user,
                        'sent_at': now(),
                        'note': note,
                        } for r in new])
        if new:
            Message.send('egov_document', 'circulation',
                {'users': [r.id for r in new]},
                {'title': document.title, 'sender': User(
                        Transaction().user).rec_name, 'note': note or ''},
                record=document)
        return circulations

    @classmethod
    @ModelView.button
    def confirm_read(cls, circulations):
        "已阅: only the reader confirms their own reading"
        user = Transaction().user
        mine = [c for c in circulations if c.reader.id == user]
        if len(mine) != len(circulations):
            raise DocumentError(gettext(
                    'egov_document.msg_circulation_not_yours'))
        with without_check_access():
            cls.write([c for c in mine if not c.read_at],
                {'read_at': now()})


class CirculateStart(ModelView):
    "Circulate a Document"
    __string__ = "Circulate a Document"
    __name__ = 'egov.document.circulate.start'
    readers = fields.Many2Many('res.user', None, None, "Readers",
        required=True, domain=[('id', 'in', Eval('colleagues', []))],
        help="People of your unit who read the document.")
    colleagues = fields.Many2Many('res.user', None, None, "Colleagues",
        readonly=True)
    note = fields.Char("Note", strip=True)


class Circulate(Wizard):
    "Circulate a Document"
    __name__ = 'egov.document.circulate'
    start = StateView('egov.document.circulate.start',
        'egov_document.circulate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Circulate", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        scope = User.get_org_scope()
        with without_check_access():
            colleagues = [e.user.id for e in Employee.search([
                        ('unit', '=', scope['unit']),
                        ('user', '!=', None),
                        ('user', '!=', Transaction().user),
                        ])] if scope['unit'] else []
        return {'colleagues': colleagues}

    def transition_send(self):
        Circulation = Pool().get('egov.document.circulation')
        Circulation.send(self.record, [u.id for u in self.start.readers],
            note=self.start.note)
        return 'end'
