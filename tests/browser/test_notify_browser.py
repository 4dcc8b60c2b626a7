"""Messages as people meet them in the web client (issue 12): a message
sent by hand (消息 › 发送消息) with SMS arrives in the recipients' bell, the
SMS go out through the local Aliyun service, and the administrator reads
what they cost in 消息 › 管理 › 短信费用与节省 — at 1366 × 768 and 390 × 844.
Screenshots: artefacts/<backend>/screenshots (notify-*)."""
import pytest

from ..fakes.aliyun_sms import FakeAliyunSMS
from ..rpc.rpc import Session
from .test_first_hour_login import assert_chinese_page
from .test_first_hour_request import LAPTOP, PHONE, Person, menu
from .test_sao import PASSWORD
from .test_workflow_e2e import suffix

sync_api = pytest.importorskip('playwright.sync_api')
expect = sync_api.expect


def group_id(session, name):
    row, = session.search_read('res.group', [('name', '=', name)], ['id'])
    return row['id']


@pytest.fixture(scope='module')
def aliyun():
    fake = FakeAliyunSMS(templates={'SMS_MANUAL': '${subject}：${text}'})
    fake.start()
    yield fake
    fake.stop()


def test_message_arrives_and_sms_cost(browser, server, screenshots, aliyun):
    admin = Session(server, 'admin', PASSWORD)
    settings = aliyun.settings()
    # (first in order: the SMS of this test go to this local service)
    admin.model('egov.notify.provider', 'create', [{
                'name': '阿里云短信（本地）', 'kind': 'aliyun', 'sequence': 0,
                'endpoint': settings['endpoint'], 'protocol': 'http',
                'access_key_id': settings['access_key_id'],
                'secret': settings['access_key_secret'],
                'sign_name': settings['sign_name'], 'timeout': 3,
                }])
    # The Aliyun template approved for messages sent by hand
    template, = admin.search_read('egov.notify.template', [
            ('module', '=', 'egov_base'), ('event', '=', 'manual')], ['id'])
    admin.model('egov.notify.template', 'write', [template['id']],
        {'sms_template_code': 'SMS_MANUAL'})
    hujun, zhuting, sender_id = [admin.search_read('res.user', [
                ('login', '=', login)], ['id'])[0]['id']
        for login in ['hujun', 'zhuting', 'liuzhiqiang']]
    # 刘志强 may send group SMS and administers the messages (nobody
    # grants it to himself)
    admin.model('res.user', 'write', [sender_id], {'groups': [
                ('add', [group_id(admin, '短信群发'),
                        group_id(admin, '消息管理员')])]})
    sender = Session(server, 'liuzhiqiang', PASSWORD)
    subject = '关于报送年度工作总结的通知（%s）' % suffix()
    _, result = sender.wizard('egov.notify.compose', {'start': {
                'subject': subject,
                'text': '请于本周五前报送年度工作总结，逾期视为未报。',
                'urgency': 'urgent', 'sms': True, 'email': False,
                'units': [], 'posts': [],
                'users': [hujun, zhuting], 'reply_options': '1=已报送',
                }}, 'send')
    message, = admin.search_read('egov.notify.message', [
            ('subject', '=', subject)],
        ['delivery_count', 'sms_count', 'failed_count'])
    assert message['delivery_count'] == 2
    # Both SMS went through the local Aliyun service, once each
    assert message['sms_count'] == 2, admin.search_read(
        'egov.notify.delivery', [('message', '=', message['id'])],
        ['channel', 'state', 'error'])
    assert not aliyun.duplicates()

    # 胡军 sees it in his bell when he opens the web client
    for size, viewport in [('1366', LAPTOP), ('390', PHONE)]:
        person = Person(browser, server, 'hujun', viewport)
        page = person.page
        if viewport is PHONE:
            page.locator('.navbar-header > .navbar-toggle').first.click()
        badge = page.locator('#user-preferences .notification-badge')
        expect(badge).to_be_visible(timeout=30000)
        notice = page.locator('.notification-menu .notification-item'
            ).filter(has_text=subject).first
        open_bell(page, notice)
        page.wait_for_timeout(300)
        page.screenshot(path=screenshots / ('notify-bell-%s.png' % size))
        assert_chinese_page(page, 'bell')
        assert person.errors == [], person.errors
        page.close()

    # The sender: what he sent, with its counts
    person = Person(browser, server, 'liuzhiqiang', LAPTOP)
    page = person.page
    menu(person, '消息', '我发送的消息')
    row = page.locator('.tab-content tr', has_text=subject).first
    expect(row).to_be_visible(timeout=30000)
    page.screenshot(path=screenshots / 'notify-sent-1366.png')
    assert_chinese_page(page, 'messages sent')
    # As the message administrator: the SMS cost, and the compose form
    menu(person, '管理', '短信费用与节省')
    page.locator('.tab-content table tbody tr').first.wait_for(
        timeout=30000)
    page.wait_for_timeout(500)
    text = page.locator('#tabcontent').inner_text()
    assert '计费条数' in text and '节省（元）' in text, text
    page.screenshot(path=screenshots / 'notify-sms-cost-1366.png')
    assert_chinese_page(page, 'sms cost')
    menu(person, '发送消息')
    page.locator('.modal-dialog input[name="subject"], '
        '.tab-content input[name="subject"]').first.wait_for(timeout=30000)
    page.wait_for_timeout(300)
    page.screenshot(path=screenshots / 'notify-compose-1366.png')
    assert_chinese_page(page, 'compose')
    assert person.errors == [], person.errors
    page.close()


def open_bell(page, notice):
    """Open the person's menu until the notice shows: on a phone the first
    click can land while the navbar is still unfolding and is lost"""
    for attempt in range(3):
        page.locator('#user-preferences > a').click()
        try:
            expect(notice).to_be_visible(timeout=10000)
            return
        except AssertionError:
            page.keyboard.press('Escape')
            page.wait_for_timeout(500)
    expect(notice).to_be_visible(timeout=10000)
