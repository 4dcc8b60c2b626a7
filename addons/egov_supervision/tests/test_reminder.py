"""Lights and 催办: the nightly run over working days, reminders before and
after the deadline, escalation to the unit head and the leader in charge,
never twice; 催办 by hand with a note."""
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import (
    SupervisionTestCase, acting_as, day, instruction_task, supervision_org)


def bureau_task(org):
    """city → 袁州区 → 袁州区教育体育局 (head post 局长 宋涛), due on
    Friday 5 March, no owner named"""
    Task = Pool().get('egov.supervision.task')
    root = instruction_task(org)
    with acting_as(org.city_clerk):
        Task.assign([root])
        Task.accept([root])
        yz, = Task.create_children(Task(root.id), [
                {'unit': org.yuanzhou.id, 'deadline': day(20)}])
    with acting_as(org.yz_clerk):
        Task.accept([yz])
        edu, = Task.create_children(Task(yz.id), [
                {'unit': org.yz_edu.id, 'deadline': day(4)}])
    return Task(root.id), Task(yz.id), Task(edu.id)


class ReminderTestCase(SupervisionTestCase):

    @with_transaction()
    def test_lights_and_escalation(self):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Reminder = pool.get('egov.supervision.reminder')
        Message = pool.get('egov.notify.message')
        org = supervision_org()
        root, yz, edu = bureau_task(org)

        def run(n):
            result = Reminder.run_nightly(today=day(n))
            Reminder.send(Reminder.search([('state', '=', 'queued')]))
            return result

        # Tuesday: three working days to Friday's deadline
        result = run(1)
        self.assertEqual([Task(t).light for t in [root, yz, edu]],
            ['green', 'green', 'yellow'])
        self.assertEqual(
            (result['due'], result['overdue'], result['head']), (1, 0, 0))
        # Run again the same day: nothing twice
        self.assertEqual(run(1)['due'], 0)
        due, = Reminder.search([('level', '=', 'due')])
        self.assertEqual((due.state, due.recipients),
            ('sent', '袁州区教育体育局主要负责人'))
        self.assertTrue(due.message)

        # Monday: overdue; the head only after two working days
        result = run(7)
        self.assertEqual(Task(edu).light, 'red')
        self.assertEqual((result['overdue'], result['head']), (1, 0))
        self.assertEqual(run(8)['head'], 1)
        # The weekend counts for nothing: no reminder on Saturday
        self.assertNotIn('overdue', run(12))
        # Friday: five working days late, the leader in charge
        self.assertEqual(run(11)['leader'], 1)
        leader, = Reminder.search([('level', '=', 'leader')])
        self.assertEqual(leader.recipients, '郑伟')
        self.assertTrue(Message.search([('id', '=', leader.message.id)]))
        self.assertEqual(Task(edu).reminder_count,
            len(Reminder.search([('task', '=', edu.id)])))

        # Closed, it is green no more and reminded no more
        with acting_as(org.bureau_head):
            Task.accept([Task(edu.id)])
            Task.request_completion([Task(edu.id)])
        with acting_as(org.yz_clerk):
            Task.close([Task(edu.id)])
        result = run(14)
        self.assertEqual(Task(edu).light, 'done')
        self.assertEqual(result['overdue'], 0)

    @with_transaction()
    def test_manual_urge(self):
        pool = Pool()
        Reminder = pool.get('egov.supervision.reminder')
        org = supervision_org()
        root, yz, edu = bureau_task(org)
        with acting_as(org.zs_clerk):
            # Another county does not even see it
            with self.assertRaises(AccessError):
                Reminder.urge([edu], '请抓紧。')
        with acting_as(org.bureau_head):
            # The lead unit does not urge itself
            with self.assertRaises(AccessError):
                Reminder.urge([edu], '请抓紧。')
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Reminder.urge([edu], '  ')
            self.assertIn('催办要求', cm.exception.message)
            reminder, = Reminder.urge([edu], '请于周五前报送方案。')
        with acting_as(org.city_clerk):
            # The city, two levels up, may urge too, the same day
            Reminder.urge([edu], '市政府督查室催办。')
        reminder = Reminder(reminder.id)
        self.assertEqual((reminder.level, reminder.state, reminder.sender,
                reminder.note),
            ('manual', 'sent', org.yz_clerk, '请于周五前报送方案。'))
        self.assertEqual(len(Reminder.search([('task', '=', edu.id)])), 2)
