"""调整座位: what the arrange page's drag and drop does on the server. A
drop puts one attendee on a seat: an empty seat takes them (move), a seat
taken exchanges the two (swap). Each drop is checked here, whatever the
page believed: the person may arrange this meeting, the seat is in the
room, the attendee is the meeting's, the seat still holds whom the page
showed. It is saved in one transaction with the meeting's row locked, so
two organisers dropping at once queue; the later one is told the seat
changed and gets the new plan (the unique seat constraint backs it)."""
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus
from trytond.transaction import without_check_access

from .room import user_units
from .seating import swap

# The states in which the seats may still change
OPEN_STATES = {'draft', 'noticed'}


class ArrangeError(Exception):
    "A drop refused: the HTTP status and the message the organiser reads"

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def refuse(status, key, **values):
    raise ArrangeError(status, gettext('egov_meeting.msg_arrange_' + key,
            **values))


def check_arranger(meeting):
    """Refuse who may not arrange the meeting's seats: the people of its
    organiser unit with the right to change meetings"""
    ModelAccess = Pool().get('ir.model.access')
    if meeting.unit.id not in user_units():
        refuse(HTTPStatus.FORBIDDEN, 'not_organiser',
            unit=meeting.unit.rec_name)
    if not ModelAccess.check('egov.meeting.meeting', 'write',
            raise_exception=False):
        refuse(HTTPStatus.FORBIDDEN, 'no_right')
    if meeting.state not in OPEN_STATES:
        refuse(HTTPStatus.CONFLICT, 'closed')
    if not meeting.room:
        refuse(HTTPStatus.CONFLICT, 'no_room')


def seat_label(row, number):
    if row is None or number is None:
        return gettext('egov_meeting.msg_arrange_page_unseated')
    if row == 0:
        return gettext('egov_meeting.msg_seat_rostrum', number=number)
    return gettext('egov_meeting.msg_seat', row=row, number=number)


def plan(meeting):
    "The meeting's room and attendees as the page draws them (JSON values)"
    room = meeting.room
    attendees = []
    with without_check_access():
        for attendee in meeting.attendees:
            if attendee.state == 'declined':
                continue
            attendees.append({
                    'id': attendee.id,
                    'name': attendee.name,
                    'unit': (attendee.invitation.unit.rec_name
                        if attendee.invitation else (attendee.post or '')),
                    'row': attendee.seat_row,
                    'seat': attendee.seat_number,
                    'signed': bool(attendee.signed_at),
                    })
    return {
        'meeting': meeting.id,
        'banner': meeting.banner or meeting.name,
        'room': room.rec_name if room else '',
        'rows': room.rows if room else 0,
        'seats': room.seats_per_row if room else 0,
        'rostrum': room.rostrum_seats if room else 0,
        'attendees': attendees,
        }


def valid_seat(room, row, number):
    if row == 0:
        return 1 <= number <= room.rostrum_seats
    return 1 <= row <= room.rows and 1 <= number <= room.seats_per_row


def place(meeting, attendee_id, row, number, occupant_id):
    """Put the attendee on seat (row, number) of the meeting's room, where
    the page showed occupant_id (None: empty); the message of what was done"""
    pool = Pool()
    Meeting = pool.get('egov.meeting.meeting')
    Attendee = pool.get('egov.meeting.attendee')
    check_arranger(meeting)
    room = meeting.room
    if not valid_seat(room, row, number):
        refuse(HTTPStatus.BAD_REQUEST, 'bad_seat',
            seat=seat_label(row, number), room=room.rec_name,
            rows=room.rows, seats=room.seats_per_row,
            rostrum=room.rostrum_seats)
    # Two drops on this meeting queue here (a retried transaction takes
    # the lock first: what follows reads what the earlier one saved)
    Meeting.lock([meeting])
    with without_check_access():
        attendees = Attendee.search([
                ('meeting', '=', meeting.id),
                ['OR', ('id', '=', attendee_id), [
                        ('seat_row', '=', row),
                        ('seat_number', '=', number)]],
                ])
        mover = [a for a in attendees if a.id == attendee_id]
        if not mover:
            refuse(HTTPStatus.BAD_REQUEST, 'bad_attendee')
        mover, = mover
        if mover.state == 'declined':
            refuse(HTTPStatus.BAD_REQUEST, 'declined', name=mover.name)
        sitting = [a for a in attendees
            if (a.seat_row, a.seat_number) == (row, number)]
        # Who asked for leave after the seating keeps no seat
        gone = [a for a in sitting if a.state == 'declined' and a != mover]
        if gone:
            Attendee.write(gone, {'seat_row': None, 'seat_number': None})
        sitting = [a for a in sitting if a not in gone]
        sitting = sitting[0] if sitting else None
        if (sitting.id if sitting else None) != occupant_id:
            refuse(HTTPStatus.CONFLICT, 'changed')
        if sitting == mover:
            return gettext('egov_meeting.msg_arrange_moved',
                name=mover.name, seat=seat_label(row, number))
        if sitting:
            swap(mover, sitting)
            return gettext('egov_meeting.msg_arrange_swapped',
                first=mover.name, second=sitting.name)
        Attendee.write([mover], {'seat_row': row, 'seat_number': number})
    return gettext('egov_meeting.msg_arrange_moved',
        name=mover.name, seat=seat_label(row, number))

