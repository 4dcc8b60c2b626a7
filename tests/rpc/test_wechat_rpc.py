"""WeChat Work against the real server: the callback endpoint (URL check,
a reply stored, forged and replayed callbacks refused) and the login from
WeChat's browser (OAuth: a session of the web client for the linked
account; unknown people, forged states and open redirects refused with a
Chinese page). The server talks to the local WeChat Work server
(tests/fakes/wechat_work.py) as to WeChat."""
import gzip
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from ..fakes.wechat_work import FakeWeChatWork
from .rpc import Session

PASSWORD = 'Yichun@2026'
# Linked to xiena (a clerk) and wufang (the auditor: a second factor)
XIENA = 'xiena_wx'
WUFANG = 'wufang_wx'


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(url, cookie=None, data=None, headers=None):
    "(status, headers, text) of a request, redirects not followed"
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if cookie:
        request.add_header('Cookie', cookie)
    try:
        with OPENER.open(request, timeout=60) as response:
            status, head, body = (
                response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        status, head, body = error.code, error.headers, error.read()
    if head.get('Content-Encoding') == 'gzip' and body[:2] == b'\x1f\x8b':
        body = gzip.decompress(body)
    return status, head, body.decode('utf-8', 'replace')


def cookies(head):
    "{name: value} of the Set-Cookie headers"
    result = {}
    for value in head.get_all('Set-Cookie') or []:
        name, _, rest = value.partition('=')
        result[name] = rest.split(';', 1)[0]
    return result


@pytest.fixture(scope='module')
def wechat(server):
    "The local WeChat Work, set up as the platform's provider"
    fake = FakeWeChatWork().start()
    admin = Session(server, 'admin', PASSWORD)
    settings = fake.settings()
    admin.model('egov.notify.provider', 'create', [{
                'name': '企业微信（测试）',
                'kind': 'wechat_work',
                'corp_id': settings['corp_id'],
                'agent_id': str(settings['agent_id']),
                'api_base_url': settings['api_base_url'],
                'oauth_base_url': settings['oauth_base_url'],
                'secret': settings['secret'],
                'token': settings['token'],
                'encoding_aes_key': settings['encoding_aes_key'],
                'timeout': 5,
                }])
    for login, userid in [('xiena', XIENA), ('wufang', WUFANG)]:
        user, = admin.search_read('res.user', [('login', '=', login)], ['id'])
        admin.model('res.user', 'write', [user['id']],
            {'wechat_userid': userid})
    yield fake
    fake.stop()


def callback_url(server, query=None):
    url = '%s/%s/egov/wechat/callback' % (server.url, server.database)
    return url + ('?' + urllib.parse.urlencode(query) if query else '')


# --- callback ------------------------------------------------------------

def test_url_verification(server, wechat):
    "WeChat's URL check gets the decrypted echostr back"
    query, plain = wechat.verification()
    status, _, body = http(callback_url(server, query))
    assert (status, body) == (200, plain)
    query['msg_signature'] = 'f' * 40
    status, _, body = http(callback_url(server, query))
    assert (status, body) == (403, '')


def test_reply_stored_once(server, wechat):
    "A reply is stored for its sender; the same callback again is refused"
    admin = Session(server, 'admin', PASSWORD)
    query, body = wechat.callback(wechat.text_message(
            XIENA, '1', msg_id='880001'))
    status, _, text = http(callback_url(server, query), data=body,
        headers={'Content-Type': 'text/xml'})
    assert (status, text) == (200, 'success')
    replies = admin.search_read('egov.notify.reply', [
            ('provider_ref', '=', '880001')], ['user', 'text', 'channel'])
    assert len(replies) == 1
    assert replies[0]['text'] == '1' and replies[0]['channel'] == 'wechat'
    xiena, = admin.search_read('res.user', [('login', '=', 'xiena')], ['id'])
    assert replies[0]['user'] == xiena['id']
    # Played again (a replay), and anew with the same MsgId
    status, _, text = http(callback_url(server, query), data=body)
    assert (status, text) == (403, '')
    query, body = wechat.callback(wechat.text_message(
            XIENA, '1', msg_id='880001'))
    status, _, _ = http(callback_url(server, query), data=body)
    assert status == 403
    assert len(admin.search_read('egov.notify.reply', [
                ('provider_ref', '=', '880001')], ['id'])) == 1


def test_forged_callback(server, wechat):
    """Signed with a guessed token: 403, nothing stored, the reason in the
    server's log and in the audit"""
    forged = FakeWeChatWork(token='guessed',
        encoding_aes_key=wechat.encoding_aes_key)
    query, body = forged.callback(forged.text_message(
            XIENA, '1', msg_id='880002'))
    status, _, text = http(callback_url(server, query), data=body)
    assert (status, text) == (403, '')
    admin = Session(server, 'admin', PASSWORD)
    assert not admin.search_read('egov.notify.reply', [
            ('provider_ref', '=', '880002')], ['id'])
    server.log.flush()
    log = (server.directory / 'server.log').read_text(errors='replace')
    assert 'WeChat Work callback refused' in log
    assert 'signature: does not match' in log
    auditor = Session.with_sms(server, 'wufang', PASSWORD)
    rows = auditor.search_read('egov.audit.log', [
            ('method', '=', 'egov.wechat.callback'),
            ('result', '=', 'refused')], ['message'])
    assert any('企业微信回调被拒绝' in r['message'] for r in rows)
    # A body too large, without reading it whole
    status, _, _ = http(callback_url(server, query), data=b'<xml>'
        + b'A' * 70000 + b'</xml>')
    assert status == 403


def test_card_button_event(server, wechat):
    """去办理 pressed on a to-do's card (template_card_event): accepted,
    nothing stored as a reply; the same callback again is refused"""
    admin = Session(server, 'admin', PASSWORD)
    before = len(admin.search_read('egov.notify.reply', [], ['id']))
    query, body = wechat.callback(wechat.card_event(
            XIENA, 'eg0a1b2c-41', 'todo_eg0a1b2c-41'))
    status, _, text = http(callback_url(server, query), data=body,
        headers={'Content-Type': 'text/xml'})
    assert (status, text) == (200, 'success')
    assert len(admin.search_read('egov.notify.reply', [], ['id'])) == before
    status, _, _ = http(callback_url(server, query), data=body)
    assert status == 403


# --- login ---------------------------------------------------------------

def start_login(server, next_=None):
    "(status, headers, text) of the platform's login start"
    url = '%s/%s/egov/wechat/login' % (server.url, server.database)
    if next_ is not None:
        url += '?' + urllib.parse.urlencode({'next': next_})
    return http(url)


def login_as(server, wechat, userid, next_=None):
    """Go through the login as WeChat's browser does; return the answer of
    the platform's return address and the cookies it set"""
    status, head, _ = start_login(server, next_)
    assert status == 302, status
    location = head['Location']
    assert location.startswith(wechat.oauth_base_url + '?')
    assert location.endswith('#wechat_redirect')
    query = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(location.split('#')[0]).query))
    assert query['appid'] == wechat.corp_id
    assert query['scope'] == 'snsapi_base'
    assert query['agentid'] == str(wechat.agent_id)
    assert query['redirect_uri'] == '%s/%s/egov/wechat/login/return' % (
        server.url, server.database)
    state_cookie = cookies(head)['egov_wechat_login']
    wechat.phone_user = userid
    status, head, _ = http(location.split('#')[0])
    assert status == 302
    back = head['Location']
    assert back.startswith(query['redirect_uri'] + '?')
    status, head, text = http(back,
        cookie='egov_wechat_login=' + state_cookie)
    return status, head, text


