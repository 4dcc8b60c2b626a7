"""会议室: the rooms a unit manages, their seats, and the bookings that hold
them. A room is never held twice: every booking that holds a slot bumps its
room's row first, so concurrent bookings of one room queue behind each
other and the later ones see the earlier ones (PostgreSQL: a serialisation
failure makes Tryton retry the request; SQLite: one writer at a time)."""
import datetime

from sql import Literal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.upload.attachment import UploadGuardMixin

from .exceptions import BookingClash, MeetingError
from .guard import InternalFieldsMixin

# The states of a booking that hold its slot
HOLDING = ('requested', 'approved')
MAX_TIMES = 52


def user_units():
    "The ids of the units the user acts in or leads"
    User = Pool().get('res.user')
    return set(User.get_org_scope()['units'])


class Room(InternalFieldsMixin, DeactivableMixin, UploadGuardMixin,
        ModelSQL, ModelView):
    __name__ = 'egov.meeting.room'
    __string__ = "Meeting Room"
    _egov_visibility = 'city'
    _upload_fields = {'photo': ('png', 'jpeg')}
    _internal_fields = {'booking_serial'}

    name = fields.Char("Name", required=True, strip=True)
    unit = fields.Many2One('egov.org.unit', "Managing Unit", required=True,
        ondelete='RESTRICT', domain=[('kind', '!=', 'department')])
    location = fields.Char("Location", strip=True)
    capacity = fields.Integer("Capacity", required=True,
        domain=[('capacity', '>', 0)])
    equipment = fields.Text("Equipment")
    photo = fields.Binary("Photo", filename='photo_name')
    photo_name = fields.Char("Photo File Name")
    state = fields.Selection([
            ('open', "Open"),
            ('closed', "Closed"),
            ], "State", required=True,
        help="A closed room takes no booking.")
    rows = fields.Integer("Rows", required=True,
        domain=[('rows', '>=', 1), ('rows', '<=', 60)])
    seats_per_row = fields.Integer("Seats per Row", required=True,
        domain=[('seats_per_row', '>=', 1), ('seats_per_row', '<=', 60)])
    rostrum_seats = fields.Integer("Rostrum Seats", required=True,
        domain=[('rostrum_seats', '>=', 0), ('rostrum_seats', '<=', 40)],
        help="主席台: the seats facing the room, filled first.")
    bookings = fields.One2Many('egov.meeting.booking', 'room', "Bookings",
        readonly=True)
    # Bumped by each booking that holds a slot: the room's lock
    booking_serial = fields.Integer("Booking Serial", readonly=True)

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_rows(cls):
        return 4

    @classmethod
    def default_seats_per_row(cls):
        return 10

    @classmethod
    def default_rostrum_seats(cls):
        return 5

    @classmethod
    def default_booking_serial(cls):
        return 0

    @classmethod
    def default_unit(cls):
        User = Pool().get('res.user')
        return User.get_org_scope()['unit']

    @property
    def seat_count(self):
        return self.rows * self.seats_per_row + self.rostrum_seats

    @classmethod
    def hold(cls, rooms):
        """Take the rooms' lock until the end of the transaction: a
        concurrent booking of one of them waits, then fails and is retried
        by the dispatcher (PostgreSQL) or runs after (SQLite)"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        ids = sorted({r.id for r in rooms})
        if ids:
            cursor.execute(*table.update([table.booking_serial],
                    [table.booking_serial + Literal(1)],
                    where=table.id.in_(ids)))

    @classmethod
    def free(cls, start, end, size=None, domain=None):
        "The open rooms with size seats or more that nothing holds"
        Booking = Pool().get('egov.meeting.booking')
        busy = Booking.search([
                ('state', 'in', HOLDING),
                ('start', '<', end), ('end', '>', start),
                ], query=True, order=[])
        booking = Booking.__table__()
        clause = [('state', '=', 'open'),
            ('id', 'not in', booking.select(booking.room,
                    where=booking.id.in_(busy)))]
        if size:
            clause.append(('capacity', '>=', size))
        if domain:
            clause.append(domain)
        return cls.search(clause, order=[('capacity', 'ASC'), ('name', 'ASC')])


class Booking(InternalFieldsMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'egov.meeting.booking'
    __string__ = "Room Booking"
    _egov_visibility = 'city'
    _rec_name = 'topic'
    _internal_fields = {'state', 'decided_by', 'unit'}

    room = fields.Many2One('egov.meeting.room', "Room", required=True,
        ondelete='RESTRICT', states={
            'readonly': Eval('state') != 'requested',
            })
    start = fields.DateTime("Start", required=True, states={
            'readonly': Eval('state') != 'requested',
            })
    end = fields.DateTime("End", required=True,
        domain=[If(Eval('start') & Eval('end'),
                ('end', '>', Eval('start')), ())],
        states={
            'readonly': Eval('state') != 'requested',
            })
    topic = fields.Char("Topic", required=True, strip=True, states={
            'readonly': Eval('state') != 'requested',
            })
    chair = fields.Char("Chair", strip=True)
    details = fields.Text("Details")
    unit = fields.Many2One('egov.org.unit', "Requesting Unit", readonly=True,
        ondelete='RESTRICT')
    room_unit = fields.Function(fields.Many2One(
            'egov.org.unit', "Managing Unit"), 'get_room_unit')
    series = fields.Char("Series", readonly=True,
        help="The bookings made together as a weekly series share it.")
    decided_by = fields.Many2One('res.user', "Decided by", readonly=True)
    refusal = fields.Char("Reason for Refusal", states={
            'invisible': Eval('state') != 'refused',
            })
    state = fields.Selection([
            ('requested', "Requested"),
            ('approved', "Approved"),
            ('refused', "Refused"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('requested', 'approved'),
            ('requested', 'refused'),
            ('requested', 'cancelled'),
            ('approved', 'cancelled'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(list(HOLDING)),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def default_unit(cls):
        User = Pool().get('res.user')
        return User.get_org_scope()['unit']

    @classmethod
    def get_room_unit(cls, bookings, name):
        return {b.id: b.room.unit.id for b in bookings}

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('room'):
            Room = Pool().get('egov.meeting.room')
            with without_check_access():
                room = Room(values['room'])
                # The managing unit's own bookings need no approval
                if room.unit.id in user_units() and values.get(
                        'state', 'requested') == 'requested':
                    values['state'] = 'approved'
        return values

    @classmethod
    def validate(cls, bookings):
        super().validate(bookings)
        cls.check_free(bookings)

    @classmethod
    def check_free(cls, bookings):
        """Refuse bookings of a closed room and bookings that overlap a
        slot held by another booking (named in the message)"""
        pool = Pool()
        Room = pool.get('egov.meeting.room')
        holding = [b for b in bookings if b.state in HOLDING]
        if not holding:
            return
        with without_check_access():
            Room.hold([b.room for b in holding])
            for booking in holding:
                if booking.room.state != 'open' or not booking.room.active:
                    raise BookingClash(gettext(
                            'egov_meeting.msg_room_closed',
                            room=booking.room.rec_name))
                if booking.end <= booking.start:
                    raise BookingClash(gettext(
                            'egov_meeting.msg_booking_end_before_start'))
                clashes = cls.search([
                        ('room', '=', booking.room.id),
                        ('state', 'in', HOLDING),
                        ('start', '<', booking.end),
                        ('end', '>', booking.start),
                        ('id', '!=', booking.id),
                        ], limit=1, order=[('start', 'ASC')])
                if clashes:
                    clash, = clashes
                    raise BookingClash(gettext(
                            'egov_meeting.msg_booking_clash',
                            room=booking.room.rec_name,
                            date=local(booking.start).strftime(
                                '%Y-%m-%d %H:%M'),
                            other=clash.topic,
                            other_start=local(clash.start).strftime(
                                '%H:%M'),
                            other_end=local(clash.end).strftime('%H:%M')))

    def check_decider(self):
        "Only the room's managing unit decides on its bookings"
        if Transaction().user and self.room.unit.id not in user_units():
            raise MeetingError(gettext(
                    'egov_meeting.msg_booking_not_decider',
                    room=self.room.rec_name, unit=self.room.unit.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, bookings):
        for booking in bookings:
            booking.check_decider()
        cls.write(bookings, {'decided_by': Transaction().user or None})
        cls.tell_requester(bookings, 'booking_approved')

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, bookings):
        for booking in bookings:
            booking.check_decider()
        cls.write(bookings, {'decided_by': Transaction().user or None})
        cls.tell_requester(bookings, 'booking_refused')

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bookings):
        from egov_base.tools import check_write_access
        check_write_access(cls, bookings)

    @classmethod
    def tell_requester(cls, bookings, event):
        Message = Pool().get('egov.notify.message')
        for booking in bookings:
            if not booking.create_uid or booking.create_uid.id == (
                    Transaction().user):
                continue
            Message.send('egov_meeting', event,
                {'users': [booking.create_uid.id]}, {
                    'room': booking.room.rec_name,
                    'topic': booking.topic,
                    'start': local(booking.start).strftime('%Y-%m-%d %H:%M'),
                    'reason': booking.refusal or '',
                    }, record=booking)

    @classmethod
    def book_weekly(cls, values, times):
        """Book values (room, start, end, topic…) times weeks in a row, all
        or none: the first week that clashes is named"""
        if not (2 <= times <= MAX_TIMES):
            raise MeetingError(gettext('egov_meeting.msg_booking_times',
                    maximum=MAX_TIMES))
        series = '%s/%s' % (values['room'], values['start'].isoformat())
        week = datetime.timedelta(days=7)
        vlist = []
        for i in range(times):
            v = dict(values)
            v['start'] = values['start'] + i * week
            v['end'] = values['end'] + i * week
            v['series'] = series
            vlist.append(v)
        return cls.create(vlist)


def local(value):
    """A stored (UTC) time in the user's time zone (the platform's:
    Asia/Shanghai when the context names none), for messages"""
    from zoneinfo import ZoneInfo
    zone = Transaction().context.get('timezone') or 'Asia/Shanghai'
    try:
        zone = ZoneInfo(zone)
    except (KeyError, ValueError):
        zone = ZoneInfo('Asia/Shanghai')
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(zone)


class RoomFind(ModelView):
    "Find a Free Room"
    __name__ = 'egov.meeting.room.find'
    __string__ = "Find a Free Room"

    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End", required=True,
        domain=[If(Eval('start') & Eval('end'),
                ('end', '>', Eval('start')), ())])
    size = fields.Integer("People", domain=[
            'OR', ('size', '=', None), ('size', '>', 0)])
    rooms = fields.Many2Many('egov.meeting.room', None, None, "Free Rooms",
        readonly=True)
    room = fields.Many2One('egov.meeting.room', "Room to Book",
        domain=[('id', 'in', Eval('rooms', []))])
    topic = fields.Char("Topic", strip=True)

    @fields.depends('start', 'end', 'size')
    def on_change_with_rooms(self):
        Room = Pool().get('egov.meeting.room')
        if not self.start or not self.end or self.end <= self.start:
            return []
        return Room.free(self.start, self.end, self.size)


class RoomBook(Wizard):
    "Book a Free Room"
    __name__ = 'egov.meeting.room.book'
    start = StateView('egov.meeting.room.find',
        'egov_meeting.room_find_view_form', [
            Button("Close", 'end', 'tryton-cancel'),
            Button("Book", 'book', 'tryton-ok', default=True),
            ])
    book = StateTransition()

    def transition_book(self):
        Booking = Pool().get('egov.meeting.booking')
        if not self.start.room or not self.start.topic:
            raise MeetingError(gettext('egov_meeting.msg_book_choose_room'))
        Booking.create([{
                    'room': self.start.room.id,
                    'start': self.start.start,
                    'end': self.start.end,
                    'topic': self.start.topic,
                    }])
        return 'end'


class WeeklyStart(ModelView):
    "Weekly Booking"
    __name__ = 'egov.meeting.booking.weekly.start'
    __string__ = "Weekly Booking"

    room = fields.Many2One('egov.meeting.room', "Room", required=True,
        domain=[('state', '=', 'open')])
    start = fields.DateTime("First Start", required=True)
    end = fields.DateTime("First End", required=True,
        domain=[If(Eval('start') & Eval('end'),
                ('end', '>', Eval('start')), ())])
    topic = fields.Char("Topic", required=True, strip=True)
    times = fields.Integer("Weeks", required=True,
        domain=[('times', '>=', 2), ('times', '<=', MAX_TIMES)])

    @classmethod
    def default_times(cls):
        return 4


class Weekly(Wizard):
    "Weekly Booking"
    __name__ = 'egov.meeting.booking.weekly'
    start = StateView('egov.meeting.booking.weekly.start',
        'egov_meeting.booking_weekly_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Book", 'book', 'tryton-ok', default=True),
            ])
    book = StateTransition()

    def transition_book(self):
        Booking = Pool().get('egov.meeting.booking')
        Booking.book_weekly({
                'room': self.start.room.id,
                'start': self.start.start,
                'end': self.start.end,
                'topic': self.start.topic,
                }, self.start.times)
        return 'end'
