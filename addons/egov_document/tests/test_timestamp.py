"""收文时间戳 (RFC 3161): at 签收 and at the 登记 of a paper 收文, the body
and each attachment are stamped by the platform's own authority (RSA or
SM2) or an external one (a local fake TSA on loopback); the tokens pass
`openssl ts -verify`; an authority that is down, slow or answers wrongly
leaves the stamp pending, told in Chinese and asked again later; the
stamps follow the document's access; a printed receipt laid out by the
unit."""
import datetime
import functools
import io
import os
import statistics
import subprocess
import tempfile
import time
import zipfile

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as
from egov_document.timestamp import rfc3161

from tests.fakes.tsa import FakeTSA

from .exchange_peer import docx_bytes
from .tools import EgovDocumentTestCase, document_org

BODY = docx_bytes('樟树市财政局：')
FILES = [('附件1 名单.txt', '名单'.encode('utf-8')),
    ('附件2 经费表.txt', '经费'.encode('utf-8'))]


@functools.cache
def own_keys(kind):
    "One key pair per kind for the whole module: making one takes time"
    return rfc3161.generate(kind, '宜春市智慧办公平台时间戳服务',
        '宜春市人民政府办公室')


def own_tsa(kind='rsa', **values):
    Authority = Pool().get('egov.document.tsa')
    key, certificate = own_keys(kind)
    values.setdefault('name', '平台时间戳服务')
    authority, = Authority.create([dict({
                    'kind': 'own', 'algorithm': kind,
                    'private_key': key,
                    'certificate': rfc3161.pem(certificate),
                    }, **values)])
    return authority


def external_tsa(fake, **values):
    Authority = Pool().get('egov.document.tsa')
    authority, = Authority.create([dict({
                    'name': '江西省时间戳服务中心', 'kind': 'external',
                    'url': fake.url, 'timeout': 2,
                    'trusted_certificates': fake.certificate_pem,
                    }, **values)])
    return authority


def pending_incoming(org, attachments=FILES):
    "A 收文 dispatched to 樟树市财政局, with its body and attachments"
    pool = Pool()
    Incoming = pool.get('egov.document.incoming')
    Attachment = pool.get('ir.attachment')
    incoming, = Incoming.create([{
                'title': '关于开展2027年春季校园安全检查的通知',
                'unit': org.zs_finance.id,
                'source_name': '袁州区教育体育局',
                'source_number': '袁教体字〔2026〕1号',
                'origin': 'platform', 'receipt': 'pending',
                'body': BODY, 'body_name': '正文.docx',
                }])
    Attachment.create([{'resource': str(incoming), 'name': name,
                'type': 'data', 'data': data} for name, data in attachments])
    return incoming


def openssl_verify(token, data, certificate_pem):
    "The output of `openssl ts -verify` of token (DER) for data"
    with tempfile.TemporaryDirectory() as directory:
        paths = {}
        for name, content in [('t.tsr', token), ('data.bin', data),
                ('ca.pem', certificate_pem.encode())]:
            paths[name] = os.path.join(directory, name)
            with open(paths[name], 'wb') as file:
                file.write(content)
        result = subprocess.run(['openssl', 'ts', '-verify', '-token_in',
                '-in', paths['t.tsr'], '-data', paths['data.bin'],
                '-CAfile', paths['ca.pem']],
            capture_output=True, text=True, timeout=30)
        return result.stdout + result.stderr


