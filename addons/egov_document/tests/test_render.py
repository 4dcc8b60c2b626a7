"""GB/T 9704-2012: the 发文 rendered to .docx and measured, its PDF looked
at as an image, the layout check of an uploaded body with its one-click
fix and the warning at 签发, the per-unit 版头 kept by each unit's
administrators, and hostile bodies refused in Chinese."""
import datetime
import io
import os
import time

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from trytond.exceptions import UserError, UserWarning
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.notify_tools import run_queue
from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, kind,
    numbering_rule)

BODY = ['为切实做好春季校园安全工作，现就有关事项通知如下。',
    '一、工作目标', '（一）全面排查。', '1.各学校要按照要求开展自查。',
    '各单位要高度重视，认真组织，确保各项措施落到实处。']


def body_docx(paragraphs=BODY, size=16, face='仿宋_GB2312', margins=None,
        title=None):
    "A body as a drafter writes it in Word"
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, bottom, left, right = margins or (37, 35, 28, 26)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    if title:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(title)
        run.font.size = Pt(22)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(
            qn('w:eastAsia'), '宋体')
    for text in paragraphs:
        run = document.add_paragraph().add_run(text)
        run.font.size = Pt(size)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(
            qn('w:eastAsia'), face)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def table_body(size=14):
    """A body with a bold heading, a bold and an italic run and a table
    (its header in bold, a merged total row), in 14 pt: findings at 签发"""
    document = Document(io.BytesIO(body_docx(BODY[:1], size=size)))
    heading = document.add_paragraph().add_run(BODY[1])
    heading.bold = True
    paragraph = document.add_paragraph()
    for text, bold, italic in [('各单位要', False, False),
            ('高度重视', True, False), ('，', False, False),
            ('认真组织', False, True), ('，确保各项措施落到实处。', False, False)]:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
    table = document.add_table(rows=4, cols=3)
    for row, texts in zip(table.rows, TABLE):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    for cell in table.rows[0].cells:
        cell.paragraphs[0].runs[0].bold = True
    total = table.cell(3, 0).merge(table.cell(3, 1))
    total.text = '合计'
    document.add_paragraph(BODY[3])
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


TABLE = [['学校', '自查项目', '整改时限'],
    ['袁州区第一中学', '消防通道', '3月31日'],
    ['袁州区实验小学', '食堂卫生', '4月15日'],
    ['', '', '2项']]


def east_asia(run):
    return run._element.rPr.rFonts.get(qn('w:eastAsia'))


def paragraph_with(document, text):
    return next(p for p in document.paragraphs if text in p.text)


