"""A 发文 from 拟稿 to the receiving unit's 办结 in the web client, each step
by its holder in their own browser session, as people of two units do it
(issue 14):

- 宜春市教育局: 胡军 drafts a 通知 with its Word 正文 to 袁州区人民政府办公室
  (抄送 樟树市人民政府办公室) and submits it, then does his 拟稿; 朱婷,
  head of his office, reviews it (核稿); 马帅, head of the bureau, signs it
  (签发); the bureau's 收发员 numbers, seals and dispatches it (编号, 用印,
  分发);
- 袁州区人民政府办公室: its 收发员 谢娜 finds the 收文 in 待签收 with the
  sender's name and number filled in, signs for it and registers it; the
  head of her department proposes (拟办) on the phone's signing page; the
  head of the office instructs (批办), naming the 承办部门 in the 办理
  dialog; that department's head handles it (承办) and 谢娜 concludes it
  (办结);
- back at the sender, 分发情况 shows the receiving unit 已签收.

The holders of the later steps are whoever the demo's organisation gives
them (found from the open to-dos). Screenshots at 1366 × 768 (the phone's
at 390 × 844) land in artefacts/<backend>/screenshots (document-e2e-*)."""
import base64
import io
import re

import pytest

from ..rpc.rpc import Session
from .test_sao import PASSWORD, log_in, open_menu
from .test_workflow_e2e import add_to_list, pick, suffix, type_in
from .test_workflow_pages import draw

sync_api = pytest.importorskip('playwright.sync_api')
expect = sync_api.expect
FORM = '.tab-content .form '
DESKTOP = {'width': 1366, 'height': 768}
PHONE = {'width': 390, 'height': 844}
NUMBER = re.compile(r'.+〔\d{4}〕\d+号')
SENDER = '宜春市教育局'
RECEIVER = '袁州区人民政府办公室'
COPY = '樟树市人民政府办公室'
# The departments whose 收发员 number, dispatch and register 公文
CLERK_POSTS = [
    ('360900', SENDER, '办公室'),
    ('360902', RECEIVER, '文电股'),
    ]
HANDLING = '综合股'
# Their 收发员, preferred where a role's step is offered to several people
CLERKS = {'hujun', 'xiena'}
# Who gives roles to posts (三员分立), and who sets up the numbering rules
# of the city's units (the 文电科 of the city's office)
SECURITY_ADMIN = 'lijing'
DOCUMENT_ADMIN = 'sunli'


@pytest.fixture(scope='module')
def admin(server):
    return Session(server, 'admin', PASSWORD)


def unit_id(admin, division, name, parent=None):
    domain = [('name', '=', name)]
    if parent:
        domain.append(('parent', '=', parent))
    else:
        domain += [('division.code', '=', division), ('kind', '=', 'unit')]
    found, = admin.search_read('egov.org.unit', domain, ['id'])
    return found['id']


@pytest.fixture(scope='module')
def organisation(server, admin):
    """What the flow needs of the demo, made if missing: the clerk role on
    the 收发员 posts of both offices, and a numbering rule of the sender.
    Roles are the security administrator's to give (三员分立); the rule is
    set up by the city's document administrator (the built-in admin
    belongs to no county)."""
    security = Session.with_sms(server, SECURITY_ADMIN, PASSWORD)

    def group(name):
        found, = admin.search_read('res.group', [('name', '=', name)],
            ['id'])
        return found['id']

    def give(post_ids, group_id):
        posts = security.model('egov.org.post', 'read', post_ids,
            ['groups'])
        missing = [p['id'] for p in posts if group_id not in p['groups']]
        if missing:
            security.model('egov.org.post', 'write', missing, {
                    'groups': [['add', [group_id]]]})

    clerk = group('收发员（文书）')
    for division, unit, department in CLERK_POSTS:
        node = unit_id(admin, division, department,
            parent=unit_id(admin, division, unit))
        posts = admin.model('egov.org.post', 'search', [
                ('unit', '=', node), ('name', '=', '收发员')], 0, None, None)
        assert posts, (unit, department)
        give(posts, clerk)
    sender = unit_id(admin, '360900', SENDER)
    if not Session(server, 'hujun', PASSWORD).search_read(
            'egov.document.numbering', [('unit', '=', sender)], ['id']):
        document_admin, = admin.search_read('res.user', [
                ('login', '=', DOCUMENT_ADMIN)], ['post'])
        give([document_admin['post']], group('公文管理员'))
        Session(server, DOCUMENT_ADMIN, PASSWORD).model(
            'egov.document.numbering', 'create', [{
                    'name': '宜春市教育局发文', 'prefix': '宜教字',
                    'mode': 'auto', 'unit': sender}])
    return {'sender': sender, 'receiver': unit_id(admin, '360902', RECEIVER)}


