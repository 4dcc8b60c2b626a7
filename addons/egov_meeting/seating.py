"""座位安排: seats by protocol order (职级 from the organisation's posts and
units in charge, then its order of people and of units): the leaders
invited by name or post on the rostrum, then the hall from the front,
named people first; each row filled from its middle outwards as Chinese
protocol seats; the
organiser moves people afterwards (the swap wizard, the drag and drop of
the arrange page: arrange.py)."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import MeetingError


def middle_out(count):
    """Seat numbers 1..count in the order of protocol: the middle first,
    then left and right of it alternately (1 is the leftmost)"""
    middle = (count + 1) // 2
    order = [middle]
    for step in range(1, count):
        for seat in (middle - step, middle + step) if count % 2 else (
                middle + step, middle - step):
            if 1 <= seat <= count and seat not in order:
                order.append(seat)
    return order


# 职级 as the organisation knows it, from the highest: leaders in charge of
# units (分管领导: 市长、副市长…), heads of units, their deputies (posts of
# the unit itself), heads of departments, everyone else
RANK_IN_CHARGE, RANK_HEAD, RANK_DEPUTY, RANK_DEPARTMENT_HEAD, RANK_STAFF = (
    range(5))
# Who may sit on the rostrum
LEADER_RANKS = {RANK_IN_CHARGE, RANK_HEAD, RANK_DEPUTY}


def ranks(employees):
    "{employee id: rank} from their units in charge and current posts"
    pool = Pool()
    Assignment = pool.get('egov.org.assignment')
    Leadership = pool.get('egov.org.leadership')
    ids = [e.id for e in employees]
    result = dict.fromkeys(ids, RANK_STAFF)
    if not ids:
        return result
    with without_check_access():
        for assignment in Assignment.search([
                    ('employee', 'in', ids),
                    ('current', '=', True),
                    ]):
            post = assignment.post
            if post.unit.kind == 'department':
                rank = RANK_DEPARTMENT_HEAD if post.head else RANK_STAFF
            else:
                rank = RANK_HEAD if post.head else RANK_DEPUTY
            employee = assignment.employee.id
            result[employee] = min(result[employee], rank)
        for leadership in Leadership.search([
                    ('leader', 'in', ids),
                    ('current', '=', True),
                    ]):
            result[leadership.leader.id] = RANK_IN_CHARGE
    return result


def protocol_order(attendees):
    """The attendees in protocol order: the people invited by name or post
    first, then by rank, the organisation's order of people, then of their
    units (the city's first)"""
    employees = [a.employee for a in attendees if a.employee]
    rank_of = ranks(employees)

    def key(attendee):
        employee = attendee.employee
        unit = attendee.invitation.unit if attendee.invitation else (
            employee.unit if employee else None)
        return (
            0 if attendee.invitation is None else 1,
            rank_of.get(employee.id, RANK_STAFF) if employee
            else RANK_STAFF,
            employee.sequence if employee and employee.sequence is not None
            else 10000,
            # The city's units before the counties'
            0 if unit and unit.division and unit.division.kind == 'city'
            else 1,
            unit.sequence if unit and unit.sequence is not None else 10000,
            unit.id if unit else 0,
            attendee.id)
    ordered = sorted(attendees, key=key)
    return ordered, {a.id: key(a) for a in ordered}


def on_rostrum(key):
    "Only the leaders invited by name or post sit on the rostrum"
    named, rank = key[:2]
    return named == 0 and rank in LEADER_RANKS


def rostrum_places(room):
    return [(0, n) for n in middle_out(room.rostrum_seats)]


def hall_places(room):
    return [(row, n) for row in range(1, room.rows + 1)
        for n in middle_out(room.seats_per_row)]


def places(room):
    "(row, seat) of the room in the order they are given"
    return rostrum_places(room) + hall_places(room)


def assign(meeting):
    """Seat the attendees not declined: the invited leaders on the rostrum
    (those it cannot hold in the front of the hall), then the hall"""
    Attendee = Pool().get('egov.meeting.attendee')
    with without_check_access():
        ordered, keys = protocol_order([a for a in meeting.attendees
                if a.state != 'declined'])
        room = meeting.room
        rostrum = [a for a in ordered if on_rostrum(keys[a.id])][
            :room.rostrum_seats]
        hall = [a for a in ordered if a not in rostrum]
        seats = hall_places(room)
        if len(hall) > len(seats):
            raise MeetingError(gettext('egov_meeting.msg_seats_short',
                    room=room.rec_name,
                    seats=len(seats) + room.rostrum_seats,
                    count=len(ordered)))
        to_write = []
        for attendees, places_ in [
                (rostrum, rostrum_places(room)), (hall, seats)]:
            for attendee, (row, number) in zip(attendees, places_):
                to_write.extend([[attendee], {
                            'seat_row': row, 'seat_number': number}])
        # Free every seat first: one person a seat (the unique constraint)
        Attendee.write(list(meeting.attendees) or [], {
                'seat_row': None, 'seat_number': None})
        if to_write:
            Attendee.write(*to_write)


def swap(first, second):
    "Exchange the seats of two attendees, never two on one seat"
    Attendee = Pool().get('egov.meeting.attendee')
    first_seat = (first.seat_row, first.seat_number)
    second_seat = (second.seat_row, second.seat_number)
    with without_check_access():
        Attendee.write([first], {'seat_row': None, 'seat_number': None})
        Attendee.write([second], {
                'seat_row': first_seat[0], 'seat_number': first_seat[1]})
        Attendee.write([first], {
                'seat_row': second_seat[0], 'seat_number': second_seat[1]})


def chart(meeting):
    "The rostrum and the rows of the room, each a list of attendee or None"
    room = meeting.room
    rostrum = [None] * room.rostrum_seats
    rows = [[None] * room.seats_per_row for _ in range(room.rows)]
    for attendee in meeting.attendees:
        row, number = attendee.seat_row, attendee.seat_number
        # One who asked for leave after the seating keeps no seat
        if row is None or number is None or attendee.state == 'declined':
            continue
        target = rostrum if row == 0 else (
            rows[row - 1] if row <= len(rows) else None)
        if target is not None and 1 <= number <= len(target):
            target[number - 1] = attendee
    return rostrum, rows


class SwapStart(ModelView):
    "Swap Seats"
    __name__ = 'egov.meeting.seat.swap.start'
    __string__ = "Swap Seats"
    meeting = fields.Many2One('egov.meeting.meeting', "Meeting",
        readonly=True)
    first = fields.Many2One('egov.meeting.attendee', "Attendee",
        required=True, domain=[('meeting', '=', Eval('meeting', -1))])
    second = fields.Many2One('egov.meeting.attendee', "Swap with",
        required=True, domain=[
            ('meeting', '=', Eval('meeting', -1)),
            ('id', '!=', Eval('first', -1)),
            ])


class Swap(Wizard):
    "Swap Seats"
    __name__ = 'egov.meeting.seat.swap'
    start = StateView('egov.meeting.seat.swap.start',
        'egov_meeting.seat_swap_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Swap", 'swap', 'tryton-ok', default=True),
            ])
    swap = StateTransition()

    def default_start(self, fields):
        return {'meeting': self.record.id if self.record else None}

    def transition_swap(self):
        meeting = self.record
        meeting.check_organiser()
        first, second = self.start.first, self.start.second
        if first.meeting != meeting or second.meeting != meeting:
            raise MeetingError(gettext('egov_meeting.msg_swap_other'))
        swap(first, second)
        return 'end'
