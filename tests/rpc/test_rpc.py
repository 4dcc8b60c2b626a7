"""The platform over JSON-RPC, as the web client and the phone reach it,
with the demo users of two counties and of the city."""
import base64
import io

import openpyxl
import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
OFF_MESSAGE = ('「通讯录」应用未在袁州区开通，无法使用。'
    '如需使用，请联系市级应用管理员开通。')


@pytest.fixture(scope='module')
def users(server):
    "Clerks of 袁州区 and 樟树市, their administrators and the city's"
    return {login: Session(server, login, PASSWORD) for login in [
            'xiena', 'hanmei', 'luoqiang', 'xukai', 'wangjianguo']}


def top_menus(session):
    return {m['name'] for m in session.search_read(
            'ir.ui.menu', [('parent', '=', None)], ['name'])}


def unit_id(session, code):
    unit, = session.search_read(
        'egov.org.unit', [('code', '=', code)], ['id'])
    return unit['id']


def directory_switch(session, county_code):
    switch, = session.search_read('egov.application.switch', [
            ('application.code', '=', 'directory'),
            ('division.code', '=', county_code)], ['id', 'enabled'])
    return switch


def test_login_in_chinese(users):
    xiena = users['xiena']
    assert xiena.context['language'] == 'zh_CN'
    assert '收发员' in xiena.context['post.rec_name']
    assert {'组织机构', '通讯录'} <= top_menus(xiena)


def test_wrong_password_is_refused(server):
    with pytest.raises(RPCError):
        Session(server, 'xiena', 'not-the-password')
    with pytest.raises(RPCError):
        Session(server, 'nobody', PASSWORD)


def test_contacts_do_not_leak_between_counties(users):
    xiena, hanmei = users['xiena'], users['hanmei']
    contact_id, = xiena.model('egov.directory.contact', 'create', [{
                'name': '供应商李经理', 'mobile': '13700000000'}])
    # Hanmei may have contacts of her own (other tests): never this one
    assert contact_id not in [c['id'] for c in hanmei.search_read(
            'egov.directory.contact', [], ['name'])]
    assert hanmei.model('egov.directory.contact', 'search_count', [
            ('id', '=', contact_id)]) == 0
    for method, args in [
            ('read', ([contact_id], ['name'])),
            ('write', ([contact_id], {'name': '改'})),
            ('delete', ([contact_id],)),
            ]:
        with pytest.raises(RPCError) as error:
            hanmei.model('egov.directory.contact', method, *args)
        assert error.value.kind == 'UserError'
    assert xiena.model('egov.directory.contact', 'read',
        [contact_id], ['name'])[0]['name'] == '供应商李经理'


def test_application_switched_off_for_one_county(users):
    "The city turns the address book off for 袁州区 only"
    city, xiena, hanmei = users['wangjianguo'], users['xiena'], users['hanmei']
    switch = directory_switch(city, '360902')
    city.model('egov.application.switch', 'write',
        [switch['id']], {'enabled': False})
    try:
        assert '通讯录' not in top_menus(xiena)
        assert '组织机构' in top_menus(xiena)
        for method, args in [
                ('search', ([],)),
                ('search_read', ([], 0, None, None, ['name'])),
                ('create', ([{'name': '王经理'}],)),
                ]:
            with pytest.raises(RPCError) as error:
                xiena.model('egov.directory.contact', method, *args)
            assert error.value.message == OFF_MESSAGE
        # 樟树市 keeps it
        assert '通讯录' in top_menus(hanmei)
        hanmei.search_read('egov.directory.contact', [], ['name'])
    finally:
        city.model('egov.application.switch', 'write',
            [switch['id']], {'enabled': True})
    assert '通讯录' in top_menus(xiena)


def test_county_admin_cannot_switch(users):
    luoqiang = users['luoqiang']
    switch = directory_switch(users['wangjianguo'], '360902')
    with pytest.raises(RPCError):
        luoqiang.model('egov.application.switch', 'write',
            [switch['id']], {'enabled': False})


