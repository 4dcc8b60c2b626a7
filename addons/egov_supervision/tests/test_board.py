"""实时监控, 检查考核 and 数据分析: the figures each person may see, the
anomalies, the ranking in Excel."""
import datetime
import io
from unittest.mock import patch

import openpyxl

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .. import excel
from ..excel import workbook
from ..task import OPEN_STATES
from .test_reminder import bureau_task
from .tools import SupervisionTestCase, acting_as, day, supervision_org


class BoardTestCase(SupervisionTestCase):

    @with_transaction()
    def test_board_assessment_statistics(self):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Reminder = pool.get('egov.supervision.reminder')
        Board = pool.get('egov.supervision.board')
        Assessment = pool.get('egov.supervision.assessment')
        Statistic = pool.get('egov.supervision.statistic')
        Extension = pool.get('egov.supervision.extension')
        org = supervision_org()
        root, yz, edu = bureau_task(org)
        Reminder.run_nightly(today=day(7))      # the bureau's task is red

        with acting_as(org.city_clerk):
            rows = Board.search([])
            by_unit = {r.unit: r for r in rows}
            self.assertEqual(set(by_unit), {org.city, org.yuanzhou,
                    org.yz_edu})
            edu_row = by_unit[org.yz_edu]
            self.assertEqual((edu_row.open, edu_row.red, edu_row.leader),
                (1, 1, org.leader))
            # Drill down: the unit's tasks and their feedback history
            self.assertEqual(list(edu_row.tasks), [edu])
        with acting_as(org.zs_clerk):
            self.assertEqual(Board.search([]), [])
        with acting_as(org.yz_clerk):
            self.assertEqual({r.unit for r in Board.search([])},
                {org.yuanzhou, org.yz_edu})

        # Anomalies: two extensions; no feedback for the week
        with acting_as(org.bureau_head):
            Task.accept([edu])
        # Accepted ten days ago, with no feedback since
        Task.write([Task(edu.id)], {'accepted_date': pool.get('ir.date')
                .today() - datetime.timedelta(days=10)})
        for new_deadline in [day(10), day(12)]:
            with acting_as(org.bureau_head):
                extension, = Extension.create([{'task': edu.id,
                            'new_deadline': new_deadline, 'reason': '延期。'}])
            with acting_as(org.yz_clerk):
                Extension.approve([extension])
        with acting_as(org.city_clerk):
            self.assertIn(edu, Task.search([('extension_count', '>=', 2)]))
            self.assertIn(edu, Task.search([('silent', '=', True)]))
            edu_row, = [r for r in Board.search([])
                if r.unit == org.yz_edu]
            self.assertEqual((edu_row.extended, edu_row.silent), (1, 1))

        # The bureau closes; it is assessed over the period
        with acting_as(org.bureau_head):
            Task.request_completion([Task(edu.id)])
        with acting_as(org.yz_clerk):
            Task.write([Task(edu.id)], {'quality': 90})
            Task.close([Task(edu.id)])
        context = {'from_date': day(0), 'to_date': day(60)}
        with acting_as(org.city_clerk), \
                Transaction().set_context(**context):
            ranking = Assessment.search([])
            bureau, = [r for r in ranking if r.unit == org.yz_edu]
            self.assertEqual((bureau.due, bureau.closed, bureau.on_time,
                    bureau.extensions), (1, 1, 1, 2))
            self.assertEqual(bureau.quality, 90)
            self.assertGreater(bureau.score, 0)
            with Transaction().set_context(axis='source'):
                source, = Statistic.search([])
                self.assertEqual((source.name, source.total, source.closed),
                    ('领导批示', 3, 1))
            with Transaction().set_context(axis='month'):
                month, = Statistic.search([])
                self.assertEqual(month.name, '202703')
            data = workbook(dict(context, what='assessment'))
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        header = [c.value for c in sheet[1]]
        self.assertEqual(header[:3], ['名次', '单位', '应办结任务'])
        units = [row[1].value for row in sheet.iter_rows(min_row=2)]
        self.assertIn('袁州区教育体育局', units)
        with acting_as(org.zs_clerk), Transaction().set_context(**context):
            self.assertEqual(Assessment.search([]), [])

    @with_transaction()
    def test_city_board_counts_follow_the_tasks(self):
        """The city's board reads counts kept per lead unit, leader and
        source: they follow every change in its transaction and the nightly
        run; a county's officer still gets only the county's figures"""
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Reminder = pool.get('egov.supervision.reminder')
        Board = pool.get('egov.supervision.board')
        org = supervision_org()
        root, yz, edu = bureau_task(org)
        with acting_as(org.city_clerk):
            zs, = Task.create_children(Task(root.id), [
                    {'unit': org.zhangshu.id, 'deadline': day(10)}])

        def expected(tasks=None):
            "The figures grouped from the tasks, as the board did before"
            figures = {}
            for task in tasks if tasks is not None else Task.search([
                        ('state', 'in', list(OPEN_STATES))]):
                row = figures.setdefault(task.lead_unit, [0, 0, 0, 0])
                row[0] += 1
                for i, light in enumerate(['green', 'yellow', 'red'], 1):
                    row[i] += task.light == light
            return figures

        def board(user, **context):
            with acting_as(user, **context):
                # (No feedback is that of the nightly run's day: checked
                # in the test above)
                return {r.unit: [r.open, r.green, r.yellow, r.red]
                    for r in Board.search([])}

        self.assertEqual(board(org.city_clerk), expected())
        self.assertEqual(set(expected()), {org.city, org.yuanzhou,
                org.yz_edu, org.zhangshu})
        # The nightly run moves lights behind the ORM, and counts again
        Reminder.run_nightly(today=day(7))
        self.assertEqual(board(org.city_clerk)[org.yz_edu], [1, 0, 0, 1])
        self.assertEqual(board(org.city_clerk), expected())
        # A task closed leaves the open figures at once
        with acting_as(org.bureau_head):
            Task.accept([Task(edu.id)])
            Task.request_completion([Task(edu.id)])
        with acting_as(org.yz_clerk):
            Task.write([Task(edu.id)], {'quality': 80})
            Task.close([Task(edu.id)])
        figures = board(org.city_clerk)
        self.assertNotIn(org.yz_edu, figures)
        self.assertEqual(figures, expected())
        # The context's filters
        self.assertEqual(board(org.city_clerk, source='plan'), {})
        self.assertEqual(board(org.city_clerk, leader=org.leader.id),
            figures)

        # A county's officer: the tasks of the county only, from the tasks
        with acting_as(org.zs_clerk):
            readable = Task.search([('state', 'in', list(OPEN_STATES))])
        self.assertEqual(readable, [Task(zs.id)])
        self.assertEqual(board(org.zs_clerk), expected(readable))
        with acting_as(org.yz_clerk):
            readable = Task.search([('state', 'in', list(OPEN_STATES))])
        self.assertEqual(set(board(org.yz_clerk)), {org.yuanzhou})
        self.assertEqual(board(org.yz_clerk), expected(readable))

    @with_transaction()
    def test_excel_export(self):
        """The 数据分析 export through its wizard: a sheet with the Chinese
        headers of the list and its figures; one over the sheet's limit is
        refused, not cut"""
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Reminder = pool.get('egov.supervision.reminder')
        Statistic = pool.get('egov.supervision.statistic')
        Export = pool.get('egov.supervision.export', type='wizard')
        Excel = pool.get('egov.supervision.excel', type='report')
        org = supervision_org()
        root, yz, edu = bureau_task(org)
        Reminder.run_nightly(today=day(7))
        with acting_as(org.bureau_head):
            Task.accept([Task(edu.id)])
            Task.request_completion([Task(edu.id)])
        with acting_as(org.yz_clerk):
            Task.write([Task(edu.id)], {'quality': 80})
            Task.close([Task(edu.id)])
        period = {'from_date': day(0), 'to_date': day(60)}

        def export(user, **start):
            with acting_as(user):
                session_id, _, _ = Export.create()
                result = Export.execute(session_id, {'start': dict(
                            period, what='statistic', axis='lead_unit',
                            **start)}, 'export')
                (action, data), = result['actions']
                Export.delete(session_id)
                kind, content, _, _ = Excel.execute([], data)
            self.assertEqual(kind, 'xlsx')
            return openpyxl.load_workbook(io.BytesIO(content)).active

        sheet = export(org.city_clerk)
        self.assertEqual(sheet.title, '督查统计')
        self.assertEqual([c.value for c in sheet[1]], ['分组', '任务数',
                '已办结', '办结率（%）', '绿灯', '黄灯', '红灯', '延期'])
        with acting_as(org.city_clerk), \
                Transaction().set_context(axis='lead_unit', **period):
            listed = Statistic.search_read([], fields_names=['name',
                    'total', 'closed', 'completion_rate', 'green',
                    'yellow', 'red', 'extensions'])
        self.assertEqual(len(listed), 3)
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        self.assertEqual(rows, [[r['name'], r['total'], r['closed'],
                    '%.1f' % r['completion_rate'], r['green'], r['yellow'],
                    r['red'], r['extensions']] for r in listed])
        self.assertIn(['袁州区教育体育局', 1, 1, '100.0', 0, 0, 0, 0], rows)
        # Another county's officer exports only what she may read
        self.assertEqual(export(org.zs_clerk).max_row, 1)

        with patch.object(excel, 'MAX_ROWS', 2):
            with self.assertRaises(UserError) as refused:
                export(org.city_clerk)
        self.assertEqual(refused.exception.message,
            '导出共3行，超过每张表2行的上限：请缩短期间或改用其他分组方式。')
