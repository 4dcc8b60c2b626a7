"""座位安排: seats by protocol order (the organisation's order of people,
then of their units), the rostrum first, then the rows from the front,
each row filled from its middle outwards as Chinese protocol seats; the
organiser swaps two people afterwards."""
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


def protocol_key(attendee):
    employee = attendee.employee
    unit = attendee.invitation.unit if attendee.invitation else (
        employee.unit if employee else None)
    return (
        # People invited by name or post (the leaders) before the units'
        0 if attendee.invitation is None else 1,
        employee.sequence if employee and employee.sequence is not None
        else 10000,
        unit.sequence if unit and unit.sequence is not None else 10000,
        unit.id if unit else 0,
        attendee.id)


def places(room):
    "(row, seat) of the room in the order they are given"
    result = [(0, n) for n in middle_out(room.rostrum_seats)
        ] if room.rostrum_seats else []
    for row in range(1, room.rows + 1):
        result.extend((row, n) for n in middle_out(room.seats_per_row))
    return result


def assign(meeting):
    Attendee = Pool().get('egov.meeting.attendee')
    with without_check_access():
        attendees = sorted([a for a in meeting.attendees
                if a.state != 'declined'], key=protocol_key)
        seats = places(meeting.room)
        if len(attendees) > len(seats):
            raise MeetingError(gettext('egov_meeting.msg_seats_short',
                    room=meeting.room.rec_name, seats=len(seats),
                    count=len(attendees)))
        to_write = []
        for attendee, (row, number) in zip(attendees, seats):
            to_write.extend([[attendee], {
                        'seat_row': row, 'seat_number': number}])
        Attendee.write([a for a in meeting.attendees
                if a.state == 'declined'] or [], {
                'seat_row': None, 'seat_number': None})
        if to_write:
            Attendee.write(*to_write)


def chart(meeting):
    "The rostrum and the rows of the room, each a list of attendee or None"
    room = meeting.room
    rostrum = [None] * room.rostrum_seats
    rows = [[None] * room.seats_per_row for _ in range(room.rows)]
    for attendee in meeting.attendees:
        row, number = attendee.seat_row, attendee.seat_number
        if row is None or number is None:
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
        Attendee = Pool().get('egov.meeting.attendee')
        meeting = self.record
        meeting.check_organiser()
        first, second = self.start.first, self.start.second
        if first.meeting != meeting or second.meeting != meeting:
            raise MeetingError(gettext('egov_meeting.msg_swap_other'))
        with without_check_access():
            Attendee.write([first], {
                    'seat_row': second.seat_row,
                    'seat_number': second.seat_number,
                    }, [second], {
                    'seat_row': first.seat_row,
                    'seat_number': first.seat_number,
                    })
        return 'end'
