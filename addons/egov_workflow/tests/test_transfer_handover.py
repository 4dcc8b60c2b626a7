"""Transfers hand the work over (人员调动): the to-dos, copies and standing
delegations of the person who moves go to the successor the administrator
names, within the administrator's county, and the audit keeps each item."""
import datetime

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as

from ..transfer import AUDIT_METHOD
from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase


class TransferHandoverTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    def busy_office_head(self, org):
        """Give 朱婷 (the office head) work: she acts for 郑伟 (the leader in
        charge, away this week), holds his step of a first leave request
        and her own step of a second, has a copy of the second, and has
        asked 宋涛 to act for her next month. Return the two requests."""
        pool = Pool()
        Delegation = pool.get('egov.workflow.delegation')
        today = pool.get('ir.date').today()
        with acting_as(org.leader):
            Delegation.create([{
                        'delegate': org.office_head.id,
                        'start_date': today,
                        'end_date': today + datetime.timedelta(days=7)}])
        with acting_as(org.office_head):
            Delegation.create([{
                        'delegate': org.bureau_head.id,
                        'start_date': today + datetime.timedelta(days=30),
                        'end_date': today + datetime.timedelta(days=40)}])
        first = self.leave_request(org, days=5)
        self.act(org.yz_clerk, instance=first.workflow)
        self.act(org.office_head, instance=first.workflow)
        second = self.leave_request(org, days=5)
        with acting_as(org.yz_clerk):
            task, = self.open_tasks(org.yz_clerk, second.workflow)
            task.decide('approve', '请批准', copy_to=[org.office_head.id])
        return first, second

    def new_unit(self, org):
        "袁州区民政局, in the same county, with a post"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Post = pool.get('egov.org.post')
        unit, = Unit.create([{
                    'code': 'YZ-002', 'name': '袁州区民政局', 'kind': 'unit',
                    'parent': org.yuanzhou.id}])
        post, = Post.create([{'name': '科员', 'unit': unit.id}])
        return unit, post

    def transfer(self, org, **values):
        "朱婷, in her post for a year, moves to 袁州区民政局 today"
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        Assignment = pool.get('egov.org.assignment')
        today = pool.get('ir.date').today()
        Assignment.write(list(org.office_head_employee.assignments), {
                'start_date': today - datetime.timedelta(days=365)})
        unit, post = self.new_unit(org)
        with acting_as(org.yz_admin):
            transfer, = Transfer.create([dict({
                            'employee': org.office_head_employee.id,
                            'to_unit': unit.id,
                            'to_post': post.id,
                            'reason': '工作需要',
                            }, **values)])
        return Transfer(transfer.id)

    def open_work(self, user):
        "The open to-dos and copies of user"
        Task = Pool().get('egov.workflow.task')
        return Task.search([
                ('user', '=', user.id), ('state', '=', 'open')],
            order=[('id', 'ASC')])

    @with_transaction()
    def test_work_goes_to_the_successor(self):
        "To-dos, copy and delegations go to 胡军, who finishes the requests"
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        Task = pool.get('egov.workflow.task')
        Delegation = pool.get('egov.workflow.delegation')
        Notification = pool.get('res.notification')
        Log = pool.get('egov.audit.log')
        org = workflow_org()
        first, second = self.busy_office_head(org)
        acting, = self.open_tasks(org.office_head, first.workflow)
        self.assertEqual(acting.holder_name, '朱婷 代 郑伟')
        transfer = self.transfer(org)

        with acting_as(org.yz_admin):
            # The administrator sees how much work waits before choosing
            self.assertEqual(Transfer(transfer.id).pending_work, 5)
            Transfer.write([Transfer(transfer.id)], {
                    'successor': org.secretary_employee.id})
            Transfer.do([Transfer(transfer.id)])
        transfer = Transfer(transfer.id)
        self.assertEqual(transfer.state, 'done')
        self.assertEqual(transfer.pending_work, 0)
        self.assertIn('5', transfer.handed_over)
        self.assertIn('胡军', transfer.handed_over)

        # 朱婷 has nothing left; what she held is marked handed over
        self.assertEqual(self.open_work(org.office_head), [])
        self.assertEqual(Task(acting.id).state, 'handed_over')
        todos = self.open_tasks(org.secretary)
        self.assertEqual(
            sorted((t.instance.id, t.holder_name) for t in todos),
            sorted([(first.workflow.id, '胡军 代 郑伟'),
                    (second.workflow.id, '胡军')]))
        copy, = Task.search([
                ('user', '=', org.secretary.id), ('kind', '=', 'cc')])
        self.assertEqual(
            (copy.instance, copy.state, copy.step_name),
            (second.workflow, 'open', '填写请假单'))
        self.assertEqual(Notification.search(
                [('user', '=', org.secretary.id)], count=True), 3)

        # The delegation she held is his now; her own one ended
        moved, = Delegation.search([('delegator', '=', org.leader.id)])
        self.assertEqual(moved.delegate, org.secretary)
        self.assertEqual(Delegation.search(
                [('delegator', '=', org.office_head.id)]), [])
        ended, = Delegation.search([
                ('delegator', '=', org.office_head.id),
                ('active', '=', False)])
        self.assertEqual(ended.delegate, org.bureau_head)
        told, = Notification.search([('user', '=', org.leader.id)])
        self.assertIn('胡军', told.label)

        # 胡军 takes both requests to their end
        self.act(org.secretary, instance=first.workflow, text='同意')
        self.assertEqual(first.__class__(first.id).workflow_state, 'done')
        opinion = first.__class__(first.id).workflow.opinions[-1]
        self.assertEqual(opinion.author, '胡军 代 郑伟')
        self.act(org.secretary, instance=second.workflow)
        # The leader's step comes to him through the delegation he took
        self.act(org.secretary, instance=second.workflow)
        self.assertEqual(second.__class__(second.id).workflow_state, 'done')
        with acting_as(org.secretary):
            Task.mark_read([Task(copy.id)])
        self.assertEqual(self.open_work(org.secretary), [])
        self.assertEqual(self.open_work(org.office_head), [])

        # The audit keeps every item: who, what, from whom, to whom
        rows = Log.search([('method', '=', AUDIT_METHOD)],
            order=[('id', 'ASC')])
        self.assertEqual(len(rows), 5)
        self.assertEqual({r.login for r in rows}, {'yz_admin'})
        self.assertEqual(
            sorted((r.model, r.record_id) for r in rows
                if r.model == 'egov.workflow.task'),
            sorted([('egov.workflow.task', acting.id),
                    ('egov.workflow.task', copy.previous.id),
                    ('egov.workflow.task',
                        [t for t in todos
                            if t.instance == second.workflow][0]
                        .previous.id)]))
        todo_row, = [r for r in rows if r.record_id == acting.id
            and r.model == 'egov.workflow.task']
        self.assertIn('朱婷', todo_row.message)
        self.assertIn('胡军', todo_row.message)
        self.assertChinese(todo_row.message)
        self.assertIn('handed_over', todo_row.changes)
        for row in rows:
            self.assertIn(str(transfer.id), row.changes)

    @with_transaction()
    def test_pending_work_needs_a_successor(self):
        "Without a successor the transfer is refused, naming the count"
        Transfer = Pool().get('egov.org.transfer')
        org = workflow_org()
        self.leave_request(org)
        self.act(org.yz_clerk)
        transfer = self.transfer(org)
        with acting_as(org.yz_admin):
            self.assertEqual(Transfer(transfer.id).pending_work, 1)
            with self.assertRaises(UserError) as cm:
                Transfer.do([Transfer(transfer.id)])
        self.assertIn('还有 1 项待办工作', cm.exception.message)
        self.assertChinese(cm.exception.message)
        # Nothing moved, as root too
        with self.assertRaises(UserError):
            Transfer.do([Transfer(transfer.id)])
        self.assertEqual(Transfer(transfer.id).state, 'draft')
        self.assertEqual(len(self.open_tasks(org.office_head)), 1)

    @with_transaction()
    def test_successor_within_the_county(self):
        "A county administrator cannot hand the work to another county"
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        org = workflow_org()
        self.leave_request(org)
        self.act(org.yz_clerk)
        transfer = self.transfer(org)
        with acting_as(org.yz_admin):
            # Refused when it is chosen, before anything is done
            with self.assertRaises(UserError) as cm:
                Transfer.write([Transfer(transfer.id)], {
                        'successor': org.zs_clerk_employee.id})
        self.assertIn('韩梅', cm.exception.message)
        self.assertIn('不在您管理的范围', cm.exception.message)
        self.assertChinese(cm.exception.message)
        self.assertEqual(Transfer(transfer.id).state, 'draft')
        Transfer.write([Transfer(transfer.id)], {
                'successor': org.zs_clerk_employee.id})
        self.assertEqual(len(self.open_tasks(org.office_head)), 1)
        self.assertEqual(self.open_work(org.zs_clerk), [])

        # Root, like the city's administrator, may pick anyone
        Transfer.do([Transfer(transfer.id)])
        self.assertEqual(self.open_tasks(org.office_head), [])
        self.assertEqual(len(self.open_tasks(org.zs_clerk)), 1)

    @with_transaction()
    def test_successor_needs_a_login(self):
        "The work goes to a login: a successor without one is refused"
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        Employee = pool.get('egov.org.employee')
        org = workflow_org()
        nobody, = Employee.create([{
                    'name': '李明', 'number': 'YZ0099',
                    'unit': org.yz_edu.id}])
        self.leave_request(org)
        self.act(org.yz_clerk)
        transfer = self.transfer(org, successor=nobody.id)
        with acting_as(org.yz_admin):
            with self.assertRaises(UserError) as cm:
                Transfer.do([Transfer(transfer.id)])
        self.assertIn('李明', cm.exception.message)
        self.assertIn('1 项', cm.exception.message)
        self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_no_work_no_successor(self):
        "A person without work moves without a successor"
        Transfer = Pool().get('egov.org.transfer')
        org = workflow_org()
        transfer = self.transfer(org)
        with acting_as(org.yz_admin):
            self.assertEqual(Transfer(transfer.id).pending_work, 0)
            Transfer.do([Transfer(transfer.id)])
        transfer = Transfer(transfer.id)
        self.assertEqual(transfer.state, 'done')
        self.assertIsNone(transfer.handed_over)
