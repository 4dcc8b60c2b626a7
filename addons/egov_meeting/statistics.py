"""会议数据分析: SQL views over the meetings (never a copy) of a period
(the context: from–to, China's days; this year by default): meetings per
organiser, attendance and lateness per invited unit and per person, notice
read and registration rates per meeting, room usage. Each person sees the
rows of their own units (record rules)."""
import datetime

from sql import Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Concat

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

# Days are China's: a day starts at 16:00 UTC the day before
CHINA_OFFSET = datetime.timedelta(hours=8)


def period():
    "The (start, end) UTC times of the context's days, this year by default"
    Date = Pool().get('ir.date')
    context = Transaction().context
    today = Date.today()
    first = context.get('from_date') or today.replace(month=1, day=1)
    last = context.get('to_date') or today.replace(month=12, day=31)
    start = datetime.datetime.combine(first, datetime.time()) - CHINA_OFFSET
    end = datetime.datetime.combine(last + datetime.timedelta(days=1),
        datetime.time()) - CHINA_OFFSET
    return start, end


def in_period(column):
    start, end = period()
    return (column >= start) & (column < end)


class StatisticContext(ModelView):
    "The period of the meeting statistics"
    __name__ = 'egov.meeting.statistic.context'
    __string__ = "Meeting Statistics Period"

    from_date = fields.Date("From", required=True)
    to_date = fields.Date("To", required=True)

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        # The meetings to come of the year too: their notices and answers
        return Pool().get('ir.date').today().replace(month=12, day=31)


