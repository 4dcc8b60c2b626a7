"""文件编号 as the clerks of two units see it: numbers in order per rule,
rules per kind, the yearly reset, reserved, voided and typed numbers, a
number lost by a failed transaction given again, and each unit's rules
and register seen only by its own clerks. On SQLite and PostgreSQL (the
race of a hundred takers is tests/rpc/test_numbering_race.py)."""
import datetime
from unittest import mock

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as
from egov_document import numbering
from egov_document.numbering import AHEAD, FREE

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, kind,
    numbering_rule)


def today():
    return Pool().get('ir.date').today()


class NumberingTestCase(DocumentHelpers, EgovDocumentTestCase):

    def to_number_step(self, org, document):
        "拟稿, 核稿 and 签发: the 编号 to-do waits for 谢娜"
        Outgoing = Pool().get('egov.document.outgoing')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        self.act(org.office_head, document)
        self.act(org.bureau_head, document)
        return Outgoing(document.id)

    def number(self, org, document, typed=None):
        "谢娜 does the 编号 step, typing a number or not; the number given"
        data = {'manual_number': typed} if typed is not None else None
        self.act(org.yz_clerk, document, data=data)
        return document.__class__(document.id).number

    def numbered(self, org, count=1, **values):
        "count documents through 编号; their numbers"
        numbers = []
        for _ in range(count):
            document = self.to_number_step(org, self.outgoing(org, **values))
            numbers.append(self.number(org, document))
        return numbers

    def refused(self, function, *args):
        "The Chinese message of the UserError function raises"
        with self.assertRaises(UserError) as cm:
            function(*args)
        self.assertChinese(cm.exception.message)
        return cm.exception.message

    def reserve(self, user, rule, count, note='预留'):
        "user runs 预留文号 on rule as the web client does; the numbers"
        pool = Pool()
        Reserve = pool.get('egov.document.number.reserve', type='wizard')
        Number = pool.get('egov.document.number')
        with acting_as(user, active_model='egov.document.numbering',
                active_id=rule.id, active_ids=[rule.id]):
            session_id, _, _ = Reserve.create()
            result = Reserve.execute(session_id, {
                    'start': {'count': count, 'note': note},
                    }, 'reserve')
            (action, _), = result['actions']
            (_, _, ids), = PYSONDecoder().decode(action['pyson_domain'])
            return [n.number for n in Number.browse(sorted(ids))]

    @with_transaction()
    def test_numbers_in_order_per_rule(self):
        "1, 2, 3 at 编号, each registered as used with its document"
        Number = Pool().get('egov.document.number')
        org = document_org()
        rule = numbering_rule(org.yz_edu, '袁教体字')
        year = today().year
        numbers = self.numbered(org, 3)
        self.assertEqual(numbers,
            ['袁教体字〔%s〕%s号' % (year, n) for n in [1, 2, 3]])
        register = Number.search([('numbering', '=', rule.id)],
            order=[('sequence', 'ASC')])
        self.assertEqual([(n.sequence, n.state) for n in register],
            [(1, 'used'), (2, 'used'), (3, 'used')])
        self.assertTrue(all(n.document and n.user == org.yz_clerk
                for n in register))
        rule = rule.__class__(rule.id)
        self.assertEqual(rule.preview, '袁教体字〔%s〕4号' % year)

    @with_transaction()
    def test_rule_per_kind(self):
        "A 函 takes the unit's 函 rule, a 通知 the rule for every kind"
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体函', kinds=[kind('letter')])
        numbering_rule(org.yz_edu, '袁教体字')
        year = today().year
        letter, = self.numbered(org, kind=kind('letter').id)
        notice, = self.numbered(org)
        self.assertEqual(letter, '袁教体函〔%s〕1号' % year)
        self.assertEqual(notice, '袁教体字〔%s〕1号' % year)

    @with_transaction()
    def test_organ_code_of_one_unit(self):
        "Another unit's 机关代字 is refused, naming that unit"
        Numbering = Pool().get('egov.document.numbering')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        with self.assertRaises(UserError) as cm:
            numbering_rule(org.zs_finance, '袁教体字')
        self.assertIn('袁州区教育体育局', cm.exception.message)
        self.assertIn('相同的文号', cm.exception.message)
        other = numbering_rule(org.zs_finance, '樟财字')
        with self.assertRaises(UserError):
            Numbering.write([other], {'prefix': '袁教体字'})

    @with_transaction()
    def test_unit_without_rule(self):
        "The message names the unit and the kind, nothing is numbered"
        Outgoing = Pool().get('egov.document.outgoing')
        org = document_org()
        # A rule for 函 only: a 通知 has none
        numbering_rule(org.yz_edu, '袁教体函', kinds=[kind('letter')])
        document = self.to_number_step(org, self.outgoing(org))
        message = self.refused(self.number, org, document)
        self.assertIn('袁州区教育体育局', message)
        self.assertIn('通知', message)
        self.assertIsNone(Outgoing(document.id).number)

    @with_transaction()
    def test_yearly_reset(self):
        "Each year counts from 1 on a counter of its own"
        pool = Pool()
        Date = pool.get('ir.date')
        Counter = pool.get('egov.document.numbering.counter')
        org = document_org()
        rule = numbering_rule(org.yz_edu, '袁教体字')
        with mock.patch.object(Date, 'today',
                return_value=datetime.date(2026, 12, 31)):
            old = self.numbered(org, 2)
        with mock.patch.object(Date, 'today',
                return_value=datetime.date(2027, 1, 1)):
            new = self.numbered(org, 1)
            self.assertEqual(rule.__class__(rule.id).preview,
                '袁教体字〔2027〕2号')
        self.assertEqual(old + new, ['袁教体字〔2026〕1号',
                '袁教体字〔2026〕2号', '袁教体字〔2027〕1号'])
        counters = Counter.search([('numbering', '=', rule.id)],
            order=[('year', 'ASC')])
        # (On PostgreSQL a counter is ahead: the numbers not given yet
        # wait, free; the next number is the first of them)
        self.assertEqual([(c.year, Counter.peek(rule.id, c.year))
                for c in counters], [(2026, 3), (2027, 2)])

    @with_transaction()
    def test_reserve_then_use(self):
        "Reserved numbers are kept; typed at 编号 (any brackets) they are used"
        Number = Pool().get('egov.document.number')
        org = document_org()
        rule = numbering_rule(org.yz_edu, '袁教体字')
        year = today().year
        reserved = self.reserve(org.yz_clerk, rule, 2, note='留给年度工作要点')
        self.assertEqual(reserved,
            ['袁教体字〔%s〕1号' % year, '袁教体字〔%s〕2号' % year])
        self.assertEqual({n.state for n in Number.search([])}, {'reserved'})
        # The next automatic number comes after them
        first, = self.numbered(org)
        self.assertEqual(first, '袁教体字〔%s〕3号' % year)
        document = self.to_number_step(org, self.outgoing(org))
        self.assertEqual(
            self.number(org, document, '袁教体字【%s】2号' % year),
            '袁教体字〔%s〕2号' % year)
        used, = Number.search([('sequence', '=', 2)])
        self.assertEqual((used.state, used.document), ('used', document))
        # A reserved number is used once
        other = self.to_number_step(org, self.outgoing(org))
        message = self.refused(self.number, org, other,
            '袁教体字〔%s〕2号' % year)
        self.assertIn('已经使用或作废', message)

    @with_transaction()
    def test_void(self):
        "A voided number is kept, never given again, and the count goes on"
        pool = Pool()
        Number = pool.get('egov.document.number')
        Post = pool.get('egov.org.post')
        ModelData = pool.get('ir.model.data')
        org = document_org()
        # 朱婷, head of the office, administers the bureau's 公文
        office_head, = Post.search([('name', '=', '办公室主任'),
                ('unit', '=', org.yz_edu_office.id)])
        Post.write([office_head], {'groups': [('add', [
                            ModelData.get_id(
                                'egov_document', 'group_document_admin')])]})
        pool.get('res.user').clear_org_caches()
        rule = numbering_rule(org.yz_edu, '袁教体字')
        year = today().year
        self.reserve(org.yz_clerk, rule, 2)
        second, = Number.search([('sequence', '=', 2)])
        # A clerk may not void
        with acting_as(org.yz_clerk):
            with self.assertRaises(AccessButtonError):
                Number.void([second])
        with acting_as(org.office_head):
            Number.void([second])
        self.assertEqual(Number(second.id).state, 'voided')
        self.assertEqual(self.numbered(org), ['袁教体字〔%s〕3号' % year])
        document = self.to_number_step(org, self.outgoing(org))
        message = self.refused(self.number, org, document,
            '袁教体字[%s]2号' % year)
        self.assertIn('袁教体字〔%s〕2号' % year, message)
        self.assertIn('作废', message)
        self.assertEqual(len(Number.search([])), 3)

    @with_transaction()
    def test_typed_numbers_of_manual_rule(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Number = pool.get('egov.document.number')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字', mode='manual')
        document = self.to_number_step(org, self.outgoing(org))
        message = self.refused(self.number, org, document)
        self.assertIn('请填写发文字号', message)
        message = self.refused(self.number, org, document, '袁教体字2026-5')
        self.assertIn('袁教体字2026-5', message)
        self.assertIn('袁教体字〔%s〕1号' % today().year, message)
        # Another unit's organ code is not this rule's
        self.refused(self.number, org, document, '樟财字〔2026〕5号')
        self.assertEqual(
            self.number(org, document, ' 袁教体字［２０２６］５号 '),
            '袁教体字〔2026〕5号')
        self.assertEqual(Number.search([]).pop().number, '袁教体字〔2026〕5号')
        # The same number twice
        other = self.to_number_step(org, self.outgoing(org))
        message = self.refused(self.number, org, other,
            '袁教体字〔2026〕5号')
        self.assertIn('“袁教体字〔2026〕5号”已经使用或作废', message)
        self.assertIsNone(Outgoing(other.id).number)

    @with_transaction()
    def test_typed_number_ahead_of_count(self):
        "An automatic rule counts alone: a number it did not reach is refused"
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        year = today().year
        self.numbered(org)
        document = self.to_number_step(org, self.outgoing(org))
        message = self.refused(self.number, org, document,
            '袁教体字〔%s〕9号' % year)
        self.assertIn('超出了编号规则', message)
        # Its own taken number is refused as given already
        message = self.refused(self.number, org, document,
            '袁教体字〔%s〕1号' % year)
        self.assertIn('已经使用或作废', message)
        self.assertEqual(self.number(org, document, ''),
            '袁教体字〔%s〕2号' % year)

    def allocate(self, rule, sequence, taken_at, taker=None):
        "A number taken by a transaction that never registered it"
        pool = Pool()
        Allocation = pool.get('egov.document.numbering.allocation')
        Counter = pool.get('egov.document.numbering.counter')
        year = today().year
        table = Allocation.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.insert(
                [table.numbering, table.year, table.sequence,
                    table.taken_at, table.taker, table.create_uid,
                    table.create_date],
                [[rule.id, year, sequence, taken_at, taker, 0, taken_at]]))
        counter, = Counter.search([('numbering', '=', rule.id)]) or [None]
        if counter and counter.next_number <= sequence:
            Counter.write([counter], {'next_number': sequence + 1})
        elif not counter:
            Counter.create([{'numbering': rule.id, 'year': year,
                        'next_number': sequence + 1}])

    @with_transaction()
    def test_lost_number_given_again(self):
        """A number taken long ago by a transaction that failed (no register
        row) goes to the next document; a fresh one waits for its taker"""
        org = document_org()
        rule = numbering_rule(org.yz_edu, '袁教体字')
        year = today().year
        now = datetime.datetime.now()
        self.allocate(rule, 1, now - datetime.timedelta(minutes=10))
        self.allocate(rule, 2, now)
        self.assertEqual(self.numbered(org, 2), [
                '袁教体字〔%s〕1号' % year, '袁教体字〔%s〕3号' % year])

    @with_transaction()
    def test_registered_allocations_dropped(self):
        """Each take drops the allocations of numbers registered since: the
        table keeps only the numbers being taken and the lost ones"""
        if not Transaction().database.has_select_for():
            self.skipTest("PostgreSQL only")
        pool = Pool()
        Allocation = pool.get('egov.document.numbering.allocation')
        org = document_org()
        rule = numbering_rule(org.yz_edu, '袁教体字')
        self.allocate(rule, 1, datetime.datetime.now())
        self.assertEqual(len(self.numbered(org, 3)), 3)
        # The documents got 2, 3 and 4 (1 is being taken, not lost: it
        # was taken just now); 2 and 3 went with the takes that followed
        # them, 4 goes with the next take. The first take counted 2 to 11:
        # 5 to 11 wait, free, for the next takers
        allocations = Allocation.search([('numbering', '=', rule.id)])
        self.assertEqual(sorted(a.sequence for a in allocations
                if a.taker != FREE), [1, 4])
        self.assertEqual(sorted(a.sequence for a in allocations
                if a.taker == FREE), list(range(5, 2 + AHEAD)))
        Counter = Pool().get('egov.document.numbering.counter')
        self.assertEqual(Counter.peek(rule.id, today().year), 5)

    @with_transaction()
    def test_lost_number_of_failed_transaction_at_once(self):
        """PostgreSQL knows the transaction that took a number: failed, its
        number is given again at once; still running, never, however old"""
        database = Transaction().database
        if not database.has_select_for():
            self.skipTest("PostgreSQL only")
        import psycopg
        params = database._connection_params(database.name)
        conninfo = params.pop('conninfo')
        with psycopg.connect(conninfo, **params) as failed, \
                psycopg.connect(conninfo, **params) as running:
            failed_xid, = failed.execute('SELECT txid_current()').fetchone()
            failed.rollback()
            running_xid, = running.execute(
                'SELECT txid_current()').fetchone()
            org = document_org()
            rule = numbering_rule(org.yz_edu, '袁教体字')
            year = today().year
            now = datetime.datetime.now()
            self.allocate(rule, 1, now - datetime.timedelta(hours=2),
                taker=running_xid)
            self.allocate(rule, 2, now, taker=failed_xid)
            self.assertEqual(self.numbered(org, 2), [
                    '袁教体字〔%s〕2号' % year, '袁教体字〔%s〕3号' % year])
            running.rollback()

    @with_transaction()
    def test_taker_that_waited_for_a_count_takes_a_free_number(self):
        """Two clerks find no free number at once: the second waits for the
        counter's row while the first counts ahead, then takes one of the
        numbers counted, never counts again above them (a gap while they
        wait)"""
        database = Transaction().database
        if not database.has_select_for():
            self.skipTest("PostgreSQL only")
        import threading

        import psycopg
        pool = Pool()
        names = {
            'counter': pool.get('egov.document.numbering.counter')._table,
            'allocation': pool.get(
                'egov.document.numbering.allocation')._table,
            'number': pool.get('egov.document.number')._table,
            }
        take = numbering._TAKE % names
        params = database._connection_params(database.name)
        conninfo = params.pop('conninfo')
        now = datetime.datetime.now()
        # A rule of its own, committed (the test's transaction is not):
        # the foreign keys are not checked on these two connections
        rule, year = 987654, 2031
        values = {'rule': rule, 'year': year, 'now': now,
            'old': now - numbering.ABANDONED, 'free': FREE, 'ahead': AHEAD}
        with psycopg.connect(conninfo, autocommit=True, **params) as first, \
                psycopg.connect(conninfo, autocommit=True, **params) \
                as second:
            for connection in [first, second]:
                connection.execute("SET session_replication_role = replica")
            try:
                first.execute('INSERT INTO "%(counter)s" (numbering, year, '
                    'next_number) VALUES (%%s, %%s, 1)' % names,
                    (rule, year))
                answers = []
                with first.transaction():
                    taker, = first.execute(
                        'SELECT txid_current()').fetchone()
                    self.assertEqual(first.execute(take, dict(values,
                                taker=taker)).fetchall(), [(1,)])

                    def second_takes():
                        answers.append(second.execute(take, dict(values,
                                    taker=taker + 1)).fetchall())
                    waiting = threading.Thread(target=second_takes)
                    waiting.start()
                    waiting.join(timeout=0.5)
                    # It waits for the counter's row
                    self.assertTrue(waiting.is_alive())
                waiting.join(timeout=10)
                # The count moved while it waited: nothing, then a number
                # counted by the first
                self.assertEqual(answers, [[]])
                self.assertEqual(second.execute(take, dict(values,
                            taker=taker + 1)).fetchall(), [(2,)])
                next_number, = second.execute('SELECT next_number FROM '
                    '"%(counter)s" WHERE numbering = %%s' % names,
                    (rule,)).fetchone()
                self.assertEqual(next_number, 1 + AHEAD)
            finally:
                for table in ['allocation', 'counter']:
                    first.execute('DELETE FROM "%s" WHERE numbering = %%s'
                        % names[table], (rule,))

    @with_transaction()
    def test_clerks_see_their_unit_only(self):
        "Each unit's clerk sees and uses only the rules and register of it"
        pool = Pool()
        Numbering = pool.get('egov.document.numbering')
        Number = pool.get('egov.document.number')
        org = document_org()
        yz_rule = numbering_rule(org.yz_edu, '袁教体字')
        zs_rule = numbering_rule(org.zs_finance, '樟财字')
        yz_numbers = self.reserve(org.yz_clerk, yz_rule, 1)
        zs_numbers = self.reserve(org.zs_clerk, zs_rule, 2)
        for clerk, mine, theirs, numbers in [
                (org.yz_clerk, yz_rule, zs_rule, yz_numbers),
                (org.zs_clerk, zs_rule, yz_rule, zs_numbers)]:
            with acting_as(clerk):
                self.assertEqual(Numbering.search([]), [mine])
                self.assertEqual(
                    sorted(n.number for n in Number.search([])), numbers)
                self.assertEqual(Numbering.search([], count=True), 1)
                with self.assertRaises(AccessError):
                    Numbering.read([theirs.id], ['prefix'])
                self.assertEqual(
                    Number.search([('numbering', '=', theirs.id)]), [])
                self.assertEqual(Number.search(
                        [('numbering.prefix', '=', theirs.prefix)]), [])
                # Nor change their own rule
                with self.assertRaises(AccessError):
                    Numbering.write([mine], {'prefix': '改字'})
            with self.assertRaises(AccessError):
                self.reserve(clerk, theirs, 1)
        # Staff who are not clerks do not reserve, not even in the unit
        with self.assertRaises(AccessError):
            self.reserve(org.secretary, yz_rule, 1)
        theirs = self.register(zs_rule)
        with acting_as(org.yz_clerk):
            with self.assertRaises(AccessError):
                Number.read([n.id for n in Number.search([])]
                    + [theirs[0].id], ['number'])
        # Nothing of the other unit was taken by the refused attempts
        self.assertEqual(len(Number.search([])), 3)

    def register(self, rule):
        return Pool().get('egov.document.number').search(
            [('numbering', '=', rule.id)])
