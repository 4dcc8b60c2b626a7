"""公文交换 between two platforms on loopback (issue 14, item 5): this
trytond with the demo data, and a peer platform written in the test
(http.server) that speaks the same protocol with the same package code.

The city office (宜春市人民政府办公室) sends a 发文 to the peer, encrypted
for it (SM4 under a key wrapped with its SM2 key), and gets its signed
receipt (回执), then its 签收回执: 黄磊 sees 已签收 on the 发文. The peer
sends a package to 袁州区人民政府办公室 and a 收文 waits for its 收发员
谢娜, who signs for it (the peer gets our 签收回执) or returns another with
a reason (退回, told back the same way); a bad signature, a wrong
digest, a replayed id, an oversized package and XXE metadata are each
refused with their Chinese message and no 收文 made; a peer that is down
is tried again, then shown 'failed' in the log."""
import io
import json
import time
import zipfile

import pytest

from egov_document.exchange import package as package_
from egov_document.exchange import signing
from egov_document.tests.exchange_peer import PeerPlatform, docx_bytes

from .rpc import Session

PASSWORD = 'Yichun@2026'
YZ_OFFICE = '袁州区人民政府办公室'


@pytest.fixture(scope='module')
def admin(server):
    "The administrator, with the document administrators' group"
    admin = Session(server, 'admin', PASSWORD)
    group, = admin.search_read('res.group', [('name', '=', '公文管理员')],
        ['id'])
    admin.model('res.user', 'write', [admin.user_id],
        {'groups': [('add', [group['id']])]})
    return Session(server, 'admin', PASSWORD)


@pytest.fixture(scope='module')
def platform(server, admin):
    "The peer platform, known to ours with each side's public key"
    with PeerPlatform() as peer:
        peer_id, = admin.model('egov.document.exchange.peer', 'create', [{
                    'name': peer.name, 'code': peer.code,
                    'local_code': '113609000000000194',
                    'endpoint': peer.url,
                    'peer_public_key': peer.public_key,
                    'peer_encryption_key': peer.encryption_key,
                    'max_attempts': 3, 'retry_delay': 0, 'timeout': 5,
                    }])
        admin.model('egov.document.exchange.peer', 'generate_keys',
            [peer_id])
        row, = admin.model('egov.document.exchange.peer', 'read', [peer_id],
            ['public_key', 'encryption_public_key'])
        peer.platform_key = row['public_key']
        peer.platform_encryption_key = row['encryption_public_key']
        peer.id = peer_id
        yield peer


@pytest.fixture(scope='module')
def xiena(server):
    return Session(server, 'xiena', PASSWORD)


def url(server):
    return '%s/%s/egov/document/exchange' % (server.url, server.database)


def unit_code(admin, name):
    unit, = admin.search_read('egov.org.unit', [('name', '=', name),
            ('kind', '=', 'unit')], ['code', 'uscc'])
    return unit['uscc'] or unit['code']


def exchange_incomings(session):
    return session.search_read('egov.document.incoming',
        [('origin', '=', 'exchange')], ['title', 'receipt', 'source_number'])


def act(server, login, document_id, text=None):
    "login does their to-do of the 发文"
    session = Session(server, login, PASSWORD)
    tasks = session.search_read('egov.workflow.task', [
            ('user', '=', session.user_id), ('state', '=', 'open'),
            ('kind', '=', 'todo'),
            ('instance.record', '=',
                'egov.document.outgoing,%s' % document_id)], ['id'])
    assert len(tasks) == 1, (login, tasks)
    session.model_confirmed('egov.workflow.task', 'decide', [tasks[0]['id']],
        'approve', text, None, None)


def send_outgoing(server, platform, title):
    "黄磊 drafts a 通知 to the peer; 周敏 reviews and signs; 孙丽 dispatches"
    huanglei = Session(server, 'huanglei', PASSWORD)
    kind, = huanglei.search_read('egov.document.kind',
        [('code', '=', 'notice')], ['id'])
    document_id, = huanglei.model('egov.document.outgoing', 'create', [{
                'title': title, 'kind': kind['id'],
                'external_recipients': [('add', [platform.id])],
                'body': {'__class__': 'bytes', 'base64': __import__(
                        'base64').b64encode(docx_bytes(
                            '江西省公文交换平台：请查收。')).decode()},
                'body_name': '正文.docx',
                }])
    huanglei.model('egov.document.outgoing', 'workflow_start', [document_id])
    act(server, 'huanglei', document_id)             # 拟稿
    act(server, 'zhoumin', document_id, '同意。')     # 核稿
    act(server, 'zhoumin', document_id, '同意印发。')  # 签发
    act(server, 'sunli', document_id)                # 编号
    act(server, 'sunli', document_id)                # 用印
    act(server, 'sunli', document_id)                # 分发
    return document_id


