"""Accounts over JSON-RPC (issue 10, items 4 and 9): the system
administrator cannot take over the security administrator's account, and
wrong passwords from one address do not lock the owner out."""
import http.client
import json

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'


def login_from(server, source, login, password):
    """common.db.login from the loopback address source; return the
    answer's error message or None when logged in"""
    connection = http.client.HTTPConnection('127.0.0.1', server.port,
        timeout=60, source_address=(source, 0))
    body = json.dumps({'id': 1, 'method': 'common.db.login',
            'params': [login, {'password': password}, 'zh_CN']})
    connection.request('POST', '/%s/rpc/' % server.database, body,
        {'Content-Type': 'application/json'})
    answer = json.loads(connection.getresponse().read())
    connection.close()
    if 'error' in answer:
        return str(answer['error'])
    return None


def test_sysadmin_cannot_change_secadmin_password_or_mobile(server):
    sysadmin = Session(server, 'wangjianguo', PASSWORD)
    lijing, = sysadmin.search_read('res.user', [('login', '=', 'lijing')],
        ['id'])
    for values in [{'password': 'Nw9#kPz2vQ!m'},
            {'mobile': '13811112222'}, {'login': 'lijing2'}]:
        with pytest.raises(RPCError) as info:
            sysadmin.model('res.user', 'write', [lijing['id']], values)
        assert '三员分立' in info.value.message, info.value.message
    employee, = sysadmin.search_read('egov.org.employee',
        [('user', '=', lijing['id'])], ['id'])
    with pytest.raises(RPCError) as info:
        sysadmin.model('egov.org.employee', 'write', [employee['id']],
            {'mobile': '13811112222'})
    assert '三员分立' in info.value.message


def test_wrong_passwords_from_one_address_spare_the_owner(server):
    for i in range(6):
        error = login_from(server, '127.0.0.2', 'xiena', 'Wrong#%d' % i)
    assert '账号已锁定' in error
    # 谢娜 at her own desk
    assert login_from(server, '127.0.0.1', 'xiena', PASSWORD) is None
    session = Session(server, 'xiena', PASSWORD)
    notices = session.call('model.res.notification.get', {})
    assert any('127.0.0.2' in (n.get('description') or '')
        for n in notices), notices
