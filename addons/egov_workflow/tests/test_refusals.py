"""Refusals that tell nothing, and work given only to people in scope.

The to-do actions reached by id over RPC (decide, send back, hand over,
withdraw, facts, the monitor's diagram) apply the record rules before they
read the to-do: another county's id is answered exactly as an id that does
not exist. A to-do or a copy goes only to an active person of the holder's
division who is no administrator."""
import re

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as

from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase

# (method, arguments) of the RPC actions on one to-do
TASK_ACTIONS = [
    ('decide', ('approve', '同意')),
    ('send_back_to_id', (1, '退回')),
    ('hand_over_to_id', (1, '转交')),
    ('withdraw_one', ()),
    ('facts', ()),
    ]


def rpc_call(Model, method, record_id, *args):
    "Call method as the dispatcher does for a JSON-RPC request"
    rpc = Model.__rpc__[method]
    function = rpc.decorate(getattr(Model, method))
    if rpc.instantiate == 0:
        return function(Model(record_id), *args)
    return function(record_id, *args)


def without_ids(text):
    return re.sub(r'\d+', 'N', text)


class RefusalsTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    @with_transaction()
    def test_other_county_task_answered_as_missing(self):
        "Another county's to-do id gets the answer of an id that is not"
        Task = Pool().get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        missing = max(t.id for t in Task.search([])) + 1000
        for method, args in TASK_ACTIONS:
            with self.subTest(method=method), acting_as(org.zs_clerk):
                with self.assertRaises(AccessError) as seen:
                    rpc_call(Task, method, task.id, *args)
                with self.assertRaises(AccessError) as absent:
                    rpc_call(Task, method, missing, *args)
                self.assertEqual(without_ids(seen.exception.message),
                    without_ids(absent.exception.message))
                for secret in ['谢娜', '请假', '填写', '袁州']:
                    self.assertNotIn(secret, seen.exception.message)
        # Nothing changed
        self.assertEqual(self.open_tasks(org.yz_clerk), [task])

    @with_transaction()
    def test_wrong_ids_refused_in_words(self):
        "Ids that are no ids get the same refusal, not a Python error"
        Task = Pool().get('egov.workflow.task')
        Instance = Pool().get('egov.workflow.instance')
        org = workflow_org()
        for wrong in ['1 OR 1=1', None, 2 ** 40, -1]:
            with self.subTest(wrong=wrong), acting_as(org.zs_clerk):
                with self.assertRaises(AccessError):
                    rpc_call(Instance, 'diagram', wrong)
        with acting_as(org.zs_clerk):
            with self.assertRaises(AccessError):
                rpc_call(Task, 'decide', 2 ** 40, 'approve')

    @with_transaction()
    def test_other_county_diagram_answered_as_missing(self):
        "The monitor's diagram of another county's instance is not shown"
        Instance = Pool().get('egov.workflow.instance')
        org = workflow_org()
        request = self.leave_request(org)
        with acting_as(org.yz_clerk):
            self.assertEqual(
                rpc_call(Instance, 'diagram', request.workflow.id)['title'],
                request.workflow.rec_name)
        with acting_as(org.zs_clerk):
            with self.assertRaises(AccessError) as cm:
                rpc_call(Instance, 'diagram', request.workflow.id)
        self.assertNotIn('请假', cm.exception.message)

    @with_transaction()
    def test_own_task_still_works_over_rpc(self):
        "The holder's own to-do passes the check and moves on"
        Task = Pool().get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        with acting_as(org.yz_clerk):
            self.assertTrue(rpc_call(Task, 'facts', task.id))
            rpc_call(Task, 'decide', task.id, 'approve', None)
        self.assertTrue(self.open_tasks(org.office_head))

    @with_transaction()
    def test_hand_over_targets(self):
        """转交 only to an active person of the division who is no
        administrator; nothing is written when refused"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        User = pool.get('res.user')
        org = workflow_org()
        self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        missing = max(u.id for u in User.search([])) + 1000
        admin, = User.search([('login', '=', 'admin')])
        gone, = User.create([{'login': 'gone', 'name': '离职'}])
        refusals = [
            (missing, '有效账号'),
            ('3', '有效账号'),
            (admin.id, '有效账号'),       # no person: the built-in admin
            (gone.id, '有效账号'),        # a login without a person
            (org.zs_clerk.id, '樟树市'),  # another county
            (org.yz_admin.id, '管理员'),  # an administrator
            ]
        for target, words in refusals:
            with self.subTest(target=target), acting_as(org.yz_clerk):
                with self.assertRaises(UserError) as cm:
                    rpc_call(Task, 'hand_over_to_id', task.id, target, '转交')
                self.assertIn(words, cm.exception.message)
                self.assertChinese(cm.exception.message)
        self.assertEqual(self.open_tasks(org.yz_clerk), [task])
        self.assertEqual(Task(task.id).state, 'open')
        # A colleague of the division takes it
        with acting_as(org.yz_clerk):
            rpc_call(Task, 'hand_over_to_id', task.id, org.secretary.id,
                '请代办')
        self.assertTrue(self.open_tasks(org.secretary))

    @with_transaction()
    def test_copy_targets(self):
        "抄送 to another county or a dangling id is refused before acting"
        Task = Pool().get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        for copy_to in [[org.zs_clerk.id], [10 ** 6], [org.city_admin.id]]:
            with self.subTest(copy_to=copy_to), acting_as(org.yz_clerk):
                with self.assertRaises(UserError):
                    Task(task.id).decide('approve', None, copy_to=copy_to)
        self.assertEqual(Task(task.id).state, 'open')

    @with_transaction()
    def test_reassign_targets(self):
        "改派 by an administrator only to the people he manages"
        Task = Pool().get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        task, = self.open_tasks(org.yz_clerk)
        with acting_as(org.yz_admin):
            with self.assertRaises(UserError) as cm:
                Task.reassign([task], org.zs_clerk)
        self.assertIn('不是您管理的人员', cm.exception.message)
        with acting_as(org.yz_admin):
            Task.reassign([task], org.secretary)
        self.assertTrue(self.open_tasks(org.secretary))

    @with_transaction()
    def test_engine_fields_not_set_on_create(self):
        "A new record cannot be linked to an instance or born submitted"
        Request = Pool().get('egov.workflow.request')
        org = workflow_org()
        request = self.leave_request(org)
        for values in [{'workflow': request.workflow.id},
                {'workflow_state': 'done'}]:
            with self.subTest(values=values), acting_as(org.zs_clerk):
                with self.assertRaises(UserError) as cm:
                    Request.create([dict(values,
                                title='借用', process=request.process.id)])
                self.assertChinese(cm.exception.message)