class StatisticOrganiser(ModelSQL, ModelView):
    __name__ = 'egov.meeting.statistic.organiser'
    __string__ = "Meetings per Organiser"
    _egov_visibility = 'unit'

    organiser = fields.Many2One('egov.org.unit', "Organiser")
    meetings = fields.Integer("Meetings")
    held = fields.Integer("Held")
    invitations = fields.Integer("Units Invited")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('meetings', 'DESC'), ('organiser', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Meeting = pool.get('egov.meeting.meeting')
        Invitation = pool.get('egov.meeting.invitation')
        meeting, invitation = Meeting.__table__(), Invitation.__table__()
        invited = invitation.select(invitation.meeting,
            Count(invitation.id).as_('n'), group_by=[invitation.meeting])
        return meeting.join(invited, 'LEFT',
            condition=invited.meeting == meeting.id).select(
            Min(meeting.id).as_('id'),
            meeting.unit.as_('organiser'),
            Count(meeting.id).as_('meetings'),
            Sum(Case((meeting.state == 'held', 1), else_=0)).as_('held'),
            Sum(Coalesce(invited.n, 0)).as_('invitations'),
            where=(meeting.state != 'cancelled') & in_period(meeting.start),
            group_by=[meeting.unit])


class StatisticUnit(ModelSQL, ModelView):
    __name__ = 'egov.meeting.statistic.unit'
    __string__ = "Attendance per Unit"
    _egov_visibility = 'unit'

    organiser = fields.Many2One('egov.org.unit', "Organiser")
    unit = fields.Many2One('egov.org.unit', "Unit Invited")
    invitations = fields.Integer("Invitations")
    declined = fields.Integer("Declined")
    registered = fields.Integer("Registered")
    present = fields.Integer("Present")
    late = fields.Integer("Late")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('organiser', 'ASC'), ('unit', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Meeting = pool.get('egov.meeting.meeting')
        Invitation = pool.get('egov.meeting.invitation')
        Attendee = pool.get('egov.meeting.attendee')
        meeting, invitation = Meeting.__table__(), Invitation.__table__()
        attendee = Attendee.__table__()
        people = attendee.join(meeting,
            condition=meeting.id == attendee.meeting).select(
            attendee.invitation,
            Sum(Case((attendee.state == 'registered', 1), else_=0)).as_(
                'registered'),
            Sum(Case((attendee.signed_at != Null, 1), else_=0)).as_(
                'present'),
            Sum(Case((attendee.signed_at > meeting.start, 1), else_=0)).as_(
                'late'),
            where=attendee.invitation != Null,
            group_by=[attendee.invitation])
        return invitation.join(meeting,
            condition=meeting.id == invitation.meeting).join(people, 'LEFT',
            condition=people.invitation == invitation.id).select(
            Min(invitation.id).as_('id'),
            meeting.unit.as_('organiser'),
            invitation.unit.as_('unit'),
            Count(invitation.id).as_('invitations'),
            Sum(Case((invitation.declined == Literal(True), 1), else_=0)).as_(
                'declined'),
            Sum(Coalesce(people.registered, 0)).as_('registered'),
            Sum(Coalesce(people.present, 0)).as_('present'),
            Sum(Coalesce(people.late, 0)).as_('late'),
            where=(meeting.state != 'cancelled') & in_period(meeting.start),
            group_by=[meeting.unit, invitation.unit])


class StatisticRoom(ModelSQL, ModelView):
    __name__ = 'egov.meeting.statistic.room'
    __string__ = "Room Usage"
    _egov_visibility = 'city'

    room = fields.Many2One('egov.meeting.room', "Room")
    bookings = fields.Integer("Bookings")
    approved = fields.Integer("Approved")
    refused = fields.Integer("Refused")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('bookings', 'DESC'), ('room', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Booking = Pool().get('egov.meeting.booking')
        booking = Booking.__table__()
        return booking.select(
            Min(booking.id).as_('id'),
            booking.room.as_('room'),
            Count(booking.id).as_('bookings'),
            Sum(Case((booking.state == 'approved', 1), else_=0)).as_(
                'approved'),
            Sum(Case((booking.state == 'refused', 1), else_=0)).as_(
                'refused'),
            where=in_period(booking.start),
            group_by=[booking.room])


class StatisticPerson(ModelSQL, ModelView):
    "Attendance and lateness of each person invited or registered"
    __name__ = 'egov.meeting.statistic.person'
    __string__ = "Attendance per Person"
    _egov_visibility = 'unit'

    employee = fields.Many2One('egov.org.employee', "Person")
    unit = fields.Many2One('egov.org.unit', "Unit")
    meetings = fields.Integer("Meetings")
    declined = fields.Integer("On Leave")
    present = fields.Integer("Present")
    late = fields.Integer("Late")
    absent = fields.Integer("Absent",
        help="Registered or invited, not on leave, never signed in.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('unit', 'ASC'), ('employee', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Meeting = pool.get('egov.meeting.meeting')
        Invitation = pool.get('egov.meeting.invitation')
        Attendee = pool.get('egov.meeting.attendee')
        Employee = pool.get('egov.org.employee')
        meeting, invitation = Meeting.__table__(), Invitation.__table__()
        attendee, employee = Attendee.__table__(), Employee.__table__()
        # Only meetings already held count for presence
        held = meeting.state == 'held'
        signed = attendee.signed_at != Null
        declined = attendee.state == 'declined'
        return attendee.join(meeting,
            condition=meeting.id == attendee.meeting).join(employee,
            condition=employee.id == attendee.employee).join(invitation,
            'LEFT', condition=invitation.id == attendee.invitation).select(
            Min(attendee.id).as_('id'),
            attendee.employee.as_('employee'),
            Coalesce(invitation.unit, employee.unit).as_('unit'),
            Count(attendee.id).as_('meetings'),
            Sum(Case((declined, 1), else_=0)).as_('declined'),
            Sum(Case((signed, 1), else_=0)).as_('present'),
            Sum(Case((attendee.signed_at > meeting.start, 1), else_=0)).as_(
                'late'),
            Sum(Case((held & ~declined & ~signed, 1), else_=0)).as_('absent'),
            where=(meeting.state != 'cancelled') & in_period(meeting.start),
            group_by=[attendee.employee,
                Coalesce(invitation.unit, employee.unit)])


class StatisticNotice(ModelSQL, ModelView):
    """Notice read and registration rates of each meeting: of the people
    told (in-app), how many read it; of the units invited, how many
    registered, asked for leave or stayed silent"""
    __name__ = 'egov.meeting.statistic.notice'
    __string__ = "Notice Read and Registration Rates"
    _egov_visibility = 'unit'

    meeting = fields.Many2One('egov.meeting.meeting', "Meeting")
    organiser = fields.Many2One('egov.org.unit', "Organiser")
    start = fields.DateTime("Start")
    told = fields.Integer("People Told")
    readers = fields.Integer("People Read")
    read_rate = fields.Function(fields.Float("Read Rate (%)",
            digits=(5, 1)), 'get_rates')
    units = fields.Integer("Units Invited")
    registered = fields.Integer("Units Registered")
    declined = fields.Integer("Units on Leave")
    silent = fields.Integer("Units Silent")
    registration_rate = fields.Function(fields.Float(
            "Registration Rate (%)", digits=(5, 1)), 'get_rates')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Meeting = pool.get('egov.meeting.meeting')
        Invitation = pool.get('egov.meeting.invitation')
        Attendee = pool.get('egov.meeting.attendee')
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        meeting, invitation = Meeting.__table__(), Invitation.__table__()
        attendee = Attendee.__table__()
        message, delivery = Message.__table__(), Delivery.__table__()
        prefix = Meeting.__name__ + ','
        # The people each meeting's messages reached in the web client
        reached = delivery.join(message,
            condition=message.id == delivery.message).select(
            message.origin,
            Count(delivery.user, distinct=True).as_('told'),
            Count(Case((delivery.read_at != Null, delivery.user)),
                distinct=True).as_('read'),
            where=message.origin.like(prefix + '%')
            & (delivery.channel == 'inapp'),
            group_by=[message.origin])
        registered = attendee.select(attendee.invitation,
            where=(attendee.state == 'registered')
            & (attendee.invitation != Null),
            group_by=[attendee.invitation])
        answered = invitation.join(registered, 'LEFT',
            condition=registered.invitation == invitation.id).select(
            invitation.meeting,
            Count(invitation.id).as_('units'),
            Sum(Case((registered.invitation != Null, 1), else_=0)).as_(
                'registered'),
            Sum(Case((invitation.declined == Literal(True), 1),
                    else_=0)).as_('declined'),
            group_by=[invitation.meeting])
        told = Coalesce(reached.told, 0)
        units = Coalesce(answered.units, 0)
        units_registered = Coalesce(answered.registered, 0)
        units_declined = Coalesce(answered.declined, 0)
        return meeting.join(reached, 'LEFT',
            condition=reached.origin == Concat(Literal(prefix),
                meeting.id.cast(Message.origin.sql_type().base))
            ).join(answered, 'LEFT',
            condition=answered.meeting == meeting.id).select(
            meeting.id.as_('id'),
            meeting.id.as_('meeting'),
            meeting.unit.as_('organiser'),
            meeting.start.as_('start'),
            told.as_('told'),
            Coalesce(reached.read, 0).as_('readers'),
            units.as_('units'),
            units_registered.as_('registered'),
            units_declined.as_('declined'),
            (units - units_registered - units_declined).as_('silent'),
            where=(meeting.state != 'cancelled')
            & (meeting.notice_sent_at != Null) & in_period(meeting.start))

    @classmethod
    def get_rates(cls, statistics, names):
        def rate(part, whole):
            return round(part * 100 / whole, 1) if whole else None
        result = {n: {} for n in names}
        for statistic in statistics:
            if 'read_rate' in result:
                result['read_rate'][statistic.id] = rate(
                    statistic.readers, statistic.told)
            if 'registration_rate' in result:
                result['registration_rate'][statistic.id] = rate(
                    statistic.registered, statistic.units)
        return result
