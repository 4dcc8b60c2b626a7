"""The arrange page (调整座位), served by trytond to a logged-in session (the
web client's cookie, SameSite=Strict, or a Session header):
- GET arrange/<id>: the room's grid with the rostrum, a card per attendee
  (static HTML and web/arrange.js; the plan handed as a JSON data block);
- POST arrange/<id>/seat, JSON {attendee, row, seat, occupant}: one drop,
  answered with the new plan and what was done, or an error status and the
  message in the user's language (arrange.py checks and saves).
Only JSON is taken (a form of another site cannot send it) and at most
MAX_BODY bytes."""
import html
import json
import mimetypes
import os
import re

from trytond.model.exceptions import SQLConstraintError
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from egov_base.web_page import (
    JSON_ESCAPES, messages_of, render_page, secure, user_language)
from egov_workflow.routes import message, parse_id

from .arrange import ArrangeError, check_arranger, place, plan
from .routes import login_required, page

WEB = os.path.join(os.path.dirname(__file__), 'web')
STATIC_NAME = re.compile(r'arrange\.(js|css)')
MAX_BODY = 1024
MAX_SEAT = 1000


def json_response(data, status=HTTPStatus.OK):
    return secure(Response(json.dumps(data, ensure_ascii=False), status,
            content_type='application/json; charset=utf-8'))


def readable_meeting(pool, record):
    "The meeting of the address if the user may read it, else None"
    Meeting = pool.get('egov.meeting.meeting')
    meeting_id = parse_id(record)
    if meeting_id is None:
        return None
    meetings = Meeting.search([('id', '=', meeting_id)])
    return meetings[0] if meetings else None


@app.route('/<database_name>/egov/meeting/arrange/<record>', methods=['GET'])
@login_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def arrange(request, pool, record):
    language = user_language(pool)
    with Transaction().set_context(language=language):
        meeting = readable_meeting(pool, record)
        if meeting is None:
            return message(pool.database_name, HTTPStatus.NOT_FOUND,
                'not_found_title', 'not_found_text')
        try:
            check_arranger(meeting)
        except ArrangeError as error:
            return page(pool, html.escape(meeting.name),
                '<p class="error">%s</p>' % html.escape(error.message),
                'arrange refused', status=error.status)
        messages = messages_of('egov_meeting', 'msg_arrange_page_')
        database = pool.database_name
        response = render_page(os.path.join(WEB, 'arrange.html'), messages, {
                'database': database,
                'meeting': meeting.id,
                'name': meeting.name,
                'static': '/%s/egov/meeting/arrange/static/' % database,
                'chart': meeting.page_url('seats'),
                'back': '/#%s/model/egov.meeting.meeting/%d' % (
                    database, meeting.id),
                }, language)
        # The plan as a second data block, read by the page's script
        response.set_data(response.get_data(as_text=True).replace(
                '<!--plan-->', plan_block(plan(meeting)), 1))
        return response


def plan_block(data):
    "The plan as a JSON data block, never run (CSP allows it)"
    return '<script type="application/json" id="egov-plan">%s</script>' % (
        json.dumps(data, ensure_ascii=False, separators=(',', ':'))
        .translate(JSON_ESCAPES))


def drop_values(request):
    "(attendee, row, seat, occupant) of the drop, or None when malformed"
    if request.mimetype != 'application/json' or (
            request.content_length or 0) > MAX_BODY:
        return None
    # Kept: the transaction may be run again (to take the meeting's lock)
    data = request.get_data()
    if len(data) > MAX_BODY:
        return None
    try:
        values = json.loads(data)
    except ValueError:
        return None
    if not isinstance(values, dict):
        return None
    result = []
    for name in ['attendee', 'row', 'seat', 'occupant']:
        value = values.get(name)
        if name == 'occupant' and value is None:
            result.append(None)
        elif (isinstance(value, int) and not isinstance(value, bool)
                and 0 <= value <= (2 ** 31 - 1 if name in {
                        'attendee', 'occupant'} else MAX_SEAT)):
            result.append(value)
        else:
            return None
    return tuple(result)


@app.route('/<database_name>/egov/meeting/arrange/<record>/seat',
    methods=['POST'])
@login_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def arrange_seat(request, pool, record):
    from trytond.i18n import gettext
    with Transaction().set_context(language=user_language(pool)):
        values = drop_values(request)
        if values is None:
            return json_response({'error': gettext(
                        'egov_meeting.msg_arrange_bad_request')},
                HTTPStatus.BAD_REQUEST)
        meeting = readable_meeting(pool, record)
        if meeting is None:
            return json_response({'error': gettext(
                        'egov_meeting.msg_arrange_not_found')},
                HTTPStatus.NOT_FOUND)
        try:
            done = place(meeting, *values)
        except ArrangeError as error:
            body = {'error': error.message}
            if error.status == HTTPStatus.CONFLICT:
                body['plan'] = plan(meeting)
            return json_response(body, error.status)
        except SQLConstraintError:
            # One person a seat: another drop took it after this one read
            # it (SQLite reads before it waits to write)
            transaction = Transaction()
            transaction.rollback()
            return json_response({
                    'error': gettext('egov_meeting.msg_arrange_changed'),
                    'plan': plan(meeting.__class__(meeting.id)),
                    }, HTTPStatus.CONFLICT)
        return json_response({'message': done, 'plan': plan(meeting)})


@app.route('/<database_name>/egov/meeting/arrange/static/<name>',
    methods=['GET'])
def arrange_static(request, database_name, name):
    "The page's own script and style: code, no data"
    path = os.path.join(WEB, name)
    if not STATIC_NAME.fullmatch(name) or not os.path.isfile(path):
        return secure(Response(status=HTTPStatus.NOT_FOUND))
    content_type, _ = mimetypes.guess_type(name)
    with open(path, 'rb') as file:
        response = Response(file.read(), HTTPStatus.OK,
            content_type=content_type + '; charset=utf-8')
    response.headers['Cache-Control'] = 'no-cache'
    return secure(response)
