"""会议安排: a meeting of an organiser unit in a room (its booking made and
kept in step), the units invited with a quota each and the people invited
by name or post, the agenda, materials (attachments), 会标, press notice,
the preparations checklist, 纪要 and the decisions."""
import datetime

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access

from egov_base.upload.attachment import UploadGuardMixin

from .exceptions import MeetingError, RegistrationError
from .guard import InternalFieldsMixin
from .room import local, user_units

STATES = [
    ('draft', "Draft"),
    ('noticed', "Notice Sent"),
    ('held', "Held"),
    ('cancelled', "Cancelled"),
    ]
CLOSED = ~Eval('state').in_(['draft', 'noticed'])
MINUTES_KINDS = ('docx', 'doc', 'pdf', 'ofd')


class Meeting(InternalFieldsMixin, Workflow, UploadGuardMixin, ModelSQL,
        ModelView):
    __name__ = 'egov.meeting.meeting'
    __string__ = "Meeting"
    _egov_visibility = 'unit'
    _upload_fields = {'minutes': MINUTES_KINDS}
    _internal_fields = {'state', 'booking', 'notice_sent_at'}

    name = fields.Char("Name", required=True, strip=True, states={
            'readonly': CLOSED})
    unit = fields.Many2One('egov.org.unit', "Organiser", required=True,
        ondelete='RESTRICT', domain=[('kind', '!=', 'department')],
        states={'readonly': Eval('state') != 'draft'})
    room = fields.Many2One('egov.meeting.room', "Room",
        ondelete='RESTRICT', states={'readonly': CLOSED})
    booking = fields.Many2One('egov.meeting.booking', "Booking",
        readonly=True, ondelete='RESTRICT')
    booking_state = fields.Function(fields.Selection('get_booking_states',
            "Booking State"), 'get_booking_state')
    start = fields.DateTime("Start", required=True, states={
            'readonly': CLOSED})
    end = fields.DateTime("End", required=True,
        domain=[If(Eval('start') & Eval('end'),
                ('end', '>', Eval('start')), ())],
        states={'readonly': CLOSED})
    expected = fields.Integer("Expected Number",
        domain=['OR', ('expected', '=', None), ('expected', '>', 0)])
    deadline = fields.DateTime("Registration Deadline",
        domain=[If(Eval('deadline') & Eval('start'),
                ('deadline', '<=', Eval('start')), ())],
        help="Units register or decline before it.")
    substitutes = fields.Boolean("Substitutes Allowed",
        help="代会: a unit may send someone in place of the person invited.")
    banner = fields.Char("Banner", help="会标: the words over the rostrum.")
    agenda = fields.Text("Agenda")
    press_notice = fields.Text("Press Notice")
    invitations = fields.One2Many('egov.meeting.invitation', 'meeting',
        "Units Invited", states={'readonly': CLOSED})
    people = fields.Many2Many('egov.meeting.meeting-egov.org.employee',
        'meeting', 'employee', "People Invited", states={'readonly': CLOSED})
    posts = fields.Many2Many('egov.meeting.meeting-egov.org.post',
        'meeting', 'post', "Posts Invited", states={'readonly': CLOSED},
        help="Whoever holds the post when the notice goes out.")
    attendees = fields.One2Many('egov.meeting.attendee', 'meeting',
        "Attendees", readonly=True)
    checklist = fields.One2Many('egov.meeting.check', 'meeting',
        "Preparations")
    decisions = fields.One2Many('egov.meeting.decision', 'meeting',
        "Decisions")
    minutes = fields.Binary("Minutes", filename='minutes_name',
        file_id='minutes_id')
    minutes_id = fields.Char("Minutes File ID", readonly=True)
    minutes_name = fields.Char("Minutes File Name")
    notice_sent_at = fields.Timestamp("Notice Sent at", readonly=True)
    present = fields.Function(fields.Integer("Present"), 'get_counts')
    registered = fields.Function(fields.Integer("Registered"), 'get_counts')
    state = fields.Selection(STATES, "State", readonly=True, required=True,
        sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'noticed'),
            ('noticed', 'held'),
            ('draft', 'cancelled'),
            ('noticed', 'cancelled'),
            }
        cls._buttons.update({
                'send_notice': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'remind_silent': {
                    'invisible': Eval('state') != 'noticed',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'noticed',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'noticed']),
                    'depends': ['state'],
                    },
                'open_door': {
                    'invisible': Eval('state') != 'noticed',
                    'depends': ['state'],
                    },
                'open_presence': {
                    'invisible': Eval('state') == 'draft',
                    'depends': ['state'],
                    },
                'open_seats': {
                    'readonly': ~Bool(Eval('room')),
                    'depends': ['room'],
                    },
                'arrange_seats': {
                    'invisible': ~Eval('state').in_(['draft', 'noticed']),
                    'readonly': ~Bool(Eval('room')),
                    'depends': ['state', 'room'],
                    },
                'assign_seats': {
                    'invisible': ~Eval('state').in_(['draft', 'noticed']),
                    'readonly': ~Bool(Eval('room')),
                    'depends': ['state', 'room'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_unit(cls):
        User = Pool().get('res.user')
        return User.get_org_scope()['unit']

    @classmethod
    def default_substitutes(cls):
        return True

    @classmethod
    def get_booking_states(cls):
        Booking = Pool().get('egov.meeting.booking')
        return [(None, '')] + Booking.fields_get(['state'])['state'][
            'selection']

    @classmethod
    def get_booking_state(cls, meetings, name):
        return {m.id: m.booking.state if m.booking else None
            for m in meetings}

    @classmethod
    def get_counts(cls, meetings, name):
        Attendee = Pool().get('egov.meeting.attendee')
        result = {m.id: 0 for m in meetings}
        with without_check_access():
            domain = [('meeting', 'in', [m.id for m in meetings])]
            if name == 'present':
                domain.append(('signed_at', '!=', None))
            else:
                domain.append(('state', '=', 'registered'))
            for attendee in Attendee.search(domain):
                result[attendee.meeting.id] += 1
        return result

    @classmethod
    def on_modification(cls, mode, meetings, field_names=None):
        super().on_modification(mode, meetings, field_names=field_names)
        if mode in {'create', 'write'} and (field_names is None
                or field_names & {'room', 'start', 'end', 'name', 'state'}):
            cls.keep_bookings(meetings)

    @classmethod
    def keep_bookings(cls, meetings):
        """Make or move the booking of each meeting's room; the booking's
        checks refuse a closed room or a slot held by someone else"""
        pool = Pool()
        Booking = pool.get('egov.meeting.booking')
        to_create, to_cancel = [], []
        with without_check_access():
            for meeting in cls.browse(meetings):
                booking = meeting.booking
                if booking and (booking.state not in {'requested', 'approved'}
                        or booking.room != meeting.room):
                    if booking.state in {'requested', 'approved'}:
                        to_cancel.append(booking)
                    booking = None
                if meeting.state == 'cancelled' or not meeting.room:
                    if booking:
                        to_cancel.append(booking)
                    if meeting.booking:
                        meeting.booking = None
                        meeting.save()
                    continue
                if booking:
                    if (booking.start, booking.end) != (
                            meeting.start, meeting.end):
                        booking.start, booking.end = (
                            meeting.start, meeting.end)
                        booking.save()
                else:
                    to_create.append(meeting)
            if to_cancel:
                Booking.write(to_cancel, {'state': 'cancelled'})
        for meeting in to_create:
            # As the organiser: their own room is approved at once
            booking, = Booking.create([{
                        'room': meeting.room.id,
                        'start': meeting.start,
                        'end': meeting.end,
                        'topic': meeting.name,
                        'unit': meeting.unit.id,
                        }])
            with without_check_access():
                cls.write([meeting], {'booking': booking.id})

    def check_organiser(self):
        "Only the organiser unit runs its meeting"
        if Transaction().user and self.unit.id not in user_units():
            raise MeetingError(gettext('egov_meeting.msg_not_organiser',
                    meeting=self.rec_name, unit=self.unit.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('noticed')
    def send_notice(cls, meetings):
        pool = Pool()
        Attendee = pool.get('egov.meeting.attendee')
        for meeting in meetings:
            meeting.check_organiser()
            if meeting.room and meeting.booking_state not in {
                    'requested', 'approved'}:
                raise MeetingError(gettext('egov_meeting.msg_no_booking',
                        meeting=meeting.rec_name))
            if not (meeting.invitations or meeting.people or meeting.posts):
                raise MeetingError(gettext('egov_meeting.msg_nobody_invited',
                        meeting=meeting.rec_name))
        # The door codes' key exists before the door page (read-only) asks
        Pool().get('egov.meeting.configuration').secret()
        with without_check_access():
            for meeting in meetings:
                Attendee.invite_people(meeting)
                meeting.notify('notice', units=[
                        i.unit for i in meeting.invitations],
                    users=[a.employee.user for a in meeting.attendees
                        if a.state == 'invited' and a.employee
                        and a.employee.user])
            cls.write(meetings, {'notice_sent_at': datetime.datetime.now()})

    def notify(self, event, units=(), users=(), urgency='normal'):
        "Tell the units invited (their clerks: notice.py) and the users"
        from .notice import notice_posts
        Message = Pool().get('egov.notify.message')
        posts = notice_posts([u.id for u in units])
        recipients = {
            'posts': sorted({p for ids in posts.values() for p in ids}),
            'users': [u.id for u in users]}
        if not any(recipients.values()):
            return None
        return Message.send('egov_meeting', event, recipients, {
                'meeting': self.name,
                'organiser': self.unit.rec_name,
                'start': local(self.start).strftime('%Y-%m-%d %H:%M'),
                'room': self.room.rec_name if self.room else '',
                'deadline': (local(self.deadline).strftime('%m-%d %H:%M')
                    if self.deadline else ''),
                }, record=self, urgency=urgency, actionable=True)

    @classmethod
    @ModelView.button
    def remind_silent(cls, meetings):
        "Remind in one click the units and people who have not answered"
        for meeting in meetings:
            meeting.check_organiser()
        with without_check_access():
            for meeting in meetings:
                units = [i.unit for i in meeting.invitations
                    if i.status in {'sent', 'read'}]
                users = [a.employee.user for a in meeting.attendees
                    if a.state == 'invited' and not a.invitation
                    and a.employee and a.employee.user]
                meeting.notify('reminder', units=units, users=users,
                    urgency='urgent')

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def close(cls, meetings):
        for meeting in meetings:
            meeting.check_organiser()

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, meetings):
        for meeting in meetings:
            meeting.check_organiser()
        # The booking is freed when the state is written (on_modification)

    @classmethod
    @ModelView.button
    def assign_seats(cls, meetings):
        from .seating import assign
        for meeting in meetings:
            meeting.check_organiser()
            assign(meeting)

    def page_url(self, page):
        return '/%s/egov/meeting/%s/%d' % (
            Transaction().database.name, page, self.id)

    @classmethod
    @ModelView.button_action('egov_meeting.url_door')
    def open_door(cls, meetings):
        if meetings:
            return {'url': meetings[0].page_url('door')}

    @classmethod
    @ModelView.button_action('egov_meeting.url_presence')
    def open_presence(cls, meetings):
        if meetings:
            return {'url': meetings[0].page_url('presence')}

    @classmethod
    @ModelView.button_action('egov_meeting.url_arrange')
    def arrange_seats(cls, meetings):
        "调整座位: the drag and drop page of the seats (arrange_page.py)"
        if meetings:
            return {'url': meetings[0].page_url('arrange')}

    @classmethod
    @ModelView.button_action('egov_meeting.url_seats')
    def open_seats(cls, meetings):
        if meetings:
            return {'url': meetings[0].page_url('seats')}

    def notify_reply(self, reply):
        """An SMS or WeChat answer to the notice: "1 参加" registers the
        person, "2 请假 理由" declines with the reason"""
        Attendee = Pool().get('egov.meeting.attendee')
        Attendee.answer(self, reply.user, reply.option, reply.text)

    def check_open(self):
        "Refuse answers once the meeting is over or the deadline passed"
        if not self.registration_open:
            raise RegistrationError(gettext(
                    'egov_meeting.msg_registration_closed',
                    meeting=self.rec_name,
                    deadline=local(self.deadline).strftime('%Y-%m-%d %H:%M')
                    if self.deadline else ''))

    @property
    def registration_open(self):
        now = datetime.datetime.now()
        return self.state in {'draft', 'noticed'} and (
            not self.deadline or now <= self.deadline)


class MeetingEmployee(ModelSQL):
    __name__ = 'egov.meeting.meeting-egov.org.employee'
    __string__ = "Meeting - Person Invited"
    _egov_visibility = 'parent'
    meeting = fields.Many2One('egov.meeting.meeting', "Meeting",
        required=True, ondelete='CASCADE')
    employee = fields.Many2One('egov.org.employee', "Person", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')


class MeetingPost(ModelSQL):
    __name__ = 'egov.meeting.meeting-egov.org.post'
    __string__ = "Meeting - Post Invited"
    _egov_visibility = 'parent'
    meeting = fields.Many2One('egov.meeting.meeting', "Meeting",
        required=True, ondelete='CASCADE')
    post = fields.Many2One('egov.org.post', "Post", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')


class Check(ModelSQL, ModelView):
    __name__ = 'egov.meeting.check'
    __string__ = "Meeting Preparation"
    _egov_visibility = 'parent'
    meeting = fields.Many2One('egov.meeting.meeting', "Meeting",
        required=True, ondelete='CASCADE')
    item = fields.Char("Item", required=True, strip=True)
    owner = fields.Many2One('egov.org.employee', "Owner",
        ondelete='SET NULL')
    due = fields.DateTime("Due")
    state = fields.Selection([
            ('todo', "To Do"),
            ('doing', "In Progress"),
            ('done', "Done"),
            ], "State", required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')

    @classmethod
    def default_state(cls):
        return 'todo'


class Decision(ModelSQL, ModelView):
    "会议决定事项: what the meeting decided, who leads it, by when"
    __name__ = 'egov.meeting.decision'
    __string__ = "Meeting Decision"
    _egov_visibility = 'parent'
    _rec_name = 'text'
    meeting = fields.Many2One('egov.meeting.meeting', "Meeting",
        required=True, ondelete='CASCADE')
    text = fields.Text("Decision", required=True)
    unit = fields.Many2One('egov.org.unit', "Lead Unit", ondelete='RESTRICT')
    deadline = fields.Date("Deadline")
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ], "State", required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')

    @classmethod
    def default_state(cls):
        return 'open'


def registration_error(key, **values):
    return RegistrationError(gettext('egov_meeting.' + key, **values))
