"""Query, monitoring, 催办 and statistics of 公文 (issue 14 item 4).

The data: 收文 of 袁州区教育体育局 (袁州区) and of 樟树市财政局 (樟树市), with
known dates, deadlines, kinds, 来文单位 and process times; 发文 of
袁州区教育体育局 to known 主送单位. Each county's document administrator
(周敏 of 袁州区, 黄磊 of 樟树市) sees only their county's figures; a 密级
document counts only for those cleared for it."""
import datetime
import io

import openpyxl

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, kind)


def year_context():
    "The whole current year, as the statistics' context"
    today = Pool().get('ir.date').today()
    return {
        'from_date': today.replace(month=1, day=1),
        'to_date': today.replace(month=12, day=31),
        }


def statistics(model, user, **context):
    "{group key: row} of the statistic model as user sees it"
    Model = Pool().get('egov.document.statistic.%s' % model)
    values = dict(year_context(), **context)
    with acting_as(user, **values):
        return Model.search([])


class StatisticsTestCase(DocumentHelpers, EgovDocumentTestCase):

    def setup_data(self):
        """Five 收文 (three of 袁州区, two of 樟树市) and two 发文 of
        袁州区教育体育局; the county administrators get their role"""
        pool = Pool()
        Post = pool.get('egov.org.post')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Incoming = pool.get('egov.document.incoming')
        Instance = pool.get('egov.workflow.instance')
        Task = pool.get('egov.workflow.task')
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        org = document_org()
        admin = ModelData.get_id('egov_document', 'group_document_admin')
        # The organisation administrators read no documents (三员分立):
        # each county's document administrator is a person of its own
        for login, name, unit in [
                ('yz_doc_admin', '周敏', org.yz_edu_office),
                ('zs_doc_admin', '黄磊', org.zs_finance_office)]:
            post, = Post.create([{'name': '公文管理员', 'unit': unit.id,
                        'groups': [('add', [admin])]}])
            user, = User.create([{'login': login, 'name': name}])
            employee, = Employee.create([{
                        'name': name, 'number': 'S-' + login,
                        'unit': unit.parent.id, 'department': unit.id,
                        'user': user.id}])
            Assignment.create([{'employee': employee.id, 'post': post.id,
                        'primary': True}])
            setattr(org, login, user)
            setattr(org, login + '_employee', employee)
        User.clear_org_caches()
        today = pool.get('ir.date').today()
        self.year = today.year
        jan = datetime.date(today.year, 1, 10)
        feb = datetime.date(today.year, 2, 10)
        notice, letter = kind('notice'), kind('letter')

        def incoming(clerk, unit, title, source, date, kind_, deadline=None,
                handlers=()):
            with acting_as(clerk):
                document, = Incoming.create([{
                            'title': title, 'source_name': source,
                            'received_date': date, 'kind': kind_.id,
                            'unit': unit.id, 'deadline': deadline,
                            'handlers': [('add', [h.id for h in handlers])],
                            }])
                Incoming.workflow_start([document])
            return Incoming(document.id)

        org.in_done_ontime = incoming(org.yz_clerk, org.yz_edu,
            '关于做好春季开学工作的通知', '宜春市教育局', jan, notice,
            deadline=jan + datetime.timedelta(days=10),
            handlers=[org.yz_edu_office])
        org.in_done_late = incoming(org.yz_clerk, org.yz_edu,
            '关于报送学校安全台账的通知', '宜春市教育局', jan, notice,
            deadline=jan + datetime.timedelta(days=2),
            handlers=[org.yz_edu_office, org.yz_school_dept])
        org.in_running_late = incoming(org.yz_clerk, org.yz_edu,
            '关于商请支持校舍维修的函', '袁州区财政局', feb, letter,
            deadline=today - datetime.timedelta(days=1))
        org.zs_first = incoming(org.zs_clerk, org.zs_finance,
            '关于下达专项资金的通知', '宜春市财政局', jan, notice)
        org.zs_second = incoming(org.zs_clerk, org.zs_finance,
            '关于开展财政监督检查的通知', '宜春市财政局', feb, notice)

        def finish(document, start, days):
            started = datetime.datetime.combine(start, datetime.time(9))
            Instance.write([document.workflow], {
                    'state': 'done',
                    'started_at': started,
                    'ended_at': started + datetime.timedelta(days=days),
                    })
            Incoming.write([document], {'workflow_state': 'done'})
            Task.write([t for t in document.workflow.tasks
                    if t.state == 'open'], {'state': 'done'})

        # 办理时长 2 and 4 days; the second ended after its deadline
        finish(org.in_done_ontime, jan, 2)
        finish(org.in_done_late, jan, 4)
        finish(org.zs_first, jan, 6)
        return org

    def outgoing_data(self, org):
        "Two 发文 of 袁州区教育体育局 (办公室 drafts): to 樟树市财政局, and to it "
        "and the city office"
        Outgoing = Pool().get('egov.document.outgoing')
        first = self.outgoing(org, department=org.yz_edu_office.id)
        second = self.outgoing(org, title='关于做好寒假安全工作的通知',
            department=org.yz_edu_office.id,
            main_recipients=[('add', [org.zs_finance.id,
                            org.city_office.id])],
            copy_recipients=[])
        return [Outgoing(first.id), Outgoing(second.id)]

    @with_transaction()
    def test_counts_and_durations(self):
        "收文 by month, kind, 来文单位 and department: the known figures"
        org = self.setup_data()
        # 周敏, the document administrator of 袁州区
        months = statistics('month', org.yz_doc_admin)
        self.assertEqual(
            [(m.month_name, m.count, m.done, m.running, m.overdue)
                for m in months],
            [('%s-01' % self.year, 2, 2, 0, 1),
                ('%s-02' % self.year, 1, 0, 1, 1)])
        self.assertAlmostEqual(months[0].average_days, 3.0)
        self.assertIsNone(months[1].average_days)

        kinds = {k.kind.code: (k.count, k.done, k.overdue)
            for k in statistics('kind', org.yz_doc_admin)}
        self.assertEqual(kinds, {'notice': (2, 2, 1), 'letter': (1, 0, 1)})

        sources = {s.source_name: (s.count, s.average_days)
            for s in statistics('source', org.yz_doc_admin)}
        self.assertEqual(sources, {
                '宜春市教育局': (2, 3.0), '袁州区财政局': (1, None)})

        # Each handling department counts what it handles; the 收文 no
        # department handles yet is counted apart
        departments = {d.department: d.count
            for d in statistics('department', org.yz_doc_admin)}
        self.assertEqual(departments, {
                org.yz_edu_office: 2, org.yz_school_dept: 1, None: 1})

        # A period: January only
        january = statistics('month', org.yz_doc_admin,
            to_date=datetime.date(self.year, 1, 31))
        self.assertEqual([m.count for m in january], [2])

    @with_transaction()
    def test_read_after_search_computes_nothing_again(self):
        """The web client's read of the groups it just searched takes the
        search's figures (PostgreSQL), for that person only"""
        from unittest import mock

        from trytond import backend

        from ..statistics import statistic
        if backend.name != 'postgresql':
            self.skipTest("PostgreSQL only")
        Month = Pool().get('egov.document.statistic.month')
        org = self.setup_data()
        fields = ['month_name', 'count', 'done', 'overdue', 'rec_name']
        with mock.patch.object(statistic, 'documents',
                wraps=statistic.documents) as computed:
            with acting_as(org.yz_doc_admin, **year_context()):
                ids = [m.id for m in Month.search([])]
                self.assertEqual(computed.call_count, 1)
                rows = Month.read(ids, fields)
                self.assertEqual(computed.call_count, 1)
                # A read of more groups than one statement's parameters
                # allow comes in slices, with the same figures
                from egov_base import figures
                with mock.patch.object(figures, 'MAX_PARAMETERS', 1):
                    self.assertEqual(Month.read(ids, fields), rows)
                self.assertEqual(computed.call_count, 1)
            self.assertEqual([(r['month_name'], r['count'], r['done'])
                    for r in rows],
                [('%s-01' % self.year, 2, 2), ('%s-02' % self.year, 1, 0)])
            # Another person reading the same groups gets their own figures
            with acting_as(org.zs_doc_admin, **year_context()):
                theirs = Month.read(ids, fields)
                self.assertGreater(computed.call_count, 1)
        Month._figures.clear()
        with acting_as(org.zs_doc_admin, **year_context()):
            self.assertEqual(theirs, Month.read(ids, fields))

    @with_transaction()
    def test_two_counties_see_their_own(self):
        """The administrators of two counties and the clerks of two units
        see the figures of what they may read only"""
        org = self.setup_data()
        totals = {}
        for user in [org.yz_doc_admin, org.zs_doc_admin, org.yz_clerk,
                org.zs_clerk]:
            rows = statistics('month', user)
            totals[user.login] = (sum(m.count for m in rows),
                sum(m.done for m in rows))
        self.assertEqual(totals, {
                'yz_doc_admin': (3, 2), 'zs_doc_admin': (2, 1),
                'yz_clerk': (3, 2), 'zs_clerk': (2, 1)})
        sources = [s.source_name for s in statistics('source', org.zs_doc_admin)]
        self.assertEqual(sources, ['宜春市财政局'])
        self.assertEqual(
            statistics('source', org.zs_doc_admin, unit=org.yz_edu.id), [])
        # Someone of neither unit's clerks nor a participant: nothing
        self.assertEqual(statistics('month', org.school_head), [])

    @with_transaction()
    def test_documents_follow_a_unit_to_another_county(self):
        """A unit moved to another county takes its 收文 along: the new
        county's administrator reads them, the old one's no more"""
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Incoming = pool.get('egov.document.incoming')
        org = self.setup_data()
        zhangshu, yuanzhou = org.zs_finance.division, org.yz_edu.division
        bureau, = Unit.create([{'name': '樟树市审计局', 'kind': 'unit',
                    'code': 'ZS-901', 'parent': zhangshu.id}])
        document, = Incoming.create([{'title': '关于开展审计整改的通知',
                    'source_name': '宜春市审计局', 'unit': bureau.id}])
        self.assertEqual(document.division, zhangshu)

        def counts():
            result = []
            for user in [org.yz_doc_admin, org.zs_doc_admin]:
                with acting_as(user):
                    result.append(len(Incoming.search([])))
            return result
        self.assertEqual(counts(), [3, 3])
        Unit.write([bureau], {'parent': yuanzhou.id})
        self.assertEqual(Incoming(document.id).division, yuanzhou)
        self.assertEqual(counts(), [4, 2])

    @with_transaction()
    def test_secrecy_counted_only_for_the_cleared(self):
        "A 秘密 收文 is counted only for the people cleared for 秘密"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Employee = pool.get('egov.org.employee')
        org = self.setup_data()
        Incoming.create([{
                    'title': '关于涉密载体管理的通知',
                    'source_name': '宜春市保密局',
                    'received_date': datetime.date(self.year, 1, 20),
                    'unit': org.yz_edu.id, 'secrecy': 'secret',
                    'kind': kind('notice').id,
                    }])
        rows = statistics('month', org.yz_doc_admin)
        self.assertEqual(sum(m.count for m in rows), 3)
        self.assertNotIn('宜春市保密局',
            [s.source_name for s in statistics('source', org.yz_doc_admin)])
        Employee.write([org.yz_doc_admin_employee], {'secrecy_clearance': 'secret'})
        rows = statistics('month', org.yz_doc_admin)
        self.assertEqual(sum(m.count for m in rows), 4)
        self.assertIn('宜春市保密局',
            [s.source_name for s in statistics('source', org.yz_doc_admin)])

    @with_transaction()
    def test_outgoing_by_recipient_and_department(self):
        org = self.setup_data()
        self.outgoing_data(org)
        recipients = {r.recipient: r.count
            for r in statistics('recipient', org.yz_doc_admin)}
        self.assertEqual(recipients, {org.zs_finance: 2, org.city_office: 1})
        departments = {d.department: d.count for d in statistics(
                'department', org.yz_doc_admin, direction='outgoing')}
        self.assertEqual(departments, {org.yz_edu_office: 2})
        months = statistics('month', org.yz_doc_admin, direction='outgoing')
        self.assertEqual(sum(m.count for m in months), 2)
        # 樟树市 sees none of 袁州区's 发文
        self.assertEqual(statistics('recipient', org.zs_doc_admin), [])

    @with_transaction()
    def test_excel_export(self):
        """The .xlsx opens with openpyxl: Chinese headers, the figures as
        numbers, a sheet per axis and a chart sheet"""
        pool = Pool()
        Excel = pool.get('egov.document.statistic.excel', type='report')
        org = self.setup_data()
        self.outgoing_data(org)
        data = dict(year_context(), direction='incoming', unit=None)
        with acting_as(org.yz_doc_admin):
            extension, content, _, name = Excel.execute([], data)
        self.assertEqual(extension, 'xlsx')
        self.assertEqual(name, '公文统计')
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.sheetnames,
            ['按月份', '按部门', '按文种', '按来文单位', '按主送单位', '图表'])
        months = workbook['按月份']
        rows = list(months.iter_rows(values_only=True))
        self.assertEqual(rows[0],
            ('月份', '件数', '已办结', '办理中', '超期', '平均办理天数'))
        self.assertEqual(rows[1], ('%s-01' % self.year, 2, 2, 0, 1, 3.0))
        self.assertEqual(rows[2][:5], ('%s-02' % self.year, 1, 0, 1, 1))
        sources = list(workbook['按来文单位'].iter_rows(values_only=True))
        self.assertIn(('宜春市教育局', 2, 2, 0, 1, 3.0), sources)
        recipients = list(workbook['按主送单位'].iter_rows(values_only=True))
        self.assertIn(('樟树市财政局', 2, 0, 0, 0, None), recipients)
        # 樟树市's administrator exports their own figures
        with acting_as(org.zs_doc_admin):
            _, content, _, _ = Excel.execute([], data)
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        rows = list(workbook['按月份'].iter_rows(values_only=True))
        self.assertEqual([r[1] for r in rows[1:]], [1, 1])

    @with_transaction()
    def test_export_wizard(self):
        pool = Pool()
        Export = pool.get('egov.document.statistic.export', type='wizard')
        org = self.setup_data()
        with acting_as(org.yz_doc_admin, **year_context()):
            session_id, _, _ = Export.create()
            result = Export.execute(session_id, {}, 'start')
            values = result['view']['defaults']
            self.assertEqual(values['direction'], 'incoming')
            result = Export.execute(session_id, {'start': {
                        'from_date': year_context()['from_date'],
                        'to_date': year_context()['to_date'],
                        'direction': 'incoming', 'unit': None,
                        }}, 'export')
        action, data = result['actions'][0]
        self.assertEqual(action['report_name'],
            'egov.document.statistic.excel')
        self.assertEqual(data['direction'], 'incoming')

    @with_transaction()
    def test_query_filters(self):
        """The lists' filters: the light (超期, 即将到期), the period, the
        current holder and step"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        org = self.setup_data()
        with acting_as(org.yz_clerk):
            self.assertEqual(Incoming.search([('light', '=', 'red')]),
                [org.in_running_late])
            self.assertEqual(
                set(Incoming.search([('light', '=', 'done')])),
                {org.in_done_ontime, org.in_done_late})
            self.assertEqual(
                set(Incoming.search([('light', '!=', 'done')])),
                {org.in_running_late})
            self.assertEqual(Incoming.search([('light', '=', 'yellow')]), [])
            self.assertEqual(
                len(Incoming.search([('period', '=', 'year')])), 3)
            # The running one waits for its 登记 by 谢娜
            self.assertEqual(
                Incoming.search([('current_holder', '=', org.yz_clerk.id)]),
                [org.in_running_late])
            self.assertEqual(
                Incoming.search([('workflow_holders', 'ilike', '%谢娜%')]),
                [org.in_running_late])
            self.assertEqual(
                Incoming.search([('workflow_steps', 'ilike', '%登记%')]),
                [org.in_running_late])
            self.assertEqual(Incoming(org.in_running_late.id).current_holder,
                org.yz_clerk)
            # Two filters at once, as the list's search bar combines them
            self.assertEqual(Incoming.search([
                        ('light', '=', 'red'),
                        ('source_name', 'ilike', '%财政%')]),
                [org.in_running_late])
            # The tabs' counts (counted on the union of the rules) agree
            # with the lists, and a page of a list with its order
            for domain in [[], [('light', '=', 'red')],
                    [('period', '=', 'year'), ('kind', '=', kind('notice').id)],
                    [('source_name', 'ilike', '%教育%')],
                    [('workflow_holders', 'ilike', '%谢娜%')]]:
                found = Incoming.search(domain)
                self.assertEqual(Incoming.search_count(domain), len(found))
                self.assertEqual(
                    Incoming.search(domain, limit=2, order=[('id', 'DESC')]),
                    sorted(found, key=lambda d: d.id, reverse=True)[:2])
        with acting_as(org.zs_clerk):
            # Another unit's documents are in no count
            self.assertEqual(Incoming.search_count([]), 2)
            self.assertEqual(Incoming.search_count([('light', '=', 'red')]),
                0)
        definition = Incoming.fields_get(['light', 'period'])
        self.assertTrue(definition['light']['searchable'])
        self.assertTrue(definition['period']['searchable'])

    @with_transaction()
    def test_flow_and_urge(self):
        """流转情况 shows every step, holder and opinion; the clerk urges
        (催办) an overdue 收文 and its holder is told"""
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Flow = pool.get('egov.document.flow', type='wizard')
        Notification = pool.get('res.notification')
        org = self.setup_data()
        document = org.in_running_late
        self.act(org.yz_clerk, document)                     # 登记
        self.act(org.office_head, document, text='请局长阅示。')  # 拟办

        def flow(user):
            with acting_as(user, active_model='egov.document.incoming',
                    active_id=document.id, active_ids=[document.id]):
                session_id, _, _ = Flow.create()
                return Flow.execute(session_id, {}, 'start')['view'][
                    'defaults']

        values = flow(org.yz_clerk)
        self.assertEqual(
            [(s['step_name'], s['state'], s['opinion'])
                for s in values['steps']],
            [('登记', '已办', None), ('拟办', '已办', '请局长阅示。'),
                ('批办', '待办理', None)])
        self.assertEqual(values['current_steps'], '批办')
        self.assertEqual(values['holders'], org.bureau_head.name)
        self.assertEqual(values['path'],
            '登记（谢娜） → 拟办（朱婷） → 批办（宋涛）')
        # 樟树市's clerk may not read it: nothing of it is shown
        with self.assertRaises(AccessError):
            flow(org.zs_clerk)

        # The clerk who registered it urges the holder
        with acting_as(org.yz_clerk):
            Incoming.workflow_urge([Incoming(document.id)])
        label, = [n.label for n in Notification.search([
                    ('user', '=', org.bureau_head.id)],
                order=[('id', 'DESC')], limit=1)]
        self.assertEqual(label, '谢娜 催办：批办')
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError):
                Incoming.workflow_urge([Incoming(document.id)])

    @with_transaction()
    def test_list_light_is_coloured(self):
        Incoming = Pool().get('egov.document.incoming')
        with Transaction().set_context(language='zh_CN'):
            view = Incoming.fields_view_get(view_type='tree')
        self.assertIn('visual', view['arch'])
        form = Incoming.fields_view_get(view_type='form')
        self.assertIn('open_flow', form['arch'])

