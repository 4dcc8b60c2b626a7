"""The workflow pages in Chromium, opened by address after logging in to the
web client (its session cookie applies): the process designer saves a
change and shows the server's refusal, the form designer and its preview,
the monitoring diagram, and signing a to-do on a phone with a handwritten
signature. Screenshots land in artefacts/<backend>/screenshots."""
import base64
import re

import pytest

from ..rpc.rpc import Session
from ..rpc.test_workflow_routes import start_leave
from .test_sao import PASSWORD, log_in, open_login_dialog

sync_api = pytest.importorskip('playwright.sync_api')
# Latin words in what a Chinese user reads (the diagram's own texts, ids
# and the "bpmn.io" logo left aside)
LATIN = re.compile(r'[A-Za-z]{3,}')


def log_in_admin(browser, server):
    """Log in to the web client as admin, as log_in does; its first login
    opens the module configuration wizard instead of a menu"""
    page = browser.new_page(
        locale='zh-CN', viewport={'width': 1400, 'height': 900})
    page.errors = []
    page.on('pageerror', lambda error: page.errors.append(str(error)))
    open_login_dialog(page, server.client_url)
    page.fill('.login-dialog input#login', 'admin')
    page.click('.login-dialog button[type=submit]')
    page.wait_for_selector('.ask-dialog input#ask-dialog-entry')
    page.fill('.ask-dialog input#ask-dialog-entry', PASSWORD)
    page.click('.ask-dialog button.btn-primary')
    page.wait_for_selector(
        '#menu .column-char, #tablist li[role=presentation]', timeout=60000)
    return page


def page_url(server, page, record):
    return '%s/%s/egov/workflow/%s/%d' % (
        server.url, server.database, page, record)


def open_page(page, server, name, record):
    "Open one of the workflow pages in the logged-in browser"
    violations = []
    page.on('console', lambda message: violations.append(message.text)
        if 'Content Security Policy' in message.text else None)
    response = page.goto(page_url(server, name, record))
    assert response.status == 200
    assert response.headers['x-frame-options'] == 'DENY'
    page.wait_for_selector('body[data-ready="1"]', timeout=60000)
    page.csp_violations = violations
    return page


def missing_translations(page):
    return page.evaluate(
        'Array.from(window.egovMissingTranslations || [])')


def notice(page):
    return page.inner_text('#notice').replace('×', '').strip()


@pytest.fixture(scope='module')
def admin(server):
    return Session(server, 'admin', PASSWORD)


@pytest.fixture(scope='module')
def draft(admin):
    "A new draft version of the leave process, to change in the designer"
    active, = admin.search_read('egov.workflow.process', [
            ('code', '=', 'leave'), ('state', '=', 'active')], ['id'])
    before = {p['id'] for p in admin.search_read('egov.workflow.process', [
                ('code', '=', 'leave'), ('active', 'in', [True, False])],
            ['id'])}
    admin.model('egov.workflow.process', 'new_version', [active['id']])
    draft, = admin.search_read('egov.workflow.process', [
            ('code', '=', 'leave'), ('state', '=', 'draft'),
            ('id', 'not in', list(before))], ['id'])
    return {'active': active['id'], 'draft': draft['id']}


def bpmn_of(admin, process_id):
    process, = admin.model('egov.workflow.process', 'read', [process_id],
        ['bpmn'])
    return process['bpmn']


