"""A small organisation for the tests: the city and two counties with a unit
each, their people and logins, and helpers to act as one of them."""
import contextlib
import re
from types import SimpleNamespace

from trytond.pool import Pool
from trytond.tests.test_tryton import TestCase, activate_module, drop_db
from trytond.transaction import Transaction

# Words that betray an untranslated message
ENGLISH = re.compile(
    r'\b(the|value|field|record|must|cannot|not|required|allowed|is)\b',
    re.IGNORECASE)


def uscc_for(region, number):
    from egov_base.org.codes import uscc_check_character
    code17 = '11%s%09d' % (region, number)
    return code17 + uscc_check_character(code17)


def create_org():
    """Create, as root, the organisation used by the tests:

    宜春市 (city): 市政府办公室 with 秘书科; 市数据局 with a city administrator
    袁州区 (county): 袁州区教育局 with 办公室; a county administrator, a clerk
    樟树市 (county): 樟树市财政局 with 办公室; a county administrator, a clerk
    """
    pool = Pool()
    Unit = pool.get('egov.org.unit')
    Post = pool.get('egov.org.post')
    Employee = pool.get('egov.org.employee')
    Assignment = pool.get('egov.org.assignment')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    Lang = pool.get('ir.lang')
    zh_cn, = Lang.search([('code', '=', 'zh_CN')])

    org = SimpleNamespace()
    org.city, = Unit.create([{
                'code': '360900', 'name': '宜春市', 'kind': 'city'}])
    org.yuanzhou, org.zhangshu = Unit.create([{
                'code': '360902', 'name': '袁州区', 'kind': 'county',
                'parent': org.city.id,
                }, {
                'code': '360982', 'name': '樟树市', 'kind': 'county',
                'parent': org.city.id,
                }])
    org.city_office, org.city_data, org.yz_edu, org.zs_finance = (
        Unit.create([{
                    'code': 'C-001', 'name': '宜春市人民政府办公室',
                    'kind': 'unit', 'parent': org.city.id,
                    'uscc': uscc_for('360900', 1),
                    }, {
                    'code': 'C-002', 'name': '宜春市政务服务数据管理局',
                    'kind': 'unit', 'parent': org.city.id,
                    }, {
                    'code': 'YZ-001', 'name': '袁州区教育体育局',
                    'kind': 'unit', 'parent': org.yuanzhou.id,
                    }, {
                    'code': 'ZS-001', 'name': '樟树市财政局',
                    'kind': 'unit', 'parent': org.zhangshu.id,
                    }]))
    org.secretariat, org.yz_edu_office, org.zs_finance_office = Unit.create([{
                'code': 'C-001-01', 'name': '秘书科', 'kind': 'department',
                'parent': org.city_office.id,
                }, {
                'code': 'YZ-001-01', 'name': '办公室', 'kind': 'department',
                'parent': org.yz_edu.id,
                }, {
                'code': 'ZS-001-01', 'name': '办公室', 'kind': 'department',
                'parent': org.zs_finance.id,
                }])

    group = ModelData.get_id
    org.post_city_admin, org.post_yz_admin, org.post_zs_admin = Post.create([{
                'name': '系统管理员', 'unit': org.city_data.id,
                'groups': [('add', [
                                group('egov_base', 'group_org_admin_city'),
                                group('egov_base', 'group_app_admin')])],
                }, {
                'name': '系统管理员', 'unit': org.yz_edu_office.id,
                'groups': [('add', [group('egov_base', 'group_org_admin')])],
                }, {
                'name': '系统管理员', 'unit': org.zs_finance_office.id,
                'groups': [('add', [group('egov_base', 'group_org_admin')])],
                }])
    org.post_yz_clerk, org.post_yz_head, org.post_zs_clerk, \
        org.post_secretary = Post.create([{
                    'name': '收发员', 'unit': org.yz_edu_office.id,
                    }, {
                    'name': '主要负责人', 'unit': org.yz_edu.id, 'head': True,
                    }, {
                    'name': '收发员', 'unit': org.zs_finance_office.id,
                    }, {
                    'name': '科员', 'unit': org.secretariat.id,
                    }])

    people = [
        ('city_admin', '王建国', 'YC0001', org.city_data, None,
            org.post_city_admin),
        ('yz_admin', '罗强', 'YZ0001', org.yz_edu, org.yz_edu_office,
            org.post_yz_admin),
        ('yz_clerk', '谢娜', 'YZ0002', org.yz_edu, org.yz_edu_office,
            org.post_yz_clerk),
        ('zs_admin', '许凯', 'ZS0001', org.zs_finance, org.zs_finance_office,
            org.post_zs_admin),
        ('zs_clerk', '韩梅', 'ZS0002', org.zs_finance,
            org.zs_finance_office, org.post_zs_clerk),
        ('city_clerk', '赵阳', 'YC0002', org.city_office, org.secretariat,
            org.post_secretary),
        ]
    users = User.create([{
                'login': login, 'name': name, 'language': zh_cn.id}
            for login, name, *_ in people])
    employees = Employee.create([{
                'name': name, 'number': number, 'unit': unit.id,
                'department': department.id if department else None,
                'user': user.id,
                } for (_, name, number, unit, department, _), user
            in zip(people, users)])
    Assignment.create([{
                'employee': employee.id, 'post': post.id, 'primary': True,
                'start_date': None,
                } for (*_, post), employee in zip(people, employees)])
    for (login, *_), user, employee in zip(people, users, employees):
        setattr(org, login, user)
        setattr(org, login + '_employee', employee)
    return org


@contextlib.contextmanager
def acting_as(user, **context):
    """Run the block as user with access checks on, as an RPC call does"""
    transaction = Transaction()
    with transaction.set_user(user.id), \
            transaction.set_context(_check_access=True, language='zh_CN',
                **context):
        yield
    Pool().get('res.user').clear_org_caches()



class EgovTestCase(TestCase):
    "A database with the modules in Chinese, dropped after the class"
    modules = ['egov_base']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The audit seals only with a key outside the database
        from egov_base.audit.seal_key import use_test_key
        use_test_key()
        drop_db()
        activate_module(cls.modules, lang='zh_CN')

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def assertChinese(self, text):
        "A message in Chinese, with no English sentence left in it"
        self.assertRegex(text, '[\u4e00-\u9fff]', msg=text)
        self.assertNotRegex(text, ENGLISH, msg=text)
