"""实时监控, 检查考核 and 数据分析: the figures each person may see, the
anomalies, the ranking in Excel."""
import datetime
import io

import openpyxl

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..excel import workbook
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
