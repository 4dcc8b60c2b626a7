"""Tryton's own HTTP routes besides JSON-RPC, as a clerk would try them:
the REST routes (opened by an application key) and the CSV export route.
They call the models' methods around what JSON-RPC exposes, so what they
may reach is closed here."""
import base64
import json
import urllib.error
import urllib.request

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'


def http(server, method, path, body=None, headers=None):
    "(status, body text) of a request to the server"
    request = urllib.request.Request(server.url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers=dict(headers or {}, **(
                {'Content-Type': 'application/json'} if body is not None
                else {})))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode('utf-8')
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode('utf-8', 'replace')


def session_header(session):
    auth = '%s:%s:%s' % (session.login, session.user_id, session.token)
    return {'Authorization': 'Session ' + base64.b64encode(
            auth.encode()).decode()}


@pytest.fixture(scope='module')
def clerk(server):
    return Session(server, 'xiena', PASSWORD)


def test_no_application_key_opens_rest(server, clerk):
    """The way the audit found: a key asked for on the public route and
    validated by its owner opened /rest/ (every session's key, tasks run
    as root). The key is still handed out by Tryton's route, but opens
    nothing"""
    status, key = http(server, 'POST',
        '/%s/user/application/' % server.database,
        {'user': 'xiena', 'application': 'rest'})
    assert status == 200, key
    key = json.loads(key)
    applications = clerk.model('res.user.application', 'search',
        [('user', '=', clerk.user_id)], 0, None, None)
    assert applications
    clerk.model('res.user.application', 'validate_', applications)
    bearer = {'Authorization': 'Bearer %s' % key}
    for path in ['rest/model/egov.document.incoming',
            'rest/model/ir.session?s=10&f=rec_name']:
        status, answer = http(server, 'GET',
            '/%s/%s' % (server.database, path), headers=bearer)
        assert status == 401, (path, status, answer[:200])
    status, answer = http(server, 'POST',
        '/%s/rest/model/ir.queue' % server.database, {'name': 'default'},
        headers=bearer)
    assert status == 401, answer[:200]


def test_application_keys_not_made_by_people(clerk):
    "Neither in the preferences nor by a direct create"
    preferences = clerk.call('model.res.user.get_preferences', False, {})
    assert 'applications' not in preferences
    view = clerk.call('model.res.user.get_preferences_fields_view', {})
    assert 'applications' not in view['fields']
    assert 'applications' not in view['arch']
    own = [('user', '=', clerk.user_id)]
    before = clerk.model('res.user.application', 'search_count', own)
    clerk.call('model.res.user.set_preferences', {'applications': [
                ['create', [{'application': 'rest'}]]]}, clerk.context)
    assert clerk.model(
        'res.user.application', 'search_count', own) == before
    with pytest.raises(RPCError) as error:
        clerk.model('res.user.application', 'create', [
                {'application': 'rest', 'user': clerk.user_id}])
    assert error.value.message == '本平台通过网页客户端及其页面使用，不发放应用密钥。'


def test_export_route_keeps_session_keys(server, clerk):
    """The CSV export route (/<db>/data/<model>) exports any model the
    person may read: a session's name is its key, so neither its key nor
    its name is exported, nor searched"""
    headers = session_header(clerk)
    for query in ['f=rec_name', 'f=key', 'f=id&d=' + urllib.request.quote(
                json.dumps([['rec_name', 'like', clerk.token[:4] + '%']]))]:
        status, answer = http(server, 'GET', '/%s/data/ir.session?%s'
            % (server.database, query), headers=headers)
        assert status != 200, (query, answer[:200])
        assert clerk.token not in answer
    # The route itself works: one's own name is exported
    status, answer = http(server, 'GET', '/%s/data/res.user?d=%s&f=name'
        % (server.database, urllib.request.quote(json.dumps(
                    [['id', '=', clerk.user_id]]))), headers=headers)
    assert status == 200, answer[:200]
    assert '谢娜' in answer


def test_export_route_only_what_rpc_exports(server, clerk):
    """The export route exports only the models whose export JSON-RPC
    offers: not who is logged in (sessions), the queued tasks, the login
    attempts, the groups' members or one's searches (the smart search's
    history is read through its page only)"""
    headers = session_header(clerk)
    for model in ['ir.session', 'ir.queue', 'res.user.login.attempt',
            'res.user-res.group', 'egov.search.history']:
        with pytest.raises(RPCError) as error:
            clerk.model(model, 'export_data', [], ['id'])
        assert error.value.kind == 'HTTP 403', (model, error.value)
        status, answer = http(server, 'GET', '/%s/data/%s?f=id&f=create_uid'
            % (server.database, model), headers=headers)
        assert status != 200, (model, answer[:200])
        assert '的记录不能导出。' in answer, (model, answer[:300])


