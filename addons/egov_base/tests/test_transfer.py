"""Transfers (调动): a person moves, their history and work do not get lost."""
import datetime
from unittest import mock

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import EgovTestCase, acting_as, create_org


class TransferTestCase(EgovTestCase):

    def transfer(self, org, employee, to_unit, to_post, **values):
        Transfer = Pool().get('egov.org.transfer')
        transfer, = Transfer.create([dict({
                        'employee': employee.id,
                        'to_unit': to_unit.id,
                        'to_post': to_post.id if to_post else None,
                        }, **values)])
        return transfer

    @with_transaction()
    def test_transfer_within_county(self):
        "Old posts end but stay, the new post acts at once"
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        Unit = pool.get('egov.org.unit')
        Post = pool.get('egov.org.post')
        User = pool.get('res.user')
        org = create_org()
        civil, = Unit.create([{
                    'code': 'YZ-002', 'name': '袁州区民政局', 'kind': 'unit',
                    'parent': org.yuanzhou.id}])
        post, = Post.create([{'name': '科员', 'unit': civil.id}])
        employee = org.yz_clerk_employee
        with acting_as(org.yz_admin):
            transfer = self.transfer(org, employee, civil, post,
                reason='工作需要')
            self.assertEqual(Transfer(transfer.id).from_unit, org.yz_edu)
            Transfer.do([Transfer(transfer.id)])
        transfer = Transfer(transfer.id)
        self.assertEqual(transfer.state, 'done')
        self.assertEqual(transfer.done_by, org.yz_admin)
        self.assertIn('收发员', transfer.ended_posts)

        employee = pool.get('egov.org.employee')(employee.id)
        self.assertEqual(employee.unit, civil)
        self.assertIsNone(employee.department)
        assignments = {a.post: a for a in employee.assignments}
        self.assertFalse(assignments[org.post_yz_clerk].current)
        self.assertTrue(assignments[post].current)
        self.assertTrue(assignments[post].primary)
        with acting_as(org.yz_clerk):
            scope = User.get_org_scope()
            self.assertEqual(scope['unit'], civil.id)
            self.assertEqual(scope['post'], post.id)

        with self.assertRaises(UserError) as cm:
            Transfer.delete([transfer])
        self.assertIn('不能删除', cm.exception.message)

    @with_transaction()
    def test_pending_work_needs_a_successor(self):
        "Work goes to a named successor; without one the transfer waits"
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        org = create_org()
        handed = []

        def handler(transfer, count_only):
            if not count_only:
                handed.append(transfer.successor)
            return 3
        with mock.patch.object(
                Transfer, 'handover_handlers', return_value=[handler]):
            transfer = self.transfer(
                org, org.yz_clerk_employee, org.zs_finance, None)
            self.assertEqual(transfer.pending_work, 3)
            with self.assertRaises(UserError) as cm:
                Transfer.do([transfer])
            self.assertIn('还有 3 项待办工作', cm.exception.message)
            Transfer.write([transfer], {
                    'successor': org.yz_admin_employee.id})
            Transfer.do([transfer])
        self.assertEqual(handed, [org.yz_admin_employee])
        self.assertIn('罗强', Transfer(transfer.id).handed_over)

    @with_transaction()
    def test_county_admin_cannot_transfer_out(self):
        "A county administrator cannot move a person out of the county"
        Transfer = Pool().get('egov.org.transfer')
        org = create_org()
        with acting_as(org.yz_admin):
            # Refused when the transfer is made, naming the unit
            with self.assertRaises(AccessError) as cm:
                self.transfer(
                    org, org.yz_clerk_employee, org.zs_finance, None)
            self.assertIn('樟树市财政局', cm.exception.message)
        # Nor done when someone else drafted it
        transfer = self.transfer(
            org, org.yz_clerk_employee, org.zs_finance, None)
        with acting_as(org.yz_admin):
            with self.assertRaises(AccessError):
                Transfer.do([Transfer(transfer.id)])

    @with_transaction()
    def test_other_county_cannot_transfer_in(self):
        org = create_org()
        with acting_as(org.zs_admin):
            with self.assertRaises(AccessError):
                self.transfer(org, org.yz_clerk_employee, org.zs_finance,
                    None)

    @with_transaction()
    def test_city_admin_transfers_across_counties(self):
        Transfer = Pool().get('egov.org.transfer')
        org = create_org()
        with acting_as(org.city_admin):
            transfer = self.transfer(
                org, org.yz_clerk_employee, org.zs_finance, None)
            Transfer.do([Transfer(transfer.id)])
        self.assertEqual(Transfer(transfer.id).state, 'done')
        self.assertEqual(
            org.yz_clerk_employee.__class__(
                org.yz_clerk_employee.id).division, org.zhangshu)

    @with_transaction()
    def test_refused_transfers(self):
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        Unit = pool.get('egov.org.unit')
        org = create_org()
        same = self.transfer(org, org.yz_clerk_employee, org.yz_edu, None,
            to_department=org.yz_edu_office.id)
        with self.assertRaises(UserError) as cm:
            Transfer.do([same])
        self.assertIn('已在「袁州区教育体育局」工作', cm.exception.message)

        closed, = Unit.create([{
                    'code': 'YZ-008', 'name': '袁州区临时办', 'kind': 'unit',
                    'parent': org.yuanzhou.id}])
        Unit.close_units([closed], datetime.date.today(), '撤销')
        transfer = self.transfer(org, org.yz_clerk_employee, closed, None)
        with self.assertRaises(UserError) as cm:
            Transfer.do([transfer])
        self.assertIn('已撤销', cm.exception.message)
