"""The demo's meeting 全市教育工作会议 in Chromium: the organiser 孙丽's
meeting form (1366×768), its seating chart and the door's QR code; she
drags one card onto another on the arrange page (调整座位) and the swap is
saved; on her phone (390×844) she swaps them back with two taps; then
宋涛 of 袁州区教育体育局 on his phone (390×844) opens what the code says,
signs in and is welcomed with his seat; 孙丽 opens the five views of
数据分析 on her laptop and on her phone. Chinese only, no horizontal
scrolling on the phone, no script error."""
import base64
import datetime
import io
import re
import urllib.parse

import pytest

from ..rpc.rpc import Session
from ..rpc.test_meeting_rpc import page as get_page
from ..rpc.test_workflow_routes import log_in
from .test_first_hour_request import LAPTOP, PHONE, Person
from .test_sao import PASSWORD

sync_api = pytest.importorskip('playwright.sync_api')
LATIN = re.compile(r'[A-Za-z]{4,}')
# 会议管理 › 数据分析
STATISTICS = ['各单位办会情况', '各单位参会情况', '个人参会统计',
    '通知阅读率与报名率', '会议室使用情况']


def test_meeting_form_seats_and_phone_sign_in(browser, server,
        screenshots):
    organiser = Session(server, 'sunli', PASSWORD)
    meeting, = organiser.search_read('egov.meeting.meeting',
        [('name', '=', '全市教育工作会议')], ['id'])
    meeting_id = meeting['id']

    person = Person(browser, server, 'sunli', LAPTOP)
    page = person.page
    page.goto('%s/model/egov.meeting.meeting/%d' % (
            server.client_url, meeting_id))
    page.wait_for_function(
        "document.body.innerText.includes('袁州区教育体育局')",
        timeout=60000)
    page.wait_for_timeout(1000)
    page.screenshot(path=screenshots / 'meeting-form.png')
    assert '袁州区教育体育局' in page.inner_text('body')
    # The pages the form's buttons open, with the web client's cookie
    for name, path, words in [
            ('meeting-seats.png', 'seats', ['主席台', '马帅', '刘志强']),
            ('meeting-door.png', 'door', ['每30秒'])]:
        response = page.goto('%s/%s/egov/meeting/%s/%d' % (
                server.url, server.database, path, meeting_id))
        assert response.status == 200
        text = page.inner_text('body')
        for word in words:
            assert word in text, (path, word)
        page.screenshot(path=screenshots / name, full_page=True)
    assert not person.errors, person.errors

    # 调整座位: drag one card onto another, the two swap seats
    def placed():
        return {a['id']: (a['seat_row'], a['seat_number'])
            for a in organiser.search_read('egov.meeting.attendee', [
                    ('meeting', '=', meeting_id),
                    ('seat_row', '!=', None)], ['seat_row', 'seat_number'])}
    before = placed()
    (first, first_seat), (second, second_seat) = sorted(before.items())[:2]

    def card(seat):
        return '.seat[data-row="%d"][data-seat="%d"] .card' % seat
    # The form's button 调整座位 opens the page (a URL action: a new tab)
    page.goto('%s/model/egov.meeting.meeting/%d' % (
            server.client_url, meeting_id))
    button = page.locator('button:has-text("调整座位")')
    button.wait_for(timeout=60000)
    with page.expect_popup() as popup:
        button.click()
    page = popup.value
    page.on('pageerror', lambda error: person.errors.append(str(error)))
    page.wait_for_selector(card(first_seat))
    assert page.url.endswith('/egov/meeting/arrange/%d' % meeting_id)
    assert page.inner_text('h1').startswith('调整座位')
    page.drag_and_drop(card(first_seat), card(second_seat))
    page.wait_for_selector('#status.ok')
    assert '互换座位' in page.inner_text('#status')
    after = placed()
    assert (after[first], after[second]) == (second_seat, first_seat), after
    page.screenshot(path=screenshots / 'meeting-arrange.png')
    # Saved on the server: a reload shows it
    page.reload()
    page.wait_for_selector(card(first_seat))
    assert page.get_attribute(card(first_seat), 'data-id') == str(second)
    assert not LATIN.search(page.inner_text('main')), page.inner_text('main')
    assert not person.errors, person.errors

    # On her phone: tap a card, tap the other, swapped back
    name, value = log_in(server, 'sunli').split('=', 1)
    context = browser.new_context(locale='zh-CN', viewport=PHONE,
        timezone_id='Asia/Shanghai', has_touch=True, is_mobile=True)
    context.add_cookies([{'name': name, 'value': value,
                'url': '%s/%s/' % (server.url, server.database)}])
    phone = context.new_page()
    errors = []
    phone.on('pageerror', lambda error: errors.append(str(error)))
    phone.goto('%s/%s/egov/meeting/arrange/%d' % (
            server.url, server.database, meeting_id))
    phone.wait_for_selector(card(first_seat))
    assert phone.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth')
    phone.screenshot(path=screenshots / 'meeting-arrange-phone.png')
    phone.locator(card(first_seat)).scroll_into_view_if_needed()
    phone.tap(card(first_seat))
    phone.wait_for_selector('#status:has-text("已选中")')
    phone.locator(card(second_seat)).scroll_into_view_if_needed()
    phone.tap(card(second_seat))
    phone.wait_for_selector('#status.ok')
    assert placed() == before
    phone.screenshot(path=screenshots / 'meeting-arrange-phone-done.png')
    assert not errors, errors
    context.close()

    # The code the door shows now, read from its image
    import zxingcpp
    from PIL import Image
    _, html = get_page(server, organiser, 'door/%d' % meeting_id)
    image = re.search(r'data:image/png;base64,([^"]+)', html).group(1)
    decoded, = zxingcpp.read_barcodes(Image.open(io.BytesIO(
                base64.b64decode(image))))
    address = urllib.parse.urlparse(decoded.text)

    name, value = log_in(server, 'songtao').split('=', 1)
    context = browser.new_context(locale='zh-CN', viewport=PHONE,
        timezone_id='Asia/Shanghai')
    context.add_cookies([{'name': name, 'value': value,
                'url': '%s/%s/' % (server.url, server.database)}])
    phone = context.new_page()
    errors = []
    phone.on('pageerror', lambda error: errors.append(str(error)))
    response = phone.goto('%s%s?%s' % (server.url, address.path,
            address.query))
    assert response.status == 200
    assert phone.inner_text('h1') == '会议签到'
    phone.screenshot(path=screenshots / 'meeting-signin-phone.png')
    phone.click('button[type=submit]')
    phone.wait_for_selector('h1:has-text("签到成功")')
    text = phone.inner_text('main')
    assert '宋涛' in text and '座' in text or '主席台' in text, text
    assert not LATIN.search(text), text
    assert phone.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth')
    phone.screenshot(path=screenshots / 'meeting-signed-in-phone.png')
    assert not errors, errors
    context.close()

    # 数据分析: the organiser's five views, each a list that fits the
    # laptop's width; 各单位参会情况 also as a chart; then on her phone
    person = Person(browser, server, 'sunli', LAPTOP)
    page = person.page
    for number, view in enumerate(STATISTICS):
        path = ['会议管理', '数据分析'] if not number else []
        for name in path + [view]:
            entry = page.locator('#menu .column-char[title="%s"]' % name)
            entry.wait_for(timeout=30000)
            entry.click()
        page.wait_for_selector('#tablist li:has-text("%s")' % view)
        tab = page.locator('.tab-content .tab-pane.active')
        tab.locator('.treeview table').first.wait_for()
        # The year's meetings by default: the demo's is tomorrow's
        if view == '各单位参会情况' and datetime.date.today() != (
                datetime.date(datetime.date.today().year, 12, 31)):
            tab.locator('.treeview tr').filter(
                has_text='袁州区教育体育局').first.wait_for(timeout=30000)
        page.wait_for_timeout(500)
        page.screenshot(path=screenshots / (
                'meeting-statistics-%d.png' % (number + 1)))
        assert tab.locator('.treeview').first.evaluate(
            'e => e.scrollWidth <= e.clientWidth + 1'), view
        text = tab.inner_text()
        assert not LATIN.search(text), (view, LATIN.findall(text))
        if view == '各单位参会情况':
            page.click('.tab-content .tab-pane.active .btn-toolbar '
                'button[title*="切换"]')
            tab.locator('svg').first.wait_for()
            page.wait_for_timeout(1000)
            page.screenshot(path=screenshots / 'meeting-statistics-chart.png')
    assert not person.errors, person.errors

    # The same five on her phone: sao shows each row as a card; nothing
    # wider than the screen
    person = Person(browser, server, 'sunli', PHONE)
    page = person.page
    for number, view in enumerate(STATISTICS):
        if number:
            # The menu folds away once a view is open
            page.click('a.navbar-brand[data-toggle="menu"]')
        for name in (['会议管理', '数据分析'] if not number else []) + [view]:
            entry = page.locator('#menu .column-char[title="%s"]' % name)
            entry.wait_for(timeout=30000)
            entry.click()
        page.wait_for_selector('#tablist li:has-text("%s")' % view,
            state='attached')
        tab = page.locator('.tab-content .tab-pane.active')
        tab.locator('.treeview table').first.wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=screenshots / (
                'meeting-statistics-phone-%d.png' % (number + 1)))
        assert page.evaluate(
            'document.documentElement.scrollWidth <= window.innerWidth'), view
        assert not LATIN.search(tab.inner_text()), view
    assert not person.errors, person.errors
