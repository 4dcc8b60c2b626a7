"""The meeting's pages, served by trytond to a logged-in session (the web
client's cookie or a Session header), plain HTML with no script:
- door/<id>: the rotating QR code at the door (organiser), refreshed
  every 10 s by the page itself;
- presence/<id>: who is present and who is missing, refreshed every 5 s;
- signin?m=&c= (or ?a= a personal code): the attendee's page after the
  scan; its button POSTs (same-site cookie only) and signs them in;
- seats/<id>: the seating chart and seat cards, for printing."""
import base64
import html
import io
import urllib.parse
from functools import wraps

from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from egov_base.web_page import secure, user_language
from egov_workflow.routes import client_url, message, parse_id

from .exceptions import SignInError

PAGE = '''<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
%(refresh)s<title>%(title)s</title>
<link rel="stylesheet" href="/%(database)s/egov/meeting/static/meeting.css">
</head><body class="%(kind)s"><main><h1>%(title)s</h1>%(body)s</main>
</body></html>
'''


def login_required(func):
    @wraps(func)
    def wrapper(request, database_name, *args, **kwargs):
        if request.session is None or not request.user_id:
            return message(database_name, HTTPStatus.UNAUTHORIZED,
                'login_title', 'login_text',
                link=client_url(database_name), link_text='login_link')
        return func(request, database_name, *args, **kwargs)
    return wrapper


def t(_key, **values):
    return html.escape(gettext("egov_meeting.msg_page_" + _key, **values))


def page(pool, title, body, kind='', refresh=None, status=HTTPStatus.OK):
    text = PAGE % {
        'database': html.escape(pool.database_name, quote=True),
        'title': title, 'body': body, 'kind': kind,
        'refresh': ('<meta http-equiv="refresh" content="%d">' % refresh)
        if refresh else '',
        }
    return secure(Response(text, status,
            content_type='text/html; charset=utf-8'))


def organised(pool, record):
    """The meeting of the address if the user may read it and belongs to
    its organiser unit, else None"""
    from .room import user_units
    Meeting = pool.get('egov.meeting.meeting')
    meeting_id = parse_id(record)
    if meeting_id is None:
        return None
    try:
        meetings = Meeting.search([('id', '=', meeting_id)])
    except Exception:
        return None
    if not meetings or meetings[0].unit.id not in user_units():
        return None
    return meetings[0]


def qr_image(text):
    import qrcode
    image = qrcode.make(text, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format='PNG')
    return 'data:image/png;base64,' + base64.b64encode(
        buffer.getvalue()).decode()


@app.route('/<database_name>/egov/meeting/door/<record>', methods=['GET'])
@login_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def door(request, pool, record):
    from .signin import door_code
    with Transaction().set_context(language=user_language(pool)):
        meeting = organised(pool, record)
        if meeting is None:
            return message(pool.database_name, HTTPStatus.NOT_FOUND,
                'not_found_title', 'not_found_text')
        url = '%s/%s/egov/meeting/signin?%s' % (
            request.host_url.rstrip('/'), pool.database_name,
            urllib.parse.urlencode({'m': meeting.id,
                    'c': door_code(meeting.id)}))
        body = ('<p class="room">%s</p><img class="qr" alt="QR" src="%s">'
            '<p>%s</p><p class="count">%s</p>' % (
                html.escape(meeting.room.rec_name if meeting.room else ''),
                qr_image(url), t('door_hint'),
                t('present_count', present=meeting.present,
                    registered=meeting.registered)))
        return page(pool, html.escape(meeting.name), body, 'door',
            refresh=10)


@app.route('/<database_name>/egov/meeting/presence/<record>',
    methods=['GET'])
@login_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def presence(request, pool, record):
    from .room import local
    with Transaction().set_context(language=user_language(pool)):
        meeting = organised(pool, record)
        if meeting is None:
            return message(pool.database_name, HTTPStatus.NOT_FOUND,
                'not_found_title', 'not_found_text')
        present, missing = [], []
        for attendee in meeting.attendees:
            if attendee.state == 'declined':
                continue
            unit = (attendee.invitation.unit.rec_name if attendee.invitation
                else '')
            row = '<li>%s <small>%s</small>%s</li>' % (
                html.escape(attendee.name), html.escape(unit),
                (' <b>%s</b>' % local(attendee.signed_at).strftime('%H:%M'))
                if attendee.signed_at else '')
            (present if attendee.signed_at else missing).append(row)
        body = ('<section class="present"><h2>%s</h2><ul>%s</ul></section>'
            '<section class="missing"><h2>%s</h2><ul>%s</ul></section>' % (
                t('present', count=len(present)), ''.join(present),
                t('missing', count=len(missing)), ''.join(missing)))
        return page(pool, html.escape(meeting.name), body, 'presence',
            refresh=5)