def test_login(server, wechat):
    """The linked person gets a session of the web client, opens the
    phone's to-do list with it and calls RPC as herself"""
    inbox = '/%s/egov/workflow/inbox' % server.database
    status, head, text = login_as(server, wechat, XIENA)
    assert status == 200
    assert 'content="0;url=%s"' % inbox in text
    assert '您已登录' in text
    session = cookies(head)['tryton_session']
    assert session.startswith('xiena:')
    set_cookie = [c for c in head.get_all('Set-Cookie')
        if c.startswith('tryton_session=')][0]
    assert 'HttpOnly' in set_cookie and 'Path=/%s' % server.database in (
        set_cookie)
    cookie = 'tryton_session=' + session
    status, _, body = http('%s/%s/rpc/' % (server.url, server.database),
        cookie=cookie, data=json.dumps({'id': 1,
                'method': 'model.res.user.get_preferences',
                'params': [False, {}]}).encode(),
        headers={'Content-Type': 'application/json'})
    assert status == 200
    assert json.loads(body)['result']['name'] == '谢娜'
    status, _, _ = http(server.url + inbox, cookie=cookie)
    assert status == 200
    # A page of one's choice on this server
    status, _, text = login_as(server, wechat, XIENA,
        next_='/%s/egov/workflow/sign/1' % server.database)
    assert 'url=/%s/egov/workflow/sign/1"' % server.database in text
    # The audit sees a login
    auditor = Session.with_sms(server, 'wufang', PASSWORD)
    rows = auditor.search_read('egov.audit.log', [
            ('method', '=', 'egov.wechat.login'),
            ('action', '=', 'login'), ('login', '=', 'xiena')], ['message'])
    assert rows and XIENA in rows[0]['message']


