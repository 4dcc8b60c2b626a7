"""The act dialog as a civil servant meets it (issue 11): the earlier
opinions shown, the decision an explicit tap then confirmed, common phrases
of one's own, one's unit and everybody, what a step requires enforced by
the server, 办理 on a double click, counts on every tab of 我的待办 and
times to the minute."""
import struct
import zlib

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as

from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase

SEEDED = ['同意。', '拟同意，请领导审示。', '请按程序办理。', '已阅。', '请尽快办理。']


def png(width=4, height=2):
    "A small valid PNG, as the signature pad sends"
    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body
            + struct.pack('>I', zlib.crc32(kind + body)))
    raw = b''.join(b'\x00' + b'\x00\x00\x00\xff' * width
        for _ in range(height))
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 6, 0, 0,
                0))
        + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def require(opinion='required', signature='required'):
    "A change of the leave diagram: its head's step requires these"
    def change(bpmn):
        return bpmn.replace('<bpmn:userTask id="head" ',
            '<bpmn:userTask id="head" egov:opinion="%s" egov:signature="%s" '
            % (opinion, signature), 1)
    return change


class ActDialogTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    def dialog(self, task):
        "The act wizard opened on task (as a double click does)"
        Act = Pool().get('egov.workflow.task.act', type='wizard')
        session_id, _, _ = Act.create()
        context = {'active_model': task.__name__, 'active_id': task.id,
            'active_ids': [task.id]}
        with Transaction().set_context(context):
            act = Act(session_id)
        return act, context

    @with_transaction()
    def test_dialog_shows_earlier_opinions_and_waits_for_a_tap(self):
        pool = Pool()
        ActStart = pool.get('egov.workflow.task.act.start')
        Opinion = pool.get('egov.workflow.opinion')
        org = workflow_org()
        request = self.leave_request(org)
        self.act(org.yz_clerk, text='请批准')
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            act, context = self.dialog(task)
            with Transaction().set_context(context):
                self.assertEqual(act.transition_route(), 'start')
                defaults = act.default_start(None)
                view = ActStart.fields_view_get(view_type='form')
                # Nothing decided beforehand
                self.assertIsNone(defaults.get('decision'))
                opinion, = Opinion.browse(defaults['opinions'])
                self.assertEqual(opinion.instance, request.workflow)
                self.assertEqual(opinion.text, '请批准')
                self.assertEqual(opinion.author, '谢娜')
                self.assertIn('name="opinions"', view['arch'])
                # The dialog's width is used: four columns
                self.assertIn('<form col="4"', view['arch'])
                # 同意 and 不同意 are buttons; the decision is confirmed
                act.start.text = '同意'
                act.start.signature = None
                self.assertEqual(act.transition_approve(), 'confirm')
                question = act.default_confirm(None)['question']
                self.assertIn('同意', question)
                self.assertIn('谢娜请假', question)
                self.assertIn('部门负责人审批', question)
                self.assertChinese(question)
                # Back to the dialog: what was written is still there
                self.assertEqual(act.value_start(['text'])['text'], '同意')
                act.start.copy_to = []
                act.start.slots = defaults.get('slots')
                act.transition_submit()
        self.assertEqual(self.open_tasks(org.office_head), [])

    @with_transaction()
    def test_disagree_needs_a_reason_in_the_dialog(self):
        org = workflow_org()
        self.leave_request(org)
        self.act(org.yz_clerk)
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            act, context = self.dialog(task)
            with Transaction().set_context(context):
                act.start.text = ''
                act.start.signature = None
                with self.assertRaises(UserError) as cm:
                    act.transition_reject()
                self.assertIn('理由', cm.exception.message)
                self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_others_open_the_form_not_the_dialog(self):
        "A done to-do (or anyone else's) opens in its form on a double click"
        org = workflow_org()
        self.leave_request(org)
        task = self.act(org.yz_clerk)
        with acting_as(org.yz_clerk):
            act, context = self.dialog(task)
            with Transaction().set_context(context):
                self.assertEqual(act.transition_route(), 'read')
                action, data = act.do_read(act.read.get_action())
                self.assertEqual(data['res_id'], [task.id])
                self.assertEqual(action['res_model'], 'egov.workflow.task')

    @with_transaction()
    def test_double_click_opens_the_act_dialog(self):
        pool = Pool()
        Keyword = pool.get('ir.action.keyword')
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        with acting_as(org.yz_clerk):
            task, = self.open_tasks(org.yz_clerk)
            actions = Keyword.get_keyword(
                'tree_open', (Task.__name__, task.id))
            self.assertEqual(
                [a['wiz_name'] for a in actions], ['egov.workflow.task.act'])
            view = Task.fields_view_get(view_type='tree')
            self.assertIn('keyword_open="1"', view['arch'])
            # The action comes before the long columns
            arch = view['arch']
            self.assertLess(arch.index('name="act"'),
                arch.index('name="title"'))

    @with_transaction()
    def test_seeded_phrases_per_person_and_unit(self):
        pool = Pool()
        Phrase = pool.get('egov.workflow.phrase')
        org = workflow_org()
        # The platform's phrases, for everybody
        with acting_as(org.zs_clerk):
            texts = [p.text for p in Phrase.search([('usable', '=', True)])]
            self.assertEqual(texts[:len(SEEDED)], SEEDED)
        # The county's administrator gives 袁州区教育体育局 its own
        with acting_as(org.yz_admin):
            unit_phrase, = Phrase.create([{
                        'text': '请办公室按规定办理。', 'unit': org.yz_edu.id}])
            self.assertEqual(unit_phrase.scope, 'unit')
            self.assertIsNone(unit_phrase.user)
        # A person's own come first, then the unit's, then everybody's
        with acting_as(org.yz_clerk):
            mine, = Phrase.create([{'text': '请领导批示。'}])
            self.assertEqual(mine.user, org.yz_clerk)
            texts = [p.text for p in Phrase.search([('usable', '=', True)])]
            self.assertEqual(texts[:2], ['请领导批示。', '请办公室按规定办理。'])
            self.assertEqual(texts[2:2 + len(SEEDED)], SEEDED)
            # The unit's phrase is read, not changed, by its people
            with self.assertRaises(UserError) as cm:
                Phrase.write([Phrase(unit_phrase.id)], {'text': '改'})
            self.assertIn('袁州区教育体育局', cm.exception.message)
            self.assertChinese(cm.exception.message)
            # …nor everybody's
            common = Phrase.search([
                    ('user', '=', None), ('unit', '=', None)], limit=1)
            with self.assertRaises(UserError) as cm:
                Phrase.delete(common)
            self.assertChinese(cm.exception.message)
            # …nor does a person give phrases to a unit
            with self.assertRaises(UserError):
                Phrase.create([{'text': '我的单位用语', 'unit': org.yz_edu.id}])
        # Another county's people see neither
        with acting_as(org.zs_clerk):
            texts = [p.text for p in Phrase.search([])]
            self.assertNotIn('请领导批示。', texts)
            self.assertNotIn('请办公室按规定办理。', texts)
        # Another county's administrator keeps only their own county's
        with acting_as(org.zs_admin):
            with self.assertRaises(UserError) as cm:
                Phrase.create([{'text': '越权', 'unit': org.yz_edu.id}])
            self.assertIn('袁州区教育体育局', cm.exception.message)

    @with_transaction()
    def test_step_requirements_enforced_by_decide(self):
        pool = Pool()
        ActStart = pool.get('egov.workflow.task.act.start')
        org = workflow_org()
        process = self.change_leave(require())
        step = process.step('head')
        self.assertEqual(
            (step['opinion'], step['signature']), ('required', 'required'))
        self.leave_request(org)
        self.act(org.yz_clerk)
        with acting_as(org.office_head):
            task, = self.open_tasks(org.office_head)
            # The dialog marks them required
            act, context = self.dialog(task)
            with Transaction().set_context(context):
                view = ActStart.fields_view_get(view_type='form')
                self.assertTrue(view['fields']['text']['required'])
                self.assertTrue(view['fields']['signature']['required'])
            for text, signature, word in [
                    (None, png(), '意见'), ('  ', png(), '意见'),
                    ('同意', None, '签名')]:
                with self.subTest(text=text):
                    with self.assertRaises(UserError) as cm:
                        task.decide('approve', text, signature)
                    self.assertIn(word, cm.exception.message)
                    self.assertIn('部门负责人审批', cm.exception.message)
                    self.assertChinese(cm.exception.message)
            self.assertEqual(len(self.open_tasks(org.office_head)), 1)
            task.decide('approve', '同意', png())
        self.assertEqual(self.open_tasks(org.office_head), [])

    @with_transaction()
    def test_by_default_an_opinion_is_optional(self):
        org = workflow_org()
        process = self.change_leave(require('optional', 'optional'))
        self.assertEqual(process.step('head')['opinion'], 'optional')
        self.leave_request(org)
        self.act(org.yz_clerk)
        self.act(org.office_head)
        self.assertEqual(self.open_tasks(org.office_head), [])

    @with_transaction()
    def test_a_wrong_requirement_is_refused(self):
        Process = Pool().get('egov.workflow.process')
        Process.new_version([self.process('leave')])
        draft, = Process.search([
                ('code', '=', 'leave'), ('state', '=', 'draft')])
        draft.bpmn = require(opinion='must')(draft.bpmn)
        with self.assertRaises(UserError) as cm:
            draft.save()
        self.assertIn('egov:opinion', cm.exception.message)
        self.assertIn('must', cm.exception.message)

    @with_transaction()
    def test_counts_and_minutes(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Domain = pool.get('ir.action.act_window.domain')
        Task = pool.get('egov.workflow.task')
        Opinion = pool.get('egov.workflow.opinion')
        inbox = ModelData.get_id('egov_workflow', 'act_inbox')
        tabs = Domain.search([('act_window', '=', inbox)])
        self.assertEqual(len(tabs), 3)
        # 待办, 抄送 and 已办 each show their count
        self.assertTrue(all(t.count for t in tabs))
        formats = Task.fields_get(['create_date', 'done_at'])
        for name in ['create_date', 'done_at']:
            self.assertEqual(formats[name]['format'], '"%H:%M"')
        self.assertEqual(
            Opinion.fields_get(['date'])['date']['format'], '"%H:%M"')
