"""Diagrams drawn in other BPMN 2.0 modelers (Camunda 7 and 8, Signavio,
bpmn.io, Bizagi…), imported or pasted: each either runs (it is saved as a
process and an instance goes through it to its end without stalling) or is
refused when saved, in Chinese, naming the element and what to change.

The diagrams are in diagrams/, written as those modelers export them."""
import os
import time
from unittest import mock

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as

from .. import bpmn, engine
from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase, request_form

DIAGRAMS = os.path.join(os.path.dirname(__file__), 'diagrams')

# The diagrams that run: (file, form code, values of the request, steps in
# order, the steps an instance goes through with these values)
RUNS = [
    ('camunda7_leave.bpmn', 'leave',
        {'leave_type': '事假', 'days': 5, 'reason': '探亲'},
        ['填写请假单', '科室负责人审批', '分管领导审批'],
        ['填写请假单', '科室负责人审批', '分管领导审批']),
    ('camunda8_outgoing.bpmn', 'outgoing',
        {'doc_type': '通知', 'urgency': '平件'},
        ['拟稿', '核稿', '文书核对格式', '签发'],
        ['拟稿', '核稿', '文书核对格式', '签发']),
    ('signavio_leave.bpmn', 'leave',
        {'leave_type': '病假', 'days': 1},
        ['提交请假申请', '科室审核'],
        ['提交请假申请', '科室审核']),
    ('bpmnio_collaboration.bpmn', 'outgoing',
        {'doc_type': '通知', 'urgency': '特急'},
        ['登记', '局长阅示', '文书归档', '办公室主任阅'],
        # The inclusive gateway takes both ways whose conditions hold
        ['登记', '局长阅示', '文书归档']),
    ('bizagi_leave.bpmn', 'leave',
        {'leave_type': '年休假', 'days': 2},
        ['填写请假单', '核对纸质假条'],
        ['填写请假单', '核对纸质假条']),
    ('gbk_leave.bpmn', 'leave', {'leave_type': '事假', 'days': 1},
        ['填写请假单', '科室负责人审批'],
        ['填写请假单', '科室负责人审批']),
    ('gb2312_leave.bpmn', 'incoming', {'source_unit': '宜春市教育局'},
        ['登记来文', '办公室主任批示（李喆代拟）'],
        ['登记来文', '办公室主任批示（李喆代拟）']),
    ('utf16_leave.bpmn', 'leave', {'leave_type': '调休', 'days': 1},
        ['填写申请', '科长审批'],
        ['填写申请', '科长审批']),
    ('data_associations.bpmn', 'leave',
        {'leave_type': '事假', 'days': 2},
        ['填写请假单', '科室负责人审批'],
        ['填写请假单', '科室负责人审批']),
    ]

# The diagrams refused: (file, form code, what the message names, a
# fragment of what it says)
REFUSED = [
    ('timer_event.bpmn', 'leave', 'Event_wait', '定时器'),
    ('message_event.bpmn', 'leave', 'Event_reply', '消息'),
    ('signal_event.bpmn', 'leave', 'Event_notify', '信号'),
    ('boundary_event.bpmn', 'leave', 'Event_overdue', '办理期限'),
    ('event_sub_process.bpmn', 'leave', 'Activity_cancelled',
        '事件子流程'),
    ('manual_task.bpmn', 'leave', 'Activity_check', '改为用户任务'),
    ('gateway_no_condition.bpmn', 'leave', 'Flow_2b', '默认连线'),
    ('two_outgoing.bpmn', 'leave', 'Activity_office', '只有网关才能分支'),
    ('missing_field.bpmn', 'leave', 'Flow_long', '「amount」'),
    ('nested_expression.bpmn', 'leave', 'Flow_long', '过于复杂'),
    ('huge_expression.bpmn', 'leave', 'Flow_long', '最多允许 1000 个'),
    ('power.bpmn', 'leave', 'Flow_long', '乘方'),
    ('deadline_superscript.bpmn', 'leave', 'Activity_leader', '「²」'),
    ('camunda7_juel.bpmn', 'leave', 'Flow_long', 'days > 3'),
    ]


def read(name):
    "The bytes of a diagram file"
    with open(os.path.join(DIAGRAMS, name), 'rb') as file:
        return file.read()