class RenderTestCase(DocumentHelpers, EgovDocumentTestCase):
    "LibreOffice converts once for the class: the PDF of one 签发"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.signing = with_transaction()(cls.sign_with_findings)()

    @classmethod
    def sign_with_findings(cls):
        """签发 of a body with findings, a table and bold runs: what the
        signer saw, the document before and after the queue ran"""
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Warning = pool.get('res.user.warning')
        # The helpers are the test case's: an instance runs them
        helper = cls('run')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        document = helper.outgoing(org, body=table_body(),
            body_name='正文.docx')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        helper.act(org.secretary, document)
        helper.act(org.office_head, document)
        result = {}
        try:
            helper.act(org.bureau_head, document)
        except UserWarning as warning:
            result['warning'] = warning.message
            Warning.create([{'user': org.bureau_head.id,
                        'name': warning.name}])
        result['signer_before'] = Outgoing(document.id).signer
        started = time.perf_counter()
        helper.act(org.bureau_head, document)
        result['sign_seconds'] = time.perf_counter() - started
        signed = Outgoing(document.id)
        result['signed'] = signed.signer == org.bureau_head
        result['queued'] = (signed.signed_pdf_state, signed.signed_pdf)
        started = time.perf_counter()
        run_queue()
        result['queue_seconds'] = time.perf_counter() - started
        signed = Outgoing(document.id)
        Wizard = pool.get('egov.document.format.check', type='wizard')
        session_id, _, _ = Wizard.create()
        with Transaction().set_context(active_model=Outgoing.__name__,
                active_id=signed.id, active_ids=[signed.id]):
            result['fixable'] = Wizard(session_id).default_start(
                None)['fixable']
        result.update(state=signed.signed_pdf_state,
            pdf=signed.signed_pdf and bytes(signed.signed_pdf),
            pdf_name=signed.signed_pdf_name,
            docx=signed.render_docx())
        return result

    def signed_document(self, org, **values):
        "A 上行文 signed by 宋涛 and numbered, with a body"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        numbering_rule(org.yz_edu, '袁教体字')
        values.setdefault('body', body_docx())
        values.setdefault('body_name', '正文.docx')
        secrecy = values.pop('secrecy', 'confidential')
        if secrecy != 'none':
            pool.get('egov.org.unit').write(
                [org.zs_finance, org.city_office],
                {'secrecy_clearance': secrecy})
        document = self.outgoing(org, urgency='urgent',
            note='联系人：胡军，电话：0795-3221234', **values)
        # 胡军 may not draft a 机密 document: the test gives the level
        Outgoing.write([document], {'secrecy': secrecy, 'secrecy_years': 1,
                'signer': org.bureau_head.id,
                'signed_at': datetime.datetime(2026, 12, 3, 9),
                'number': '袁教体字〔2026〕12号'})
        return Outgoing(document.id)

    @with_transaction()
    def test_docx_measurements(self):
        "The .docx as GB/T 9704 measures it: page, grid, faces, sizes, red"
        Outgoing = Pool().get('egov.document.outgoing')
        org = document_org()
        document = self.signed_document(org)
        # Rendered by the root user: nobody of the test is cleared for 机密
        Outgoing.render_layout([document])
        document = Outgoing(document.id)
        self.assertEqual(document.rendered_body_name,
            '袁教体字〔2026〕12号.docx')
        rendered = Document(io.BytesIO(document.rendered_body))

        section = rendered.sections[0]
        # A4 and the margins in twips (1 mm = 56.7 twips), 版心 156 × 225
        self.assertEqual((section.page_width.twips,
                section.page_height.twips), (11906, 16838))
        self.assertEqual([round(m.twips) for m in (section.top_margin,
                    section.bottom_margin, section.left_margin,
                    section.right_margin)], [2098, 1984, 1587, 1474])
        grid = section._sectPr.find(qn('w:docGrid'))
        self.assertEqual(grid.get(qn('w:type')), 'linesAndChars')
        pitch = int(grid.get(qn('w:linePitch')))
        space = int(grid.get(qn('w:charSpace')))
        height = Emu(section.page_height - section.top_margin
            - section.bottom_margin).twips
        width = Emu(section.page_width - section.left_margin
            - section.right_margin) / Pt(1)
        self.assertEqual(height // pitch, 22)
        self.assertEqual(int(width // (16 + space / 4096)), 28)
        self.assertEqual((pitch, space), (579, -848))

        copy_no = rendered.paragraphs[0]
        self.assertEqual(copy_no.text, '000001')
        self.assertEqual(east_asia(copy_no.runs[0]), '黑体')
        self.assertEqual(copy_no.runs[0].font.size, Pt(16))
        secrecy = rendered.paragraphs[1]
        self.assertEqual(secrecy.text, '机密★1年')
        self.assertEqual(east_asia(secrecy.runs[0]), '黑体')
        self.assertEqual(rendered.paragraphs[2].text, '加急')

        mark = paragraph_with(rendered, '袁州区教育体育局文件')
        self.assertEqual(mark.alignment, WD_ALIGN_PARAGRAPH.CENTER)
        self.assertEqual(east_asia(mark.runs[0]), '方正小标宋简体')
        self.assertEqual(str(mark.runs[0].font.color.rgb), 'FF0000')

        # The red line under the 发文字号, 4 mm down (11 pt)
        number = paragraph_with(rendered, '袁教体字〔2026〕12号')
        line = number._p.pPr.find(qn('w:pBdr')).find(qn('w:bottom'))
        self.assertEqual(line.get(qn('w:color')), 'FF0000')
        self.assertEqual(line.get(qn('w:space')), '11')

        title = paragraph_with(rendered, '春季校园安全检查')
        self.assertEqual(title.alignment, WD_ALIGN_PARAGRAPH.CENTER)
        self.assertEqual(title.runs[0].font.size, Pt(22))
        self.assertEqual(east_asia(title.runs[0]), '方正小标宋简体')

        recipients = paragraph_with(rendered, '樟树市财政局：')
        self.assertEqual(recipients.text, '樟树市财政局：')
        self.assertIsNone(recipients.paragraph_format.first_line_indent)

        for text, face in [(BODY[0], '仿宋_GB2312'), (BODY[1], '黑体'),
                (BODY[2], '楷体_GB2312'), (BODY[3], '仿宋_GB2312')]:
            paragraph = paragraph_with(rendered, text)
            with self.subTest(text=text):
                run = paragraph.runs[0]
                self.assertEqual(east_asia(run), face)
                self.assertEqual(run._element.rPr.rFonts.get(qn('w:ascii')),
                    face)
                self.assertEqual(run.font.size, Pt(16))
                self.assertEqual(
                    paragraph.paragraph_format.first_line_indent, Pt(32))
                self.assertEqual(
                    paragraph.paragraph_format.line_spacing.twips, 579)

        date = paragraph_with(rendered, '2026年12月3日')
        self.assertEqual(date.text, '2026年12月3日')
        self.assertEqual(date.alignment, WD_ALIGN_PARAGRAPH.RIGHT)
        self.assertEqual(date.paragraph_format.right_indent, Pt(64))
        signature = [p for p in rendered.paragraphs
            if p.text == '袁州区教育体育局']
        self.assertEqual(len(signature), 1)
        self.assertIsNotNone(
            signature[0]._p.find(qn('w:bookmarkStart')))  # the seal
        note = paragraph_with(rendered, '联系人：胡军')
        self.assertEqual(note.text, '（联系人：胡军，电话：0795-3221234）')

        # 版记: 抄送 and 印发 in 4号仿宋, thick first and last rules
        imprint = rendered.tables[-1]
        copy_cell, issue_cell = [r.cells[0] for r in imprint.rows]
        self.assertEqual(copy_cell.text, '抄送：宜春市人民政府办公室。')
        self.assertRegex(issue_cell.text,
            r'^袁州区教育体育局\t\d{4}年\d{1,2}月\d{1,2}日印发$')
        self.assertEqual(copy_cell.paragraphs[0].runs[0].font.size, Pt(14))
        self.assertEqual(east_asia(copy_cell.paragraphs[0].runs[0]),
            '仿宋_GB2312')
        borders = copy_cell._tc.tcPr.find(qn('w:tcBorders'))
        self.assertEqual(borders.find(qn('w:top')).get(qn('w:sz')), '8')
        tblp = imprint._tbl.tblPr.find(qn('w:tblpPr'))
        self.assertEqual(tblp.get(qn('w:tblpYSpec')), 'bottom')

        # Page numbers: — 1 — in 4号宋体, odd right, even left
        self.assertTrue(rendered.settings.odd_and_even_pages_header_footer)
        odd = section.footer.paragraphs[0]
        even = section.even_page_footer.paragraphs[0]
        self.assertEqual(odd.alignment, WD_ALIGN_PARAGRAPH.RIGHT)
        self.assertEqual(even.alignment, WD_ALIGN_PARAGRAPH.LEFT)
        self.assertEqual(odd.text, '—  —')
        self.assertIn('PAGE', odd._p.xml)
        self.assertEqual(east_asia(odd.runs[0]), '宋体')
        self.assertEqual(odd.runs[0].font.size, Pt(14))

    @with_transaction()
    def test_upward_names_the_signer(self):
        "A 上行文 shows 签发人：宋涛 in 楷体 beside its number"
        Outgoing = Pool().get('egov.document.outgoing')
        org = document_org()
        document = self.signed_document(org, kind=kind('report').id,
            secrecy='none')
        with acting_as(org.secretary):
            Outgoing.render_layout([document])
        rendered = Document(io.BytesIO(
                Outgoing(document.id).rendered_body))
        number = paragraph_with(rendered, '签发人：')
        self.assertEqual(number.text,
            '\u3000袁教体字〔2026〕12号\t签发人：宋涛')
        self.assertEqual(east_asia(number.runs[-1]), '楷体_GB2312')

    @with_transaction()
    def test_layout_per_unit(self):
        """A unit's document administrator keeps its 版头; the other unit's
        neither sees nor changes it; the 发文 takes its unit's mark"""
        pool = Pool()
        Layout = pool.get('egov.document.layout')
        Outgoing = pool.get('egov.document.outgoing')
        Post = pool.get('egov.org.post')
        ModelData = pool.get('ir.model.data')
        org = document_org()
        admin = ModelData.get_id('egov_document', 'group_document_admin')
        Post.write([org.post_yz_clerk, org.post_zs_clerk],
            {'groups': [('add', [admin])]})
        with acting_as(org.yz_clerk):
            layout, = Layout.create([{'unit': org.yz_edu.id,
                        'mark': '袁州区教育体育局文件', 'color': 'E60012',
                        'issuer': '袁州区教育体育局办公室'}])
        with acting_as(org.zs_clerk):
            self.assertEqual(Layout.search([]), [])
            with self.assertRaises(UserError):
                Layout.write([layout], {'mark': '改'})
        document = self.signed_document(org, secrecy='none')
        with acting_as(org.secretary):
            Outgoing.render_layout([document])
        rendered = Document(io.BytesIO(
                Outgoing(document.id).rendered_body))
        mark = paragraph_with(rendered, '袁州区教育体育局文件')
        self.assertEqual(str(mark.runs[0].font.color.rgb), 'E60012')
        self.assertIn('袁州区教育体育局办公室',
            rendered.tables[-1].rows[-1].cells[0].text)
        # Refused changes last: the test's transaction keeps what a refused
        # call wrote before its check
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Layout.write([layout], {'color': 'red'})
            self.assertChinese(cm.exception.message)
            with self.assertRaises(UserError):
                Layout.create([{'unit': org.zs_finance.id,
                            'mark': '樟树市财政局文件'}])

    @with_transaction()
    def test_layout_template(self):
        "A unit's own Word 版头 with {{number}} filled in"
        pool = Pool()
        Layout = pool.get('egov.document.layout')
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        head = Document()
        head.add_paragraph('袁州区教育体育局红头')
        head.add_paragraph('{{number}}')
        out = io.BytesIO()
        head.save(out)
        Layout.create([{'unit': org.yz_edu.id, 'mark': '袁州区教育体育局文件',
                    'template': out.getvalue(),
                    'template_name': '版头.docx'}])
        document = self.signed_document(org, secrecy='none')
        with acting_as(org.secretary):
            Outgoing.render_layout([document])
        rendered = Document(io.BytesIO(
                Outgoing(document.id).rendered_body))
        texts = [p.text for p in rendered.paragraphs]
        self.assertEqual(texts[0], '袁州区教育体育局红头')
        self.assertIn('袁教体字〔2026〕12号', texts)
        self.assertNotIn('袁州区教育体育局文件', texts)
        self.assertEqual(round(rendered.sections[0].top_margin.mm), 37)

    def test_pdf_first_page(self):
        """The PDF of 签发: A4, a red mark and line at the top, dark text
        in the body area (the first page is kept as render-page1.png in
        the artefacts to look at)"""
        import pypdfium2
        reader = pypdfium2.PdfDocument(self.signing['pdf'])
        try:
            width, height = reader[0].get_size()
            self.assertAlmostEqual(width / 72 * 25.4, 210, delta=0.5)
            self.assertAlmostEqual(height / 72 * 25.4, 297, delta=0.5)
            # 2 pixels a millimetre
            image = reader[0].render(scale=2 * 25.4 / 72).to_pil().convert(
                'RGB')
        finally:
            reader.close()
        # The evidence: the first page as an image (artefacts/<backend>)
        artefacts = os.environ.get('EGOV_ARTEFACTS', '/tmp')
        os.makedirs(artefacts, exist_ok=True)
        image.save(os.path.join(artefacts, 'render-page1.png'))

        def red(box):
            pixels = image.crop(box).get_flattened_data()
            return sum(1 for r, g, b in pixels if r > 200 and g < 80
                and b < 80)

        def dark(box):
            pixels = image.crop(box).get_flattened_data()
            return sum(1 for r, g, b in pixels if r < 128 and g < 128
                and b < 128)
        # The mark about 35 mm under the top of the 版心 (37 mm)
        self.assertGreater(red((56, 2 * 60, 2 * 184, 2 * 100)), 500)
        # The red line: one row nearly 版心 wide, between the mark and the
        # title
        rows = [sum(1 for x in range(2 * 28, 2 * 184)
                if image.getpixel((x, y))[0] > 200
                and image.getpixel((x, y))[1] < 80)
            for y in range(2 * 90, 2 * 140)]
        self.assertGreater(max(rows), 2 * 150)
        # Nothing red in the body, dark text there
        self.assertEqual(red((56, 2 * 160, 2 * 184, 2 * 255)), 0)
        self.assertGreater(dark((56, 2 * 160, 2 * 184, 2 * 255)), 1500)

    def test_pdf_conversion(self):
        """The queue made the signed PDF (its time is the benchmark's:
        tests/bench/operations_render.py); an unknown kind refused"""
        from egov_document.render.convert import ConversionError, to_pdf
        self.assertTrue(self.signing['pdf'].startswith(b'%PDF'))
        with self.assertRaises(ConversionError):
            to_pdf(b'PK', 'exe')

    @with_transaction()
    def test_findings_and_fix(self):
        """A body in 14 pt 宋体 with wrong margins: each deviation named in
        Chinese, then fixed in one click"""
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Wizard = pool.get('egov.document.format.check', type='wizard')
        org = document_org()
        document = self.outgoing(org, body=body_docx(size=14, face='宋体',
                margins=(25, 25, 30, 30),
                title='关于开展2027年春季校园安全检查的通知'),
            body_name='正文.docx')
        findings = document.format_findings()
        messages = [f['message'] for f in findings]
        self.assertIn('上页边距为25.0毫米，应为37毫米。', messages)
        self.assertIn('左页边距为30.0毫米，应为28毫米。', messages)
        self.assertIn('文档网格不是每页22行、每行28字。', messages)
        self.assertIn('标题字体为“宋体”，应为方正小标宋简体。', messages)
        self.assertIn('正文第3段字号为14磅，应为3号（16磅）。', messages)
        self.assertIn('正文第3段字体为“宋体”，应为黑体。', messages)
        self.assertIn('正文第2段行距为单倍，应为固定值28.95磅（每页22行）。',
            messages)
        for found in findings:
            self.assertEqual(found['category'], 'layout')
            self.assertChinese(found['message'])
        self.assertEqual({f['line'] for f in findings
                if f['rule'] == 'body_size'}, {2, 3, 4, 5, 6})

        with acting_as(org.secretary):
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            with Transaction().set_context(active_model=Outgoing.__name__,
                    active_id=document.id, active_ids=[document.id]):
                values = wizard.default_start(None)
                self.assertEqual(values['count'], len(findings))
                self.assertIn('正文第3段字号为14磅', values['findings'])
                self.assertEqual(wizard.transition_fix(), 'start')
        document = Outgoing(document.id)
        self.assertEqual(document.format_findings(), [])
        fixed = Document(io.BytesIO(document.body))
        self.assertEqual(fixed.paragraphs[2].runs[0].font.size, Pt(16))
        self.assertEqual(east_asia(fixed.paragraphs[2].runs[0]), '黑体')

    def test_sign_warns_then_goes_on(self):
        """签发 of a body with findings: a warning listing them; confirmed,
        the document is signed at once and its PDF queued; the worker
        makes and keeps it"""
        signing = self.signing
        self.assertIn('处不符合公文格式', signing['warning'])
        self.assertIn('正文第1段字号为14磅', signing['warning'])
        self.assertIsNone(signing['signer_before'])
        self.assertTrue(signing['signed'])
        # The signer does not wait for LibreOffice: 正在生成 until the queue
        self.assertEqual(signing['queued'], ('pending', None))
        self.assertEqual(signing['state'], 'done')
        self.assertTrue(signing['pdf'].startswith(b'%PDF-'))
        import pypdfium2
        reader = pypdfium2.PdfDocument(signing['pdf'])
        try:
            # The 版记 at the foot of the last page, an even one
            self.assertEqual(len(reader) % 2, 0)
            last = reader[len(reader) - 1].get_textpage()
            self.assertIn('印发', last.get_text_range())
            last.close()
        finally:
            reader.close()
        self.assertTrue(signing['pdf_name'].endswith('.pdf'))
        # The body is frozen: the format check offers no fix any more
        self.assertEqual(signing['fixable'], 0)

    @with_transaction()
    def test_signed_pdf_retried(self):
        """LibreOffice missing: the failure shows on the document, is tried
        again when due, and after the last try the signer is told and may
        ask again"""
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Queue = pool.get('ir.queue')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org, body=body_docx(),
            body_name='正文.docx')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        self.act(org.office_head, document)
        # The signer confirmed the findings
        pool.get('res.user.warning').create([{'user': org.bureau_head.id,
                    'name': 'egov_document_format_%s' % document.id}])
        self.act(org.bureau_head, document)
        self.assertEqual(Outgoing(document.id).signed_pdf_state, 'pending')
        path = os.environ['PATH']
        os.environ['PATH'] = ''
        try:
            run_queue()
            document = Outgoing(document.id)
            self.assertEqual((document.signed_pdf_state,
                    document.signed_pdf_tries), ('pending', 1))
            self.assertIn('LibreOffice', document.signed_pdf_error)
            self.assertChinese(document.signed_pdf_error.replace(
                    'LibreOffice', '').replace('PDF', ''))
            self.assertGreater(document.signed_pdf_next_try,
                datetime.datetime.now())
            # Not due yet: the cron leaves it
            Outgoing.make_signed_pdfs_due()
            self.assertEqual(Outgoing(document.id).signed_pdf_tries, 1)
            for tries in range(2, 6):
                Outgoing.write([document], {'signed_pdf_next_try':
                        datetime.datetime.now() - datetime.timedelta(
                            seconds=1)})
                Outgoing.make_signed_pdfs_due()
                self.assertEqual(Outgoing(document.id).signed_pdf_tries,
                    tries)
        finally:
            os.environ['PATH'] = path
        document = Outgoing(document.id)
        self.assertEqual(document.signed_pdf_state, 'failed')
        self.assertIsNone(document.signed_pdf)
        told, = [n for n in Transaction().user_notifications
            if int(n.user) == org.bureau_head.id]
        self.assertIn('重新生成PDF', told.description)
        self.assertChinese(told.description.replace(
                'LibreOffice', '').replace('PDF', ''))
        # Another unit's clerk may not ask again; its drafter may
        with acting_as(org.zs_clerk), self.assertRaises(UserError):
            Outgoing.make_signed_pdf([document])
        queued = Queue.search([], count=True)
        with acting_as(org.secretary):
            Outgoing.make_signed_pdf([document])
        document = Outgoing(document.id)
        self.assertEqual((document.signed_pdf_state,
                document.signed_pdf_tries), ('pending', 0))
        self.assertEqual(Queue.search([], count=True), queued + 1)

    def test_body_tables_and_bold(self):
        """The body's table (its merged cells, 3号仿宋, single rules, 版心
        wide) and its bold and italic runs come through to the .docx and
        the PDF"""
        import pypdfium2
        rendered = Document(io.BytesIO(self.signing['docx']))
        table = rendered.tables[0]
        self.assertEqual([[c.text for c in r.cells] for r in table.rows],
            TABLE[:3] + [['合计', '合计', '2项']])
        header = table.rows[0].cells[0].paragraphs[0].runs[0]
        self.assertTrue(header.bold)
        self.assertEqual(east_asia(header), '仿宋_GB2312')
        self.assertEqual(header.font.size, Pt(16))
        self.assertIsNone(table.rows[1].cells[0].paragraphs[0].runs[0].bold)
        self.assertEqual(table.rows[1].cells[0].paragraphs[0]
            .paragraph_format.line_spacing.twips, 579)
        grid = [int(c.get(qn('w:w'))) for c in table._tbl.tblGrid]
        self.assertAlmostEqual(sum(grid) / 56.7, 156, delta=1)
        borders = table._tbl.tblPr.find(qn('w:tblBorders'))
        self.assertEqual(borders.find(qn('w:insideV')).get(qn('w:val')),
            'single')
        heading = paragraph_with(rendered, BODY[1])
        self.assertTrue(heading.runs[0].bold)
        self.assertEqual(east_asia(heading.runs[0]), '黑体')
        runs = paragraph_with(rendered, '高度重视').runs
        self.assertEqual([(r.text, r.bold, r.italic) for r in runs], [
                ('各单位要', None, None), ('高度重视', True, None),
                ('，', None, None), ('认真组织', None, True),
                ('，确保各项措施落到实处。', None, None)])
        # The table between the paragraphs around it, as in the body
        after = paragraph_with(rendered, BODY[3])._p
        self.assertIs(table._tbl.getnext(), after)

        reader = pypdfium2.PdfDocument(self.signing['pdf'])
        try:
            text = ''.join(reader[i].get_textpage().get_text_range()
                for i in range(len(reader)))
            # The rules of the table are drawn: paths on its page
            page = next(reader[i] for i in range(len(reader))
                if '袁州区实验小学' in reader[i].get_textpage()
                .get_text_range())
            paths = len(list(page.get_objects(
                        filter=[pypdfium2.raw.FPDF_PAGEOBJ_PATH])))
        finally:
            reader.close()
        for cell in ['学校', '袁州区第一中学', '食堂卫生', '4月15日', '合计',
                '高度重视']:
            self.assertIn(cell, text.replace('\r\n', '').replace(' ', ''))
        self.assertGreaterEqual(paths, 1)

    @with_transaction()
    def test_hostile_bodies(self):
        """Not Word, encrypted, macros, a zip bomb, XXE: refused in
        Chinese at upload, or at rendering for what the upload keeps;
        nothing saved"""
        from egov_base.tests import upload_samples
        from egov_base.upload.attachment import TRUSTED
        from egov_document.render import body as body_file
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        encrypted = bytearray(upload_samples.ole())
        encrypted += 'EncryptedPackage'.encode('utf-16-le') + bytes(512)
        macros = add_part(body_docx(), 'word/vbaProject.bin', b'\x00' * 64)
        for name, data in [
                ('正文.docx', upload_samples.png()),
                ('正文.docx', upload_samples.docx_xxe()),
                ('正文.docx', upload_samples.ratio_bomb()),
                ('正文.docm', macros),
                ]:
            with self.subTest(name=name), self.assertRaises(UserError) as cm:
                self.outgoing(org, body=data, body_name=name)
            self.assertChinese(cm.exception.message)
        self.assertEqual(Outgoing.search([]), [])
        for data, expected in [(bytes(encrypted), '密码'), (macros, '宏')]:
            # What the upload keeps (an encrypted body is stored as it is)
            # or what came by another way: rendering refuses it
            with Transaction().set_context(**{TRUSTED: True}):
                document = self.outgoing(org, body=data,
                    body_name='正文.docx')
            with self.subTest(expected=expected):
                with acting_as(org.secretary), \
                        self.assertRaises(UserError) as cm:
                    Outgoing.render_layout([document])
                self.assertIn(expected, cm.exception.message)
                self.assertChinese(cm.exception.message)
                self.assertIsNone(Outgoing(document.id).rendered_body)
                finding, = document.format_findings()
                self.assertEqual(finding['rule'], 'unreadable')
        # A PDF body is kept, but is no text to lay out
        document = self.outgoing(org, body=upload_samples.pdf(),
            body_name='正文.pdf')
        with acting_as(org.secretary), self.assertRaises(UserError) as cm:
            Outgoing.render_layout([document])
        self.assertIn('另存为.docx', cm.exception.message)
        self.assertEqual(document.format_findings(), [])
        for data in [upload_samples.docx_xxe(),
                upload_samples.docx_billion_laughs(),
                upload_samples.ratio_bomb(), upload_samples.png()]:
            with self.assertRaises(UserError) as cm:
                body_file.open_docx(data, '正文.docx')
            self.assertIn('正文.docx', cm.exception.message)
            self.assertChinese(cm.exception.message)

    def test_fonts(self):
        """The faces a 公文 names resolve to the installed substitutes, and
        a licensed fonts folder comes into the configuration"""
        import os
        import subprocess
        import tempfile
        from egov_document.render.convert import fontconfig_file
        with tempfile.TemporaryDirectory() as folder:
            path = fontconfig_file(folder)
            with open(path) as file:
                self.assertIn('<dir>%s</dir>' % folder, file.read())
        env = dict(os.environ, FONTCONFIG_FILE=fontconfig_file(None))
        for face, expected in [('仿宋_GB2312', 'Noto Serif CJK SC'),
                ('方正小标宋简体', 'Noto Serif CJK SC:style=Bold'),
                ('黑体', 'Noto Sans CJK SC'),
                ('楷体_GB2312', 'AR PL KaitiM GB'),
                ('宋体', 'Noto Serif CJK SC')]:
            found = subprocess.run(['fc-match', '-f',
                    '%{family[0]}:style=%{style[0]}', face], env=env,
                capture_output=True, text=True, timeout=30).stdout
            with self.subTest(face=face):
                self.assertTrue(found.startswith(expected), msg=found)

    @with_transaction()
    def test_imprint_on_the_last_even_page(self):
        """The 版记 stands at the foot of an even last page, from the first
        conversion (the line estimate right: one LibreOffice run), where
        the text ends on an odd page, fills a page to its last line, or
        leaves too little room on an even one"""
        import pypdfium2
        from egov_document.render import gbt9704
        from egov_document.render.convert import to_pdf
        from egov_document.render.pdf import imprint_place
        date = datetime.date(2026, 12, 3)
        # One-line items after 14 lines of 版头, title and 主送; four for
        # the 署名 and date; the first page holds 21 lines
        for items, end, pages in [(3, (1, 21), 2), (46, (3, 21), 4),
                (47, (3, 22), 4), (22, (2, 19), 4)]:
            sheet = gbt9704.Sheet(mark='宜春市人民政府办公室文件',
                number='宜府办字〔2026〕12号', title='关于开展专项检查的通知',
                main_recipients=['各县（市、区）人民政府'],
                paragraphs=['第%d项工作按期完成。' % i
                    for i in range(1, items + 1)],
                organ='宜春市人民政府办公室', date=date,
                issuer='宜春市人民政府办公室', issued=date,
                copy_recipients=['市委办公室'])
            pdf = to_pdf(gbt9704.render(sheet), 'docx')
            reader = pypdfium2.PdfDocument(pdf)
            try:
                count = len(reader)
            finally:
                reader.close()
            self.assertEqual(imprint_place(pdf, sheet), (True, end), items)
            self.assertEqual(count, pages, items)


def add_part(package, part, content):
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(part, content)
    return out.getvalue()
