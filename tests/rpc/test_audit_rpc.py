"""The behaviour audit over JSON-RPC, as attackers and auditors reach the
server: wrong passwords, unknown users, forged sessions, refused calls,
hostile text, exports and prints are each refused or done, recorded with
the address, and seen by the auditor only."""
import base64
import json
import secrets
import urllib.request

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
AUDITOR = 'wufang'
HOSTILE = "'); DROP TABLE egov_audit_log; -- <script>alert('x')</script>"


def ensure_auditor(server):
    """The demo's security auditor (吴芳), logged in with her password and
    the SMS code her role asks for"""
    return Session.with_sms(server, AUDITOR, PASSWORD)


@pytest.fixture(scope='module')
def auditor(server):
    return ensure_auditor(server)


def last_log_id(auditor):
    "The newest audit row now: what a test does comes after it"
    last = auditor.model('egov.audit.log', 'search', [], 0, 1,
        [('id', 'DESC')])
    return last[0] if last else 0


def audit(auditor, *domain, fields=None):
    return auditor.search_read('egov.audit.log', list(domain), fields or [
            'action', 'result', 'login', 'user_name', 'unit_name',
            'post_name', 'address', 'model', 'record_id', 'message',
            'changes', 'method', 'session'])


def test_logins_and_failures_recorded(server, auditor):
    # Other tests of the server fail logins too (from other addresses)
    start = last_log_id(auditor)
    for login, password in [('xiena', 'not-the-password'),
            ("nobody' OR 1=1 --", PASSWORD), ('x' * 600, PASSWORD)]:
        with pytest.raises(RPCError):
            Session(server, login, password)
    xiena = Session(server, 'xiena', PASSWORD)
    xiena.call('common.db.logout')

    failed = audit(auditor, ('action', '=', 'login_failed'),
        ('id', '>', start))
    wrong = [r for r in failed if r['login'] == 'xiena']
    assert wrong and wrong[-1]['result'] == 'refused'
    assert wrong[-1]['address'] == '127.0.0.1'
    assert '密码错误' in wrong[-1]['message']
    unknown = [r for r in failed if r['login'] == "nobody' OR 1=1 --"]
    assert unknown and unknown[0]['message'] == '没有使用此登录名的有效用户。'
    assert any(r['login'].startswith('x' * 100) for r in failed)
    logins = audit(auditor, ('action', '=', 'login'), ('login', '=', 'xiena'))
    assert logins[0]['unit_name'] and '收发员' in logins[0]['post_name']
    # (other tests of the server log her out too)
    logouts = audit(auditor, ('action', '=', 'logout'),
        ('login', '=', 'xiena'))
    assert logouts and all(len(r['session']) == 64 for r in logouts)


def test_forged_session_refused_and_recorded(server, auditor):
    url = '%s/%s/rpc/' % (server.url, server.database)
    xiena = Session(server, 'xiena', PASSWORD)
    token = secrets.token_hex(32)
    auth = base64.b64encode(
        ('xiena:%s:%s' % (xiena.user_id, token)).encode()).decode()
    request = urllib.request.Request(url, method='POST',
        data=json.dumps({'id': 1, 'method': 'model.res.user.read',
                'params': [[xiena.user_id], ['name'], {}]}).encode(),
        headers={'Content-Type': 'application/json',
            'Authorization': 'Session ' + auth})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 401
    forged = audit(auditor, ('action', '=', 'session_invalid'),
        ('record_id', '=', xiena.user_id))
    assert forged and forged[0]['result'] == 'refused'
    assert forged[0]['address'] == '127.0.0.1'
    assert token not in json.dumps(forged)


