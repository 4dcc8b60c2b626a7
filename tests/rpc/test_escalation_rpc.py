"""Escalation through relations (issue 10, item 1), replayed over JSON-RPC
on the demo data as 罗强 (luoqiang, 袁州区's administrator): every attack
reproduced on the demo database is refused, in Chinese, naming what is
refused and never Tryton's rule text."""
import time

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
YUANZHOU, ZHANGSHU, CITY = '360902', '360982', '360900'


@pytest.fixture(scope='module')
def admin(server):
    return Session(server, 'admin', PASSWORD)


@pytest.fixture(scope='module')
def luoqiang(server):
    return Session(server, 'luoqiang', PASSWORD)


def one(session, model, domain):
    ids = session.model(model, 'search', domain, 0, None, None)
    assert len(ids) == 1, (model, domain, ids)
    return ids[0]


def employee_of(admin, login):
    return one(admin, 'egov.org.employee', [('user.login', '=', login)])


def city_post(admin, name):
    return one(admin, 'egov.org.post', [
            ('name', '=', name),
            ('unit.name', '=', '信息中心'),
            ('unit.division.code', '=', CITY)])


def refused(call, *words):
    with pytest.raises(RPCError) as info:
        call()
    error = info.value
    assert error.kind == 'UserError', error
    assert '规则' not in error.message, error.message
    for word in words:
        assert word in error.message, error.message
    return error.message


def test_assignment_to_city_post_refused(admin, luoqiang):
    "罗强 assigns himself to 宜春市 系统管理员"
    post = city_post(admin, '系统管理员')
    message = refused(lambda: luoqiang.model('egov.org.assignment', 'create',
            [{'employee': employee_of(admin, 'luoqiang'), 'post': post}]),
        '岗位', '系统管理员')
    assert '不在您管理的范围（袁州区）内' in message, message
    assert not admin.model('egov.org.assignment', 'search', [
            ('employee.user.login', '=', 'luoqiang'), ('post', '=', post)],
        0, None, None)


def test_clerk_to_security_post_refused(admin, luoqiang):
    "罗强 assigns 谢娜 to the 安全管理员 post"
    post = city_post(admin, '安全管理员')
    refused(lambda: luoqiang.model('egov.org.assignment', 'create',
            [{'employee': employee_of(admin, 'xiena'), 'post': post}]),
        '安全管理员')


def test_security_role_gained_ends_sessions(server, admin):
    """谢娜 gains the 安全管理员 role (here from the built-in admin, in a
    maintenance window): her open session ends, her next login asks the
    SMS code"""
    xiena = Session(server, 'xiena', PASSWORD)
    xiena.model('res.user', 'read', [xiena.user_id], ['name'])
    post = city_post(admin, '安全管理员')
    assignment, = admin.model('egov.org.assignment', 'create', [{
                'employee': employee_of(admin, 'xiena'), 'post': post,
                'primary': False}])
    try:
        with pytest.raises(RPCError) as info:
            xiena.model('res.user', 'read', [xiena.user_id], ['name'])
        assert info.value.kind == 'HTTP 401', info.value
        with pytest.raises(RPCError) as info:
            Session(server, 'xiena', PASSWORD)
        assert info.value.message == 'sms_code', info.value
    finally:
        admin.model('egov.org.assignment', 'delete', [assignment])
    Session(server, 'xiena', PASSWORD)


def test_leader_of_other_county_refused(admin, luoqiang):
    "罗强 makes a person of 袁州区 the 分管 leader of a unit of 樟树市"
    unit = admin.model('egov.org.unit', 'search', [
            ('division.code', '=', ZHANGSHU), ('kind', '=', 'unit')],
        0, 1, None)[0]
    name, = admin.model('egov.org.unit', 'read', [unit], ['name'])
    refused(lambda: luoqiang.model('egov.org.leadership', 'create', [{
                    'leader': employee_of(admin, 'xiena'), 'unit': unit}]),
        '组织机构', name['name'], '袁州区')


def test_login_created_stays_manageable(server, admin, luoqiang):
    "A login 罗强 creates is his and the city's to find and manage"
    login = 'yz%d' % (time.time() * 1000 % 10 ** 9)
    user, = luoqiang.model('res.user', 'create', [{
                'login': login, 'name': '新同事'}])
    assert user in luoqiang.model('res.user', 'search', [
            ('employee', '=', None), ('login', '=', login)], 0, None, None)
    luoqiang.model('res.user', 'write', [user], {'name': '新同事甲'})
    city = Session(server, 'wangjianguo', PASSWORD)
    city.model('res.user', 'write', [user], {'email': 'x@example.com'})
    xukai = Session(server, 'xukai', PASSWORD)
    with pytest.raises(RPCError):
        xukai.model('res.user', 'write', [user], {'name': '改名'})
    luoqiang.model('res.user', 'write', [user], {'active': False})


def test_link_builtin_login_refused(admin, luoqiang):
    "罗强 links a person of his county to the built-in admin login"
    admin_id = one(admin, 'res.user', [('login', '=', 'admin')])
    refused(lambda: luoqiang.model('egov.org.employee', 'write',
            [employee_of(admin, 'xiena')], {'user': admin_id}), '内置账号')


def test_transfer_out_of_county_refused(admin, luoqiang):
    "罗强 transfers his clerk to a post of 樟树市"
    post = admin.model('egov.org.post', 'search', [
            ('unit.division.code', '=', ZHANGSHU),
            ('unit.kind', '=', 'unit')], 0, 1, None)[0]
    unit, = admin.model('egov.org.post', 'read', [post], ['unit'])
    refused(lambda: luoqiang.model('egov.org.transfer', 'create', [{
                    'employee': employee_of(admin, 'xiena'),
                    'to_unit': unit['unit'], 'to_post': post}]),
        '不在您管理的范围（袁州区）内')
