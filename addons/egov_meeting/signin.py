"""会议签到: the door shows a QR code that changes every 30 seconds (an HMAC
of the meeting and the time window with the platform's secret); a code is
good for its window and the one before, so a photo of it is useless a
minute later. Each attendee also has a personal code. Scanning either
signs in the person logged in on the phone, once."""
import base64
import datetime
import hashlib
import hmac
import secrets
import time

from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .exceptions import SignInError

WINDOW = 30
CODE_LENGTH = 16


class Configuration(ModelSQL):
    "One record (meeting.xml): a singleton would lock its table to be made"
    __name__ = 'egov.meeting.configuration'
    __string__ = "Meeting Configuration"
    _egov_visibility = 'admin'
    signin_secret = fields.Char("Sign-in Secret", readonly=True)

    @classmethod
    def secret(cls):
        """The key of the door codes, made once per database (in a
        transaction of its own: the door page's is read-only)"""
        with without_check_access():
            config, = cls.search([], limit=1, order=[('id', 'ASC')])
            if config.signin_secret:
                return config.signin_secret.encode()
        if not Transaction().readonly:
            with without_check_access():
                config.signin_secret = secrets.token_hex(32)
                config.save()
                return config.signin_secret.encode()
        with Transaction().new_transaction() as transaction, \
                without_check_access():
            config = cls(config.id)
            if not config.signin_secret:
                config.signin_secret = secrets.token_hex(32)
                config.save()
            secret = config.signin_secret
            transaction.commit()
        return secret.encode()


def window(now=None):
    return int((now if now is not None else time.time()) // WINDOW)


def door_code(meeting_id, slot=None):
    "The door code of meeting_id in the time window slot (now by default)"
    Configuration = Pool().get('egov.meeting.configuration')
    slot = window() if slot is None else slot
    digest = hmac.new(Configuration.secret(),
        b'%d:%d' % (meeting_id, slot), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:CODE_LENGTH]


# How far back an old code is still told apart from a forged one
EXPIRED_WINDOWS = 240


def check_door_code(meeting_id, code, now=None):
    """'valid' for the meeting's door code of now or the window before,
    'expired' for an older one (of the last two hours), else 'forged'"""
    if not isinstance(code, str) or len(code) != CODE_LENGTH:
        return 'forged'
    slot = window(now)
    if any(hmac.compare_digest(door_code(meeting_id, s), code)
            for s in (slot, slot - 1)):
        return 'valid'
    if any(hmac.compare_digest(door_code(meeting_id, s), code)
            for s in range(slot - 2, slot - EXPIRED_WINDOWS, -1)):
        return 'expired'
    return 'forged'



def sign_in(attendee, manual=False):
    "Sign attendee in once; answer the attendee"
    Attendee = Pool().get('egov.meeting.attendee')
    if attendee.state == 'declined':
        raise SignInError(gettext('egov_meeting.msg_signin_declined',
                name=attendee.name))
    if attendee.signed_at:
        raise SignInError(gettext('egov_meeting.msg_signin_twice',
                name=attendee.name,
                at=local_hm(attendee.signed_at)))
    # Only if still not signed in: a second scan at the same instant
    # changes nothing
    table = Attendee.__table__()
    cursor = Transaction().connection.cursor()
    now = datetime.datetime.now()
    cursor.execute(*table.update(
            [table.signed_at, table.signed_by, table.state,
                table.write_date, table.write_uid],
            [now, Transaction().user if manual else None, 'registered',
                now, Transaction().user],
            where=(table.id == attendee.id) & (table.signed_at == None)))  # noqa
    if not cursor.rowcount:
        raise SignInError(gettext('egov_meeting.msg_signin_twice',
                name=attendee.name, at=''))
    return attendee


def local_hm(value):
    from .room import local
    return local(value).strftime('%H:%M')


def sign_in_by_code(meeting_id=None, code=None, personal=None):
    """Sign in the user of the transaction with the door code of a meeting
    or a personal code; answer (meeting, attendee). Raise SignInError
    with a Chinese message for a forged, expired or misplaced code."""
    pool = Pool()
    Meeting = pool.get('egov.meeting.meeting')
    Attendee = pool.get('egov.meeting.attendee')
    Employee = pool.get('egov.org.employee')
    user_id = Transaction().user
    with without_check_access():
        if personal is not None:
            if not isinstance(personal, str) or not (
                    8 <= len(personal) <= 32):
                raise SignInError(gettext('egov_meeting.msg_signin_forged'))
            attendees = Attendee.search([('code', '=', personal)], limit=1)
            if not attendees:
                raise SignInError(gettext('egov_meeting.msg_signin_forged'))
            attendee, = attendees
            meeting = attendee.meeting
            if (attendee.employee and attendee.employee.user
                    and attendee.employee.user.id != user_id
                    and meeting.unit.id not in _units()):
                raise SignInError(gettext(
                        'egov_meeting.msg_signin_not_yours'))
        else:
            meetings = Meeting.search([('id', '=', meeting_id or -1)])
            verdict = check_door_code(meeting_id, code) if meetings else (
                'forged')
            if verdict == 'expired':
                raise SignInError(gettext(
                        'egov_meeting.msg_signin_expired'))
            elif verdict != 'valid':
                raise SignInError(gettext(
                        'egov_meeting.msg_signin_forged'))
            meeting, = meetings
            employees = Employee.search([('user', '=', user_id)])
            attendees = Attendee.search([
                    ('meeting', '=', meeting.id),
                    ('employee', 'in', [e.id for e in employees]),
                    ], limit=1)
            if not attendees:
                raise SignInError(gettext(
                        'egov_meeting.msg_signin_not_invited',
                        meeting=meeting.name))
            attendee, = attendees
        if meeting.state not in {'draft', 'noticed'}:
            raise SignInError(gettext('egov_meeting.msg_signin_over',
                    meeting=meeting.name))
        sign_in(attendee)
    return meeting, attendee


def _units():
    from .room import user_units
    return user_units()
