"""The smart search as its users meet it: Chinese, full pinyin and initials
find the same records, polyphones and surnames are found however typed,
results, counts, snippets, suggestions and hot words come only from what
the user may open, bad input gets an answer, not an error."""
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import EgovTestCase, acting_as, create_org


def run_index_queue():
    "Run the indexing tasks, as the worker (or the end of a request) does"
    Queue = Pool().get('ir.queue')
    tasks = Queue.search([('name', '=', 'egov_search')])
    for task in tasks:
        task.run()
    Transaction().tasks.clear()
    return len(tasks)


def search(text, **kwargs):
    Search = Pool().get('egov.search')
    return Search.query(text, **kwargs)


def found(answer):
    return {(r['model'], r['id']) for r in answer['results']}


class SearchTokensTestCase(EgovTestCase):
    "The tokens, without a database"

    def test_chinese_pinyin_initials(self):
        "公文 gives itself, gongwen and gw"
        from egov_base.search.tokens import document_tokens
        tokens = document_tokens('关于公文处理的通知')
        for token in ['公文', 'gongwen', 'gw', '通知', 'tongzhi', 'tz']:
            with self.subTest(token=token):
                self.assertIn(token, tokens)

    def test_polyphones_and_surnames(self):
        "重庆 and 银行 by each reading; 单/曾/解/区 read as surnames first"
        from egov_base.search.tokens import readings
        self.assertEqual(readings('重庆')[:2], ['chongqing', 'cq'])
        self.assertIn('zhongqing', readings('重庆'))
        self.assertEqual(readings('银行')[:2], ['yinhang', 'yh'])
        for name, reading in [('单伟', 'shanwei'), ('曾强', 'zengqiang'),
                ('解芳', 'xiefang'), ('区明', 'ouming')]:
            with self.subTest(name=name):
                self.assertEqual(readings(name, person=True)[0], reading)

    def test_readings_are_bounded(self):
        "A word of many polyphones has at most 8 readings"
        from egov_base.search.tokens import MAX_READINGS, readings
        self.assertLessEqual(len(readings('行长重还乐长行')),
            2 * MAX_READINGS)

    def test_full_width_is_normalised(self):
        "ＧＯＮＧＷＥＮ and ｇｏｎｇｗｅｎ are gongwen"
        from egov_base.search.tokens import Query
        for text in ['ＧＯＮＧＷＥＮ', 'ｇｏｎｇｗｅｎ', 'GongWen']:
            with self.subTest(text=text):
                self.assertEqual(Query(text).groups,
                    [[(('gongwen', True),)]])

    def test_rule_parts_on_the_unit(self):
        """A rule's part on the record's unit alone becomes a domain of the
        units; anything else, or what keeps records without a unit, not"""
        from egov_base.search.scope import unit_domain
        for domain, units in [
                ([('unit.division', '=', 3)], [('division', '=', 3)]),
                (('unit', 'in', [1, 2]), [('id', 'in', [1, 2])]),
                (('OR', (('unit', '=', 7),)), [('id', '=', 7)]),
                (['AND', ('unit.division', '=', 3),
                        [('unit', 'child_of', [5], 'parent')]],
                    [('division', '=', 3), ('id', 'child_of', [5], 'parent')]),
                ([('unit.parent.division', '!=', 3)],
                    [('parent.division', '!=', 3)]),
                ([('unit', '=', None)], None),
                ([('unit', 'in', [1, None])], None),
                ([('unit', '!=', 1)], None),
                ([('unit', 'not in', [1])], None),
                ([('unit.division', '=', 3), ('secrecy', '=', '')], None),
                (['OR', ('unit', '=', 1), ('unit', '=', 2)], None),
                ([('units', '=', 1)], None),
                ([('unit_name', '=', 1)], None),
                ([], None),
                ]:
            with self.subTest(domain=domain):
                self.assertEqual(unit_domain(domain, 'unit'), units)


