"""密级: a person not cleared for a document's level finds nothing of it —
not by reading, searching, counting, ordering, exporting, the smart search
or an error message; a unit not cleared never receives it; a step never
goes to someone not cleared. 谢娜 (收发员, cleared 机密) and 胡军 (文书, not
cleared) work in the same office of 袁州区教育体育局."""
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.test_search import run_index_queue
from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, kind)

TITLE = '关于调整边境防务部署的通知'


class SecrecyTestCase(DocumentHelpers, EgovDocumentTestCase):

    def setUp(self):
        super().setUp()
        # A fresh database for each test: in the whole SQLite run, the
        # organisation of one test was once found by the next (a commit on
        # the in-memory database's one connection); the leak test must not
        # depend on what ran before it
        from trytond.tests.test_tryton import activate_module, drop_db
        drop_db()
        activate_module(self.modules, lang='zh_CN')

    def classified(self, org):
        "谢娜 registers a 机密 收文 from paper, and an open one"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Employee = pool.get('egov.org.employee')
        Employee.write([org.yz_clerk_employee],
            {'secrecy_clearance': 'confidential'})
        # 胡军 is a clerk too: he reads every document of his unit he is
        # cleared for
        ModelData = pool.get('ir.model.data')
        Post = pool.get('egov.org.post')
        secretary_post, = Post.search([('name', '=', '文书')])
        Post.write([secretary_post], {'groups': [('add', [ModelData.get_id(
                            'egov_document', 'group_document_clerk')])]})
        with acting_as(org.yz_clerk):
            secret, open_ = Incoming.create([{
                        'title': TITLE,
                        'source_name': '宜春军分区',
                        'source_number': '宜军字〔2026〕3号',
                        'secrecy': 'confidential',
                        'secrecy_years': 20,
                        }, {
                        'title': '关于做好冬季防火工作的通知',
                        'source_name': '宜春市应急管理局',
                        }])
        return Incoming(secret.id), Incoming(open_.id)

    @with_transaction()
    def test_not_found_by_any_way(self):
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Search = pool.get('egov.search')
        org = document_org()
        secret, open_ = self.classified(org)
        run_index_queue()
        with acting_as(org.yz_clerk):
            self.assertEqual(set(Incoming.search([])), {secret, open_})
            answer = Search.query('边境防务')
            self.assertEqual([r['id'] for r in answer['results']],
                [secret.id])
        with acting_as(org.secretary):
            # read, search, count, order, filter on the field, export
            self.assertEqual(Incoming.search([]), [open_])
            self.assertEqual(Incoming.search_count([]), 1)
            self.assertEqual(Incoming.search([], order=[('secrecy', 'DESC')]),
                [open_])
            self.assertEqual(Incoming.search(
                    [('secrecy', '=', 'confidential')]), [])
            self.assertEqual(Incoming.search(
                    [('title', 'ilike', '%边境%')]), [])
            self.assertEqual(
                Incoming.export_data_domain([], ['title']), [[open_.title]])
            with self.assertRaises(AccessError) as cm:
                Incoming.read([secret.id], ['title'])
            self.assertNotIn(TITLE, cm.exception.message)
            self.assertNotIn('宜军字', cm.exception.message)
            # nor through the smart search: results, count, suggestions
            answer = Search.query('边境防务')
            self.assertEqual((answer['count'], answer['results']), (0, []))
            self.assertEqual([s for s in Search.suggest('关于调整')
                    if '边境' in s], [])

    @with_transaction()
    def test_refused_as_missing(self):
        """An id one may not see is answered as an id that does not exist,
        by reading, writing, deleting, attaching a file or a note to it,
        its attachments, its discussion: the answer tells neither that the document exists nor
        which rule (密级 or unit) hides it"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Attachment = pool.get('ir.attachment')
        Note = pool.get('ir.note')
        Channel = pool.get('ir.chat.channel')
        org = document_org()
        secret, open_ = self.classified(org)
        with Transaction().set_context(_check_access=False):
            Attachment.create([{'resource': str(secret), 'name': '附件.txt',
                        'data': b'x'}])
        missing = max(secret.id, open_.id) + 1000

        def answers(call, id_):
            with self.assertRaises(AccessError) as cm:
                call(id_)
            return cm.exception.message.replace(str(id_), '<id>')

        ways = {
            'read': lambda i: Incoming.read([i], ['title']),
            'write': lambda i: Incoming.write(
                [Incoming(i)], {'title': 'x'}),
            'delete': lambda i: Incoming.delete([Incoming(i)]),
            'attach': lambda i: Attachment.create([{
                        'resource': '%s,%s' % (Incoming.__name__, i),
                        'name': '附件.txt', 'data': b'x'}]),
            'note': lambda i: Note.create([{
                        'resource': '%s,%s' % (Incoming.__name__, i),
                        'message': '请阅'}]),
            }

        def discuss(i):
            Channel.post('%s,%s' % (Incoming.__name__, i), '在吗')
        # 胡军 is not cleared (the secret one), 韩梅 is of another unit
        for user, hidden in [(org.secretary, secret),
                (org.zs_clerk, open_), (org.zs_clerk, secret)]:
            with acting_as(user):
                for way, call in ways.items():
                    with self.subTest(user=user.login, way=way):
                        self.assertEqual(answers(call, hidden.id),
                            answers(call, missing))
                        self.assertNotIn('规则', answers(call, hidden.id))
                with self.subTest(user=user.login, way='attachments'):
                    self.assertEqual(Attachment.search([]), [])
                with self.subTest(user=user.login, way='discussion'):
                    message = answers(discuss, hidden.id)
                    self.assertNotIn(TITLE, message)
                    self.assertNotIn('关于做好冬季防火', message)

    @with_transaction()
    def test_created_only_at_ones_clearance(self):
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        org = document_org()
        with acting_as(org.secretary):
            with self.assertRaises(AccessError):
                Incoming.create([{
                            'title': TITLE, 'source_name': '宜春军分区',
                            'secrecy': 'secret'}])

    @with_transaction()
    def test_unit_not_cleared_never_receives(self):
        "a 秘密 发文 to a unit not cleared: refused when it is named"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Employee = pool.get('egov.org.employee')
        Unit = pool.get('egov.org.unit')
        org = document_org()
        Employee.write([org.secretary_employee],
            {'secrecy_clearance': 'secret'})
        with self.assertRaises(UserError) as cm:
            self.outgoing(org, secrecy='secret')
        self.assertIn('樟树市财政局', cm.exception.message)
        self.assertIn('无权接收秘密公文', cm.exception.message)
        Unit.write([org.zs_finance, org.city_office],
            {'secrecy_clearance': 'confidential'})
        document = self.outgoing(org, secrecy='secret')
        self.assertEqual(document.secrecy, 'secret')

    @with_transaction()
    def test_step_never_to_someone_not_cleared(self):
        "核稿 would go to 朱婷, not cleared: the draft's 拟稿 is refused"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Employee = pool.get('egov.org.employee')
        Unit = pool.get('egov.org.unit')
        Task = pool.get('egov.workflow.task')
        org = document_org()
        Employee.write([org.secretary_employee],
            {'secrecy_clearance': 'secret'})
        Unit.write([org.zs_finance, org.city_office],
            {'secrecy_clearance': 'secret'})
        document = self.outgoing(org, secrecy='secret')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        with self.assertRaises(UserError) as cm:
            self.act(org.secretary, document)
        self.assertIn('核稿', cm.exception.message)
        self.assertIn('朱婷', cm.exception.message)
        self.assertIn('无权阅读秘密公文', cm.exception.message)
        # Nothing reached 朱婷 (over RPC the whole action is undone)
        self.assertEqual(Task.search([('user', '=', org.office_head.id)]),
            [])

    @with_transaction()
    def test_step_to_someone_cleared(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Employee = pool.get('egov.org.employee')
        Unit = pool.get('egov.org.unit')
        org = document_org()
        Employee.write([org.secretary_employee, org.office_head_employee],
            {'secrecy_clearance': 'secret'})
        Unit.write([org.zs_finance, org.city_office],
            {'secrecy_clearance': 'secret'})
        # 朱婷 is away and has 马帅 (not cleared) act for her
        Delegation = pool.get('egov.workflow.delegation')
        Date = pool.get('ir.date')
        with acting_as(org.office_head):
            Delegation.create([{'delegate': org.bureau_head.id,
                        'start_date': Date.today(),
                        'end_date': Date.today()}])
        document = self.outgoing(org, secrecy='secret')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        # A copy (抄送) to him is refused: he may not read it
        with self.assertRaises(UserError) as cm:
            self.act(org.secretary, document, copy_to=[org.bureau_head.id])
        self.assertIn('无权阅读秘密公文', cm.exception.message)
        self.act(org.secretary, document)
        # The to-do stays with 朱婷: her delegate may not read it
        self.assertEqual(len(self.open_tasks(org.office_head, document)), 1)
        self.assertEqual(self.open_tasks(org.bureau_head, document), [])

    @with_transaction()
    def test_number_register_tells_nothing(self):
        "The register's line of a 秘密 发文 does not name it to a clerk not cleared"
        pool = Pool()
        Number = pool.get('egov.document.number')
        Numbering = pool.get('egov.document.numbering')
        Employee = pool.get('egov.org.employee')
        Unit = pool.get('egov.org.unit')
        from .tools import numbering_rule
        org = document_org()
        rule = numbering_rule(org.yz_edu, '袁教体字')
        Employee.write([org.secretary_employee],
            {'secrecy_clearance': 'secret'})
        Unit.write([org.zs_finance, org.city_office],
            {'secrecy_clearance': 'secret'})
        document = self.outgoing(org, secrecy='secret', title=TITLE)
        with Transaction().set_context(_check_access=False):
            number = Numbering.number_document(document)
        with acting_as(org.yz_clerk):
            line, = Number.search([('number', '=', number)])
            values, = Number.read([line.id], ['document_title', 'rec_name'])
            self.assertNotIn(TITLE, str(values))
            self.assertIsNone(values['document_title'])
            self.assertEqual(Number.search([
                        ('document.title', 'ilike', '%边境%',
                            'egov.document.outgoing')]), [])
            self.assertEqual(Number.search([
                        ('document', '=', str(document))]), [line])
        # Cleared, the clerk finds it and reads its title
        Employee.write([org.yz_clerk_employee],
            {'secrecy_clearance': 'secret'})
        with acting_as(org.yz_clerk):
            self.assertEqual(Number.search([
                        ('document.title', 'ilike', '%边境%',
                            'egov.document.outgoing')]), [line])
            self.assertEqual(Number(line.id).document_title, TITLE)

    @with_transaction()
    def test_paths_through_unreadable_records(self):
        """A search through a relation answers only from records the user
        may read: the receiving clerk cannot probe the sender's 发文"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Outgoing = pool.get('egov.document.outgoing')
        Dispatch = pool.get('egov.document.dispatch')
        org = document_org()
        document = self.outgoing(org, summary='内部掌握：暂缓公开检查结果')
        with Transaction().set_context(_check_access=False):
            Dispatch.dispatch(Outgoing(document.id))
        with acting_as(org.zs_clerk):
            mine, = Incoming.search([])
            self.assertEqual(Incoming.search(
                    [('outgoing.summary', 'ilike', '%暂缓公开%')]), [])
            self.assertEqual(Incoming.search(
                    [('outgoing', 'where',
                            [('summary', 'ilike', '%暂缓公开%')])]), [])
            self.assertEqual(Incoming.search_count(
                    [('outgoing.drafter', '=', org.secretary.id)]), 0)
        with acting_as(org.yz_clerk):
            # The sender's clerk reads the 发文: the path answers for him
            self.assertEqual(len(Outgoing.search(
                    [('summary', 'ilike', '%暂缓公开%')])), 1)