@app.route('/<database_name>/egov/meeting/signin', methods=['GET', 'POST'])
@login_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def signin(request, pool):
    from .signin import sign_in_by_code
    values = request.form if request.method == 'POST' else request.args
    meeting_id = parse_id(values.get('m', ''))
    code = values.get('c', '')[:64]
    personal = values.get('a')
    personal = personal[:64] if personal is not None else None
    with Transaction().set_context(language=user_language(pool)):
        if request.method == 'GET':
            fields = ''.join('<input type="hidden" name="%s" value="%s">' % (
                    k, html.escape(v, quote=True))
                for k, v in [('m', values.get('m', '')[:12]), ('c', code),
                    ('a', personal or '')] if v)
            body = ('<form method="post">%s<button type="submit">%s'
                '</button></form>' % (fields, t('signin_button')))
            return page(pool, t('signin_title'), body, 'signin')
        try:
            meeting, attendee = sign_in_by_code(meeting_id or None, code,
                personal or None)
        except SignInError as error:
            return page(pool, t('signin_failed'),
                '<p class="error">%s</p>' % html.escape(error.message),
                'signin failed', status=HTTPStatus.CONFLICT)
        return page(pool, t('signin_done'), '<p class="ok">%s</p>' % t(
                'signin_welcome', name=attendee.name, meeting=meeting.name,
                seat=attendee.seat or '-'), 'signin done')


@app.route('/<database_name>/egov/meeting/seats/<record>', methods=['GET'])
@login_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def seats(request, pool, record):
    from .seating import chart
    with Transaction().set_context(language=user_language(pool)):
        meeting = organised(pool, record)
        if meeting is None or not meeting.room:
            return message(pool.database_name, HTTPStatus.NOT_FOUND,
                'not_found_title', 'not_found_text')
        rostrum, rows = chart(meeting)

        def cell(attendee):
            if attendee is None:
                return '<td class="empty"></td>'
            return '<td>%s<small>%s</small></td>' % (
                html.escape(attendee.name), html.escape(
                    attendee.invitation.unit.rec_name
                    if attendee.invitation else (attendee.post or '')))
        body = ['<p class="banner">%s</p>' % html.escape(
                meeting.banner or meeting.name)]
        # The rostrum faces the middle of the hall
        width = max([len(r) for r in rows] + [len(rostrum)])
        left = (width - len(rostrum)) // 2
        right = width - len(rostrum) - left

        def gap(span):
            return '<td class="gap" colspan="%d"></td>' % span if span else ''
        body.append('<table class="chart"><caption>%s</caption>'
            '<tr class="rostrum"><th></th>%s%s%s</tr>' % (
                t('rostrum'), gap(left),
                ''.join(cell(a) for a in rostrum), gap(right)))
        for number, row in enumerate(rows, 1):
            body.append('<tr><th>%s</th>%s</tr>' % (
                    t('row', row=number), ''.join(cell(a) for a in row)))
        body.append('</table><section class="cards">')
        for attendee in [a for a in rostrum + sum(rows, []) if a]:
            body.append('<div class="card"><span>%s</span></div>'
                % html.escape(attendee.name))
        body.append('</section>')
        return page(pool, html.escape(meeting.name), ''.join(body), 'seats')


@app.route('/<database_name>/egov/meeting/static/meeting.css',
    methods=['GET'])
def static(request, database_name):
    import os
    path = os.path.join(os.path.dirname(__file__), 'web', 'meeting.css')
    with open(path, 'rb') as file:
        response = Response(file.read(), HTTPStatus.OK,
            content_type='text/css; charset=utf-8')
    response.headers['Cache-Control'] = 'no-cache'
    return secure(response)
