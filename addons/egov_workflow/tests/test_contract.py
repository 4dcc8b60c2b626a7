"""The contract: a second model (tests/mission.py, a business trip) runs on
a process from its declaration alone: the act dialog shows and edits the
fields of its steps, the phone page reads them, the record freezes once
submitted, a step's hidden field is not read by its holder, and only
participants read it."""
import json
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as

from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase

MISSION = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:egov="http://yichun.gov.cn/schema/egov/bpmn" id="d"
 targetNamespace="http://yichun.gov.cn/egov">
 <bpmn:process id="mission" name="出差" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing>
  </bpmn:startEvent>
  <bpmn:userTask id="head" name="科室负责人审核" egov:assignee="head:initiator">
   <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:userTask id="leader" name="分管领导审批" egov:assignee="leader:initiator">
   <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="head"/>
  <bpmn:sequenceFlow id="f2" sourceRef="head" targetRef="leader"/>
  <bpmn:sequenceFlow id="f3" sourceRef="leader" targetRef="end"/>
 </bpmn:process>
</bpmn:definitions>'''


class ContractHelpers(WorkflowHelpers):
    "Starting a business trip and opening the act dialog"

    def mission_group(self):
        """Load the business trips' group as a module's XML would (Tryton
        loads no XML of a test folder): every employee gets it"""
        pool = Pool()
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        Role = pool.get('egov.application.role')
        group, = Group.create([{'name': '出差申请'}])
        ModelData.create([{'module': 'egov_workflow', 'fs_id': 'group_mission',
                    'model': 'res.group', 'db_id': group.id}])
        Role.create([{
                    'application': ModelData.get_id(
                        'egov_base', 'application_platform'),
                    'group': group.id, 'all_staff': True}])
        return group

    def mission(self, org):
        pool = Pool()
        self.mission_group()
        Process = pool.get('egov.workflow.process')
        Mission = pool.get('egov.workflow.test.mission')
        process, = Process.create([{
                    'name': '出差', 'code': 'mission',
                    'model': Mission.__name__, 'bpmn': MISSION}])
        Process.activate([process])
        with acting_as(org.yz_clerk):
            mission, = Mission.create([{
                        'destination': '南昌', 'days': 3,
                        'transport': 'train', 'reason': '参加全省教育工作会议',
                        'host': org.yz_edu.id}])
            Mission.workflow_start([mission])
        return Mission(mission.id)

    def act_dialog(self, task):
        pool = Pool()
        Act = pool.get('egov.workflow.task.act', type='wizard')
        ActStart = pool.get('egov.workflow.task.act.start')
        session_id, _, _ = Act.create()
        with Transaction().set_context(active_model=task.__name__,
                active_id=task.id, active_ids=[task.id]):
            act = Act(session_id)
            defaults = act.default_start(None)
            view = ActStart.fields_view_get(view_type='form')
        return act, defaults, view


class ContractTestCase(ContractHelpers, EgovWorkflowTestCase):

    @with_transaction()
    def test_act_dialog_of_another_model(self):
        "The dialog shows the step's fields of the record, labelled as on it"
        org = workflow_org()
        mission = self.mission(org)
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            act, defaults, view = self.act_dialog(task)
            slots = dict(json.loads(defaults['slots']))
            self.assertEqual(set(slots), {'budget', 'transport'})
            self.assertIn('南昌', defaults['content'])
            self.assertIn('火车', defaults['content'])
            budget = view['fields'][slots['budget']]
            self.assertEqual(budget['string'], '预算')
            self.assertTrue(budget['required'])
            self.assertEqual(dict(view['fields'][slots['transport']][
                        'selection'])['car'], '公务用车')
            # Without the budget the step does not move on
            with self.assertRaises(UserError) as cm:
                task.decide('approve', '同意')
            self.assertIn('预算', cm.exception.message)
            self.assertChinese(cm.exception.message)
            with Transaction().set_context(active_model=task.__name__,
                    active_id=task.id, active_ids=[task.id]):
                act.start.decision = 'approve'
                act.start.text = '同意，乘火车'
                act.start.signature = None
                act.start.copy_to = []
                act.start.slots = defaults['slots']
                setattr(act.start, slots['budget'], Decimal('1200.50'))
                setattr(act.start, slots['transport'], 'car')
                act.transition_submit()
        mission = type(mission)(mission.id)
        self.assertEqual(mission.budget, Decimal('1200.50'))
        self.assertEqual(mission.transport, 'car')
        self.act(org.leader)
        self.assertEqual(type(mission)(mission.id).workflow_state, 'done')

    @with_transaction()
    def test_frozen_and_hidden(self):
        "Submitted records change only by acting; hidden fields stay hidden"
        Mission = Pool().get('egov.workflow.test.mission')
        org = workflow_org()
        mission = self.mission(org)
        with acting_as(org.yz_clerk):
            for values in [{'days': 30}, {'workflow_state': 'draft'}]:
                with self.assertRaises(UserError) as cm:
                    Mission.write([Mission(mission.id)], values)
                self.assertChinese(cm.exception.message)
            with self.assertRaises(UserError):
                Mission.delete([Mission(mission.id)])
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            task.decide('approve', '同意', data={'budget': Decimal(800)})
            # A field the step does not let its holder fill is refused
        with acting_as(org.leader):
            task, = self.open_tasks(org.leader)
            with self.assertRaises(UserError) as cm:
                task.decide('approve', None, data={'days': 1})
            self.assertChinese(cm.exception.message)
            # The leader does not read the reason, on the phone neither
            row, = Mission.read([mission.id], ['reason', 'destination'])
            self.assertIsNone(row['reason'])
            self.assertEqual(row['destination'], '南昌')
            labels = [label for label, _ in task.facts()]
            self.assertIn('目的地', labels)
            self.assertNotIn('事由', labels)
        with acting_as(org.yz_clerk):
            row, = Mission.read([mission.id], ['reason'])
            self.assertEqual(row['reason'], '参加全省教育工作会议')

    @with_transaction()
    def test_made_from_the_declaration(self):
        """The buttons, the access rows of the model's own group (loaded
        after the model registered) and the participants' rule exist"""
        pool = Pool()
        Button = pool.get('ir.model.button')
        Access = pool.get('ir.model.access')
        RuleGroup = pool.get('ir.rule.group')
        name = 'egov.workflow.test.mission'
        self.assertFalse(Access.search([('model', '=', name)]))
        group = self.mission_group().id
        self.assertEqual({b.name for b in Button.search([
                        ('model', '=', name)])},
            {'workflow_start', 'workflow_urge'})
        rows = {(r.group.id if r.group else None, r.perm_read, r.perm_write)
            for r in Access.search([('model', '=', name)])}
        self.assertEqual(rows, {(None, False, False), (group, True, True)})
        rule_group, = RuleGroup.search([('model', '=', name)])
        self.assertEqual([g.id for g in rule_group.groups], [group])

    @with_transaction()
    def test_participants_only(self):
        "A clerk of another county finds nothing of it"
        Mission = Pool().get('egov.workflow.test.mission')
        org = workflow_org()
        mission = self.mission(org)
        with acting_as(org.zs_clerk):
            self.assertEqual(Mission.search([]), [])
        with acting_as(org.office_head):
            self.assertEqual(Mission.search([]), [mission])


PURCHASE_FORM = {
    'type': 'default', 'components': [
        {'type': 'number', 'key': 'amount', 'label': '金额'},
        {'type': 'taglist', 'key': 'approvers', 'label': '审批人',
            'properties': {'pick': 'people'}},
        ]}
PURCHASE = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:egov="http://yichun.gov.cn/schema/egov/bpmn" id="d"
 targetNamespace="http://yichun.gov.cn/egov">
 <bpmn:process id="purchase" name="采购审批" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing>
  </bpmn:startEvent>
  <bpmn:userTask id="fill" name="填写" egov:assignee="initiator"
   egov:fields="amount:required,approvers:required">
   <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:userTask id="approve" name="会审" egov:assignee="field:approvers"
   egov:mode="all">
   <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
   <bpmn:multiInstanceLoopCharacteristics/>
  </bpmn:userTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="approve"/>
  <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end"/>
 </bpmn:process>
</bpmn:definitions>'''


