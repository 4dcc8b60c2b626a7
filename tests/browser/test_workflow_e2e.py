"""Two approvals run end to end in the web client, each step done by its
holder in their own browser session, as people do it:

- a leave request of 胡军 (宜春市教育局): he fills the form and sends it,
  朱婷, head of his office, agrees, 刘志强, the vice-mayor in charge
  (宜春市人民政府), agrees: three people of two units;
- a 发文 on the demo's 发文 approval (drawn without code, demo/load.py):
  胡军 drafts and names the countersigning departments of two units
  (宜春市教育局 基础教育科, 宜春市财政局 预算科) and the recipient, 朱婷
  reviews, the two department heads countersign, 马帅 signs, the 文书
  numbers it, the recipient's 收发员 distributes it.

Every action goes through sao's to-do list, the to-do's form and its 办理
dialog; the opinions are then read back over RPC. Screenshots land in
artefacts/<backend>/screenshots (workflow-e2e-*)."""
import re
import time

import pytest

from ..rpc.rpc import Session
from .test_sao import PASSWORD, log_in, open_menu

sync_api = pytest.importorskip('playwright.sync_api')
expect = sync_api.expect
FORM = '.tab-content .form '


@pytest.fixture(scope='module')
def admin(server):
    return Session(server, 'admin', PASSWORD)


def pick(scope, name, text):
    "Type into the many-to-one name of scope and take the completion text"
    field = scope.locator('input[name="%s"]' % name)
    field.click()
    field.press_sequentially(text, delay=80)
    scope.locator('.dropdown-completion li:has-text("%s")' % text
        ).first.click()


def add_to_list(page, scope, label, names):
    """Add records (units, people) by name to the many-to-many list of
    scope labelled label: type the name, click 添加, choose it in the
    search window"""
    widget = scope.locator('.form-many2many').filter(
        has=page.locator('.form-many2many-string:has-text("%s")' % label))
    for name in names:
        entry = widget.locator('.input-group input').first
        entry.fill(name)
        widget.locator('.input-group-btn button').first.click()
        search = page.locator('.modal-dialog').filter(
            has=page.locator('.modal-title:has-text("搜索")')).last
        row = search.locator('.treeview tr').filter(
            has=page.locator('[title="%s"]' % name)).first
        # On the name: another column may hold a link
        row.locator('[title="%s"]' % name).first.dblclick()
        search.wait_for(state='hidden')
        # sao draws a list's rows once it is scrolled into view
        widget.scroll_into_view_if_needed()
        widget.locator('.treeview [title="%s"]' % name).wait_for()


def fill_request(page, form, values):
    """Fill the fields of a request's form, found by their labels as a
    person finds them: {label: value}"""
    for label, value in values.items():
        name = form.locator('label.form-label', has_text=label).first
        field = form.locator('#%s:visible' % name.get_attribute('for'))
        if field.evaluate('e => e.tagName') == 'SELECT':
            field.select_option(label=value)
            page.wait_for_timeout(300)
        else:
            type_in(page, field, value)


def new_request(page, title, menu, values, units=None):
    """Fill a new approval request from the menu of its process and submit
    it (提交): the submission is the applicant's own first step"""
    open_menu(page, '审批', menu)
    page.wait_for_selector('#tablist li:has-text("%s")' % menu)
    page.click('.tab-content .btn-toolbar button[title*="新建"]')
    page.wait_for_selector(FORM + 'input[name="title"]')
    type_in(page, page.locator(FORM + 'input[name="title"]'), title)
    fill_request(page, page.locator(FORM), values)
    for label, names in (units or {}).items():
        add_to_list(page, page.locator(FORM), label, names)
    page.click(FORM + 'button:has-text("提交")')
    page.locator(FORM + 'button:has-text("催办")').wait_for()


