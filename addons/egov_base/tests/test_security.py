"""Security (等保 2.0 level 3, the parts the application owns): 三员分立,
the password policy, the forced change at login, lockout, the second
factor, the built-in admin, idle sessions and the weak-password scan."""
import contextlib
import datetime
import time
import unittest
from unittest import mock

import pyotp
from trytond import config
from trytond.exceptions import LoginException, UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import EgovTestCase, acting_as, create_org

PASSWORD = 'Tq7#vLm2pR!x'
ADDRESS = '192.0.2.10'


@contextlib.contextmanager
def configured(section, option, value):
    "Set a server option for the block"
    parser = config._config
    if not parser.has_section(section):
        parser.add_section(section)
    old = parser.get(section, option, fallback=None)
    config.set(section, option, value)
    try:
        yield
    finally:
        if old is None:
            parser.remove_option(section, option)
            config._cache_clear()
        else:
            config.set(section, option, old)


@contextlib.contextmanager
def from_address(address=ADDRESS):
    with Transaction().set_context(_request={'remote_addr': address}):
        yield


def group(name, module='egov_base'):
    return Pool().get('ir.model.data').get_id(module, name)


def set_password(user, password=PASSWORD):
    "Set a password as root: no policy, no forced change"
    User = Pool().get('res.user')
    with Transaction().set_user(0):
        User.write([User(user.id)], {'password': password})


def login(name, **parameters):
    "Log in as the client does; return the user id or the exception"
    User = Pool().get('res.user')
    parameters.setdefault('password', PASSWORD)
    try:
        return User.get_login(name, parameters)
    except (LoginException, UserError) as exception:
        return exception


class SecurityTestCase(EgovTestCase):

    def setUp(self):
        super().setUp()
        # No back-off sleep between failed logins in the tests
        patcher = mock.patch('trytond.res.user.random.randint',
            return_value=0)
        patcher.start()
        self.addCleanup(patcher.stop)

    def create_admin(self, org, login, group_name, name='管理员'):
        User = Pool().get('res.user')
        user, = User.create([{
                    'login': login, 'name': name,
                    'groups': [('add', [group(group_name)])],
                    }])
        return user


