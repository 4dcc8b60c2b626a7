"""Escalation through relations (issue 10, item 1): every relation an
administrator creates, changes or deletes — assignment, leadership, post
role, login, transfer — stays inside the organisation he administers on
every side; nobody grants himself; the three administrator roles do not
grant each other's; gaining such a role ends one's sessions."""
import datetime

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import EgovTestCase, acting_as, create_org


def group(name, module='egov_base'):
    return Pool().get('ir.model.data').get_id(module, name)


class ScopeTestCase(EgovTestCase):
    "Two county administrators, a city one, clerks (tools.create_org)"

    def assertRefused(self, call, *words):
        with self.assertRaises(AccessError) as cm:
            call()
        message = cm.exception.message
        self.assertChinese(message)
        # Never Tryton's rule text
        self.assertNotIn('规则', message)
        for word in words:
            self.assertIn(word, message)
        return message

    def create_post(self, name, unit, *groups):
        Post = Pool().get('egov.org.post')
        post, = Post.create([{
                    'name': name, 'unit': unit.id,
                    'groups': [('add', list(groups))],
                    }])
        return post

    def create_secadmin(self, org):
        "A security administrator of the city (赵阳, a city clerk)"
        Assignment = Pool().get('egov.org.assignment')
        post = self.create_post('安全管理员', org.city_data,
            group('group_secadmin'))
        Assignment.create([{
                    'employee': org.city_clerk_employee.id,
                    'post': post.id, 'primary': False}])
        User = Pool().get('res.user')
        User.write([org.city_clerk], {'post': post.id})
        return org.city_clerk

    @with_transaction()
    def test_county_admin_assigns_himself_to_city_post(self):
        "罗强 holds the city's 系统管理员 post to write the other county"
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        org = create_org()
        clerk_assignment, = Assignment.search(
            [('employee', '=', org.zs_clerk_employee.id)])
        with acting_as(org.yz_admin):
            message = self.assertRefused(lambda: Assignment.create([{
                            'employee': org.yz_admin_employee.id,
                            'post': org.post_city_admin.id,
                            }]), '岗位', '宜春市政务服务数据管理局')
            self.assertIn('不在您管理的范围（袁州区）内', message)
            # His clerk to a city post, another county's clerk to his
            self.assertRefused(lambda: Assignment.create([{
                            'employee': org.yz_clerk_employee.id,
                            'post': org.post_city_admin.id,
                            }]), '宜春市政务服务数据管理局')
            self.assertRefused(lambda: Assignment.create([{
                            'employee': org.zs_clerk_employee.id,
                            'post': org.post_yz_clerk.id,
                            }]), '韩梅')
            # Nor to a post of his own county: nobody grants himself
            self.assertRefused(lambda: Assignment.create([{
                            'employee': org.yz_admin_employee.id,
                            'post': org.post_yz_head.id,
                            }]), '主要负责人')
            # A clerk of his county to a post of his county, yes
            assignment, = Assignment.create([{
                        'employee': org.yz_clerk_employee.id,
                        'post': org.post_yz_head.id,
                        }])
            # A write that moves one side out of the county is refused
            self.assertRefused(lambda: Assignment.write(
                    [Assignment(assignment.id)],
                    {'post': org.post_city_admin.id}),
                '宜春市政务服务数据管理局')
            self.assertRefused(lambda: Assignment.write(
                    [Assignment(assignment.id)],
                    {'employee': org.zs_clerk_employee.id}), '韩梅')
            # Another county's assignment is neither changed nor deleted
            self.assertRaises(AccessError, Assignment.delete,
                [Assignment(clerk_assignment.id)])
            Assignment.delete([Assignment(assignment.id)])

    @with_transaction()
    def test_county_admin_assigns_clerk_to_admin_post(self):
        "罗强 puts 谢娜 in a 安全管理员 post, or his own kind of post"
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        Group = pool.get('res.group')
        org = create_org()
        security_post = self.create_post('安全管理员', org.yz_edu_office,
            group('group_secadmin'))
        deputy_post = self.create_post('副管理员', org.yz_edu_office,
            group('group_org_admin'))
        with acting_as(org.yz_admin):
            self.assertRefused(lambda: Assignment.create([{
                            'employee': org.yz_clerk_employee.id,
                            'post': security_post.id,
                            }]), '安全管理员', '三员分立')
            self.assertRefused(lambda: Assignment.create([{
                            'employee': org.yz_clerk_employee.id,
                            'post': deputy_post.id,
                            }]), '市级系统管理员')
        # Unless the platform says the role is the county's to give
        Group.write([Group(group('group_org_admin'))],
            {'county_grantable': True})
        with acting_as(org.yz_admin):
            Assignment.create([{
                        'employee': org.yz_clerk_employee.id,
                        'post': deputy_post.id,
                        }])

    @with_transaction()
    def test_admin_role_gained_ends_sessions(self):
        "谢娜's open session does not carry a role she gains"
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        Session = pool.get('ir.session')
        User = pool.get('res.user')
        org = create_org()
        security_post = self.create_post('安全管理员', org.city_data,
            group('group_secadmin'))
        with Transaction().set_user(org.yz_clerk.id):
            key = Session.new()
        with Transaction().set_user(org.zs_clerk.id):
            other = Session.new()
        self.assertTrue(Session.check(org.yz_clerk.id, key))
        self.assertFalse(User(org.yz_clerk.id).second_factor_required)
        Assignment.create([{
                    'employee': org.yz_clerk_employee.id,
                    'post': security_post.id,
                    }])
        self.assertFalse(Session.check(org.yz_clerk.id, key))
        self.assertTrue(Session.check(org.zs_clerk.id, other))
        # Her next login asks the second factor of the role
        self.assertTrue(User(org.yz_clerk.id).second_factor_required)

        # By a user's groups and a post's groups alike
        with Transaction().set_user(org.zs_clerk.id):
            key = Session.new()
        User.write([org.zs_clerk], {
                'groups': [('add', [group('group_auditor')])]})
        self.assertFalse(Session.check(org.zs_clerk.id, key))
        with Transaction().set_user(org.city_clerk.id):
            key = Session.new()
        Pool().get('egov.org.post').write([org.post_secretary], {
                'groups': [('add', [group('group_secadmin')])]})
        self.assertFalse(Session.check(org.city_clerk.id, key))

    @with_transaction()
    def test_leader_of_other_county_unit(self):
        "罗强 makes 谢娜 the 分管 leader of 樟树市财政局"
        pool = Pool()
        Leadership = pool.get('egov.org.leadership')
        org = create_org()
        with acting_as(org.yz_admin):
            self.assertRefused(lambda: Leadership.create([{
                            'leader': org.yz_clerk_employee.id,
                            'unit': org.zs_finance.id,
                            }]), '组织机构', '樟树市财政局', '袁州区')
            self.assertRefused(lambda: Leadership.create([{
                            'leader': org.zs_clerk_employee.id,
                            'unit': org.yz_edu.id,
                            }]), '韩梅')
            # Nobody makes himself a leader: the unit's records open
            self.assertRefused(lambda: Leadership.create([{
                            'leader': org.yz_admin_employee.id,
                            'unit': org.yz_edu.id,
                            }]), '袁州区教育体育局')
            leadership, = Leadership.create([{
                        'leader': org.yz_clerk_employee.id,
                        'unit': org.yz_edu.id,
                        }])
            self.assertRefused(lambda: Leadership.write(
                    [Leadership(leadership.id)],
                    {'unit': org.zs_finance.id}), '樟树市财政局')
            Leadership.delete([Leadership(leadership.id)])

    @with_transaction()
    def test_county_admin_login_stays_manageable(self):
        "A login 罗强 creates is his (and the city's) to see and manage"
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        org = create_org()
        with acting_as(org.yz_admin):
            login, = User.create([{'login': 'yz_new', 'name': '新人'}])
            self.assertEqual(login.division, org.yuanzhou)
            # Even a division named by him is his own
            other, = User.create([{'login': 'yz_new2', 'name': '新人二',
                        'division': org.zhangshu.id}])
            self.assertEqual(other.division, org.yuanzhou)
            self.assertIn(login, User.search([('employee', '=', None)]))
            User.write([User(login.id)], {'name': '新人甲'})
            # Linked to a person of his county, still his
            Employee.write([Employee(org.yz_clerk_employee.id)], {
                    'user': None})
            Employee.write([Employee(org.yz_clerk_employee.id)], {
                    'user': login.id})
            User.write([User(login.id)], {'email': 'new@example.com'})
        with acting_as(org.city_admin):
            User.write([User(other.id)], {'name': '新人乙'})
        with acting_as(org.zs_admin):
            self.assertRaises(AccessError, User.write, [User(other.id)],
                {'name': '改名'})

    @with_transaction()
    def test_link_login_out_of_scope(self):
        "罗强 links his clerk to the built-in admin or another county's login"
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        admin = ModelData.get_id('res', 'user_admin')
        with acting_as(org.zs_admin):
            zs_login, = User.create([{'login': 'zs_new', 'name': '樟树新人'}])
        with acting_as(org.yz_admin):
            Employee.write([Employee(org.yz_clerk_employee.id)], {
                    'user': None})
            self.assertRefused(lambda: Employee.write(
                    [Employee(org.yz_clerk_employee.id)], {'user': admin}),
                '内置账号')
            self.assertRefused(lambda: Employee.write(
                    [Employee(org.yz_clerk_employee.id)],
                    {'user': zs_login.id}), '樟树新人', '袁州区')
            # Nor writes the other county's login
            self.assertRaises(AccessError, User.write, [User(zs_login.id)],
                {'password': 'Takeover#2026'})

    @with_transaction()
    def test_person_holding_city_post_is_out_of_county(self):
        "谢娜 also holds a city post: 罗强 no longer changes her login"
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        org = create_org()
        Assignment.create([{
                    'employee': org.yz_clerk_employee.id,
                    'post': org.post_secretary.id}])
        with acting_as(org.yz_admin):
            self.assertRefused(lambda: User.write([User(org.yz_clerk.id)],
                    {'password': 'Takeover#2026x'}), '谢娜')
            self.assertRefused(lambda: Employee.write(
                    [Employee(org.yz_clerk_employee.id)],
                    {'mobile': '13900000009'}), '谢娜')

    @with_transaction()
    def test_transfer_out_of_county(self):
        "罗强 transfers to another county's post, or names its successor"
        pool = Pool()
        Transfer = pool.get('egov.org.transfer')
        org = create_org()
        with acting_as(org.yz_admin):
            self.assertRefused(lambda: Transfer.create([{
                            'employee': org.yz_clerk_employee.id,
                            'to_unit': org.zs_finance.id,
                            'to_post': org.post_zs_clerk.id,
                            }]), '樟树市财政局')
            self.assertRefused(lambda: Transfer.create([{
                            'employee': org.yz_clerk_employee.id,
                            'to_unit': org.yz_edu.id,
                            'successor': org.zs_clerk_employee.id,
                            }]), '韩梅')
            self.assertRefused(lambda: Transfer.create([{
                            'employee': org.yz_admin_employee.id,
                            'to_unit': org.yz_edu.id,
                            }]), '罗强')
            transfer, = Transfer.create([{
                        'employee': org.yz_clerk_employee.id,
                        'to_unit': org.yz_edu.id,
                        'to_post': org.post_yz_head.id,
                        }])
            self.assertRefused(lambda: Transfer.write([transfer],
                    {'to_unit': org.zs_finance.id}), '樟树市财政局')

    @with_transaction()
    def test_separation_of_the_three_roles(self):
        "三员分立: no role changes the roles of another's holder"
        pool = Pool()
        Post = pool.get('egov.org.post')
        User = pool.get('res.user')
        Assignment = pool.get('egov.org.assignment')
        UserGroup = pool.get('res.user-res.group')
        org = create_org()
        secadmin = self.create_secadmin(org)
        security_post = self.create_post('安全保密员', org.city_data,
            group('group_secadmin'))
        with acting_as(secadmin):
            # Takes the county administrator's role away from 罗强's post
            self.assertRefused(lambda: Post.write([Post(org.post_yz_admin.id)],
                    {'groups': [('remove', [group('group_org_admin')])]}),
                '罗强', '三员分立')
            self.assertRefused(lambda: User.write([User(org.city_admin.id)],
                    {'groups': [('add', [group('group_egov_user')])]}),
                '王建国')
            # Grants himself
            self.assertRefused(lambda: UserGroup.create([{
                            'user': secadmin.id,
                            'group': group('group_egov_user')}]), '赵阳')
            # Grants a plain person roles: his work
            User.write([User(org.zs_clerk.id)], {
                    'groups': [('add', [group('group_app_admin')])]})
        with acting_as(org.city_admin):
            # The system administrator makes no security administrator
            self.assertRefused(lambda: Assignment.create([{
                            'employee': org.yz_clerk_employee.id,
                            'post': security_post.id,
                            }]), '安全管理员', '三员分立')
            # Nor ends the security administrator's post
            assignment, = Assignment.search([
                    ('employee', '=', org.city_clerk_employee.id),
                    ('post.name', '=', '安全管理员')])
            self.assertRefused(lambda: Assignment.write([assignment], {
                        'end_date': datetime.date.today()
                        - datetime.timedelta(days=1)}), '赵阳')
            # Nor assigns himself
            self.assertRefused(lambda: Assignment.create([{
                            'employee': org.city_admin_employee.id,
                            'post': org.post_yz_clerk.id,
                            }]), '收发员')

    @with_transaction()
    def test_role_moved_under_administrator_role(self):
        """A role moved under an administrator role, or an administrator
        role without its second factor: refused to everyone but the
        built-in admin"""
        pool = Pool()
        Group = pool.get('res.group')
        org = create_org()
        secadmin = self.create_secadmin(org)
        clerks, deputies = Group.create([{'name': '文书'}, {
                    'name': '安全管理员（副）',
                    'parent': group('group_secadmin'),
                    'second_factor': True}])
        with acting_as(secadmin):
            self.assertRefused(lambda: Group.write([Group(clerks.id)], {
                        'parent': group('group_sysadmin')}), '文书')
            self.assertRefused(lambda: Group.write([Group(deputies.id)], {
                        'second_factor': False}), '第二认证因素')
            # An ordinary change of an ordinary role is his work
            Group.write([Group(clerks.id)], {'name': '文书岗'})
        self.assertFalse(Group(clerks.id).parent)
        self.assertTrue(Group(deputies.id).second_factor)
