"""A civil servant's first hour (issue 11, items 3 and 4), as 朱婷 meets it:
办理 within the screen at 1366 × 768 and a double click on a to-do opening
the act dialog, with the earlier opinions, 同意 a tap confirmed by a second
dialog that names the decision and the request; on the phone (390 × 844)
the signing page refuses a submission with no decision, then asks to
confirm. Screenshots land in artefacts/<backend>/screenshots
(first-hour-act-*)."""
import re

import pytest

from ..rpc.rpc import Session
from ..rpc.test_workflow_routes import start_leave
from .test_first_hour_login import assert_chinese_page
from .test_sao import PASSWORD, log_in, open_menu
from .test_workflow_pages import notice, open_page

sync_api = pytest.importorskip('playwright.sync_api')
expect = sync_api.expect
DESKTOP = {'width': 1366, 'height': 768}
PHONE = {'width': 390, 'height': 844}
# A time with seconds (12:34:56), which nobody reads
SECONDS = re.compile(r'\d{1,2}:\d{2}:\d{2}')


def in_viewport(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box['x'] >= 0 and box['y'] >= 0 and (
        box['x'] + box['width'] <= size['width']) and (
        box['y'] + box['height'] <= size['height'])


def footer_button(dialog, text):
    "The footer button whose whole text is text (同意 is in 不同意)"
    return dialog.locator('.modal-footer button').filter(
        has_text=re.compile(r'^\s*%s\s*$' % text))


def test_act_by_double_click(browser, server, screenshots):
    title = '胡军请假(双击办理)'
    instance, task = start_leave(server, 'hujun', title, 'zhuting')
    page = log_in(browser, server, 'zhuting')
    page.set_viewport_size(DESKTOP)
    open_menu(page, '待办事项', '我的待办')
    page.wait_for_selector('#tablist li:has-text("我的待办")')
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('[title="%s"]' % title)).first
    row.wait_for(timeout=30000)
    # The action is on the screen, not past its right edge
    act = row.locator('button:has-text("办理")')
    assert in_viewport(page, act), act.bounding_box()
    # 待办, 抄送 and 已办 each show their count
    tabs = page.locator('.tab-content .tab-domain .nav-tabs li')
    expect(tabs).to_have_count(3)
    for i in range(3):
        expect(tabs.nth(i).locator('.badge')).to_have_text(
            re.compile(r'^\d+$'), timeout=30000)
    assert not SECONDS.search(row.inner_text())
    page.screenshot(path=screenshots / 'first-hour-act-1-inbox.png')
    assert_chinese_page(page, 'inbox')

    # One double click on the title opens the act dialog
    row.locator('[title="%s"]' % title).dblclick()
    dialog = page.locator('.modal.in .modal-dialog').last
    dialog.locator('input[name="task"]').wait_for()
    expect(dialog.locator('input[name="task"]')).not_to_have_value('')
    # The earlier opinion: who, step, what, when (to the minute)
    opinions = dialog.locator('.form-many2many').filter(
        has=page.locator('.form-many2many-string:has-text("历史意见")'))
    first = opinions.locator('.treeview tbody tr').filter(
        has_text='请批准').first
    first.wait_for(timeout=30000)
    text = first.inner_text()
    assert '胡军' in text and '填写请假单' in text and '同意' in text, text
    assert re.search(r'\d{2}:\d{2}', text) and not SECONDS.search(text), text
    # The dialog uses its width: the opinion box spans it
    body = dialog.locator('.modal-body').bounding_box()
    box = dialog.locator('textarea[name="text"]').bounding_box()
    assert box['width'] > body['width'] * 0.6, (box, body)
    # Nothing decided beforehand: 同意 and 不同意 are buttons to tap
    assert not dialog.locator('select[name="decision"]:visible').count()
    approve = footer_button(dialog, '同意')
    reject = footer_button(dialog, '不同意')
    expect(approve).to_be_visible()
    expect(reject).to_be_visible()
    assert in_viewport(page, approve)
    dialog.locator('textarea[name="text"]').fill('同意，请安排好工作。')
    page.screenshot(path=screenshots / 'first-hour-act-2-dialog.png')
    assert_chinese_page(page, 'act dialog')

    # 同意 asks first, naming the decision and the request
    approve.click()
    question = dialog.locator('textarea[name="question"]')
    question.wait_for()
    expect(question).to_have_value(re.compile('同意'))
    assert title in question.input_value()
    assert '部门负责人审批' in question.input_value()
    page.screenshot(path=screenshots / 'first-hour-act-3-confirm.png')
    assert_chinese_page(page, 'confirmation')
    # Back: what was written is still there
    footer_button(dialog, '返回修改').click()
    expect(dialog.locator('textarea[name="text"]')).to_have_value(
        '同意，请安排好工作。')
    footer_button(dialog, '同意').click()
    expect(question).to_have_value(re.compile('同意'))
    # (sao takes no click while it draws the dialog; a person is slower)
    page.wait_for_timeout(500)
    footer_button(dialog, '确定提交').click()
    try:
        expect(page.locator('.modal.in')).to_have_count(0, timeout=30000)
    except AssertionError:
        page.screenshot(path=screenshots / 'first-hour-act-failed.png')
        raise
    zhuting = Session(server, 'zhuting', PASSWORD)
    done, = zhuting.model('egov.workflow.task', 'read', [task],
        ['state', 'decision'])
    assert (done['state'], done['decision']) == ('done', 'approve')
    opinion, = zhuting.search_read('egov.workflow.opinion', [
            ('instance', '=', instance), ('step_name', '=', '部门负责人审批')],
        ['text'])
    assert opinion['text'] == '同意，请安排好工作。'
    assert not page.errors, page.errors
    page.close()


