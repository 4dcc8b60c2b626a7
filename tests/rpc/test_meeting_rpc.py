"""Meetings over JSON-RPC, as the web client runs them on the demo: fifty
sessions book one slot of a room at the same moment and exactly one wins
(on SQLite and PostgreSQL); refused requests leave nothing behind; the
sign-in pages answer a phone in Chinese."""
import base64
import concurrent.futures
import datetime
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
PARALLEL = 50


def room(session, name):
    rooms = session.search_read('egov.meeting.room', [('name', '=', name)],
        ['id', 'name'])
    assert rooms, "the demo has the room %s" % name
    return rooms[0]['id']


def slot(days, hour, hours=1):
    start = (datetime.datetime.utcnow().replace(
            minute=0, second=0, microsecond=0)
        + datetime.timedelta(days=days)).replace(hour=hour)
    return start, start + datetime.timedelta(hours=hours)


def rpc_datetime(value):
    return {'__class__': 'datetime', 'year': value.year,
        'month': value.month, 'day': value.day, 'hour': value.hour,
        'minute': value.minute, 'second': value.second, 'microsecond': 0}


def test_fifty_parallel_bookings_one_wins(server, artefacts):
    logins = ['gaofang', 'linhai', 'guojing', 'heping', 'fengbo']
    sessions = [Session(server, logins[i % len(logins)], PASSWORD)
        for i in range(PARALLEL)]
    room_id = room(sessions[0], '市政府第一会议室')
    start, end = slot(9, 2)
    barrier = threading.Barrier(PARALLEL)

    def book(args):
        index, session = args
        barrier.wait()
        began = time.monotonic()
        try:
            result = session.model('egov.meeting.booking', 'create', [{
                        'room': room_id, 'start': rpc_datetime(start),
                        'end': rpc_datetime(end),
                        'topic': '并发预订 %d' % index}])
        except RPCError as error:
            return error.kind, error.message, time.monotonic() - began
        return 'ok', result, time.monotonic() - began

    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(book, enumerate(sessions)))
    seconds = time.monotonic() - began
    winners = [r for r in results if r[0] == 'ok']
    losers = [r for r in results if r[0] != 'ok']
    assert len(winners) == 1, results
    # Every loser is told in Chinese which booking holds the room
    assert {kind for kind, _, _ in losers} == {'UserError'}, losers[:3]
    assert all('已被预订' in message for _, message, _ in losers), losers[:3]
    held = sessions[0].search_read('egov.meeting.booking', [
            ('room', '=', room_id), ('start', '<', rpc_datetime(end)),
            ('end', '>', rpc_datetime(start)),
            ('state', 'in', ['requested', 'approved'])], ['topic'])
    assert len(held) == 1, held
    times = sorted(t for _, _, t in results)
    report = ('%s: %d parallel bookings of one slot: %d won, %d refused '
        '(已被预订) in %.2f s; per request p50 %.0f ms, max %.0f ms\n' % (
            server.backend, PARALLEL, len(winners), len(losers), seconds,
            times[len(times) // 2] * 1000, times[-1] * 1000))
    (artefacts / ('meeting_booking_race_%s.txt' % server.backend)
        ).write_text(report, encoding='utf-8')
    print(report)


def test_refused_requests_leave_nothing(server):
    session = Session(server, 'gaofang', PASSWORD)
    room_id = room(session, '市政府第三会议室')
    start, end = slot(12, 3)
    # A weekly series whose third week is taken: none of it is saved
    taken = session.model('egov.meeting.booking', 'create', [{
                'room': room_id,
                'start': rpc_datetime(start + datetime.timedelta(days=14)),
                'end': rpc_datetime(end + datetime.timedelta(days=14)),
                'topic': '已占用'}])
    assert taken
    wizard = 'egov.meeting.booking.weekly'
    session_id, _, _ = session.call('wizard.%s.create' % wizard,
        session.context)
    try:
        session.call('wizard.%s.execute' % wizard, session_id, {'start': {
                    'room': room_id, 'start': rpc_datetime(start),
                    'end': rpc_datetime(end), 'topic': '周例会',
                    'times': 4}}, 'book', session.context)
    except RPCError as error:
        assert '已被预订' in error.message
        local = start + datetime.timedelta(days=14, hours=8)
        assert local.strftime('%Y-%m-%d') in error.message
    else:
        raise AssertionError('the series was booked over a taken week')
    assert session.search_read('egov.meeting.booking',
        [('topic', '=', '周例会')], ['id']) == []

    # A meeting in a closed room: refused, no meeting saved
    manager = Session(server, 'sunli', PASSWORD)
    manager.model('egov.meeting.room', 'write', [room_id],
        {'state': 'closed'})
    try:
        try:
            manager.model('egov.meeting.meeting', 'create', [{
                        'name': '停用会议室里的会', 'room': room_id,
                        'start': rpc_datetime(start),
                        'end': rpc_datetime(end)}])
        except RPCError as error:
            assert '停用' in error.message
        else:
            raise AssertionError('a meeting was booked in a closed room')
        assert manager.search_read('egov.meeting.meeting',
            [('name', '=', '停用会议室里的会')], ['id']) == []
    finally:
        manager.model('egov.meeting.room', 'write', [room_id],
            {'state': 'open'})


def page(server, session, path, data=None):
    auth = '%s:%s:%s' % (session.login, session.user_id, session.token)
    request = urllib.request.Request(
        '%s/%s/egov/meeting/%s' % (server.url, server.database, path),
        data=urllib.parse.urlencode(data).encode() if data else None,
        headers={'Authorization': 'Session '
            + base64.b64encode(auth.encode()).decode()})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_door_code_and_phone_sign_in(server, artefacts):
    import re
    import html
    organiser = Session(server, 'sunli', PASSWORD)
    meeting, = organiser.search_read('egov.meeting.meeting',
        [('name', '=', '全市教育工作会议')], ['id', 'present'])
    status, text = page(server, organiser, 'door/%d' % meeting['id'])
    assert status == 200 and 'data:image/png;base64,' in text
    assert '每30秒' in text
    # Someone of another unit does not get the organiser's pages
    outsider = Session(server, 'gaofang', PASSWORD)
    status, _ = page(server, outsider, 'door/%d' % meeting['id'])
    assert status == 404
    # The code the door shows now, read back from the QR image
    import io
    import zxingcpp
    from PIL import Image
    image = re.search(r'data:image/png;base64,([^"]+)', text).group(1)
    decoded, = zxingcpp.read_barcodes(Image.open(io.BytesIO(
                base64.b64decode(image))))
    query = urllib.parse.parse_qs(urllib.parse.urlparse(
            decoded.text).query)
    code = query['c'][0]
    assert int(query['m'][0]) == meeting['id']

    attendee = Session(server, 'hujun', PASSWORD)
    status, text = page(server, attendee, 'signin?m=%d&c=%s' % (
            meeting['id'], code))
    assert status == 200 and '确认签到' in text
    status, text = page(server, attendee, 'signin',
        {'m': meeting['id'], 'c': code})
    assert status == 200 and '签到成功' in html.unescape(text), text
    (artefacts / 'meeting_signin_page.html').write_text(text)
    status, text = page(server, attendee, 'signin',
        {'m': meeting['id'], 'c': code})
    assert status == 409 and '已经签到' in html.unescape(text)
    status, text = page(server, attendee, 'signin',
        {'m': meeting['id'], 'c': 'x' * 16})
    assert status == 409 and '无效' in html.unescape(text)
    # Not on the list
    status, text = page(server, outsider, 'signin',
        {'m': meeting['id'], 'c': code})
    assert status == 409 and '不在' in html.unescape(text)
    status, text = page(server, organiser, 'presence/%d' % meeting['id'])
    assert status == 200 and '胡军' in text and '已到' in text
    status, text = page(server, organiser, 'seats/%d' % meeting['id'])
    assert status == 200 and '主席台' in text and '马帅' in text
    (artefacts / 'meeting_seats.html').write_text(text)