def test_county_admins_change_their_own_county(users):
    luoqiang, xukai = users['luoqiang'], users['xukai']
    yuanzhou = unit_id(luoqiang, '360902-003')
    zhangshu = unit_id(luoqiang, '360982-003')
    luoqiang.model('egov.org.unit', 'write', [yuanzhou], {
            'phone': '0795-3500001'})
    with pytest.raises(RPCError) as error:
        luoqiang.model('egov.org.unit', 'write', [zhangshu], {
                'phone': '0795-3500002'})
    assert error.value.kind == 'UserError'
    xukai.model('egov.org.unit', 'write', [zhangshu], {
            'phone': '0795-3500002'})


def test_bad_input_gets_chinese_errors(users):
    luoqiang = users['luoqiang']
    county = unit_id(luoqiang, '360902')
    for values in [
            {'code': 'YZ-X1', 'name': '测试', 'kind': 'department',
                'parent': county},
            {'code': "x' OR 1=1 --", 'name': '测试', 'kind': 'unit',
                'parent': county},
            {'code': 'YZ-X2', 'name': '测试', 'kind': 'unit',
                'parent': county, 'uscc': '113609020000000000'},
            {'code': 'YZ-X3', 'name': '长' * 300, 'kind': 'unit',
                'parent': county, 'phone': '<script>'},
            ]:
        with pytest.raises(RPCError) as error:
            luoqiang.model('egov.org.unit', 'create', [values])
        assert any('\u4e00' <= c <= '\u9fff' for c in error.value.message)
    assert luoqiang.search_read('egov.org.unit', [
            ('code', 'like', 'YZ-X%')], ['code']) == []


def test_calls_to_forbidden_models_are_refused(users):
    xiena = users['xiena']
    for model, method, args in [
            ('res.user', 'write', ([users['xukai'].user_id],
                    {'password': 'Takeover#2026'})),
            ('egov.org.post-res.group', 'create',
                ([{'post': 1, 'group': 1}],)),
            ('ir.model.access', 'create', ([{'model': 'res.user'}],)),
            ]:
        with pytest.raises(RPCError):
            xiena.model(model, method, *args)


def workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return base64.b64encode(output.getvalue()).decode()


def start_values(data):
    return {
        'start': {
            'kind': 'units',
            'file': {'__class__': 'bytes', 'base64': data},
            'filename': 'units.xlsx',
            },
        }


def import_file(session, data):
    "Run the import wizard's check step over RPC; return the result view"
    _, result = session.wizard('egov.org.import', start_values(data), 'check')
    return result['view']['defaults']


def test_import_wizard_over_rpc(users):
    luoqiang = users['luoqiang']
    data = workbook([
            ['编码', '名称', '类型', '上级编码'],
            ['360902-090', '袁州区数据局', '单位', '360902'],
            ['360902-090-01', '办公室', '部门', '360902-090'],
            ['360982-090', '樟树市数据局', '单位', '360982'],
            ])
    result = import_file(luoqiang, data)
    assert not result['ready']
    assert '第 4 行「上级编码」列' in result['problems']
    assert '不在您管理的县区范围内' in result['problems']
    assert luoqiang.search_read('egov.org.unit', [
            ('code', 'like', '%-090%')], ['code']) == []

    # Without the other county's row, the file imports
    data = workbook([
            ['编码', '名称', '类型', '上级编码'],
            ['360902-090', '袁州区数据局', '单位', '360902'],
            ['360902-090-01', '办公室', '部门', '360902-090'],
            ])
    session_id, result = luoqiang.wizard(
        'egov.org.import', start_values(data), 'check')
    assert result['view']['defaults']['ready']
    result = luoqiang.wizard_step('egov.org.import', session_id, {
            'result': result['view']['defaults']}, 'import_')
    assert '新增 2 条' in result['view']['defaults']['summary']
    office, = luoqiang.search_read('egov.org.unit', [
            ('code', '=', '360902-090-01')], ['division.code', 'unit.code'])
    assert office['division.']['code'] == '360902'
    assert office['unit.']['code'] == '360902-090'


def test_hostile_uploads_over_rpc(users):
    luoqiang = users['luoqiang']
    for data, fragment in [
            (base64.b64encode(b'code,name\n').decode(), '不是 Excel 工作簿'),
            (base64.b64encode(b'PK\x03\x04' + b'\0' * (50 * 1024 * 1024)
                    ).decode(), '超过上限'),
            ]:
        result = import_file(luoqiang, data)
        assert not result['ready']
        assert fragment in result['problems']
