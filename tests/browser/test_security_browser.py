"""Security in the web client: the change-password form with its strength
meter, setting up an authenticator app from its QR code and logging in
with it, and the change of password sao asks for at login. Screenshots:
artefacts/<backend>/screenshots/security-*.png"""
import time

import pyotp
import pytest

from ..rpc.test_security_rpc import PASSWORD, log_in, security_server
from .test_sao import menu_entry, open_login_dialog, open_menu

sync_api = pytest.importorskip('playwright.sync_api')


@pytest.fixture(scope='module')
def sec_server():
    return security_server()


def sao_login(browser, server, login, answers, shots=None):
    """Log in to sao answering each question of the login in turn:
    answers is a list of (text the question contains, value or a function
    returning it); shots maps
    the index of a question to a screenshot path taken before answering"""
    page = browser.new_page(
        locale='zh-CN', viewport={'width': 1400, 'height': 900})
    errors = []
    page.on('pageerror', lambda error: errors.append(str(error)))
    page.errors = errors
    open_login_dialog(page, server.client_url)
    page.fill('.login-dialog input#login', login)
    page.click('.login-dialog button[type=submit]')
    for i, (text, value) in enumerate(answers):
        dialog = page.locator('.ask-dialog:visible').filter(has_text=text)
        dialog.wait_for(timeout=30000)
        page.wait_for_timeout(300)
        if shots and i in shots:
            page.screenshot(path=shots[i])
        if callable(value):
            # Known once the question is asked (an SMS code)
            value = value()
        # This dialog, not the next question, which may contain the same
        # text (密码, 新密码) and open before this one is gone
        asked = dialog.element_handle()
        dialog.locator('input#ask-dialog-entry').fill(value)
        dialog.locator('button.btn-primary').click()
        page.wait_for_function('el => !el.isConnected', arg=asked,
            timeout=30000)
    page.wait_for_selector('#menu .column-char', timeout=60000)
    return page


def wizard_dialog(page, field):
    dialog = page.locator(
        '.modal-dialog:has(input[name="%s"])' % field).last
    dialog.wait_for(timeout=30000)
    return dialog


def test_change_password_with_strength(browser, sec_server, screenshots):
    "朱婷 changes her password; the form rates it as she types"
    page = sao_login(browser, sec_server, 'zhuting', [('密码', PASSWORD)])
    open_menu(page, '账号安全', '修改密码')
    dialog = wizard_dialog(page, 'new_password')
    dialog.locator('input[name="current_password"]').fill(PASSWORD)
    dialog.locator('input[name="new_password"]').fill('zhuting123')
    dialog.locator('input[name="new_password"]').press('Tab')
    assessment = dialog.locator('input[name="strength_text"]')
    page.wait_for_function(
        "el => el.value.length > 0", arg=assessment.element_handle(),
        timeout=30000)
    assert '弱' in assessment.input_value()
    page.wait_for_timeout(300)
    page.screenshot(path=screenshots / 'security-01-password-weak.png')
    new = 'Zt#2026vLm9Qk'
    dialog.locator('input[name="new_password"]').fill(new)
    dialog.locator('input[name="new_password"]').press('Tab')
    page.wait_for_function(
        "el => el.value.startsWith('强') || el.value.startsWith('非常强')",
        arg=assessment.element_handle(), timeout=30000)
    dialog.locator('input[name="confirm_password"]').fill(new)
    dialog.locator('input[name="confirm_password"]').press('Tab')
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / 'security-02-password-strong.png')
    dialog.locator('button:has-text("修改")').click()
    # A new password ends every session of the user: sao asks for it
    ask = page.locator('.ask-dialog:visible')
    ask.wait_for(timeout=30000)
    assert 'zhuting' in ask.inner_text()
    ask.locator('input#ask-dialog-entry').fill(new)
    ask.locator('button.btn-primary').click()
    dialog.wait_for(state='detached', timeout=30000)
    log_in(sec_server, 'zhuting', new)
    assert not page.errors


def test_totp_enrolment_and_login(browser, sec_server, screenshots):
    "胡军 scans the QR code, confirms a code, then logs in with the app"
    page = sao_login(browser, sec_server, 'hujun', [('密码', PASSWORD)])
    open_menu(page, '账号安全', '绑定身份验证器')
    dialog = wizard_dialog(page, 'code')
    dialog.locator('img:not(.icon)').first.wait_for(timeout=30000)
    page.wait_for_timeout(800)
    page.screenshot(path=screenshots / 'security-03-totp-enrol.png')
    secret = dialog.locator('input[name="secret"]').input_value().replace(
        ' ', '')
    dialog.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    dialog.locator('button:has-text("确认")').click()
    dialog.wait_for(state='detached', timeout=30000)
    assert not page.errors
    page.close()

    code = pyotp.TOTP(secret).at(time.time() + 30)
    page = sao_login(browser, sec_server, 'hujun', [
            ('密码', PASSWORD), ('动态口令', code)],
        shots={1: screenshots / 'security-04-totp-login.png'})
    assert '胡军' in page.inner_text('.navbar')


def test_forced_change_at_login(browser, sec_server, screenshots):
    "高芳's password was reset by an administrator: sao asks for a new one"
    admin = log_in(sec_server, 'admin', PASSWORD)
    gaofang, = admin.search_read('res.user', [('login', '=', 'gaofang')],
        ['id'])
    initial = 'Reset#2026Qz'
    admin.model('res.user', 'write', [gaofang['id']], {'password': initial})
    new = 'Gf#2026vLm9Qk'
    page = sao_login(browser, sec_server, 'gaofang', [
            ('密码', initial),
            ('新密码', new),
            ('再次输入', new),
            ], shots={1: screenshots / 'security-05-forced-change.png'})
    assert '高芳' in page.inner_text('.navbar')
    assert menu_entry(page, '账号安全').count() == 1
    log_in(sec_server, 'gaofang', new)
