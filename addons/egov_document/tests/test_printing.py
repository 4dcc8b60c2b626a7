"""The print forms (打印): 收文处理单 and 发文稿纸 with each step's opinion in
its box and the handwritten signature drawn on the phone next to the
name; ODT by default, PDF by LibreOffice; printing is a read, refused to
whoever cannot read the document."""
import io
import os
import re
import zipfile

from lxml import etree

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, numbering_rule)

NS = {
    'table': 'urn:oasis:names:tc:opendocument:xmlns:table:1.0',
    'draw': 'urn:oasis:names:tc:opendocument:xmlns:drawing:1.0',
    'xlink': 'http://www.w3.org/1999/xlink',
    }
# Where a test leaves what it printed for a person to look at
ARTEFACTS = os.environ.get('EGOV_ARTEFACTS', '/tmp')
os.makedirs(ARTEFACTS, exist_ok=True)


def signature_png(seed=0):
    "A handwritten stroke as the phone's signature pad sends it"
    from PIL import Image, ImageDraw
    image = Image.new('RGBA', (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(20 + i * 8, 60 + ((i * 37 + seed) % 50) - 25)
        for i in range(40)]
    draw.line(points, fill=(0, 0, 0, 255), width=6)
    data = io.BytesIO()
    image.save(data, 'PNG')
    return data.getvalue()


def odt_cells(data):
    """The table cells of an ODT: [(text, [image parts])], and the files
    of the package"""
    package = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(package.read('content.xml'))
    cells = []
    for cell in root.iterfind('.//table:table-cell', NS):
        images = [i.get('{%s}href' % NS['xlink'])
            for i in cell.iterfind('.//draw:image', NS)]
        cells.append((''.join(cell.itertext()), images))
    title = ''.join(root.find('.//{%s}p' % (
                'urn:oasis:names:tc:opendocument:xmlns:text:1.0')).itertext())
    return title, cells, package


def cell_after(cells, label):
    "The value cell right of a label"
    for i, (text, _) in enumerate(cells):
        if text.replace('　', '').replace(' ', '') == label:
            return cells[i + 1]
    raise AssertionError('no cell %s' % label)


def resave_in_libreoffice(data):
    "Open an ODT in LibreOffice and save it again, as an editor would"
    import subprocess
    import tempfile
    from egov_base.search.extract import soffice_profile
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, 'form.odt')
        with open(source, 'wb') as file:
            file.write(data)
        lock, profile = soffice_profile()
        try:
            subprocess.run(['soffice', '--headless', '--norestore',
                    '-env:UserInstallation=file://' + profile,
                    '--convert-to', 'odt:writer8', '--outdir',
                    os.path.join(directory, 'out'), source],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=120, check=True)
        finally:
            lock.close()
        with open(os.path.join(directory, 'out', 'form.odt'), 'rb') as file:
            return file.read()


