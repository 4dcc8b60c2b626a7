"""公文二维条码 (PDF417 after GB0626-2005), the QR verification link and
扫码收文: the code printed on a 发文 reads back (zxing-cpp) to what the
发文 says; a clerk of a receiving unit scans it and the 收文 waiting in the
unit is signed for and its handling started; a paper document of another
organ is registered from its code; everything else is refused in Chinese
with nothing saved."""
import io
import random
import statistics
import time

from PIL import Image, ImageDraw, ImageFilter

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, numbering_rule)

OTHER_ORGAN = ('GB0626-2005^20260000000000000088^江西省人民政府办公厅^通知^'
    '赣府厅字〔2026〕88号^各设区市人民政府^关于进一步加强冬春季森林防灭火工作'
    '的通知^无^特急^2026-11-20^120^江西省人民政府办公厅^|')


def photo(png, size=(1600, 1200), angle=3, seed=7):
    """A phone photo of a printed code: the code on a lit, noisy page,
    turned a little, softened, saved as JPEG"""
    rng = random.Random(seed)
    code = Image.open(io.BytesIO(png)).convert('L')
    code = code.resize((code.width * 2, code.height * 2), Image.NEAREST)
    page = Image.new('L', size, 200)
    draw = ImageDraw.Draw(page)
    for x in range(0, size[0], 4):
        # Uneven light across the page
        draw.line([(x, 0), (x, size[1])], fill=170 + 60 * x // size[0])
    for _ in range(20000):
        page.putpixel((rng.randrange(size[0]), rng.randrange(size[1])),
            rng.randrange(90, 256))
    code = code.rotate(angle, expand=True, fillcolor=255)
    page.paste(code, ((size[0] - code.width) // 2,
            (size[1] - code.height) // 3))
    page = page.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    page.save(out, format='JPEG', quality=85)
    return out.getvalue()


class BarcodeTestCase(DocumentHelpers, EgovDocumentTestCase):

    def dispatched(self, org, **values):
        "A 发文 of 袁州区教育体育局 to 樟树市财政局 (抄送 the city office)"
        Outgoing = Pool().get('egov.document.outgoing')
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org, copies=30, **values)
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        self.act(org.office_head, document)
        # (the sample body is no GB/T 9704 layout: its warning at 签发
        # is render/'s to test)
        with Transaction().set_context(_skip_warnings=True):
            self.act(org.bureau_head, document)
        for _ in range(3):                   # 编号, 用印, 分发
            self.act(org.yz_clerk, document)
        return Outgoing(document.id)

    def refused(self, user, method, value, *expected):
        "The scan of value by user is refused in Chinese, nothing saved"
        pool = Pool()
        Scan = pool.get('egov.document.scan')
        Incoming = pool.get('egov.document.incoming')
        before = Incoming.search([], count=True)
        with acting_as(user):
            with self.assertRaises(UserError) as cm:
                getattr(Scan, method)(value)
        message = cm.exception.message
        self.assertChinese(message)
        for text in expected:
            self.assertIn(text, message)
        self.assertEqual(Incoming.search([], count=True), before)
        return message

    @with_transaction()
    def test_pdf417_reads_back(self):
        "The PDF417 of a 发文, read by zxing-cpp, is its GB0626 data"
        import zxingcpp
        from egov_document.barcode import gb0626
        org = document_org()
        document = self.dispatched(org,
            title='关于开展“平安校园^创建|”活动的通知')
        png = document.barcode_pdf417
        image = Image.open(io.BytesIO(png))
        found, = zxingcpp.read_barcodes(image,
            formats=zxingcpp.BarcodeFormat.PDF417)
        data = bytes(found.bytes)
        self.assertTrue(data.endswith(b'^|'))
        text = data.decode('gb18030')
        self.assertEqual(text.split('^')[:12], [
                'GB0626-2005', text.split('^')[1], '袁州区教育体育局', '通知',
                document.number, '樟树市财政局',
                '关于开展“平安校园＾创建｜”活动的通知', '无', '无',
                document.signed_at.strftime('%Y-%m-%d'), '30',
                '袁州区教育体育局'])
        self.assertEqual(len(text.split('^')[1]), 20)
        self.assertEqual(gb0626.decode(data)['number'], document.number)
        # The renderer's images: the PDF417 then the QR code of the link
        (pdf417, width, label), (qr, qr_width, qr_label) = (
            document.render_first_page_images())
        self.assertEqual((label, qr_label), ('gb0626_pdf417', 'verify_qr'))
        self.assertTrue(40 < width < 70, width)
        link, = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr)))
        self.assertEqual(link.text, document.verify_url)
        self.assertIn('/egov/document/verify/' + document.verify_token,
            link.text)
        self.assertEqual(document.barcode_pdf417_name,
            '%s-二维条码.png' % document.number)

    def test_payload_bounds(self):
        "Elements are cut to their bytes at a character; 主送 too long"
        from egov_document.barcode import gb0626
        data = gb0626.encode({'organ': '宜' * 30, 'title': '标' * 100,
                'main': '、'.join(['某某县人民政府'] * 10),
                'secrecy': '机密★20年', 'urgency': '特急',
                'date': '2026-12-03', 'code_number': '1' * 20})
        values = gb0626.decode(data)
        self.assertEqual(values['organ'], '宜' * 20)
        self.assertEqual(values['title'], '标' * 80)
        self.assertEqual(values['main'], '见主送机关')
        self.assertEqual(values['number'], '')
        self.assertEqual(gb0626.secrecy_of(values['secrecy']),
            ('confidential', 20))
        # What a reader took for Latin-1 reads right again
        self.assertEqual(gb0626.decode(data.decode('latin-1')), values)
        for garbage in [b'\xff\xfe\x00', b'GB0626-2005^a^b^|',
                'https://example.com/', '^|' * 600]:
            with self.assertRaises(gb0626.PayloadError):
                gb0626.decode(garbage)

    @with_transaction()
    def test_token_and_digest(self):
        "The link's token is random and unique; the SM3 digest at 编号"
        from cryptography.hazmat.primitives import hashes
        from egov_base.tests import upload_samples
        Outgoing = Pool().get('egov.document.outgoing')
        org = document_org()
        body = upload_samples.docx('请各单位认真落实。')
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org, body=body, body_name='正文.docx')
        # 编号's hook alone (the whole process is test_flow's)
        document._step_number(None)
        document = Outgoing(document.id)
        self.assertTrue(document.number)
        digest = hashes.Hash(hashes.SM3())
        digest.update(body)
        self.assertEqual(document.body_digest, digest.finalize().hex())
        self.assertGreaterEqual(len(document.verify_token), 32)
        self.assertNotIn(str(document.id), document.verify_token[:3])
        # A copy (of a draft: a document in its process is not copied)
        # has a token of its own
        draft = self.outgoing(org, title='关于报送年度工作总结的通知')
        with acting_as(org.secretary):
            copy, = Outgoing.copy([draft])
        self.assertEqual(len({copy.verify_token, draft.verify_token,
                    document.verify_token}), 3)
        self.assertIsNone(copy.body_digest)

    @with_transaction()
    def test_scan_signs_for_and_starts(self):
        "A clerk of a recipient scans the photo: signed for, started"
        pool = Pool()
        Scan = pool.get('egov.document.scan')
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        document = self.dispatched(org)
        image = photo(document.barcode_pdf417)
        with acting_as(org.zs_clerk):
            answer = Scan.receive_image(image)
            self.assertEqual(answer['action'], 'signed')
            incoming = Incoming(answer['id'])
            self.assertEqual(incoming.unit, org.zs_finance)
            self.assertEqual(incoming.outgoing, document)
            self.assertEqual(incoming.receipt, 'received')
            self.assertEqual(incoming.received_by, org.zs_clerk)
            self.assertTrue(incoming.received_at)
            self.assertEqual(incoming.workflow_state, 'running')
            self.assertEqual(incoming.registrar, org.zs_clerk)
            self.assertIn(document.number, answer['message'])
            self.assertChinese(answer['message'])
        # The handling went on to the clerk's 登记
        self.act(org.zs_clerk, incoming)
        # Scanned again: when and by whom
        self.refused(org.zs_clerk, 'receive_image', image, document.number,
            '韩梅', incoming.received_at.strftime('%Y-%m-%d %H:%M'))

    @with_transaction()
    def test_scan_qr_link(self):
        "The QR code's link, read by the phone, signs for the same way"
        pool = Pool()
        Scan = pool.get('egov.document.scan')
        org = document_org()
        document = self.dispatched(org)
        with acting_as(org.city_clerk):
            answer = Scan.receive_text(document.verify_url)
        self.assertEqual(answer['action'], 'signed')
        self.refused(org.city_clerk, 'receive_text',
            document.verify_url[:-4] + 'AAAA', '本平台没有')

    @with_transaction()
    def test_scan_not_recipient(self):
        "A unit that is no recipient is refused by name, nothing saved"
        org = document_org()
        document = self.dispatched(org)
        self.refused(org.yz_clerk, 'receive_text',
            document.gb0626_payload().decode('gb18030'),
            '袁州区教育体育局不是', document.number, '主送或抄送')
        # Nor someone who is no clerk
        self.refused(org.zs_office_head, 'receive_text',
            document.verify_url, '收发员')

    @with_transaction()
    def test_scan_registers_paper(self):
        "A document of another organ is registered from its code"
        pool = Pool()
        Scan = pool.get('egov.document.scan')
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        with acting_as(org.zs_clerk):
            answer = Scan.receive_text(OTHER_ORGAN)
            self.assertEqual(answer['action'], 'registered')
            incoming = Incoming(answer['id'])
            self.assertEqual((incoming.source_name, incoming.source_number,
                    incoming.urgency, incoming.origin, incoming.copies,
                    incoming.unit), ('江西省人民政府办公厅',
                    '赣府厅字〔2026〕88号', 'very_urgent', 'paper', 120,
                    org.zs_finance))
            self.assertEqual(incoming.workflow_state, 'running')
            self.assertEqual(incoming.received_by, org.zs_clerk)
        self.refused(org.zs_clerk, 'receive_text', OTHER_ORGAN,
            '赣府厅字〔2026〕88号', '已由樟树市财政局收文')
        # Another unit receives its own copy
        with acting_as(org.yz_clerk):
            self.assertEqual(Scan.receive_text(OTHER_ORGAN)['action'],
                'registered')

    @with_transaction()
    def test_scan_bad_input(self):
        "Garbage, no picture, a huge one, a picture without a code"
        org = document_org()
        clerk = org.zs_clerk
        self.refused(clerk, 'receive_text', '你好，世界', '不是公文二维条码')
        self.refused(clerk, 'receive_text', 'x' * 5000, '不是公文二维条码')
        self.refused(clerk, 'receive_image', b'%PDF-1.7 not a picture',
            '不是图片')
        huge = io.BytesIO()
        Image.new('1', (10000, 8000), 1).save(huge, format='PNG')
        self.refused(clerk, 'receive_image', huge.getvalue(), '图片过大')
        self.refused(clerk, 'receive_image', b'\xff' * (11 * 2 ** 20),
            '图片过大')
        blank = io.BytesIO()
        Image.new('L', (800, 600), 220).save(blank, format='JPEG')
        self.refused(clerk, 'receive_image', blank.getvalue(), '没有识别到条码')

    @with_transaction()
    def test_scan_classified_needs_clearance(self):
        "A 机密 document is signed for only by a cleared clerk"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Employee = pool.get('egov.org.employee')
        Scan = pool.get('egov.document.scan')
        org = document_org()
        Unit.write([org.zs_finance, org.city_office],
            {'secrecy_clearance': 'confidential'})
        people = Employee.search([('user', 'in', [org.secretary.id,
                        org.office_head.id, org.bureau_head.id,
                        org.yz_clerk.id])])
        Employee.write(people, {'secrecy_clearance': 'confidential'})
        document = self.dispatched(org, secrecy='confidential')
        payload = document.gb0626_payload().decode('gb18030')
        self.assertIn('^机密★20年^', payload)
        message = self.refused(org.zs_clerk, 'receive_text', payload,
            '密级高于')
        # Its verification page: that it exists and its number, no more
        from egov_document.barcode.routes import verify_answer
        status, _, _, rows, note = verify_answer(document)
        self.assertEqual((status, rows, note),
            (200, [('number', document.number)], 'classified'))
        self.assertNotIn(document.title, message)
        zs_clerk_employee, = Employee.search([('user', '=', org.zs_clerk)])
        Employee.write([zs_clerk_employee],
            {'secrecy_clearance': 'confidential'})
        with acting_as(org.zs_clerk):
            self.assertEqual(Scan.receive_text(payload)['action'], 'signed')

    def test_verify_rate(self):
        "An address asks the verification page at most 60 times a minute"
        from egov_document.barcode import routes
        answers = [routes._allowed('192.0.2.7') for _ in range(61)]
        self.assertEqual(answers, [True] * 60 + [False])
        self.assertTrue(routes._allowed('192.0.2.8'))

    def test_decode_speed(self):
        "A 1600×1200 photo of the code is read in under 200 ms"
        from egov_document.barcode import codes, gb0626
        payload = gb0626.encode({'code_number': '20260000000000000042',
                'organ': '宜春市人民政府办公室', 'kind': '通知',
                'number': '宜府办字〔2026〕128号',
                'main': '各县（市、区）人民政府，市政府各部门',
                'title': '关于做好2027年元旦春节期间安全生产工作的通知',
                'secrecy': '无', 'urgency': '急件', 'date': '2026-12-03',
                'copies': '120', 'printer': '宜春市人民政府办公室'})
        image = photo(codes.pdf417_png(payload)[0])
        times = []
        for _ in range(5):
            start = time.perf_counter()
            found = codes.read(image)
            times.append(time.perf_counter() - start)
            self.assertEqual(found, [payload])
        median = statistics.median(times)
        print('decode 1600x1200 JPEG: median %.1f ms, max %.1f ms' % (
                median * 1000, max(times) * 1000))
        self.assertLess(median, 0.2)