class TimestampTestCase(EgovDocumentTestCase):

    def stamps(self, incoming):
        Timestamp = Pool().get('egov.document.timestamp')
        return Timestamp.search([('incoming', '=', incoming.id)],
            order=[('id', 'ASC')])

    @with_transaction()
    def test_certificate_made_by_the_administrator(self):
        "The button makes a key (kept encrypted, never read) and a "
        "self-signed certificate whose only purpose is time-stamping"
        pool = Pool()
        Authority = pool.get('egov.document.tsa')
        org = document_org()
        authority, = Authority.create([{'name': '平台时间戳服务'}])
        self.assertFalse(authority.ready)
        with self.assertRaises(AccessError):
            with acting_as(org.zs_clerk):
                Authority.read([authority.id], ['name'])
        Authority.generate_certificate([authority])
        authority = Authority(authority.id)
        self.assertTrue(authority.ready)
        self.assertIsNone(Authority.read([authority.id],
                ['private_key'])[0]['private_key'])
        table = Authority.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.private_key))
        stored, = cursor.fetchone()
        self.assertTrue(stored.startswith('sm4gcm1$'))
        self.assertNotIn('PRIVATE KEY', stored)
        certificate, = rfc3161.load_certificates(authority.certificate)
        self.assertEqual(certificate.subject, certificate.issuer)
        self.assertTrue(certificate.self_signed)
        usage = [e for e in certificate['tbs_certificate']['extensions']
            if e['extn_id'].native == 'extended_key_usage']
        self.assertEqual(usage[0]['critical'].native, True)
        self.assertEqual(usage[0]['extn_value'].parsed.native,
            ['time_stamping'])
        self.assertIn('平台时间戳服务', authority.certificate_info)

    @with_transaction()
    def test_sign_for_stamps_body_and_attachments(self):
        "签收 stamps the body and each attachment; openssl verifies them"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        authority = own_tsa()
        incoming = pending_incoming(org)
        self.assertEqual(self.stamps(incoming), [])
        with acting_as(org.zs_clerk):
            Incoming.sign_for([incoming])
        stamps = self.stamps(incoming)
        self.assertEqual([(s.subject, s.name, s.state, s.event)
                for s in stamps], [
                ('body', '正文.docx', 'done', 'sign_for'),
                ('attachment', FILES[0][0], 'done', 'sign_for'),
                ('attachment', FILES[1][0], 'done', 'sign_for'),
                ])
        datas = [BODY] + [d for _, d in FILES]
        for stamp, data in zip(stamps, datas):
            self.assertEqual(stamp.digest, rfc3161.digest(data).hex())
            self.assertEqual(stamp.algorithm, 'sha256')
            self.assertEqual(stamp.tsa_name, '平台时间戳服务')
            self.assertLess(abs(stamp.gen_time - datetime.datetime.utcnow()),
                datetime.timedelta(minutes=1))
            stamp.verify(data)
        output = openssl_verify(stamps[0].token, BODY,
            authority.certificate)
        self.assertIn('Verification: OK', output)
        # A token for other data fails, with openssl and here
        output = openssl_verify(stamps[0].token, FILES[0][1],
            authority.certificate)
        self.assertIn('Verification: FAILED', output)
        with self.assertRaises(rfc3161.TimestampError) as cm:
            stamps[0].verify(FILES[0][1])
        self.assertEqual(cm.exception.code, 'other_data')
        # Registered next: nothing changed, nothing stamped again
        with acting_as(org.zs_clerk):
            Incoming.workflow_start([incoming])
        self.assertEqual(len(self.stamps(incoming)), 3)

    @with_transaction()
    def test_paper_registration_stamps(self):
        "The 登记 of a paper 收文 stamps what the clerk registered"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        own_tsa()
        with acting_as(org.zs_clerk):
            incoming, = Incoming.create([{
                        'title': '关于报送2026年度财政决算的通知',
                        'source_name': '宜春市财政局',
                        'body': BODY, 'body_name': '扫描件.docx',
                        }])
            self.assertEqual(incoming.origin, 'paper')
            Incoming.workflow_start([incoming])
            stamp, = self.stamps(incoming)
        self.assertEqual((stamp.event, stamp.state), ('register', 'done'))

    @with_transaction()
    def test_stamps_follow_the_document(self):
        "Another unit's clerk neither finds nor reads the stamps"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Timestamp = pool.get('egov.document.timestamp')
        org = document_org()
        own_tsa()
        incoming = pending_incoming(org)
        with acting_as(org.zs_clerk):
            Incoming.sign_for([incoming])
            mine = Timestamp.search([])
            self.assertEqual(len(mine), 3)
            Timestamp.read([s.id for s in mine], ['token', 'digest'])
            with self.assertRaises(AccessError):
                Timestamp.write(mine, {'digest': '00'})
        for other in [org.yz_clerk, org.city_clerk]:
            with acting_as(other):
                self.assertEqual(Timestamp.search([]), [])
                self.assertEqual(Timestamp.search_count(
                        [('digest', '!=', None)]), 0)
                with self.assertRaises(AccessError):
                    Timestamp.read([mine[0].id], ['token'])

    @with_transaction()
    def test_sm2_own_authority(self):
        "An SM2 authority stamps the SM3 digest (GB/T 35276 signature)"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        own_tsa('sm2')
        incoming = pending_incoming(org, attachments=[])
        with acting_as(org.zs_clerk):
            Incoming.sign_for([incoming])
        stamp, = self.stamps(incoming)
        self.assertEqual((stamp.state, stamp.algorithm), ('done', 'sm3'))
        self.assertEqual(stamp.digest, rfc3161.digest(BODY, 'sm3').hex())
        stamp.verify(BODY)
        with self.assertRaises(rfc3161.TimestampError):
            stamp.verify(BODY + b' ')

    @with_transaction()
    def test_external_authority_faults(self):
        """Down, slow, wrong nonce, other data, garbage, a rejection, an
        expired certificate: 签收 succeeds, the stamp waits with a Chinese
        reason and is asked again after twice the delay, until it is
        stamped"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Timestamp = pool.get('egov.document.timestamp')
        org = document_org()
        with FakeTSA() as fake:
            external_tsa(fake, retry_delay=60, max_tries=20)
            incoming = pending_incoming(org, attachments=[])
            fake.down('refuse')
            with acting_as(org.zs_clerk):
                Incoming.sign_for([incoming])
            incoming = Incoming(incoming.id)
            self.assertEqual(incoming.receipt, 'received')
            stamp, = self.stamps(incoming)
            self.assertEqual((stamp.state, stamp.tries), ('pending', 0))
            # Not due yet: asked by the queue after commit, or the cron
            Timestamp.stamp_due()
            stamp = Timestamp(stamp.id)
            self.assertEqual((stamp.state, stamp.tries), ('pending', 1))
            self.assertEqual(stamp.error, '无法连接时间戳服务。')
            first = stamp.next_try - datetime.datetime.now()
            self.assertAlmostEqual(first.total_seconds(), 60, delta=5)
            # Not due: not asked
            Timestamp.stamp_due()
            self.assertEqual(Timestamp(stamp.id).tries, 1)
            fake.up()

            expected = [
                ('slow', '秒内没有应答'),
                ('wrong_nonce', '随机数不一致'),
                ('other_data', '不是本文件的数据'),
                ('garbage', '不是时间戳'),
                ('rejection', '拒绝了请求'),
                ('expired', '不在有效期内'),
                ]
            for tries, (mode, text) in enumerate(expected, 2):
                with self.subTest(mode=mode):
                    if mode == 'slow':
                        fake.slow(3)
                    else:
                        fake.slow(0)
                        fake.answer(mode)
                    Timestamp.write([stamp], {
                            'next_try': datetime.datetime.now()})
                    Timestamp.stamp_due()
                    stamp = Timestamp(stamp.id)
                    self.assertEqual((stamp.state, stamp.tries),
                        ('pending', tries))
                    self.assertIn(text, stamp.error)
                    self.assertIsNone(stamp.token)
            # Twice the delay each time, at most an hour
            delay = stamp.next_try - datetime.datetime.now()
            self.assertAlmostEqual(delay.total_seconds(), 3600, delta=5)

            fake.answer('ok')
            Timestamp.write([stamp], {'next_try': datetime.datetime.now()})
            Timestamp.stamp_due()
            stamp = Timestamp(stamp.id)
            self.assertEqual(stamp.state, 'done', msg=stamp.error)
            self.assertIsNone(stamp.error)
            self.assertIn('Verification: OK',
                openssl_verify(stamp.token, BODY, fake.certificate_pem))

    @with_transaction()
    def test_external_authority_gives_up_and_tells(self):
        "After the last try the stamp fails and the clerk is told"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Timestamp = pool.get('egov.document.timestamp')
        org = document_org()
        with FakeTSA() as fake:
            external_tsa(fake, max_tries=2)
            incoming = pending_incoming(org, attachments=[])
            fake.answer('garbage')
            with acting_as(org.zs_clerk):
                Incoming.sign_for([incoming])
            stamp, = self.stamps(incoming)
            Timestamp.stamp([stamp])
            Timestamp.stamp([stamp])
            stamp = Timestamp(stamp.id)
            self.assertEqual((stamp.state, stamp.tries), ('failed', 2))
            notifications = Transaction().user_notifications
            told, = [n for n in notifications
                if int(n.user) == org.zs_clerk.id]
            self.assertEqual(told.label, '收文时间戳未能取得')
            self.assertIn('签收本身已保存', told.description)
            # The clerk asks again once the authority is back
            fake.answer('ok')
            with acting_as(org.zs_clerk):
                Timestamp.retry([stamp])
            self.assertEqual(Timestamp(stamp.id).state, 'done')

    @with_transaction()
    def test_own_certificate_expired(self):
        "An expired own certificate stamps nothing; the receipt is kept"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        past = rfc3161.utcnow() - datetime.timedelta(days=800)
        key, certificate = rfc3161.generate('rsa', '旧证书', '测试', years=1,
            now=past)
        Authority = pool.get('egov.document.tsa')
        Authority.create([{'name': '平台时间戳服务', 'kind': 'own',
                    'private_key': key,
                    'certificate': rfc3161.pem(certificate)}])
        incoming = pending_incoming(org, attachments=[])
        with acting_as(org.zs_clerk):
            Incoming.sign_for([incoming])
        self.assertEqual(Incoming(incoming.id).receipt, 'received')
        stamp, = self.stamps(incoming)
        self.assertEqual(stamp.state, 'pending')
        self.assertIn('证书已过期', stamp.error)

    @with_transaction()
    def test_garbage_requests_to_the_own_authority(self):
        "Our authority rejects what is not a request, and says so"
        own_tsa()
        authority = Pool().get('egov.document.tsa').current()
        signer = authority.signer()
        for data in [b'', b'\x30\x03\x02\x01\x01', b'x' * 9000,
                rfc3161.make_request(b'short', 'sha256')]:
            answer = rfc3161.TimeStampResp.load(
                signer.respond(data, 1))
            self.assertEqual(answer['status']['status'].native,
                'rejection')

    @with_transaction()
    def test_receipt_laid_out_by_the_unit(self):
        "The printed receipt has the unit's fields in its order and places"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Layout = pool.get('egov.document.receipt.layout')
        Receipt = pool.get('egov.document.receipt', type='report')
        org = document_org()
        own_tsa()
        incoming = pending_incoming(org, attachments=FILES[:1])
        with acting_as(org.zs_clerk):
            Incoming.sign_for([incoming])
            # The clerk lays out the receipt of their unit
            Layout.create([{
                        'name': '财政局收文回执', 'title': '时间戳凭证',
                        'lines': [('create', [
                                    {'field': 'number', 'position': 'top',
                                        'sequence': 1},
                                    {'field': 'serial', 'label': '凭证编号',
                                        'sequence': 3},
                                    {'field': 'title', 'sequence': 2},
                                    {'field': 'received_by',
                                        'position': 'bottom',
                                        'sequence': 4},
                                    ])],
                        }])
            oext, content, _, name = Receipt.execute([incoming.id], {})
        self.assertEqual(oext, 'odt')
        text = odt_text(content)
        stamps = self.stamps(incoming)
        self.assertEqual(text[:5], [
                '时间戳凭证',
                '来文字号：袁教体字〔2026〕1号',
                '标题：', incoming.title,
                '凭证编号：'])
        self.assertEqual(text[5:7], [s.serial for s in stamps])
        self.assertEqual(text[7], '签收人：韩梅')
        # Another unit cannot lay out the clerk's unit's receipts
        with acting_as(org.yz_clerk):
            layout, = Layout.search([('unit', '=', org.zs_finance.id)])
            with self.assertRaises(AccessError):
                Layout.write([layout], {'title': '改'})
            # nor print a 收文 it may not read
            with self.assertRaises(AccessError):
                Receipt.execute([incoming.id], {})

    @with_transaction()
    def test_default_receipt(self):
        "Without a layout: 文号, 标题, 来文单位, 签收人, 签收时间, the stamps"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Receipt = pool.get('egov.document.receipt', type='report')
        org = document_org()
        own_tsa()
        incoming = pending_incoming(org, attachments=[])
        with acting_as(org.zs_clerk):
            Incoming.sign_for([incoming])
            _, content, _, _ = Receipt.execute([incoming.id], {})
        text = odt_text(content)
        stamp, = self.stamps(incoming)
        for expected in ['收文回执', '文号：袁教体字〔2026〕1号', '来文单位：',
                '袁州区教育体育局', '签收人：', '韩梅', '签收时间：',
                '时间戳时间：', '序列号：', stamp.serial, '摘要值：',
                'SHA256 ' + stamp.digest, '时间戳服务：平台时间戳服务']:
            self.assertIn(expected, text)

    @with_transaction()
    def test_own_authority_speed(self):
        "200 stamps of the own authority: p95 under 50 ms"
        pool = Pool()
        Timestamp = pool.get('egov.document.timestamp')
        org = document_org()
        own_tsa()
        incoming = pending_incoming(org, attachments=[])
        stamp, = Timestamp.receive([incoming], 'sign_for')
        timings = []
        for _ in range(200):
            Timestamp.write([stamp], {'state': 'pending'})
            start = time.perf_counter()
            Timestamp.stamp([stamp])
            timings.append(time.perf_counter() - start)
        self.assertEqual(Timestamp(stamp.id).state, 'done')
        timings.sort()
        p50 = statistics.median(timings) * 1000
        p95 = timings[int(len(timings) * 0.95) - 1] * 1000
        print("\nown TSA (RSA-3072), 200 stamps: p50 %.1f ms, p95 %.1f ms"
            % (p50, p95))
        self.assertLess(p95, 50)


def odt_text(content):
    "The paragraphs of an ODT document, in order"
    from lxml import etree
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        root = etree.fromstring(archive.read('content.xml'))
    ns = {'text': 'urn:oasis:names:tc:opendocument:xmlns:text:1.0'}
    return [''.join(p.itertext()) for p in root.iterfind('.//text:p', ns)]


