"""Security over JSON-RPC against a real server: the second factor by an
authenticator app (TOTP) and by SMS (through the Aliyun SDK to a local
SendSms provider), the forced change of password at login, lockout and
unlock, the built-in admin, idle and forged sessions, bad input."""
import atexit
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import sqlite3
import threading
import time
import urllib.parse

import pyotp
import pytest

from ..conftest import Server
from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
ADMIN_PASSWORD = PASSWORD
ACCESS_KEY_ID = 'egov-test-key'
ACCESS_KEY_SECRET = 'egov-test-secret'


class SMSProvider(http.server.ThreadingHTTPServer):
    """A local Aliyun SMS endpoint: checks the ACS3-HMAC-SHA256 signature
    of SendSms calls and keeps what they asked to send"""

    def __init__(self):
        self.messages = []
        self.refused = []
        super().__init__(('127.0.0.1', 0), SMSHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return '127.0.0.1:%d' % self.server_address[1]

    def last_code(self, mobile):
        for query in reversed(self.messages):
            if query.get('PhoneNumbers') == mobile:
                return json.loads(query['TemplateParam'])['code']


def signature_valid(method, path, query, headers, body):
    "Check an ACS3-HMAC-SHA256 Authorization header"
    auth = headers.get('Authorization', '')
    if not auth.startswith('ACS3-HMAC-SHA256 '):
        return False
    parts = dict(p.strip().split('=', 1)
        for p in auth[len('ACS3-HMAC-SHA256 '):].split(','))
    if parts.get('Credential') != ACCESS_KEY_ID:
        return False
    signed = parts['SignedHeaders'].split(';')
    canonical_query = '&'.join('%s=%s' % (
            urllib.parse.quote(k, safe='~'),
            urllib.parse.quote(v, safe='~'))
        for k, v in sorted(query.items()))
    lowered = {k.lower(): v for k, v in headers.items()}
    canonical_headers = ''.join(
        '%s:%s\n' % (h, lowered.get(h, '').strip()) for h in signed)
    canonical = '\n'.join([method, path or '/', canonical_query,
            canonical_headers, ';'.join(signed),
            lowered.get('x-acs-content-sha256',
                hashlib.sha256(body).hexdigest())])
    to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(
        canonical.encode()).hexdigest()
    expected = hmac.new(ACCESS_KEY_SECRET.encode(), to_sign.encode(),
        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get('Signature', ''))


class SMSHandler(http.server.BaseHTTPRequestHandler):

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        headers = dict(self.headers.items())
        if (headers.get('x-acs-action') != 'SendSms'
                or not signature_valid(
                    'POST', url.path, query, headers, body)):
            self.server.refused.append(query)
            answer = {'Code': 'SignatureDoesNotMatch',
                'Message': 'bad signature'}
            status = 400
        else:
            self.server.messages.append(query)
            answer = {'Code': 'OK', 'Message': 'OK',
                'BizId': '9%d' % len(self.server.messages),
                'RequestId': 'test'}
            status = 200
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class SecurityServer(Server):
    "The demo server with the second factors on and the SMS provider"

    def __init__(self, sms):
        super().__init__()
        self.database = 'egov_sec_%d' % os.getpid()
        self.sms = sms

    def environment(self):
        env = super().environment()
        env.update({
                'TRYTOND_SESSION__AUTHENTICATIONS': 'password+totp+sms',
                'TRYTOND_AUTHENTICATION_SMS__FUNCTION':
                    'egov_base.security.sms.send_sms',
                'TRYTOND_AUTHENTICATION_SMS__NAME': '宜春市智慧办公平台',
                'TRYTOND_EGOV_SMS__ENDPOINT': self.sms.endpoint,
                'TRYTOND_EGOV_SMS__PROTOCOL': 'http',
                'TRYTOND_EGOV_SMS__ACCESS_KEY_ID': ACCESS_KEY_ID,
                'TRYTOND_EGOV_SMS__ACCESS_KEY_SECRET': ACCESS_KEY_SECRET,
                'TRYTOND_EGOV_SMS__SIGN_NAME': '宜春市政务',
                'TRYTOND_EGOV_SMS__TEMPLATE_CODE': 'SMS_000001',
                'TRYTOND_EGOV__ADMIN_LOGIN': 'True',
                # Every test comes from 127.0.0.1: do not lock the address
                'TRYTOND_EGOV__LOCKOUT_ADDRESS_ATTEMPTS': '1000',
                'TRYTOND_EGOV__SECRET_KEY': 'egov-test-secret-key',
                })
        return env


_SERVER = {}


def security_server():
    "One server for the security tests of this process (RPC and browser)"
    if 'server' not in _SERVER:
        sms = SMSProvider()
        server = SecurityServer(sms)
        try:
            server.start()
        except Exception:
            server.stop()
            raise
        _SERVER['server'] = server

        def stop():
            server.stop()
            sms.shutdown()
        atexit.register(stop)
    return _SERVER['server']


@pytest.fixture(scope='module')
def sec_server():
    return security_server()


def raw_login(server, login, parameters):
    "common.db.login; return (user id, token) or the error"
    url = '%s/%s/rpc/' % (server.url, server.database)
    session = Session.__new__(Session)
    session.url = url
    try:
        user_id, token, _ = session.call(
            'common.db.login', login, parameters, 'zh_CN')
        return user_id, token
    except RPCError as error:
        return error


def asked(error):
    "The parameter a LoginException asks for, and its message"
    assert isinstance(error, RPCError), error
    assert error.kind == 'LoginException', (error.kind, error.message)
    # [name, message, type]
    return error.message, error.detail


def session_for(server, login, user_id, token):
    session = Session.__new__(Session)
    session.url = '%s/%s/rpc/' % (server.url, server.database)
    session.login = login
    session.user_id = user_id
    session.token = token
    session.context = session.call('model.res.user.get_preferences', True, {})
    return session


def log_in(server, login, password=PASSWORD, **extra):
    result = raw_login(server, login, dict(password=password, **extra))
    assert not isinstance(result, RPCError), (result.kind, result.message,
        result.detail)
    return session_for(server, login, *result)


def chinese(text):
    return any('\u4e00' <= c <= '\u9fff' for c in text or '')


def test_totp_enrolment_and_login(sec_server):
    "唐雪 sets up an authenticator app; from then on she logs in with it"
    tangxue = log_in(sec_server, 'tangxue')
    session_id, result = tangxue.wizard(
        'egov.security.totp.enrol', {}, 'start')
    shown = result['view']['defaults']
    assert base64.b64decode(shown['qr_code']['base64'])[:4] == b'\x89PNG'
    secret = shown['secret'].replace(' ', '')
    with pytest.raises(RPCError) as error:
        tangxue.wizard_step('egov.security.totp.enrol', session_id,
            {'start': {'code': "1' OR '1'='1"}}, 'confirm')
    assert chinese(error.value.message)
    tangxue.wizard_step('egov.security.totp.enrol', session_id,
        {'start': {'code': pyotp.TOTP(secret).now()}}, 'confirm')

    name, message = asked(raw_login(sec_server, 'tangxue',
            {'password': PASSWORD}))
    assert name == 'totp_code' and '动态口令' in message
    name, message = asked(raw_login(sec_server, 'tangxue',
            {'password': PASSWORD, 'totp_code': '000000'}))
    assert name == 'totp_code' and '错误' in message
    code = pyotp.TOTP(secret).at(time.time() + 30)
    session = log_in(sec_server, 'tangxue', totp_code=code)
    assert session.context['language'] == 'zh_CN'
    # The seed is nobody's to read
    with pytest.raises(RPCError):
        session.search_read('egov.security.totp', [], ['secret'])


def test_forced_change_and_sms_for_the_security_administrator(sec_server):
    """The maintenance admin creates the security administrator: at the
    first login she chooses her password, then enters the SMS code her
    role requires"""
    admin = log_in(sec_server, 'admin', ADMIN_PASSWORD)
    group, = admin.search_read('res.group', [
            ('name', '=', '安全管理员')], ['id'])
    initial = 'Init#2026Kq'
    admin.model('res.user', 'create', [{
                'login': 'anquan', 'name': '安全员张敏',
                'language': admin.search_read('ir.lang', [
                        ('code', '=', 'zh_CN')], ['id'])[0]['id'],
                'password': initial, 'mobile': '13800000009',
                'groups': [('add', [group['id']])],
                }])
    name, message = asked(raw_login(sec_server, 'anquan',
            {'password': initial}))
    assert name == 'new_password' and '管理员设置' in message
    new = 'Sec#Yc2026Lm9'
    parameters = {'password': initial, 'new_password': new}
    name, message = asked(raw_login(sec_server, 'anquan', parameters))
    assert name.startswith('confirm_password_')
    parameters[name] = new
    name, message = asked(raw_login(sec_server, 'anquan', parameters))
    assert name == 'sms_code' and '138****0009' in message
    code = sec_server.sms.last_code('13800000009')
    assert code and not sec_server.sms.refused
    parameters['sms_code'] = code
    anquan = session_for(sec_server, 'anquan', *raw_login(
            sec_server, 'anquan', parameters))
    # The new password is hers now; the old one is refused
    name, _ = asked(raw_login(sec_server, 'anquan', {'password': initial}))
    assert name == 'password'
    assert anquan.search_read('egov.security.login.lock', [], ['key']) == []


def test_lockout_and_unlock(sec_server):
    "5 wrong passwords lock 郭静 15 minutes; the security admin unlocks"
    for i in range(4):
        name, message = asked(raw_login(sec_server, 'guojing',
                {'password': 'Wrong#%d' % i}))
        assert name == 'password' and '用户名或密码错误' in message
    name, message = asked(raw_login(sec_server, 'guojing',
            {'password': 'Wrong#5'}))
    assert '账号已锁定，请 15 分钟后再试或联系安全管理员' in message
    name, message = asked(raw_login(sec_server, 'guojing',
            {'password': PASSWORD}))
    assert '账号已锁定' in message
    # The same message for a login that does not exist
    for i in range(5):
        error = raw_login(sec_server, 'nobody-here', {'password': 'x%d' % i})
    assert '账号已锁定' in asked(error)[1]

    anquan = security_admin(sec_server)
    lock, = anquan.search_read('egov.security.login.lock', [
            ('key', '=', 'guojing'), ('state', '=', 'locked')], ['id'])
    anquan.model('egov.security.login.lock', 'unlock', [lock['id']])
    log_in(sec_server, 'guojing')


def security_admin(server):
    "The security administrator of the test before, logged in by SMS"
    parameters = {'password': 'Sec#Yc2026Lm9'}
    name, _ = asked(raw_login(server, 'anquan', parameters))
    assert name == 'sms_code'
    parameters['sms_code'] = server.sms.last_code('13800000009')
    return session_for(server, 'anquan', *raw_login(
            server, 'anquan', parameters))


def test_roles_exclude_over_rpc(sec_server):
    "The security administrator cannot make a system administrator one"
    anquan = security_admin(sec_server)
    wang, = anquan.search_read('res.user', [
            ('login', '=', 'wangjianguo')], ['id'])
    group, = anquan.search_read('res.group', [
            ('name', 'in', ['安全管理员', 'Security Administrator'])], ['id'])
    with pytest.raises(RPCError) as error:
        anquan.model('res.user', 'write', [wang['id']], {
                'groups': [('add', [group['id']])]})
    assert '三员分立' in error.value.message
    assert '王建国' in error.value.message
    # and reads no business data
    with pytest.raises(RPCError) as error:
        anquan.search_read('egov.directory.contact', [], ['name'])
    assert chinese(error.value.message)


def database_execute(server, sql, params=()):
    "One statement on the server's database, committed; its rows, if any"
    if server.backend == 'sqlite':
        connection = sqlite3.connect(server.database_path())
        try:
            cursor = connection.execute(sql.replace('%s', '?'), params)
            rows = cursor.fetchall() if cursor.description else None
            connection.commit()
            return rows
        finally:
            connection.close()
    import psycopg
    with psycopg.connect(server.uri + server.database,
            autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def test_session_activity_written_when_due(sec_server):
    """A call bumps its session's activity when the last bump is older than
    a tenth of the 30 minutes, and writes nothing otherwise"""
    session = log_in(sec_server, 'mashuai')

    def active_after_call(minutes_ago):
        then = (datetime.datetime.now()
            - datetime.timedelta(minutes=minutes_ago)).replace(microsecond=0)
        database_execute(sec_server,
            'UPDATE ir_session SET write_date = %s WHERE key = %s',
            (then, session.token))
        session.search_read('egov.org.unit', [], ['name'], limit=1)
        (active,), = database_execute(sec_server,
            'SELECT write_date FROM ir_session WHERE key = %s',
            (session.token,))
        if isinstance(active, str):
            active = datetime.datetime.fromisoformat(active)
        return then, active
    then, active = active_after_call(1)
    assert active == then
    then, active = active_after_call(5)
    assert active > then + datetime.timedelta(minutes=4)


def test_idle_session_is_refused(sec_server):
    "After 30 idle minutes the session ends"
    session = log_in(sec_server, 'mashuai')
    session.search_read('egov.org.unit', [], ['name'], limit=1)
    idle = datetime.datetime.now() - datetime.timedelta(minutes=31)
    database_execute(sec_server,
        'UPDATE ir_session SET create_date = %s, write_date = %s '
        'WHERE key = %s', (idle, idle, session.token))
    with pytest.raises(RPCError) as error:
        session.search_read('egov.org.unit', [], ['name'], limit=1)
    assert error.value.kind == 'HTTP 401'


def test_forged_sessions_are_refused(sec_server):
    "Forged or broken Authorization headers get nothing and change nothing"
    real = log_in(sec_server, 'heping')
    before = real.search_read('res.user', [('login', '=', 'heping')],
        ['email'])
    for user_id, token in [
            (real.user_id, 'f' * len(real.token)),
            (real.user_id + 1, real.token),
            (real.user_id, "' OR '1'='1"),
            (real.user_id, '<script>alert(1)</script>'),
            (real.user_id, 'x' * 20000),
            ]:
        forged = Session.__new__(Session)
        forged.url = real.url
        forged.login = 'heping'
        forged.user_id = user_id
        forged.token = token
        with pytest.raises(RPCError) as error:
            forged.call('model.res.user.write', [real.user_id],
                {'email': 'taken@example.com'}, real.context)
        assert error.value.kind in {'HTTP 401', 'HTTP 403'}
    assert real.search_read('res.user', [('login', '=', 'heping')],
        ['email']) == before


def test_bad_logins_are_refused_with_chinese(sec_server):
    for login, parameters in [
            ("gaofang' OR '1'='1", {'password': "' OR 1=1 --"}),
            ('<script>alert(1)</script>', {'password': PASSWORD}),
            ('x' * 5000, {'password': PASSWORD}),
            ('linhai', {'password': 'x' * 100000}),
            ('linhai', {'password': PASSWORD, 'totp_code': '<b>1</b>'}),
            ]:
        result = raw_login(sec_server, login, parameters)
        if login == 'linhai' and 'totp_code' in parameters:
            # 林海 has no second factor: the code is not asked, not used
            assert not isinstance(result, RPCError)
            continue
        name, message = asked(result)
        assert chinese(message), message


def test_change_password_wizard_refuses_bad_input(sec_server):
    linhai = log_in(sec_server, 'linhai')
    for values in [
            # A password is never interpreted: an SQL fragment is just a
            # wrong current password
            {'current_password': "' OR '1'='1", 'new_password': PASSWORD,
                'confirm_password': PASSWORD},
            {'current_password': PASSWORD, 'new_password': '<script>',
                'confirm_password': '<script>'},
            {'current_password': PASSWORD, 'new_password': 'Y' * 5000,
                'confirm_password': 'Y' * 5000},
            {'current_password': PASSWORD, 'new_password': 'Gd#2026vLm9q',
                'confirm_password': 'Gd#2026vLm9x'},
            ]:
        with pytest.raises(RPCError) as error:
            linhai.wizard('egov.security.password.change',
                {'start': values}, 'change')
        assert chinese(error.value.message), error.value.message
    log_in(sec_server, 'linhai')
    linhai.wizard('egov.security.password.change', {'start': {
                'current_password': PASSWORD,
                'new_password': 'Gd#2026vLm9q',
                'confirm_password': 'Gd#2026vLm9q'}}, 'change')
    log_in(sec_server, 'linhai', 'Gd#2026vLm9q')