def test_phone_refuses_an_empty_approval(browser, server, screenshots):
    title = '胡军请假(手机确认)'
    instance, task = start_leave(server, 'hujun', title, 'zhuting')
    page = log_in(browser, server, 'zhuting')
    page.set_viewport_size(PHONE)
    open_page(page, server, 'sign', task)
    # Nothing chosen beforehand
    assert not page.locator('input[name="decision"]:checked').count()
    # The seeded phrases, there for everybody
    options = page.locator('#phrase option').all_inner_texts()
    assert '拟同意，请领导审示。' in options and '已阅。' in options
    page.click('#submit')
    expect(page.locator('#problem')).to_have_text('请先点选「同意」或「不同意」。')
    assert '请先点选' in notice(page)
    assert page.locator('#decision.egov-invalid').count()
    assert not page.locator('#confirm[open]').count()
    page.locator('#submit').scroll_into_view_if_needed()
    page.screenshot(path=screenshots / 'first-hour-act-4-phone-refused.png')
    assert_chinese_page(page, 'phone refusal')
    zhuting = Session(server, 'zhuting', PASSWORD)
    state, = zhuting.model('egov.workflow.task', 'read', [task], ['state'])
    assert state['state'] == 'open'

    # A tap on 同意, then a confirmation naming it and the request
    page.click('label.sign-approve')
    page.click('#submit')
    confirm = page.locator('#confirm')
    expect(confirm).to_be_visible()
    text = page.inner_text('#confirm-text')
    assert '同意' in text and title in text, text
    assert '未填写意见' in page.inner_text('#confirm-notes')
    assert in_viewport(page, page.locator('#confirm-ok'))
    page.screenshot(path=screenshots / 'first-hour-act-5-phone-confirm.png')
    page.click('#confirm-back')
    expect(confirm).to_be_hidden()
    state, = zhuting.model('egov.workflow.task', 'read', [task], ['state'])
    assert state['state'] == 'open'
    page.click('#submit')
    page.click('#confirm-ok')
    page.wait_for_selector('body[data-submitted="1"]')
    assert notice(page).startswith('已提交：同意')
    assert page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth')
    assert not page.csp_violations
    assert not page.errors, page.errors


def test_act_dialog_on_the_phone(browser, server, screenshots):
    "The same dialog in the web client on a phone: its buttons reachable"
    title = '胡军请假(手机网页办理)'
    start_leave(server, 'hujun', title, 'zhuting')
    page = log_in(browser, server, 'zhuting')
    open_menu(page, '待办事项', '我的待办')
    page.wait_for_selector('#tablist li:has-text("我的待办")')
    page.set_viewport_size(PHONE)
    # On a phone the menu takes the screen: its button hides it
    if page.locator('#menu').is_visible():
        page.click('a.navbar-brand[data-toggle="menu"]')
    page.screenshot(path=screenshots / 'first-hour-act-6-phone-list.png')
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('[title="%s"]' % title)).first
    row.wait_for(timeout=30000)
    row.locator('[title="%s"]' % title).dblclick()
    dialog = page.locator('.modal.in .modal-dialog').last
    dialog.locator('input[name="task"]').wait_for()
    opinions = dialog.locator('.form-many2many').filter(
        has=page.locator('.form-many2many-string:has-text("历史意见")'))
    opinions.locator('.treeview tbody tr').filter(
        has_text='请批准').first.wait_for(timeout=30000)
    assert in_viewport(page, footer_button(dialog, '同意'))
    assert in_viewport(page, footer_button(dialog, '不同意'))
    page.screenshot(path=screenshots / 'first-hour-act-7-phone-dialog.png')
    footer_button(dialog, '取消').click()
    expect(page.locator('.modal.in')).to_have_count(0)
    assert not page.errors, page.errors
