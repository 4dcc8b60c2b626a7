"""收文时间戳 on the running server (issue 15, item 5): the document
administrator makes the platform's own authority (key and self-signed
certificate); the 收发员 谢娜 registers a paper 收文 over JSON-RPC and its
body is stamped, the token passing `openssl ts -verify`; she prints the
receipt. Other parties ask the same authority over RFC 3161 HTTP
(POST /<db>/egov/tsa); what is not a request is refused."""
import base64
import os
import subprocess
import tempfile
import urllib.error
import urllib.request
import io
import zipfile

import pytest

from egov_document.tests.exchange_peer import docx_bytes
from egov_document.timestamp import rfc3161

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'


def binary(value):
    "bytes of a Binary field read over JSON-RPC"
    if isinstance(value, dict):
        return base64.b64decode(value['base64'])
    return value


@pytest.fixture(scope='module')
def admin(server):
    admin = Session(server, 'admin', PASSWORD)
    group, = admin.search_read('res.group', [('name', '=', '公文管理员')],
        ['id'])
    admin.model('res.user', 'write', [admin.user_id],
        {'groups': [('add', [group['id']])]})
    return Session(server, 'admin', PASSWORD)


@pytest.fixture(scope='module')
def authority(admin):
    # The demo's own SM2 authority gives way to an RSA one, whose tokens
    # OpenSSL checks
    demo = [a['id'] for a in admin.search_read('egov.document.tsa', [],
            ['id'])]
    admin.model('egov.document.tsa', 'write', demo, {'active': False})
    tsa_id, = admin.model('egov.document.tsa', 'create', [{
                'name': '宜春市智慧办公平台时间戳服务', 'kind': 'own',
                'algorithm': 'rsa', 'serve_http': True,
                }])
    admin.model('egov.document.tsa', 'generate_certificate', [tsa_id])
    # The key never leaves the server, not even to the administrator
    with pytest.raises(RPCError) as error:
        admin.model('egov.document.tsa', 'read', [tsa_id], ['private_key'])
    assert '保密信息' in error.value.message
    row, = admin.model('egov.document.tsa', 'read', [tsa_id],
        ['certificate', 'certificate_info'])
    return row


def post(server, data, content_type='application/timestamp-query'):
    request = urllib.request.Request(
        '%s/%s/egov/tsa' % (server.url, server.database), data=data,
        method='POST', headers={'Content-Type': content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (response.status, response.headers['Content-Type'],
                response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers['Content-Type'], error.read()


def openssl(*args, files):
    with tempfile.TemporaryDirectory() as directory:
        paths = {}
        for name, content in files.items():
            paths[name] = os.path.join(directory, name)
            with open(paths[name], 'wb') as file:
                file.write(content)
        result = subprocess.run(['openssl', 'ts', '-verify'] + [
                paths.get(a, a) for a in args],
            capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


def test_registration_stamped_and_printed(server, authority, artefacts):
    xiena = Session(server, 'xiena', PASSWORD)
    body = docx_bytes('袁州区人民政府办公室：')
    incoming_id, = xiena.model('egov.document.incoming', 'create', [{
                'title': '关于做好2027年元旦春节期间安全生产工作的通知',
                'source_name': '宜春市应急管理局',
                'source_number': '宜应急字〔2026〕88号',
                'body': {'__class__': 'bytes',
                    'base64': base64.b64encode(body).decode()},
                'body_name': '正文.docx',
                }])
    xiena.model('egov.document.incoming', 'workflow_start', [incoming_id])
    stamps = xiena.search_read('egov.document.timestamp',
        [('incoming', '=', incoming_id)],
        ['state', 'token', 'digest', 'serial', 'tsa_name', 'error'])
    stamp, = stamps
    assert stamp['state'] == 'done', stamp['error']
    assert stamp['tsa_name'] == '宜春市智慧办公平台时间戳服务'
    token = binary(stamp['token'])
    output = openssl('-token_in', '-in', 't.tsr', '-data', 'body.docx',
        '-CAfile', 'ca.pem', files={'t.tsr': token, 'body.docx': body,
            'ca.pem': authority['certificate'].encode()})
    assert 'Verification: OK' in output
    (artefacts / 'tsa-token.tsr').write_bytes(token)
    (artefacts / 'tsa-ca.pem').write_text(authority['certificate'])
    (artefacts / 'tsa-body.docx').write_bytes(body)
    (artefacts / 'tsa-openssl-verify.txt').write_text(output)

    # The stamp is the platform's: she reads it, she cannot change it
    with pytest.raises(RPCError) as error:
        xiena.model('egov.document.timestamp', 'write', [stamp['id']],
            {'digest': '00'})
    assert error.value.kind == 'UserError'
    assert error.value.message == '收文时间戳由平台保存，不能修改或删除。'
    row, = xiena.model('egov.document.timestamp', 'read', [stamp['id']],
        ['digest'])
    assert row['digest'] == stamp['digest']
    # Nor may she read the authority's settings
    with pytest.raises(RPCError):
        xiena.model('egov.document.tsa', 'read', [authority['id']],
            ['certificate'])

    oext, content, _, name = xiena.call('report.egov.document.receipt.execute',
        [incoming_id], {}, xiena.context)
    content = binary(content)
    assert oext == 'odt'
    (artefacts / 'tsa-receipt.odt').write_bytes(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = archive.read('content.xml').decode('utf-8')
    for expected in ['收文回执', '宜应急字〔2026〕88号', '宜春市应急管理局',
            stamp['serial'], stamp['digest'], '谢娜']:
        assert expected in text


def test_rfc3161_over_http(server, authority):
    data = b'a contract signed elsewhere'
    hashed = rfc3161.digest(data)
    nonce = rfc3161.new_nonce()
    status, content_type, answer = post(server,
        rfc3161.make_request(hashed, 'sha256', nonce))
    assert (status, content_type) == (200, 'application/timestamp-reply')
    trusted = rfc3161.load_certificates(authority['certificate'])
    stamp = rfc3161.read_answer(answer, hashed, 'sha256', nonce, trusted)
    assert stamp.tsa_name.startswith('Common Name: 宜春市智慧办公平台时间戳服务')
    output = openssl('-in', 'r.tsr', '-digest', hashed.hex(),
        '-CAfile', 'ca.pem', files={'r.tsr': answer,
            'ca.pem': authority['certificate'].encode()})
    assert 'Verification: OK' in output

    # Not a request: a rejection, as RFC 3161 says
    status, _, answer = post(server, b'\x30\x03\x02\x01\x05')
    assert status == 200
    assert rfc3161.TimeStampResp.load(answer)['status'][
        'status'].native == 'rejection'
    # Not the protocol, or too large: refused in Chinese
    status, _, text = post(server, b'{}', 'application/json')
    assert status == 415
    assert 'timestamp-query' in text.decode('utf-8')
    status, _, text = post(server, b'0' * 20000)
    assert status == 413
    assert text.decode('utf-8') == '时间戳请求过大。'
