"""The screens of the 公文 formats (issue 15) in Chromium, at 1366 × 768 and
390 × 844: the 发文's 版式 (layout and the signed PDF), 正文版本 and 条码
tabs, the 格式检查 wizard, the comparison of two versions, the 收文's
时间戳 and 正文版本 tabs, and the 扫码收文 page. A 发文 of the demo with a
body of a table and bold runs is signed and dispatched through the
server; each screen is kept in artefacts/<backend>/screenshots
(document-formats-*), nothing wider than the window."""
import base64
import io
import re

import pytest

from ..rpc.rpc import Session
from .test_document_e2e import (
    DESKTOP, FORM, PHONE, admin, holder, no_horizontal_overflow,  # noqa
    organisation)  # noqa: F401
from .test_sao import PASSWORD, log_in
from .test_workflow_e2e import suffix

sync_api = pytest.importorskip('playwright.sync_api')
expect = sync_api.expect
DIALOG = '.modal.in .modal-dialog'


def body(title, bold=True):
    "A Word 正文 with a bold heading, a bold run and a table"
    import docx
    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph().add_run('一、工作目标').bold = bold
    paragraph = document.add_paragraph('各单位要')
    paragraph.add_run('高度重视').bold = bold
    paragraph.add_run('，认真组织，确保各项措施落到实处。')
    table = document.add_table(rows=3, cols=3)
    for row, texts in zip(table.rows, [['学校', '自查项目', '整改时限'],
                ['宜春市第一中学', '消防通道', '3月31日'],
                ['宜春市实验小学', '食堂卫生', '4月15日']]):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def binary(data):
    return {'__class__': 'bytes', 'base64': base64.b64encode(data).decode()}


def signed_and_dispatched(server, admin, organisation, title):
    """(发文 id, 收文 id): 胡军's 发文 with two versions of its body, signed
    (its findings confirmed), numbered, sealed and dispatched; the
    receiving unit's 收发员 谢娜 signs for it"""
    drafter = Session(server, 'hujun', PASSWORD)
    kind, = drafter.search_read('egov.document.kind', [
            ('name', '=', '通知')], ['id'])
    document, = drafter.model('egov.document.outgoing', 'create', [{
                'title': title, 'kind': kind['id'],
                'main_recipients': [['add', [organisation['receiver']]]],
                'body': binary(body(title, bold=False)),
                'body_name': '安全检查通知.docx'}])
    drafter.model('egov.document.outgoing', 'write', [document], {
            'body': binary(body(title)), 'body_name': '安全检查通知.docx'})
    drafter.model('egov.document.outgoing', 'workflow_start', [document])
    for step in ['draft', 'review', 'sign', 'number', 'seal', 'dispatch']:
        task, login, _ = holder(admin, title, step)
        Session(server, login, PASSWORD).model_confirmed(
            'egov.workflow.task', 'decide', task, 'approve', '同意。', None,
            None)
    receiver = Session(server, 'xiena', PASSWORD)
    incoming, = receiver.search_read('egov.document.incoming', [
            ('title', '=', title), ('unit', '=', organisation['receiver'])],
        ['id'])
    receiver.model('egov.document.incoming', 'sign_for', [incoming['id']])
    return document, incoming['id']


def open_form(page, menu, title, tab):
    "The form of the document title from the list menu (its tab)"
    page.locator('#menu .column-char[title="公文处理"]').click()
    page.locator('#menu .column-char[title="%s"]' % menu).click()
    page.wait_for_selector('#tablist li:has-text("%s")' % menu)
    page.locator('.tab-content .nav-tabs a', has_text=tab).first.click()
    row = page.locator('.tab-content .treeview tr').filter(
        has=page.locator('td:has-text("%s")' % title)).first
    row.wait_for(timeout=30000)
    page.wait_for_timeout(500)
    row.dblclick()
    page.wait_for_selector(FORM + 'input[name="title"]')
    expect(page.locator(FORM + 'input[name="title"]')).to_have_value(title)


