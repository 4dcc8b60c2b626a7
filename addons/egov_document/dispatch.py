"""分发: a signed, numbered and sealed 发文 goes to its 主送 and 抄送 units.
Each unit of the platform gets a 收文 waiting to be signed for (签收) in its
own inbox, with the sender's data filled in; its 收发员 (the people whose
post carries the document clerk role) are told. Units on other platforms
are reached through the exchange (exchange/)."""
from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .document import now
from .exceptions import DispatchError


class Dispatch(Model):
    "Dispatch of Outgoing Documents"
    __string__ = "Dispatch of Outgoing Documents"
    __name__ = 'egov.document.dispatch'

    @classmethod
    def dispatch(cls, outgoing):
        "Send outgoing to its recipients; return the 收文 made"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Outgoing = pool.get('egov.document.outgoing')
        if outgoing.dispatched_at:
            raise DispatchError(gettext(
                    'egov_document.msg_dispatch_twice',
                    document=outgoing.rec_name))
        units = outgoing.recipients
        if not units:
            raise DispatchError(gettext(
                    'egov_document.msg_outgoing_no_recipient',
                    document=outgoing.title))
        outgoing.check_unit_clearance(units)
        today = pool.get('ir.date').today()
        values = [cls._incoming_values(outgoing, unit, today)
            for unit in units]
        with without_check_access():
            # The body is stored once and shared by the 收文 (Tryton removes
            # a file of a model's field only when no record of it uses it)
            first = Incoming.create(values[:1])
            if outgoing.body:
                for value in values[1:]:
                    value['body_id'] = first[0].body_id
            for value in values[1:]:
                value.pop('body', None)
            incomings = first + Incoming.create(values[1:])
            Outgoing.write([outgoing], {'dispatched_at': now()})
        cls.tell_clerks(outgoing, units)
        return incomings

    @classmethod
    def _incoming_values(cls, outgoing, unit, today):
        "The 收文 of unit for outgoing, as the sender wrote it"
        return {
            'title': outgoing.title,
            'kind': outgoing.kind.id if outgoing.kind else None,
            'unit': unit.id,
            'source_unit': outgoing.unit.id,
            'source_name': outgoing.unit.name,
            'source_number': outgoing.number,
            'secrecy': outgoing.secrecy,
            'secrecy_years': outgoing.secrecy_years,
            'urgency': outgoing.urgency,
            'received_date': today,
            'category': 'superior',
            'origin': 'platform',
            'receipt': 'pending',
            'outgoing': outgoing.id,
            'copies': 1,
            'body': outgoing.body,
            'body_name': outgoing.body_name,
            }

    @classmethod
    def clerks_of(cls, units):
        "The posts of units (and their departments) with the clerk role"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        PostGroup = pool.get('egov.org.post-res.group')
        clerk = ModelData.get_id('egov_document', 'group_document_clerk')
        with without_check_access():
            links = PostGroup.search([
                    ('group', '=', clerk),
                    ('post.unit', 'child_of', [u.id for u in units],
                        'parent'),
                    ])
        return list({l.post.id for l in links})

    @classmethod
    def tell_clerks(cls, outgoing, units):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        posts = cls.clerks_of(units)
        if not posts:
            return
        Message.send('egov_document', 'incoming_dispatched',
            {'posts': posts}, {
                'title': outgoing.title,
                'number': outgoing.number or '',
                'sender': outgoing.unit.name,
                },
            urgency='urgent' if outgoing.urgency != 'normal' else 'normal',
            sender=Transaction().user or None)
