"""Refusals that say why: a county administrator acting on another county's
units is told that it is not his county, before any other reason and in
plain words, and the form says why it is read-only."""
import datetime

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import check_access

from .tools import EgovTestCase, acting_as, create_org

RULE_TEXT = '规则'


class UnitRefusalsTestCase(EgovTestCase):

    def assertPlainScopeRefusal(self, message, county='袁州区'):
        self.assertIn('不在您管理', message)
        self.assertIn(county, message)
        self.assertNotIn(RULE_TEXT, message)
        self.assertChinese(message)

    @with_transaction()
    def test_close_other_county_unit(self):
        "Closing another county's unit: not his county, not 'people work'"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with acting_as(org.zs_admin), check_access():
            with self.assertRaises(UserError) as cm:
                Unit.close_units([Unit(org.yz_edu.id)],
                    datetime.date.today(), '撤并')
        self.assertPlainScopeRefusal(cm.exception.message, '樟树市')
        self.assertNotIn('在职', cm.exception.message)
        self.assertTrue(Unit(org.yz_edu.id).active)

    @with_transaction()
    def test_change_and_delete_other_county_unit(self):
        "Writing or deleting another county's unit is refused in plain words"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with acting_as(org.zs_admin):
            for call in [
                    lambda: Unit.write([Unit(org.yz_edu.id)], {'name': '改'}),
                    lambda: Unit.delete([Unit(org.yz_edu_office.id)]),
                    lambda: Unit.write([Unit(org.zs_finance_office.id)],
                        {'parent': org.yz_edu.id}),
                    ]:
                with self.subTest(call=call), self.assertRaises(
                        UserError) as cm:
                    call()
                self.assertPlainScopeRefusal(cm.exception.message, '樟树市')

    @with_transaction()
    def test_create_under_other_county(self):
        "A unit created under another county's parent: plain words"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with acting_as(org.zs_admin):
            with self.assertRaises(UserError) as cm:
                Unit.create([{'name': '新股室', 'kind': 'department',
                            'code': 'X-1', 'parent': org.yz_edu.id}])
        self.assertPlainScopeRefusal(cm.exception.message, '樟树市')
        # In his own county it works
        with acting_as(org.zs_admin):
            unit, = Unit.create([{'name': '新股室', 'kind': 'department',
                        'code': 'X-2', 'parent': org.zs_finance.id}])
        self.assertEqual(unit.division, org.zhangshu)

    @with_transaction()
    def test_form_says_why_read_only(self):
        "The form of another county's unit says it belongs to that county"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with acting_as(org.zs_admin):
            other, own = Unit.read([org.yz_edu.id, org.zs_finance.id],
                ['scope_notice'])
        self.assertIn('袁州区', other['scope_notice'])
        self.assertIn('只能查看', other['scope_notice'])
        self.assertIsNone(own['scope_notice'])
        with acting_as(org.city_admin):
            row, = Unit.read([org.yz_edu.id], ['scope_notice'])
        self.assertIsNone(row['scope_notice'])

    @with_transaction()
    def test_root_reads_as_system(self):
        "What the platform did by itself is signed 系统, not Root"
        pool = Pool()
        User = pool.get('res.user')
        Unit = pool.get('egov.org.unit')
        org = create_org()
        with acting_as(org.yz_clerk):
            row, = Unit.read([org.yz_edu.id], ['create_uid.rec_name'])
            self.assertEqual(User(0).rec_name, '系统')
        # The tests create as the built-in admin
        self.assertEqual(row['create_uid.']['rec_name'], '内置管理员')
