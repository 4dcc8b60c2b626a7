"""The web client as a person uses it: Chromium logs in to sao as a county
user, opens the organisation tree and a unit form, and keeps screenshots
(artefacts/<backend>/screenshots) to look at."""
import pytest

from ..rpc.rpc import Session

PASSWORD = 'Yichun@2026'

sync_api = pytest.importorskip('playwright.sync_api')


def open_login_dialog(page, address):
    """Open the web client at address and wait for its login dialog, with
    the database filled in (it comes from the address or the server after
    the dialog)"""
    page.goto(address)
    page.wait_for_selector('.login-dialog input#login', timeout=60000)
    page.wait_for_function(
        "jQuery('.login-dialog input#database').val()", timeout=30000)


def log_in(browser, server, login):
    "Open sao and log in; return the page with the menu shown"
    page = browser.new_page(
        locale='zh-CN', viewport={'width': 1400, 'height': 900})
    errors = []
    page.on('pageerror', lambda error: errors.append(str(error)))
    page.errors = errors
    open_login_dialog(page, server.client_url)
    page.fill('.login-dialog input#login', login)
    page.click('.login-dialog button[type=submit]')
    page.wait_for_selector('.ask-dialog input#ask-dialog-entry')
    page.fill('.ask-dialog input#ask-dialog-entry', PASSWORD)
    page.click('.ask-dialog button.btn-primary')
    page.wait_for_selector('#menu .column-char', timeout=60000)
    return page


def menu_entry(page, name):
    return page.locator('#menu .column-char[title="%s"]' % name)


def open_menu(page, *path):
    "Click through the menu tree to an action"
    for name in path:
        entry = menu_entry(page, name)
        entry.wait_for(timeout=30000)
        entry.click()
    return page


def tree_row(page, name):
    return page.locator(
        '.tab-content .treeview .column-char[title="%s"]' % name).first


def expand(page, name):
    "Expand the row of name in the tree view of the current tab"
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('.column-char[title="%s"]' % name)).first
    row.locator('.expander').first.click()


def test_county_user_sees_the_organisation(browser, server, screenshots):
    "罗强 of 袁州区 opens the organisation tree, then a unit's form"
    page = log_in(browser, server, 'luoqiang')
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / '01-home-luoqiang.png')
    assert '罗强' in page.inner_text('.navbar')
    assert '宜春市智慧办公平台' in page.title()

    open_menu(page, '组织机构', '组织机构树')
    page.wait_for_selector('#tablist li:has-text("组织机构树")')
    tree_row(page, '宜春市').wait_for()
    expand(page, '宜春市')
    tree_row(page, '袁州区').wait_for()
    expand(page, '袁州区')
    tree_row(page, '袁州区教育体育局').wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / '02-organisation-tree.png')
    text = page.inner_text('.tab-content')
    for expected in [
            '樟树市', '宜春经济技术开发区', '袁州区人民政府办公室', '单位']:
        assert expected in text

    tree_row(page, '袁州区教育体育局').dblclick()
    page.wait_for_selector('.tab-content .form input[name="code"]')
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / '03-unit-form.png')
    form = page.inner_text('.tab-content .form')
    for label in ['名称', '统一社会信用代码', '上级', '所属县区', '历史沿革']:
        assert label in form
    assert page.input_value('.tab-content .form input[name="code"]') == (
        '360902-004')
    assert not page.errors


def test_switched_off_application_disappears(browser, server, screenshots):
    "The city switches the address book off for 袁州区: its menu goes"
    city = Session(server, 'wangjianguo', PASSWORD)
    switch, = city.search_read('egov.application.switch', [
            ('application.code', '=', 'directory'),
            ('division.code', '=', '360902')], ['id'])
    city.model('egov.application.switch', 'write', [switch['id']], {
            'enabled': False})
    try:
        page = log_in(browser, server, 'xiena')
        page.wait_for_timeout(500)
        page.screenshot(path=screenshots / '04-menu-directory-off.png')
        assert menu_entry(page, '组织机构').count() == 1
        assert menu_entry(page, '通讯录').count() == 0

        other = log_in(browser, server, 'hanmei')
        assert menu_entry(other, '通讯录').count() == 1
    finally:
        city.model('egov.application.switch', 'write', [switch['id']], {
                'enabled': True})


def test_city_admin_switches_applications(browser, server, screenshots):
    page = log_in(browser, server, 'wangjianguo')
    open_menu(page, '应用管理', '按县区开通应用')
    page.wait_for_selector('#tablist li:has-text("按县区开通应用")')
    # One row per county and application (sao draws the first rows)
    page.locator('.tab-content .treeview tbody td', has_text='县').first.wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / '05-application-switches.png')
    text = page.inner_text('.tab-content')
    assert '公文处理' in text or '通讯录' in text
    assert '万载县' in text or '袁州区' in text


def test_switch_post_in_preferences(browser, server, screenshots):
    "梁艳 holds two posts (一人多岗) and switches to the other one"
    page = log_in(browser, server, 'liangyan')
    assert '副职' in page.inner_text('.navbar')
    page.click('#user-preferences')
    page.click('text=偏好设置...')
    dialog = page.locator('.modal-dialog:has(select[name="post"])')
    dialog.wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / '06-preferences-post.png')
    assert '偏好设置' in dialog.inner_text()
    options = dialog.locator('select[name="post"] option').all_inner_texts()
    target = next(o for o in options if '信息中心' in o)
    dialog.locator('select[name="post"]').select_option(label=target)
    dialog.locator('button.btn-primary').click()
    page.wait_for_function(
        "document.querySelector('.navbar').innerText.includes('信息中心')",
        timeout=30000)
    assert not page.errors