class SearchTestCase(EgovTestCase):

    def setup_records(self):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Contact = pool.get('egov.directory.contact')
        org = create_org()
        org.ndrc, = Unit.create([{
                    'code': 'C-003', 'name': '宜春市发展和改革委员会',
                    'kind': 'unit', 'parent': org.city.id,
                    }])
        with acting_as(org.yz_clerk):
            org.contact, = Contact.create([{
                        'name': '单伟', 'organisation': '重庆银行',
                        'note': '会议纪要的联系人，负责公文交换',
                        }])
        run_index_queue()
        return org

    @with_transaction()
    def test_changes_are_queued(self):
        "Creating, changing and deleting a record updates its entry"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Contact = pool.get('egov.directory.contact')
        Queue = pool.get('ir.queue')
        org = self.setup_records()
        unit, = Unit.create([{
                    'code': 'C-009', 'name': '宜春市审计局',
                    'kind': 'unit', 'parent': org.city.id}])
        self.assertTrue(Queue.search([('name', '=', 'egov_search')]))
        with acting_as(org.zs_clerk):
            self.assertEqual(search('审计局')['count'], 0)
        run_index_queue()
        with acting_as(org.zs_clerk):
            self.assertIn(('egov.org.unit', unit.id), found(search('审计局')))
        Unit.write([unit], {'name': '宜春市统计局'})
        run_index_queue()
        with acting_as(org.zs_clerk):
            self.assertEqual(search('审计局')['count'], 0)
            self.assertEqual(search('tongjiju')['count'], 1)
        with acting_as(org.yz_clerk):
            self.assertEqual(search('shanwei')['count'], 1)
            Contact.delete([org.contact])
            self.assertEqual(search('shanwei')['count'], 0)

    @with_transaction()
    def test_chinese_pinyin_and_initials_find_the_same(self):
        "教育, jiaoyu and jy; 谢娜, xiena and xn"
        org = self.setup_records()
        with acting_as(org.zs_clerk):
            for text in ['教育体育局', 'jiaoyutiyuju', 'jytyj', '袁州区教育']:
                with self.subTest(text=text):
                    self.assertIn(('egov.org.unit', org.yz_edu.id),
                        found(search(text)))
            for text in ['谢娜', 'xiena', 'xn']:
                with self.subTest(text=text):
                    self.assertIn(
                        ('egov.org.employee', org.yz_clerk_employee.id),
                        found(search(text)))

    @with_transaction()
    def test_private_record_is_found_by_its_owner_only(self):
        """A contact (private to its owner) is found by him however typed;
        the other county's clerk gets no result, count, snippet,
        suggestion nor hot word from it"""
        Search = Pool().get('egov.search')
        org = self.setup_records()
        key = ('egov.directory.contact', org.contact.id)
        with acting_as(org.yz_clerk):
            for text in ['单伟', 'shanwei', 'sw', 'danwei', '重庆', 'zhongqing',
                    'yinhang', '公文']:
                with self.subTest(text=text):
                    self.assertIn(key, found(search(text)))
            answer = search('公文')
            result, = [r for r in answer['results'] if r['id'] ==
                org.contact.id]
            self.assertIn('<mark>公文</mark>', result['snippet'])
            self.assertEqual(result['kind'], '个人联系人')
        with acting_as(org.zs_clerk):
            self.assertNotIn('单伟', Search.suggest('单'))
            self.assertNotIn('单伟', Search.suggest('shan'))
            for text in ['单伟', 'shanwei', '重庆银行', '会议纪要']:
                with self.subTest(text=text):
                    answer = search(text)
                    self.assertNotIn(key, found(answer))
                    self.assertNotIn('重庆', str(answer['results']))
                    self.assertNotIn('单伟', str(answer['results']))
            self.assertEqual(search('重庆银行')['count'], 0)
        with acting_as(org.yz_clerk):
            self.assertIn('单伟', Search.suggest('shan'))

    @with_transaction()
    def test_hidden_field_is_not_searched(self):
        "A field the user may not read is not matched for them"
        pool = Pool()
        FieldAccess = pool.get('ir.model.field.access')
        org = self.setup_records()
        FieldAccess.create([{
                    'model': 'egov.directory.contact', 'field': 'note',
                    'perm_read': False, 'perm_write': False}])
        with acting_as(org.yz_clerk):
            self.assertEqual(search('会议纪要')['count'], 0)
            answer = search('单伟')
            self.assertEqual(answer['count'], 1)
            self.assertNotIn('会议', answer['results'][0]['snippet'])

    @with_transaction()
    def test_counts_are_exact_and_pages_follow(self):
        "The count is what the user may see; offset and limit page it"
        org = self.setup_records()
        with acting_as(org.zs_clerk):
            answer = search('宜春市', limit=2)
            self.assertEqual(len(answer['results']), 2)
            everything = search('宜春市', limit=100)
            self.assertEqual(answer['count'], len(everything['results']))
            second = search('宜春市', limit=2, offset=2)
            self.assertFalse(found(answer) & found(second))
            by_date = search('宜春市', order='date')
            self.assertEqual(by_date['count'], answer['count'])

    @with_transaction()
    def test_count_is_exact_up_to_the_bound(self):
        """Up to COUNT_MAX matches the count is exact; above it the count
        is marked (count_exact false, the message says "more than") and
        pages still come, by relevance and by date"""
        from egov_base.search import backend
        Contact = Pool().get('egov.directory.contact')
        org = create_org()
        with acting_as(org.yz_clerk):
            Contact.create([{'name': '防汛联络员%s' % i,
                        'organisation': '防汛抗旱指挥部'} for i in range(3)])
        run_index_queue()
        saved, backend.COUNT_MAX = backend.COUNT_MAX, 3
        try:
            with acting_as(org.yz_clerk):
                answer = search('防汛')
                self.assertEqual(answer['count'], 3)
                self.assertIs(answer['count_exact'], True)
                self.assertEqual(len(answer['results']), 3)
                Contact.create([{'name': '防汛联络员9',
                            'organisation': '防汛抗旱指挥部'}])
            run_index_queue()
            with acting_as(org.yz_clerk):
                for text in ['防汛', 'fangxun', 'fx']:
                    with self.subTest(text=text):
                        answer = search(text)
                        self.assertEqual(answer['count'], 3)
                        self.assertIs(answer['count_exact'], False)
                        self.assertIn('3', answer['message'])
                        self.assertGreaterEqual(len(answer['results']), 3)
                by_date = search('防汛', order='date', limit=2)
                self.assertIs(by_date['count_exact'], False)
                self.assertEqual(len(by_date['results']), 2)
                self.assertEqual(by_date['results'][0]['title'],
                    '防汛联络员9')
            with acting_as(org.zs_clerk):
                # The other county's clerk: nothing, and an exact nothing
                answer = search('防汛')
                self.assertEqual(answer['count'], 0)
                self.assertIs(answer['count_exact'], True)
        finally:
            backend.COUNT_MAX = saved

    @with_transaction()
    def test_suggestions_stay_in_scope(self):
        """Two counties' clerks typing the same prefix (Chinese, pinyin,
        initials) are suggested their own titles only, however many the
        other has"""
        pool = Pool()
        Contact = pool.get('egov.directory.contact')
        Search = pool.get('egov.search')
        org = create_org()
        with acting_as(org.zs_clerk):
            Contact.create([{'name': '防汛物资仓库%s' % i}
                    for i in range(5)])
        with acting_as(org.yz_clerk):
            Contact.create([{'name': '防汛抗旱指挥部'}])
        run_index_queue()
        for prefix in ['防汛', 'fangx', 'fx']:
            with self.subTest(prefix=prefix):
                with acting_as(org.yz_clerk):
                    self.assertEqual(Search.suggest(prefix, 2),
                        ['防汛抗旱指挥部'])
                with acting_as(org.zs_clerk):
                    suggested = Search.suggest(prefix, 8)
                    self.assertEqual(len(suggested), 5)
                    self.assertNotIn('防汛抗旱指挥部', suggested)

    @with_transaction()
    def test_filters(self):
        "Kind, module, unit, date; a bad date is said"
        org = self.setup_records()
        with acting_as(org.yz_clerk):
            answer = search('袁州区', filters={'kind': 'egov.org.employee'})
            self.assertTrue(answer['results'])
            self.assertEqual({r['model'] for r in answer['results']},
                {'egov.org.employee'})
            answer = search('xiena', filters={'unit': org.zs_finance.id})
            self.assertEqual(answer['count'], 0)
            answer = search('xiena', filters={'unit': org.yz_edu.id})
            self.assertEqual(answer['count'], 1)
            answer = search('xiena', filters={'module': 'egov_base'})
            self.assertEqual(answer['count'], 1)
            answer = search('xiena', filters={'date_from': 'yesterday'})
            self.assertEqual(answer['count'], 0)
            self.assertChinese(answer['message'])
            filters = Pool().get('egov.search').filters()
            self.assertIn('egov.directory.contact',
                [k for k, _ in filters['kinds']])

    @with_transaction()
    def test_synonyms(self):
        "发改委 finds 发展和改革委员会 once an administrator says so"
        Synonym = Pool().get('egov.search.synonym')
        org = self.setup_records()
        with acting_as(org.zs_clerk):
            self.assertEqual(search('发改委')['count'], 0)
        Synonym.create([{'word': '发改委', 'synonyms': '发展和改革委员会'}])
        with acting_as(org.zs_clerk):
            self.assertIn(('egov.org.unit', org.ndrc.id),
                found(search('发改委')))

    @with_transaction()
    def test_dictionary(self):
        "An administrator's word is kept whole; a bad one is refused"
        Word = Pool().get('egov.search.word')
        self.setup_records()
        Word.create([{'word': '明月山'}])
        from egov_base.search.tokens import tokenizer
        self.assertIn('明月山', tokenizer().lcut('明月山'))
        with self.assertRaises(ValidationError) as cm:
            Word.create([{'word': 'a b; DROP'}])
        self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_bad_input(self):
        "Empty, 10,000 characters, operators, SQL, emoji: an answer"
        org = self.setup_records()
        with acting_as(org.yz_clerk):
            answer = search('')
            self.assertEqual(answer['count'], 0)
            self.assertChinese(answer['message'])
            answer = search('   ')
            self.assertChinese(answer['message'])
            answer = search('单伟' * 5000)
            self.assertChinese(answer['message'])
            self.assertIn('100', answer['message'])
            for text in ['"公文" AND OR (', "公文'; DROP TABLE egov_search_"
                    "entry; --", 'NEAR(公文 会议) *', '{title}: 公文',
                    '😀😀', '😀公文', '公文\x00\x01', '%_\\', "' OR 1=1 --",
                    '-公文', '公文:*', '公文 & | !']:
                with self.subTest(text=text):
                    answer = search(text)
                    self.assertIsInstance(answer['count'], int)
            self.assertIn(('egov.directory.contact', org.contact.id),
                found(search('😀公文')))
            self.assertIn(('egov.directory.contact', org.contact.id),
                found(search('ＳＨＡＮＷＥＩ')))
            answer = search(12)
            self.assertChinese(answer['message'])
            answer = search('公文', filters='x', limit='x', offset=-5)
            self.assertChinese(answer['message'])
            answer = search('公文', limit='x', offset=-5, order='x; drop')
            self.assertTrue(answer['results'])

    @with_transaction()
    def test_history_and_hot_words(self):
        """The user's own history, clearable; the hot words of a unit,
        only those that find something the asking user may open"""
        pool = Pool()
        Search = pool.get('egov.search')
        Employee = pool.get('egov.org.employee')
        org = self.setup_records()
        # A second clerk of 袁州区教育体育局's
        with acting_as(org.yz_clerk):
            for _ in range(3):
                search('单伟')
            search('教育')
            history = Search.history()
            self.assertEqual([h['text'] for h in history], ['教育', '单伟'])
            self.assertEqual(
                [w['word'] for w in Search.hot_words()], ['单伟', '教育'])
            self.assertIn('单伟', Search.suggest('单'))
        # The admin of the same unit may not open the contact
        self.assertEqual(org.yz_admin_employee.unit, org.yz_edu)
        with acting_as(org.yz_admin):
            self.assertEqual(
                [w['word'] for w in Search.hot_words()], ['教育'])
            self.assertEqual(Search.history(), [])
        with acting_as(org.zs_clerk):
            self.assertEqual(Search.hot_words(), [])
        with acting_as(org.yz_clerk):
            first = Search.history()[0]
            Search.clear_history([first['id']])
            self.assertEqual([h['text'] for h in Search.history()], ['单伟'])
            Search.clear_history()
            self.assertEqual(Search.history(), [])
        self.assertTrue(Employee)

    @with_transaction()
    def test_history_audited_and_bounded(self):
        """Each search is in the audit log as its history's create, with
        the searcher's unit; a person keeps their newest queries only"""
        from unittest import mock

        from ..search import history as history_module
        pool = Pool()
        Log = pool.get('egov.audit.log')
        History = pool.get('egov.search.history')
        org = self.setup_records()
        with acting_as(org.yz_clerk), \
                mock.patch.object(history_module, 'MAX_PER_USER', 3):
            for text in ['教育', '单伟', '公文', '会议', '督办']:
                search(text)
            self.assertEqual(
                [h['text'] for h in pool.get('egov.search').history()],
                ['督办', '会议', '公文'])
        Log.flush()
        kept = History.search([('user', '=', org.yz_clerk.id)])
        self.assertEqual({h.unit for h in kept}, {org.yz_edu})
        created = Log.search([
                ('model', '=', 'egov.search.history'),
                ('action', '=', 'create'),
                ], order=[('id', 'ASC')])
        self.assertEqual(len(created), 5)
        self.assertEqual(created[-1].record_id, kept[0].id)
        self.assertEqual(created[-1].user_id, org.yz_clerk.id)
        self.assertIn('督办', created[-1].changes)
        deleted = Log.search([
                ('model', '=', 'egov.search.history'),
                ('action', '=', 'delete'),
                ])
        self.assertEqual(
            {d.record_id for d in deleted},
            {c.record_id for c in created[:2]})

    @with_transaction()
    def test_rebuild_and_status(self):
        "The rebuild indexes every record; the status counts them"
        pool = Pool()
        Entry = pool.get('egov.search.entry')
        Status = pool.get('egov.search.status')
        org = self.setup_records()
        count = Entry.rebuild()
        self.assertGreaterEqual(count, 10)
        statuses = {s.model: s for s in Status.search([])}
        self.assertEqual(statuses['egov.directory.contact'].documents, 1)
        self.assertEqual(statuses['egov.org.unit'].failed, 0)
        with acting_as(org.yz_clerk):
            self.assertEqual(search('shanwei')['count'], 1)

    @with_transaction()
    def test_attachments_are_indexed(self):
        """The text of a .docx attached to a record is found; a corrupt
        file is a failed extraction the administrator sees, not a failure"""
        from unittest import mock

        import docx
        import io
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Contact = pool.get('egov.directory.contact')
        Status = pool.get('egov.search.status')
        org = self.setup_records()
        document = docx.Document()
        document.add_paragraph('关于做好防汛抗旱应急预案的通知')
        data = io.BytesIO()
        document.save(data)
        spec = dict(Contact._egov_search, attachments=True)
        # The corrupt file bypasses the upload guard (upload/), as only
        # the platform's own code may
        with mock.patch.object(Contact, '_egov_search', spec), \
                Transaction().set_context(_egov_upload_trusted=True):
            Attachment.create([{
                        'name': '预案.docx', 'data': data.getvalue(),
                        'resource': str(org.contact),
                        }, {
                        'name': 'bad.pdf', 'data': b'%PDF-1.4 broken',
                        'resource': str(org.contact),
                        }])
            self.assertTrue(run_index_queue())
        with acting_as(org.yz_clerk):
            self.assertIn(('egov.directory.contact', org.contact.id),
                found(search('防汛抗旱')))
        with acting_as(org.zs_clerk):
            self.assertEqual(search('防汛抗旱')['count'], 0)
        status, = Status.search([('model', '=', 'egov.directory.contact')])
        self.assertEqual(status.failed, 1)


    @with_transaction()
    def test_record_written_while_read_runs_again(self):
        """SQLite takes its write lock after the indexing read the record:
        a record written in between (by another writer) makes the indexing
        run again instead of storing the older text last"""
        import datetime

        from trytond import backend
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Entry = pool.get('egov.search.entry')
        unit, = Unit.create([{'code': 'RACE-2',
                    'name': '并发索引测试局', 'kind': 'city'}])
        records = Unit.search([('id', '=', unit.id)])
        # Read as the indexing reads it, then written by someone else
        read = records[0].write_date or records[0].create_date
        table = Unit.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.write_date],
                [read + datetime.timedelta(seconds=1)],
                where=table.id == unit.id))
        if backend.name == 'sqlite':
            with self.assertRaises(backend.DatabaseOperationalError):
                Entry._check_unchanged(Unit, records)
        else:
            # PostgreSQL reads a snapshot: the unique index does it
            Entry._check_unchanged(Unit, records)
        # Unchanged since read: stored
        Entry._check_unchanged(Unit, Unit.search([('id', '=', unit.id)]))