def test_process_designer(browser, server, screenshots, admin, draft):
    page = log_in_admin(browser, server)
    open_page(page, server, 'designer', draft['draft'])
    assert '流程设计器' in page.inner_text('.egov-bar')
    assert '草稿' in page.inner_text('#state')
    # Palette in Chinese, with the platform's user task
    palette = page.locator('.djs-palette .entry')
    titles = [palette.nth(i).get_attribute('aria-label')
        or palette.nth(i).get_attribute('title')
        for i in range(palette.count())]
    assert '办理环节（用户任务）' in titles
    assert not [t for t in titles if t and LATIN.search(t)], titles

    # A step: its name, rule and deadline in the properties panel
    page.click('g[data-element-id="head"]')
    panel = page.locator('#properties')
    panel.locator('select[name="assignee-kind"]').wait_for()
    assert panel.locator('select[name="assignee-kind"]').input_value() == (
        'head:initiator')
    pad = page.locator('.djs-context-pad .entry')
    pad_titles = [pad.nth(i).get_attribute('title')
        for i in range(pad.count())]
    assert '追加办理环节' in pad_titles
    assert not [t for t in pad_titles if t and LATIN.search(t)], pad_titles
    page.click('.djs-context-pad [data-action="replace"]')
    page.wait_for_selector('.djs-popup')
    popup = page.inner_text('.djs-popup')
    assert '更改类型' in popup and '任务' in popup
    assert not LATIN.search(popup), popup
    page.keyboard.press('Escape')
    page.screenshot(path=screenshots / 'workflow-01-designer-replace.png')

    page.fill('#properties input[name="name"]', '科室负责人审批')
    page.press('#properties input[name="name"]', 'Tab')
    page.fill('#properties input[name="deadline"]', '3')
    page.press('#properties input[name="deadline"]', 'Tab')
    page.select_option('#properties select[name="field-reason"]', 'read')
    page.wait_for_timeout(200)
    assert page.is_visible('#dirty')
    page.click('#save')
    page.wait_for_selector('.egov-notice-success')
    assert notice(page) == '已保存。'
    assert not page.is_visible('#dirty')
    bpmn = bpmn_of(admin, draft['draft'])
    assert 'name="科室负责人审批"' in bpmn
    assert 'egov:deadline="3"' in bpmn
    assert 'egov:fields="reason:read"' in bpmn
    # The platform's attributes of the other steps are kept
    assert 'egov:assignee="leader:initiator"' in bpmn
    assert 'egov:assignee="head:initiator"' in bpmn
    assert 'days &gt; 3' in bpmn

    # A flow's condition
    page.click('g[data-element-id="f4_label"]')
    condition = page.locator('#properties textarea[name="condition"]')
    condition.wait_for()
    assert condition.input_value() == 'days > 3'

    # A step without a rule: the server refuses, the page says why
    page.click('g[data-element-id="leader"]')
    page.select_option('#properties select[name="assignee-kind"]', '')
    page.click('#save')
    page.wait_for_selector('.egov-notice-error')
    message = notice(page)
    assert message.startswith('流程图未保存')
    assert '办理人规则' in message and 'leader' in message
    # The refused step is shown
    assert 'egov-refused' in page.get_attribute(
        'g.djs-element[data-element-id="leader"]', 'class')
    page.screenshot(path=screenshots / 'workflow-02-designer-refused.png')
    assert 'egov:assignee="leader:initiator"' in bpmn_of(
        admin, draft['draft'])
    page.select_option('#properties select[name="assignee-kind"]',
        'leader:initiator')
    page.click('#save')
    page.wait_for_selector('.egov-notice-success')
    page.click('g[data-element-id="head"]')
    page.wait_for_timeout(300)
    page.screenshot(path=screenshots / 'workflow-03-designer.png')
    assert missing_translations(page) == []

    # Someone else saves the diagram meanwhile: not overwritten
    admin.model('egov.workflow.process', 'write', [draft['draft']], {
            'bpmn': bpmn_of(admin, draft['draft']).replace(
                'name="填写请假单"', 'name="填写申请"')})
    page.fill('#properties input[name="name"]', '部门负责人审批')
    page.press('#properties input[name="name"]', 'Tab')
    page.click('#save')
    page.wait_for_selector('.egov-notice-error')
    assert '其他人' in notice(page)
    bpmn = bpmn_of(admin, draft['draft'])
    assert 'name="填写申请"' in bpmn and 'name="科室负责人审批"' in bpmn

    # The active version: read-only, with the notice
    open_page(page, server, 'designer', draft['active'])
    assert '已启用的版本不能修改，请新建版本' in notice(page)
    assert not page.is_visible('#save')
    assert page.locator('.djs-palette').count() == 0
    page.click('g[data-element-id="head"]')
    assert page.locator(
        '#properties select[name="assignee-kind"]').is_disabled()
    page.screenshot(path=screenshots / 'workflow-04-designer-readonly.png')
    assert not page.csp_violations
    assert not page.errors