class RolesTestCase(SecurityTestCase):
    "三员分立: the three roles exclude each other"

    def assertConflict(self, call, *words):
        with self.assertRaises(UserError) as cm:
            call()
        self.assertChinese(cm.exception.message)
        self.assertIn('三员分立', cm.exception.message)
        for word in words:
            self.assertIn(word, cm.exception.message)

    @with_transaction()
    def test_personal_groups_exclude(self):
        "A security administrator cannot also be a system administrator"
        User = Pool().get('res.user')
        org = create_org()
        secadmin = self.create_admin(org, 'anquan', 'group_secadmin', '安全员')
        self.assertConflict(lambda: User.write([secadmin], {
                    'groups': [('add', [group('group_sysadmin')])]}),
            '安全员', '系统管理员', '安全管理员')
        # The organisation administrators are system administrators
        self.assertConflict(lambda: User.write([secadmin], {
                    'groups': [('add', [group('group_org_admin')])]}))
        self.assertConflict(lambda: User.write([secadmin], {
                    'groups': [('add', [group('group_admin', 'res')])]}))

    @with_transaction()
    def test_post_roles_exclude(self):
        "A post cannot carry two roles, nor give a holder a second one"
        pool = Pool()
        Post = pool.get('egov.org.post')
        User = pool.get('res.user')
        org = create_org()
        self.assertConflict(lambda: Post.write([org.post_secretary], {
                    'groups': [('add', [
                                group('group_secadmin'),
                                group('group_org_admin')])]}),
            '科员', '系统管理员', '安全管理员')
        # 谢娜 holds the clerk post; she becomes security administrator
        User.write([org.yz_clerk], {
                'groups': [('add', [group('group_secadmin')])]})
        self.assertConflict(lambda: Post.write([org.post_yz_clerk], {
                    'groups': [('add', [group('group_org_admin')])]}),
            '谢娜')
        # The county administrator's post gives 罗强 a role: no second one
        self.assertConflict(lambda: User.write([org.yz_admin], {
                    'groups': [('add', [group('group_secadmin')])]}),
            '罗强')

    @with_transaction()
    def test_assignment_combines_posts(self):
        "Holding a second post whose role excludes the first is refused"
        pool = Pool()
        Post = pool.get('egov.org.post')
        Assignment = pool.get('egov.org.assignment')
        org = create_org()
        security_post, = Post.create([{
                    'name': '安全保密员', 'unit': org.city_data.id,
                    'groups': [('add', [group('group_secadmin')])],
                    }])
        self.assertConflict(lambda: Assignment.create([{
                        'employee': org.city_admin_employee.id,
                        'post': security_post.id,
                        }]), '王建国')
        # A person with no administrator role may take it
        Assignment.create([{
                    'employee': org.city_clerk_employee.id,
                    'post': security_post.id,
                    }])
        # A future post counts too
        self.assertConflict(lambda: Assignment.create([{
                        'employee': org.city_clerk_employee.id,
                        'post': org.post_zs_admin.id,
                        'start_date': datetime.date.today()
                        + datetime.timedelta(days=30),
                        }]), '赵阳')

    @with_transaction()
    def test_group_parents_exclude(self):
        "A group moved below a role may not give a holder a second one"
        pool = Pool()
        Group = pool.get('res.group')
        User = pool.get('res.user')
        org = create_org()
        keys, archive = Group.create([{
                    'name': '密钥管理', 'parent': group('group_secadmin'),
                    }, {
                    'name': '档案室',
                    }])
        User.write([org.city_clerk], {
                'groups': [('add', [keys.id, archive.id])]})
        self.assertConflict(lambda: Group.write([archive], {
                    'parent': group('group_sysadmin')}), '赵阳')

    @with_transaction()
    def test_role_shown_on_user(self):
        User = Pool().get('res.user')
        org = create_org()
        with Transaction().set_context(language='zh_CN'):
            self.assertEqual(User(org.yz_admin.id).admin_roles, '系统管理员')
            self.assertIsNone(User(org.yz_clerk.id).admin_roles)

    @with_transaction()
    def test_secadmin_grants_roles(self):
        "The security administrator grants roles, and changes nothing else"
        pool = Pool()
        Post = pool.get('egov.org.post')
        User = pool.get('res.user')
        org = create_org()
        secadmin = self.create_admin(org, 'anquan', 'group_secadmin')
        with acting_as(secadmin):
            Post.write([Post(org.post_yz_clerk.id)], {
                    'groups': [('add', [group('group_app_admin')])]})
            User.write([User(org.zs_clerk.id)], {
                    'groups': [('add', [group('group_app_admin')])],
                    'second_factor': 'sms',
                    })
            for call in [
                    lambda: Post.write([Post(org.post_yz_clerk.id)], {
                            'name': '改名'}),
                    lambda: User.write([User(org.zs_clerk.id)], {
                            'password': 'Takeover#2026x'}),
                    lambda: User.write([User(org.zs_clerk.id)], {
                            'login': 'other'}),
                    ]:
                with self.assertRaises(AccessError) as cm:
                    call()
                self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_plain_users_grant_nothing(self):
        "The relation of users and groups is closed to all but its owners"
        pool = Pool()
        UserGroup = pool.get('res.user-res.group')
        org = create_org()
        for user in [org.yz_clerk, org.yz_admin, org.city_admin]:
            with acting_as(user), self.assertRaises(AccessError):
                UserGroup.create([{
                            'user': user.id,
                            'group': group('group_admin', 'res')}])


