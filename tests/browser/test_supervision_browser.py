"""The demo's supervision in Chromium: 赵阳 of the city's supervision
office (督查科) opens 实时监控 and the task 义务教育学校课后服务全覆盖 on a
laptop (1366×768) and on a phone (390×844). Chinese only, nothing wider
than the phone's screen, no script error. And the weekly report (每周进展
报告) the officer and 袁州区's 谢娜 print over RPC: each sees their own."""
import io
import re

import pytest

from ..rpc.rpc import Session
from ..rpc.test_tsa_rpc import binary
from .test_first_hour_request import LAPTOP, PHONE, Person
from .test_sao import PASSWORD, open_menu

sync_api = pytest.importorskip('playwright.sync_api')
expect = sync_api.expect
FORM = '.tab-content .form '
# A Latin word of four letters or more is English left untranslated
LATIN = re.compile(r'[A-Za-z]{4,}')
TASK = '义务教育学校课后服务全覆盖'


def visible_text(page):
    return page.inner_text('.tab-content .tab-pane.active')


def open_board(person):
    page = person.page
    if page.locator('#menu').is_hidden():
        page.click('.navbar-brand[data-toggle="menu"]')
    open_menu(page, '督查督办', '实时监控')
    page.wait_for_selector('#tablist li:has-text("实时监控")',
        state='attached')
    # On a phone the menu covers the screen: a tap on the brand hides it
    if page.locator('#menu').is_visible() and (
            page.viewport_size['width'] < 768):
        page.click('.navbar-brand[data-toggle="menu"]')
    page.wait_for_timeout(1500)
    return page


def open_task(person):
    "The task's form from the list of 督查任务"
    page = person.page
    if page.locator('#menu').is_hidden():
        page.click('.navbar-brand[data-toggle="menu"]')
    open_menu(page, '督查任务')
    page.wait_for_selector('#tablist li:has-text("督查任务")',
        state='attached')
    if page.locator('#menu').is_visible() and (
            page.viewport_size['width'] < 768):
        page.click('.navbar-brand[data-toggle="menu"]')
    # The title's cell: the units' cells are links to the units
    cell = page.locator('.tab-content .treeview td:has-text("%s")'
        % TASK).first
    cell.wait_for(timeout=30000)
    cell.dblclick()
    expect(page.locator(FORM + 'input[name="title"]')).to_have_value(
        TASK, timeout=30000)
    page.wait_for_timeout(1000)
    return page


def weekly_report(server, login, artefacts):
    "The text of the login's weekly report, read by python-docx"
    import docx
    session = Session(server, login, PASSWORD)
    oext, content, _, name = session.call(
        'report.egov.supervision.weekly.report.execute', [], {},
        session.context)
    assert (oext, name) == ('docx', '每周督查工作进展情况')
    content = binary(content)
    (artefacts / ('weekly-%s.docx' % login)).write_bytes(content)
    document = docx.Document(io.BytesIO(content))
    return '\n'.join([p.text for p in document.paragraphs] + [
            c.text for t in document.tables for r in t.rows
            for c in r.cells])


def test_board_and_task_on_laptop_and_phone(browser, server, screenshots,
        artefacts):
    city = weekly_report(server, 'zhaoyang', artefacts)
    county = weekly_report(server, 'xiena', artefacts)
    for text in [city, county]:
        assert '每周督查工作进展情况' in text and TASK in text
        assert '袁州区教育体育局' in text
    # 樟树市's task is the city's to see, never 袁州区's
    assert '樟树市' in city and '樟树市' not in county

    for size, viewport in [('laptop', LAPTOP), ('phone', PHONE)]:
        person = Person(browser, server, 'zhaoyang', viewport)
        # China's time, not headless Chromium's UTC (the deadlines' days)
        assert person.page.evaluate(
            'Intl.DateTimeFormat().resolvedOptions().timeZone'
            ) == 'Asia/Shanghai'
        page = open_board(person)
        page.screenshot(path=screenshots / (
                'supervision-board-%s.png' % size))
        text = visible_text(page)
        assert '实时监控' in page.text_content('#tablist')
        # Counts: whole ticks only, never 0.5 (web/custom.js)
        ticks = [t for t in page.locator(
                '.tab-content .bb-axis-y .tick text').all_text_contents()
            if t.strip()]
        assert ticks and all(t.isdigit() for t in ticks), ticks
        assert not LATIN.search(text), (size, LATIN.findall(text))

        page = open_task(person)
        page.screenshot(path=screenshots / (
                'supervision-task-%s.png' % size))
        text = visible_text(page)
        assert '主办单位' in text and '分管领导' in text, text
        if size == 'laptop':
            # The milestones' third column reads whole, not "已·"
            header = page.locator(FORM + 'th:has-text("已办结")').first
            assert header.evaluate('th => [th, ...th.querySelectorAll("*")]'
                '.every(e => e.scrollWidth <= e.clientWidth + 1)')
        assert not LATIN.search(text), (size, LATIN.findall(text))
        if size == 'phone':
            assert page.evaluate('document.documentElement.scrollWidth'
                ' <= window.innerWidth')
        assert not person.errors, person.errors
        page.close()
