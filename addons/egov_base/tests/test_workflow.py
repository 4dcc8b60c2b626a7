"""The workflow engine as people use it: the shipped leave and 发文
processes, countersign, return, withdraw, hand over, delegation, deadlines
in working days, and refused diagrams."""
import datetime

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import EgovTestCase, acting_as, create_org


def workflow_org():
    """The test organisation with the people the shipped processes need:
    a head of 袁州区教育体育局's office, a head of the bureau, a leader in
    charge, a 文书, and a second department with its head."""
    pool = Pool()
    Unit = pool.get('egov.org.unit')
    Post = pool.get('egov.org.post')
    Employee = pool.get('egov.org.employee')
    Assignment = pool.get('egov.org.assignment')
    Leadership = pool.get('egov.org.leadership')
    User = pool.get('res.user')
    org = create_org()
    org.yz_school_dept, = Unit.create([{
                'code': 'YZ-001-02', 'name': '基础教育股',
                'kind': 'department', 'parent': org.yz_edu.id}])
    office_head, bureau_head, school_head, secretary = Post.create([{
                'name': '办公室主任', 'unit': org.yz_edu_office.id,
                'head': True,
                }, {
                'name': '局长', 'unit': org.yz_edu.id, 'head': True,
                }, {
                'name': '股长', 'unit': org.yz_school_dept.id, 'head': True,
                }, {
                'name': '文书', 'unit': org.yz_edu_office.id,
                }])
    people = [
        ('office_head', '朱婷', office_head, org.yz_edu_office),
        ('bureau_head', '宋涛', bureau_head, None),
        ('school_head', '郭静', school_head, org.yz_school_dept),
        ('secretary', '胡军', secretary, org.yz_edu_office),
        ('leader', '郑伟', None, None),
        ]
    for login, name, post, department in people:
        user, = User.create([{'login': login, 'name': name}])
        employee, = Employee.create([{
                    'name': name, 'number': 'W-' + login,
                    'unit': org.yz_edu.id if login != 'leader' else (
                        org.yz_edu.id),
                    'department': department.id if department else None,
                    'user': user.id}])
        if post:
            Assignment.create([{
                        'employee': employee.id, 'post': post.id,
                        'primary': True}])
        setattr(org, login, user)
        setattr(org, login + '_employee', employee)
    Leadership.create([{
                'leader': org.leader_employee.id, 'unit': org.yz_edu.id}])
    return org


