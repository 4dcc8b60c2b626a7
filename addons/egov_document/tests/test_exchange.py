"""公文交换 in the platform: a 发文 to a peer packaged at 分发 and sent
with retries and a receipt; a package from a peer made into a 收文 waiting
for 签收, once; a 密级 document never sent to a peer not cleared for it
(the package itself: test_exchange_package.py)."""
import json
import socket

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as
from egov_document.exchange import package as package_
from egov_document.exchange import signing

from .exchange_peer import PeerPlatform, docx_bytes
from .test_exchange_package import US
from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, numbering_rule)


class ExchangeTestCase(DocumentHelpers, EgovDocumentTestCase):
    "The exchange in the platform: peers, 分发, sending, receiving"

    def make_peer(self, platform, **values):
        Peer = Pool().get('egov.document.exchange.peer')
        peer, = Peer.create([dict({
                        'name': platform.name, 'code': platform.code,
                        'local_code': US, 'endpoint': platform.url,
                        'peer_public_key': platform.public_key,
                        'peer_encryption_key': platform.encryption_key,
                        'retry_delay': 0, 'max_attempts': 3,
                        }, **values)])
        Peer.generate_keys([peer])
        peer = Peer(peer.id)
        platform.platform_key = peer.public_key
        platform.platform_encryption_key = peer.encryption_public_key
        return peer

    def document_admin(self, org):
        "朱婷, given the document administrators' group"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        User.write([org.office_head], {'groups': [('add', [
                            ModelData.get_id('egov_document',
                                'group_document_admin')])]})
        User.clear_org_caches()
        return org.office_head

    def run_outgoing(self, org, document):
        Outgoing = Pool().get('egov.document.outgoing')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        self.act(org.office_head, document, text='同意。')
        self.act(org.bureau_head, document, text='同意印发。',
            confirm=True)
        self.act(org.yz_clerk, document)
        self.act(org.yz_clerk, document)
        self.act(org.yz_clerk, document)
        return Outgoing(document.id)

    def logs(self, **domain):
        Log = Pool().get('egov.document.exchange.log')
        return Log.search([(k, '=', v) for k, v in domain.items()],
            order=[('id', 'ASC')])

    @with_transaction()
    def test_every_refusal_has_its_chinese_message(self):
        from lxml import etree
        from egov_document.exchange import log as log_
        path = log_.__file__.replace('log.py', 'message_exchange.xml')
        reasons = [r.get('id')[len('msg_exchange_refused_'):]
            for r in etree.parse(path).iter('record')
            if r.get('id').startswith('msg_exchange_refused_')]
        self.assertGreater(len(reasons), 20)
        values = {'limit': 1, 'code': 'C', 'package': 'P', 'name': 'N',
            'field': 'F', 'algorithm': 'A', 'version': 'V', 'days': 7,
            'unit': 'U', 'message': 'M'}
        for reason in reasons:
            message = log_.refusal_text(
                package_.PackageRefused(reason, **values))
            self.assertRegex(message, '[\u4e00-\u9fff]', msg=reason)
            self.assertNotIn('%(', message, msg=reason)

    @with_transaction()
    def test_peer_keys_stay_on_the_server(self):
        pool = Pool()
        Peer = pool.get('egov.document.exchange.peer')
        org = document_org()
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
        self.assertEqual(len(peer.public_key), 128)
        row, = Peer.read([peer.id], ['private_key', 'public_key'])
        self.assertIsNone(row['private_key'])
        admin = self.document_admin(org)
        with acting_as(admin):
            # Not even the administrators search or read it over RPC
            for call in [
                    lambda: Peer.search([('private_key', 'like', 'sm4%')]),
                    lambda: Peer.search([], order=[('private_key', 'ASC')]),
                    lambda: Peer.read([peer.id], ['private_key']),
                    ]:
                with self.assertRaises(UserError):
                    call()
            self.assertEqual(Peer.read([peer.id], ['endpoint'])[0][
                    'endpoint'], platform.url)
        table = Peer.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.private_key,
                where=table.id == peer.id))
        stored, = cursor.fetchone()
        self.assertTrue(stored.startswith('sm4gcm1$'))
        self.assertEqual(
            signing.public_key_of(peer.signing_key()), peer.public_key)
        with acting_as(org.secretary):
            # Staff pick a peer by name; its keys and address are not theirs
            found, = Peer.search([('name', '=', peer.name)])
            with self.assertRaises(UserError):
                Peer.read([found.id], ['endpoint'])
            with self.assertRaises(UserError):
                Peer.write([found], {'name': '假平台'})
        with self.assertRaises(UserError) as cm:
            Peer.write([peer], {'peer_public_key': '04' + '1' * 128})
        self.assertIn('不是有效的SM2公钥', cm.exception.message)

    @with_transaction()
    def test_send_to_peer_with_receipt(self):
        "分发 packages the 发文 for the peer; the peer answers its 回执"
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Attachment = pool.get('ir.attachment')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            body = docx_bytes('樟树市财政局、省公文交换平台：')
            document = self.outgoing(org, body=body, body_name='正文.docx',
                external_recipients=[('add', [peer.id])])
            Attachment.create([{'resource': str(document),
                        'name': '附件 名单.txt', 'type': 'data',
                        'data': '名单'.encode('utf-8')}])
            document = self.run_outgoing(org, document)
            # The units of the platform have their 收文 as before
            self.assertEqual(len(document.incomings), 2)
            log, = self.logs(outgoing=document.id)
            self.assertEqual((log.state, log.direction), ('queued', 'out'))
            self.assertEqual(log.receiver_code, platform.code)
            Log.send([log])
            log = Log(log.id)
            self.assertEqual(log.state, 'acknowledged', msg=log.error)
            self.assertEqual(log.attempts, 1)
            receipt = json.loads(log.receipt)
            self.assertEqual(receipt['receipt']['package_id'], log.package_id)
            self.assertEqual(receipt['receipt']['receiver'], platform.code)
            received, = platform.received
            self.assertEqual(received.document.number, document.number)
            self.assertEqual(received.document.title, document.title)
            self.assertEqual(received.document.issuer.name, '袁州区教育体育局')
            self.assertEqual(received.body.data, body)
            # Encrypted for the peer on the way (its key, SM4)
            self.assertIsNotNone(received.encryption)
            self.assertNotIn(body, bytes(log.content))
            self.assertEqual(received.document.kind_code, '08')
            self.assertEqual([a.name for a in received.attachments],
                ['附件 名单.txt'])
            self.assertIn(peer.code,
                [o.code for o in received.document.main_recipients])
            # Sent again (a lost answer): the peer's 409 carries its receipt
            Log.write([log], {'state': 'queued'})
            Log.send([log])
            self.assertEqual(Log(log.id).state, 'acknowledged')
            self.assertEqual(len(platform.received), 1)

    @with_transaction()
    def test_peer_down_retries_then_fails(self):
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            platform.mode = 'down'
            document = self.outgoing(org,
                external_recipients=[('add', [peer.id])])
            document = self.run_outgoing(org, document)
            log, = self.logs(outgoing=document.id)
            Log.send([log])
            log = Log(log.id)
            self.assertEqual((log.state, log.attempts), ('queued', 1))
            self.assertEqual(log.error, '对方返回错误 HTTP 503。')
            Log.send_due()
            Log.send_due()
            log = Log(log.id)
            self.assertEqual((log.state, log.attempts), ('failed', 3))
            self.assertEqual(log.error,
                '已尝试3次仍未送达。对方返回错误 HTTP 503。')
            self.assertEqual(platform.requests, 3)
            # 谢娜, who dispatched it, is told in the platform
            notice, = pool.get('res.notification').search([
                    ('user', '=', org.yz_clerk.id),
                    ('label', 'like', '%公文交换%')])
            self.assertEqual(notice.label,
                '“%s”未能通过公文交换送达%s。' % (
                    document.rec_name, peer.name))
            self.assertEqual(notice.description, log.error)
            # An administrator sends it again once the peer is back
            platform.mode = 'ok'
            Log.retry([log])
            self.assertEqual(Log(log.id).state, 'acknowledged')

    @with_transaction()
    def test_peer_unreachable_and_refusing(self):
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Peer = pool.get('egov.document.exchange.peer')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            closed = 'http://127.0.0.1:%d/' % sock.getsockname()[1]
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            document = self.outgoing(org,
                external_recipients=[('add', [peer.id])])
            document = self.run_outgoing(org, document)
            log, = self.logs(outgoing=document.id)
            Peer.write([peer], {'endpoint': closed})
            Log.send([log])
            log = Log(log.id)
            self.assertEqual(log.state, 'queued')
            self.assertEqual(log.error, '无法连接对方的公文交换接口。')
            Peer.write([peer], {'endpoint': platform.url})
            platform.mode = 'refuse'
            Log.send([log])
            log = Log(log.id)
            self.assertEqual(log.state, 'failed')
            self.assertEqual(log.error,
                '对方拒收（HTTP 400）：元数据不完整')

    @with_transaction()
    def test_secrecy_not_sent_to_peer_not_cleared(self):
        pool = Pool()
        Peer = pool.get('egov.document.exchange.peer')
        Unit = pool.get('egov.org.unit')
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        Unit.write([org.zs_finance, org.city_office],
            {'secrecy_clearance': 'secret'})
        for person in [org.secretary, org.office_head, org.bureau_head,
                org.yz_clerk]:
            pool.get('egov.org.employee').write(
                list(pool.get('egov.org.employee').search(
                        [('user', '=', person.id)])),
                {'secrecy_clearance': 'secret'})
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            with self.assertRaises(UserError) as cm:
                self.outgoing(org, secrecy='secret',
                    external_recipients=[('add', [peer.id])])
            self.assertEqual(cm.exception.message,
                '该公文密级为秘密，不能通过公文交换发送给%s。' % peer.name)
            # Cleared, but with no encryption key: refused too
            key = peer.peer_encryption_key
            Peer.write([peer], {'secrecy_clearance': 'secret',
                    'peer_encryption_key': None})
            with self.assertRaises(UserError) as cm:
                self.outgoing(org, secrecy='secret',
                    external_recipients=[('add', [peer.id])])
            self.assertEqual(cm.exception.message,
                '该公文密级为秘密，只能加密发送，而%s没有加密公钥。' % peer.name)
            # Cleared when drafted, no longer at 分发: refused there
            Peer.write([peer], {'peer_encryption_key': key})
            document = self.outgoing(org, secrecy='secret',
                external_recipients=[('add', [peer.id])])
            with acting_as(org.secretary):
                Outgoing.workflow_start([document])
            self.act(org.secretary, document)
            self.act(org.office_head, document)
            self.act(org.bureau_head, document, confirm=True)
            self.act(org.yz_clerk, document)
            self.act(org.yz_clerk, document)
            Peer.write([peer], {'secrecy_clearance': 'none'})
            with self.assertRaises(UserError) as cm:
                self.act(org.yz_clerk, document)
            self.assertIn('不能通过公文交换发送给', cm.exception.message)
            document = Outgoing(document.id)
            self.assertIsNone(document.dispatched_at)
            self.assertEqual(self.logs(outgoing=document.id), [])
            self.assertEqual(list(document.incomings), [])

    @with_transaction()
    def test_only_external_recipients(self):
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            document = self.outgoing(org, main_recipients=[],
                copy_recipients=[],
                external_recipients=[('add', [peer.id])])
            document = self.run_outgoing(org, document)
            self.assertTrue(document.dispatched_at)
            self.assertEqual(list(document.incomings), [])
            log, = self.logs(outgoing=document.id)
            Log.send([log])
            self.assertEqual(Log(log.id).state, 'acknowledged')

    @with_transaction()
    def test_receive_makes_incoming_once(self):
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Incoming = pool.get('egov.document.incoming')
        Unit = pool.get('egov.org.unit')
        Attachment = pool.get('ir.attachment')
        org = document_org()
        Unit.write([org.zs_finance], {'uscc': '113609821234567887'})
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            body = docx_bytes('樟树市财政局：')
            data = platform.build(platform.package('113609821234567887',
                    body=body, attachments=[('附件.txt', b'list')]))
            incoming, answer = Log.receive(data)
            receipt = package_.check_receipt(answer,
                answer['receipt']['package_id'],
                answer['receipt']['metadata_sm3'], peer.public_key)
            self.assertEqual(receipt['receiver'], US)
            incoming = Incoming(incoming.id)
            self.assertEqual(incoming.unit, org.zs_finance)
            self.assertEqual((incoming.origin, incoming.receipt),
                ('exchange', 'pending'))
            self.assertEqual(incoming.source_name, '江西省人民政府办公厅')
            self.assertEqual(incoming.source_number, '赣办字〔2026〕88号')
            self.assertEqual(incoming.urgency, 'urgent')
            self.assertEqual(incoming.kind.code, 'notice')
            self.assertEqual(bytes(incoming.body), body)
            attachment, = Attachment.search(
                [('resource', '=', str(incoming))])
            self.assertEqual(attachment.name, '附件.txt')
            log, = self.logs(direction='in')
            self.assertEqual((log.state, log.incoming), ('received', incoming))
            with acting_as(org.zs_clerk):
                mine, = Incoming.search([('receipt', '=', 'pending')])
                self.assertEqual(mine, incoming)
            with self.assertRaises(package_.PackageRefused) as cm:
                Log.receive(data)
            self.assertEqual(cm.exception.reason, 'replayed')
            self.assertEqual(Incoming.search([('origin', '=', 'exchange')]),
                [incoming])

    @with_transaction()
    def test_receive_refusals(self):
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        org = document_org()
        code = org.zs_finance.code
        with PeerPlatform() as platform:
            self.make_peer(platform)
            for data, reason in [
                    (platform.build(platform.package('NOSUCHUNIT')),
                        'unknown_receiver'),
                    (platform.build(platform.package(code, secrecy='secret')),
                        'secrecy'),
                    ]:
                with self.assertRaises(package_.PackageRefused) as cm:
                    Log.receive(data)
                self.assertEqual(cm.exception.reason, reason)
            # A body that is no document is refused by the upload guard
            data = platform.build(platform.package(code,
                    body=b'MZ\x90\x00 not a document'))
            with self.assertRaises(UserError):
                Log.receive(data)

    def received_incoming(self, org, platform, **values):
        "A package of the peer to 樟树市财政局, taken as a 收文"
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Unit = pool.get('egov.org.unit')
        Unit.write([org.zs_finance], {'uscc': '113609821234567887'})
        package = platform.package('113609821234567887',
            body=docx_bytes('樟树市财政局：'), **values)
        incoming, _ = Log.receive(platform.build(package))
        return package, pool.get('egov.document.incoming')(incoming.id)

    @with_transaction()
    def test_signed_for_receipt_sent_back(self):
        "签收 of a 收文 from the exchange: its platform gets a 签收回执"
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            package, incoming = self.received_incoming(org, platform)
            with acting_as(org.zs_clerk):
                Incoming.sign_for([incoming])
            log, = self.logs(direction='out', kind='receipt')
            self.assertEqual((log.state, log.delivery, log.peer),
                ('queued', 'signed', peer))
            # Sent by the queue (here by hand), tried again when down
            platform.mode = 'down'
            Log.send([log])
            self.assertEqual(Log(log.id).state, 'queued')
            platform.mode = 'ok'
            Log.send_due()
            log = Log(log.id)
            self.assertEqual((log.state, log.attempts), ('acknowledged', 2))
            status, = platform.statuses
            self.assertEqual(status['package_id'], package.package_id)
            self.assertEqual(status['metadata_sm3'], package.metadata_digest)
            self.assertEqual((status['state'], status['receiver']),
                ('signed', US))
            # A lost answer: the same bytes again, the peer's 409 ends it
            Log.write([log], {'state': 'queued'})
            Log.send([log])
            self.assertEqual(Log(log.id).state, 'acknowledged')
            self.assertEqual(len(platform.statuses), 1)

    @with_transaction()
    def test_return_with_reason(self):
        "退回: with a reason, told back; the 收文 is not handled"
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Incoming = pool.get('egov.document.incoming')
        Return = pool.get('egov.document.incoming.return', type='wizard')
        org = document_org()
        with PeerPlatform() as platform:
            self.make_peer(platform)
            package, incoming = self.received_incoming(org, platform)
            with acting_as(org.zs_clerk):
                with self.assertRaises(UserError) as cm:
                    Incoming.return_([incoming], '  ')
                self.assertEqual(cm.exception.message, '请填写退回的理由。')
                with Transaction().set_context(
                        active_model='egov.document.incoming',
                        active_id=incoming.id, active_ids=[incoming.id]):
                    session_id, _, _ = Return.create()
                    Return.execute(session_id, {'start': {
                                'reason': '非本单位职责，请改送市财政局。'}},
                        'return_')
            incoming = Incoming(incoming.id)
            self.assertEqual((incoming.receipt, incoming.return_reason,
                    incoming.returned_by), ('returned',
                    '非本单位职责，请改送市财政局。', org.zs_clerk))
            with acting_as(org.zs_clerk):
                # (the button is not shown for it, and refused)
                with self.assertRaises(UserError):
                    Incoming.workflow_start([incoming])
            log, = self.logs(direction='out', kind='receipt')
            Log.send([log])
            self.assertEqual(Log(log.id).state, 'acknowledged')
            status, = platform.statuses
            self.assertEqual((status['state'], status['reason']),
                ('returned', '非本单位职责，请改送市财政局。'))
            # Someone of another unit may not return it
            package, other = self.received_incoming(org, platform,
                title='关于另一事项的通知')
            with acting_as(org.yz_clerk):
                with self.assertRaises(UserError):
                    Incoming.return_([other], '不收')
            self.assertEqual(Incoming(other.id).receipt, 'pending')
            # A 收文 of this platform is returned as well; nothing is sent
            local, = Incoming.create([{'title': '关于本平台来文的通知',
                        'source_name': '袁州区教育体育局',
                        'unit': org.zs_finance.id}])
            Incoming.write([local], {'origin': 'platform',
                    'receipt': 'pending'})
            with acting_as(org.zs_clerk):
                Incoming.return_([local], '重复来文。')
            self.assertEqual(Incoming(local.id).receipt, 'returned')
            self.assertEqual(len(self.logs(direction='out', kind='receipt')),
                1)

    @with_transaction()
    def test_status_recorded_on_outgoing(self):
        "The peer's 签收回执: 已送达, then 已退回 with the reason, once"
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            document = self.outgoing(org,
                external_recipients=[('add', [peer.id])])
            document = self.run_outgoing(org, document)
            log, = self.logs(outgoing=document.id)
            Log.send([log])
            log = Log(log.id)
            self.assertEqual((log.state, log.delivery),
                ('acknowledged', 'delivered'))
            with acting_as(org.secretary):
                shown = Outgoing(document.id).exchange_deliveries
            self.assertRegex(shown, r'^%s：已送达 \d{4}-\d\d-\d\d \d\d:\d\d$'
                % peer.name)
            received, = platform.received
            refusals = [
                # signed for another package, with another digest
                (json.dumps(package_.make_status('11360000MB0000001X-'
                                'none-such', US, platform.code,
                                received.metadata_digest, 'signed',
                                platform.private_key)).encode(),
                    'status_unknown'),
                (json.dumps(package_.make_status(received.package_id, US,
                                platform.code, signing.sm3(b'other'),
                                'signed', platform.private_key)).encode(),
                    'status_digest'),
                ]
            data = platform.status(received, 'returned',
                reason='不属于本单位职责。')
            forged = json.loads(data)
            forged['receipt']['reason'] = '已经办结。'
            refusals.append((json.dumps(forged).encode(), 'signature'))
            for data_, reason in refusals:
                with self.assertRaises(package_.PackageRefused) as cm:
                    Log.receive_status(data_)
                self.assertEqual(cm.exception.reason, reason)
            Log.receive_status(data)
            log = Log(log.id)
            self.assertEqual((log.delivery, log.return_reason),
                ('returned', '不属于本单位职责。'))
            with acting_as(org.secretary):
                shown = Outgoing(document.id).exchange_deliveries
            self.assertRegex(shown, r'^%s：已退回 .*（理由：不属于本单位职责。）$'
                % peer.name)
            # 谢娜, who dispatched it, is told
            notice, = pool.get('res.notification').search([
                    ('user', '=', org.yz_clerk.id),
                    ('label', 'like', '%退回%')])
            self.assertEqual(notice.description, '不属于本单位职责。')
            # The same receipt again, or another word after it: refused
            for data_ in [data, platform.status(received, 'signed')]:
                with self.assertRaises(package_.PackageRefused) as cm:
                    Log.receive_status(data_)
                self.assertEqual(cm.exception.reason, 'status_replayed')
            self.assertEqual(Log(log.id).delivery, 'returned')
            self.assertEqual(len(self.logs(direction='in', kind='receipt')),
                1)

    @with_transaction()
    def test_receive_encrypted_and_kinds(self):
        "A 密级 package only encrypted for our key; the 文种 by code or term"
        pool = Pool()
        Log = pool.get('egov.document.exchange.log')
        Incoming = pool.get('egov.document.incoming')
        Unit = pool.get('egov.org.unit')
        org = document_org()
        Unit.write([org.zs_finance], {'secrecy_clearance': 'secret'})
        code = org.zs_finance.code
        with PeerPlatform() as platform:
            peer = self.make_peer(platform)
            body = docx_bytes('樟树市财政局：（秘密）')
            key = platform.platform_encryption_key
            refusals = [
                (platform.build(platform.package(code, secrecy='secret'),
                        encrypt=False), 'not_encrypted'),
                (platform.package(code, body=body, secrecy='secret'),
                    'decryption_key'),
                (platform.package(code, kind_code='99', kind_name='布告'),
                    'kind'),
                ]
            # Encrypted for another key than ours
            platform.platform_encryption_key = (
                signing.generate_key_pair()[1])
            refusals[1] = (platform.build(refusals[1][0]), 'decryption_key')
            platform.platform_encryption_key = key
            refusals[2] = (platform.build(refusals[2][0]), 'kind')
            for data, reason in refusals:
                with self.assertRaises(package_.PackageRefused) as cm:
                    Log.receive(data)
                self.assertEqual(cm.exception.reason, reason)
            self.assertEqual(Incoming.search([]), [])
            incoming, _ = Log.receive(platform.build(platform.package(code,
                        body=body, secrecy='secret', secrecy_years=5)))
            incoming = Incoming(incoming.id)
            self.assertEqual(bytes(incoming.body), body)
            self.assertEqual((incoming.secrecy, incoming.secrecy_years),
                ('secret', 5))
            log, = self.logs(direction='in', incoming=incoming.id)
            self.assertNotIn(body, bytes(log.content))
            # A peer's kind by our former code, or by its term alone
            for kind_code, kind_name, expected in [
                    ('notice', '', 'notice'), ('99', '函', 'letter'),
                    ('12', '批复', 'reply')]:
                incoming, _ = Log.receive(platform.build(platform.package(
                            code, kind_code=kind_code, kind_name=kind_name,
                            title='关于%s的事项' % expected)))
                self.assertEqual(Incoming(incoming.id).kind.code, expected)
            # Without our decryption key, an encrypted package is refused
            pool.get('egov.document.exchange.peer').write([peer], {
                    'encryption_private_key': None})
            with self.assertRaises(package_.PackageRefused) as cm:
                Log.receive(platform.build(platform.package(code)))
            self.assertEqual(cm.exception.reason, 'no_decryption_key')