def logs(admin, **domain):
    return admin.search_read('egov.document.exchange.log',
        [(k, '=', v) for k, v in domain.items()],
        ['state', 'attempts', 'error', 'receipt', 'package_id',
            'direction', 'number'])


def test_send_to_peer_with_receipt(server, admin, platform, artefacts):
    platform.mode = 'ok'
    document_id = send_outgoing(server, platform,
        '关于报送2026年度政务信息工作总结的通知')
    # The queue ran after 分发's commit: the peer has it and answered
    log, = logs(admin, outgoing=document_id)
    assert log['state'] == 'acknowledged', log
    assert log['attempts'] == 1
    received = [p for p in platform.received
        if p.package_id == log['package_id']]
    assert len(received) == 1
    package = received[0]
    assert package.document.number == log['number']
    assert package.document.number.startswith('宜府办字〔')
    assert package.document.issuer.name == '宜春市人民政府办公室'
    receipt = json.loads(log['receipt'])
    assert package_.check_receipt(receipt, log['package_id'],
        package.metadata_digest, platform.public_key)
    # Encrypted for the peer, which opened it
    assert package.encryption is not None
    assert package.body.data.startswith(b'PK')
    (artefacts / 'exchange-sent-metadata.xml').write_bytes(package.metadata)
    (artefacts / 'exchange-sent-receipt.json').write_text(
        log['receipt'], encoding='utf-8')
    huanglei = Session(server, 'huanglei', PASSWORD)

    def deliveries():
        row, = huanglei.model('egov.document.outgoing', 'read',
            [document_id], ['exchange_deliveries'])
        return row['exchange_deliveries']
    assert deliveries().startswith('%s：已送达 ' % platform.name)

    # The peer's unit signs for it: its platform sends the 签收回执
    status = platform.status(package, 'signed')
    got, answer = PeerPlatform.post(url(server), status)
    assert (got, answer['state']) == (200, 'signed'), answer
    assert deliveries().startswith('%s：已签收 ' % platform.name)
    (artefacts / 'exchange-status-receipt.json').write_bytes(status)
    got, answer = PeerPlatform.post(url(server), status)
    assert (got, answer['error'], answer['message']) == (409,
        'status_replayed', '公文交换包%s的签收回执已经记录过，不再重复接收。'
        % package.package_id)


def test_peer_sends_incoming(server, admin, platform, xiena, artefacts):
    before = exchange_incomings(xiena)
    package = platform.package(unit_code(admin, YZ_OFFICE),
        body=docx_bytes('袁州区人民政府办公室：请按要求报送。'),
        attachments=[('附件 报送表.txt', '单位,联系人\n'.encode('utf-8'))])
    data = platform.build(package)
    status, answer = PeerPlatform.post(url(server), data)
    assert status == 200, answer
    receipt = package_.check_receipt(answer, package.package_id,
        package.metadata_digest, platform.platform_key)
    assert receipt and receipt['state'] == 'received'
    (artefacts / 'exchange-received-receipt.json').write_text(
        json.dumps(answer, ensure_ascii=False, indent=1), encoding='utf-8')
    after = exchange_incomings(xiena)
    assert len(after) == len(before) + 1
    new, = [i for i in after if i not in before]
    assert new['title'] == package.document.title
    assert new['receipt'] == 'pending'
    assert new['source_number'] == '赣办字〔2026〕88号'
    # 谢娜 signs for it as for any 收文; the peer gets the 签收回执
    xiena.model('egov.document.incoming', 'sign_for', [new['id']])
    status = wait_for_status(platform, package.package_id)
    assert (status['state'], status['metadata_sm3']) == (
        'signed', package.metadata_digest)

    # The same package again: refused as a replay, with the first receipt
    status, again = PeerPlatform.post(url(server), data)
    assert status == 409
    assert again['message'] == ('公文交换包%s已经接收过，不再重复接收。'
        % package.package_id)
    assert package_.check_receipt(again, package.package_id,
        package.metadata_digest, platform.platform_key)
    assert len(exchange_incomings(xiena)) == len(after)


def wait_for_status(platform, package_id):
    "The 签收回执 the peer got for package_id (sent after the commit)"
    for _ in range(50):
        found = [s for s in platform.statuses
            if s['package_id'] == package_id]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError('no receipt for %s' % package_id)


