"""扫码收文 and the verification link over HTTP, on the demo: the city
office's 通知 (dispatched to 袁州区 and 樟树市) is received by scanning —
谢娜 sends a photo of its PDF417, 韩梅 the link of its QR code — each unit
sees only its own 收文; the sender's clerk, whose unit is no recipient, is
refused by name; a second scan says who signed for it and when. Anyone
with the paper opens its verification page without logging in."""
import base64
import io
import re

import pytest

from .rpc import RPCError, Session
from .test_workflow_routes import http, log_in

PASSWORD = 'Yichun@2026'
NOTICE = '关于做好2027年元旦春节期间安全生产工作的通知'


def binary(data):
    return {'__class__': 'bytes',
        'base64': base64.b64encode(data).decode()}


def png_bytes(value):
    return base64.b64decode(value['base64'])


@pytest.fixture(scope='module')
def people(server):
    return {login: Session(server, login, PASSWORD)
        for login in ['xiena', 'hanmei', 'sunli']}


@pytest.fixture(scope='module')
def notice(people):
    "The city office's 通知 as its clerk 孙丽 reads it"
    found, = people['sunli'].search_read('egov.document.outgoing',
        [('title', '=', NOTICE)], ['number', 'verify_url', 'barcode_pdf417',
            'body_digest', 'verify_token'])
    return found


def photo(png):
    "The code as a phone sends it: a JPEG, bigger, on a grey page"
    from PIL import Image
    code = Image.open(io.BytesIO(png)).convert('L')
    code = code.resize((code.width * 2, code.height * 2))
    page = Image.new('L', (1600, 1200), 210)
    page.paste(code, (200, 300))
    out = io.BytesIO()
    page.save(out, format='JPEG', quality=88)
    return out.getvalue()


def test_scan_receives_in_each_unit(people, notice):
    xiena, hanmei, sunli = people['xiena'], people['hanmei'], people['sunli']
    image = photo(png_bytes(notice['barcode_pdf417']))
    answer = xiena.model('egov.document.scan', 'receive_image',
        binary(image))
    assert answer['action'] == 'signed'
    assert notice['number'] in answer['message']
    mine, = xiena.search_read('egov.document.incoming',
        [('id', '=', answer['id'])],
        ['receipt', 'received_by', 'workflow_state', 'unit.name'])
    assert (mine['receipt'], mine['received_by'], mine['workflow_state'],
        mine['unit.']['name']) == ('received', xiena.user_id, 'running',
        '袁州区人民政府办公室')
    # 樟树市 does not see 袁州区's 收文, and receives its own by the link
    assert hanmei.model('egov.document.incoming', 'search',
        [('id', '=', answer['id'])], 0, None, None) == []
    theirs = hanmei.model('egov.document.scan', 'receive_text',
        notice['verify_url'])
    assert theirs['action'] == 'signed' and theirs['id'] != answer['id']
    assert xiena.model('egov.document.incoming', 'search',
        [('id', '=', theirs['id'])], 0, None, None) == []

    # The sender's unit is no recipient: refused by name, nothing saved
    with pytest.raises(RPCError) as refusal:
        sunli.model('egov.document.scan', 'receive_image', binary(image))
    assert refusal.value.kind == 'UserError'
    assert '宜春市人民政府办公室不是' in refusal.value.message
    assert notice['number'] in refusal.value.message

    # Scanned again: who signed for it and when
    with pytest.raises(RPCError) as refusal:
        xiena.model('egov.document.scan', 'receive_text',
            notice['verify_url'])
    assert re.search(r'谢娜于\d{4}-\d{2}-\d{2} \d{2}:\d{2}签收',
        refusal.value.message), refusal.value.message


def test_scan_refuses_bad_pictures(people):
    xiena = people['xiena']
    for data, expected in [
            (b'<?xml version="1.0"?><svg/>', '不是图片'),
            (b'\x89PNG\r\n\x1a\n' + b'\x00' * 100, '不是图片'),
            ]:
        with pytest.raises(RPCError) as refusal:
            xiena.model('egov.document.scan', 'receive_image', binary(data))
        assert expected in refusal.value.message
    with pytest.raises(RPCError) as refusal:
        xiena.model('egov.document.scan', 'receive_text', 'hello')
    assert '不是公文二维条码' in refusal.value.message


def test_verify_page(server, notice):
    "No login: the registration data and the SM3 digest of the body"
    status, headers, text = http(server, '/%s/egov/document/verify/%s' % (
            server.database, notice['verify_token']))
    assert status == 200
    for expected in ['公文核验', notice['number'], NOTICE,
            '宜春市人民政府办公室', '非密', '正文SM3摘要']:
        assert expected in text
    assert re.fullmatch(r'[0-9a-f]{64}', notice['body_digest'])
    assert notice['body_digest'] in text
    assert "script-src 'self'" in headers['Content-Security-Policy']
    for token in ['A' * 32, '%3Cscript%3E', 'x']:
        status, _, text = http(server, '/%s/egov/document/verify/%s' % (
                server.database, token))
        assert status == 404 and '本平台没有' in text


def test_scan_page(server):
    "The page is for a logged-in session; its reader library is served"
    path = '/%s/egov/document/scan' % server.database
    status, _, text = http(server, path)
    assert status == 401 and '登录' in text
    cookie = log_in(server, 'xiena')
    status, headers, text = http(server, path, cookie)
    assert status == 200
    assert '扫码收文' in text and '拍照或选择图片' in text
    assert 'camera=(self)' in headers['Permissions-Policy']
    status, _, script = http(server,
        '/%s/egov/document/scan/static/html5-qrcode.min.js'
        % server.database)
    assert status == 200 and 'Html5Qrcode' in script
    for name in ['routes.py', 'missing.js', '.scan.js']:
        status, _, _ = http(server, '/%s/egov/document/scan/static/%s'
            % (server.database, name))
        assert status == 404