def pasted(name):
    """The diagram as a person pastes it: the text an editor shows, its
    declaration still naming the file's encoding"""
    data = read(name)
    for bom, codec in [(b'\xff\xfe', 'utf-16'), (b'\xfe\xff', 'utf-16')]:
        if data.startswith(bom):
            return data.decode(codec)
    head = data[:100].lower()
    if b'gbk' in head or b'gb2312' in head:
        return data.decode('gb18030')
    return data.decode('utf-8')


class BpmnImportTestCase(WorkflowHelpers, EgovWorkflowTestCase):
    "Diagrams from other modelers run, or are refused when saved"

    def form(self, code):
        "The form of code: the shipped leave form, or one made by the test"
        Form = Pool().get('egov.workflow.form')
        form, = Form.search([('code', '=', code)])
        return form.id

    def save(self, bpmn_text, form='leave', code='import'):
        "Save and activate a process of approval requests; return it"
        Process = Pool().get('egov.workflow.process')
        process, = Process.create([{
                    'name': '导入的流程', 'code': code,
                    'model': 'egov.workflow.request', 'bpmn': bpmn_text,
                    'form': self.form(form) if form else None,
                    }])
        Process.activate([process])
        return process

    def refused(self, bpmn_text, form='leave', *fragments):
        "The diagram is refused when saved, in Chinese, saying fragments"
        Process = Pool().get('egov.workflow.process')
        with self.assertRaises(UserError) as cm:
            Process.create([{
                        'name': '导入的流程', 'code': 'refused',
                        'model': 'egov.workflow.request',
                        'bpmn': bpmn_text,
                        'form': self.form(form) if form else None,
                        }])
        message = cm.exception.message
        self.assertChinese(message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def submit(self, org, process, values, title='导入流程测试'):
        Request = Pool().get('egov.workflow.request')
        with acting_as(org.yz_clerk):
            request, = Request.create([{
                        'title': title,
                        'process': process.id,
                        'values': values,
                        }])
            Request.workflow_start([request])
        return Request(request.id)

    def run_through(self, request, limit=20):
        """Agree on every to-do as it opens, until the instance ends; a
        running instance with no open to-do has stalled. Return the steps
        done, in order."""
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        Task = pool.get('egov.workflow.task')
        done = []
        for _ in range(limit):
            request = Request(request.id)
            if request.workflow_state != 'running':
                break
            tasks = Task.search([
                    ('instance', '=', request.workflow.id),
                    ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ], order=[('id', 'ASC')])
            self.assertTrue(tasks, msg='the instance stalled after %s'
                % done)
            task = tasks[0]
            with acting_as(task.user):
                Task(task.id).decide('approve', '同意')
            done.append(task.step_name)
        request = Request(request.id)
        self.assertEqual(request.workflow_state, 'done')
        return done

    @with_transaction()
    def test_diagrams_that_run(self):
        "Each diagram that should run is saved and runs to its end"
        org = workflow_org()
        request_form('outgoing')
        request_form('incoming')
        for name, form, values, steps, way in RUNS:
            with self.subTest(diagram=name):
                process = self.save(pasted(name), form, code=name)
                info = process.info()
                self.assertEqual(
                    [info['steps'][s]['name'] for s in info['order']],
                    steps)
                request = self.submit(org, process, values)
                self.assertEqual(request.workflow_state, 'running')
                self.assertEqual(self.run_through(request), way)

    @with_transaction()
    def test_diagrams_refused(self):
        "Each diagram that cannot run is refused when saved, naming why"
        for name, form, element, fragment in REFUSED:
            with self.subTest(diagram=name):
                self.refused(pasted(name), form, element, fragment)

    @with_transaction()
    def test_power_is_refused_at_once(self):
        "9**3999999 is refused without being computed"
        start = time.monotonic()
        self.refused(pasted('power.bpmn'), 'leave', '乘方')
        self.assertLess(time.monotonic() - start, 2)
        with self.assertRaises(bpmn.DefinitionError) as cm:
            bpmn.check_expression('(9**99)**99 > 0', 'f')
        self.assertEqual(cm.exception.code, 'condition_power')
        # Evaluated, a power stays small
        with self.assertRaises(Exception):
            bpmn.ExpressionEnvironment().evaluate('days ** days > 0',
                {'days': 10 ** 6})

    @with_transaction()
    def test_encodings(self):
        """Files declaring GBK, GB2312 or UTF-16 are read as such, given as
        bytes or as the text pasted with their declaration"""
        for name, step in [
                ('gbk_leave.bpmn', '科室负责人审批'),
                ('gb2312_leave.bpmn', '办公室主任批示（李喆代拟）'),
                ('utf16_leave.bpmn', '科长审批')]:
            with self.subTest(diagram=name):
                for data in [read(name), pasted(name)]:
                    info = bpmn.analyse(data)
                    self.assertIn(step,
                        [s.name for s in info.steps.values()])
                text = bpmn.decode_document(read(name))
                self.assertNotIn('encoding=', text[:100])
                self.assertIn(step, text)
        # A file whose bytes are not in its declared encoding
        broken = read('gbk_leave.bpmn').replace(b'"GBK"', b'"UTF-8"')
        with self.assertRaises(bpmn.DefinitionError) as cm:
            bpmn.analyse(broken)
        self.assertEqual(cm.exception.code, 'encoding')
        with self.assertRaises(bpmn.DefinitionError) as cm:
            bpmn.analyse(broken.replace(b'"UTF-8"', b'"x-unknown"'))
        self.assertEqual(cm.exception.detail, {'value': 'x-unknown'})
        # A DOCTYPE hidden in UTF-16 is found
        hostile = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d ['
            '<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>').encode(
            'utf-16')
        with self.assertRaises(bpmn.DefinitionError) as cm:
            bpmn.analyse(hostile)
        self.assertEqual(cm.exception.code, 'doctype')

    @with_transaction()
    def test_vendor_elements_are_not_nodes(self):
        """Extension elements are ignored: zeebe:userTask is no node, and
        the size limit counts flow nodes, not XML elements"""
        request_form('outgoing')
        text = pasted('camunda8_outgoing.bpmn')
        # Many vendor elements and layout: still four steps
        padding = '<zeebe:header key="k" value="v" />' * 3000
        big = text.replace('<zeebe:header key="step" value="review" />',
            padding)
        info = bpmn.analyse(big)
        self.assertEqual(len(info.steps), 4)
        # Too many flow nodes is refused
        tasks = ''.join(
            '<bpmn:userTask id="T%d" egov:assignee="initiator">'
            '<bpmn:incoming>F%d</bpmn:incoming>'
            '<bpmn:outgoing>F%d</bpmn:outgoing></bpmn:userTask>'
            '<bpmn:sequenceFlow id="F%d" sourceRef="T%d" targetRef="T%d"/>'
            % (n, n, n + 1, n + 1, n, n + 1) for n in range(600))
        many = text.replace('<bpmn:endEvent id="Event_end"',
            tasks + '<bpmn:endEvent id="Event_end"')
        self.refused(many, 'outgoing', '最多允许 500 个')

    @with_transaction()
    def test_refused_variants(self):
        """Elements the platform cannot run, each refused when saved with a
        message naming it"""
        leave = pasted('camunda7_leave.bpmn')
        signavio = pasted('signavio_leave.bpmn')
        outgoing = pasted('camunda8_outgoing.bpmn')
        bizagi = pasted('bizagi_leave.bpmn')
        cases = [
            # An instance starts when someone submits
            (leave.replace(
                    '<bpmn:outgoing>Flow_0s1k9d2</bpmn:outgoing>\n'
                    '    </bpmn:startEvent>',
                    '<bpmn:outgoing>Flow_0s1k9d2</bpmn:outgoing>\n'
                    '<bpmn:timerEventDefinition id="T1"><bpmn:timeCycle>'
                    'R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition>'
                    '    </bpmn:startEvent>'),
                'StartEvent_1', '普通（空）开始事件'),
            # Message and error end events throw what nobody catches
            (leave.replace('<bpmn:incoming>Flow_0k6v2bt</bpmn:incoming>\n'
                    '    </bpmn:endEvent>',
                    '<bpmn:incoming>Flow_0k6v2bt</bpmn:incoming>\n'
                    '<bpmn:messageEventDefinition id="M1"/>'
                    '    </bpmn:endEvent>'), 'Event_end', '消息'),
            # A plain task says nothing of who does it
            (signavio.replace(
                    'egov:assignee="head:initiator" egov:deadline="2"', ''),
                'sid-review', '普通任务'),
            # Code and messages
            (outgoing.replace('<bpmn:userTask id="Activity_review"',
                    '<bpmn:serviceTask id="Activity_review"').replace(
                    '</bpmn:userTask>\n    <bpmn:userTask id="Activity_check"',
                    '</bpmn:serviceTask>\n    <bpmn:userTask '
                    'id="Activity_check"'), 'Activity_review', '程序代码'),
            (bizagi.replace('<manualTask id="Id_papers"',
                    '<sendTask id="Id_papers"').replace('</manualTask>',
                    '</sendTask>'), 'Id_papers', '消息'),
            (leave.replace('<bpmn:exclusiveGateway id="Gateway_days"',
                    '<bpmn:eventBasedGateway id="Gateway_days"').replace(
                    '</bpmn:exclusiveGateway>', '</bpmn:eventBasedGateway>'),
                'Gateway_days', '基于事件的网关'),
            # Two pools with steps
            (bizagi.replace(
                    '<process id="Id_process_hr" name="人事部门" '
                    'processType="None" isClosed="false" '
                    'isExecutable="false" />',
                    '<process id="Id_process_hr" name="人事部门" '
                    'isExecutable="false"><startEvent id="Id_hr_start"/>'
                    '</process>'), '人事部门', '黑盒泳池'),
            # FEEL (Camunda 8)
            (leave.replace('>days &gt; 3<', '>=days &gt; 3<'),
                'Flow_long', 'FEEL'),
            # A gateway with every way conditional has a default
            (leave.replace(' default="Flow_short"', '').replace(
                    '<bpmn:sequenceFlow id="Flow_short" name="3天以内" '
                    'sourceRef="Gateway_days" targetRef="Event_end" />',
                    '<bpmn:sequenceFlow id="Flow_short" name="3天以内" '
                    'sourceRef="Gateway_days" targetRef="Event_end">'
                    '<bpmn:conditionExpression>days &lt;= 3'
                    '</bpmn:conditionExpression></bpmn:sequenceFlow>'),
                'Gateway_days', '没有默认连线'),
            # A condition on a flow that leaves a task
            (leave.replace(
                    '<bpmn:sequenceFlow id="Flow_0y3c5pl" '
                    'sourceRef="Activity_head" targetRef="Gateway_days" />',
                    '<bpmn:sequenceFlow id="Flow_0y3c5pl" '
                    'sourceRef="Activity_head" targetRef="Gateway_days">'
                    '<bpmn:conditionExpression>days &gt; 0'
                    '</bpmn:conditionExpression></bpmn:sequenceFlow>'),
                'Flow_0y3c5pl', '排他网关或包容网关'),
            # A gateway deciding before anyone acted
            (leave.replace('sourceRef="StartEvent_1" targetRef='
                    '"Activity_apply"', 'sourceRef="StartEvent_1" '
                    'targetRef="Gateway_days"').replace(
                    'sourceRef="Activity_head" targetRef="Gateway_days"',
                    'sourceRef="Activity_head" targetRef="Event_end"').replace(
                    'name="3天以内" sourceRef="Gateway_days" '
                    'targetRef="Event_end"', 'name="3天以内" '
                    'sourceRef="Gateway_days" targetRef="Activity_apply"'),
                'Gateway_days', '任何人办理之前'),
            # Countersign n and time limits in other digits
            (outgoing.replace(
                    'egov:assignee="head:initiator" egov:deadline="2"',
                    'egov:assignee="head:initiator" egov:deadline="2" '
                    'egov:mode="٣"'), 'Activity_review', '「٣」'),
            (outgoing.replace('egov:deadline="3"', 'egov:deadline="３"'),
                'Activity_draft', '办理时限「３」'),
            # A loop, and a multi-instance that is no user task
            (bizagi.replace(
                    '<outgoing>Id_flow_3</outgoing>\n    </manualTask>',
                    '<outgoing>Id_flow_3</outgoing>\n'
                    '<standardLoopCharacteristics />    </manualTask>'),
                'Id_papers', '循环'),
            (signavio.replace('<outgoing>sid-flow-4</outgoing>\n      </task>',
                    '<outgoing>sid-flow-4</outgoing>\n'
                    '<multiInstanceLoopCharacteristics />      </task>'
                    ).replace('<task ', '<subProcess ').replace(
                    '</task>', '</subProcess>'),
                'sid-review', '多实例'),
            ]
        originals = {leave, signavio, outgoing, bizagi}
        for bpmn_text, element, fragment in cases:
            with self.subTest(element=element, fragment=fragment):
                # Each case changed its diagram
                self.assertNotIn(bpmn_text, originals)
                self.refused(bpmn_text, 'leave', element, fragment)

    @with_transaction()
    def test_condition_names(self):
        """A condition reads the form's fields (those that pick units
        included) and the request's title; with no form, only the title"""
        request_form('outgoing')
        leave = pasted('camunda7_leave.bpmn')
        titled = leave.replace('>days &gt; 3<', '>title == "急"<')
        self.save(titled, 'leave', code='titled')
        self.save(titled, None, code='no_form')
        picking = leave.replace('>days &gt; 3<',
            '>len(cosign_units) &gt; 1 or recipients<')
        self.save(picking, 'outgoing', code='units')
        self.refused(picking, None, 'Flow_long', '「recipients」')
        self.refused(leave, None, 'Flow_long', '「days」')
        # "import" in a value is no import
        self.save(leave.replace('>days &gt; 3<',
                '>reason == "important"<'), 'leave', code='important')
        self.refused(leave.replace('>days &gt; 3<',
                '>reason.ljust(10**9)<'), 'leave', 'Flow_long',
            '不是对表单字段的简单表达式')
        self.refused(leave.replace('>days &gt; 3<',
                '>[1 for a in reason for b in reason]<'), 'leave',
            'Flow_long', '不是对表单字段的简单表达式')

    def test_parse_errors_are_refused(self):
        "ast.parse running out of memory or stack is a refusal, in Chinese"
        for error in [MemoryError, RecursionError]:
            with mock.patch('ast.parse', side_effect=error):
                with self.assertRaises(bpmn.DefinitionError) as cm:
                    bpmn.check_expression('days > 3', 'f')
            self.assertEqual(cm.exception.code, 'condition_too_complex')
        deep = '-' * 100000 + '1 > 0'
        with self.assertRaises(bpmn.DefinitionError) as cm:
            bpmn.check_expression(deep, 'f')
        self.assertEqual(cm.exception.code, 'condition_too_long')

    @with_transaction()
    def test_runtime_errors_are_chinese(self):
        """What stops the engine while an instance runs reaches the person
        in Chinese, naming the step"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        process = self.save(pasted('camunda7_leave.bpmn'), 'leave')
        # The days are not filled in: the condition cannot be decided
        request = self.submit(org, process, {'leave_type': '事假'})
        task, = self.open_tasks(org.yz_clerk)
        with acting_as(org.yz_clerk):
            Task(task.id).decide('approve', '请批准')
        task, = self.open_tasks(org.office_head)
        # The details go to the log, for the administrator
        with acting_as(org.office_head), \
                self.assertLogs(engine.logger, 'WARNING'):
            with self.assertRaises(UserError) as cm:
                Task(task.id).decide('approve', '同意')
        message = cm.exception.message
        self.assertChinese(message)
        self.assertIn('超过3天？', message)
        self.assertIn('days > 3', message)
        # Whatever else the engine raises
        from SpiffWorkflow.exceptions import WorkflowException
        with mock.patch(
                'SpiffWorkflow.bpmn.workflow.BpmnWorkflow.do_engine_steps',
                side_effect=WorkflowException('boom')), \
                self.assertLogs(engine.logger, 'WARNING'):
            with self.assertRaises(UserError) as cm:
                self.submit(org, process, {'leave_type': '事假', 'days': 1},
                    title='再次提交')
        self.assertChinese(cm.exception.message)
        self.assertIn('导入的流程', cm.exception.message)
        self.assertNotIn('boom', cm.exception.message)
        self.assertEqual(Pool().get('egov.workflow.request').search([
                    ('title', '=', '再次提交'),
                    ('workflow_state', '!=', 'draft')]), [])
        self.assertEqual(request.workflow_state, 'running')
