"""A civil servant's first hour, at 1366 × 768 and on a 390 × 844 phone:
the login asks only for the login (the server's only database is filled in
and hidden, and still after logging out), says which platform it is; a
clerk's menu has no entry he cannot use; a menu entry double-clicked opens
once; the address book opens on his unit with 手机 and 邮箱 in view. What
the pages show is Chinese, with full-width punctuation."""
import re

import pytest

from egov_base.tests.test_punctuation import half_width

from .test_sao import open_login_dialog

PASSWORD = 'Yichun@2026'
DESKTOP = {'width': 1366, 'height': 768}
PHONE = {'width': 390, 'height': 844}
TITLE = '宜春市智慧办公平台'
# Words a Chinese page may show: product and file names, units
ALLOWED = {'Excel', 'WPS', 'kB', 'MB', 'ID'}
NOT_WORDS = re.compile(r'\S+@\S+|https?://\S+|\b\d[\w-]*')

sync_api = pytest.importorskip('playwright.sync_api')


def assert_chinese_page(page, where=''):
    "No untranslated English word, no half-width punctuation in Chinese"
    text = page.inner_text('body')
    english = {w for w in re.findall(r'[A-Za-z]{2,}', NOT_WORDS.sub(' ', text))
        if w not in ALLOWED}
    assert not english, '%s: English words %s' % (where, sorted(english))
    punctuation = [p for line in text.splitlines() for p in half_width(line)]
    assert not punctuation, '%s: half-width punctuation %s' % (
        where, punctuation)


def open_login(browser, server, viewport, address=None):
    page = browser.new_page(locale='zh-CN', viewport=viewport)
    page.errors = []
    page.on('pageerror', lambda error: page.errors.append(str(error)))
    open_login_dialog(page, address or server.client_url)
    return page


def log_in(page, login):
    page.fill('.login-dialog input#login', login)
    page.click('.login-dialog button[type=submit]')
    page.wait_for_selector('.ask-dialog input#ask-dialog-entry')
    page.fill('.ask-dialog input#ask-dialog-entry', PASSWORD)
    page.click('.ask-dialog button.btn-primary')
    page.wait_for_selector('#menu .column-char', state='attached',
        timeout=60000)
    page.wait_for_timeout(500)


def log_out(page):
    "注销 from the menu of the person (behind the navbar's toggle on phones)"
    if not page.locator('#user-preferences').is_visible():
        page.click('.navbar-toggle')
    page.click('#user-preferences > a')
    page.click('#user-preferences >> text=注销')


def menu_entry(page, name):
    return page.locator('#menu .column-char[title="%s"]' % name)


def in_view(page, locator):
    "The element lies inside the window, left to right"
    box = locator.bounding_box()
    width = page.viewport_size['width']
    return box is not None and box['x'] >= 0 and (
        box['x'] + box['width'] <= width)


@pytest.mark.parametrize('viewport', [DESKTOP, PHONE],
    ids=['1366x768', '390x844'])
def test_login_asks_only_the_login(browser, server, screenshots, viewport):
    """The only database is filled in and hidden, before and after a logout
    (on PostgreSQL, whose test cluster holds other databases: the one of the
    address)"""
    size = '%(width)sx%(height)s' % viewport
    page = open_login(browser, server, viewport,
        server.url + '/' if server.only_database else None)
    dialog = page.locator('.login-dialog')
    assert page.input_value('.login-dialog input#database') == (
        server.database)
    assert page.locator('.login-dialog #database:visible').count() == 0
    assert page.locator('.login-dialog input#login').is_visible()
    assert TITLE in page.title()
    header = dialog.locator('.modal-header').inner_text()
    assert TITLE in header and '登录' in header
    assert not re.search(r'\d+\.\d+', header), header
    page.wait_for_timeout(300)
    page.screenshot(path=screenshots / ('first-hour-login-%s.png' % size))
    assert_chinese_page(page, 'login')

    # Blank login: only the login is marked, the database stays hidden
    page.click('.login-dialog button[type=submit]')
    assert page.locator('.login-dialog .has-error').count() == 1
    assert page.locator('.login-dialog .has-error input#login').count() == 1

    log_in(page, 'xiena')
    assert_chinese_page(page, 'home')
    log_out(page)
    page.wait_for_selector('.login-dialog input#login', timeout=60000)
    page.wait_for_function(
        "jQuery('.login-dialog input#database').val()", timeout=30000)
    assert page.input_value('.login-dialog input#database') == (
        server.database)
    assert page.locator('.login-dialog #database:visible').count() == 0
    assert not page.errors


