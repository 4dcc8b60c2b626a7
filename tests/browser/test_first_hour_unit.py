"""Refusals that say why, as a county administrator meets them: 许凯 of
樟树市 opens 袁州区's unit in the organisation tree; the form says it belongs
to 袁州区 and is read-only for him, with no 撤销 button; trying to close it
anyway (over RPC, as a crafted request would) is refused because it is not
his county, not because people still work there."""
import pytest

from ..rpc.rpc import RPCError, Session
from .test_first_hour_login import (
    DESKTOP, PHONE, assert_chinese_page, in_view, log_in, open_login)
from .test_sao import expand, open_menu, tree_row

PASSWORD = 'Yichun@2026'
UNIT = '袁州区教育体育局'

sync_api = pytest.importorskip('playwright.sync_api')


@pytest.mark.parametrize('viewport', [DESKTOP, PHONE],
    ids=['1366x768', '390x844'])
def test_other_county_unit_form_says_why(
        browser, server, screenshots, viewport):
    page = open_login(browser, server, viewport)
    log_in(page, 'xukai')
    if not page.locator('#menu').is_visible():
        page.click('.navbar-toggle')
    open_menu(page, '组织机构', '组织机构树')
    tree_row(page, '宜春市').wait_for()
    expand(page, '宜春市')
    tree_row(page, '袁州区').wait_for()
    expand(page, '袁州区')
    tree_row(page, UNIT).wait_for()
    tree_row(page, UNIT).dblclick()
    notice = page.locator('.tab-content .form textarea[name="scope_notice"]')
    notice.wait_for(timeout=30000)
    page.wait_for_timeout(500)
    size = '%dx%d' % (viewport['width'], viewport['height'])
    page.screenshot(path=screenshots / ('first-hour-unit-other-county-%s.png'
            % size))
    text = notice.input_value()
    assert '袁州区' in text and '只能查看' in text, text
    assert in_view(page, notice)
    # Nothing on the form invites a change that would be refused
    assert page.locator(
        '.tab-content .form button:visible', has_text='撤销').count() == 0
    name = page.locator('.tab-content .form input[name="name"]')
    assert name.get_attribute('readonly') is not None or name.is_disabled()
    assert_chinese_page(page, 'unit form')
    assert not page.errors


def test_closing_other_county_unit_refused_in_plain_words(server):
    "The close wizard, driven over RPC: refused as not his county"
    admin = Session(server, 'xukai', PASSWORD)
    unit, = admin.search_read(
        'egov.org.unit', [('name', '=', UNIT)], ['id'])
    with pytest.raises(RPCError) as refused:
        admin.wizard('egov.org.unit.close_wizard', {
                'start': {'date': {'__class__': 'date', 'year': 2026,
                        'month': 12, 'day': 31}, 'reason': '撤并'},
                }, 'close_', active_model='egov.org.unit',
            active_id=unit['id'], active_ids=[unit['id']])
    message = refused.value.message
    assert '不在您管理的范围' in message and '樟树市' in message, message
    assert '在职' not in message and '规则' not in message, message