def word_body(text):
    "A .docx 正文 written by python-docx"
    import docx
    document = docx.Document()
    document.add_heading(text, level=1)
    document.add_paragraph('各县（市、区）教育体育局：请按要求做好春季开学各项工作。')
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def desktop(browser, server, login):
    "login's web client at 1366 × 768"
    page = log_in(browser, server, login)
    page.set_viewport_size(DESKTOP)
    return page


def open_tasks(admin, title, step=None):
    "[(task id, login, step)] of the open to-dos of the document title"
    domain = [('title', 'ilike', '%' + title + '%'), ('state', '=', 'open'),
        ('kind', '=', 'todo')]
    if step:
        domain.append(('step', '=', step))
    tasks = admin.search_read('egov.workflow.task', domain,
        ['id', 'step', 'title', 'user.login'])
    return [(t['id'], t['user.']['login'], t['step'], t['title'])
        for t in tasks]


def holder(admin, title, step):
    """(task id, login, task title) of the open to-do of step of the
    document title: a step held by a role is offered to each holder of
    the role (the first to act does it); the 收发员 of the tests then"""
    tasks = open_tasks(admin, title)
    assert tasks and {s for _, _, s, _ in tasks} == {step}, tasks
    tasks.sort(key=lambda t: (t[1] not in CLERKS, t[0]))
    task, login, _, task_title = tasks[0]
    return task, login, task_title


def act(browser, server, admin, title, step, text, screenshots=None,
        name=None, values=None, departments=None, warned=None):
    """The holder of step opens their to-do of title from their list, then
    办理 with the opinion text, filling the step's fields ({label: value})
    and department lists ({label: [(name, unit)]}); return the holder's
    login"""
    task, login, task_title = holder(admin, title, step)
    warned = [] if warned is None else warned
    page = desktop(browser, server, login)
    open_menu(page, '待办事项', '我的待办')
    page.wait_for_selector('#tablist li:has-text("我的待办")')
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('[title="%s"]' % task_title)).first
    row.wait_for(timeout=30000)
    if screenshots:
        page.screenshot(path=screenshots / (
                'document-e2e-%s-inbox.png' % name))
    # A double click on the to-do opens the act dialog
    row.dblclick()
    dialog = page.locator('.modal.in .modal-dialog').last
    dialog.locator('input[name="task"]').wait_for()
    expect(dialog.locator('input[name="task"]')).not_to_have_value('')
    for label, value in (values or {}).items():
        name_ = dialog.locator('label.form-label', has_text=label).first
        type_in(page, dialog.locator(
                '#%s:visible' % name_.get_attribute('for')), value)
    for label, names in (departments or {}).items():
        for name_, unit in names:
            add_department(page, dialog, label, name_, unit)
    if text:
        type_in(page, dialog.locator('textarea[name="text"]'), text)
    if screenshots:
        dialog.locator('.modal-body').evaluate('body => body.scrollTop = 0')
        page.screenshot(path=screenshots / ('document-e2e-%s-act.png'
                % name))
        if departments:
            dialog.locator('.form-many2many').filter(has=page.locator(
                    '.form-many2many-string:has-text("%s")'
                    % next(iter(departments)))).scroll_into_view_if_needed()
            page.screenshot(path=screenshots / (
                    'document-e2e-%s-act-departments.png' % name))
    dialog.locator('.modal-footer button').filter(
        has_text=re.compile(r'^\s*同意\s*$')).click()
    expect(dialog.locator('textarea[name="question"]')).to_have_value(
        re.compile('同意'))
    page.wait_for_timeout(500)
    dialog.locator('.modal-footer button:has-text("确定提交")').click()
    # A refusal is an error dialog; the 签发 warning is a dialog of its own
    # whose text sits in an alert too, so it is told apart by its class
    refused = page.locator('.modal:not(.user-warning-dialog) .modal-dialog '
        '.alert')
    warning = page.locator('.user-warning-dialog .modal-dialog')
    for _ in range(100):
        if warning.count() and not warning.is_visible():
            # Still fading in: its button cannot be clicked yet
            page.wait_for_timeout(100)
            continue
        if warning.count():
            # 签发: the format and proofreading findings of the body, which
            # the signer reads and confirms
            if screenshots:
                page.screenshot(path=screenshots / (
                        'document-e2e-%s-findings.png' % name))
            warned.append(warning.inner_text())
            warning.locator('.modal-footer .btn-primary').click()
            page.wait_for_timeout(300)
            continue
        if refused.count() or not page.locator('.modal.in').count():
            break
        page.wait_for_timeout(300)
    else:
        page.screenshot(path=screenshots / ('document-e2e-%s-failed.png'
                % name))
        raise AssertionError('the act dialog of %s did not close' % step)
    assert not refused.count(), refused.first.inner_text()
    # Done (the next to-do of the same holder may carry the same title)
    done, = admin.model('egov.workflow.task', 'read', [task], ['state'])
    assert done['state'] == 'done', done
    assert not page.errors, page.errors
    page.close()
    return login


