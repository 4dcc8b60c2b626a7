"""The organisation as its administrators and users meet it: the tree, the
codes, posts, transfers of units, closing, and who may change what."""
import datetime

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import EgovTestCase, acting_as, create_org, uscc_for


class OrgTreeTestCase(EgovTestCase):

    @with_transaction()
    def test_owners_are_derived_from_the_tree(self):
        "Division and unit follow the parent, down the whole subtree"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        self.assertEqual(org.city.division, org.city)
        self.assertEqual(org.yuanzhou.division, org.yuanzhou)
        self.assertEqual(org.yz_edu.division, org.yuanzhou)
        self.assertEqual(org.yz_edu.unit, org.yz_edu)
        self.assertEqual(org.yz_edu_office.division, org.yuanzhou)
        self.assertEqual(org.yz_edu_office.unit, org.yz_edu)
        self.assertEqual(
            org.yz_edu_office.rec_name, '办公室 (袁州区教育体育局)')
        units = [org.yuanzhou, org.yz_edu, org.yz_edu_office]
        self.assertEqual(Unit.rec_names([u.id for u in units]),
            {u.id: u.rec_name for u in units})
        # Known names are kept, and forgotten when a unit changes
        Unit.write([org.yz_edu], {'name': '袁州区教育局'})
        self.assertEqual(Unit.rec_names([org.yz_edu_office.id]),
            {org.yz_edu_office.id: '办公室 (袁州区教育局)'})

        subtree = Unit.search([('parent', 'child_of', [org.yuanzhou.id])])
        self.assertEqual(
            set(subtree), {org.yuanzhou, org.yz_edu, org.yz_edu_office})

    @with_transaction()
    def test_search_by_pinyin(self):
        "Units and people are found by name, full pinyin and initials"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Employee = pool.get('egov.org.employee')
        org = create_org()
        for text in ['教育', 'jiaoyu', 'yzqjytyj', 'YZ-001']:
            with self.subTest(text=text):
                self.assertIn(org.yz_edu, Unit.search(
                        [('rec_name', 'ilike', '%' + text + '%')]))
        for text in ['谢娜', 'xiena', 'xn', 'YZ0002']:
            with self.subTest(text=text):
                self.assertEqual(Employee.search(
                        [('rec_name', 'ilike', '%' + text + '%')]),
                    [org.yz_clerk_employee])

    @with_transaction()
    def test_parent_kind_is_checked(self):
        "A department cannot hang under a county, a unit not under a dept"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        for kind, parent in [
                ('department', org.yuanzhou),
                ('unit', org.yz_edu_office),
                ('county', org.yuanzhou)]:
            with self.subTest(kind=kind), self.assertRaises(UserError) as cm:
                Unit.create([{
                            'code': 'X-%s' % kind, 'name': '测试',
                            'kind': kind, 'parent': parent.id}])
            self.assertChinese(cm.exception.message)
        with self.assertRaises(UserError) as cm:
            Unit.create([{'code': 'X-nop', 'name': '测试', 'kind': 'unit'}])
        self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_cycle_is_refused(self):
        "A unit cannot move below its own sub-unit"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        sub, = Unit.create([{
                    'code': 'YZ-001-S', 'name': '袁州区教育考试中心',
                    'kind': 'unit', 'parent': org.yz_edu.id}])
        with self.assertRaises(UserError) as cm:
            Unit.write([org.yz_edu], {'parent': sub.id})
        self.assertIn(
            '不能把「袁州区教育体育局」移到其下级', cm.exception.message)

    @with_transaction()
    def test_uscc_is_validated(self):
        "The unified social credit code is checked and normalised"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        good = uscc_for('360902', 123)
        bad = good[:-1] + ('0' if good[-1] != '0' else '1')
        for code, problem in [
                (bad, '校验位不符'),
                (good[:17], '应为 18 位'),
                ('1136090200000012IO', '不允许的字符'),
                ]:
            with self.subTest(code=code), self.assertRaises(UserError) as cm:
                Unit.write([org.yz_edu], {'uscc': code})
            self.assertIn(problem, cm.exception.message)
        Unit.write([org.yz_edu], {'uscc': ' ' + good.lower() + ' '})
        self.assertEqual(org.yz_edu.uscc, good)
        with self.assertRaises(UserError) as cm:
            Unit.write([org.zs_finance], {'uscc': good})
        self.assertIn('已属于「袁州区教育体育局」', cm.exception.message)
        with self.assertRaises(UserError):
            Unit.write([org.yz_edu_office], {'uscc': uscc_for('360902', 9)})

    @with_transaction()
    def test_code_is_unique(self):
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with self.assertRaises(UserError) as cm:
            Unit.create([{
                        'code': 'YZ-001', 'name': '重复', 'kind': 'unit',
                        'parent': org.yuanzhou.id}])
        self.assertIn('编码已被其他单位使用', cm.exception.message)

    @with_transaction()
    def test_code_is_valid(self):
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with self.assertRaises(UserError) as cm:
            Unit.create([{
                        'code': "1' OR '1'='1", 'name': '注入', 'kind': 'unit',
                        'parent': org.yuanzhou.id}])
        self.assertIn('编码', cm.exception.message)

    @with_transaction()
    def test_move_keeps_history(self):
        "Moving a unit to another county moves its subtree and is recorded"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Event = pool.get('egov.org.unit.event')
        Employee = pool.get('egov.org.employee')
        org = create_org()
        Unit.write([org.yz_edu], {'parent': org.zhangshu.id})
        self.assertEqual(org.yz_edu.division, org.zhangshu)
        self.assertEqual(org.yz_edu_office.division, org.zhangshu)
        self.assertEqual(
            Employee(org.yz_clerk_employee.id).division, org.zhangshu)
        moved, = Event.search([
                ('unit', '=', org.yz_edu.id), ('action', '=', 'moved')])
        self.assertEqual(moved.old_parent, org.yuanzhou)
        self.assertEqual(moved.new_parent, org.zhangshu)

        Unit.write([org.yz_edu], {'name': '樟树市教育体育局'})
        renamed, = Event.search([
                ('unit', '=', org.yz_edu.id), ('action', '=', 'renamed')])
        self.assertEqual(renamed.old_name, '袁州区教育体育局')

    @with_transaction()
    def test_close_unit(self):
        "A unit with staff cannot close; an empty one closes with its posts"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Post = pool.get('egov.org.post')
        Event = pool.get('egov.org.unit.event')
        Assignment = pool.get('egov.org.assignment')
        org = create_org()
        today = datetime.date.today()
        with self.assertRaises(UserError) as cm:
            Unit.close_units([org.yz_edu], today, '机构改革')
        self.assertIn('名在职人员', cm.exception.message)

        empty, = Unit.create([{
                    'code': 'YZ-009', 'name': '袁州区临时办', 'kind': 'unit',
                    'parent': org.yuanzhou.id}])
        office, = Unit.create([{
                    'code': 'YZ-009-01', 'name': '综合组',
                    'kind': 'department', 'parent': empty.id}])
        post, = Post.create([{'name': '组长', 'unit': office.id}])
        Unit.close_units([empty], today, '任务完成')
        self.assertFalse(empty.active)
        self.assertFalse(Unit(office.id).active)
        self.assertFalse(Post(post.id).active)
        self.assertEqual(empty.close_reason, '任务完成')
        self.assertTrue(Event.search([
                    ('unit', '=', empty.id), ('action', '=', 'closed')]))

        # Nothing new goes into a closed unit
        with self.assertRaises(UserError) as cm:
            Post.create([{'name': '组员', 'unit': office.id}])
        self.assertIn('已撤销', cm.exception.message)
        with self.assertRaises(UserError):
            Unit.create([{
                        'code': 'YZ-009-02', 'name': '新组',
                        'kind': 'department', 'parent': empty.id}])
        with self.assertRaises(UserError):
            Assignment.create([{
                        'employee': org.yz_clerk_employee.id,
                        'post': post.id}])

        # Reopening restores the unit itself
        Unit.reopen([empty])
        self.assertTrue(empty.active)
        self.assertTrue(Event.search([
                    ('unit', '=', empty.id), ('action', '=', 'reopened')]))

    @with_transaction()
    def test_delete_used_unit_is_refused(self):
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with self.assertRaises(UserError) as cm:
            Unit.delete([org.yz_edu_office])
        self.assertIn('撤销', cm.exception.message)


