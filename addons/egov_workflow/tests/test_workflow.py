"""The workflow engine as people use it: the shipped leave process and a
发文 approval drawn without code (tools.request_processes), countersign,
send back, withdraw, hand over, delegation, deadlines in working days, and
refused diagrams."""
import datetime
import json

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.notify_tools import run_queue
from egov_base.tests.tools import acting_as, create_org

from .tools import EgovWorkflowTestCase, request_processes


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


SUB_PROCESS = (
    '<bpmn:subProcess id="review" name="部门审核">'
    '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>'
    '<bpmn:startEvent id="review_start">'
    '<bpmn:outgoing>r1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:userTask id="head" name="部门负责人审批"'
    ' egov:assignee="head:initiator" egov:deadline="1">'
    '<bpmn:incoming>r1</bpmn:incoming><bpmn:outgoing>r2</bpmn:outgoing>'
    '</bpmn:userTask>'
    '<bpmn:userTask id="secretary" name="文书登记" egov:assignee="post:文书">'
    '<bpmn:incoming>r2</bpmn:incoming><bpmn:outgoing>r3</bpmn:outgoing>'
    '</bpmn:userTask>'
    '<bpmn:endEvent id="review_end"><bpmn:incoming>r3</bpmn:incoming>'
    '</bpmn:endEvent>'
    '<bpmn:sequenceFlow id="r1" sourceRef="review_start" targetRef="head"/>'
    '<bpmn:sequenceFlow id="r2" sourceRef="head" targetRef="secretary"/>'
    '<bpmn:sequenceFlow id="r3" sourceRef="secretary"'
    ' targetRef="review_end"/>'
    '</bpmn:subProcess>')


def with_sub_process(bpmn):
    "The leave process with its head's step inside a sub-process 部门审核"
    start = bpmn.index('<bpmn:userTask id="head"')
    end = bpmn.index('</bpmn:userTask>', start) + len('</bpmn:userTask>')
    bpmn = bpmn[:start] + SUB_PROCESS + bpmn[end:]
    return bpmn.replace('targetRef="head"/>\n', 'targetRef="review"/>\n', 1
        ).replace('sourceRef="head" targetRef="gw"',
        'sourceRef="review" targetRef="gw"').replace(
        'bpmnElement="head">', 'bpmnElement="review">', 1)


class WorkflowHelpers:
    "What the tests of the workflow do again and again"

    def process(self, code):
        Process = Pool().get('egov.workflow.process')
        process, = Process.search([
                ('code', '=', code), ('state', '=', 'active')])
        return process

    def change_leave(self, change):
        """Activate a new version of the leave process whose diagram is
        change(diagram); return it"""
        Process = Pool().get('egov.workflow.process')
        Process.new_version([self.process('leave')])
        draft, = Process.search([
                ('code', '=', 'leave'), ('state', '=', 'draft')])
        draft.bpmn = change(draft.bpmn)
        draft.save()
        Process.activate([draft])
        return draft

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


class WorkflowTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    @with_transaction()
    def test_start_several_at_once(self):
        "Several requests submitted together each get their own instance"
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        with acting_as(org.yz_clerk):
            requests = Request.create([{
                        'title': '请假%d' % n,
                        'process': self.process('leave').id,
                        'values': {'leave_type': '事假', 'days': n},
                        } for n in range(1, 4)])
            Request.workflow_start(requests)
        requests = Request.browse(requests)
        self.assertEqual(len({r.workflow.id for r in requests}), 3)
        self.assertEqual({r.workflow_state for r in requests}, {'running'})
        tasks = self.open_tasks(org.yz_clerk)
        self.assertEqual(sorted(t.title for t in tasks),
            ['请假1', '请假2', '请假3'])
        # The form's values are searchable by key
        with acting_as(org.yz_clerk):
            found = Request.search([('values.days', '>=', 2)])
            self.assertEqual(sorted(r.title for r in found),
                ['请假2', '请假3'])
            found = Request.search([('values.leave_type', '=', '事假')])
            self.assertEqual(len(found), 3)
        self.assertEqual({t.instance for t in tasks},
            {r.workflow for r in requests})
        self.assertEqual(requests[0].picked_units, ())

    @with_transaction()
    def test_monitoring_actions_are_audited(self):
        "Reassigning a to-do and ending an instance leave audit rows"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Instance = pool.get('egov.workflow.instance')
        Log = pool.get('egov.audit.log')
        org = workflow_org()
        request = self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        Task.reassign([task], org.secretary)
        new, = self.open_tasks(org.secretary)
        Instance.terminate([request.workflow])
        self.assertEqual(Task(new.id).state, 'cancelled')

        def rows(model, record_id):
            return Log.search([('model', '=', model),
                    ('record_id', '=', record_id), ('action', '=', 'write')])
        reassigned = rows('egov.workflow.task', task.id)
        self.assertTrue(any('handed_over' in r.changes for r in reassigned))
        opened, = Log.search([('model', '=', 'egov.workflow.task'),
                ('record_id', '=', new.id), ('action', '=', 'create')])
        self.assertIn(str(org.secretary.id), opened.changes)
        ended = rows('egov.workflow.instance', request.workflow.id)
        self.assertTrue(any('terminated' in r.changes for r in ended))

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
    def test_send_back_to_an_earlier_step(self):
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
                task.send_back_to(first, '  ')
            task.send_back_to(first, '请补充工作交接安排')
        back, = self.open_tasks(org.yz_clerk)
        self.assertEqual(back.step, 'apply')
        opinion = request.workflow.opinions[-1]
        self.assertEqual(opinion.decision, 'send_back')
        self.assertEqual(opinion.target_step, '填写请假单')
        # And on again from there
        self.act(org.yz_clerk)
        self.act(org.office_head)
        self.act(org.leader)
        self.assertEqual(request.__class__(request.id).workflow_state, 'done')

    @with_transaction()
    def test_withdraw_before_the_next_acted(self):
        "收回 works until the next person acts"
        org = workflow_org()
        self.leave_request(org)
        sent = self.act(org.yz_clerk)
        with acting_as(org.yz_clerk):
            sent.withdraw_one()
        self.assertEqual(self.open_tasks(org.office_head), [])
        again, = self.open_tasks(org.yz_clerk)
        self.act(org.yz_clerk)
        self.act(org.office_head)
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                again.__class__(again.id).withdraw_one()
        self.assertIn('已不能收回', cm.exception.message)

    @with_transaction()
    def test_hand_over(self):
        "转交: the holder gives the to-do to a colleague"
        org = workflow_org()
        self.leave_request(org)
        self.act(org.yz_clerk)
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            task.hand_over_to(org.secretary, '请代为审核')
        self.assertEqual(self.open_tasks(org.office_head), [])
        task = task.__class__(task.id)
        self.assertEqual(
            (task.state, task.decision), ('handed_over', 'hand_over'))
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
        # A delegate is chosen as for a hand-over (转交): not in another
        # county, no administrator (last: a refused record stays in a
        # test's transaction)
        for delegate, words in [(org.zs_clerk, '不属于您所在的地区'),
                (org.yz_admin, '管理员')]:
            with acting_as(org.office_head), self.assertRaises(
                    UserError) as cm:
                Delegation.create([{'delegate': delegate.id,
                            'start_date': today, 'end_date': today}])
            self.assertIn(words, cm.exception.message)

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
        request_processes('outgoing')
        with acting_as(org.yz_clerk):
            request, = Request.create([{
                        'title': '关于做好2027年元旦春节期间安全工作的通知',
                        'process': self.process('outgoing').id,
                        'values': {'doc_type': '通知', 'urgency': '急件'},
                        'picked_units': [('create', [
                                    {'key': 'cosign_units',
                                        'unit': org.yz_edu_office.id},
                                    {'key': 'cosign_units',
                                        'unit': org.yz_school_dept.id},
                                    {'key': 'recipients',
                                        'unit': org.zs_finance.id}])],
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
    def test_units_chosen_while_acting(self):
        """The drafter names the countersigning units in the act dialog;
        the reviewer's unchanged list stays; units with nobody at their
        head stop the step with a message, not a program error"""
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        Act = pool.get('egov.workflow.task.act', type='wizard')
        org = workflow_org()
        request_processes('outgoing')
        with acting_as(org.yz_clerk):
            request, = Request.create([{
                        'title': '关于开展校园安全检查的通知',
                        'process': self.process('outgoing').id,
                        'values': {'doc_type': '通知'},
                        }])
            Request.workflow_start([request])
            task, = self.open_tasks(org.yz_clerk)
            session_id, _, _ = Act.create()
            with Transaction().set_context(
                    active_model='egov.workflow.task', active_id=task.id,
                    active_ids=[task.id]):
                act = Act(session_id)
                defaults = act.default_start(None)
                slots = dict(json.loads(defaults['slots']))
                # Each value of the form in its own slot, no Dict editor
                self.assertEqual(set(slots), {'title', 'urgency', 'secrecy',
                        'cosign_units', 'recipients'})
                # The dialog shows them labelled as on the request
                ActStart = pool.get('egov.workflow.task.act.start')
                view = ActStart.fields_view_get(view_type='form')
                self.assertNotIn('name="values"', view['arch'])
                self.assertEqual(
                    view['fields'][slots['cosign_units']]['string'],
                    '会签单位')
                self.assertIn('name="%s"' % slots['recipients'],
                    view['arch'])
                act.start.decision = 'approve'
                act.start.text = '请核稿'
                act.start.signature = None
                act.start.copy_to = []
                act.start.slots = defaults['slots']
                setattr(act.start, slots['title'], defaults[slots['title']])
                for name in ['urgency', 'secrecy']:
                    setattr(act.start, slots[name], defaults[slots[name]])
                setattr(act.start, slots['cosign_units'], [
                        org.yz_edu_office, org.yz_school_dept])
                setattr(act.start, slots['recipients'], [org.zs_finance])
                act.transition_submit()
        request = Request(request.id)
        self.assertEqual(
            set(request.picked('cosign_units')),
            {org.yz_edu_office.id, org.yz_school_dept.id})
        self.assertEqual(request.picked('recipients'), [org.zs_finance.id])
        # The reviewer sends the same list back: nothing is lost
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            task.decide('approve', '已核', data={
                    'cosign_units': request.picked('cosign_units')})
        self.assertEqual(len(self.open_tasks(org.school_head)), 1)

        # Another draft whose countersigning department has no head: the
        # reviewer is told when the countersign would start
        pool.get('egov.org.assignment').delete(
            org.school_head_employee.assignments)
        with acting_as(org.yz_clerk):
            other, = Request.create([{
                        'title': '关于开展消防演练的通知',
                        'process': self.process('outgoing').id,
                        'values': {'doc_type': '通知'},
                        'picked_units': [('create', [{
                                        'key': 'cosign_units',
                                        'unit': org.yz_school_dept.id}])],
                        }])
            Request.workflow_start([other])
        self.act(org.yz_clerk, instance=Request(other.id).workflow)
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head, Request(other.id).workflow)
            with self.assertRaises(UserError) as cm:
                task.decide('approve', None)
        self.assertIn('没有找到办理人员', cm.exception.message)
        self.assertIn('会签', cm.exception.message)
        self.assertChinese(cm.exception.message)

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
    def test_reminders(self):
        """The scheduler reminds the holder of an overdue to-do once a day;
        the initiator urges the holders (催办), at most once an hour"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Request = pool.get('egov.workflow.request')
        Notification = pool.get('res.notification')

        def notes(user):
            return [n.label for n in Notification.search([
                        ('user', '=', user.id)], order=[('id', 'ASC')])]

        org = workflow_org()
        request = self.leave_request(org)
        self.act(org.yz_clerk)
        task, = self.open_tasks(org.office_head)
        self.assertEqual(len(notes(org.office_head)), 1)
        Task.remind_overdue()
        run_queue()
        self.assertEqual(len(notes(org.office_head)), 1)
        Task.write([task], {
                'deadline': datetime.datetime.now()
                - datetime.timedelta(hours=1)})
        zh_cn, = pool.get('ir.lang').search([('code', '=', 'zh_CN')])
        pool.get('res.user').write([org.office_head], {'language': zh_cn.id})
        Task.remind_overdue()
        # Marked by the scheduler at once, told by the queue
        self.assertTrue(Task(task.id).reminded_at)
        self.assertEqual(len(notes(org.office_head)), 1)
        run_queue()
        Task.remind_overdue()
        run_queue()
        self.assertEqual(notes(org.office_head)[1:], ['已超期：部门负责人审批'])

        Task.write([task], {'reminded_at': None})
        with acting_as(org.office_head):
            with self.assertRaises(UserError) as cm:
                Request.workflow_urge([Request(request.id)])
        self.assertIn('发起人', cm.exception.message)
        with acting_as(org.yz_clerk):
            Request.workflow_urge([Request(request.id)])
        self.assertEqual(notes(org.office_head)[-1],
            '%s 催办：部门负责人审批' % org.yz_clerk.name)
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Request.workflow_urge([Request(request.id)])
            self.assertIn('一小时内', cm.exception.message)

    @with_transaction()
    def test_copies(self):
        """A step's cc rule sends copies (抄送) once it is agreed; the acting
        person adds others; a copy is read and marked read, never acted on"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        self.change_leave(lambda bpmn: bpmn.replace(
                'egov:assignee="head:initiator"',
                'egov:assignee="head:initiator" egov:cc="post:文书"'))
        request = self.leave_request(org, days=2)
        with acting_as(org.yz_clerk):
            task, = self.open_tasks(org.yz_clerk)
            task.decide('approve', '请批准', copy_to=[org.school_head.id])
        copy, = Task.search([('kind', '=', 'cc')])
        self.assertEqual(
            (copy.user, copy.step_name, copy.state),
            (org.school_head, '填写请假单', 'open'))
        # The secretary gets nothing until the head agreed
        self.assertEqual(Task.search([('user', '=', org.secretary.id)]), [])
        self.act(org.office_head, text='同意')
        copy, = Task.search([
                ('kind', '=', 'cc'), ('user', '=', org.secretary.id)])
        self.assertEqual(copy.step_name, '部门负责人审批')
        with acting_as(org.secretary):
            # The copy lets them read the request, not act on it
            self.assertEqual(
                [r.id for r in Request.search([])], [request.id])
            with self.assertRaises(UserError):
                copy.decide('approve', None)
            Task.mark_read([copy])
        copy = Task(copy.id)
        self.assertEqual((copy.state, copy.decision), ('done', 'read'))

    @with_transaction()
    def test_sub_process(self):
        "The steps of an embedded sub-process run in order, then the rest"
        Process = Pool().get('egov.workflow.process')
        org = workflow_org()
        draft = self.change_leave(with_sub_process)
        info = Process(draft.id).info()
        self.assertEqual([info['steps'][s]['name'] for s in info['order']],
            ['填写请假单', '部门负责人审批', '文书登记', '分管领导审批'])
        request = self.leave_request(org, days=5)
        self.act(org.yz_clerk)
        self.act(org.office_head, text='同意')
        self.assertEqual(self.open_tasks(org.leader), [])
        self.act(org.secretary, text='已登记')
        # Out of the sub-process, the form's values still decide the way;
        # sending back goes back into it
        with acting_as(org.leader):
            task, = self.open_tasks(org.leader)
            head = [t for t in request.workflow.tasks if t.step == 'head'][0]
            task.send_back_to(head, '请写明工作安排')
        self.act(org.office_head, text='已安排')
        self.act(org.secretary, text='已登记')
        self.act(org.leader, text='同意')
        request = request.__class__(request.id)
        self.assertEqual(request.workflow_state, 'done')
        self.assertEqual(
            [o.step_name for o in request.workflow.opinions],
            ['填写请假单', '部门负责人审批', '文书登记', '分管领导审批',
                '部门负责人审批', '文书登记', '分管领导审批'])

    @with_transaction()
    def test_submitted_form_changes_only_through_the_steps(self):
        """Once submitted nobody edits the form directly, not even the
        initiator; a field a step hides is not shown to its holder"""
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        self.change_leave(lambda bpmn: bpmn.replace(
                'egov:assignee="head:initiator"',
                'egov:assignee="head:initiator" egov:fields="reason:hidden"'))
        request = self.leave_request(org)
        self.act(org.yz_clerk)
        for user in [org.yz_clerk, org.office_head]:
            with acting_as(user):
                with self.assertRaises(UserError) as cm:
                    Request.write([Request(request.id)], {'title': '改标题'})
                self.assertIn('已提交办理', cm.exception.message)
                with self.assertRaises(UserError):
                    Request.delete([Request(request.id)])
        with acting_as(org.office_head):
            values, = Request.read([request.id], ['values'])
            self.assertNotIn('reason', values['values'])
            self.assertEqual(values['values']['leave_type'], '事假')
        with acting_as(org.yz_clerk):
            values, = Request.read([request.id], ['values'])
            self.assertEqual(values['values']['reason'], '家中有事')

    @with_transaction()
    def test_to_dos_are_private(self):
        "Nobody else reads someone's to-dos or the request"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        request = self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        Instance = pool.get('egov.workflow.instance')
        with acting_as(org.zs_clerk):
            self.assertEqual(Task.search([]), [])
            self.assertEqual(Request.search([]), [])
            # What an export shows: the record's name, any field
            for Model, record in [(Instance, request.workflow),
                    (Request, request), (Task, task)]:
                with self.assertRaises(AccessError):
                    Model.export_data([Model(record.id)], ['rec_name'])
            with self.assertRaises(AccessError):
                Task.read([task.id], ['step'])
            with self.assertRaises(AccessError):
                Request.write([Request(request.id)], {'title': 'x'})
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError):
                Task.write([Task(task.id)], {'state': 'done'})


