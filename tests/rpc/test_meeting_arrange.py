"""The arrange page of the demo's 全市教育工作会议 (调整座位) over HTTP, as
its script calls it: the organiser 孙丽 moves and swaps people; a clerk of
another unit, even of an invited one, is refused in Chinese; seats outside
the room, strangers and malformed requests are refused and change nothing;
two organisers dropping two people on one seat at the same moment never
seat two people there."""
import base64
import concurrent.futures
import json
import threading
import urllib.error
import urllib.request

from .rpc import Session

PASSWORD = 'Yichun@2026'
MEETING = '全市教育工作会议'
ROUNDS = 8


def auth(session):
    token = '%s:%s:%s' % (session.login, session.user_id, session.token)
    return 'Session ' + base64.b64encode(token.encode()).decode()


def request(server, session, path, data=None, content_type=None):
    "(status, headers, body) of GET or POST path under egov/meeting/arrange"
    headers = {'Authorization': auth(session)}
    if data is not None and not isinstance(data, bytes):
        data = json.dumps(data).encode()
        content_type = content_type or 'application/json'
    if content_type:
        headers['Content-Type'] = content_type
    req = urllib.request.Request('%s/%s/egov/meeting/arrange/%s' % (
            server.url, server.database, path), data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def drop(server, session, meeting_id, attendee, row, seat, occupant):
    status, _, text = request(server, session, '%d/seat' % meeting_id, {
            'attendee': attendee, 'row': row, 'seat': seat,
            'occupant': occupant})
    return status, json.loads(text)


def meeting_of(session):
    meeting, = session.search_read('egov.meeting.meeting',
        [('name', '=', MEETING)], ['id'])
    return meeting['id']


def seats(session, meeting_id):
    "{attendee id: (row, seat)} of the meeting's attendees not declined"
    return {a['id']: (a['seat_row'], a['seat_number'])
        for a in session.search_read('egov.meeting.attendee', [
                ('meeting', '=', meeting_id),
                ('state', '!=', 'declined')],
            ['seat_row', 'seat_number'])}


def free_seats(taken, count):
    "count free hall seats of the demo room (6 rows of 12), from the back"
    used = set(taken.values())
    return [(row, seat) for row in range(6, 0, -1) for seat in range(1, 13)
        if (row, seat) not in used][:count]


def assert_one_a_seat(session, meeting_id):
    placed = [s for s in seats(session, meeting_id).values()
        if s != (None, None)]
    assert len(placed) == len(set(placed)), placed


def test_page_and_allowed_moves(server, artefacts):
    organiser = Session(server, 'sunli', PASSWORD)
    meeting_id = meeting_of(organiser)
    status, headers, text = request(server, organiser, str(meeting_id))
    assert status == 200
    assert "script-src 'self'" in headers['Content-Security-Policy']
    # No inline script: the page's code is a file, its data JSON blocks
    assert '<script src=' in text and 'id="egov-plan"' in text
    assert '调整座位' in text and '主席台' in text
    (artefacts / 'meeting_arrange_page.html').write_text(text)

    before = seats(organiser, meeting_id)
    (first, first_seat), (second, second_seat) = [
        (a, s) for a, s in sorted(before.items()) if s != (None, None)][:2]
    # Onto an empty seat: a move
    target, = free_seats(before, 1)
    status, answer = drop(server, organiser, meeting_id, first, *target,
        None)
    assert status == 200, answer
    assert '已将' in answer['message'] and '第%d排' % target[0] in (
        answer['message'])
    after = seats(organiser, meeting_id)
    assert after[first] == target and after[second] == second_seat
    # Onto a person: a swap
    status, answer = drop(server, organiser, meeting_id, first,
        *second_seat, second)
    assert status == 200 and '互换座位' in answer['message'], answer
    after = seats(organiser, meeting_id)
    assert after[first] == second_seat and after[second] == target
    assert {a['id']: (a['row'], a['seat'])
        for a in answer['plan']['attendees']} == after
    # Back where they were (the other tests read the demo's chart)
    status, _ = drop(server, organiser, meeting_id, second, *first_seat,
        None)
    assert status == 200
    status, _ = drop(server, organiser, meeting_id, first, *second_seat,
        second)
    assert_one_a_seat(organiser, meeting_id)


def test_other_units_refused(server):
    organiser = Session(server, 'sunli', PASSWORD)
    meeting_id = meeting_of(organiser)
    before = seats(organiser, meeting_id)
    someone, seat = next((a, s) for a, s in before.items()
        if s != (None, None))
    target, = free_seats(before, 1)
    # 胡军 of the invited 宜春市教育局 reads the meeting, may not arrange it
    invited = Session(server, 'hujun', PASSWORD)
    status, _, text = request(server, invited, str(meeting_id))
    assert status == 403 and '只有主办单位' in text
    status, answer = drop(server, invited, meeting_id, someone, *target,
        None)
    assert status == 403, answer
    assert '只有主办单位宜春市人民政府办公室' in answer['error']
    # 高芳 of 宜春市财政局 does not even see it
    stranger = Session(server, 'gaofang', PASSWORD)
    status, answer = drop(server, stranger, meeting_id, someone, *target,
        None)
    assert status == 404 and '无权查看' in answer['error']
    status, _, _ = request(server, stranger, str(meeting_id))
    assert status == 404
    assert seats(organiser, meeting_id) == before


def test_bad_seats_and_requests_refused(server):
    organiser = Session(server, 'sunli', PASSWORD)
    meeting_id = meeting_of(organiser)
    before = seats(organiser, meeting_id)
    someone = next(a for a, s in before.items() if s != (None, None))
    for row, seat in [(7, 1), (1, 13), (0, 6), (3, 0)]:
        status, answer = drop(server, organiser, meeting_id, someone, row,
            seat, None)
        assert status == 400, (row, seat, answer)
        assert '共6排，每排12座，主席台5座' in answer['error'], answer
    # Someone of no meeting of this one
    status, answer = drop(server, organiser, meeting_id, 2 ** 31 - 1, 6, 1,
        None)
    assert status == 400 and '不是本次会议的参会人员' in answer['error']
    # Malformed: not JSON, a form, too big, wrong types
    for data, content_type in [
            (b'{not json', 'application/json'),
            (b'attendee=1&row=1&seat=1', 'application/x-www-form-urlencoded'),
            (json.dumps({'attendee': someone, 'row': 1, 'seat': 1,
                        'pad': 'x' * 2000}).encode(), 'application/json'),
            (json.dumps({'attendee': str(someone), 'row': 1, 'seat': 1,
                        'occupant': None}).encode(), 'application/json'),
            (json.dumps([someone, 1, 1]).encode(), 'application/json')]:
        status, _, text = request(server, organiser, '%d/seat' % meeting_id,
            data, content_type)
        assert status == 400 and '请求无法识别' in json.loads(text)['error']
    # Not logged in
    req = urllib.request.Request('%s/%s/egov/meeting/arrange/%d/seat' % (
            server.url, server.database, meeting_id), data=b'{}',
        headers={'Content-Type': 'application/json'})
    try:
        urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 401
    else:
        raise AssertionError('a drop without a session was taken')
    assert seats(organiser, meeting_id) == before


def test_two_organisers_drop_on_one_seat(server, artefacts):
    """Two people of the organiser unit drop two attendees on the same empty
    seat at the same moment, ROUNDS times: each time one is seated and the
    other told the seat changed (with the new plan)"""
    sessions = [Session(server, 'sunli', PASSWORD),
        Session(server, 'zhaoyang', PASSWORD)]
    meeting_id = meeting_of(sessions[0])
    original = seats(sessions[0], meeting_id)
    movers = [a for a, s in sorted(original.items())
        if s != (None, None)][:2]
    assert len(movers) == 2
    outcomes = []
    for _ in range(ROUNDS):
        target, = free_seats(seats(sessions[0], meeting_id), 1)
        barrier = threading.Barrier(2)

        def attempt(index):
            barrier.wait()
            return drop(server, sessions[index], meeting_id, movers[index],
                *target, None)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            results = list(pool.map(attempt, range(2)))
        statuses = sorted(status for status, _ in results)
        outcomes.append(statuses)
        assert statuses == [200, 409], results
        loser = [answer for status, answer in results if status == 409][0]
        assert '刚被他人调整' in loser['error']
        assert target in {(a['row'], a['seat'])
            for a in loser['plan']['attendees']}
        now = seats(sessions[0], meeting_id)
        assert [a for a in movers if now[a] == target] != [], now
        assert_one_a_seat(sessions[0], meeting_id)
    (artefacts / ('meeting_arrange_race_%s.txt' % server.backend)
        ).write_text('%s: %d rounds of two drops on one seat: %s\n' % (
            server.backend, ROUNDS, outcomes), encoding='utf-8')
    # Put the two back
    for attendee in movers:
        row, seat = original[attendee]
        occupant = next((a for a, s in seats(sessions[0], meeting_id).items()
                if s == (row, seat)), None)
        drop(server, sessions[0], meeting_id, attendee, row, seat, occupant)