class WorkflowTestCase(EgovTestCase):

    def process(self, code):
        Process = Pool().get('egov.workflow.process')
        process, = Process.search([
                ('code', '=', code), ('state', '=', 'active')])
        return process

    def open_tasks(self, user, instance=None):
        Task = Pool().get('egov.workflow.task')
        domain = [('user', '=', user.id), ('state', '=', 'open'),
            ('kind', '=', 'todo')]
        if instance:
            domain.append(('instance', '=', instance.id))
        return Task.search(domain)

    def act(self, user, decision='approve', text=None, instance=None):
        "user does their (only) open to-do"
        with acting_as(user):
            tasks = self.open_tasks(user, instance)
            self.assertEqual(len(tasks), 1, msg=[
                    (t.step, t.engine_task) for t in tasks])
            task, = tasks
            task.decide(decision, text)
        return task

    def leave_request(self, org, days=5):
        Request = Pool().get('egov.workflow.request')
        with acting_as(org.yz_clerk):
            request, = Request.create([{
                        'title': '谢娜请假',
                        'process': self.process('leave').id,
                        'values': {
                            'leave_type': '事假',
                            'start_date': datetime.date(2026, 12, 1),
                            'end_date': datetime.date(2026, 12, 5),
                            'days': days,
                            'reason': '家中有事',
                            },
                        }])
            Request.workflow_start([request])
        return Request(request.id)

    @with_transaction()
    def test_leave_longer_than_three_days(self):
        "申请 → 部门负责人 → 分管领导 (more than 3 days) → done"
        org = workflow_org()
        request = self.leave_request(org, days=5)
        self.assertEqual(request.workflow_state, 'running')
        self.assertEqual(request.workflow_steps, '填写请假单')

        self.act(org.yz_clerk, text='请批准')
        # Only the current holder has the to-do: not the leader yet
        self.assertEqual(len(self.open_tasks(org.office_head)), 1)
        self.assertEqual(self.open_tasks(org.leader), [])
        self.act(org.office_head, text='同意')
        self.act(org.leader, text='同意,注意安排好工作')
        request = request.__class__(request.id)
        self.assertEqual(request.workflow_state, 'done')
        opinions = request.workflow.opinions
        self.assertEqual([o.step_name for o in opinions],
            ['填写请假单', '部门负责人审批', '分管领导审批'])
        self.assertEqual(opinions[1].user, org.office_head)
        self.assertIn('办公室主任', opinions[1].post)

    @with_transaction()
    def test_short_leave_skips_the_leader(self):
        org = workflow_org()
        request = self.leave_request(org, days=2)
        self.act(org.yz_clerk)
        self.act(org.office_head)
        self.assertEqual(request.__class__(request.id).workflow_state, 'done')
        self.assertEqual(self.open_tasks(org.leader), [])

    @with_transaction()
    def test_disagree_ends_the_process(self):
        org = workflow_org()
        request = self.leave_request(org)
        self.act(org.yz_clerk)
        self.act(org.office_head, 'reject', '工作繁忙,暂不批准')
        request = request.__class__(request.id)
        self.assertEqual(request.workflow_state, 'rejected')
        self.assertEqual(self.open_tasks(org.leader), [])

    @with_transaction()
    def test_double_action_is_refused(self):
        "A second click on a done to-do gets a clear message"
        org = workflow_org()
        self.leave_request(org)
        task = self.act(org.yz_clerk)
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                task.decide('approve', None)
        self.assertIn('已办理', cm.exception.message)
        task, = self.open_tasks(org.office_head)
        with acting_as(org.secretary):
            with self.assertRaises(UserError) as cm:
                task.decide('approve', None)
            self.assertIn('不是您的待办', cm.exception.message)

    @with_transaction()
    def test_return_to_an_earlier_step(self):
        "退回: back to whoever did the step, with the reason"
        org = workflow_org()
        request = self.leave_request(org)
        self.act(org.yz_clerk)
        self.act(org.office_head)
        with acting_as(org.leader):
            task, = self.open_tasks(org.leader)
            first = [t for t in request.workflow.tasks
                if t.step == 'apply'][0]
            with self.assertRaises(UserError):
                task.return_to(first, '  ')
            task.return_to(first, '请补充工作交接安排')
        back, = self.open_tasks(org.yz_clerk)
        self.assertEqual(back.step, 'apply')
        opinion = request.workflow.opinions[-1]
        self.assertEqual(opinion.decision, 'return')
        self.assertEqual(opinion.target_step, '填写请假单')
        # And on again from there
        self.act(org.yz_clerk)
        self.act(org.office_head)
        self.act(org.leader)
        self.assertEqual(request.__class__(request.id).workflow_state, 'done')

    @with_transaction()
    def test_withdraw_before_the_next_acted(self):
        "撤回 works until the next person acts"
        org = workflow_org()
        self.leave_request(org)
        sent = self.act(org.yz_clerk)
        with acting_as(org.yz_clerk):
            sent.do_withdraw()
        self.assertEqual(self.open_tasks(org.office_head), [])
        again, = self.open_tasks(org.yz_clerk)
        self.act(org.yz_clerk)
        self.act(org.office_head)
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                again.__class__(again.id).do_withdraw()
        self.assertIn('已不能撤回', cm.exception.message)

    @with_transaction()
    def test_hand_over(self):
        "转办: the holder gives the to-do to a colleague"
        org = workflow_org()
        self.leave_request(org)
        self.act(org.yz_clerk)
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            task.hand_over_to(org.secretary, '请代为审核')
        self.assertEqual(self.open_tasks(org.office_head), [])
        self.act(org.secretary)
        self.assertTrue(self.open_tasks(org.leader))

    @with_transaction()
    def test_standing_delegation(self):
        "委托: while the head is away, the deputy acts as 'A 代 B'"
        pool = Pool()
        Delegation = pool.get('egov.workflow.delegation')
        org = workflow_org()
        today = Pool().get('ir.date').today()
        with acting_as(org.office_head):
            Delegation.create([{
                        'delegate': org.secretary.id,
                        'start_date': today,
                        'end_date': today + datetime.timedelta(days=7)}])
        request = self.leave_request(org)
        self.act(org.yz_clerk)
        task, = self.open_tasks(org.secretary)
        self.assertEqual(task.acting_for, org.office_head)
        self.assertEqual(task.holder_name, '胡军 代 朱婷')
        self.act(org.secretary)
        opinion = request.workflow.opinions[-1]
        self.assertEqual(opinion.acting_for, org.office_head)
        self.assertEqual(opinion.author, '胡军 代 朱婷')

    @with_transaction()
    def test_nobody_to_do_it(self):
        "A rule that finds nobody stops with a message to the sender"
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        org = workflow_org()
        Assignment.delete(org.office_head_employee.assignments
            + org.bureau_head_employee.assignments)
        self.leave_request(org)
        with acting_as(org.yz_clerk):
            task, = self.open_tasks(org.yz_clerk)
            with self.assertRaises(UserError) as cm:
                task.decide('approve', None)
        self.assertIn('没有找到办理人员', cm.exception.message)
        self.assertIn('部门负责人审批', cm.exception.message)

    @with_transaction()
    def test_countersign_by_two_departments(self):
        "发文: 拟稿 → 核稿 → 会签 by two departments → 签发 → 编号 → 分发"
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        with acting_as(org.yz_clerk):
            request, = Request.create([{
                        'title': '关于做好2027年元旦春节期间安全工作的通知',
                        'process': self.process('outgoing').id,
                        'values': {'doc_type': '通知', 'urgency': '急件'},
                        'cosign_units': [('add', [
                                    org.yz_edu_office.id,
                                    org.yz_school_dept.id])],
                        'recipients': [('add', [org.zs_finance.id])],
                        }])
            Request.workflow_start([request])
        self.act(org.yz_clerk)                   # 拟稿
        self.act(org.office_head)                # 核稿
        # 会签: one to-do per department, in parallel
        self.assertEqual(len(self.open_tasks(org.office_head)), 1)
        self.assertEqual(len(self.open_tasks(org.school_head)), 1)
        self.act(org.school_head, text='会签同意')
        self.assertEqual(self.open_tasks(org.bureau_head), [])
        self.act(org.office_head, text='同意')
        self.act(org.bureau_head, text='签发')   # 签发
        with acting_as(org.secretary):
            task, = self.open_tasks(org.secretary)
            with self.assertRaises(UserError) as cm:
                task.decide('approve', None)    # 编号 needs the number
            self.assertIn('发文字号', cm.exception.message)
            task.decide('approve', None, data={'doc_number': '袁教发〔2026〕1号'})
        # 分发 to 樟树市财政局's 收发员
        self.act(org.zs_clerk)
        request = Request(request.id)
        self.assertEqual(request.workflow_state, 'done')
        self.assertEqual(request.values['doc_number'], '袁教发〔2026〕1号')
        steps = [o.step_name for o in request.workflow.opinions]
        self.assertEqual(steps.count('会签'), 2)

    @with_transaction()
    def test_deadline_in_working_days(self):
        "Deadlines skip weekends and official holidays"
        Holiday = Pool().get('egov.workflow.holiday')
        start = datetime.datetime(2026, 9, 30, 9, 0)   # before 国庆
        self.assertEqual(Holiday.add_working_days(start, 1).date(),
            datetime.date(2026, 10, 8))
        start = datetime.datetime(2026, 9, 18, 9, 0)   # a Friday
        # Sunday 20 September is worked in exchange (调休上班)
        self.assertEqual(Holiday.add_working_days(start, 1).date(),
            datetime.date(2026, 9, 20))

    @with_transaction()
    def test_traffic_lights(self):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        self.assertEqual(task.light, 'green')
        Task.write([task], {
                'deadline': datetime.datetime.now()
                - datetime.timedelta(hours=1)})
        self.assertEqual(Task(task.id).light, 'red')

    @with_transaction()
    def test_to_dos_are_private(self):
        "Nobody else reads someone's to-dos or the request"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        request = self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        with acting_as(org.zs_clerk):
            self.assertEqual(Task.search([]), [])
            self.assertEqual(Request.search([]), [])
            with self.assertRaises(AccessError):
                Task.read([task.id], ['step'])
            with self.assertRaises(AccessError):
                Request.write([Request(request.id)], {'title': 'x'})
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError):
                Task.write([Task(task.id)], {'state': 'done'})


