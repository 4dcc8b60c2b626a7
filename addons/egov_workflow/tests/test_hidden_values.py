"""What a step hides from its holder is not searched, sorted or exported by
them either (egov_base's field guard, the mixin's _guard_* hooks): the
form's values of a request (values.reason) and a model's own fields (the
business trip's reason)."""
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as

from .test_contract import ContractHelpers
from .test_workflow import workflow_org
from .tools import EgovWorkflowTestCase, request_processes


class HiddenValuesTestCase(ContractHelpers, EgovWorkflowTestCase):

    def assertRefused(self, call):
        with self.assertRaises(AccessError) as cm:
            call()
        self.assertChinese(cm.exception.message)
        return cm.exception.message

    def hidden_leave(self, org):
        "A leave request whose reason the head of the office does not read"
        self.change_leave(lambda bpmn: bpmn.replace(
                'egov:assignee="head:initiator"',
                'egov:assignee="head:initiator" egov:fields="reason:hidden"'))
        request = self.leave_request(org)
        self.act(org.yz_clerk)
        return request

    @with_transaction()
    def test_form_value_oracle(self):
        "The holder cannot guess the hidden reason by searching for it"
        Request = Pool().get('egov.workflow.request')
        org = workflow_org()
        request = self.hidden_leave(org)
        with acting_as(org.office_head):
            self.assertEqual(Request.search([]), [request])
            for domain in [
                    [('values.reason', '=', '家中有事')],
                    [('values.reason', 'like', '家%')],
                    ['OR', ('title', '=', 'x'),
                        ('values.reason', '!=', None)],
                    ]:
                with self.subTest(domain=domain):
                    message = self.assertRefused(
                        lambda: Request.search_count(domain))
                    self.assertIn('不可见', message)
            self.assertRefused(lambda: Request.search(
                    [], order=[('values.reason', 'ASC')]))
            # Through a path from the to-do
            Task = Pool().get('egov.workflow.task')
            self.assertRefused(lambda: Task.search_count([
                        ('instance.record.values.reason', '=', '家中有事',
                            'egov.workflow.request')]))
            # The export reads the records without checks: refused
            self.assertRefused(lambda: Request.export_data(
                    [Request(request.id)], ['title', 'values']))
            # Nor through the to-do's reference to the request
            task, = Task.search([('instance', '=', request.workflow.id),
                    ('user', '=', org.office_head.id)])
            for path in ['record/values', 'instance/record/values']:
                with self.subTest(path=path):
                    self.assertRefused(lambda: Task.export_data(
                            [Task(task.id)], ['step', path]))
            # What the step shows is still searched and exported
            self.assertEqual(Request.search(
                    [('values.leave_type', '=', '事假')]), [request])
            rows = Request.export_data([Request(request.id)], ['title'])
            self.assertEqual(rows, [[request.title]])
        # The initiator reads, searches and exports the whole form
        with acting_as(org.yz_clerk):
            self.assertEqual(Request.search(
                    [('values.reason', '=', '家中有事')]), [request])
            rows = Request.export_data([Request(request.id)], ['values'])
            self.assertIn('家中有事', str(rows))

    @with_transaction()
    def test_model_field_hidden_by_a_step(self):
        "The leader of a business trip does not search by its reason"
        Mission = Pool().get('egov.workflow.test.mission')
        org = workflow_org()
        mission = self.mission(org)
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            task.decide('approve', '同意', data={"budget": Decimal(800)})
        with acting_as(org.leader):
            self.assertEqual(Mission.search([]), [mission])
            self.assertRefused(lambda: Mission.search_count(
                    [('reason', 'like', '%会议%')]))
            self.assertRefused(lambda: Mission.search(
                    [], order=[('reason', 'ASC')]))
            self.assertRefused(lambda: Mission.export_data(
                    [Mission(mission.id)], ['reason']))
            self.assertEqual(Mission.export_data(
                    [Mission(mission.id)], ['destination']), [['南昌']])

    @with_transaction()
    def test_hidden_pick_oracle(self):
        "A pick of units a step hides is not found through the picked rows"
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        Process = pool.get('egov.workflow.process')
        org = workflow_org()
        outgoing = request_processes('outgoing')['outgoing']
        Process.new_version([outgoing])
        draft, = Process.search([
                ('code', '=', 'outgoing'), ('state', '=', 'draft')])
        draft.bpmn = draft.bpmn.replace(
            'egov:fields="title:edit,cosign_units:edit"',
            'egov:fields="title:edit,cosign_units:edit,recipients:hidden"')
        draft.save()
        Process.activate([draft])
        with acting_as(org.yz_clerk):
            request, = Request.create([{
                        'title': '关于元旦值班的通知',
                        'process': draft.id,
                        'values': {'doc_type': '通知'},
                        'picked_units': [('create', [
                                    {'key': 'recipients',
                                        'unit': org.zs_finance.id}])],
                        }])
            Request.workflow_start([request])
        self.act(org.yz_clerk)                   # 拟稿: 核稿 hides 主送
        with acting_as(org.office_head):
            for domain in [
                    [('picked_units.unit', '=', org.zs_finance.id)],
                    [('picked_units.key', '=', 'recipients')],
                    ]:
                with self.subTest(domain=domain):
                    self.assertRefused(lambda: Request.search_count(domain))
            self.assertRefused(lambda: Request.export_data(
                    [Request(request.id)], ['picked_units/unit']))
        # The initiator still finds it by its recipients
        with acting_as(org.yz_clerk):
            self.assertEqual(Request.search(
                    [('picked_units.unit', '=', org.zs_finance.id)]),
                [request])