def form_tab(page, name):
    "Show the page name of the form's notebook"
    tab = page.locator(FORM + '.nav-tabs a', has_text=name).first
    tab.wait_for(state='attached')
    if tab.is_visible():
        tab.scroll_into_view_if_needed()
        tab.click()
    else:
        tab.evaluate('tab => tab.click()')
    page.wait_for_timeout(300)
    page.locator(FORM + '.tab-pane.active').first.scroll_into_view_if_needed()


def phone_tabs(page):
    "On the phone sao shows the menu or the tabs: the tabs"
    page.wait_for_timeout(300)
    if page.locator('#menu').is_visible():
        page.click('a.navbar-brand[data-toggle="menu"]')
    page.locator(FORM + 'input[name="title"]').wait_for()


def shoot(page, screenshots, name):
    page.screenshot(path=screenshots / ('document-formats-%s.png' % name))
    assert no_horizontal_overflow(page), name


def close_dialog(page):
    dialog = page.locator(DIALOG).last
    dialog.locator('.modal-footer button').filter(
        has_text=re.compile(r'关闭|取消')).first.click()
    dialog.wait_for(state='hidden')


def test_format_screens(browser, server, screenshots, admin, organisation):
    title = '关于开展校园安全专项检查的通知(%s)' % suffix()
    document, incoming = signed_and_dispatched(
        server, admin, organisation, title)
    drafter = Session(server, 'hujun', PASSWORD)
    signed, = drafter.model('egov.document.outgoing', 'read', [document],
        ['signed_pdf_state', 'signed_pdf_name'])
    # No worker on the test server: the PDF was made after the request
    assert signed['signed_pdf_state'] == 'done', signed

    page = log_in(browser, server, 'hujun')
    for size, viewport in [('desktop', DESKTOP), ('phone', PHONE)]:
        page.set_viewport_size(viewport)
        if size == 'desktop':
            open_form(page, '发文', title, '已办结')
        else:
            phone_tabs(page)
        for tab, name in [('版式', 'layout'), ('正文版本', 'versions'),
                ('条码', 'barcodes')]:
            form_tab(page, tab)
            shoot(page, screenshots, '%s-outgoing-%s' % (size, name))
        form_tab(page, '版式')
        expect(page.locator(FORM + 'select[name="signed_pdf_state"], '
                + FORM + 'input[name="signed_pdf_state"]').first
            ).to_be_visible()
        page.locator(FORM + 'button:has-text("格式检查")').first.click()
        dialog = page.locator(DIALOG).last
        dialog.locator('textarea').first.wait_for()
        shoot(page, screenshots, '%s-format-check' % size)
        close_dialog(page)
        form_tab(page, '正文版本')
        page.locator(FORM + 'button:has-text("比较版本")').first.click()
        dialog = page.locator(DIALOG).last
        dialog.wait_for()
        page.wait_for_timeout(500)
        shoot(page, screenshots, '%s-compare-start' % size)
        dialog.locator('.modal-footer .btn-primary').first.click()
        page.wait_for_timeout(1500)
        shoot(page, screenshots, '%s-compare-result' % size)
        close_dialog(page)
    assert not page.errors, page.errors
    page.close()

    page = log_in(browser, server, 'xiena')
    for size, viewport in [('desktop', DESKTOP), ('phone', PHONE)]:
        page.set_viewport_size(viewport)
        if size == 'desktop':
            open_form(page, '收文', title, '全部')
        else:
            phone_tabs(page)
        for tab, name in [('时间戳', 'timestamps'), ('正文版本', 'versions')]:
            form_tab(page, tab)
            if name == 'timestamps':
                # The demo's own authority stamped the 正文 on arrival
                page.locator(FORM + '.tab-pane.active td').filter(
                    has_text='已盖戳').first.wait_for()
            shoot(page, screenshots, '%s-incoming-%s' % (size, name))
    for size, viewport in [('desktop', DESKTOP), ('phone', PHONE)]:
        page.set_viewport_size(viewport)
        page.goto('%s/%s/egov/document/scan' % (server.url, server.database))
        page.wait_for_selector('body[data-ready="1"]')
        shoot(page, screenshots, '%s-scan' % size)
    assert not page.errors, page.errors
    page.close()
