"""Editing the 正文 in Word over WebDAV (issue 15, item 1), against a real
trytond on loopback with the demo data, with `requests` speaking WebDAV as
Word does: OPTIONS, PROPFIND, LOCK, GET, PUT with the lock token, UNLOCK.

黄磊 (宜春市人民政府办公室) drafts a 通知 and opens it from the button
在Word中编辑; his saves become versions. 孙丽 of the same office races him
for the lock and gets 423 Locked, in Word and in the web client; a save
whose lock was lost is kept as a conflict version, the body unchanged. An
expired link, a made-up one, a link of another file, a person of another
unit, and bodies that are not plain Word are refused; nothing is lost."""
import base64
import io
import threading
import urllib.parse

import docx
import pytest
import requests

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
DOCX = ('application/vnd.openxmlformats-officedocument'
    '.wordprocessingml.document')
LOCK_BODY = ('<?xml version="1.0" encoding="utf-8"?>'
    '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
    '<D:locktype><D:write/></D:locktype>'
    '<D:owner><D:href>%s</D:href></D:owner></D:lockinfo>')


def docx_bytes(*paragraphs):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


FIRST = docx_bytes('各单位：', '请于本周五前报送值班表。')


def binary(data):
    return {'__class__': 'bytes', 'base64': base64.b64encode(data).decode()}


@pytest.fixture(scope='module')
def admin(server):
    admin = Session(server, 'admin', PASSWORD)
    group, = admin.search_read('res.group', [('name', '=', '公文管理员')],
        ['id'])
    admin.model('res.user', 'write', [admin.user_id],
        {'groups': [('add', [group['id']])]})
    return Session(server, 'admin', PASSWORD)


@pytest.fixture(scope='module')
def huanglei(server):
    return Session(server, 'huanglei', PASSWORD)


@pytest.fixture(scope='module')
def sunli(server):
    return Session(server, 'sunli', PASSWORD)


def draft(session, title):
    kind, = session.search_read('egov.document.kind',
        [('code', '=', 'notice')], ['id'])
    document_id, = session.model('egov.document.outgoing', 'create', [{
                'title': title, 'kind': kind['id'],
                'body': binary(FIRST), 'body_name': '值班通知.docx',
                }])
    return document_id


def edit_url(server, session, document_id):
    "The address Word gets from 在Word中编辑, on the test server"
    action = session.model('egov.document.outgoing', 'edit_in_word',
        [document_id])
    link = action['url']
    assert link.startswith('ms-word:ofe|u|'), link
    path = urllib.parse.urlsplit(link[len('ms-word:ofe|u|'):]).path
    return server.url + path


def lock(url, owner, timeout='Second-3600'):
    return requests.request('LOCK', url, data=LOCK_BODY % owner,
        headers={'Timeout': timeout, 'Depth': '0',
            'Content-Type': 'text/xml; charset="utf-8"'}, timeout=30)


def put(url, data, token=None):
    headers = {'Content-Type': DOCX}
    if token:
        headers['If'] = '(%s)' % token
    return requests.put(url, data=data, headers=headers, timeout=60)


def versions(session, document_id):
    return session.search_read('egov.document.outgoing.version',
        [('document', '=', document_id)],
        ['number', 'source', 'conflict', 'sha256', 'author', 'note'])


def body(session, document_id):
    row, = session.model('egov.document.outgoing', 'read', [document_id],
        ['body', 'locked_by', 'locked_until'])
    data = row['body']
    return base64.b64decode(data['base64']) if isinstance(data, dict) \
        else data, row


def test_edit_in_word_cycle(server, huanglei):
    document_id = draft(huanglei, '关于做好元旦期间值班工作的通知')
    url = edit_url(server, huanglei, document_id)
    folder = url.rsplit('/', 1)[0] + '/'

    response = requests.options(folder, timeout=30)
    assert response.status_code == 200
    assert '2' in response.headers['DAV']
    assert 'LOCK' in response.headers['Allow']
    response = requests.request('PROPFIND', url, headers={'Depth': '0'},
        timeout=30)
    assert response.status_code == 207
    assert '<d:getcontentlength>%d<' % len(FIRST) in response.text.lower() \
        or str(len(FIRST)) in response.text

    response = lock(url, '黄磊'.encode('utf-8').decode('latin-1'))
    assert response.status_code == 200, response.text
    token = response.headers['Lock-Token'].strip('<>')
    assert requests.get(url, timeout=30).content == FIRST
    _, row = body(huanglei, document_id)
    assert row['locked_by'] == huanglei.user_id

    second = docx_bytes('各单位：', '请于本周四前报送元旦值班表。')
    response = put(url, second, token)
    assert response.status_code in {200, 204}, response.text
    data, _ = body(huanglei, document_id)
    assert data == second
    found = versions(huanglei, document_id)
    assert sorted((v['number'], v['source']) for v in found) == [
        (1, 'web'), (2, 'webdav')]
    assert {v['author'] for v in found} == {huanglei.user_id}

    response = requests.request('UNLOCK', url,
        headers={'Lock-Token': '<%s>' % token}, timeout=30)
    assert response.status_code == 204
    _, row = body(huanglei, document_id)
    assert row['locked_by'] is None