class EmployeeTestCase(EgovTestCase):

    @with_transaction()
    def test_number_is_unique(self):
        Employee = Pool().get('egov.org.employee')
        org = create_org()
        with self.assertRaises(UserError) as cm:
            Employee.create([{
                        'name': '张三', 'number': 'YZ0002',
                        'unit': org.yz_edu.id}])
        self.assertIn('人员编号已被使用', cm.exception.message)

    @with_transaction()
    def test_contact_details_are_validated(self):
        Employee = Pool().get('egov.org.employee')
        org = create_org()
        for field, value in [
                ('mobile', '1380000'),
                ('mobile', '<script>alert(1)</script>'),
                ('phone', "0795'; DROP TABLE res_user; --"),
                ('email', 'xiena.example.com')]:
            with self.subTest(field=field, value=value), \
                    self.assertRaises(UserError) as cm:
                Employee.write([org.yz_clerk_employee], {field: value})
            self.assertChinese(cm.exception.message)
        Employee.write([org.yz_clerk_employee], {
                'mobile': '13800000000', 'phone': '0795-3200001'})

    @with_transaction()
    def test_department_belongs_to_unit(self):
        Employee = Pool().get('egov.org.employee')
        org = create_org()
        with self.assertRaises(UserError) as cm:
            Employee.write([org.yz_clerk_employee], {
                    'department': org.zs_finance_office.id})
        self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_departure_ends_posts_and_login(self):
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        User = pool.get('res.user')
        org = create_org()
        Employee.write([org.yz_clerk_employee], {'active': False})
        self.assertFalse(User(org.yz_clerk.id).active)
        self.assertFalse(
            [a for a in org.yz_clerk_employee.assignments if a.current])
        self.assertEqual(len(org.yz_clerk_employee.assignments), 1)