class BusinessDataTestCase(SecurityTestCase):
    "None of the three administrators reads business data"

    @with_transaction()
    def test_business_models_are_closed_to_administrators(self):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        from ..security.roles import ROLES, Roles
        org = create_org()
        business = Roles.business_models()
        self.assertIn('egov.directory.contact', business)
        role_groups = []
        for role, pairs in ROLES:
            for module, fs_id in pairs:
                try:
                    role_groups.append(
                        (role, ModelData.get_id(module, fs_id)))
                except KeyError:
                    # The auditor's group comes with the audit subsystem
                    continue
        self.assertTrue({'sysadmin', 'secadmin'} <= {r for r, _ in role_groups})
        for i, (role, group_id) in enumerate(role_groups):
            # Alone, and as an employee with the staff's roles
            user, = User.create([{
                        'login': 'role%s' % i, 'name': 'role%s' % i,
                        'groups': [('add', [group_id])]}])
            for model_name in sorted(business):
                Model = pool.get(model_name)
                with self.subTest(role=role, group=group_id,
                        model=model_name), acting_as(user):
                    with self.assertRaises(AccessError) as cm:
                        Model.search([], limit=1)
                    self.assertChinese(cm.exception.message)
                    Access = pool.get('ir.model.access')
                    self.assertFalse(
                        Access.get_access([model_name])[model_name]['read'])
        # The organisation administrators of the demo, as employees
        for user in [org.yz_admin, org.city_admin]:
            with acting_as(user):
                for model_name in sorted(business):
                    with self.subTest(user=user.login, model=model_name):
                        with self.assertRaises(AccessError):
                            pool.get(model_name).search([], limit=1)
        # A clerk still works with them
        with acting_as(org.yz_clerk):
            pool.get('egov.directory.contact').search([])


class PasswordTestCase(SecurityTestCase):
    "The password policy, each rule with its message"

    def assertRefused(self, user, password, text):
        User = Pool().get('res.user')
        with self.assertRaises(UserError) as cm:
            with Transaction().set_user(user.id), \
                    Transaction().set_context(language='zh_CN'):
                User.write([User(user.id)], {'password': password})
        self.assertChinese(cm.exception.message)
        self.assertIn(text, cm.exception.message)

    def change(self, user, password):
        User = Pool().get('res.user')
        with Transaction().set_user(user.id):
            User.write([User(user.id)], {'password': password})

    @with_transaction()
    def test_rules(self):
        org = create_org()
        user = org.yz_clerk
        for password, text in [
                ('Ab1!', '8 个字符'),
                ('abcdefgh12', '大写字母、小写字母、数字和符号'),
                ('Yz_clerk#2026', '登录名'),
                ('Xiena#Qw7!zz', '姓名'),
                ('谢娜Rk#29vvq', '姓名'),
                ('Huawei@123', '常见弱密码'),
                ('Xn@19900101', '常见弱密码'),
                ('Password1!', '容易被猜到'),
                ('x' * 129, '密码过长'),
                ]:
            with self.subTest(password=password):
                self.assertRefused(user, password, text)

    @with_transaction()
    def test_history(self):
        "The last 5 passwords cannot be used again; the 6th can"
        org = create_org()
        user = org.yz_clerk
        passwords = ['Gq%d#vLm2pR!x' % i for i in range(7)]
        for password in passwords[:6]:
            self.change(user, password)
        for password in passwords[2:6]:
            with self.subTest(password=password):
                self.assertRefused(user, password, '最近 5 次')
        self.change(user, passwords[0])

    @with_transaction()
    def test_set_by_other_must_change(self):
        "A password set by an administrator is changed at the first login"
        User = Pool().get('res.user')
        org = create_org()
        with acting_as(org.yz_admin):
            User.write([User(org.yz_clerk.id)], {'password': PASSWORD})
        user = User(org.yz_clerk.id)
        self.assertTrue(user.password_must_change)
        self.assertEqual(user.password_change_reason, 'reset')
        self.change(user, 'Nw9#kPz2vQ!m')
        self.assertFalse(User(org.yz_clerk.id).password_must_change)

    @with_transaction()
    def test_strength(self):
        from ..security.password import assess
        org = create_org()
        with Transaction().set_user(org.yz_clerk.id), \
                Transaction().set_context(language='zh_CN'):
            weak, text = assess('123456')
            self.assertLess(weak, 0.5)
            self.assertIn('弱', text)
            strong, text = assess('Tq7#vLm2pR!x9')
            self.assertGreater(strong, 0.7)
            self.assertIn('强', text)