def test_two_people_race_for_the_lock(server, huanglei, sunli):
    "One lock wins; the other is told 423, in Word and in the web client"
    document_id = draft(huanglei, '关于开展办公用房清查的通知')
    urls = {'huanglei': edit_url(server, huanglei, document_id),
        'sunli': edit_url(server, sunli, document_id)}
    results = {}

    def take(login):
        results[login] = lock(urls[login], login)
    threads = [threading.Thread(target=take, args=(login,))
        for login in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [200, 423], {k: (r.status_code, r.text)
        for k, r in results.items()}
    winner = [k for k, r in results.items() if r.status_code == 200][0]
    loser = 'sunli' if winner == 'huanglei' else 'huanglei'
    sessions = {'huanglei': huanglei, 'sunli': sunli}

    # The loser saves anyway: refused, but kept as a conflict version
    theirs = docx_bytes('各单位：', '%s的修改。' % loser)
    response = put(urls[loser], theirs)
    assert response.status_code == 423
    assert '已留作第2版' in response.text
    data, row = body(huanglei, document_id)
    assert data == FIRST
    assert row['locked_by'] == sessions[winner].user_id
    found = {v['number']: v for v in versions(huanglei, document_id)}
    assert found[2]['conflict'] and found[2]['source'] == 'webdav'
    assert found[2]['author'] == sessions[loser].user_id

    # The web client: an upload and a new edit link are refused in Chinese
    with pytest.raises(RPCError) as refused:
        sessions[loser].model('egov.document.outgoing', 'write',
            [document_id], {'body': binary(theirs)})
    assert '在Word中编辑' in refused.value.message
    with pytest.raises(RPCError) as refused:
        edit_url(server, sessions[loser], document_id)
    assert '在Word中编辑' in refused.value.message

    # The winner's save goes through
    token = results[winner].headers['Lock-Token'].strip('<>')
    mine = docx_bytes('各单位：', '%s的修改。' % winner)
    assert put(urls[winner], mine, token).status_code in {200, 204}
    assert body(huanglei, document_id)[0] == mine


def test_save_after_the_lock_was_lost(server, huanglei, sunli):
    "黄磊's lock ran out and 孙丽 took it: his save is kept, not applied"
    import time
    document_id = draft(huanglei, '关于调整公务用车管理的通知')
    his = edit_url(server, huanglei, document_id)
    hers = edit_url(server, sunli, document_id)
    response = lock(his, 'huanglei', timeout='Second-1')
    assert response.status_code == 200
    old_token = response.headers['Lock-Token'].strip('<>')
    time.sleep(1.5)
    assert lock(hers, 'sunli').status_code == 200
    response = put(his, docx_bytes('黄磊迟到的保存。'), old_token)
    assert response.status_code == 423, response.text
    assert '正文未改动' in response.text
    assert body(huanglei, document_id)[0] == FIRST
    conflict, = [v for v in versions(huanglei, document_id)
        if v['conflict']]
    assert '孙丽' in conflict['note']


def test_refused_links(server, admin, huanglei):
    document_id = draft(huanglei, '关于春节前安全检查的通知')
    url = edit_url(server, huanglei, document_id)
    base, name = url.rsplit('/', 1)
    # A link of another file, a made-up link: as if nothing were there
    assert requests.get(base + '/other.docx', timeout=30).status_code == 404
    made_up = base.rsplit('/', 1)[0] + '/' + 'x' * 43 + '/' + name
    assert requests.get(made_up, timeout=30).status_code == 404
    # Someone of another unit gets no link at all
    xiena = Session(server, 'xiena', PASSWORD)
    with pytest.raises(RPCError):
        edit_url(server, xiena, document_id)
    # An administrator ends the link: it no longer opens nor saves
    token, = admin.search_read('egov.document.edit.token',
        [('document', '=', 'egov.document.outgoing,%s' % document_id)],
        ['id'])
    admin.model('egov.document.edit.token', 'write', [token['id']],
        {'expires_at': {'__class__': 'datetime', 'year': 2020, 'month': 1,
                'day': 1, 'hour': 0, 'minute': 0, 'second': 0,
                'microsecond': 0}})
    response = put(url, docx_bytes('过期链接的保存。'))
    assert response.status_code == 403
    assert '编辑链接已失效' in response.text
    assert body(huanglei, document_id)[0] == FIRST
    # Submitted, the draft's link stops too
    other = edit_url(server, huanglei, document_id)
    huanglei.model('egov.document.outgoing', 'workflow_start',
        [document_id])
    response = requests.get(other, timeout=30)
    assert response.status_code == 403
    assert '不能修改' in response.text


def test_bad_files_refused(server, huanglei):
    from egov_document.tests.version_files import (
        encrypted_docx, macro_docx)
    document_id = draft(huanglei, '关于报送年度工作总结的通知')
    url = edit_url(server, huanglei, document_id)
    token = lock(url, 'huanglei').headers['Lock-Token'].strip('<>')
    for data, expected in [
            (b'just some text\n', '值班通知.docx'),
            (macro_docx(), '宏'),
            (encrypted_docx(), '密码'),
            (b'PK\x03\x04' + b'\0' * 200, '值班通知.docx'),
            ]:
        response = put(url, data, token)
        assert response.status_code == 415, (expected, response.text)
        assert expected in response.text
    # Larger than any body: refused before a byte is read
    import http.client
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port,
        timeout=30)
    connection.putrequest('PUT', parts.path)
    connection.putheader('Content-Length', str(200 * 1024 * 1024))
    connection.putheader('If', '(%s)' % token)
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()
    assert body(huanglei, document_id)[0] == FIRST
    assert [v['number'] for v in versions(huanglei, document_id)] == [1]
