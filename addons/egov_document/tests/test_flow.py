"""A 发文 from 拟稿 to the receiving units' 办结, by the people of two
units: 胡军 drafts, 朱婷 reviews, 宋涛 signs, 谢娜 numbers, seals and
dispatches; 樟树市财政局's 韩梅 signs for and registers the 收文 with the
sender's data filled in, 孙丽 proposes, 钱峰 instructs, 孙丽's office
handles it and 韩梅 concludes. Each unit sees only its own."""
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, numbering_rule)


class FlowTestCase(DocumentHelpers, EgovDocumentTestCase):

    def run_outgoing(self, org, document):
        Outgoing = Pool().get('egov.document.outgoing')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)            # 拟稿
        self.act(org.office_head, document, text='同意。')  # 核稿
        self.act(org.bureau_head, document, text='同意印发。')  # 签发
        self.act(org.yz_clerk, document)             # 编号
        self.act(org.yz_clerk, document)             # 用印
        self.act(org.yz_clerk, document)             # 分发
        return Outgoing(document.id)

    @with_transaction()
    def test_outgoing_to_incoming_to_done(self):
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org)
        document = self.run_outgoing(org, document)
        year = pool.get('ir.date').today().year
        self.assertEqual(document.number, '袁教体字〔%s〕1号' % year)
        self.assertEqual(document.workflow_state, 'done')
        self.assertEqual(document.signer, org.bureau_head)
        self.assertTrue(document.sealed_at and document.dispatched_at)
        self.assertEqual(len(document.incomings), 2)

        # Each receiving clerk sees the 收文 of their unit only
        with acting_as(org.zs_clerk):
            mine, = Incoming.search([('receipt', '=', 'pending')])
            self.assertEqual(mine.unit, org.zs_finance)
            self.assertEqual(mine.source_name, '袁州区教育体育局')
            self.assertEqual(mine.source_number, document.number)
            self.assertEqual(mine.title, document.title)
            # Registered only once signed for (the button is hidden)
            with self.assertRaises(UserError) as cm:
                Incoming.workflow_start([mine])
            self.assertIn(mine.title, cm.exception.message)
            Incoming.sign_for([mine])
            Incoming.workflow_start([mine])
        with acting_as(org.city_clerk):
            theirs, = Incoming.search([])
            self.assertEqual(theirs.unit, org.city_office)
        with acting_as(org.secretary):
            # The sender's 文书 does not read the receivers' 收文, but sees
            # who signed for it
            self.assertEqual(Incoming.search([]), [])
            status = Pool().get('egov.document.outgoing').read(
                [document.id], ['dispatch_status'])[0]['dispatch_status']
            self.assertRegex(status, r'樟树市财政局：已签收（\d{4}-')
            self.assertIn('宜春市人民政府办公室：待签收', status)

        mine = Incoming(mine.id)
        self.assertEqual(mine.registrar, org.zs_clerk)
        self.act(org.zs_clerk, mine)                                  # 登记
        with self.assertRaises(UserError) as cm:
            self.act(org.zs_office_head, mine)                        # 拟办
        self.assertIn('意见', cm.exception.message)
        self.act(org.zs_office_head, mine, text='请钱局长阅示。')
        with self.assertRaises(UserError) as cm:
            self.act(org.zs_head, mine, text='请办公室办理。')          # 批办
        self.assertIn('承办部门', cm.exception.message)
        # The act dialog offers the departments of the document's unit only
        ActStart = Pool().get('egov.workflow.task.act.start')
        with acting_as(org.zs_head):
            task, = self.open_tasks(org.zs_head, mine)
            with Transaction().set_context(
                    active_model='egov.workflow.task', active_id=task.id):
                view = ActStart.fields_view_get(view_type='form')
        handlers, = [f for f in view['fields'].values()
            if f['string'] == '承办部门']
        self.assertEqual(PYSONDecoder().decode(handlers['domain']),
            [['unit', '=', mine.unit.id]])
        self.act(org.zs_head, mine, text='请办公室办理。',
            data={'handlers': [org.zs_finance_office.id]})
        # The form's 承办部门 are read with the 收文 (their links are not
        # checked a second time), and only by who may read the 收文
        for reader in [org.zs_clerk, org.zs_head]:
            with acting_as(reader):
                row, = Incoming.read([mine.id], ['handlers', 'unit.rec_name'])
            self.assertEqual(row['handlers'], (org.zs_finance_office.id,))
            self.assertEqual(row['unit.']['rec_name'], '樟树市财政局')
        with acting_as(org.secretary):
            with self.assertRaises(AccessError):
                Incoming.read([mine.id], ['handlers'])
        self.act(org.zs_office_head, mine, text='已落实。')            # 承办
        self.act(org.zs_clerk, mine)                                  # 办结
        mine = Incoming(mine.id)
        self.assertEqual(mine.workflow_state, 'done')
        self.assertEqual(mine.light, 'done')
        self.assertEqual(
            [o.text for o in mine.opinions if o.text],
            ['请钱局长阅示。', '请办公室办理。', '已落实。'])

    @with_transaction()
    def test_sign_needs_the_right(self):
        "签发 handed to someone without the right is refused, nothing saved"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org)
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        self.act(org.office_head, document)
        task, = self.open_tasks(org.bureau_head, document)
        Task.reassign([task], org.school_head)
        with self.assertRaises(UserError) as cm:
            self.act(org.school_head, document)
        self.assertIn('没有袁州区教育体育局的签发权', cm.exception.message)
        self.assertIsNone(Outgoing(document.id).signer)

    @with_transaction()
    def test_no_recipient(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        document = self.outgoing(org, main_recipients=[],
            copy_recipients=[])
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        with self.assertRaises(UserError) as cm:
            self.act(org.secretary, document)
        self.assertIn('还没有主送或抄送单位', cm.exception.message)

    @with_transaction()
    def test_circulation(self):
        "传阅 to people of the unit, each confirming their own reading"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Circulation = pool.get('egov.document.circulation')
        org = document_org()
        with acting_as(org.yz_clerk):
            incoming, = Incoming.create([{
                        'title': '关于做好冬季防火工作的通知',
                        'source_name': '宜春市应急管理局',
                        'source_number': '宜应急字〔2026〕30号',
                        }])
            Incoming.workflow_start([incoming])
            with self.assertRaises(UserError) as cm:
                Circulation.send(incoming, [org.zs_clerk.id])
            self.assertIn('只能传阅给本单位', cm.exception.message)
            # nor around 传阅's checks, by making the row itself
            with self.assertRaises(UserError) as cm:
                Circulation.create([{'document': incoming.id,
                            'reader': org.zs_clerk.id}])
            self.assertEqual(cm.exception.message,
                '传阅记录只能通过收文的“传阅”操作产生，不能直接新建或修改。')
            circulation, = Circulation.send(incoming, [org.school_head.id],
                note='请阅')
        with acting_as(org.school_head):
            # The reader reads the document while circulated to them
            self.assertEqual(Incoming.search([]), [incoming])
            Circulation.confirm_read([circulation])
            self.assertEqual(Circulation(circulation.id).state, 'read')
        with acting_as(org.office_head):
            with self.assertRaises(UserError):
                Circulation.confirm_read([circulation])

    @with_transaction()
    def test_registered_in_own_unit_only(self):
        """A 收文 or a 发文 is made in the name of one's own unit, and a
        收文 is linked only to a 发文 addressed to its unit"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        # 胡军's 发文 goes to 樟树市财政局, not to 袁州区教育体育局
        document = self.outgoing(org)
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Incoming.create([{'title': '关于做好冬季防火工作的通知',
                            'source_name': '宜春市应急管理局',
                            'unit': org.zs_finance.id}])
            self.assertEqual(cm.exception.message,
                '您不在%s任职：只能以本单位的名义登记或起草公文。'
                % org.zs_finance.rec_name)
            with self.assertRaises(UserError) as cm:
                Incoming.create([{'title': '关于做好冬季防火工作的通知',
                            'source_name': '袁州区教育体育局',
                            'outgoing': document.id}])
            self.assertIn('收文只能关联发给本单位的发文', cm.exception.message)
            mine, = Incoming.create([{'title': '关于做好冬季防火工作的通知',
                        'source_name': '宜春市应急管理局'}])
            with self.assertRaises(UserError):
                Incoming.write([mine], {'unit': org.zs_finance.id})
        with acting_as(org.secretary), self.assertRaises(UserError):
            Outgoing.write([Outgoing(document.id)],
                {'unit': org.zs_finance.id})

    @with_transaction()
    def test_body_checked_by_content(self):
        "正文: Word, WPS, PDF or OFD by their content; hostile files refused"
        from egov_base.tests import upload_samples
        org = document_org()
        document = self.outgoing(org, body=upload_samples.docx(),
            body_name='正文.docx')
        self.assertTrue(document.body)
        for name, data, expected in [
                ('正文.docx', upload_samples.png(), '正文.docx'),
                ('正文.docx', upload_samples.docx_xxe(), '正文.docx'),
                ('正文.pdf', upload_samples.pdf_javascript(), '正文.pdf'),
                ('正文.png', upload_samples.png(), '正文.png'),
                ]:
            with self.subTest(name=name), self.assertRaises(UserError) as cm:
                self.outgoing(org, body=data, body_name=name)
            self.assertIn(expected, cm.exception.message)
            self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_body_is_searched(self):
        "The text of the 正文 is found by the smart search, by its readers"
        from egov_base.tests import upload_samples
        from egov_base.tests.test_search import run_index_queue
        Search = Pool().get('egov.search')
        org = document_org()
        document = self.outgoing(org, title='关于开展专项整治的通知',
            body=upload_samples.docx('开展校园食品安全专项整治工作'),
            body_name='正文.docx')
        run_index_queue()
        with acting_as(org.secretary):
            answer = Search.query('食品安全')
            self.assertEqual([(r['model'], r['id']) for r in
                    answer['results']],
                [('egov.document.outgoing', document.id)])
        with acting_as(org.zs_clerk):
            self.assertEqual(Search.query('食品安全')['count'], 0)

    @with_transaction()
    def test_body_hidden_by_a_step_is_not_searched(self):
        "A step that hides the 正文 from its holder hides it from the search"
        from unittest import mock

        from egov_base.tests import upload_samples
        from egov_base.tests.test_search import run_index_queue
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Search = pool.get('egov.search')
        Task = pool.get('egov.workflow.task')
        org = document_org()
        document = self.outgoing(org, title='关于开展专项整治的通知',
            body=upload_samples.docx('开展校园食品安全专项整治工作'),
            body_name='正文.docx')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        run_index_queue()
        task, = Task.search([('instance', '=', document.workflow.id),
                ('state', '=', 'open')])
        reviewer = task.user
        steps = dict(Outgoing._workflow_fields,
            review=dict(Outgoing._workflow_fields['review'], body='hidden'))
        with acting_as(reviewer):
            self.assertEqual(Search.query('食品安全')['count'], 1)
            with mock.patch.object(Outgoing, '_workflow_fields', steps):
                self.assertEqual(Search.query('食品安全')['count'], 0)
                self.assertEqual(Search.query('专项整治')['count'], 1)

    @with_transaction()
    def test_every_step_fits_the_act_dialog(self):
        "What a step lets its holder fill, the 办理 dialog can show"
        from egov_workflow.slots import plan_slots
        pool = Pool()
        Process = pool.get('egov.workflow.process')
        for process in Process.search([
                    ('code', 'in', ['document_outgoing', 'document_incoming']),
                    ('state', '=', 'active')]):
            Model = pool.get(process.model)
            for step in [k for k in Model._workflow_fields if k != '*']:
                editable = [n for n, r in Model.workflow_step_rules(
                        process, step).items() if r in {'edit', 'required'}]
                with self.subTest(process=process.code, step=step):
                    _, refused = plan_slots(Model(), editable)
                    self.assertIsNone(refused)