class LoginTestCase(SecurityTestCase):
    "The login: forced change, lockout, the admin, the second factor"

    def assertRefused(self, result, name='password', text=None):
        self.assertIsInstance(result, (LoginException, UserError))
        if isinstance(result, LoginException):
            self.assertEqual(result.name, name)
        self.assertChinese(result.message)
        if text:
            self.assertIn(text, result.message)

    @with_transaction()
    def test_login(self):
        org = create_org()
        set_password(org.yz_clerk)
        with from_address():
            self.assertEqual(login('yz_clerk'), org.yz_clerk.id)

    @with_transaction(context={'language': 'zh_CN'})
    def test_wrong_password_and_unknown_user_read_the_same(self):
        org = create_org()
        set_password(org.yz_clerk)
        with from_address():
            wrong = login('yz_clerk', password='Wrong#123x')
            unknown = login('nobody', password='Wrong#123x')
        self.assertRefused(wrong, text='用户名或密码错误')
        self.assertEqual(wrong.message, unknown.message)

    @with_transaction()
    def test_login_without_a_language_answers_in_chinese(self):
        """A login that names no language (HTTP Basic on a route, a
        script) is refused in the users' language, not in the database's
        base language"""
        Configuration = Pool().get('ir.configuration')
        org = create_org()
        set_password(org.yz_clerk)
        # As the demo and production databases are made (trytond-admin
        # with the configuration's language: en, the source strings')
        Configuration.write([Configuration(1)], {'language': 'en'})
        Configuration._get_language_cache.clear()
        self.assertEqual(Transaction().language, 'en')
        with from_address():
            wrong = login('yz_clerk', password='Wrong#123x')
        self.assertRefused(wrong, text='用户名或密码错误')

    @with_transaction(context={'language': 'zh_CN'})
    def test_lockout_per_account(self):
        "5 failures lock the account 15 minutes, even for the password"
        pool = Pool()
        Lock = pool.get('egov.security.login.lock')
        org = create_org()
        set_password(org.yz_clerk)
        with from_address():
            for i in range(4):
                self.assertRefused(login('yz_clerk', password='Bad#%d' % i),
                    text='再输错 %d 次' % (4 - i))
            self.assertRefused(login('yz_clerk', password='Bad#5'),
                text='账号已锁定，请 15 分钟后再试或联系安全管理员')
            self.assertRefused(login('yz_clerk'), text='账号已锁定')
            # Another account from the same address logs in
            set_password(org.zs_clerk)
            self.assertEqual(login('zs_clerk'), org.zs_clerk.id)
            # Unknown logins lock the same way
            for i in range(5):
                result = login('nobody', password='Bad#%d' % i)
            self.assertRefused(result, text='账号已锁定')

        lock, = Lock.search([('key', '=', 'yz_clerk')])
        secadmin = self.create_admin(org, 'anquan', 'group_secadmin')
        with acting_as(secadmin):
            Lock.unlock([Lock(lock.id)])
        with from_address():
            self.assertEqual(login('yz_clerk'), org.yz_clerk.id)

    @with_transaction(context={'language': 'zh_CN'})
    def test_lockout_per_address(self):
        "Failures of many logins from one address lock the address"
        pool = Pool()
        Configuration = pool.get('egov.security.configuration')
        Lock = pool.get('egov.security.login.lock')
        org = create_org()
        set_password(org.yz_clerk)
        Configuration.write([Configuration(1)], {
                'lockout_address_attempts': 5})
        with from_address():
            for i in range(5):
                login('guess%s' % i, password='Bad#1')
            self.assertRefused(login('yz_clerk'), text='账号已锁定')
        # The same account from elsewhere still logs in
        with from_address('192.0.2.99'):
            self.assertEqual(login('yz_clerk'), org.yz_clerk.id)
        lock, = Lock.search([('kind', '=', 'address')])
        self.assertEqual(lock.key, ADDRESS)
        Lock.unlock([lock])
        with from_address():
            self.assertEqual(login('yz_clerk'), org.yz_clerk.id)

    @with_transaction(context={'language': 'zh_CN'})
    def test_builtin_admin(self):
        pool = Pool()
        User = pool.get('res.user')
        create_org()
        admin = User(group('user_admin', 'res'))
        set_password(admin)
        with from_address(), configured('egov', 'admin_login', 'False'):
            result = login('admin')
            self.assertRefused(result, text='admin')
            self.assertNotIsInstance(result, LoginException)
        with from_address(), configured('egov', 'admin_login', 'True'):
            self.assertEqual(login('admin'), admin.id)

    def new_password_flow(self, user, reason_text):
        new = 'Nw9#kPz2vQ!m'
        with from_address():
            result = login(user.login)
            self.assertRefused(result, 'new_password', reason_text)
            result = login(user.login, new_password='Huawei@123')
            self.assertRefused(result, 'new_password', '弱密码')
            result = login(user.login, new_password=new)
            self.assertTrue(result.name.startswith('confirm_password_'))
            confirm = result.name
            result = login(user.login, new_password=new,
                **{confirm: 'Other#9kPz2vQ'})
            self.assertRefused(result, 'new_password', '不一致')
            self.assertEqual(login(user.login, new_password=new,
                    **{confirm: new}), user.id)
            # The new password is the password now
            self.assertEqual(login(user.login, password=new), user.id)

    @with_transaction(context={'language': 'zh_CN'})
    def test_expired_password_changes_at_login(self):
        User = Pool().get('res.user')
        org = create_org()
        set_password(org.yz_clerk)
        User.write([org.yz_clerk], {
                'password_date': datetime.datetime.now()
                - datetime.timedelta(days=91)})
        self.new_password_flow(org.yz_clerk, '已过期')

    @with_transaction(context={'language': 'zh_CN'})
    def test_weak_password_changes_at_login(self):
        User = Pool().get('res.user')
        org = create_org()
        set_password(org.yz_clerk, 'Xiena@1990')
        with from_address():
            self.assertRefused(login('yz_clerk', password='Xiena@1990'),
                'new_password', '弱密码')
        self.assertEqual(User(org.yz_clerk.id).password_change_reason, 'weak')

    @with_transaction(context={'language': 'zh_CN'})
    def test_totp(self):
        pool = Pool()
        User = pool.get('res.user')
        TOTP = pool.get('egov.security.totp')
        Enrol = pool.get('egov.security.totp.enrol', type='wizard')
        org = create_org()
        set_password(org.yz_clerk)
        with acting_as(org.yz_clerk):
            session_id, _, _ = Enrol.create()
            wizard = Enrol(session_id)
            shown = wizard.default_start(None)
            self.assertTrue(shown['qr_code'].startswith(b'\x89PNG'))
            secret = shown['secret'].replace(' ', '')
            wizard.start.code = '000000'
            with self.assertRaises(UserError) as cm:
                wizard.transition_confirm()
            self.assertChinese(cm.exception.message)
            wizard.start.code = pyotp.TOTP(secret).now()
            wizard.transition_confirm()
        self.assertEqual(User(org.yz_clerk.id).second_factor, 'totp')
        # The seed is encrypted, and no user reads it
        record, = TOTP.search([('user', '=', org.yz_clerk.id)])
        self.assertNotIn(secret, record.secret)
        with acting_as(org.yz_clerk), self.assertRaises(AccessError):
            TOTP.read([record.id], ['secret'])

        with from_address(), configured(
                'session', 'authentications', 'password+totp'):
            result = login('yz_clerk')
            self.assertRefused(result, 'totp_code', '动态口令')
            result = login('yz_clerk', totp_code="1' OR '1'='1")
            self.assertRefused(result, 'totp_code', '错误')
            # The code of a minute ago was used at enrolment; a new one
            code = pyotp.TOTP(secret).at(time.time() + 30)
            self.assertEqual(login('yz_clerk', totp_code=code),
                org.yz_clerk.id)
            # A code is accepted once
            self.assertRefused(login('yz_clerk', totp_code=code),
                'totp_code', '已使用过')
        # Without the method configured, the login fails closed
        with from_address(), configured(
                'session', 'authentications', 'password'):
            self.assertRefused(login('yz_clerk'), text='双因素')

    @with_transaction(context={'language': 'zh_CN'})
    def test_required_second_factor(self):
        "The security administrator's role requires a second factor"
        org = create_org()
        secadmin = self.create_admin(org, 'anquan', 'group_secadmin')
        set_password(secadmin)
        User = Pool().get('res.user')
        self.assertTrue(User(secadmin.id).second_factor_required)
        self.assertFalse(User(org.yz_clerk.id).second_factor_required)
        with from_address(), configured(
                'session', 'authentications', 'password+totp'):
            self.assertRefused(login('anquan'), text='双因素')

    @with_transaction(context={'language': 'zh_CN'})
    def test_sms(self):
        pool = Pool()
        User = pool.get('res.user')
        try:
            SMSCode = pool.get('res.user.login.sms_code')
        except KeyError:
            raise unittest.SkipTest('authentication_sms is not active')
        org = create_org()
        set_password(org.zs_clerk)
        User.write([org.zs_clerk], {
                'second_factor': 'sms', 'mobile': '13900000001'})
        sent = []
        with from_address(), configured(
                'session', 'authentications', 'password+totp+sms'), \
                mock.patch(
                    'trytond.modules.authentication_sms.res.send_sms',
                    lambda text, to, from_=None: sent.append((text, to))):
            result = login('zs_clerk')
            self.assertRefused(result, 'sms_code', '139****0001')
            self.assertEqual(len(sent), 1)
            code, = SMSCode.search([('user_id', '=', org.zs_clerk.id)])
            self.assertIn(code.code, sent[0][0])
            self.assertRefused(login('zs_clerk', sms_code='<script>'),
                'sms_code', '短信验证码错误')
            self.assertEqual(login('zs_clerk', sms_code=code.code),
                org.zs_clerk.id)

    @with_transaction(context={'language': 'zh_CN'})
    def test_gained_role_asks_second_factor_once(self):
        """A role gained (even one whose rule asks no second factor, as the
        county administrators') is confirmed with the second factor at the
        next login, then the role's own rule applies again"""
        pool = Pool()
        User = pool.get('res.user')
        Assignment = pool.get('egov.org.assignment')
        try:
            SMSCode = pool.get('res.user.login.sms_code')
        except KeyError:
            raise unittest.SkipTest('authentication_sms is not active')
        org = create_org()
        set_password(org.yz_clerk)
        User.write([org.yz_clerk], {'mobile': '13900000002'})
        self.assertEqual(login('yz_clerk'), org.yz_clerk.id)
        # Given by the city's administrator
        with acting_as(org.city_admin):
            Assignment.create([{'employee': org.yz_clerk_employee.id,
                        'post': org.post_yz_admin.id}])
        self.assertTrue(User(org.yz_clerk.id).second_factor_next_login)
        sent = []
        with from_address(), configured(
                'session', 'authentications', 'password+totp+sms'), \
                mock.patch(
                    'trytond.modules.authentication_sms.res.send_sms',
                    lambda text, to, from_=None: sent.append((text, to))):
            self.assertRefused(login('yz_clerk'), 'sms_code')
            code, = SMSCode.search([('user_id', '=', org.yz_clerk.id)])
            self.assertEqual(login('yz_clerk', sms_code=code.code),
                org.yz_clerk.id)
            self.assertFalse(User(org.yz_clerk.id).second_factor_next_login)
            # The county administrator's role asks none: the password again
            self.assertEqual(login('yz_clerk'), org.yz_clerk.id)

    @with_transaction(context={'language': 'zh_CN'})
    def test_bad_input(self):
        "SQL, script, over-long values: refused, and nothing changes"
        pool = Pool()
        User = pool.get('res.user')
        org = create_org()
        set_password(org.yz_clerk)
        count = User.search([], count=True)
        with from_address():
            for name, parameters in [
                    ("yz_clerk' OR '1'='1", {}),
                    ('<script>alert(1)</script>', {}),
                    ('x' * 100000, {}),
                    ('yz_clerk', {'password': 'x' * 100000}),
                    ('yz_clerk', {'password': "' OR 1=1 --"}),
                    ('yz_clerk', {'password': None}),
                    ]:
                with self.subTest(name=name[:20], parameters=str(
                            parameters)[:30]):
                    result = login(name, **parameters)
                    self.assertIsInstance(result, LoginException)
                    self.assertChinese(result.message)
        self.assertEqual(User.search([], count=True), count)
        self.assertFalse(User(org.yz_clerk.id).password_must_change)