def act(browser, server, login, title, text, screenshots=None, name=None,
        values=None, units=None, copy_to=None):
    """login opens the to-do of title from their list, then 办理 with the
    opinion text, filling the step's fields ({label: value}) and unit lists
    ({label: [unit names]}) in the dialog, copying to people (names)"""
    page = log_in(browser, server, login)
    open_menu(page, '待办事项', '我的待办')
    page.wait_for_selector('#tablist li:has-text("我的待办")')
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('[title="%s"]' % title)).first
    row.wait_for(timeout=30000)
    if screenshots:
        page.screenshot(path=screenshots / ('workflow-e2e-%s-inbox.png'
                % name))
    # A double click on the to-do opens the act dialog (issue 11)
    row.dblclick()
    # The dialog shown (Bootstrap's "in") with its to-do loaded
    dialog = page.locator('.modal.in .modal-dialog').last
    dialog.locator('input[name="task"]').wait_for()
    expect(dialog.locator('input[name="task"]')).not_to_have_value('')
    if values:
        # Each value of the form in its own field, found by its label
        fill_request(page, dialog, values)
    for label, names in (units or {}).items():
        add_to_list(page, dialog, label, names)
    if copy_to:
        # The people picker shows each person's post and unit
        add_to_list(page, dialog, '抄送', copy_to)
        copies = dialog.locator('.form-many2many').filter(
            has=page.locator('.form-many2many-string:has-text("抄送")'))
        assert '岗位' in copies.locator('thead').inner_text()
        if screenshots:
            copies.scroll_into_view_if_needed()
            # The search window's backdrop fades out
            expect(page.locator('.modal-backdrop')).to_have_count(1)
            page.screenshot(path=screenshots / ('workflow-e2e-%s-copy.png'
                    % name))
    type_in(page, dialog.locator('textarea[name="text"]'), text)
    if screenshots:
        dialog.locator('.modal-body').evaluate('body => body.scrollTop = 0')
        page.screenshot(path=screenshots / ('workflow-e2e-%s-act.png'
                % name))
    # 同意 is a button, then confirmed (不同意 holds 同意: the whole text)
    dialog.locator('.modal-footer button').filter(
        has_text=re.compile(r'^\s*同意\s*$')).click()
    expect(dialog.locator('textarea[name="question"]')).to_have_value(
        re.compile('同意'))
    # (sao takes no click while it draws the dialog)
    page.wait_for_timeout(500)
    dialog.locator('.modal-footer button:has-text("确定提交")').click()
    # Done: the dialog closes and the to-do leaves 待办; or the server's
    # message, which fails the test with its text
    refused = page.locator('.modal-dialog .alert')
    for _ in range(100):
        if refused.count() or not page.locator('.modal.in').count():
            break
        page.wait_for_timeout(300)
    else:
        if screenshots:
            page.screenshot(path=screenshots / ('workflow-e2e-%s-failed.png'
                    % name))
        raise AssertionError('the act dialog did not close')
    assert not refused.count(), refused.first.inner_text()
    expect(row).to_have_count(0, timeout=30000)
    assert not page.errors, page.errors
    page.close()


def type_in(page, field, text):
    """Fill field and leave it, as a person moving on does. The dialog
    draws itself again once its lists and form fields are loaded, which
    can wipe what a robot typed within the first moment: type again."""
    for _ in range(10):
        field.fill(text)
        field.press('Tab')
        page.wait_for_timeout(300)
        if field.input_value() == text:
            return
    raise AssertionError('%r not kept in the field' % text)


def suffix():
    "Keeps the titles of one run apart from those of an earlier run"
    return time.strftime('%H%M%S')


def holders(admin, title):
    "The logins holding the open to-dos of the request title"
    tasks = admin.search_read('egov.workflow.task', [
            ('title', '=', title), ('state', '=', 'open'),
            ('kind', '=', 'todo')], ['user.login'])
    return sorted(t['user.']['login'] for t in tasks)


def opinions(admin, title):
    request, = admin.search_read('egov.workflow.request', [
            ('title', '=', title)], ['workflow', 'workflow_state'])
    rows = admin.search_read('egov.workflow.opinion', [
            ('instance', '=', request['workflow'])],
        ['step_name', 'user.login', 'decision', 'text'])
    return request['workflow_state'], [
        (o['step_name'], o['user.']['login'], o['decision'], o['text'])
        for o in sorted(rows, key=lambda o: o['id'])]


