"""扫码确认收文: a clerk scans the code of a paper document (the page of
routes.py, or any client over RPC) and the platform

- finds the 发文 by its verification token (QR) or by 文号 and 发文单位
  (the PDF417 of GB0626-2005);
- signs for (签收) the 收文 waiting in the clerk's unit, or registers a
  paper 收文 of the unit from the code's data when none waits (a 发文 of
  the platform handed on paper, or a document of another organ);
- stamps who and when, starts the 收文 process and its follow-up.

All of it happens in the RPC's transaction: a refusal (garbage, a unit
that is not a recipient, a document received before, a picture that is
none) saves nothing. The sender's 发文 is looked up without the clerk's
rights (they cannot read it): what the answer names of it is what the
paper in their hands shows already, and a 收文 is only ever touched with
the clerk's own rights."""
import re

from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import StateAction, Wizard

from ..document import now
from ..secrecy import reaches
from . import codes, gb0626
from .exceptions import ScanError

# A verification link of the platform (the QR), its token at the end
VERIFY = re.compile(r'/egov/document/verify/([A-Za-z0-9_-]{20,64})/?$')
MAX_TEXT = 4000


class Scan(Model):
    "Receipt by Scan"
    __string__ = "Receipt by Scan"
    __name__ = 'egov.document.scan'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'receive_text': RPC(readonly=False),
                'receive_image': RPC(readonly=False),
                })

    @classmethod
    def receive_text(cls, text):
        "Receive the document of the text a reader decoded (QR, PDF417)"
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise ScanError(gettext('egov_document.msg_scan_garbage'))
        return cls.receive([text])

    @classmethod
    def receive_image(cls, data):
        "Receive the document of the code in a picture (bytes)"
        if not isinstance(data, (bytes, bytearray)):
            raise ScanError(gettext('egov_document.msg_scan_not_image'))
        try:
            found = codes.read(bytes(data))
        except codes.ImageRefused as refusal:
            if refusal.reason == 'too_big':
                raise ScanError(gettext(
                        'egov_document.msg_scan_image_too_big',
                        limit='%d MB / %d MP' % (
                            codes.MAX_IMAGE_BYTES // 2 ** 20,
                            codes.MAX_PIXELS // 10 ** 6)))
            raise ScanError(gettext('egov_document.msg_scan_not_image'))
        if not found:
            raise ScanError(gettext('egov_document.msg_scan_no_code'))
        return cls.receive(found)

    @classmethod
    def receive(cls, contents):
        """Receive the document of the first content that is a code of a
        document: a verification link before a GB0626 payload"""
        token, values = None, None
        for content in contents:
            if isinstance(content, str):
                match = VERIFY.search(content.strip())
                if match:
                    token = match.group(1)
                    break
            if values is None:
                try:
                    values = gb0626.decode(content)
                except gb0626.PayloadError:
                    pass
        if token is None and values is None:
            raise ScanError(gettext('egov_document.msg_scan_garbage'))
        unit = cls.clerk_unit()
        outgoing = cls.find_outgoing(token, values)
        if outgoing is None and token:
            raise ScanError(gettext('egov_document.msg_scan_unknown_token'))
        if outgoing is not None:
            incoming, action = cls.receive_outgoing(outgoing, unit)
        else:
            incoming, action = cls.register_paper(values, unit), 'registered'
        return cls.started(incoming, action)

    @classmethod
    def clerk_unit(cls):
        "The unit of the user, who must be one of its document clerks"
        pool = Pool()
        User = pool.get('res.user')
        Unit = pool.get('egov.org.unit')
        ModelData = pool.get('ir.model.data')
        clerk = ModelData.get_id('egov_document', 'group_document_clerk')
        unit = User.get_org_scope()['unit']
        if not unit or clerk not in User.get_groups():
            raise ScanError(gettext('egov_document.msg_scan_no_clerk'))
        return Unit(unit)

    @classmethod
    def find_outgoing(cls, token, values):
        Outgoing = Pool().get('egov.document.outgoing')
        with without_check_access():
            if token:
                domain = [('verify_token', '=', token)]
            elif values['number']:
                domain = [('number', '=', values['number']),
                    ('unit.name', '=', values['organ'])]
            else:
                return None
            found = Outgoing.search(domain, limit=1)
        return found[0] if found else None

    @classmethod
    def receive_outgoing(cls, outgoing, unit):
        "(收文, action) of a 发文 of the platform received by unit"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Rule = pool.get('ir.rule')
        user = Transaction().user
        with without_check_access():
            if not outgoing.number:
                raise ScanError(gettext(
                        'egov_document.msg_scan_not_issued'))
            label = outgoing.number
            existing = Incoming.search([
                    ('outgoing', '=', outgoing.id),
                    ('unit', '=', unit.id),
                    ], order=[('id', 'ASC')])
            recipients = {u.id for u in outgoing.recipients}
            received = [i for i in existing if i.receipt == 'received']
            if received:
                cls.refuse_received(received[0], label, unit)
            if not existing and unit.id not in recipients:
                raise ScanError(gettext(
                        'egov_document.msg_scan_not_recipient',
                        document=label, sender=outgoing.unit.name,
                        unit=unit.name))
            secrecy = outgoing.secrecy
            values = outgoing.gb0626_values()
            links = {'source_unit': outgoing.unit.id,
                'kind': outgoing.kind.id if outgoing.kind else None,
                'outgoing': outgoing.id}
        if not reaches(Rule.clearance_of(user), secrecy):
            raise ScanError(gettext('egov_document.msg_scan_not_cleared',
                    document=label))
        if existing:
            # With the clerk's rights: the 收文 is theirs to sign for
            incoming = Incoming(existing[0].id)
            Incoming.sign_for([incoming])
            return incoming, 'signed'
        incoming = cls.create_incoming(values, unit, links)
        return incoming, 'registered'

    @classmethod
    def refuse_received(cls, incoming, label, unit):
        raise ScanError(gettext('egov_document.msg_scan_received_before',
                document=label, unit=unit.name,
                user=incoming.received_by.rec_name
                if incoming.received_by else '',
                time=incoming.received_at.strftime('%Y-%m-%d %H:%M')
                if incoming.received_at else ''))

    @classmethod
    def register_paper(cls, values, unit):
        "The paper 收文 of a document of another organ, from its code"
        Incoming = Pool().get('egov.document.incoming')
        with without_check_access():
            domain = [('unit', '=', unit.id),
                ('source_name', '=', values['organ']),
                ('origin', '=', 'paper')]
            if values['number']:
                domain.append(('source_number', '=', values['number']))
            else:
                domain.append(('title', '=', values['title']))
            existing = Incoming.search(domain, limit=1)
            if existing:
                cls.refuse_received(existing[0],
                    values['number'] or values['title'], unit)
        if not values['title']:
            raise ScanError(gettext('egov_document.msg_scan_garbage'))
        return cls.create_incoming(values, unit)

    @classmethod
    def create_incoming(cls, values, unit, links=None):
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Rule = pool.get('ir.rule')
        try:
            secrecy, years = gb0626.secrecy_of(values['secrecy'])
            urgency = gb0626.urgency_of(values['urgency'])
        except gb0626.PayloadError:
            raise ScanError(gettext('egov_document.msg_scan_garbage'))
        if not reaches(Rule.clearance_of(Transaction().user), secrecy):
            raise ScanError(gettext('egov_document.msg_scan_not_cleared',
                    document=values['number'] or ''))
        links = links or {}
        copies = values.get('copies') or ''
        incoming, = Incoming.create([{
                    'unit': unit.id,
                    'title': values['title'],
                    'source_unit': links.get('source_unit'),
                    'source_name': values['organ'],
                    'source_number': values['number'] or None,
                    'secrecy': secrecy,
                    'secrecy_years': years,
                    'urgency': urgency,
                    'kind': links.get('kind'),
                    'copies': int(copies)
                    if copies.isascii() and copies.isdigit()
                    and 0 < int(copies) < 10000 else None,
                    }])
        with without_check_access():
            Incoming.write([incoming], {
                    'origin': 'paper',
                    'outgoing': links.get('outgoing'),
                    'receipt': 'received',
                    'received_by': Transaction().user,
                    'received_at': now(),
                    })
        return Incoming(incoming.id)

    @classmethod
    def started(cls, incoming, action):
        "Start the 收文's process and follow-up; the answer to the page"
        Incoming = Pool().get('egov.document.incoming')
        Incoming.workflow_start([incoming])
        Incoming.scan_follow_up([incoming])
        incoming = Incoming(incoming.id)
        return {
            'action': action,
            'id': incoming.id,
            'title': incoming.title,
            'number': incoming.source_number or '',
            'source': incoming.source_name,
            'received_at': incoming.received_at,
            'message': gettext('egov_document.msg_scan_%s' % action,
                document=incoming.rec_name),
            }



class ScanOpen(Wizard):
    "Open the Scan Page"
    __name__ = 'egov.document.scan.open'
    start = StateAction('egov_document.url_scan_page')

    def do_start(self, action):
        action['url'] = '/%s/egov/document/scan' % (
            Transaction().database.name)
        return action, {}