def test_returned_told_back(server, admin, platform, xiena):
    "谢娜 returns a 收文 of the exchange with the reason: the peer learns it"
    package = platform.package(unit_code(admin, YZ_OFFICE),
        title='关于报送2026年度统计年报的通知',
        body=docx_bytes('袁州区人民政府办公室：请报送统计年报。'))
    status, _ = PeerPlatform.post(url(server), platform.build(package))
    assert status == 200
    new, = [i for i in exchange_incomings(xiena)
        if i['title'] == package.document.title]
    xiena.wizard('egov.document.incoming.return', {'start': {
                'reason': '统计年报由区统计局报送，请改送区统计局。'}},
        'return_', active_model='egov.document.incoming',
        active_id=new['id'], active_ids=[new['id']])
    row, = xiena.model('egov.document.incoming', 'read', [new['id']],
        ['receipt', 'return_reason'])
    assert row['receipt'] == 'returned'
    status = wait_for_status(platform, package.package_id)
    assert (status['state'], status['reason']) == (
        'returned', '统计年报由区统计局报送，请改送区统计局。')


def altered_body(data):
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith('body/'):
                content = content[:-1] + bytes([content[-1] ^ 1])
            archive.writestr(info.filename, content)
    return output.getvalue()


def xxe_package(platform, receiver):
    package = platform.package(receiver)
    package.package_id = package_.new_package_id(platform.code)
    package.created_at = package_.utcnow()
    metadata = package_.metadata_xml(package).replace(
        b"<?xml version='1.0' encoding='UTF-8'?>",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
        b'"file:///etc/passwd">]>').replace(b'<Title>', b'<Title>&x;')
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w') as archive:
        archive.writestr(package_.METADATA, metadata)
        archive.writestr(package_.SIGNATURE, package_.signature_xml(
                signing.ALGORITHM, platform.code,
                signing.sign(platform.private_key, metadata)))
    return output.getvalue()


def test_bad_packages_refused(server, admin, platform, xiena):
    receiver = unit_code(admin, YZ_OFFICE)
    before = exchange_incomings(xiena)
    other_key, _ = signing.generate_key_pair()
    body = docx_bytes('正文')
    cases = [
        ('signature', 403, platform.build(platform.package(receiver),
                private_key=other_key),
            '公文交换包的签名与交换对方“%s”的密钥不符，交换包可能被篡改或伪造。'
            % platform.code),
        ('digest', 400, altered_body(platform.build(platform.package(
                        receiver, body=body))),
            '文件“正文.docx”的SM3摘要与元数据不符，文件可能被篡改。'),
        ('xml_dtd', 400, xxe_package(platform, receiver),
            '公文交换包的元数据含有DTD或实体声明，不予接收。'),
        ('too_big', 413, b'PK\x03\x04' + b'\0' * (
                package_.MAX_PACKAGE + 1),
            '公文交换包超过64MB。'),
        ('not_zip', 400, b'<html>not a package</html>',
            '公文交换包不是格式正确的ZIP文件。'),
        ]
    for reason, status, data, message in cases:
        got, answer = PeerPlatform.post(url(server), data)
        assert (got, answer['error'], answer['message']) == (
            status, reason, message)
    assert exchange_incomings(xiena) == before
    refused = admin.search_read('egov.document.exchange.log', [
            ('direction', '=', 'in'), ('state', '=', 'refused')],
        ['error'])
    assert {r['error'] for r in refused} >= {c[3] for c in cases}


def test_peer_down_retries_then_failed(server, admin, platform):
    platform.mode = 'down'
    try:
        document_id = send_outgoing(server, platform,
            '关于报送2026年度档案工作总结的通知')
        log, = logs(admin, outgoing=document_id)
        assert (log['state'], log['attempts']) == ('queued', 1), log
        assert log['error'] == '对方返回错误 HTTP 503。'
        # Without a worker the cron sends what is due: run it twice
        cron, = admin.search_read('ir.cron', [
                ('method', '=', 'egov.document.exchange.log|send_due')],
            ['id'])
        admin.model('ir.cron', 'run_once', [cron['id']])
        admin.model('ir.cron', 'run_once', [cron['id']])
        log, = logs(admin, outgoing=document_id)
        assert (log['state'], log['attempts']) == ('failed', 3), log
        assert log['error'] == '已尝试3次仍未送达。对方返回错误 HTTP 503。'
        # 孙丽, who dispatched it, finds it under her bell
        sunli = Session(server, 'sunli', PASSWORD)
        notice, = sunli.search_read('res.notification', [
                ('label', 'like', '%关于报送2026年度档案工作总结的通知%')],
            ['label', 'description'])
        assert notice['label'].endswith(
            '未能通过公文交换送达%s。' % platform.name)
        assert notice['description'] == log['error']
    finally:
        platform.mode = 'ok'