def add_department(page, scope, label, name, parent):
    """Add the department name of the unit parent to the list labelled
    label: type the name, click 添加, choose the row of that unit (other
    units have departments of the same name)"""
    widget = scope.locator('.form-many2many').filter(
        has=page.locator('.form-many2many-string:has-text("%s")' % label))
    widget.locator('.input-group input').first.fill(name)
    widget.locator('.input-group-btn button').first.click()
    search = page.locator('.modal-dialog').filter(
        has=page.locator('.modal-title:has-text("搜索")')).last
    row = search.locator('.treeview tr').filter(
        has=page.locator('[title="%s"]' % name)).filter(
        has=page.locator('[title="%s"]' % parent)).first
    row.locator('[title="%s"]' % name).first.dblclick()
    search.wait_for(state='hidden')
    widget.scroll_into_view_if_needed()
    widget.locator('.treeview [title="%s"]' % name).wait_for()


def open_document(page, menu, title, tab=None):
    "Open the form of the document title from the list of menu (its tab)"
    open_menu(page, '公文处理', menu)
    page.wait_for_selector('#tablist li:has-text("%s")' % menu)
    if tab:
        page.locator('.tab-content .nav-tabs a', has_text=tab).first.click()
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('td:has-text("%s")' % title)).first
    row.wait_for(timeout=30000)
    row.dblclick()
    page.wait_for_selector(FORM + 'input[name="title"]')
    expect(page.locator(FORM + 'input[name="title"]')).to_have_value(title)
    return page


def no_horizontal_overflow(page):
    "Nothing of the page is wider than the window"
    return page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth')


