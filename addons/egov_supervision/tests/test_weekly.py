"""每周督查工作进展情况: the Word report of the week, each county seeing
only its own tasks; an administrator's broken template refused clearly."""
import io

import docx

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import (
    SupervisionTestCase, acting_as, day, instruction_task, supervision_org)


def two_county_tasks(org):
    "The city's task split to 袁州区 (due Thursday) and 樟树市 (later)"
    pool = Pool()
    Task = pool.get('egov.supervision.task')
    Feedback = pool.get('egov.supervision.feedback')
    root = instruction_task(org)
    with acting_as(org.city_clerk):
        Task.assign([root])
        Task.accept([root])
        yz, zs = Task.create_children(Task(root.id), [
                {'unit': org.yuanzhou.id, 'deadline': day(3)},
                {'unit': org.zhangshu.id, 'deadline': day(25)}])
    with acting_as(org.yz_clerk):
        Task.accept([yz])
        Feedback.create([{'task': yz.id, 'unit': org.yuanzhou.id,
                    'progress': 40, 'text': '袁州区已印发实施方案<草案>。'}])
    with acting_as(org.zs_clerk):
        Task.accept([zs])
        Feedback.create([{'task': zs.id, 'unit': org.zhangshu.id,
                    'progress': 20, 'text': '樟树市已召开部署会。'}])
    return Task(root.id), Task(yz.id), Task(zs.id)


def text_of(content):
    "Every paragraph and table cell of a .docx, opened by python-docx"
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in table.rows]
        for table in document.tables]
    return '\n'.join(lines), tables


class WeeklyTestCase(SupervisionTestCase):

    def report(self, user, date):
        Report = Pool().get('egov.supervision.weekly.report', type='report')
        with acting_as(user):
            ext, content, _, name = Report.execute([], {'date': date})
        self.assertEqual(ext, 'docx')
        self.assertEqual(name, '每周督查工作进展情况')
        return text_of(content)

    @with_transaction()
    def test_weekly_report_by_county(self):
        pool = Pool()
        Reminder = pool.get('egov.supervision.reminder')
        org = supervision_org()
        root, yz, zs = two_county_tasks(org)
        Reminder.run_nightly(today=day(7))      # 袁州区's task is red
        Reminder.send(Reminder.search([('state', '=', 'queued')]))

        text, (tasks, overdue, reminders) = self.report(org.yz_clerk, day(9))
        self.assertIn('每周督查工作进展情况', text)
        self.assertIn('2027年3月8日—2027年3月14日', text)
        self.assertIn('红灯（逾期）1项', text)
        # The header, then 袁州区's task only: never 樟树市's nor the city's
        self.assertEqual(len(tasks), 2)
        self.assertEqual(tasks[1][1:5],
            ['推进城乡生活垃圾分类工作', '袁州区', '2027年3月4日', '红灯'])
        # Escaped by the template engine, not breaking the XML
        self.assertIn('袁州区已印发实施方案<草案>。', tasks[1][5])
        self.assertEqual([r[2] for r in overdue[1:]], ['袁州区'])
        self.assertEqual(overdue[1][4], '6')     # 4 to 10 March
        self.assertTrue(reminders[1:])
        self.assertEqual({r[0] for r in reminders[1:]}, {'2027年3月8日'})
        self.assertNotIn('樟树', text + str(tasks) + str(reminders))

        text, (tasks, overdue, reminders) = self.report(org.zs_clerk, day(9))
        self.assertEqual([r[2] for r in tasks[1:]], ['樟树市'])
        self.assertIn('樟树市已召开部署会。', tasks[1][5])
        self.assertEqual((overdue[1:], reminders[1:]), ([], []))
        self.assertNotIn('袁州', str(tasks))

        # The city's office sees all three
        text, (tasks, _, _) = self.report(org.city_clerk, day(9))
        self.assertEqual(sorted(r[2] for r in tasks[1:]),
            sorted(['袁州区', '樟树市', org.city.name]))

    @with_transaction()
    def test_broken_template(self):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        org = supervision_org()
        action = ActionReport(ModelData.get_id(
                'egov_supervision', 'report_weekly'))
        default = bytes(action.report_content)
        # A Jinja tag left open in the uploaded template
        document = docx.Document(io.BytesIO(default))
        document.add_paragraph('{{ counts.total ')
        broken = io.BytesIO()
        document.save(broken)
        for content in [broken.getvalue(), b'not a word file']:
            ActionReport.write([action], {'report_content': content})
            with self.assertRaises(UserError) as cm:
                self.report(org.city_clerk, day(9))
            self.assertIn('每周进展报告模板无法使用', cm.exception.message)
            self.assertIn('删除它以恢复默认模板', cm.exception.message)
        # Removed: the default again
        ActionReport.write([action], {'report_content': None})
        text, _ = self.report(org.city_clerk, day(9))
        self.assertIn('每周督查工作进展情况', text)
