"""The workflow pages over HTTP (designer, form designer, monitor, signing):
served only to a session of the web client (the cookie of
/<db>/session/login), only for records the user may read, with a strict
Content-Security-Policy; their data goes through /<db>/rpc/ with the same
cookie and the user's own rights."""
import base64
import datetime
import gzip
import html
import json
import pathlib
import re
import urllib.error
import urllib.request

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
# A 1x1 transparent PNG, as the signature pad draws them
PNG = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8'
    'AAAAASUVORK5CYII=')
PAGES = ['designer', 'form-designer', 'monitor', 'sign']
WEB = (pathlib.Path(__file__).resolve().parents[2]
    / 'addons' / 'egov_workflow' / 'web')
# Chinese characters and punctuation (CJK, full-width forms)
CJK = re.compile('[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff'
    '\uf900-\ufaff\uff00-\uffef]')
# The pages' words: JSON in a data block the browser does not run
TEXT_BLOCK = re.compile(
    r'<script type="application/json" id="egov-text">(.*?)</script>', re.S)
# A message name in a script: msg_page_<group>_… without the prefix
MESSAGE_NAME = re.compile(
    r"'((?:common|designer|form_designer|monitor|opinions|sign|inbox)"
    r"_[a-z0-9_]+)'")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(server, path, cookie=None, data=None, headers=None):
    "Return (status, headers, text) of a request to the server"
    request = urllib.request.Request(
        server.url + path, data=data, headers=dict(headers or {}))
    if cookie:
        request.add_header('Cookie', cookie)
    try:
        with OPENER.open(request, timeout=120) as response:
            status, head, body = (
                response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        status, head, body = error.code, error.headers, error.read()
    if head.get('Content-Encoding') == 'gzip' and body[:2] == b'\x1f\x8b':
        body = gzip.decompress(body)
    return status, head, body.decode('utf-8', 'replace')


def log_in(server, login):
    "Log in as the web client does; return the session cookie"
    data = json.dumps({'id': 1, 'method': 'common.db.login', 'params': [
                login, {'password': PASSWORD}, 'zh_CN']}).encode()
    request = urllib.request.Request(
        '%s/%s/session/login' % (server.url, server.database), data=data,
        headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=120) as response:
        cookie = response.headers['Set-Cookie']
        answer = json.loads(response.read())
    assert cookie, answer
    assert 'HttpOnly' in cookie and 'Path=/%s' % server.database in cookie
    return cookie.split(';', 1)[0]


class CookieClient:
    "The pages' JSON-RPC: the web client's cookie, the user's context"

    def __init__(self, server, login):
        self.server = server
        self.cookie = log_in(server, login)
        self.context = self.call('model.res.user.get_preferences', True, {})

    def call(self, method, *params):
        status, _, body = http(
            self.server, '/%s/rpc/' % self.server.database, self.cookie,
            json.dumps({'id': 1, 'method': method, 'params': params}
                ).encode(), {'Content-Type': 'application/json'})
        if status != 200:
            raise RPCError('HTTP %s' % status, body)
        answer = json.loads(body)
        if 'error' in answer:
            kind, args = answer['error']
            message = args[0] if isinstance(args, list) and args else args
            raise RPCError(kind, message)
        return answer['result']

    def model(self, model, method, *args):
        return self.call('model.%s.%s' % (model, method), *args,
            self.context)

    def page(self, page, record):
        return http(self.server, '/%s/egov/workflow/%s/%s' % (
                self.server.database, page, record), self.cookie)


def page_path(server, page, record):
    return '/%s/egov/workflow/%s/%s' % (server.database, page, record)


def date(value):
    return {'__class__': 'date', 'year': value.year, 'month': value.month,
        'day': value.day}


def start_leave(server, login, title, holder, days=5):
    """login asks for leave and sends the form on to holder: return the
    instance id and holder's to-do"""
    session = Session(server, login, PASSWORD)
    process, = session.search_read('egov.workflow.process', [
            ('code', '=', 'leave'), ('state', '=', 'active')], ['id'])
    request_id, = session.model('egov.workflow.request', 'create', [{
                'title': title,
                'process': process['id'],
                'values': {
                    'leave_type': '事假',
                    'start_date': date(datetime.date(2026, 12, 1)),
                    'end_date': date(datetime.date(2026, 12, 5)),
                    'days': days,
                    'reason': '家中有事',
                    },
                }])
    session.model('egov.workflow.request', 'workflow_start', [request_id])
    request, = session.model('egov.workflow.request', 'read', [request_id],
        ['workflow'])
    instance = request['workflow']
    first, = session.search_read('egov.workflow.task', [
            ('instance', '=', instance), ('state', '=', 'open')], ['id'])
    session.model('egov.workflow.task', 'decide', first['id'], 'approve',
        '请批准', None, None)
    task, = Session(server, holder, PASSWORD).search_read(
        'egov.workflow.task', [
            ('instance', '=', instance), ('state', '=', 'open'),
            ('user.login', '=', holder)], ['id'])
    return instance, task['id']


@pytest.fixture(scope='module')
def leave(server):
    "胡军 (市教育局办公室) asks for leave: 朱婷, head of the office, holds it"
    instance, task = start_leave(server, 'hujun', '胡军请假(页面)', 'zhuting')
    return {'instance': instance, 'task': task}


@pytest.fixture(scope='module')
def processes(server):
    "The leave process and its form, as every platform user reads them"
    clerk = Session(server, 'xiena', PASSWORD)
    active, = clerk.search_read('egov.workflow.process', [
            ('code', '=', 'leave'), ('state', '=', 'active')], ['id'])
    form, = clerk.search_read('egov.workflow.form', [
            ('code', '=', 'leave')], ['id', 'schema'], limit=1)
    return {'active': active['id'], 'form': form}


@pytest.fixture(scope='module')
def draft(server, processes):
    "The designers are the process administrators': admin in the demo"
    admin = Session(server, 'admin', PASSWORD)
    before = [p['id'] for p in admin.search_read('egov.workflow.process', [
                ('code', '=', 'leave'), ('active', 'in', [True, False])],
            ['id'])]
    admin.model('egov.workflow.process', 'new_version', [processes['active']])
    draft, = admin.search_read('egov.workflow.process', [
            ('code', '=', 'leave'), ('state', '=', 'draft'),
            ('id', 'not in', before)], ['id'])
    return draft['id']


def check_security_headers(headers, inline_styles=False):
    policy = dict(
        (directive.strip().split(' ', 1) + [''])[:2]
        for directive in headers['Content-Security-Policy'].split(';'))
    assert policy['default-src'] == "'self'"
    # Scripts only from the server's own files: no inline, no eval
    assert policy['script-src'] == "'self'"
    assert policy['style-src'] == (
        "'self' 'unsafe-inline'" if inline_styles else "'self'")
    assert policy['connect-src'] == "'self'"
    assert policy['object-src'] == "'none'"
    assert policy['frame-ancestors'] == "'none'"
    assert headers['X-Frame-Options'] == 'DENY'
    assert headers['X-Content-Type-Options'] == 'nosniff'


def test_pages_need_a_session(server, leave, processes):
    "Without a session of the web client: 401, a way to log in, no data"
    records = {
        'designer': processes['active'],
        'form-designer': processes['form']['id'],
        'monitor': leave['instance'],
        'sign': leave['task'],
        }
    for page, record in records.items():
        for cookie in [None, 'tryton_session=admin:1:forged-token',
                'tryton_session=garbage']:
            status, headers, body = http(
                server, page_path(server, page, record), cookie)
            assert status == 401, (page, cookie)
            # No browser password dialog: the login is the web client's
            assert 'WWW-Authenticate' not in headers
            check_security_headers(headers)
            assert '请先登录' in body
            assert '/#%s/model/' % server.database in body
            for secret in ['bpmn', 'egov:assignee', '胡军', 'data-record']:
                assert secret not in body
    # A password is no session: the pages do not take Basic credentials
    basic = base64.b64encode(b'xiena:' + PASSWORD.encode()).decode()
    status, _, _ = http(server, page_path(
            server, 'designer', processes['active']),
        headers={'Authorization': 'Basic ' + basic})
    assert status == 401


def test_bad_addresses(server, processes):
    admin = CookieClient(server, 'xiena')
    for record in ['abc', '0', '-1', '1.5', '99999999999', '1e3',
            '%EF%BC%91']:
        status, headers, body = admin.page('designer', record)
        assert status == 400, record
        assert '正整数' in body
        check_security_headers(headers)
    status, _, body = admin.page('designer', '999999')
    assert status == 404
    assert '没有找到' in body
    status, _, _ = admin.page('no-such-page', processes['active'])
    assert status == 404


def test_designer_page(server, processes, draft):
    admin = CookieClient(server, 'admin')
    status, headers, body = admin.page('designer', processes['active'])
    assert status == 200
    check_security_headers(headers)
    assert headers['Content-Type'].startswith('text/html')
    # Scripts come from files only (the page's words are JSON data)
    assert not re.search(
        r'<script(?![^>]*\bsrc=)(?![^>]*type="application/json")[^>]*>',
        body)
    assert 'data-record="%d"' % processes['active'] in body
    # An active version opens read-only
    assert 'data-readonly="active"' in body
    status, _, body = admin.page('designer', draft)
    assert status == 200
    assert 'data-readonly=""' in body

    # A clerk reads processes but does not change them
    clerk = CookieClient(server, 'xiena')
    status, _, body = clerk.page('designer', draft)
    assert status == 200
    assert 'data-readonly="access"' in body
    status, headers, body = clerk.page(
        'form-designer', processes['form']['id'])
    assert status == 200
    check_security_headers(headers, inline_styles=True)
    assert 'data-readonly="access"' in body
    with pytest.raises(RPCError) as error:
        clerk.model('egov.workflow.process', 'write', [draft],
            {'description': 'x'})
    assert error.value.kind == 'UserError'


def test_designer_saves_through_rpc(server, draft):
    "The page's calls: read and write the diagram with the cookie"
    admin = CookieClient(server, 'admin')
    process, = admin.model('egov.workflow.process', 'read',
        [draft], ['bpmn', 'state'])
    assert process['state'] == 'draft'
    bpmn = process['bpmn'].replace(
        'name="部门负责人审批"', 'name="科室负责人审批"')
    admin.model('egov.workflow.process', 'write', [draft],
        {'bpmn': bpmn})
    # The server refuses a step without an assignment rule, in Chinese
    broken = bpmn.replace('egov:assignee="leader:initiator"', '')
    with pytest.raises(RPCError) as error:
        admin.model('egov.workflow.process', 'write', [draft],
            {'bpmn': broken})
    assert error.value.kind == 'UserError'
    assert '办理人' in error.value.message
    process, = admin.model('egov.workflow.process', 'read',
        [draft], ['bpmn'])
    assert '科室负责人审批' in process['bpmn']
    assert 'leader:initiator' in process['bpmn']
    # Without the cookie, the RPC answers 401
    status, _, _ = http(server, '/%s/rpc/' % server.database,
        data=json.dumps({'id': 1, 'method': 'model.egov.workflow.process.read',
                'params': [[draft], ['bpmn'], {}]}).encode(),
        headers={'Content-Type': 'application/json'})
    assert status == 401


def test_form_key_refused(server, processes):
    admin = CookieClient(server, 'admin')
    form = processes['form']
    schema = json.loads(form['schema'])
    schema['components'][0]['key'] = 'leave.type'
    with pytest.raises(RPCError) as error:
        admin.model('egov.workflow.form', 'write', [form['id']],
            {'schema': json.dumps(schema)})
    assert error.value.kind == 'UserError'
    assert 'leave.type' in error.value.message
    current, = admin.model('egov.workflow.form', 'read', [form['id']],
        ['schema'])
    assert 'leave.type' not in current['schema']
    status, _, _ = admin.page('form-designer', form['id'])
    assert status == 200


def test_monitor_only_for_those_who_see_the_instance(server, leave):
    for login in ['hujun', 'zhuting']:
        client = CookieClient(server, login)
        status, headers, body = client.page('monitor', leave['instance'])
        assert status == 200, login
        check_security_headers(headers)
        diagram = client.model('egov.workflow.instance', 'diagram',
            leave['instance'])
        assert diagram['steps']['apply']['state'] == 'done'
        assert diagram['steps']['head']['state'] == 'active'
        assert diagram['steps']['head']['holders'] == ['朱婷']
    # A clerk of another county, and one of the same county who takes no
    # part: no page, no diagram, no opinions
    for login in ['hanmei', 'xiena']:
        client = CookieClient(server, login)
        status, _, body = client.page('monitor', leave['instance'])
        assert status == 404, login
        assert '胡军' not in body and 'bpmn' not in body
        with pytest.raises(RPCError) as error:
            client.model('egov.workflow.instance', 'diagram',
                leave['instance'])
        assert 'bpmn:' not in str(error.value.message)
        assert client.model('egov.workflow.opinion', 'search_read', [
                ('instance', '=', leave['instance'])], 0, None, None,
            ['text']) == []


def test_sign_page_and_decide(server):
    instance, task = start_leave(server, 'hujun', '胡军请假(签批)', 'zhuting')
    # Only the holder opens the page of the to-do
    for login in ['hanmei', 'hujun', 'xiena']:
        client = CookieClient(server, login)
        status, _, body = client.page('sign', task)
        assert status == 404, login
        assert '胡军' not in body
    # The others cannot act on it through the RPC either
    hanmei = CookieClient(server, 'hanmei')
    with pytest.raises(RPCError):
        hanmei.model('egov.workflow.task', 'decide', task, 'approve', '同意',
            None, None)

    zhuting = CookieClient(server, 'zhuting')
    status, headers, body = zhuting.page('sign', task)
    assert status == 200
    check_security_headers(headers)
    assert 'signature_pad' in body
    phrase_ids = zhuting.model('egov.workflow.phrase', 'create', [
            {'text': '同意，请注意安排好工作。'}])
    phrases = zhuting.model('egov.workflow.phrase', 'search_read', [], 0,
        None, None, ['text'])
    assert '同意，请注意安排好工作。' in [p['text'] for p in phrases]
    # Each user sees only their phrases
    assert hanmei.model('egov.workflow.phrase', 'search_read', [
            ('id', 'in', phrase_ids)], 0, None, None, ['text']) == []

    signature = {'__class__': 'bytes',
        'base64': base64.b64encode(PNG).decode()}
    opinion = zhuting.model('egov.workflow.task', 'decide', task, 'approve',
        '同意，请注意安排好工作。', signature, None)
    assert opinion
    read, = zhuting.model('egov.workflow.opinion', 'read', [opinion],
        ['text', 'signature_hash', 'decision', 'author'])
    assert read['decision'] == 'approve'
    assert read['signature_hash']
    assert read['author'] == '朱婷'
    # Done once: the second time the server says so
    with pytest.raises(RPCError) as error:
        zhuting.model('egov.workflow.task', 'decide', task, 'approve', '',
            None, None)
    assert error.value.kind == 'UserError'
    assert '已办理' in error.value.message
    # A signature must be a PNG
    instance, task = start_leave(server, 'hujun', '胡军请假(签名)', 'zhuting')
    with pytest.raises(RPCError):
        zhuting.model('egov.workflow.task', 'decide', task, 'approve', '',
            {'__class__': 'bytes', 'base64': base64.b64encode(
                    b'<svg onload=alert(1)>').decode()}, None)


def test_inbox_page(server):
    """The phone's to-do list: only for a session, of its own user; a page
    of to-dos is one search_read, which reads no one else's"""
    instance, task = start_leave(server, 'hujun', '胡军请假(待办列表)',
        'zhuting')
    path = '/%s/egov/workflow/inbox' % server.database
    status, headers, body = http(server, path)
    assert status == 401
    assert '请先登录' in body and 'lang="zh-CN"' in body
    # A database the server does not serve has no page to speak for it
    status, headers, body = http(server, '/no_such_db/egov/workflow/inbox')
    assert status == 404 and not body
    zhuting = CookieClient(server, 'zhuting')
    status, headers, body = http(server, path, zhuting.cookie)
    assert status == 200
    check_security_headers(headers)
    user = re.search(r'data-user="(\d+)"', body).group(1)
    assert int(user) == Session(server, 'zhuting', PASSWORD).user_id
    assert 'inbox.js' in body
    # No record in this page's address
    status, _, _ = http(server, path + '/%d' % task, zhuting.cookie)
    assert status == 404

    fields = ['title', 'step_name', 'sender_name', 'light', 'kind']
    order = [['create_date', 'DESC'], ['id', 'DESC']]
    rows = zhuting.model('egov.workflow.task', 'search_read', [
            ['user', '=', int(user)], ['state', '=', 'open'],
            ['kind', '=', 'todo']], 0, 21, order, fields)
    mine = [r for r in rows if r['id'] == task]
    assert mine and mine[0]['title'] == '胡军请假(待办列表)'
    assert mine[0]['sender_name'] == '胡军'
    assert mine[0]['light'] in {'green', 'yellow', 'red'}
    # Someone else asking for 朱婷's to-dos gets none
    hanmei = CookieClient(server, 'hanmei')
    assert hanmei.model('egov.workflow.task', 'search_read', [
            ['user', '=', int(user)]], 0, 21, order, fields) == []


def test_static_files(server):
    base = '/%s/egov/workflow/static/' % server.database
    for name, kind in [('common.js', 'javascript'), ('designer.css', 'css'),
            ('egov-moddle.json', 'json')]:
        status, headers, body = http(server, base + name)
        assert status == 200, name
        assert kind in headers['Content-Type']
        check_security_headers(headers)
    assert json.loads(http(server, base + 'egov-moddle.json')[2])[
        'uri'] == 'http://yichun.gov.cn/schema/egov/bpmn'
    for name in ['designer.html', 'nothing.js', '..%2Froutes.py',
            '.hidden.js', 'routes.py']:
        status, _, _ = http(server, base + name)
        assert status in {404, 405}, name
    # The npm packages the pages load, from the web root
    for path in [
            '/node_modules/bpmn-js/dist/bpmn-modeler.production.min.js',
            '/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js',
            '/node_modules/@bpmn-io/form-js/dist/form-editor.umd.js',
            '/node_modules/@bpmn-io/form-js/dist/form-viewer.umd.js',
            '/node_modules/signature_pad/dist/signature_pad.umd.min.js']:
        status, _, _ = http(server, path, headers={'Range': 'bytes=0-10'})
        assert status in {200, 206}, path


def test_to_do_opens_the_sign_page(server):
    "The button 签批 of a to-do opens its page"
    _, task = start_leave(server, 'hujun', '胡军请假(按钮)', 'zhuting')
    session = Session(server, 'zhuting', PASSWORD)
    view = session.model('egov.workflow.task', 'fields_view_get', None,
        'form')
    if 'open_sign' not in view['arch']:
        pytest.skip('the to-do has no button open_sign yet')
    action = session.model('egov.workflow.task', 'open_sign', [task])
    assert action['url'] == '/%s/egov/workflow/sign/%d' % (
        server.database, task)


def page_words(body):
    "The messages and translations of a served page's data block"
    block, = TEXT_BLOCK.findall(body)
    # Nothing in it closes the element or starts markup
    assert '<' not in block and '>' not in block and '&' not in block
    return json.loads(block)


def page_scripts(body):
    "The page's own scripts, by file name"
    return re.findall(r'<script src="[^"]*/static/([a-z-]+\.js)"', body)


def check_words(body, language):
    "The page's text and the words its scripts ask for are all there"
    words = page_words(body)
    assert 'lang="%s"' % language in body
    # Every placeholder of the template was filled
    assert '${' not in body
    scripts = page_scripts(body)
    assert 'common.js' in scripts
    for script in scripts:
        for name in MESSAGE_NAME.findall((WEB / script).read_text('utf-8')):
            assert name in words['messages'], (script, name)
    return words


def test_pages_words_in_chinese(server, leave, processes):
    """A zh_CN user's page carries its words as Tryton messages in
    Chinese, in its template and in the data block its scripts read"""
    zhuting = CookieClient(server, 'zhuting')
    assert zhuting.context['language'] == 'zh_CN'
    status, headers, body = zhuting.page('sign', leave['task'])
    assert status == 200
    check_security_headers(headers)
    words = check_words(body, 'zh-CN')
    messages = words['messages']
    assert messages['sign_title'] == '签批'
    assert messages['sign_not_open'] == '此待办已不需要办理（{state}）。'
    assert messages['common_concurrent'].startswith('其他人在您打开此页面后')
    # The opinions' words (opinions.js) come with the signing page
    assert messages['opinions_decision_approve'] == '同意'
    assert '<title>签批 - 宜春市智慧办公平台</title>' in body
    assert '<dt>送办人</dt>' in body
    assert 'placeholder="请填写意见"' in body
    # Only this page's groups
    assert not [n for n in messages if n.startswith(('designer_', 'inbox_'))]

    status, _, body = http(server, '/%s/egov/workflow/inbox' % (
            server.database), zhuting.cookie)
    assert status == 200
    messages = check_words(body, 'zh-CN')['messages']
    assert messages['inbox_deadline_red'] == '期限 {time}（已超期）'
    assert '<h1>我的待办</h1>' in body

    hujun = CookieClient(server, 'hujun')
    status, _, body = hujun.page('monitor', leave['instance'])
    assert status == 200
    messages = check_words(body, 'zh-CN')['messages']
    assert messages['monitor_separator'] == '、'
    assert '已超期</li>' in body

    admin = CookieClient(server, 'admin')
    status, _, body = admin.page('designer', processes['active'])
    assert status == 200
    words = check_words(body, 'zh-CN')
    assert words['messages']['designer_title'] == '流程设计器'
    assert 'aria-label="属性"' in body
    # bpmn-js's own English strings, with their Chinese
    translations = words['translations']
    assert translations['Create user task'] == '办理环节（用户任务）'
    assert translations['Open {element}'] == '打开 {element}'
    assert all(CJK.search(text) for text in translations.values())
    status, _, body = admin.page('form-designer', processes['form']['id'])
    assert status == 200
    words = check_words(body, 'zh-CN')
    assert words['translations']['<empty>'] == '（空）'
    assert words['translations']['Text field'] == '单行文本'
    assert words['messages']['form_designer_new_option'] == '选项{number}'


def test_pages_words_follow_the_language(server, leave):
    "Another language gives the same pages in it: the English source"
    client = CookieClient(server, 'hujun')
    client.call('model.res.user.set_preferences', {'language': 'en'},
        client.context)
    try:
        status, _, body = client.page('monitor', leave['instance'])
    finally:
        client.call('model.res.user.set_preferences',
            {'language': 'zh_CN'}, client.context)
    assert status == 200
    words = check_words(body, 'en')
    assert words['messages']['monitor_title'] == 'Process monitoring'
    assert words['messages']['opinions_none'] == 'No opinions yet.'
    assert '<title>Process monitoring - Yichun Smart Office Platform' in body
    assert not CJK.search(html.unescape(
            re.sub(r'<script[^>]*>.*?</script>', '', body, flags=re.S)))


def strip_comments(script):
    "The script without its comments (its strings kept)"
    return re.sub(
        r"""('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)"""
        r'|/\*.*?\*/|//[^\n]*',
        lambda match: match.group(1) or '', script, flags=re.S)


def test_no_chinese_in_scripts_and_templates():
    """The pages' words are messages: no Chinese written in their scripts
    (but in comments) nor in their templates"""
    assert strip_comments("a = '中'; // 中\n/* 中 */ b") == "a = '中'; \n b"
    scripts = sorted(WEB.glob('*.js'))
    assert scripts
    for path in scripts:
        code = strip_comments(path.read_text('utf-8'))
        found = [line.strip() for line in code.splitlines()
            if CJK.search(line)]
        assert not found, (path.name, found)
    for path in sorted(WEB.glob('*.html')):
        text = path.read_text('utf-8')
        found = [line.strip() for line in text.splitlines()
            if CJK.search(line)]
        assert not found, (path.name, found)