def test_form_designer(browser, server, screenshots, admin):
    form, = admin.search_read('egov.workflow.form', [
            ('code', '=', 'leave')], ['id', 'schema'], limit=1)
    page = log_in_admin(browser, server)
    open_page(page, server, 'form-designer', form['id'])
    palette = page.inner_text('.fjs-palette')
    for name in [
            '组件', '单行文本', '多行文本', '数字', '日期', '下拉选择',
            '分组']:
        assert name in palette
    assert not LATIN.search(palette), palette
    # The number of days: its label, then a key the server refuses
    page.locator('.fjs-editor-container .fjs-form-field',
        has_text='请假天数').first.click(position={'x': 5, 'y': 5})
    properties = page.locator('.fjs-properties-panel')
    general = properties.locator('.bio-properties-panel-group-header',
        has_text='常规').first
    if 'open' not in (general.get_attribute('class') or ''):
        general.click()
    page.wait_for_selector('#bio-properties-panel-key')
    # The label is a small code editor (it takes expressions)
    page.click('#bio-properties-panel-label')
    page.keyboard.press('Control+A')
    page.keyboard.type('请假天数（天）')
    page.keyboard.press('Tab')
    page.wait_for_timeout(500)
    page.click('#save')
    page.wait_for_selector('.egov-notice-success')
    form_now, = admin.model('egov.workflow.form', 'read', [form['id']],
        ['schema', 'fields_'])
    assert '请假天数（天）' in form_now['schema']
    fields = admin.model('egov.workflow.form.field', 'read',
        form_now['fields_'], ['name', 'string'])
    assert {'days': '请假天数（天）'}.items() <= {
        f['name']: f['string'] for f in fields}.items()
    page.screenshot(path=screenshots / 'workflow-05-form-designer.png')
    panel_text = properties.inner_text()
    assert not [w for w in LATIN.findall(panel_text)
        if w not in {'days'}], panel_text

    page.fill('#bio-properties-panel-key', 'leave.days')
    page.press('#bio-properties-panel-key', 'Tab')
    page.wait_for_timeout(500)
    page.click('#save')
    page.wait_for_selector('.egov-notice-error')
    assert notice(page).startswith('表单未保存')
    assert 'leave.days' in notice(page)
    page.screenshot(path=screenshots / 'workflow-06-form-refused.png')
    form_now, = admin.model('egov.workflow.form', 'read', [form['id']],
        ['schema'])
    assert 'leave.days' not in form_now['schema']

    page.click('#tab-preview')
    page.wait_for_selector('#preview-form .fjs-form')
    preview = page.inner_text('#preview')
    assert '请假类型' in preview and '请假事由' in preview
    page.screenshot(path=screenshots / 'workflow-07-form-preview.png')
    assert not page.csp_violations
    assert not page.errors


def test_monitor(browser, server, screenshots):
    instance, task = start_leave(server, 'hujun', '胡军请假(监控)', 'zhuting')
    page = log_in(browser, server, 'hujun')
    open_page(page, server, 'monitor', instance)
    assert '办理中' in page.inner_text('#state')
    for step, state in [('apply', 'done'), ('head', 'active'),
            ('leader', 'waiting')]:
        classes = page.get_attribute(
            'g.djs-element[data-element-id="%s"]' % step, 'class')
        assert 'egov-' + state in classes, (step, classes)
    overlays = page.inner_text('.djs-overlay-container')
    assert '办理人：朱婷' in overlays
    assert '已办：胡军' in overlays
    opinions = page.inner_text('#opinions')
    assert '填写请假单' in opinions and '请批准' in opinions
    # The policy holds in the browser: an inline script does not run
    assert page.evaluate('''() => {
        const script = document.createElement('script');
        script.textContent = 'window.egovInline = true;';
        document.head.appendChild(script);
        return window.egovInline === undefined;
    }''')
    page.wait_for_timeout(200)
    assert [v for v in page.csp_violations if 'inline script' in v]
    page.csp_violations.clear()
    page.screenshot(path=screenshots / 'workflow-08-monitor.png')
    assert not page.csp_violations
    assert not page.errors


def draw(page, selector):
    "Sign with the mouse: a few strokes across the pad"
    pad = page.locator(selector)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    for row in (0.35, 0.65):
        page.mouse.move(box['x'] + box['width'] * 0.1,
            box['y'] + box['height'] * row)
        page.mouse.down()
        for i in range(1, 25):
            page.mouse.move(box['x'] + box['width'] * (0.1 + i * 0.03),
                box['y'] + box['height'] * (row + (0.1 if i % 2 else -0.1)))
        page.mouse.up()


