"""The shortcuts taken for speed keep what the long way guaranteed: the
inbox page read in one query, the record rules of a group kept across
people, the audit's snapshot of a person taken by one query, the form
checked from its cached fields, the unit lists checked where their links
are made, one trail of the buttons."""
import datetime
import json

from trytond.exceptions import UserError
from trytond.model import ModelStorage
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.tests.test_tryton import with_transaction

from .test_workflow import WorkflowHelpers, workflow_org
from egov_base.tests.tools import acting_as
from egov_base.tools import existing_references

from .tools import EgovWorkflowTestCase, request_processes

INBOX_FIELDS = ['title', 'step_name', 'process_name', 'sender_name',
    'create_date', 'deadline', 'light', 'state', 'kind']
NEWEST_FIRST = [('create_date', 'DESC'), ('id', 'DESC')]


def open_to_dos(user):
    return [('user', '=', user.id), ('state', '=', 'open'),
        ('kind', '=', 'todo')]


class ShortcutsTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    @with_transaction()
    def test_inbox_page_reads_as_search_then_read(self):
        "One query returns what a search and then a read return"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        for _ in range(3):
            self.leave_request(org)
        late, *_ = self.open_tasks(org.yz_clerk)
        Task.write([late], {'deadline': datetime.datetime.now()
                - datetime.timedelta(hours=1)})
        with acting_as(org.yz_clerk):
            page = Task.search_read(open_to_dos(org.yz_clerk), 0, 2,
                NEWEST_FIRST, list(INBOX_FIELDS))
            # Tryton's own search_read: a search, then a read
            expected = ModelStorage.search_read.__func__(
                Task, open_to_dos(org.yz_clerk), 0, 2, NEWEST_FIRST,
                list(INBOX_FIELDS))
        self.assertEqual(len(page), 2)
        self.assertEqual(page, expected)
        self.assertEqual({r['light'] for r in page} | {'green', 'red'},
            {'green', 'red'})
        with acting_as(org.yz_clerk):
            lights = {r['id']: r['light'] for r in Task.search_read(
                    open_to_dos(org.yz_clerk), fields_names=['light'])}
        self.assertEqual(lights[late.id], 'red')
        self.assertEqual(len(lights), 3)

    @with_transaction()
    def test_to_do_names_its_record_as_the_reference_did(self):
        """A to-do's record read in one query: the instance's record, and
        None for a reference whose record is gone or whose model is not
        known"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        User = pool.get('res.user')
        org = workflow_org()
        request = self.leave_request(org)
        with acting_as(org.yz_clerk):
            task, = Task.search(open_to_dos(org.yz_clerk))
            row, = Task.read([task.id], ['record', 'instance'])
        self.assertEqual(row['record'], str(request))
        self.assertEqual(row['record'], str(Task(task.id).instance.record))

        last, = User.search([], order=[('id', 'DESC')], limit=1)
        found = existing_references({
                1: 'res.user,%s' % org.yz_clerk.id,
                2: 'res.user,%s' % (last.id + 1000),
                3: None, 4: 'egov.no.such.model,1', 5: 'res.user,-1',
                6: 'res.user,abc'})
        self.assertEqual(found, {1: 'res.user,%s' % org.yz_clerk.id,
                2: None, 3: None, 4: None, 5: None, 6: None})

    @with_transaction()
    def test_inbox_page_keeps_the_record_rules(self):
        "Another person's to-dos are not read through the short way"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        with acting_as(org.yz_clerk):
            self.assertEqual(len(Task.search_read(
                        open_to_dos(org.yz_clerk), 0, 20, NEWEST_FIRST,
                        list(INBOX_FIELDS))), 1)
        for other in [org.zs_clerk, org.office_head]:
            with acting_as(other):
                self.assertEqual(Task.search_read(
                        open_to_dos(org.yz_clerk), 0, 20, NEWEST_FIRST,
                        list(INBOX_FIELDS)), [])
                self.assertEqual(Task.search_read(
                        [], fields_names=['title', 'holder_name']), [])

    @with_transaction()
    def test_inbox_page_with_other_fields_takes_the_long_way(self):
        "A function field the short way cannot compute is still read"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        with acting_as(org.yz_clerk):
            row, = Task.search_read(open_to_dos(org.yz_clerk),
                fields_names=['title', 'holder_name', 'process'])
        self.assertEqual(row['holder_name'], '谢娜')
        self.assertEqual(row['title'], '谢娜请假')
        self.assertEqual(row['process'], self.process('leave').id)

    @with_transaction()
    def test_tracked_reader_of_the_inbox_is_recorded(self):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Track = pool.get('egov.audit.track')
        Log = pool.get('egov.audit.log')
        org = workflow_org()
        self.leave_request(org)
        Track.create([{'kind': 'user', 'user': org.yz_clerk.id,
                    'reason': '纪检监察调查 2026-18'}])
        with acting_as(org.yz_clerk):
            rows = Task.search_read(open_to_dos(org.yz_clerk), 0, 20,
                NEWEST_FIRST, list(INBOX_FIELDS))
        read, = Log.search([('action', '=', 'read'),
                ('model', '=', 'egov.workflow.task')])
        self.assertEqual(read.login, 'yz_clerk')
        self.assertEqual(json.loads(read.changes)['ids'],
            [r['id'] for r in rows])

    @with_transaction()
    def test_rules_of_a_group_follow_their_changes(self):
        """Record rules found once for a set of groups still evaluate per
        person, and a new rule applies at once"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        RuleGroup = pool.get('ir.rule.group')
        org = workflow_org()
        self.leave_request(org)
        # The clerks of the two counties have the same groups
        User = pool.get('res.user')
        groups = {}
        for clerk in [org.yz_clerk, org.zs_clerk]:
            with acting_as(clerk):
                groups[clerk.id] = User.get_groups()
                self.assertEqual(len(Task.search([])),
                    1 if clerk == org.yz_clerk else 0)
        self.assertEqual(groups[org.yz_clerk.id], groups[org.zs_clerk.id])

        nothing, = RuleGroup.create([{
                    'name': '停用待办', 'model': 'egov.workflow.task',
                    'global_p': True,
                    'rules': [('create', [{'domain': PYSONEncoder().encode(
                                        [('id', '<', 0)])}])],
                    }])
        with acting_as(org.yz_clerk):
            self.assertEqual(Task.search([]), [])
        RuleGroup.delete([nothing])
        with acting_as(org.yz_clerk):
            self.assertEqual(len(Task.search([])), 1)

    @with_transaction()
    def test_audit_names_the_post_as_the_organisation_does(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Post = pool.get('egov.org.post')
        org = workflow_org()
        self.leave_request(org)
        created, = Log.search([('action', '=', 'create'),
                ('model', '=', 'egov.workflow.request')])
        self.assertEqual(created.post_name,
            Post(org.post_yz_clerk.id).rec_name)
        self.assertEqual(created.post_name, '办公室 (袁州区教育体育局) - 收发员')
        self.assertEqual(created.unit_name, '袁州区教育体育局')
        self.assertEqual(created.division_name, '袁州区')
        self.assertEqual(created.user_name, '谢娜')

    @with_transaction()
    def test_form_checks_follow_a_changed_layout(self):
        "A choice added to the form is accepted once the form is saved"
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        Form = pool.get('egov.workflow.form')
        org = workflow_org()
        values = {'leave_type': '探亲假', 'days': 2}

        def draft():
            with acting_as(org.yz_clerk):
                Request.create([{'title': '探亲', 'values': values,
                            'process': self.process('leave').id}])
        with self.assertRaises(UserError) as cm:
            draft()
        self.assertIn('探亲假', cm.exception.message)
        self.assertChinese(cm.exception.message)

        form = self.process('leave').form
        schema = json.loads(form.schema)
        leave_type, = [c for c in schema['components']
            if c.get('key') == 'leave_type']
        leave_type['values'].append({'label': '探亲假', 'value': '探亲假'})
        Form.write([form], {'schema': json.dumps(schema)})
        draft()

    @with_transaction()
    def test_unit_lists_take_units_of_their_kind(self):
        """主送 takes units, not departments or counties; 会签 takes units
        and departments: refused in Chinese, in a draft or later"""
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        org = workflow_org()
        outgoing = request_processes('outgoing')['outgoing'].id
        with acting_as(org.yz_clerk):
            for key, unit in [
                    ('recipients', org.yz_edu_office),
                    ('cosign_units', org.yuanzhou),
                    ]:
                values = {'picked_units': [('create', [
                                {'key': key, 'unit': unit.id}])]}
                with self.assertRaises(UserError) as cm:
                    Request.create([{'title': '通知', 'process': outgoing,
                                'values': {'doc_type': '通知'}, **values}])
                self.assertChinese(cm.exception.message)
            request, = Request.create([{
                        'title': '通知', 'process': outgoing,
                        'values': {'doc_type': '通知'},
                        'picked_units': [('create', [
                                    {'key': 'recipients',
                                        'unit': org.zs_finance.id},
                                    {'key': 'cosign_units',
                                        'unit': org.yz_edu_office.id},
                                    {'key': 'cosign_units',
                                        'unit': org.zs_finance.id}])],
                        }])
            self.assertEqual(request.picked('recipients'),
                [org.zs_finance.id])
            with self.assertRaises(UserError) as cm:
                Request.write([request], {
                        'picked_units': [('create', [{
                                        'key': 'recipients',
                                        'unit': org.secretariat.id}])]})
            self.assertIn('秘书科', cm.exception.message)
            self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_one_trail_of_the_buttons(self):
        "Submitting is in the sealed audit, not also in ir.model.log"
        pool = Pool()
        Log = pool.get('egov.audit.log')
        ModelLog = pool.get('ir.model.log')
        org = workflow_org()
        request = self.leave_request(org)
        button, = Log.search([('action', '=', 'button'),
                ('model', '=', 'egov.workflow.request'),
                ('record_id', '=', request.id)])
        self.assertEqual(button.method, 'workflow_start')
        self.assertEqual(button.login, 'yz_clerk')
        self.assertEqual(ModelLog.search([
                    ('resource', '=', str(request))]), [])