class ConcurrentIndexingTestCase(EgovTestCase):
    "Two indexings of one record at once (two workers), on PostgreSQL"

    def test_second_indexer_runs_again(self):
        """The second indexer's insert waits for the first to commit; it
        then fails with the error on which the worker runs the task again,
        and the run again stores the newest text"""
        import threading

        from trytond import backend
        from trytond.tests.test_tryton import DB_NAME
        if backend.name == 'sqlite':
            self.skipTest('one writer at a time on SQLite')
        pool = Pool(DB_NAME)
        Unit = pool.get('egov.org.unit')
        Entry = pool.get('egov.search.entry')
        Queue = pool.get('ir.queue')
        with Transaction().start(DB_NAME, 0) as transaction:
            unit, = Unit.create([{'code': 'RACE-1',
                        'name': '并发索引测试局', 'kind': 'city'}])
            unit_id = unit.id
            Transaction().tasks.clear()
            transaction.commit()
        first_inserted = threading.Event()
        may_commit = threading.Event()
        outcome = {}

        def first():
            with Transaction().start(DB_NAME, 0) as transaction:
                Entry.index_records('egov.org.unit', [unit_id])
                first_inserted.set()
                may_commit.wait(30)
                transaction.commit()

        def second():
            with Transaction().start(DB_NAME, 0) as transaction:
                # Its snapshot is taken before the first one commits
                Unit(unit_id).name
                first_inserted.wait(30)
                try:
                    Entry.index_records('egov.org.unit', [unit_id])
                    transaction.commit()
                    outcome['error'] = None
                except Exception as error:
                    transaction.rollback()
                    outcome['error'] = error
        try:
            threads = [threading.Thread(target=first),
                threading.Thread(target=second)]
            for thread in threads:
                thread.start()
            first_inserted.wait(30)
            # The second's insert is waiting for the first's row by now
            threading.Event().wait(0.5)
            with Transaction().start(DB_NAME, 0) as transaction:
                Unit.write([Unit(unit_id)], {'name': '并发索引测试新局'})
                Transaction().tasks.clear()
                may_commit.set()
                transaction.commit()
            for thread in threads:
                thread.join(60)
            self.assertIsInstance(
                outcome['error'], backend.DatabaseOperationalError)
            with Transaction().start(DB_NAME, 0) as transaction:
                Entry.index_records('egov.org.unit', [unit_id])
                transaction.commit()
            with Transaction().start(DB_NAME, 0):
                entry, = Entry.search([('model', '=', 'egov.org.unit'),
                        ('record', '=', unit_id)])
                self.assertEqual(entry.title, '并发索引测试新局')
        finally:
            may_commit.set()
            with Transaction().start(DB_NAME, 0) as transaction:
                Entry.forget('egov.org.unit', [unit_id])
                Unit.delete([Unit(unit_id)])
                # The indexings the unit's changes queued (committed here)
                Queue.delete(Queue.search([('name', '=', 'egov_search')]))
                Transaction().tasks.clear()
                transaction.commit()