def test_login_from_the_address(browser, server):
    "The address /#DATABASE names the database and hides the field too"
    page = browser.new_page(locale='zh-CN', viewport=DESKTOP)
    page.goto(server.url + '/#' + server.database)
    page.wait_for_selector('.login-dialog input#login', timeout=60000)
    page.wait_for_function(
        "jQuery('.login-dialog input#database').val()", timeout=30000)
    assert page.locator('.login-dialog #database:visible').count() == 0
    log_in(page, 'xiena')
    assert '谢娜' in page.inner_text('.navbar')


def test_clerk_menu(browser, server, screenshots):
    "A clerk has no 从 Excel 导入; his administrator's opens once"
    page = open_login(browser, server, DESKTOP)
    log_in(page, 'xiena')
    menu_entry(page, '组织机构').click()
    menu_entry(page, '人员').wait_for()
    page.wait_for_timeout(300)
    page.screenshot(path=screenshots / 'first-hour-menu-clerk.png')
    assert menu_entry(page, '从 Excel 导入').count() == 0
    assert_chinese_page(page, 'clerk menu')

    admin = open_login(browser, server, DESKTOP)
    log_in(admin, 'luoqiang')
    menu_entry(admin, '组织机构').click()
    menu_entry(admin, '从 Excel 导入').dblclick()
    admin.wait_for_selector('.wizard-dialog .modal-body input[type=file]',
        state='attached')
    admin.wait_for_timeout(1500)
    assert admin.locator('.wizard-dialog').count() == 1
    dialog = admin.locator('.wizard-dialog .modal-dialog')
    # The help text and the file field's button are inside the dialog
    box = dialog.bounding_box()
    button = admin.locator('.wizard-dialog .input-file').first.bounding_box()
    assert box['width'] > 600
    assert button['x'] + button['width'] <= box['x'] + box['width']
    admin.screenshot(path=screenshots / 'first-hour-import-dialog.png')
    assert_chinese_page(admin, 'import dialog')


@pytest.mark.parametrize('viewport', [DESKTOP, PHONE],
    ids=['1366x768', '390x844'])
def test_address_book_on_own_unit(browser, server, screenshots, viewport):
    "谢娜's address book opens on 袁州区人民政府办公室; it can be searched"
    size = '%(width)sx%(height)s' % viewport
    page = open_login(browser, server, viewport)
    log_in(page, 'xiena')
    if not menu_entry(page, '通讯录').is_visible():
        page.click('.navbar-brand')
    menu_entry(page, '通讯录').click()
    menu_entry(page, '单位通讯录').click()
    page.locator('.tab-content .treeview tbody tr').first.wait_for(
        timeout=30000)
    page.wait_for_timeout(800)
    page.screenshot(path=screenshots / ('first-hour-directory-%s.png' % size))
    tab = page.locator('.tab-content .nav-tabs li.active')
    assert tab.inner_text().strip().startswith('本单位')
    units = page.locator(
        '.tab-content .treeview tbody td[data-title^="单位"]').all_inner_texts()
    assert units and set(u.strip() for u in units) == {'袁州区人民政府办公室'}
    search = page.locator('.tab-content .filter-box input.form-control')
    assert search.is_visible() and in_view(page, search)
    if viewport is DESKTOP:
        for header in ['手机', '邮箱']:
            assert in_view(page, page.locator(
                    '.tab-content .treeview thead th', has_text=header)), (
                header)
    assert_chinese_page(page, 'address book')
    search.fill('谢娜')
    search.press('Enter')
    page.wait_for_timeout(1500)
    names = page.locator(
        '.tab-content .treeview tbody td[data-title^="姓名"]').all_inner_texts()
    assert [n.strip() for n in names] == ['谢娜']
    assert not page.errors
