"""A civil servant's first leave request, as he meets it in the web client
(issue 11): 胡军 opens 审批 → 请假申请 → 新建, fills the leave form (the
fields the form designer laid out, no key/value editor), 提交 — which is
his own first step: no to-do of his own comes back — and, once 朱婷 and
刘志强 have agreed, he is told it is 已办结. The form is looked at on a
laptop (1366 × 768) and on a phone (390 × 844); the clicks from 新建 to
the end notice are counted. Screenshots: artefacts/<backend>/screenshots
(first-hour-request-*)."""
import re

import pytest

from ..rpc.rpc import Session
from .test_first_hour_login import assert_chinese_page
from .test_sao import PASSWORD, open_login_dialog
from .test_workflow_e2e import suffix

sync_api = pytest.importorskip('playwright.sync_api')
expect = sync_api.expect
FORM = '.tab-content .form '
LAPTOP = {'width': 1366, 'height': 768}
PHONE = {'width': 390, 'height': 844}


class Person:
    "A browser page of one person, counting what they click and choose"

    def __init__(self, browser, server, login, viewport):
        self.page = page = browser.new_page(locale='zh-CN', viewport=viewport)
        self.clicks = 0
        self.errors = []
        page.on('pageerror', lambda error: self.errors.append(str(error)))
        open_login_dialog(page, server.client_url)
        page.fill('.login-dialog input#login', login)
        page.click('.login-dialog button[type=submit]')
        page.wait_for_selector('.ask-dialog input#ask-dialog-entry')
        page.fill('.ask-dialog input#ask-dialog-entry', PASSWORD)
        page.click('.ask-dialog button.btn-primary')
        page.wait_for_selector('#menu .column-char', timeout=60000)

    def click(self, target):
        target = self.page.locator(target) if isinstance(
            target, str) else target
        target.click()
        self.clicks += 1

    def choose(self, select, label):
        "Open a list and take an entry: two clicks"
        select.select_option(label=label)
        self.clicks += 2

    def type(self, field, text):
        "Click into a field and type (typing is not clicking)"
        field.click()
        self.clicks += 1
        field.fill(text)
        field.press('Tab')
        self.page.wait_for_timeout(200)


def menu(person, *path):
    for name in path:
        entry = person.page.locator('#menu .column-char[title="%s"]' % name)
        entry.wait_for(timeout=30000)
        entry.click()


def new_leave_form(person):
    "审批 → 请假申请 → 新建: the leave form shows at once"
    page = person.page
    menu(person, '审批', '请假申请')
    # (On a phone the tabs' titles are folded away)
    page.wait_for_selector('#tablist li:has-text("请假申请")',
        state='attached')
    person.click(page.locator(
            '.tab-content .btn-toolbar button[title*="新建"]').first)
    page.locator(FORM + 'select[name="selection_1"]').wait_for()
    return page