class SessionTestCase(SecurityTestCase):

    @with_transaction()
    def test_idle_session_is_refused(self):
        "A session idle longer than [session] timeout is refused"
        pool = Pool()
        Session = pool.get('ir.session')
        org = create_org()
        with Transaction().set_user(org.yz_clerk.id):
            key = Session.new()
        self.assertTrue(Session.check(org.yz_clerk.id, key))
        idle = datetime.datetime.now() - past_timeout()
        date_sessions(Session, [(key, idle, idle)])
        self.assertFalse(Session.check(org.yz_clerk.id, key))
        self.assertIsNone(Session.check(org.yz_clerk.id, key))

    @with_transaction()
    def test_session_of_another_person_or_address(self):
        "A key is valid for its own person, from the address it was made at"
        pool = Pool()
        Session = pool.get('ir.session')
        org = create_org()
        request = {'remote_addr': '10.1.2.3'}
        with Transaction().set_user(org.yz_clerk.id), \
                Transaction().set_context(_request=request):
            key = Session.new()
            self.assertTrue(Session.check(org.yz_clerk.id, key))
            self.assertIsNone(Session.check(org.zs_clerk.id, key))
            self.assertIsNone(Session.check(org.yz_clerk.id, key[:-1] + 'x'))
        with Transaction().set_context(
                _request={'remote_addr': '10.9.9.9'}):
            self.assertIsNone(Session.check(org.yz_clerk.id, key))
        with Transaction().set_context(_request=request):
            self.assertTrue(Session.check(org.yz_clerk.id, key))

    @with_transaction()
    def test_expired_sessions_removed_at_login(self):
        "Logging in removes the person's sessions past max_age or idle"
        pool = Pool()
        Session = pool.get('ir.session')
        org = create_org()
        with Transaction().set_user(org.yz_clerk.id):
            old, idle, live = Session.new(), Session.new(), Session.new()
        with Transaction().set_user(org.zs_clerk.id):
            other = Session.new()
        now = datetime.datetime.now()
        date_sessions(Session, [
                (old, now - past_max_age(), now),
                (idle, now, now - past_timeout()),
                (other, now - datetime.timedelta(days=400), now)])
        with Transaction().set_user(org.yz_clerk.id):
            new = Session.new()
        keys = {s.key for s in Session.search([])}
        self.assertEqual(keys & {old, idle, live, other, new},
            {live, other, new})

    @with_transaction()
    def test_expired_sessions_removed_daily(self):
        """The daily cron removes everyone's sessions past max_age or idle,
        of people who never log in again too"""
        pool = Pool()
        Session = pool.get('ir.session')
        Cron = pool.get('ir.cron')
        org = create_org()
        with Transaction().set_user(org.yz_clerk.id):
            old, live = Session.new(), Session.new()
        with Transaction().set_user(org.zs_clerk.id):
            idle, other = Session.new(), Session.new()
        now = datetime.datetime.now()
        date_sessions(Session, [
                (old, now - past_max_age(), now),
                (idle, now - datetime.timedelta(hours=1),
                    now - past_timeout())])
        cron, = Cron.search([('method', '=', 'ir.session|clean_expired')])
        self.assertEqual((cron.interval_number, cron.interval_type),
            (1, 'days'))
        Session.clean_expired()
        keys = {s.key for s in Session.search([])}
        self.assertEqual(keys & {old, idle, live, other}, {live, other})



