"""会议通知报名: the units invited (a quota each) and the attendees they
register or decline, the people invited by name or post, and the status
board the organiser reads: per unit sent / read (from the notification
service's deliveries) / registered / declined / silent."""
import datetime
import logging
import re
import secrets

from sql import Null
from sql.aggregate import Count
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice, reduce_ids
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.tools import SlicedBrowseMixin

from .exceptions import RegistrationError
from .guard import InternalFieldsMixin
from .room import user_units

logger = logging.getLogger(__name__)
BOARD = [
    ('not_sent', "Not Sent"),
    ('sent', "Sent, Unread"),
    ('read', "Read, Silent"),
    ('registered', "Registered"),
    ('declined', "Declined"),
    ]
ATTENDEE_STATES = [
    ('invited', "Invited"),
    ('registered', "Registered"),
    ('declined', "Declined"),
    ]
# What an SMS answer may carry after its option: "2 请假 出差在外"
LEAVE_WORD = re.compile(r'^\s*\S{1,4}\s*(请假)?\s*')


def organiser_units():
    return user_units()


class Invitation(
        InternalFieldsMixin, SlicedBrowseMixin, ModelSQL, ModelView):
    __name__ = 'egov.meeting.invitation'
    __string__ = "Unit Invited"
    _egov_visibility = 'unit'
    _internal_fields = {'declined', 'reason', 'answered_by', 'answered_at'}

    meeting = fields.Many2One('egov.meeting.meeting', "Meeting",
        required=True, ondelete='CASCADE')
    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='RESTRICT', domain=[('kind', '!=', 'department')])
    quota = fields.Integer("Quota", required=True,
        domain=[('quota', '>=', 1), ('quota', '<=', 500)],
        help="How many people the unit may register.")
    attendees = fields.One2Many('egov.meeting.attendee', 'invitation',
        "Attendees", states={'readonly': Eval('declined', False)})
    declined = fields.Boolean("Declined", readonly=True)
    reason = fields.Char("Reason for Declining", readonly=True)
    answered_by = fields.Many2One('res.user', "Answered by", readonly=True)
    answered_at = fields.Timestamp("Answered at", readonly=True)
    status = fields.Function(fields.Selection(BOARD, "Status"), 'get_board')
    sent_count = fields.Function(fields.Integer("Sent"), 'get_board')
    read_count = fields.Function(fields.Integer("Read"), 'get_board')
    registered_count = fields.Function(fields.Integer("Registered"),
        'get_board')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('meeting_unit_unique', Unique(t, t.meeting, t.unit),
                'egov_meeting.msg_invitation_unique'),
            ]
        cls._buttons.update({
                'decline': {
                    'invisible': Eval('declined', False),
                    'depends': ['declined'],
                    },
                })

    def get_rec_name(self, name):
        return '%s - %s' % (self.meeting.rec_name, self.unit.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('unit.rec_name',) + tuple(clause[1:])]

    @classmethod
    def default_quota(cls):
        return 1

    @classmethod
    def default_declined(cls):
        return False

    @classmethod
    def check_modification(cls, mode, invitations, values=None,
            external=False):
        "The invited units answer; the organiser alone sets who and how many"
        super().check_modification(mode, invitations, values=values,
            external=external)
        if not external:
            return
        units = organiser_units()
        if mode == 'write' and not set(values) <= {'attendees'}:
            for invitation in invitations:
                if invitation.meeting.unit.id not in units:
                    raise RegistrationError(gettext(
                            'egov_meeting.msg_invitation_organiser_only'))

    @classmethod
    def get_board(cls, invitations, names):
        """The board of the invitations in three queries: the people of
        each unit the notices reached and read, and the registrations"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        Employee = pool.get('egov.org.employee')
        Attendee = pool.get('egov.meeting.attendee')
        Meeting = pool.get('egov.meeting.meeting')
        # Values, not records: the board of 500 units in a few queries
        ids = [i.id for i in invitations]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        if 'status' in result:
            result['status'] = dict.fromkeys(ids, 'not_sent')
        cursor = Transaction().connection.cursor()
        table, meeting_t = cls.__table__(), Meeting.__table__()
        message, delivery = Message.__table__(), Delivery.__table__()
        employee, attendee = Employee.__table__(), Attendee.__table__()
        by_meeting = {}
        for sub in grouped_slice(ids, 1000):
            cursor.execute(*table.join(meeting_t,
                    condition=meeting_t.id == table.meeting).select(
                    table.id, table.meeting, table.unit, table.declined,
                    meeting_t.notice_sent_at,
                    where=reduce_ids(table.id, sub)))
            for row in cursor:
                by_meeting.setdefault(row[1], []).append(row)
        for meeting_id, group in by_meeting.items():
            units = list({r[2] for r in group})
            origin = 'egov.meeting.meeting,%d' % meeting_id
            cursor.execute(*delivery
                .join(message, condition=message.id == delivery.message)
                .join(employee, condition=employee.user == delivery.user)
                .select(employee.unit,
                    Count(delivery.user, distinct=True),
                    Count(Case((delivery.read_at != Null, delivery.user)),
                        distinct=True),
                    where=(message.origin == origin)
                    & employee.unit.in_(units)
                    & (delivery.channel == 'inapp'),
                    group_by=[employee.unit]))
            sent, read = {}, {}
            for unit, sent_count, read_count in cursor:
                sent[unit], read[unit] = sent_count, read_count
            cursor.execute(*attendee.select(attendee.invitation,
                    Count(attendee.id),
                    where=attendee.invitation.in_([r[0] for r in group])
                    & (attendee.state == 'registered'),
                    group_by=[attendee.invitation]))
            registered = dict(cursor)
            for id_, _, unit, declined, noticed in group:
                counts = {
                    'sent_count': sent.get(unit, 0),
                    'read_count': read.get(unit, 0),
                    'registered_count': registered.get(id_, 0),
                    }
                for name, value in counts.items():
                    if name in result:
                        result[name][id_] = value
                if 'status' in result:
                    if declined:
                        status = 'declined'
                    elif counts['registered_count']:
                        status = 'registered'
                    elif counts['read_count']:
                        status = 'read'
                    elif counts['sent_count'] or noticed:
                        status = 'sent'
                    else:
                        status = 'not_sent'
                    result['status'][id_] = status
        return result

    def check_answerer(self):
        "The invited unit answers (or the organiser for it)"
        units = user_units()
        if Transaction().user and not (self.unit.id in units
                or self.meeting.unit.id in units):
            raise RegistrationError(gettext(
                    'egov_meeting.msg_not_invited_unit',
                    unit=self.unit.rec_name))

    @classmethod
    @ModelView.button_action('egov_meeting.wizard_invitation_decline')
    def decline(cls, invitations):
        pass

    @classmethod
    def do_decline(cls, invitations, reason):
        Attendee = Pool().get('egov.meeting.attendee')
        reason = (reason or '').strip()[:200]
        if not reason:
            raise RegistrationError(gettext(
                    'egov_meeting.msg_decline_reason'))
        for invitation in invitations:
            invitation.check_answerer()
            invitation.meeting.check_open()
        with without_check_access():
            Attendee.write([a for i in invitations for a in i.attendees
                    if a.state != 'declined'] or [], {'state': 'declined'})
            cls.write(invitations, {
                    'declined': True, 'reason': reason,
                    'answered_by': Transaction().user or None,
                    'answered_at': datetime.datetime.now(),
                    })


class Attendee(
        InternalFieldsMixin, SlicedBrowseMixin, ModelSQL, ModelView):
    __name__ = 'egov.meeting.attendee'
    __string__ = "Attendee"
    _egov_visibility = 'unit'
    _internal_fields = {'signed_at', 'signed_by', 'code', 'seat_row',
        'seat_number', 'reason', 'meeting'}

    meeting = fields.Many2One('egov.meeting.meeting', "Meeting",
        required=True, ondelete='CASCADE', readonly=True)
    invitation = fields.Many2One('egov.meeting.invitation', "For Unit",
        ondelete='CASCADE', readonly=True)
    employee = fields.Many2One('egov.org.employee', "Person",
        ondelete='SET NULL')
    name = fields.Char("Name", required=True, strip=True)
    post = fields.Char("Post", strip=True)
    phone = fields.Char("Phone", strip=True)
    substitute_for = fields.Char("Substitute for", strip=True,
        help="代会: the person this attendee replaces.")
    state = fields.Selection(ATTENDEE_STATES, "State", required=True,
        readonly=True)
    reason = fields.Char("Reason for Leave", readonly=True)
    signed_at = fields.Timestamp("Signed in at", readonly=True)
    signed_by = fields.Many2One('res.user', "Signed in by", readonly=True)
    late = fields.Function(fields.Boolean("Late"), 'get_late')
    code = fields.Char("Personal Code", readonly=True)
    seat_row = fields.Integer("Row", readonly=True,
        help="0: the rostrum (主席台).")
    seat_number = fields.Integer("Seat", readonly=True)
    seat = fields.Function(fields.Char("Seat"), 'get_seat')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('meeting', 'DESC'), ('seat_row', 'ASC NULLS LAST'),
            ('seat_number', 'ASC NULLS LAST'), ('id', 'ASC')]
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'egov_meeting.msg_attendee_code_unique'),
            # One person a seat, even when two organisers arrange at once
            ('seat_unique', Unique(t, t.meeting, t.seat_row, t.seat_number),
                'egov_meeting.msg_attendee_seat_unique'),
            ]
        cls._buttons.update({
                'sign_in_manually': {
                    'invisible': Eval('state') == 'declined',
                    'readonly': Eval('signed_at', None) != None,  # noqa
                    'depends': ['state', 'signed_at'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'registered'

    # The personal code signs its attendee in (a guest without a login by
    # whoever scans it): read by the attendee and the organisers only, and
    # searched, sorted or exported by no one (egov_base's field guard)

    @classmethod
    def _guard_partial_fields(cls, tokens):
        return set(tokens) & {'code'}

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        transaction = Transaction()
        if (transaction.check_access and transaction.user
                and 'code' in fields_names):
            shown = cls._code_readable(ids)
            for row in result:
                if row['id'] not in shown:
                    row['code'] = None
        return result

    @classmethod
    def _code_readable(cls, ids):
        "The ids of ids whose personal code the user may read"
        user = Transaction().user
        units = user_units()
        readable = set()
        with without_check_access():
            for attendee in cls.browse(ids):
                employee = attendee.employee
                if (attendee.meeting.unit.id in units or (
                            employee and employee.user
                            and employee.user.id == user)):
                    readable.add(attendee.id)
        return readable

    @fields.depends('employee', 'name', 'post', 'phone')
    def on_change_employee(self):
        if self.employee:
            self.name = self.employee.name
            self.post = self.employee.title or self.employee.posts
            self.phone = self.employee.mobile

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            if values.get('invitation') and not values.get('meeting'):
                Invitation = Pool().get('egov.meeting.invitation')
                with without_check_access():
                    values['meeting'] = Invitation(
                        values['invitation']).meeting.id
            values.setdefault('code', secrets.token_urlsafe(12))
        return values

    @classmethod
    def get_late(cls, attendees, name):
        return {a.id: bool(a.signed_at and a.signed_at > a.meeting.start)
            for a in attendees}

    @classmethod
    def get_seat(cls, attendees, name):
        result = {}
        for attendee in attendees:
            if attendee.seat_number is None:
                result[attendee.id] = ''
            elif attendee.seat_row == 0:
                result[attendee.id] = gettext(
                    'egov_meeting.msg_seat_rostrum',
                    number=attendee.seat_number)
            else:
                result[attendee.id] = gettext('egov_meeting.msg_seat',
                    row=attendee.seat_row, number=attendee.seat_number)
        return result

    @classmethod
    def validate_fields(cls, attendees, field_names):
        super().validate_fields(attendees, field_names)
        if field_names is None or field_names & {
                'state', 'invitation', 'name', 'employee', 'substitute_for'}:
            cls.check_registration(attendees)

    @classmethod
    def check_registration(cls, attendees):
        """Registrations within the deadline (the organiser may still add
        people after it), within the unit's quota, 代会 if allowed"""
        organiser = user_units() if Transaction().user else None
        invitations = set()
        for attendee in attendees:
            meeting = attendee.meeting
            by_organiser = organiser is None or meeting.unit.id in organiser
            if attendee.invitation and attendee.invitation.declined and (
                    attendee.state == 'registered'):
                raise RegistrationError(gettext(
                        'egov_meeting.msg_unit_declined',
                        unit=attendee.invitation.unit.rec_name))
            if not by_organiser:
                meeting.check_open()
                cls._check_of_unit(attendee)
            if attendee.substitute_for and not meeting.substitutes:
                raise RegistrationError(gettext(
                        'egov_meeting.msg_no_substitutes',
                        meeting=meeting.rec_name))
            if attendee.invitation:
                invitations.add(attendee.invitation)
        with without_check_access():
            for invitation in invitations:
                count = cls.search([
                        ('invitation', '=', invitation.id),
                        ('state', '=', 'registered'),
                        ], count=True)
                if count > invitation.quota:
                    raise RegistrationError(gettext(
                            'egov_meeting.msg_over_quota',
                            unit=invitation.unit.rec_name,
                            quota=invitation.quota, count=count))

    @staticmethod
    def _check_of_unit(attendee):
        """An invited unit registers its own people (those of the units
        under it too): another unit's people come through the organiser"""
        invitation, employee = attendee.invitation, attendee.employee
        if not (invitation and employee):
            return
        Unit = Pool().get('egov.org.unit')
        with without_check_access():
            inside = Unit.search([
                    ('id', '=', employee.unit.id),
                    ('parent', 'child_of', [invitation.unit.id]),
                    ], limit=1)
        if not inside:
            raise RegistrationError(gettext(
                    'egov_meeting.msg_attendee_not_of_unit',
                    person=employee.name, unit=invitation.unit.rec_name))

    @classmethod
    def invite_people(cls, meeting):
        """Attendees for the people invited by name and the holders of the
        posts invited, once each"""
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        Date = pool.get('ir.date')
        employees = list(meeting.people)
        if meeting.posts:
            today = Date.today()
            for assignment in Assignment.search([
                        ('post', 'in', [p.id for p in meeting.posts]),
                        ['OR', ('start_date', '=', None),
                            ('start_date', '<=', today)],
                        ['OR', ('end_date', '=', None),
                            ('end_date', '>=', today)],
                        ]):
                employees.append(assignment.employee)
        known = {a.employee.id for a in meeting.attendees if a.employee}
        vlist = []
        for employee in employees:
            if employee.id in known:
                continue
            known.add(employee.id)
            vlist.append({
                    'meeting': meeting.id,
                    'employee': employee.id,
                    'name': employee.name,
                    'post': employee.title or employee.posts,
                    'phone': employee.mobile,
                    'state': 'invited',
                    })
        if vlist:
            cls.create(vlist)

    @classmethod
    def answer(cls, meeting, user, option, text):
        """A person's answer to the notice (SMS or WeChat): 1 registers, 2
        declines with the words after it as the reason. A refused answer
        is told back to the person."""
        pool = Pool()
        Invitation = pool.get('egov.meeting.invitation')
        Employee = pool.get('egov.org.employee')
        Message = pool.get('egov.notify.message')
        if option not in {'1', '2'} or user is None:
            return
        state = 'registered' if option == '1' else 'declined'
        reason = LEAVE_WORD.sub('', text or '', count=1)[:200] or None
        with without_check_access():
            attendees = cls.search([
                    ('meeting', '=', meeting.id),
                    ('employee.user', '=', user.id),
                    ], limit=1)
            try:
                meeting.check_open()
                with Transaction().set_user(0):
                    if attendees:
                        attendee, = attendees
                        cls.write([attendee], {
                                'state': state, 'reason': reason})
                    else:
                        employees = Employee.search(
                            [('user', '=', user.id)], limit=1)
                        invitations = employees and Invitation.search([
                                ('meeting', '=', meeting.id),
                                ('unit', '=', employees[0].unit.id),
                                ], limit=1)
                        if not invitations:
                            return
                        employee, = employees
                        cls.create([{
                                    'invitation': invitations[0].id,
                                    'employee': employee.id,
                                    'name': employee.name,
                                    'post': employee.title or employee.posts,
                                    'phone': employee.mobile,
                                    'state': state, 'reason': reason,
                                    }])
            except RegistrationError as error:
                logger.info("reply to meeting %s refused: %s",
                    meeting.id, error.message)
                Message.send('egov_meeting', 'answer_refused',
                    {'users': [user.id]}, {
                        'meeting': meeting.name,
                        'reason': error.message,
                        }, record=meeting)

    @classmethod
    @ModelView.button
    def sign_in_manually(cls, attendees):
        "The organiser signs in people who have no phone"
        from .signin import sign_in
        for attendee in attendees:
            attendee.meeting.check_organiser()
        for attendee in attendees:
            sign_in(attendee, manual=True)


class DeclineStart(ModelView):
    "Decline the Meeting"
    __name__ = 'egov.meeting.invitation.decline.start'
    __string__ = "Decline the Meeting"
    reason = fields.Char("Reason", required=True, strip=True)


class Decline(Wizard):
    "Decline the Meeting"
    __name__ = 'egov.meeting.invitation.decline'
    start = StateView('egov.meeting.invitation.decline.start',
        'egov_meeting.invitation_decline_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Decline", 'decline', 'tryton-ok', default=True),
            ])
    decline = StateTransition()

    def transition_decline(self):
        self.model.do_decline(self.records, self.start.reason)
        return 'end'