def chinese_page(text):
    assert '<html lang="zh-CN">' in text
    assert 'Traceback' not in text
    return re.search(r'<p>(.*?)</p>', text).group(1)


def test_unknown_userid(server, wechat):
    "A member of WeChat Work linked to no account: a page saying so"
    status, head, text = login_as(server, wechat, 'nobody_wx')
    assert status == 403
    assert 'tryton_session' not in cookies(head)
    assert '没有平台账号与您的企业微信账号（nobody_wx）绑定' in chinese_page(text)


def test_not_member(server, wechat):
    "Someone outside the organisation (an OpenId only)"
    status, _, text = login_as(server, wechat, 'openid:o123')
    assert status == 403
    assert '不是本单位企业微信的成员' in chinese_page(text)


def test_inactive_user(server, wechat):
    "A disabled account: a page saying so, no session"
    admin = Session(server, 'admin', PASSWORD)
    xiena, = admin.search_read('res.user', [('login', '=', 'xiena')], ['id'])
    admin.model('res.user', 'write', [xiena['id']], {'active': False})
    try:
        status, head, text = login_as(server, wechat, XIENA)
    finally:
        admin.model('res.user', 'write', [xiena['id']], {'active': True})
    assert status == 403
    assert 'tryton_session' not in cookies(head)
    assert '平台账号已停用' in chinese_page(text)


def test_second_factor_role(server, wechat):
    "The auditor's role asks for a second factor: not from WeChat alone"
    status, head, text = login_as(server, wechat, WUFANG)
    assert status == 403
    assert 'tryton_session' not in cookies(head)
    assert '第二认证因素' in chinese_page(text)


@pytest.mark.parametrize('next_', [
        '//evil.example.com/x', 'https://evil.example.com/',
        '/\\evil.example.com', 'javascript:alert(1)', '/%s\r\nX: y',
        ' /x', 'evil.example.com'])
def test_open_redirect_refused(server, wechat, next_):
    "next must be a path of this server: otherwise refused, not followed"
    status, head, text = start_login(server, next_)
    assert status == 400
    assert 'Location' not in head
    assert '不在本平台上' in chinese_page(text)


def test_forged_state(server, wechat):
    "A state not ours, or without the browser's cookie: refused"
    status, head, _ = start_login(server)
    location = head['Location'].split('#')[0]
    state_cookie = cookies(head)['egov_wechat_login']
    wechat.phone_user = XIENA
    status, head, _ = http(location)
    back = head['Location']
    tampered = re.sub(r'state=(\w)', lambda m: 'state=' + (
            'b' if m.group(1) == 'a' else 'a'), back)
    status, head, text = http(tampered,
        cookie='egov_wechat_login=' + state_cookie)
    assert status == 400 and 'tryton_session' not in cookies(head)
    assert '登录链接已失效' in chinese_page(text)
    # Login CSRF: the right state in another browser (no cookie)
    status, head, text = http(back)
    assert status == 400 and 'tryton_session' not in cookies(head)


def test_wechat_down(server, wechat):
    "WeChat unreachable at the return: a page saying to try again"
    status, head, _ = start_login(server)
    location = head['Location'].split('#')[0]
    state_cookie = cookies(head)['egov_wechat_login']
    wechat.phone_user = XIENA
    status, head, _ = http(location)
    back = head['Location']
    wechat.down = True
    try:
        status, head, text = http(back,
            cookie='egov_wechat_login=' + state_cookie)
    finally:
        wechat.down = False
    assert status == 502
    assert '暂时无法连接企业微信' in chinese_page(text)
