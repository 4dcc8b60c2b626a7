"""会议数据分析: SQL views over the meetings (never a copy): meetings per
organiser, attendance and lateness per invited unit, room usage. Each
person sees the rows of their own units (record rules)."""
from sql import Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool


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
            where=meeting.state != 'cancelled',
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
            where=meeting.state != 'cancelled',
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
            group_by=[booking.room])