class PrintingTestCase(DocumentHelpers, EgovDocumentTestCase):

    def decide(self, user, document, text=None, signature=None, data=None):
        "user does their to-do of document, signing on the pad"
        document = document.__class__(document.id)
        with acting_as(user):
            task, = self.open_tasks(user, document)
            task.decide('approve', text, signature=signature, data=data)

    def print_form(self, user, document, pdf=False):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        name = document.__name__.split('.')[-1]
        action = ModelData.get_id('egov_document', 'report_%s_form%s' % (
                name, '_pdf' if pdf else ''))
        Report = pool.get(document.__name__ + '.form', type='report')
        with acting_as(user):
            return Report.execute([document.id], {'action_id': action})

    def handled_incoming(self, org):
        "A paper 收文 of 樟树市财政局 to 办结; 钱峰 signs his 批示 on the phone"
        Incoming = Pool().get('egov.document.incoming')
        with acting_as(org.zs_clerk):
            incoming, = Incoming.create([{
                        'title': '关于做好2027年度预算编制工作的通知',
                        'source_name': '宜春市财政局',
                        'source_number': '宜财预〔2026〕18号',
                        'secrecy': 'none',
                        'urgency': 'urgent',
                        }])
            Incoming.workflow_start([incoming])
        self.decide(org.zs_clerk, incoming)                         # 登记
        self.decide(org.zs_office_head, incoming, '请钱局长阅示。')   # 拟办
        self.decide(org.zs_head, incoming, '请办公室抓紧办理。',       # 批办
            signature=signature_png(),
            data={'handlers': [org.zs_finance_office.id]})
        self.decide(org.zs_office_head, incoming, '已按要求编制完毕。')  # 承办
        self.decide(org.zs_clerk, incoming)                         # 办结
        return Incoming(incoming.id)

    @with_transaction()
    def test_incoming_form(self):
        "收文处理单: registration data, each opinion in its box, signature"
        org = document_org()
        incoming = self.handled_incoming(org)
        oext, data, _, name = self.print_form(org.zs_clerk, incoming)
        self.assertEqual(oext, 'odt')
        self.assertIn('收文处理单', name)
        title, cells, package = odt_cells(data)
        self.assertEqual(title, '樟树市财政局收文处理单')
        year = incoming.received_date.year
        for label, expected in [
                ('来文单位', '宜春市财政局'),
                ('来文字号', '宜财预〔2026〕18号'),
                ('收文编号', '收〔%d〕1号' % year),
                ('紧急程度', '加急'),
                ('标题', '关于做好2027年度预算编制工作的通知'),
                ('承办部门', org.zs_finance_office.name),
                ]:
            with self.subTest(label=label):
                self.assertEqual(cell_after(cells, label)[0], expected)
        self.assertRegex(cell_after(cells, '收文日期')[0],
            r'^%d年\d+月\d+日$' % year)
        self.assertEqual(cell_after(cells, '密级')[0], '')

        proposal, images = cell_after(cells, '拟办意见')
        self.assertIn('请钱局长阅示。', proposal)
        self.assertIn('孙丽', proposal)
        self.assertRegex(proposal, r'%d年\d+月\d+日 \d\d:\d\d' % year)
        self.assertEqual(images, [])
        # The signature next to 钱峰's name, in the box of his 批示
        instruction, images = cell_after(cells, '领导批示')
        self.assertIn('请办公室抓紧办理。', instruction)
        self.assertIn('钱峰', instruction)
        self.assertEqual(len(images), 1)
        self.assertEqual(package.read(images[0]), signature_png())
        self.assertIn('已按要求编制完毕。', cell_after(cells, '承办结果')[0])
        self.assertIn('办结。', cell_after(cells, '办结情况')[0])

    @with_transaction()
    def test_incoming_form_pdf(self):
        "The PDF by LibreOffice shows the Chinese text and the signature"
        import pypdfium2
        from pdfminer.high_level import extract_text
        org = document_org()
        incoming = self.handled_incoming(org)
        oext, data, _, _ = self.print_form(org.zs_head, incoming, pdf=True)
        self.assertEqual(oext, 'pdf')
        self.assertTrue(data.startswith(b'%PDF'))
        # pdfminer puts spaces between Chinese and Latin letters or digits
        text = extract_text(io.BytesIO(data)).replace(' ', '')
        for expected in ['樟树市财政局收文处理单', '领导批示',
                '请办公室抓紧办理。', '钱峰', '宜财预〔2026〕18号']:
            self.assertIn(expected, text)
        pdf = pypdfium2.PdfDocument(data)
        self.assertEqual(len(pdf), 1)
        page = pdf[0]
        # The signature is drawn as an image on the page
        self.assertEqual(len(list(page.get_objects(
                        filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]))), 1)
        page.render(scale=1.5).to_pil().save(
            os.path.join(ARTEFACTS, 'print-incoming.png'))

    @with_transaction()
    def test_outgoing_form(self):
        "发文稿纸: 核稿, 会签 and 签发 in their boxes, the 发文's data"
        from egov_base.tests import upload_samples
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Attachment = pool.get('ir.attachment')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org, copies=40)
        with acting_as(org.secretary):
            Attachment.create([{
                        'name': '检查表.docx', 'resource': str(document),
                        'data': upload_samples.docx('自查表')}])
            Outgoing.workflow_start([document])
        self.decide(org.secretary, document)                       # 拟稿
        self.decide(org.office_head, document, '文字已核。')        # 核稿
        self.decide(org.bureau_head, document, '同意印发。',         # 签发
            signature=signature_png(7))
        self.decide(org.yz_clerk, document)                        # 编号
        document = Outgoing(document.id)

        oext, data, _, _ = self.print_form(org.secretary, document)
        title, cells, package = odt_cells(data)
        self.assertEqual(title, '袁州区教育体育局发文稿纸')
        signed, images = cell_after(cells, '签发')
        self.assertIn('同意印发。', signed)
        self.assertIn('宋涛', signed)
        self.assertEqual([package.read(i) for i in images],
            [signature_png(7)])
        self.assertIn('文字已核。', cell_after(cells, '核稿')[0])
        self.assertIn('朱婷', cell_after(cells, '核稿')[0])
        self.assertEqual(cell_after(cells, '会签')[0], '')
        for label, expected in [
                ('文号', document.number),
                ('密级', ''),
                ('印数', '40'),
                ('拟稿人', org.secretary.rec_name),
                ('主送', '樟树市财政局'),
                ('抄送', '宜春市人民政府办公室'),
                ('附件', '1．检查表'),
                ('标题', '关于开展2027年春季校园安全检查的通知'),
                ]:
            with self.subTest(label=label):
                self.assertEqual(cell_after(cells, label)[0], expected)
        self.assertTrue(re.match(r'袁教体字〔\d{4}〕1号', document.number))

        import pypdfium2
        from pdfminer.high_level import extract_text
        oext, data, _, _ = self.print_form(org.secretary, document, pdf=True)
        self.assertEqual(oext, 'pdf')
        text = extract_text(io.BytesIO(data)).replace(' ', '')
        for expected in ['袁州区教育体育局发文稿纸', '同意印发。', '宋涛',
                document.number]:
            self.assertIn(expected, text)
        pdf = pypdfium2.PdfDocument(data)
        pdf[0].render(scale=1.5).to_pil().save(
            os.path.join(ARTEFACTS, 'print-outgoing.png'))

    @with_transaction()
    def test_printing_is_a_read(self):
        "Who cannot read the document cannot print it, by button or report"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        document = self.outgoing(org)
        incoming = self.handled_incoming(org)
        # Its readers print it: the button opens the form's report
        with acting_as(org.secretary):
            self.assertEqual(Outgoing.print_form([document]),
                pool.get('ir.action').get_action_id(pool.get(
                        'ir.model.data').get_id(
                        'egov_document', 'report_outgoing_form')))
        self.print_form(org.secretary, document)
        # The other unit's people do not
        for user, record, Model in [
                (org.zs_clerk, document, Outgoing),
                (org.secretary, incoming, Incoming)]:
            with self.subTest(user=user.login, model=Model.__name__):
                with self.assertRaises(AccessError):
                    self.print_form(user, record)
                with self.assertRaises(AccessError):
                    self.print_form(user, record, pdf=True)
                with acting_as(user), self.assertRaises(AccessError):
                    Model.print_form([record])

    @with_transaction()
    def test_custom_template(self):
        """The template opened and saved in LibreOffice, its title changed
        and uploaded on the action, prints with the opinions and the
        signature in place, by the PDF action too"""
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        Report = pool.get('egov.document.incoming.form', type='report')
        org = document_org()
        incoming = self.handled_incoming(org)
        action = ActionReport(ModelData.get_id(
                'egov_document', 'report_incoming_form'))
        saved = zipfile.ZipFile(io.BytesIO(
                resave_in_libreoffice(action.report_content)))
        edited = io.BytesIO()
        with zipfile.ZipFile(edited, 'w') as odt:
            for item in saved.infolist():
                content = saved.read(item.filename)
                if item.filename == 'content.xml':
                    content, count = re.subn(rb'(<text:placeholder[^>]*>)'
                        rb'&lt;form.form_title&gt;',
                        '机关存档　'.encode() + rb'\1&lt;form.title&gt;',
                        content)
                    self.assertEqual(count, 1)
                odt.writestr(item, content)
        ActionReport.write([action], {
                'report_content_custom': edited.getvalue()})
        _, data, _, _ = self.print_form(org.zs_clerk, incoming)
        title, cells, package = odt_cells(data)
        self.assertEqual(title, '机关存档　' + incoming.title)
        instruction, images = cell_after(cells, '领导批示')
        self.assertIn('请办公室抓紧办理。', instruction)
        self.assertEqual([package.read(i) for i in images],
            [signature_png()])

        pdf_action = ActionReport(ModelData.get_id(
                'egov_document', 'report_incoming_form_pdf'))
        self.assertEqual(Report.template_action(pdf_action), action)
        # A server without LibreOffice says so, in Chinese
        path = os.environ['PATH']
        os.environ['PATH'] = ''
        try:
            with self.assertRaises(UserError) as cm:
                self.print_form(org.zs_clerk, incoming, pdf=True)
        finally:
            os.environ['PATH'] = path
        self.assertIn('LibreOffice', cm.exception.message)
        self.assertChinese(cm.exception.message.replace(
                'LibreOffice', '').replace('PDF', '').replace('ODT', ''))

    @with_transaction()
    def test_secrecy(self):
        """A classified 收文 prints its 密级★保密期限 for a cleared clerk; a
        clerk of the same office not cleared cannot print it"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Employee = pool.get('egov.org.employee')
        Post = pool.get('egov.org.post')
        ModelData = pool.get('ir.model.data')
        org = document_org()
        Employee.write([org.yz_clerk_employee],
            {'secrecy_clearance': 'confidential'})
        secretary_post, = Post.search([('name', '=', '文书')])
        Post.write([secretary_post], {'groups': [('add', [ModelData.get_id(
                            'egov_document', 'group_document_clerk')])]})
        with acting_as(org.yz_clerk):
            secret, = Incoming.create([{
                        'title': '关于调整边境防务部署的通知',
                        'source_name': '宜春军分区',
                        'secrecy': 'confidential',
                        'secrecy_years': 20,
                        }])
        _, data, _, _ = self.print_form(org.yz_clerk, secret)
        _, cells, _ = odt_cells(data)
        self.assertEqual(cell_after(cells, '密级')[0], '机密★20年')
        with self.assertRaises(AccessError):
            self.print_form(org.secretary, secret)