def test_outgoing_to_incoming_done(
        browser, server, screenshots, admin, organisation):
    title = '关于做好2027年春季学期开学工作的通知(%s)' % suffix()

    # 1. 拟稿: 胡军 fills the 发文单 with its 正文, then 提交
    page = desktop(browser, server, 'hujun')
    open_menu(page, '公文处理', '发文')
    page.wait_for_selector('#tablist li:has-text("发文")')
    page.click('.tab-content .btn-toolbar button[title*="新建"]')
    page.wait_for_selector(FORM + 'input[name="title"]')
    form = page.locator(FORM)
    type_in(page, page.locator(FORM + 'input[name="title"]'), title)
    add_to_list(page, form, '主送单位', [RECEIVER])
    add_to_list(page, form, '抄送单位', [COPY])
    # 提交 without a 文种: refused in Chinese, the draft kept to complete
    page.click(FORM + 'button:has-text("提交")')
    refusal = page.locator('.modal.in .modal-dialog').filter(
        has_text='请先填写「文种」')
    refusal.wait_for()
    page.screenshot(path=screenshots / 'document-e2e-01-no-kind.png')
    refusal.locator('.modal-footer button').first.click()
    refusal.wait_for(state='hidden')
    pick(form, 'kind', '通知')
    page.set_input_files(FORM + 'input[type=file]', files=[{
                'name': '春季开学工作通知.docx',
                'mimeType': 'application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.document',
                'buffer': word_body(title)}])
    # The 正文's file name shows beside its size
    expect(page.locator(FORM + '.input-group:has(input[name="body"]) '
            'input.form-control:not([name])')).to_have_value('春季开学工作通知.docx')
    page.locator(FORM + 'input[name="title"]').scroll_into_view_if_needed()
    page.screenshot(path=screenshots / 'document-e2e-01-outgoing-draft.png')
    page.click(FORM + 'button:has-text("提交")')
    page.locator(FORM + 'button:has-text("催办")').wait_for()
    assert no_horizontal_overflow(page)
    page.screenshot(
        path=screenshots / 'document-e2e-02-outgoing-submitted.png')
    assert not page.errors, page.errors
    page.close()
    # Read back as the people of each unit (the built-in admin reads no
    # unit's documents)
    drafter = Session(server, 'hujun', PASSWORD)
    receiver = Session(server, 'xiena', PASSWORD)
    outgoing, = drafter.search_read('egov.document.outgoing', [
            ('title', '=', title)],
        ['id', 'unit', 'body_name', 'drafter.login'])
    assert outgoing['unit'] == organisation['sender']
    assert outgoing['body_name'] == '春季开学工作通知.docx'
    assert outgoing['drafter.']['login'] == 'hujun'

    # 2. 拟稿, 核稿, 签发, 编号, 用印, 分发 from each holder's to-do list
    assert act(browser, server, admin, title, 'draft', '请审核。',
        screenshots, '03-draft') == 'hujun'
    assert act(browser, server, admin, title, 'review', '已核，同意。',
        screenshots, '04-review') == 'zhuting'
    warned = []
    assert act(browser, server, admin, title, 'sign', '同意印发。',
        screenshots, '05-sign', warned=warned) == 'mashuai'
    # The body is a short draft: 签发 lists its deviations from GB/T 9704
    assert warned and '不符合公文格式' in warned[0], warned
    clerk = act(browser, server, admin, title, 'number', '已编号。',
        screenshots, '06-number')
    act(browser, server, admin, title, 'seal', '已用印。')
    act(browser, server, admin, title, 'dispatch', '已分发。',
        screenshots, '07-dispatch')
    outgoing, = drafter.search_read('egov.document.outgoing', [
            ('title', '=', title)],
        ['number', 'workflow_state', 'signer.login', 'dispatched_at'])
    assert outgoing['workflow_state'] == 'done'
    assert outgoing['signer.']['login'] == 'mashuai'
    assert outgoing['dispatched_at']
    number = outgoing['number']
    assert NUMBER.fullmatch(number), number

    # The number on the form, as the clerk sees it
    page = desktop(browser, server, clerk)
    open_document(page, '发文', title, '已办结')
    expect(page.locator(FORM + 'input[name="number"]')).to_have_value(number)
    page.screenshot(path=screenshots / 'document-e2e-08-outgoing-done.png')
    page.close()

    # 3. 签收 and 登记 by the receiving unit's 收发员
    page = desktop(browser, server, 'xiena')
    open_menu(page, '公文处理', '待签收')
    page.wait_for_selector('#tablist li:has-text("待签收")')
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('td:has-text("%s")' % title)).first
    row.wait_for(timeout=30000)
    assert SENDER in row.inner_text() and number in row.inner_text()
    page.screenshot(path=screenshots / 'document-e2e-09-to-sign-for.png')
    row.dblclick()
    page.wait_for_selector(FORM + 'input[name="title"]')
    expect(page.locator(FORM + 'input[name="source_name"]')).to_have_value(
        SENDER)
    expect(page.locator(FORM + 'input[name="source_number"]')
        ).to_have_value(number)
    assert page.locator(FORM + 'button:has-text("登记")').is_hidden()
    page.screenshot(path=screenshots / 'document-e2e-10-incoming-pending.png')
    page.click(FORM + 'button:has-text("签收")')
    page.locator(FORM + 'button:has-text("登记")').wait_for()
    page.click(FORM + 'button:has-text("登记")')
    page.locator(FORM + 'button:has-text("催办")').wait_for()
    assert no_horizontal_overflow(page)
    page.screenshot(
        path=screenshots / 'document-e2e-11-incoming-registered.png')
    assert not page.errors, page.errors
    page.close()
    incoming, = receiver.search_read('egov.document.incoming', [
            ('title', '=', title), ('unit', '=', organisation['receiver'])],
        ['id', 'receipt', 'received_by.login', 'registrar.login',
            'body_name', 'workflow_state'])
    assert incoming['receipt'] == 'received'
    assert incoming['received_by.']['login'] == 'xiena'
    assert incoming['registrar.']['login'] == 'xiena'
    assert incoming['body_name'] == '春季开学工作通知.docx'

    act(browser, server, admin, title, 'register', '请拟办。',
        screenshots, '12-register')

    # 4. 拟办 on the phone's signing page, with a handwritten signature
    task, proposer, _ = holder(admin, title, 'propose')
    page = log_in(browser, server, proposer)
    page.set_viewport_size(PHONE)
    response = page.goto('%s/%s/egov/workflow/sign/%d' % (
            server.url, server.database, task))
    assert response.status == 200
    page.wait_for_selector('body[data-ready="1"]', timeout=60000)
    assert title in page.inner_text('#task-title')
    assert page.inner_text('#task-step') == '拟办'
    values = page.inner_text('#record-values')
    assert SENDER in values and number in values, values
    assert page.inner_text('#record-values h3') == '公文内容'
    page.fill('#text', '拟请领导阅示，由综合股牵头落实。')
    draw(page, '#signature')
    assert no_horizontal_overflow(page)
    page.screenshot(path=screenshots / 'document-e2e-13-phone-propose.png',
        full_page=True)
    page.click('label.sign-approve')
    page.click('#submit')
    page.click('#confirm-ok')
    page.wait_for_selector('body[data-submitted="1"]')
    page.screenshot(path=screenshots / 'document-e2e-14-phone-done.png')
    assert not page.errors, page.errors
    page.close()

    # 批办 names the 承办部门, which then handles it; 办结 by 谢娜
    handling = unit_id(admin, None, HANDLING,
        parent=organisation['receiver'])
    act(browser, server, admin, title, 'instruct', '请综合股办理。',
        screenshots, '15-instruct',
        departments={'承办部门': [(HANDLING, RECEIVER)]})
    act(browser, server, admin, title, 'handle', '已落实。',
        screenshots, '16-handle')
    assert act(browser, server, admin, title, 'conclude', '办结。',
        screenshots, '17-conclude') == 'xiena'
    incoming, = receiver.model('egov.document.incoming', 'read',
        [incoming['id']], ['workflow_state', 'handlers', 'workflow'])
    assert incoming['workflow_state'] == 'done'
    assert incoming['handlers'] == [handling]
    steps = {}
    for session, model, record in [
            (drafter, 'egov.document.outgoing', outgoing['id']),
            (receiver, 'egov.document.incoming', incoming['id'])]:
        instance, = session.model(model, 'read', [record], ['workflow'])
        rows = session.search_read('egov.workflow.opinion', [
                ('instance', '=', instance['workflow'])],
            ['step_name', 'user.login', 'decision', 'text',
                'signature_hash'])
        steps[model] = sorted(rows, key=lambda r: r['id'])
    assert [(r['step_name'], r['decision'], r['text'])
        for r in steps['egov.document.outgoing']] == [
        ('拟稿', 'approve', '请审核。'), ('核稿', 'approve', '已核，同意。'),
        ('签发', 'approve', '同意印发。'), ('编号', 'approve', '已编号。'),
        ('用印', 'approve', '已用印。'), ('分发', 'approve', '已分发。')]
    assert [(r['step_name'], r['decision'], r['text'])
        for r in steps['egov.document.incoming']] == [
        ('登记', 'approve', '请拟办。'),
        ('拟办', 'approve', '拟请领导阅示，由综合股牵头落实。'),
        ('批办', 'approve', '请综合股办理。'), ('承办', 'approve', '已落实。'),
        ('办结', 'approve', '办结。')]
    propose, = [r for r in steps['egov.document.incoming']
        if r['step_name'] == '拟办']
    assert propose['user.']['login'] == proposer
    assert propose['signature_hash']

    # 5. The sender follows the dispatch: the receiving unit signed for it
    page = desktop(browser, server, 'hujun')
    open_document(page, '发文', title, '已办结')
    page.click(FORM + '.nav-tabs a:has-text("分发情况")')
    status = page.locator(FORM + 'textarea[name="dispatch_status"]')
    status.wait_for()
    assert re.search(r'%s：已签收（\d{4}-' % RECEIVER, status.input_value())
    assert '%s：待签收' % COPY in status.input_value()
    page.screenshot(path=screenshots / 'document-e2e-18-dispatch-status.png')
    assert not page.errors, page.errors
    page.close()