def test_refused_calls_recorded_and_change_nothing(server, auditor):
    luoqiang = Session(server, 'luoqiang', PASSWORD)
    xiena = Session(server, 'xiena', PASSWORD)
    unit, = luoqiang.search_read('egov.org.unit', [
            ('code', '=', '360982-003')], ['id', 'phone'])
    # Other tests on the same server may have tried the same before
    before = last_log_id(auditor)
    with pytest.raises(RPCError) as error:
        luoqiang.model('egov.org.unit', 'write', [unit['id']], {
                'phone': '0795-6666666'})
    assert luoqiang.search_read('egov.org.unit', [
            ('id', '=', unit['id'])], ['phone'])[0]['phone'] == unit['phone']
    refused, = audit(auditor, ('result', '=', 'refused'),
        ('action', '=', 'write'), ('record_id', '=', unit['id']),
        ('login', '=', 'luoqiang'), ('id', '>', before))
    assert refused['message'] == error.value.message
    assert '0795-6666666' in refused['changes']
    assert refused['method'] == 'model.egov.org.unit.write'

    for model, method, args in [
            ('ir.model.access', 'create', ([{'model': 'res.user'}],)),
            ('egov.audit.log', 'search', ([],)),
            ('egov.audit.log', 'write', ([1], {'login': 'x'})),
            ('res.user', 'write', ([luoqiang.user_id],
                    {'password': 'Takeover#2026'})),
            ]:
        with pytest.raises(RPCError):
            xiena.model(model, method, *args)
    refused = audit(auditor, ('result', '=', 'refused'),
        ('login', '=', 'xiena'))
    methods = {r['method'] for r in refused}
    assert {'model.ir.model.access.create', 'model.egov.audit.log.search',
        'model.egov.audit.log.write', 'model.res.user.write'} <= methods
    takeover = next(r for r in refused
        if r['method'] == 'model.res.user.write')
    assert 'Takeover#2026' not in takeover['changes']


def test_hostile_text_is_data(server, auditor):
    luoqiang = Session(server, 'luoqiang', PASSWORD)
    unit, = luoqiang.search_read('egov.org.unit', [
            ('code', '=', '360902-003')], ['id'])
    luoqiang.model('egov.org.unit', 'write', [unit['id']], {
            'address': HOSTILE})
    county, = luoqiang.search_read('egov.org.unit', [
            ('code', '=', '360902')], ['id'])
    with pytest.raises(RPCError):
        luoqiang.model('egov.org.unit', 'create', [{
                    'code': 'YZ-X9', 'name': '长' * 3000, 'kind': 'unit',
                    'parent': county['id'], 'phone': HOSTILE}])
    written, = audit(auditor, ('action', '=', 'write'),
        ('record_id', '=', unit['id']), ('result', '=', 'success'),
        ('changes', 'like', '%DROP TABLE%'))
    assert json.loads(written['changes'])['address'][1] == HOSTILE
    refused = audit(auditor, ('action', '=', 'create'),
        ('result', '=', 'refused'), ('login', '=', 'luoqiang'))
    assert any(HOSTILE in r['changes'] for r in refused)
    assert luoqiang.search_read('egov.org.unit', [
            ('code', '=', 'YZ-X9')], ['id']) == []


def test_export_and_print_recorded(server, auditor):
    luoqiang = Session(server, 'luoqiang', PASSWORD)
    units = luoqiang.model('egov.org.unit', 'search', [
            ('code', 'like', '360902-00%')], 0, 3, None)
    luoqiang.model('egov.org.unit', 'export_data', units, ['name', 'code'])
    report = luoqiang.call('report.egov.org.unit.export.execute', units,
        {'model': 'egov.org.unit', 'ids': units, 'id': units[0]},
        luoqiang.context)
    assert report[0] == 'xlsx'
    exports = audit(auditor, ('action', '=', 'export'),
        ('login', '=', 'luoqiang'))
    assert {'export_data', 'egov.org.unit.export'} <= {
        r['method'] for r in exports}


def test_auditor_sees_all_plain_users_none(server, auditor):
    hanmei = Session(server, 'hanmei', PASSWORD)
    with pytest.raises(RPCError):
        hanmei.search_read('egov.audit.log', [], ['action'])
    logins = {r['login'] for r in audit(auditor, fields=['login'])}
    assert {'xiena', 'luoqiang', 'hanmei'} <= logins
    # The auditor verifies the chain through the wizard
    _, result = auditor.wizard('egov.audit.verify', {}, 'result')
    view = result['view']['defaults']
    assert view['ok'] is True, view['report']
    assert '审计链完整' in view['report']


def test_auditor_exports_the_audit_to_excel(server, auditor):
    "The auditor's own export (打印 → 导出 Excel) of the audit rows"
    import io

    from openpyxl import load_workbook
    ids = auditor.model('egov.audit.log', 'search', [], 0, 30, None)
    report = auditor.call('report.egov.audit.log.export.execute', ids,
        {'model': 'egov.audit.log', 'ids': ids, 'id': ids[0]},
        auditor.context)
    kind, content = report[0], report[1]
    assert kind == 'xlsx'
    if isinstance(content, dict):
        content = base64.b64decode(content['base64'])
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(ids) + 1
    assert '登录名' in rows[0]