class DefinitionTestCase(EgovTestCase):
    "Diagrams that cannot run are refused with a message naming why"

    def check(self, bpmn, fragment):
        Process = Pool().get('egov.workflow.process')
        with self.assertRaises(UserError) as cm:
            Process.create([{
                        'name': '测试流程', 'code': 'test',
                        'model': 'egov.workflow.request', 'bpmn': bpmn}])
        self.assertIn(fragment, cm.exception.message)
        self.assertChinese(cm.exception.message)

    def leave_bpmn(self):
        Process = Pool().get('egov.workflow.process')
        process, = Process.search([('code', '=', 'leave')])
        return process.bpmn

    @with_transaction()
    def test_xxe_is_refused(self):
        self.check('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM '
            '"file:///etc/passwd">]><d>&e;</d>', 'DOCTYPE')

    @with_transaction()
    def test_not_bpmn(self):
        self.check('<html><body>hi</body></html>', '不是 BPMN')
        self.check('<broken', 'XML 格式错误')
        self.check('x' * (600 * 1024), '最多允许')

    @with_transaction()
    def test_script_task_is_refused(self):
        bpmn = self.leave_bpmn().replace(
            '<bpmn:userTask id="head"', '<bpmn:scriptTask id="head"').replace(
            '</bpmn:userTask>\n    <bpmn:exclusiveGateway',
            '</bpmn:scriptTask>\n    <bpmn:exclusiveGateway')
        self.check(bpmn, '不能运行程序代码')

    @with_transaction()
    def test_cycle_without_end(self):
        "Steps going round with no way to the end"
        bpmn = self.leave_bpmn().replace(
            'sourceRef="leader" targetRef="end"',
            'sourceRef="leader" targetRef="head"').replace(
            'sourceRef="gw" targetRef="end"', 'sourceRef="gw" targetRef="apply"')
        self.check(bpmn, '无法')

    @with_transaction()
    def test_step_without_assignee(self):
        bpmn = self.leave_bpmn().replace(
            'egov:assignee="head:initiator"', '')
        self.check(bpmn, '没有设置办理人规则')

    @with_transaction()
    def test_unsafe_condition(self):
        bpmn = self.leave_bpmn().replace(
            'days &gt; 3', '__import__("os").system("id")')
        self.check(bpmn, '不是对表单字段的简单表达式')

    @with_transaction()
    def test_versions(self):
        "A new version runs new instances; running ones keep theirs"
        Process = Pool().get('egov.workflow.process')
        leave, = Process.search([('code', '=', 'leave')])
        Process.new_version([leave])
        draft, = Process.search([('code', '=', 'leave'),
                ('state', '=', 'draft')])
        self.assertEqual(draft.version, 2)
        Process.activate([draft])
        self.assertEqual(Process(leave.id).state, 'retired')
