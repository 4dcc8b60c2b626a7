"""The audit viewer as a security auditor uses it in the web client: the
log with its filters, one record with its changes, the statistics; the
screenshots (artefacts/<backend>/screenshots/1x-audit-*.png) show it in
Chinese."""
import pytest

from ..rpc.rpc import RPCError, Session
from ..rpc.test_audit_rpc import AUDITOR, ensure_auditor
from .test_sao import PASSWORD, log_in, open_menu  # noqa: F401
from .test_security_browser import sao_login


@pytest.fixture(scope='module')
def auditor(server):
    "An auditor created by admin over RPC, and some actions to look at"
    ensure_auditor(server)
    with pytest.raises(RPCError):
        Session(server, 'xiena', 'wrong-password')
    luoqiang = Session(server, 'luoqiang', PASSWORD)
    unit, = luoqiang.search_read('egov.org.unit', [
            ('code', '=', '360902-003')], ['id'])
    luoqiang.model('egov.org.unit', 'write', [unit['id']], {
            'phone': '0795-3511111'})
    other, = luoqiang.search_read('egov.org.unit', [
            ('code', '=', '360982-003')], ['id'])
    with pytest.raises(RPCError):
        luoqiang.model('egov.org.unit', 'write', [other['id']], {
                'phone': '0795-3522222'})
    return AUDITOR


def log_in_auditor(browser, server):  # noqa: F811
    "吴芳 logs in to sao with her password and the SMS code"
    return sao_login(browser, server, AUDITOR, [
            ('密码', PASSWORD), ('短信验证码', server.last_sms_code)])


def test_auditor_reads_the_log(browser, server, screenshots, auditor):  # noqa: F811
    page = log_in_auditor(browser, server)
    open_menu(page, '安全审计', '审计日志')
    page.wait_for_selector('#tablist li:has-text("审计日志")')
    page.locator('.tab-content .treeview td',
        has_text='luoqiang').first.wait_for(timeout=30000)
    page.wait_for_timeout(800)
    page.screenshot(path=screenshots / '11-audit-log.png')
    text = page.inner_text('.tab-content')
    for expected in ['登录失败', '修改', '拒绝', '成功', '袁州区', '127.0.0.1']:
        assert expected in text, expected

    page.locator('.tab-content .nav-tabs a', has_text='被拒绝和失败').click()
    page.wait_for_timeout(1500)
    page.screenshot(path=screenshots / '12-audit-refused.png')
    assert '拒绝' in page.inner_text('.tab-content')

    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('td', has_text='luoqiang')).first
    row.dblclick()
    page.wait_for_selector('.tab-content .form textarea', timeout=30000)
    page.wait_for_timeout(800)
    page.screenshot(path=screenshots / '13-audit-record.png')
    form = page.inner_text('.tab-content .form')
    for label in ['登录名', '来源地址', '变更内容', '哈希']:
        assert label in form, label
    assert not page.errors


def test_auditor_statistics(browser, server, screenshots, auditor):  # noqa: F811
    page = log_in_auditor(browser, server)
    open_menu(page, '安全审计', '统计', '按单位统计')
    page.wait_for_selector('#tablist li:has-text("按单位统计")')
    page.wait_for_selector('.tab-content svg, .tab-content canvas',
        timeout=30000)
    page.wait_for_timeout(1500)
    page.screenshot(path=screenshots / '14-audit-statistics-unit.png')
    open_menu(page, '按操作统计')
    page.wait_for_selector('#tablist li:has-text("按操作统计")')
    page.wait_for_timeout(2000)
    page.screenshot(path=screenshots / '15-audit-statistics-action.png')
    assert not page.errors


def test_plain_user_has_no_audit_menu(browser, server, auditor):  # noqa: F811
    page = log_in(browser, server, 'xiena')
    assert page.locator('#menu .column-char[title="安全审计"]').count() == 0