class DefinitionTestCase(EgovWorkflowTestCase):
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
    def test_invalid_copy_rule(self):
        bpmn = self.leave_bpmn().replace('egov:assignee="head:initiator"',
            'egov:assignee="head:initiator" egov:cc="everybody"')
        self.check(bpmn, '办理人规则「everybody」无效')

    @with_transaction()
    def test_sub_process_without_end(self):
        bpmn = with_sub_process(self.leave_bpmn()).replace(
            '<bpmn:endEvent id="review_end"><bpmn:incoming>r3'
            '</bpmn:incoming></bpmn:endEvent>', '').replace(
            'targetRef="review_end"', 'targetRef="head"')
        self.check(bpmn, '子流程「review」没有结束节点')

    @with_transaction()
    def test_flow_into_a_sub_process(self):
        "A flow may not jump into the middle of a sub-process"
        bpmn = with_sub_process(self.leave_bpmn()).replace(
            'sourceRef="apply" targetRef="review"',
            'sourceRef="apply" targetRef="secretary"')
        self.check(bpmn, '「f2」')

    @with_transaction()
    def test_call_activity_is_refused(self):
        bpmn = self.leave_bpmn().replace(
            '<bpmn:userTask id="head"', '<bpmn:callActivity id="head"'
            ).replace('</bpmn:userTask>\n    <bpmn:exclusiveGateway',
            '</bpmn:callActivity>\n    <bpmn:exclusiveGateway')
        self.check(bpmn, '内嵌子流程')

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