def test_export_route_bounded_as_rpc(server, clerk):
    """The export route's search is bounded as a call's: 600 leaves, a
    pattern of 30,000 characters, 3,000 sort terms"""
    headers = session_header(clerk)
    many = ['OR'] + [['id', '=', i] for i in range(600)]
    for query, expected in [
            ('d=' + urllib.request.quote(json.dumps(many)), '500'),
            ('d=' + urllib.request.quote(json.dumps(
                        [['name', 'like', '%_' * 15000]])), '1000'),
            ('&'.join(['o=name,ASC'] * 3000), '16')]:
        status, answer = http(server, 'GET', '/%s/data/res.user?f=name&%s'
            % (server.database, query), headers=headers)
        assert status != 200, answer[:200]
        assert expected in answer, answer[:300]


def test_column_widths_are_ones_own(server, clerk):
    """Anyone could write another person's column widths (a column of
    their list hidden at width 0); sao's own call keeps working"""
    other = Session(server, 'zhaoyang', PASSWORD)
    with pytest.raises(RPCError) as error:
        clerk.model('ir.ui.view_tree_width', 'create', [{
                    'user': other.user_id, 'model': 'egov.document.incoming',
                    'field': 'title', 'width': 0}])
    assert '本人的列宽' in error.value.message, error.value
    view = clerk.model('egov.document.incoming', 'fields_view_get', None,
        'tree')['view_id']
    with pytest.raises(RPCError) as error:
        clerk.model('ir.ui.view_tree_optional', 'create', [{
                    'user': other.user_id, 'view': view,
                    'model': 'egov.document.incoming', 'field': 'title',
                    'value': True}])
    assert '本人的可选列' in error.value.message, error.value
    assert not other.model('ir.ui.view_tree_width', 'search',
        [('user', '=', other.user_id)], 0, None, None)
    # As sao saves a column resized by the person
    clerk.model('ir.ui.view_tree_width', 'set_width',
        'egov.document.incoming', {'title': [300]}, 1366)
    widths = clerk.model('ir.ui.view_tree_width', 'search_read',
        [], 0, None, None, ['user', 'width'])
    assert [(w['user'], w['width']) for w in widths] == [
        (clerk.user_id, 300)]


def test_cookie_logout_without_its_cookie(server):
    """Tryton's cookie logout (/<db>/session/logout) failed with an
    internal error when the cookie was missing or malformed: such a
    request is logged out already. With its cookie, the session ends"""
    path = '/%s/session/logout' % server.database
    for headers in [{}, {'Cookie': 'tryton_session=garbage'}]:
        status, answer = http(server, 'POST', path, headers=headers)
        assert status == 200, (headers, answer[:200])

    request = urllib.request.Request(
        '%s/%s/session/login' % (server.url, server.database),
        method='POST', headers={'Content-Type': 'application/json'},
        data=json.dumps({'method': 'common.db.login', 'params': [
                    'zhaoyang', {'password': PASSWORD}, 'zh_CN']}).encode())
    with urllib.request.urlopen(request, timeout=60) as response:
        cookie = response.headers['Set-Cookie'].split(';')[0]
    value = cookie.split('=', 1)[1]
    auth = {'Authorization': 'Session ' + base64.b64encode(
            value.encode()).decode()}
    body = {'id': 1, 'method': 'model.res.user.get_preferences',
        'params': [True, {}]}
    rpc = '/%s/rpc/' % server.database
    status, answer = http(server, 'POST', rpc, body, headers=auth)
    assert status == 200 and '"result"' in answer, answer[:200]
    status, _ = http(server, 'POST', path, headers={'Cookie': cookie})
    assert status == 200
    status, answer = http(server, 'POST', rpc, body, headers=auth)
    assert status in {401, 403}, answer[:200]


def test_html_editor_route_closed(server, clerk):
    """Tryton's TinyMCE page edits any text field of any readable model
    around JSON-RPC, with its editor from cdn.tiny.cloud: no field of the
    platform is edited as HTML, the route is not served"""
    headers = session_header(clerk)
    path = '/%s/ir/html/res.user/%s/signature' % (
        server.database, clerk.user_id)
    for method, body in [('GET', None), ('POST', {'text': '<p>x</p>'})]:
        status, answer = http(server, method, path, body, headers=headers)
        assert status == 404, (method, status, answer[:200])
        assert 'tiny' not in answer


def test_access_of_an_unknown_model_is_refused_plainly(clerk):
    "Asked the access of a model that does not exist: said so in Chinese"
    with pytest.raises(RPCError) as error:
        clerk.model('ir.model.access', 'get_access', ['egov.no.such.model'])
    assert error.value.message == '没有名为“egov.no.such.model”的数据类型。'
    access = clerk.model('ir.model.access', 'get_access', ['res.user'])
    assert access['res.user']['read']