class PostTestCase(EgovTestCase):

    @with_transaction()
    def test_several_posts_and_switching(self):
        "一人多岗: the post acted in decides roles and scope, at once"
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        Unit = pool.get('egov.org.unit')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        org_admin = ModelData.get_id('egov_base', 'group_org_admin')

        # The clerk of 袁州区 also becomes administrator there (兼任)
        Assignment.create([{
                    'employee': org.yz_clerk_employee.id,
                    'post': org.post_yz_admin.id}])
        user = User(org.yz_clerk.id)
        self.assertEqual(set(user.posts),
            {org.post_yz_clerk, org.post_yz_admin})

        with acting_as(user):
            self.assertNotIn(org_admin, User.get_groups())
            with self.assertRaises(AccessError):
                Unit.write([Unit(org.yz_edu.id)], {'phone': '0795-1'})

        User.write([user], {'post': org.post_yz_admin.id})
        with acting_as(user):
            scope = User.get_org_scope()
            self.assertEqual(scope['post'], org.post_yz_admin.id)
            self.assertEqual(scope['division'], org.yuanzhou.id)
            self.assertIn(org_admin, User.get_groups())
            Unit.write([Unit(org.yz_edu.id)], {'phone': '0795-1'})

        User.write([user], {'post': org.post_yz_clerk.id})
        with acting_as(user):
            self.assertNotIn(org_admin, User.get_groups())

        with self.assertRaises(UserError) as cm:
            User.write([user], {'post': org.post_zs_clerk.id})
        self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_leader_in_charge_widens_units(self):
        pool = Pool()
        Leadership = pool.get('egov.org.leadership')
        User = pool.get('res.user')
        org = create_org()
        with acting_as(org.city_clerk):
            self.assertEqual(
                User.get_org_scope()['units'], (org.city_office.id,))
        Leadership.create([{
                    'leader': org.city_clerk_employee.id,
                    'unit': org.yz_edu.id}])
        with acting_as(org.city_clerk):
            self.assertEqual(set(User.get_org_scope()['units']),
                {org.city_office.id, org.yz_edu.id})
        with self.assertRaises(UserError):
            Leadership.create([{
                        'leader': org.city_clerk_employee.id,
                        'unit': org.yz_edu.id}])

    @with_transaction()
    def test_ended_post_is_not_held(self):
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        User = pool.get('res.user')
        org = create_org()
        assignment, = org.zs_admin_employee.assignments
        Assignment.write([assignment], {
                'end_date': datetime.date.today() - datetime.timedelta(1)})
        with acting_as(org.zs_admin):
            self.assertIsNone(User.get_org_scope()['post'])
            self.assertNotIn(
                Pool().get('ir.model.data').get_id(
                    'egov_base', 'group_org_admin'),
                User.get_groups())


