"""A request (审批单) as its applicant meets it: the form the form designer
laid out, in its order, with its labels, choices and required marks (no
key/value editor); 提交 that is the applicant's own first step; the notice
of how it ended; notifications of done to-dos marked done."""
import datetime
import re
from decimal import Decimal

from lxml import etree

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as

from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase, request_processes

# The names of the slots the form's fields are shown in (slots.py)
SLOT = re.compile(r'^(char|text|integer|float|numeric|date|boolean|selection'
    r'|units|users)_\d+$')
LEAVE = {
    'title': '谢娜请假',
    'selection_1': '事假',
    'date_1': datetime.date(2026, 12, 1),
    'date_2': datetime.date(2026, 12, 2),
    'numeric_1': Decimal('2'),
    'text_1': '家中有事',
    }


class RequestFormTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    def form_view(self, code=None):
        "The request's form as the menu of the process code opens it"
        Request = Pool().get('egov.workflow.request')
        context = {'egov_process': code} if code else {}
        with Transaction().set_context(context):
            view = Request.fields_view_get(view_type='form')
        return etree.fromstring(view['arch']), view['fields']

    def form_fields(self, arch, tag='field'):
        "The names of the form's fields in the view, in their order"
        return [e.get('name') for e in arch.iter(tag)
            if SLOT.match(e.get('name') or '')]

    def new_leave(self, org, **values):
        "谢娜 fills the leave form as the menu of 请假申请 shows it"
        Request = Pool().get('egov.workflow.request')
        with acting_as(org.yz_clerk, egov_process='leave'):
            request, = Request.create([{
                        **LEAVE, **values,
                        'process': Request.default_process(),
                        }])
        return Request(request.id)

    def submit(self, user, request):
        Request = Pool().get('egov.workflow.request')
        with acting_as(user, egov_process='leave'):
            Request.submit([request])
        return Request(request.id)

    def notifications(self, user, unread=None):
        Notification = Pool().get('res.notification')
        domain = [('user', '=', user.id)]
        if unread is not None:
            domain.append(('unread', '=', unread))
        return Notification.search(domain, order=[('id', 'ASC')])

    @with_transaction()
    def test_form_of_the_leave_process(self):
        "The leave form's fields in its order, labelled, without a Dict"
        org = workflow_org()
        with acting_as(org.yz_clerk):
            arch, fields_ = self.form_view('leave')
        shown = self.form_fields(arch)
        self.assertEqual(shown, [
                'selection_1', 'date_1', 'date_2', 'numeric_1', 'text_1'])
        self.assertEqual([fields_[n]['string'] for n in shown],
            ['请假类型', '开始日期', '结束日期', '请假天数', '请假事由'])
        self.assertEqual(self.form_fields(arch, 'label'), shown)
        # Right after who asks, before the buttons
        names = [e.get('name') or e.get('id') for e in arch.iter(
                'field', 'group')]
        self.assertEqual(names[names.index('initiator') + 1:][:6],
            shown + ['buttons'])
        self.assertEqual(fields_['text_1']['type'], 'text')
        self.assertIn(['事假', '事假'], fields_['selection_1']['selection'])
        self.assertIn([None, ''], fields_['selection_1']['selection'])
        states = PYSONDecoder({'workflow_state': 'draft'}).decode(
            fields_['selection_1']['states'])
        self.assertEqual(states, {'readonly': False, 'required': True})
        states = PYSONDecoder({'workflow_state': 'running'}).decode(
            fields_['text_1']['states'])
        self.assertTrue(states['readonly'])
        self.assertTrue(fields_['process']['readonly'])
        # No key/value editor anywhere in the form
        self.assertFalse(arch.xpath('//field[@name="values"]'))
        self.assertFalse([n for n, f in fields_.items()
                if f['type'] == 'dict' and arch.xpath(
                    '//field[@name="%s"]' % n)])
        self.assertIsNone(arch.get('creatable'))

    @with_transaction()
    def test_form_of_the_outgoing_process_picks_units(self):
        "发文: choices, and the units picked in lists of their own"
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        request_processes('outgoing')
        with acting_as(org.secretary):
            arch, fields_ = self.form_view('outgoing')
        shown = self.form_fields(arch)
        self.assertEqual([fields_[n]['string'] for n in shown], [
                '文种', '紧急程度', '公开属性', '发文字号', '内容摘要',
                '会签单位', '主送单位'])
        self.assertEqual(shown[-2:], ['units_1', 'units_2'])
        # The lists of picks are in the form: no second copy below it
        self.assertFalse(arch.xpath('//page[@name="picked_units"]'))
        with acting_as(org.secretary, egov_process='outgoing'):
            request, = Request.create([{
                        'title': '关于开学工作的通知',
                        'process': Request.default_process(),
                        'selection_1': '通知',
                        'units_1': [('add', [
                                    org.yz_school_dept.id,
                                    org.yz_edu_office.id])],
                        'units_2': [('add', [org.zs_finance.id])],
                        }])
            Request.write([request], {
                    'units_1': [('remove', [org.yz_edu_office.id])]})
            read, = Request.read([request.id], ['units_1', 'units_2'])
        self.assertEqual(list(read['units_1']), [org.yz_school_dept.id])
        self.assertEqual(list(read['units_2']), [org.zs_finance.id])
        request = Request(request.id)
        self.assertEqual(request.picked('cosign_units'),
            [org.yz_school_dept.id])
        self.assertEqual(request.values['doc_type'], '通知')

    @with_transaction()
    def test_list_of_all_requests(self):
        "Opened from the list of all requests: what it holds, no new one"
        org = workflow_org()
        request = self.new_leave(org)
        with acting_as(org.yz_clerk):
            arch, fields_ = self.form_view()
            summary = request.__class__.read(
                [request.id], ['form_summary'])[0]['form_summary']
        self.assertEqual(arch.get('creatable'), '0')
        self.assertTrue(arch.xpath('//field[@name="form_summary"]'))
        self.assertFalse(arch.xpath('//field[@name="values"]'))
        self.assertEqual(summary.splitlines(), [
                '请假类型：事假', '开始日期：2026-12-01', '结束日期：2026-12-02',
                '请假天数：2', '请假事由：家中有事'])

    @with_transaction()
    def test_values_through_the_form(self):
        "Saved through the form's fields, read back through them"
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        request = self.new_leave(org)
        self.assertEqual(request.process, self.process('leave'))
        self.assertEqual(request.values, {
                'leave_type': '事假',
                'start_date': datetime.date(2026, 12, 1),
                'end_date': datetime.date(2026, 12, 2),
                'days': Decimal('2'),
                'reason': '家中有事',
                })
        with acting_as(org.yz_clerk, egov_process='leave'):
            Request.write([request], {
                    'date_2': datetime.date(2026, 12, 3),
                    'numeric_1': Decimal('3'),
                    })
            read, = Request.read([request.id], list(LEAVE))
        self.assertEqual(read['date_2'], datetime.date(2026, 12, 3))
        self.assertEqual(read['numeric_1'], Decimal('3'))
        self.assertEqual(read['selection_1'], '事假')
        self.assertEqual(read['text_1'], '家中有事')
        self.assertEqual(Request(request.id).values['end_date'],
            datetime.date(2026, 12, 3))
        # The default title names the process and the applicant
        with acting_as(org.yz_clerk, egov_process='leave'):
            self.assertEqual(Request.default_title(), '请假 - 谢娜')

    @with_transaction()
    def test_bad_input_refused_in_chinese(self):
        "A choice not offered, and 提交 without what the form requires"
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        with self.assertRaises(UserError) as cm:
            self.new_leave(org, selection_1='旅游假')
        self.assertIn('请假类型', cm.exception.message)
        self.assertChinese(cm.exception.message)
        request = self.new_leave(org, text_1=None)
        with self.assertRaises(UserError) as cm:
            self.submit(org.yz_clerk, request)
        self.assertIn('请假事由', cm.exception.message)
        self.assertChinese(cm.exception.message)
        self.assertEqual(Request(request.id).workflow_state, 'draft')

    @with_transaction()
    def test_submit_is_the_first_step(self):
        "提交 does 填写请假单: the applicant has no to-do of his own"
        org = workflow_org()
        request = self.submit(org.yz_clerk, self.new_leave(org))
        self.assertEqual(request.workflow_state, 'running')
        self.assertEqual(request.workflow_steps, '部门负责人审批')
        self.assertEqual(self.open_tasks(org.yz_clerk), [])
        self.assertEqual(len(self.open_tasks(org.office_head)), 1)
        first, = request.workflow.opinions
        self.assertEqual((first.step_name, first.user, first.text),
            ('填写请假单', org.yz_clerk, '提交申请。'))
        # Submitted, the form is frozen
        with self.assertRaises(UserError):
            with acting_as(org.yz_clerk, egov_process='leave'):
                request.__class__.write([request], {'text_1': '改了'})

    @with_transaction()
    def test_told_when_it_ends(self):
        "已办结, not approved, terminated: the applicant is told, in his language"
        pool = Pool()
        Instance = pool.get('egov.workflow.instance')
        Lang = pool.get('ir.lang')
        org = workflow_org()
        done = self.submit(org.yz_clerk, self.new_leave(org, title='短假'))
        self.act(org.office_head, instance=done.workflow)
        notice = self.notifications(org.yz_clerk)[-1]
        self.assertEqual(notice.label, '已办结：「短假」')
        self.assertEqual(notice.description, '请假')
        self.assertEqual((notice.model, notice.records),
            ('egov.workflow.request', '[%d]' % done.id))

        refused = self.submit(org.yz_clerk, self.new_leave(org, title='长假'))
        self.act(org.office_head, 'reject', '工作繁忙', refused.workflow)
        notice = self.notifications(org.yz_clerk)[-1]
        self.assertEqual(notice.label, '未获同意：「长假」')
        self.assertEqual(notice.description, '朱婷在「部门负责人审批」环节不同意。')

        en, = Lang.search([('code', '=', 'en')])
        Lang.write([en], {'translatable': True})
        org.yz_clerk.language = en
        org.yz_clerk.save()
        ended = self.submit(org.yz_clerk, self.new_leave(org, title='病假'))
        with Transaction().set_context(language='zh_CN'):
            Instance.terminate([ended.workflow])
        notice = self.notifications(org.yz_clerk)[-1]
        self.assertEqual(notice.label, 'Terminated: "病假"')
        self.assertEqual(notice.description, 'Terminated by an administrator.')

    @with_transaction()
    def test_notifications_of_done_to_dos_are_done(self):
        "The badge counts the to-dos still waiting"
        org = workflow_org()
        self.submit(org.yz_clerk, self.new_leave(org, numeric_1=Decimal(5)))
        # His own first to-do was done at once: he is not told of it
        self.assertEqual(self.notifications(org.yz_clerk), [])
        waiting, = self.notifications(org.office_head, unread=True)
        self.act(org.office_head)
        self.assertEqual(self.notifications(org.office_head, unread=True),
            [])
        self.assertFalse(waiting.__class__(waiting.id).unread)
        self.assertEqual(len(self.notifications(org.leader, unread=True)), 1)
        self.act(org.leader)
        self.assertEqual(self.notifications(org.leader, unread=True), [])
        # What is left unread is the end notice
        notice, = self.notifications(org.yz_clerk, unread=True)
        self.assertIn('已办结', notice.label)

    @with_transaction()
    def test_hidden_value_not_read_through_the_form(self):
        "What a step hides from its holder is not in the form's fields"
        Request = Pool().get('egov.workflow.request')
        org = workflow_org()
        self.change_leave(lambda bpmn: bpmn.replace(
                'egov:assignee="head:initiator" egov:deadline="1">',
                'egov:assignee="head:initiator" egov:deadline="1"'
                ' egov:fields="reason:hidden">'))
        request = self.submit(org.yz_clerk, self.new_leave(org))
        with acting_as(org.office_head, egov_process='leave'):
            read, = Request.read([request.id],
                ['selection_1', 'text_1', 'form_summary'])
        self.assertEqual(read['selection_1'], '事假')
        self.assertIsNone(read['text_1'])
        self.assertNotIn('家中有事', read['form_summary'])
        self.assertNotIn('请假事由', read['form_summary'])
        # The applicant reads his whole request
        with acting_as(org.yz_clerk, egov_process='leave'):
            read, = Request.read([request.id], ['text_1'])
        self.assertEqual(read['text_1'], '家中有事')
        # Nor exported
        with acting_as(org.office_head, egov_process='leave'):
            with self.assertRaises(UserError):
                Request.export_data([request], ['text_1'])
            Request.export_data([request], ['selection_1'])

    @with_transaction()
    def test_only_the_leave_process_is_shipped(self):
        """The 公文 (收文, 发文) are egov_document's: the engine ships the
        leave process only, and 审批 lists nothing else until one is drawn"""
        pool = Pool()
        Process = pool.get('egov.workflow.process')
        Form = pool.get('egov.workflow.form')
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        self.assertEqual([p.code for p in Process.search([])], ['leave'])
        self.assertEqual([f.code for f in Form.search([])], ['leave'])
        approval = Menu(ModelData.get_id('egov_workflow', 'menu_approval'))
        self.assertEqual(sorted(m.name for m in approval.childs),
            ['我的审批申请', '请假申请'])

    @with_transaction()
    def test_new_process_gets_its_menu(self):
        "A process drawn by a county gets its entry under 审批, once"
        pool = Pool()
        Process = pool.get('egov.workflow.process')
        Menu = pool.get('ir.ui.menu')
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        car, = Process.copy([self.process('leave')], default={
                'code': 'car', 'name': '用车申请'})
        Process.activate([car])
        menu, = Menu.search([('name', '=', '用车申请')])
        self.assertEqual(menu.parent.name, '审批')
        self.assertEqual(menu.icon, 'tryton-list')
        self.assertEqual(menu.action.res_model, 'egov.workflow.request')
        self.assertEqual(menu.action.pyson_context,
            '{"egov_process": "car"}')
        with acting_as(org.yz_clerk, egov_process='car'):
            self.assertEqual(Request.default_process(), car.id)
            arch, fields_ = self.form_view('car')
        self.assertEqual(fields_['selection_1']['string'], '请假类型')
        # A new version, and the shipped processes, have theirs already
        self.change_leave(lambda bpmn: bpmn)
        Process.new_version([car])
        draft, = Process.search([
                ('code', '=', 'car'), ('state', '=', 'draft')])
        Process.activate([draft])
        self.assertEqual(len(Menu.search([('name', '=', '用车申请')])), 1)
        self.assertEqual(len(Menu.search([('name', '=', '请假申请')])), 1)