def test_inbox_on_the_phone(browser, server, screenshots):
    """朱婷's to-dos on the phone: counts, newest first, the light of a
    late one; a tap opens the signing page, and after signing the next"""
    titles = ['胡军请假(列表一)', '胡军请假(列表二)']
    tasks = [start_leave(server, 'hujun', title, 'zhuting')[1]
        for title in titles]
    page = log_in(browser, server, 'zhuting')
    page.set_viewport_size({'width': 390, 'height': 844})
    response = page.goto('%s/%s/egov/workflow/inbox' % (
            server.url, server.database))
    assert response.status == 200
    page.wait_for_selector('body[data-ready="1"]', timeout=60000)
    zhuting = Session(server, 'zhuting', PASSWORD)
    open_count = zhuting.model('egov.workflow.task', 'search_count', [
            ('user', '=', zhuting.user_id), ('state', '=', 'open'),
            ('kind', '=', 'todo')])
    assert page.inner_text('#count-todo') == str(open_count)
    items = page.locator('.inbox-item .inbox-title').all_inner_texts()
    assert items[:2] == titles[::-1]
    assert '部门负责人审批' in page.inner_text('.inbox-item >> nth=0')
    assert '来自 胡军' in page.inner_text('.inbox-item >> nth=0')
    assert page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth')
    assert not LATIN.search(page.inner_text('body'))
    page.screenshot(path=screenshots / 'workflow-12-phone-inbox.png')

    page.click('#tab-cc')
    page.wait_for_selector('body[data-ready="1"]')
    assert page.get_attribute('#tab-cc', 'aria-selected') == 'true'
    page.click('#tab-todo')
    page.wait_for_selector('body[data-ready="1"]')

    page.click('.inbox-item a >> nth=0')
    page.wait_for_selector('body[data-ready="1"]', timeout=60000)
    assert page.url.endswith('/egov/workflow/sign/%d' % tasks[1])
    assert page.inner_text('#task-title') == titles[1]
    # 同意 tapped, then confirmed (nothing is chosen beforehand)
    page.click('label.sign-approve')
    page.click('#submit')
    page.click('#confirm-ok')
    page.wait_for_selector('body[data-submitted="1"]')
    page.click('#notice a')
    page.wait_for_selector('body[data-ready="1"]', timeout=60000)
    items = page.locator('.inbox-item .inbox-title').all_inner_texts()
    assert titles[1] not in items and titles[0] in items
    assert page.inner_text('#count-todo') == str(open_count - 1)
    assert not page.errors


def test_sign_on_the_phone(browser, server, screenshots):
    instance, task = start_leave(
        server, 'hujun', '胡军请假(手机签批)', 'zhuting')
    zhuting = Session(server, 'zhuting', PASSWORD)
    zhuting.model('egov.workflow.phrase', 'create', [
            {'text': '同意。'}, {'text': '请安排好工作交接。'}])
    page = log_in(browser, server, 'zhuting')
    page.set_viewport_size({'width': 390, 'height': 844})
    open_page(page, server, 'sign', task)
    # The same to-do open on the computer too, to act on it once done
    other = log_in(browser, server, 'zhuting')
    open_page(other, server, 'sign', task)

    assert page.inner_text('#task-title') == '胡军请假(手机签批)'
    assert page.inner_text('#task-step') == '部门负责人审批'
    assert '请假类型' in page.inner_text('#record-values')
    assert page.inner_text('#record-values h3') == '申请内容'
    page.select_option('#phrase', '同意。')
    page.select_option('#phrase', '请安排好工作交接。')
    assert page.input_value('#text') == '同意。\n请安排好工作交接。'
    draw(page, '#signature')
    assert not page.evaluate('window.egovSignaturePad.isEmpty()')
    page.click('#clear')
    assert page.evaluate('window.egovSignaturePad.isEmpty()')
    draw(page, '#signature')
    # Nothing wider than the phone
    assert page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth')
    page.screenshot(path=screenshots / 'workflow-09-sign.png',
        full_page=True)
    page.click('label.sign-approve')
    page.click('#submit')
    page.click('#confirm-ok')
    page.wait_for_selector('body[data-submitted="1"]')
    assert notice(page) == '已提交：同意。 办理下一件'
    page.screenshot(path=screenshots / 'workflow-10-sign-done.png')

    opinion, = Session(server, 'hujun', PASSWORD).search_read(
        'egov.workflow.opinion', [
            ('instance', '=', instance), ('step_name', '=', '部门负责人审批')],
        ['text', 'decision', 'signature', 'signature_hash'])
    assert opinion['decision'] == 'approve'
    assert opinion['text'] == '同意。\n请安排好工作交接。'
    assert opinion['signature_hash']
    assert base64.b64decode(opinion['signature']['base64']).startswith(
        b'\x89PNG')

    # The other window: the server's refusal, as it says it
    other.click('input[value="reject"]')
    other.fill('#text', '不同意')
    other.click('#submit')
    other.click('#confirm-ok')
    other.wait_for_selector('.egov-notice-error')
    message = notice(other)
    assert message.startswith('未能提交')
    assert '已办理' in message
    # (no wait_for_function: the page's policy refuses eval, rightly)
    other.locator('#task-state', has_text='已办理').wait_for()
    assert other.locator('#submit').is_disabled()
    other.screenshot(path=screenshots / 'workflow-11-sign-refused.png')

    # Opened again: nothing to do
    open_page(page, server, 'sign', task)
    assert '已不需要办理' in notice(page)
    assert page.locator('#submit').is_disabled()
    assert not page.csp_violations
    assert not page.errors
