"""The demo's meeting 全市教育工作会议 in Chromium: the organiser 孙丽's
meeting form (1366×768), its seating chart and the door's QR code; then
宋涛 of 袁州区教育体育局 on his phone (390×844) opens what the code says,
signs in and is welcomed with his seat. Chinese only, no horizontal
scrolling on the phone, no script error."""
import base64
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

    # The code the door shows now, read from its image
    import zxingcpp
    from PIL import Image
    _, html = get_page(server, organiser, 'door/%d' % meeting_id)
    image = re.search(r'data:image/png;base64,([^"]+)', html).group(1)
    decoded, = zxingcpp.read_barcodes(Image.open(io.BytesIO(
                base64.b64decode(image))))
    address = urllib.parse.urlparse(decoded.text)

    name, value = log_in(server, 'songtao').split('=', 1)
    context = browser.new_context(locale='zh-CN', viewport=PHONE)
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