def test_leave_request_through_the_web_client(
        browser, server, screenshots, admin):
    title = '胡军请假(网页办理%s)' % suffix()
    page = log_in(browser, server, 'hujun')
    new_request(page, title, '请假申请', {
            '请假类型': '事假', '开始日期': '2026-12-01',
            '结束日期': '2026-12-05', '请假天数': '5', '请假事由': '家中有事'})
    # Dates of the form read as in Chinese, not as in English
    assert page.input_value(FORM + 'input[name="date_1"][type=text]') == (
        '2026-12-01')
    page.screenshot(path=screenshots / 'workflow-e2e-leave-request.png')
    assert not page.errors, page.errors
    page.close()

    # 提交 was 填写请假单: 朱婷 holds it at once
    assert holders(admin, title) == ['zhuting']
    act(browser, server, 'zhuting', title, '同意', screenshots, 'leave-2',
        copy_to=['马帅'])
    # Five days: the vice-mayor in charge, of another unit, decides
    assert holders(admin, title) == ['liuzhiqiang']
    copy, = admin.search_read('egov.workflow.task', [
            ('title', '=', title), ('kind', '=', 'cc')], ['user.login'])
    assert copy['user.']['login'] == 'mashuai'
    act(browser, server, 'liuzhiqiang', title, '同意，安排好工作交接',
        screenshots, 'leave-3')
    assert opinions(admin, title) == ('done', [
            ('填写请假单', 'hujun', 'approve', '提交申请。'),
            ('部门负责人审批', 'zhuting', 'approve', '同意'),
            ('分管领导审批', 'liuzhiqiang', 'approve', '同意，安排好工作交接'),
            ])


def test_outgoing_document_through_the_web_client(
        browser, server, screenshots, admin):
    title = '关于做好2027年春季学期开学工作的通知(%s)' % suffix()
    page = log_in(browser, server, 'hujun')
    # 拟稿 is the form itself: the drafter names the countersigning
    # departments of two units and the recipient, then 提交
    new_request(page, title, '发文审批（示例）', {
            '文种': '通知', '紧急程度': '平件', '内容摘要': '部署春季开学准备工作'},
        units={
            '会签单位': ['基础教育科', '预算科'],
            '主送单位': ['袁州区教育体育局'],
            })
    page.screenshot(path=screenshots / 'workflow-e2e-out-1-request.png')
    page.close()
    assert holders(admin, title) == ['zhuting']
    act(browser, server, 'zhuting', title, '已核', screenshots, 'out-2')
    # 会签: both department heads hold it at once
    cosigners = holders(admin, title)
    assert len(cosigners) == 2
    for n, login in enumerate(cosigners):
        act(browser, server, login, title, '会签同意',
            screenshots if not n else None, 'out-3')
    assert holders(admin, title) == ['mashuai']
    act(browser, server, 'mashuai', title, '同意印发', screenshots, 'out-4')
    # 编号: the 文书 fills in the number the step requires
    clerk, = holders(admin, title)
    act(browser, server, clerk, title, '已编号', screenshots, 'out-5',
        values={'发文字号': '宜教发〔2026〕12号'})
    # 分发: the recipient unit's 收发员, in 袁州区
    receiver, = holders(admin, title)
    act(browser, server, receiver, title, '已分发', screenshots, 'out-6')

    state, rows = opinions(admin, title)
    assert state == 'done'
    assert [(step, decision) for step, _, decision, _ in rows] == [
        ('拟稿', 'approve'), ('核稿', 'approve'), ('会签', 'approve'),
        ('会签', 'approve'), ('签发', 'approve'), ('编号', 'approve'),
        ('分发', 'approve')]
    request, = admin.search_read('egov.workflow.request', [
            ('title', '=', title)],
        ['values', 'picked_units.key', 'picked_units.unit.name'])
    assert request['values']['doc_number'] == '宜教发〔2026〕12号'
    picked = [(p['key'], p['unit.']['name']) for p in request['picked_units.']]
    assert sorted(n for k, n in picked if k == 'cosign_units') == [
        '基础教育科', '预算科']
    assert [n for k, n in picked if k == 'recipients'] == ['袁州区教育体育局']