class AdministrationTestCase(EgovTestCase):
    "Who may change the organisation: two county administrators and the city"

    @with_transaction()
    def test_county_admin_changes_own_county_only(self):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Employee = pool.get('egov.org.employee')
        Post = pool.get('egov.org.post')
        org = create_org()
        with acting_as(org.yz_admin):
            Unit.write([Unit(org.yz_edu.id)], {'phone': '0795-3000001'})
            unit, = Unit.create([{
                        'code': 'YZ-002', 'name': '袁州区民政局',
                        'kind': 'unit', 'parent': org.yuanzhou.id}])
            Employee.write([Employee(org.yz_clerk_employee.id)], {
                    'mobile': '13900000001'})
            Post.create([{'name': '科员', 'unit': unit.id}])

            for call in [
                    lambda: Unit.write(
                        [Unit(org.zs_finance.id)], {'phone': '1'}),
                    lambda: Unit.create([{
                            'code': 'ZS-002', 'name': '樟树市民政局',
                            'kind': 'unit', 'parent': org.zhangshu.id}]),
                    lambda: Employee.write(
                        [Employee(org.zs_clerk_employee.id)],
                        {'mobile': '13900000002'}),
                    lambda: Post.create([{
                            'name': '科员', 'unit': org.zs_finance.id}]),
                    # Moving a unit out of the county is refused too
                    lambda: Unit.write(
                        [Unit(org.yz_edu.id)],
                        {'parent': org.zhangshu.id}),
                    ]:
                with self.assertRaises(AccessError):
                    call()
            # Everybody reads the city's organisation (address book)
            self.assertEqual(
                len(Unit.search([('kind', '=', 'county')])), 2)

    @with_transaction()
    def test_city_admin_changes_every_county(self):
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        with acting_as(org.city_admin):
            Unit.write([Unit(org.yz_edu.id), Unit(org.zs_finance.id)], {
                    'phone': '0795-3000002'})

    @with_transaction()
    def test_no_escalation(self):
        "A county administrator hands out no roles and touches no admin"
        pool = Pool()
        Post = pool.get('egov.org.post')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        city_group = ModelData.get_id('egov_base', 'group_org_admin_city')
        admin = User(ModelData.get_id('res', 'user_admin'))
        with acting_as(org.yz_admin):
            for call in [
                    lambda: Post.write([Post(org.post_yz_clerk.id)], {
                            'groups': [('add', [city_group])]}),
                    lambda: User.write([User(org.yz_admin.id)], {
                            'groups': [('add', [city_group])]}),
                    lambda: User.write([User(admin.id)], {
                            'password': 'Takeover#2026'}),
                    lambda: User.write([User(org.zs_clerk.id)], {
                            'password': 'Takeover#2026'}),
                    ]:
                with self.assertRaises(AccessError):
                    call()
            # Their own county's people, yes
            User.write([User(org.yz_clerk.id)], {'email': 'xn@example.com'})

    @with_transaction()
    def test_plain_user_changes_nothing(self):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Employee = pool.get('egov.org.employee')
        org = create_org()
        with acting_as(org.zs_clerk):
            self.assertTrue(Employee.search([('unit', '=', org.yz_edu.id)]))
            with self.assertRaises(AccessError):
                Unit.write([Unit(org.zs_finance.id)], {'phone': '1'})
            with self.assertRaises(AccessError):
                Employee.write([Employee(org.zs_clerk_employee.id)], {
                        'name': '改名'})


class ContactTestCase(EgovTestCase):

    @with_transaction()
    def test_contacts_are_private(self):
        "Two clerks never see each other's contacts"
        Contact = Pool().get('egov.directory.contact')
        org = create_org()
        with acting_as(org.yz_clerk):
            mine, = Contact.create([{
                        'name': '供应商李经理', 'mobile': '13700000000',
                        'owner': org.zs_clerk.id}])
            self.assertEqual(mine.owner, org.yz_clerk)
        with acting_as(org.zs_clerk):
            self.assertEqual(Contact.search([]), [])
            self.assertEqual(Contact.search([], count=True), 0)
            with self.assertRaises(AccessError):
                Contact.read([mine.id], ['name'])
            with self.assertRaises(AccessError):
                Contact.write([Contact(mine.id)], {'name': 'x'})
        with acting_as(org.yz_clerk):
            self.assertEqual(Contact.search(
                    [('rec_name', 'ilike', '%ljl%')]), [mine])



class SubtreeTestCase(EgovTestCase):

    @with_transaction()
    def test_subtree_api(self):
        "A county at once, parents first, closed nodes left out"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        rows = Unit.subtree([org.yuanzhou.id])
        self.assertEqual([r['code'] for r in rows],
            ['360902', 'YZ-001', 'YZ-001-01'])
        self.assertEqual(rows[2]['parent'], org.yz_edu.id)
        empty, = Unit.create([{
                    'code': 'YZ-009', 'name': '临时办', 'kind': 'unit',
                    'parent': org.yuanzhou.id}])
        Unit.close_units([empty], datetime.date.today(), '撤销')
        self.assertNotIn('YZ-009',
            [r['code'] for r in Unit.subtree([org.yuanzhou.id])])
        with acting_as(org.zs_clerk):
            self.assertEqual(len(Unit.subtree([org.city.id])), 10)