def test_first_leave_request(browser, server, screenshots):
    admin = Session(server, 'admin', PASSWORD)
    title = '请假 - 胡军(%s)' % suffix()
    hujun = Person(browser, server, 'hujun', LAPTOP)
    page = new_leave_form(hujun)
    form = page.locator(FORM)
    text = form.inner_text()
    # The form designer's fields, in its order, with their labels
    labels = ['请假类型', '开始日期', '结束日期', '请假天数', '请假事由']
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions), text
    # No key/value editor: no Dict widget, its 查找/+ row or − buttons
    assert form.locator('.form-dict').count() == 0
    # Required fields are marked as required (bold, italic labels)
    for label in labels:
        expect(form.locator('label.form-label', has_text=label).first
            ).to_have_class(re.compile(r'\brequired\b'))
    # The title is proposed: the process and the applicant
    assert page.input_value(FORM + 'input[name="title"]').startswith(
        '请假 - 胡军')
    # (A title of its own, to find it among the runs)
    page.wait_for_timeout(500)
    title_field = form.locator('input[name="title"]')
    title_field.fill(title)
    title_field.press('Tab')
    expect(title_field).to_have_value(title)
    hujun.choose(form.locator('select[name="selection_1"]'), '年休假')
    for name, value in [('date_1', '2026-12-14'), ('date_2', '2026-12-18')]:
        date = form.locator('input[name="%s"][type=text]' % name)
        hujun.type(date, value)
        expect(date).to_have_value(value)
    hujun.type(form.locator('input[name="numeric_1"]:visible'), '5')
    hujun.type(form.locator('textarea[name="text_1"]'), '年度休假，工作已交接')
    page.wait_for_timeout(300)
    page.screenshot(path=screenshots / 'first-hour-request-form-1366.png')
    assert_chinese_page(page, 'request form')

    hujun.click(form.locator('button:has-text("提交")'))
    form.locator('button:has-text("催办")').wait_for(timeout=30000)
    page.screenshot(path=screenshots / 'first-hour-request-submitted.png')
    assert hujun.errors == [], hujun.errors
    # 提交 was 填写请假单: no to-do of his own to act on again
    request, = admin.search_read('egov.workflow.request', [
            ('title', '=', title)],
        ['workflow_state', 'workflow_steps', 'values'])
    assert request['workflow_state'] == 'running'
    assert request['workflow_steps'] == '部门负责人审批'
    assert request['values']['leave_type'] == '年休假'
    assert request['values']['days'] == {
        '__class__': 'Decimal', 'decimal': '5'}
    assert admin.search_read('egov.workflow.task', [
            ('title', '=', title), ('user.login', '=', 'hujun'),
            ('state', '=', 'open')], ['id']) == []

    # The approvers agree (their 办理 is tested in test_workflow_e2e.py)
    for login in ['zhuting', 'liuzhiqiang']:
        approver = Session(server, login, PASSWORD)
        task, = approver.search_read('egov.workflow.task', [
                ('title', '=', title), ('state', '=', 'open'),
                ('kind', '=', 'todo')], ['id'])
        approver.model('egov.workflow.task', 'decide', [task['id']],
            'approve', '同意。')
        # What they were told of the to-do is done now: their badge drops
        assert approver.search_read('res.notification', [
                ('records', '=', '[%d]' % task['id']),
                ('unread', '=', True)], ['id']) == []

    # He is told, in Chinese, that it is 已办结: when he comes back (the
    # count is read at login; without the bus, pages do not hear of it
    # live), the badge on his name counts it
    page.close()
    back = Person(browser, server, 'hujun', LAPTOP)
    back.clicks = hujun.clicks
    hujun, page = back, back.page
    badge = page.locator('#user-preferences .notification-badge')
    expect(badge).to_be_visible(timeout=30000)
    # Only what waits: the end notice (his own first to-do was done at
    # once, the demo's earlier work too)
    unread = admin.search_read('res.notification', [
            ('user.login', '=', 'hujun'), ('unread', '=', True)], ['label'])
    assert badge.inner_text() == str(len(unread)), unread
    # The badge does not cover his name
    name = page.locator('#user-preferences > a')
    page.screenshot(path=screenshots / 'first-hour-request-badge.png',
        clip={'x': 900, 'y': 0, 'width': 466, 'height': 60})
    badge_box, name_box = badge.bounding_box(), name.bounding_box()
    text_left = page.evaluate("""a => {
            const range = document.createRange();
            const text = [...a.childNodes].find(n => n.nodeType === 3);
            range.selectNodeContents(text);
            return range.getBoundingClientRect().left;
        }""", name.element_handle())
    assert badge_box['x'] + badge_box['width'] <= text_left + 0.5, (
        badge_box, text_left)
    hujun.click(name)
    notice = page.locator('.notification-menu .notification-item').filter(
        has_text=title).first
    expect(notice).to_contain_text('已办结', timeout=30000)
    page.screenshot(path=screenshots / 'first-hour-request-end-notice.png')
    assert_chinese_page(page, 'end notice')
    hujun.click(notice)
    page.locator(FORM + 'textarea[name="form_summary"]').wait_for()
    expect(page.locator(FORM + 'select[name="workflow_state"], '
            + FORM + 'span[name="workflow_state"], '
            + FORM + '[name="workflow_state"]').first).to_be_visible()
    page.screenshot(path=screenshots / 'first-hour-request-done.png')
    assert_chinese_page(page, 'finished request')
    assert hujun.errors == [], hujun.errors
    # 新建, the leave type (2), two dates, days, reason, 提交; his name
    # (the notifications) and the notice
    print('clicks from 新建 to the end notice: %d' % hujun.clicks)
    assert hujun.clicks == 10, hujun.clicks
    page.close()


def test_leave_form_on_a_phone(browser, server, screenshots):
    "The same form at 390 × 844: every field reachable, nothing cut"
    hujun = Person(browser, server, 'hujun', PHONE)
    page = new_leave_form(hujun)
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / 'first-hour-request-form-390.png',
        full_page=True)
    width = page.evaluate('document.documentElement.clientWidth')
    for name in ['selection_1', 'date_1', 'date_2', 'numeric_1', 'text_1']:
        box = page.locator(FORM + '[name="%s"]' % name).first.bounding_box()
        assert box and box['x'] >= 0 and box['x'] + box['width'] <= width, (
            name, box)
    assert hujun.errors == [], hujun.errors
    page.close()
