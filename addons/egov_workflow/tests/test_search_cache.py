"""The inbox's search SQL kept for the next identical search
(search_cache.py): the rows are read anew each time, the record rules and
the access checks still decide, and only what provably depends on nothing
but its key is kept."""
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as
from egov_workflow import search_cache

from .test_shortcuts import INBOX_FIELDS, NEWEST_FIRST, open_to_dos
from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase


class SearchCacheTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    def page(self, user, domain=None):
        Task = Pool().get('egov.workflow.task')
        with acting_as(user):
            return Task.search_read(
                open_to_dos(user) if domain is None else domain,
                0, 20, NEWEST_FIRST, list(INBOX_FIELDS))

    @with_transaction()
    def test_sql_is_kept_the_rows_are_read_anew(self):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        Task._search_cache.clear()
        first = self.page(org.yz_clerk)
        self.assertEqual(len(Task._search_cache), 1)
        self.assertEqual(self.page(org.yz_clerk), first)
        self.assertEqual(len(Task._search_cache), 1)

        # A to-do opened since is on the page read from the kept SQL; one
        # changed is read as it is now
        self.leave_request(org)
        Task.write([Task(first[0]['id'])], {'title': '谢娜请假（改）'})
        again = self.page(org.yz_clerk)
        self.assertEqual(len(again), 2)
        self.assertIn('谢娜请假（改）', [r['title'] for r in again])
        self.assertEqual(len(Task._search_cache), 1)

    @with_transaction()
    def test_another_person_never_gets_the_kept_sql(self):
        "The same domain of another person is searched with their rules"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        Task._search_cache.clear()
        self.assertEqual(len(self.page(org.yz_clerk)), 1)
        for other in [org.zs_clerk, org.office_head]:
            self.assertEqual(
                self.page(other, open_to_dos(org.yz_clerk)), [])
        self.assertEqual(len(Task._search_cache), 3)
        self.assertEqual(len(self.page(org.yz_clerk)), 1)

    @with_transaction()
    def test_a_new_rule_applies_to_a_kept_search(self):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        RuleGroup = pool.get('ir.rule.group')
        org = workflow_org()
        self.leave_request(org)
        self.assertEqual(len(self.page(org.yz_clerk)), 1)
        nothing, = RuleGroup.create([{
                    'name': '停用待办', 'model': 'egov.workflow.task',
                    'global_p': True,
                    'rules': [('create', [{'domain': PYSONEncoder().encode(
                                        [('id', '<', 0)])}])],
                    }])
        self.assertEqual(self.page(org.yz_clerk), [])
        RuleGroup.delete([nothing])
        self.assertEqual(len(self.page(org.yz_clerk)), 1)
        self.assertTrue(Task._search_cache)

    @with_transaction()
    def test_access_is_checked_on_a_kept_search(self):
        """A field searched (not read) made unreadable since is refused, the
        SQL kept or not"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        FieldAccess = pool.get('ir.model.field.access')
        org = workflow_org()
        self.leave_request(org)
        self.assertEqual(len(self.page(org.yz_clerk)), 1)
        kept = len(Task._search_cache)
        FieldAccess.create([{'model': 'egov.workflow.task',
                    'field': 'user', 'perm_read': False}])
        with self.assertRaises(AccessError) as cm:
            self.page(org.yz_clerk)
        self.assertChinese(cm.exception.message)
        self.assertEqual(len(Task._search_cache), kept)

    @with_transaction()
    def test_only_pure_searches_are_kept(self):
        """A path, a Many2One given as text, a where or a child_of reads
        rows or other rules while it is converted: never kept"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        Task._search_cache.clear()
        mine = open_to_dos(org.yz_clerk)
        task, = Task.search(mine)
        for extra in [
                ('instance.title', '=', '谢娜请假'),
                ('user', '=', '谢娜'),
                ('user', 'where', [('name', '=', '谢娜')]),
                ('previous', 'child_of', [task.id]),
                ]:
            with self.subTest(extra=extra):
                self.page(org.yz_clerk, mine + [extra])
                self.assertEqual(len(Task._search_cache), 0)
        self.page(org.yz_clerk, mine + [('title', 'ilike', '%请假%')])
        self.assertEqual(len(Task._search_cache), 1)

    @with_transaction()
    def test_context_is_part_of_the_key(self):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        Task._search_cache.clear()
        self.page(org.yz_clerk)
        with Transaction().set_context(active_test=False):
            self.page(org.yz_clerk)
        self.assertEqual(len(Task._search_cache), 2)
        # Not the HTTP request's details, which change by the minute: the
        # first search's SQL serves
        for active in ['09:00', '09:03']:
            with Transaction().set_context(_request={
                        'remote_addr': '10.0.0.8',
                        'egov_session_active': active}):
                self.page(org.yz_clerk)
        self.assertEqual(len(Task._search_cache), 2)

    @with_transaction()
    def test_long_searches_are_not_kept(self):
        "A domain of thousands of ids would fill the memory if kept"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        org = workflow_org()
        self.leave_request(org)
        Task._search_cache.clear()
        ids = list(range(10 ** 6, 10 ** 6 + 5000))
        self.assertEqual(self.page(org.yz_clerk,
                open_to_dos(org.yz_clerk) + [('id', 'not in', ids)]),
            self.page(org.yz_clerk))
        self.assertEqual(len(Task._search_cache), 1)

    def test_least_recently_used_goes_first(self):
        cache = search_cache.SearchCache()
        for n in range(search_cache.SIZE):
            cache.set(n, ('SELECT %s' % n, ()))
        self.assertEqual(cache.get(0), ('SELECT 0', ()))
        cache.set('new', ('SELECT 1', ()))
        self.assertEqual(len(cache), search_cache.SIZE)
        self.assertIsNone(cache.get(1))
        self.assertIsNotNone(cache.get(0))