def test_outgoing_list_on_a_phone(browser, server, screenshots, admin,
        organisation):
    """The 发文 list on a phone's width (390 × 844): sao lays itself out
    again, the titles and the steps readable without sideways scrolling
    of the page"""
    page = log_in(browser, server, 'hujun')
    open_menu(page, '公文处理', '发文')
    page.locator('.tab-content .nav-tabs a', has_text='全部').first.click()
    page.locator('.tab-content .treeview tbody tr td').first.wait_for()
    page.set_viewport_size(PHONE)
    # On a phone the menu takes the screen: a tap on the brand hides it
    if page.locator('#menu').is_visible():
        page.click('.navbar-brand[data-toggle="menu"]')
    page.locator('.tab-content .treeview').first.wait_for()
    page.wait_for_timeout(1000)
    assert no_horizontal_overflow(page)
    page.screenshot(path=screenshots / 'document-e2e-19-phone-list.png')
    assert not page.errors, page.errors
    page.close()


def test_sign_on_the_phone_with_findings(browser, server, screenshots, admin,
        organisation):
    """签发 on the phone's signing page: the 正文's format findings are
    shown before anything is saved; the signer reads them, goes on, and
    the document is signed"""
    title = '关于做好2027年寒假学生安全教育工作的通知(%s)' % suffix()
    drafter = Session(server, 'hujun', PASSWORD)
    kind, = drafter.search_read('egov.document.kind', [
            ('name', '=', '通知')], ['id'])
    document, = drafter.model('egov.document.outgoing', 'create', [{
                'title': title, 'kind': kind['id'],
                'main_recipients': [['add', [organisation['receiver']]]],
                'body': {'__class__': 'bytes', 'base64': base64.b64encode(
                        word_body(title)).decode()},
                'body_name': '寒假安全教育通知.docx'}])
    drafter.model('egov.document.outgoing', 'workflow_start', [document])
    for step in ['draft', 'review']:
        task, login, _ = holder(admin, title, step)
        Session(server, login, PASSWORD).model_confirmed(
            'egov.workflow.task', 'decide', task, 'approve', '同意。', None,
            None)
    task, signer, _ = holder(admin, title, 'sign')
    page = log_in(browser, server, signer)
    page.set_viewport_size(PHONE)
    page.goto('%s/%s/egov/workflow/sign/%d' % (
            server.url, server.database, task))
    page.wait_for_selector('body[data-ready="1"]', timeout=60000)
    assert page.inner_text('#task-step') == '签发'
    page.fill('#text', '同意印发。')
    page.click('label.sign-approve')
    page.click('#submit')
    page.click('#confirm-ok')
    warning = page.locator('dialog#confirm.sign-confirm-warning')
    warning.wait_for(timeout=60000)
    assert '不符合公文格式' in warning.inner_text()
    page.screenshot(path=screenshots / 'document-e2e-20-phone-findings.png')
    assert no_horizontal_overflow(page)
    page.click('#confirm-ok')
    page.wait_for_selector('body[data-submitted="1"]', timeout=60000)
    signed, = drafter.model('egov.document.outgoing', 'read', [document],
        ['signer', 'signed_pdf_name'])
    assert signed['signer'] and signed['signed_pdf_name'], signed
    assert not page.errors, page.errors
    page.close()