class DrawnWithoutCodeTestCase(ContractHelpers, EgovWorkflowTestCase):

    @with_transaction()
    def test_form_field_picks_people(self):
        """A county draws an approval whose form picks the people who
        countersign it: no code, the act dialog lists them by the field's
        label and the countersign goes to each"""
        pool = Pool()
        Form = pool.get('egov.workflow.form')
        Process = pool.get('egov.workflow.process')
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        form, = Form.create([{'name': '采购审批单', 'code': 'purchase',
                    'schema': json.dumps(PURCHASE_FORM)}])
        self.assertEqual({f.name: f.type_ for f in form.fields_},
            {'amount': 'numeric', 'approvers': 'people'})
        process, = Process.create([{'name': '采购审批', 'code': 'purchase',
                    'model': Request.__name__, 'form': form.id,
                    'bpmn': PURCHASE}])
        Process.activate([process])
        with acting_as(org.yz_clerk):
            request, = Request.create([{'title': '采购打印机',
                        'process': process.id}])
            Request.workflow_start([request])
            task, = self.open_tasks(org.yz_clerk)
            act, defaults, view = self.act_dialog(task)
            slots = dict(json.loads(defaults['slots']))
            self.assertEqual(view['fields'][slots['approvers']]['string'],
                '审批人')
            self.assertTrue(slots['approvers'].startswith('users_'))
            task.decide('approve', '请审批', data={
                    'values': {'amount': 3200},
                    'approvers': [org.office_head.id, org.leader.id]})
        request = Request(request.id)
        self.assertEqual(sorted(request.picked('approvers')),
            sorted([org.office_head.id, org.leader.id]))
        self.act(org.office_head)
        self.assertEqual(Request(request.id).workflow_state, 'running')
        self.act(org.leader)
        self.assertEqual(Request(request.id).workflow_state, 'done')
