"""扫码收文 on a phone (390×844) in Chromium: 谢娜 picks a photo of the
PDF417 of a province's paper 通知 and the page shows it registered; the
same photo again shows who received it and when. Chinese only, no
horizontal scrolling, no script error or CSP violation."""
import io
import re
import time

import pytest

from ..rpc.test_workflow_routes import log_in

sync_api = pytest.importorskip('playwright.sync_api')
LATIN = re.compile(r'[A-Za-z]{3,}')


def paper_photo(number):
    "A JPEG photo of the PDF417 of a document of another organ"
    import pdf417gen
    from PIL import Image
    payload = ('GB0626-2005^20260000000000000%03d^江西省人民政府办公厅^通知^'
        '%s^各设区市人民政府^关于做好冬季森林防火工作的通知^无^急件^'
        '2026-11-20^60^江西省人民政府办公厅^|' % (number % 1000, '赣府厅字'
            '〔2026〕%d号' % number)).encode('gb18030')
    code = pdf417gen.render_image(pdf417gen.encode(payload, columns=8,
            security_level=4), scale=6, padding=12)
    page = Image.new('L', (1600, 1200), 215)
    page.paste(code.convert('L'), (150, 350))
    out = io.BytesIO()
    page.save(out, format='JPEG', quality=88)
    return out.getvalue()


def test_scan_page_on_the_phone(browser, server, screenshots):
    name, value = log_in(server, 'xiena').split('=', 1)
    context = browser.new_context(locale='zh-CN',
        viewport={'width': 390, 'height': 844})
    context.add_cookies([{'name': name, 'value': value,
                'url': '%s/%s/' % (server.url, server.database)}])
    page = context.new_page()
    errors, violations = [], []
    page.on('pageerror', lambda error: errors.append(str(error)))
    page.on('console', lambda message: violations.append(message.text)
        if 'Content Security Policy' in message.text else None)
    response = page.goto('%s/%s/egov/document/scan' % (
            server.url, server.database))
    assert response.status == 200
    page.wait_for_selector('body[data-ready="1"]')
    assert page.inner_text('h1') == '扫码收文'

    number = int(time.time()) % 100000
    image = paper_photo(number)
    page.set_input_files('#file', files=[{'name': 'photo.jpg',
                'mimeType': 'image/jpeg', 'buffer': image}])
    page.wait_for_selector('body[data-done]', timeout=30000)
    assert page.get_attribute('body', 'data-done') == 'registered'
    assert page.inner_text('#result-title') == '已登记'
    assert page.inner_text('#result-number') == '赣府厅字〔2026〕%d号' % number
    assert page.evaluate(
        'document.documentElement.scrollWidth <= window.innerWidth')
    # (the code's name, PDF417, is what the paper says)
    assert not LATIN.search(page.inner_text('main').replace('PDF417', ''))
    page.screenshot(path=screenshots / 'document-scan-phone.png')

    page.set_input_files('#file', files=[{'name': 'photo.jpg',
                'mimeType': 'image/jpeg', 'buffer': image}])
    page.wait_for_selector('body[data-done="refused"]', timeout=30000)
    assert re.search(r'谢娜于\d{4}-\d{2}-\d{2} \d{2}:\d{2}签收',
        page.inner_text('#notice'))
    assert not errors and not violations, (errors, violations)
    context.close()