def past_max_age():
    "A minute past a session's max_age"
    return datetime.timedelta(
        seconds=config.getint('session', 'max_age') + 60)


def past_timeout():
    "A minute past a session's idle timeout"
    return datetime.timedelta(
        seconds=config.getint('session', 'timeout') + 60)


def date_sessions(Session, dates):
    "Set (key, created, last active) of sessions, as time would have"
    table = Session.__table__()
    cursor = Transaction().connection.cursor()
    for key, created, active in dates:
        cursor.execute(*table.update(
                [table.create_date, table.write_date], [created, active],
                where=table.key == key))

class WeakScanTestCase(SecurityTestCase):

    @with_transaction()
    def test_candidates(self):
        from ..security import weak
        self.assertEqual(weak.weak_reason('123456', 'x', '张伟'), 'common')
        for password in ['zhangwei1990', 'Zhangwei@19900101', 'zw123456',
                'ZhangWei888', 'yichun@123']:
            with self.subTest(password=password):
                self.assertIsNotNone(weak.weak_reason(
                        password, 'zw', '张伟', ['宜春']))
        self.assertIsNone(weak.weak_reason(
                'Tq7#vLm2pR!x', 'zw', '张伟', ['宜春']))
        guesses = weak.candidates('zw', '张伟', ['市数据局'], limit=40)
        self.assertEqual(len(guesses), 40)
        self.assertEqual(guesses[0], ('zhangwei123456', 'personal'))
        self.assertIn(('123456', 'common'), guesses)

    @with_transaction()
    def test_scan(self):
        "The scan finds weak stored passwords and forces a change"
        pool = Pool()
        User = pool.get('res.user')
        Scan = pool.get('egov.security.weak.scan')
        Result = pool.get('egov.security.weak.result')
        Lock = pool.get('egov.security.login.lock')
        org = create_org()
        set_password(org.yz_clerk, 'xiena123')
        set_password(org.zs_clerk, '5201314')
        set_password(org.city_clerk)
        secadmin = self.create_admin(org, 'anquan', 'group_secadmin')
        with acting_as(secadmin):
            scan, = Scan.create([{}])
            Scan.run([scan])
        users = [org.yz_clerk.id, org.zs_clerk.id, org.city_clerk.id]
        started = time.perf_counter()
        found = User.egov_weak_scan(users, scan.id)
        elapsed = time.perf_counter() - started
        self.assertEqual(set(found), {org.yz_clerk.id, org.zs_clerk.id})
        results = Result.search([('scan', '=', scan.id)])
        self.assertEqual({r.user for r in results},
            {org.yz_clerk, org.zs_clerk})
        self.assertTrue(User(org.yz_clerk.id).password_must_change)
        self.assertFalse(User(org.city_clerk.id).password_must_change)
        print('\nweak scan: %.2f s for %s accounts, one strong '
            '(all %s guesses tried)' % (
                elapsed, len(users), Scan(scan.id).candidates))
        with acting_as(secadmin):
            Result.lock([Result(r.id) for r in results
                    if r.user == org.zs_clerk])
        self.assertEqual(Lock.locked_logins(['zs_clerk', 'yz_clerk']),
            {'zs_clerk'})
        with from_address(), Transaction().set_context(language='zh_CN'):
            set_password(org.zs_clerk)
            self.assertIn('安全管理员', login('zs_clerk').message)
