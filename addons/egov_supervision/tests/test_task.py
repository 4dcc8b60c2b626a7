"""政务督查: a leader's instruction becomes a task, split to two counties,
fed back, extended, closed; each county sees only its part."""
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import (
    SupervisionTestCase, acting_as, day, instruction_task, supervision_org)


def split_to_counties(org, task):
    Task = Pool().get('egov.supervision.task')
    with acting_as(org.city_clerk):
        Task.assign([task])
        Task.accept([task])
        yz, zs = Task.create_children(Task(task.id), [
                {'unit': org.yuanzhou.id, 'deadline': day(20)},
                {'unit': org.zhangshu.id, 'deadline': day(25)},
                ])
    return Task(yz.id), Task(zs.id)


class TaskTestCase(SupervisionTestCase):
    "Tasks down the hierarchy, with two counties' officers"

    @with_transaction()
    def test_instruction_split_feedback_close(self):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Feedback = pool.get('egov.supervision.feedback')
        Extension = pool.get('egov.supervision.extension')
        org = supervision_org()
        root = instruction_task(org)
        yz, zs = split_to_counties(org, root)
        self.assertEqual(Task(root.id).state, 'in_progress')
        self.assertEqual((yz.state, yz.assigning_unit, yz.leader),
            ('assigned', org.city, org.leader))

        # Each county sees its own task only; the city sees them all
        with acting_as(org.yz_clerk):
            self.assertEqual(Task.search([]), [yz])
        with acting_as(org.zs_clerk):
            self.assertEqual(Task.search([]), [zs])
            with self.assertRaises(AccessError):
                Task.read([yz.id], ['title'])
        with acting_as(org.city_clerk):
            self.assertEqual(len(Task.search([])), 3)
        # The leader in charge sees what they lead
        with acting_as(org.leader):
            self.assertEqual(len(Task.search([])), 3)

        # 袁州区 accepts, reports and splits its part to a unit below
        with acting_as(org.yz_clerk):
            Task.accept([yz])
            Feedback.create([{'task': yz.id, 'unit': org.yuanzhou.id,
                        'progress': 30, 'text': '已召开部署会。'}])
            edu, = Task.create_children(Task(yz.id), [
                    {'unit': org.yz_edu.id, 'deadline': day(15)}])
        yz = Task(yz.id)
        self.assertEqual((yz.state, yz.owner, yz.last_feedback.isoformat()
                    is not None), ('in_progress', org.yz_clerk, True))
        self.assertEqual(edu.assigning_unit, org.yuanzhou)
        # The unit's people see their task, not their county's
        with acting_as(org.bureau_head):
            self.assertEqual(Task.search([]), [edu])

        # 宋涛's bureau does it and asks to close; 袁州区 checks it
        with acting_as(org.bureau_head):
            Task.accept([edu])
            Feedback.create([{'task': edu.id, 'unit': org.yz_edu.id,
                        'text': '方案已印发。', 'progress': 100}])
            Task.request_completion([edu])
        with acting_as(org.yz_clerk):
            Task.write([Task(edu.id)], {'quality': 90})
            Task.close([Task(edu.id)])
            Task.request_completion([yz])
        self.assertEqual(Task(edu.id).state, 'closed')

        # An extension of 樟树市, approved by the city only
        with acting_as(org.zs_clerk):
            Task.accept([zs])
            extension, = Extension.create([{'task': zs.id,
                        'new_deadline': day(28), 'reason': '等待省里文件。'}])
            with self.assertRaises(AccessError) as cm:
                Extension.approve([extension])
            self.assertIn('宜春市', cm.exception.message)
        with acting_as(org.city_clerk):
            Extension.approve([extension])
        zs = Task(zs.id)
        self.assertEqual((zs.deadline, zs.extension_count), (day(28), 1))

        with acting_as(org.city_clerk):
            Task.return_([Task(yz.id)])
        self.assertEqual(Task(yz.id).state, 'returned')
        with acting_as(org.yz_clerk):
            Task.request_completion([Task(yz.id)])
        with acting_as(org.city_clerk):
            Task.write([Task(yz.id)], {'quality': 85})
            Task.close([Task(yz.id)])
        yz = Task(yz.id)
        self.assertEqual((yz.state, yz.quality, yz.light),
            ('closed', 85, 'done'))

    @with_transaction()
    def test_bad_input(self):
        "Clear refusals, nothing half-saved"
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Feedback = pool.get('egov.supervision.feedback')
        Extension = pool.get('egov.supervision.extension')
        org = supervision_org()

        with self.assertRaises(UserError) as cm:
            instruction_task(org, deadline=day(-1))
        self.assertIn('早于', cm.exception.message)

        root = instruction_task(org)
        with acting_as(org.city_clerk):
            Task.assign([root])
            Task.accept([root])
            with self.assertRaises(UserError) as cm:
                Task.create_children(Task(root.id), [
                        {'unit': org.yuanzhou.id, 'deadline': day(31)}])
            self.assertIn('晚于', cm.exception.message)
            with self.assertRaises(UserError) as cm:
                Task.create_children(Task(root.id), [
                        {'unit': org.city.id, 'deadline': day(10)}])
            self.assertIn('下级', cm.exception.message)

        with acting_as(org.city_clerk):
            yz, zs = Task.create_children(Task(root.id), [
                    {'unit': org.yuanzhou.id, 'deadline': day(20)},
                    {'unit': org.zhangshu.id, 'deadline': day(25)},
                    ])
        with acting_as(org.zs_clerk):
            Task.accept([zs])
            # 樟树市 answering for 袁州区
            with self.assertRaises(UserError):
                Feedback.create([{'task': yz.id, 'unit': org.yuanzhou.id,
                            'text': '代为反馈。'}])
            # or naming 袁州区 on its own task
            with self.assertRaises(UserError) as cm:
                Feedback.create([{'task': zs.id, 'unit': org.yuanzhou.id,
                            'text': '代为反馈。'}])
            self.assertIn('既不是督查任务', cm.exception.message)
            with self.assertRaises(UserError) as cm:
                Task.accept([Task(yz.id)])
        with acting_as(org.yz_clerk):
            # Feedback before accepting
            with self.assertRaises(UserError) as cm:
                Feedback.create([{'task': yz.id, 'unit': org.yuanzhou.id,
                            'text': '进展。'}])
            self.assertIn('接收', cm.exception.message)
            Task.accept([Task(yz.id)])
            # A deadline after the city's own
            with self.assertRaises(UserError) as cm:
                Extension.create([{'task': yz.id, 'new_deadline': day(40),
                            'reason': '来不及。'}])
            self.assertIn('宜春市', cm.exception.message)
            with self.assertRaises(UserError) as cm:
                Extension.create([{'task': yz.id, 'new_deadline': day(10),
                            'reason': '提前。'}])
            self.assertIn('晚于', cm.exception.message)
            # The deadline of an assigned task is the assigner's to change
            with self.assertRaises(UserError) as cm:
                Task.write([Task(yz.id)], {'deadline': day(29)})
            self.assertIn('延期', cm.exception.message)
            Task.request_completion([Task(yz.id)])
        with acting_as(org.city_clerk):
            Task.close([Task(yz.id)])
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Feedback.create([{'task': yz.id, 'unit': org.yuanzhou.id,
                            'text': '补充。'}])
            self.assertIn('已办结', cm.exception.message)
            with self.assertRaises(UserError) as cm:
                Extension.create([{'task': yz.id, 'new_deadline': day(29),
                            'reason': '补充。'}])
            self.assertIn('已办结', cm.exception.message)
        self.assertEqual(Task(yz.id).deadline, day(20))
