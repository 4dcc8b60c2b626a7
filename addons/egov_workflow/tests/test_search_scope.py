"""The smart search of approval requests as a county's process
administrator finds them: by their unit's county, matched on the index's
own unit column, which follows the request's unit when it is moved."""
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as, create_org

from .tools import EgovWorkflowTestCase, request_processes

REQUEST = 'egov.workflow.request'


def process_administrator(org, login, name, department):
    "A person of department holding the county's 流程管理员 post"
    pool = Pool()
    Post = pool.get('egov.org.post')
    Employee = pool.get('egov.org.employee')
    Assignment = pool.get('egov.org.assignment')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    post, = Post.create([{
                'name': '流程管理员', 'unit': department.id,
                'groups': [('add', [ModelData.get_id(
                                'egov_workflow', 'group_workflow_admin')])],
                }])
    user, = User.create([{'login': login, 'name': name}])
    employee, = Employee.create([{
                'name': name, 'number': 'P-' + login,
                'unit': department.parent.id, 'department': department.id,
                'user': user.id}])
    Assignment.create([{
                'employee': employee.id, 'post': post.id, 'primary': True}])
    return user


def found(text):
    Search = Pool().get('egov.search')
    answer = Search.query(text, {'kind': REQUEST}, 'date', 0, 20)
    return answer['count'], [r['id'] for r in answer['results']]


class SearchScopeTestCase(EgovWorkflowTestCase):
    "The search's scope of a county's process administrator"

    @with_transaction()
    def test_county_administrator_scope_follows_the_unit(self):
        """袁州区's process administrator finds 袁州区's request and 樟树市's
        does not; moved to 樟树市财政局, it is the other way round at once,
        before the queued indexing runs"""
        pool = Pool()
        Request = pool.get('egov.workflow.request')
        Entry = pool.get('egov.search.entry')
        Search = pool.get('egov.search')
        org = create_org()
        yz_admin = process_administrator(
            org, 'yz_flow', '袁流程', org.yz_edu_office)
        zs_admin = process_administrator(
            org, 'zs_flow', '樟流程', org.zs_finance_office)
        process = request_processes('outgoing')['outgoing']
        with acting_as(org.yz_clerk):
            request, = Request.create([{
                        'title': '关于开展校园安全隐患排查的通知',
                        'process': process.id,
                        'values': {'doc_type': '通知', 'urgency': '平件'},
                        }])
        self.assertEqual(request.unit, org.yz_edu)
        Entry.index_records(REQUEST, [request.id])

        with acting_as(yz_admin):
            # The administrator's part of the rule is on the unit alone
            scope, = Search.scopes(kind=REQUEST)
            self.assertIn('unit', {p.column for p in scope.parts})
            self.assertEqual(found('校园安全'), (1, [request.id]))
            self.assertEqual(found('xiaoyuananquan'), (1, [request.id]))
        with acting_as(zs_admin):
            self.assertEqual(found('校园安全'), (0, []))

        Request.write([request], {'unit': org.zs_finance.id})
        with acting_as(yz_admin):
            self.assertEqual(found('校园安全'), (0, []))
        with acting_as(zs_admin):
            self.assertEqual(found('校园安全'), (1, [request.id]))
        # The initiator still finds it, by their own part of the rule
        with acting_as(org.yz_clerk):
            self.assertEqual(found('校园安全'), (1, [request.id]))
