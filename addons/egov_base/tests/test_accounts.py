"""Accounts (issue 10, items 4 and 9): 三员分立 kept apart in the accounts
and its two-person reset; passwords changed with the current one, keyboard
patterns and organisation names refused; no renaming oneself, no
unconfirmed mobile; a lock per account and address that tells the owner."""
import re
import unittest

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..security.keyboard import is_keyboard_pattern
from .test_security import (
    ADDRESS, PASSWORD, SecurityTestCase, configured, from_address, group,
    login, set_password)
from .tools import acting_as, create_org

OTHER_ADDRESS = '192.0.2.77'
SENT = []


def collect_sms(text, to, from_=None):
    "The SMS sender of these tests, configured as [authentication_sms]"
    SENT.append((to, text))


def sms_sender():
    SENT.clear()
    return configured('authentication_sms', 'function',
        'egov_base.tests.test_accounts.collect_sms')


class KeyboardTestCase(unittest.TestCase):

    def test_keyboard_patterns(self):
        "Rows, columns, diagonals, zigzags, backwards, shifted"
        for password in ['1qaz@WSX3edc', 'qwertyuiop', '1q2w3e4r',
                'zaq12wsx', 'asdfghjkl', 'POIUYTREWQ', '!QAZ2wsx',
                'zse4rfv!', 'Qwerty@123', '0okm9ijn', 'mnbvcxz',
                '1QAZ2WSX', 'qazwsxedc', '!@#$%^&*']:
            with self.subTest(password=password):
                self.assertTrue(is_keyboard_pattern(password))
        for password in [PASSWORD, 'Nw9#kPz2vQ!m', 'Yichun@2026',
                'Huawei@123', 'Zhang3#Lisi', '', 'qw']:
            with self.subTest(password=password):
                self.assertFalse(is_keyboard_pattern(password))


class AccountsBase(SecurityTestCase):

    def assertRefused(self, call, *words, exception=UserError):
        with self.assertRaises(exception) as cm:
            call()
        self.assertChinese(cm.exception.message)
        for word in words:
            self.assertIn(word, cm.exception.message)
        return cm.exception

    def secadmin(self, org, login_='anquan'):
        "A security administrator with a login, an employee and a mobile"
        User = Pool().get('res.user')
        user = self.create_admin(org, login_, 'group_secadmin', name='李静')
        User.write([user], {'mobile': '13900000009'})
        set_password(user)
        return user

    def set_own_password(self, user, password):
        User = Pool().get('res.user')
        with Transaction().set_user(user.id), \
                Transaction().set_context(language='zh_CN'):
            User.write([User(user.id)], {'password': password})



class AccountsTestCase(AccountsBase):

    # --- item 9: the policy ---------------------------------------------

    @with_transaction()
    def test_policy_refuses_keyboard_pattern(self):
        org = create_org()
        for password in ['1qaz@WSX3edc', 'Zaq1@wsx#edc', '1q2w3e4R!']:
            with self.subTest(password=password):
                self.assertRefused(
                    lambda: self.set_own_password(org.yz_clerk, password),
                    '键盘')

    @with_transaction()
    def test_policy_refuses_unit_department_and_post_names(self):
        "袁州区教育体育局, its initials, the post 收发员 in pinyin"
        org = create_org()
        for password in ['Yzqjytyj#8520', 'Jiaoyutiyuju#K7', 'Shoufayuan#Q7x',
                '袁州区教育体育局#K7q']:
            with self.subTest(password=password):
                self.assertRefused(
                    lambda: self.set_own_password(org.yz_clerk, password),
                    '单位、部门或岗位')
        # A strong password is still accepted
        self.set_own_password(org.yz_clerk, 'Nw9#kPz2vQ!m')

    # --- item 9: preferences --------------------------------------------

    @with_transaction(context={'language': 'zh_CN'})
    def test_preferences_refuse_rename_password_and_mobile(self):
        User = Pool().get('res.user')
        org = create_org()
        set_password(org.yz_clerk)
        User.write([org.yz_clerk], {'mobile': '13900000001'})
        # As the RPC call runs: the user's own, without access checks
        with Transaction().set_user(org.yz_clerk.id):
            self.assertRefused(lambda: User.set_preferences(
                    {'name': '谢娜娜'}), '姓名', exception=AccessError)
            self.assertRefused(lambda: User.set_preferences(
                    {'password': 'Nw9#kPz2vQ!m'}), '当前密码',
                exception=AccessError)
            self.assertRefused(lambda: User.set_preferences(
                    {'mobile': '13912345678'}), '验证码',
                exception=AccessError)
            # What the client sends back unchanged passes
            User.set_preferences({'name': '谢娜', 'password': 'x' * 10,
                    'mobile': '13900000001', 'language': 'zh_CN'})
            # A language that is not a code is ignored, as an unknown one
            User.set_preferences({'language': 1})
            User.set_preferences({'language': 'xx'})
        user = User(org.yz_clerk.id)
        self.assertEqual((user.name, user.mobile), ('谢娜', '13900000001'))

    @with_transaction(context={'language': 'zh_CN'})
    def test_administrator_cannot_rename_himself(self):
        User = Pool().get('res.user')
        org = create_org()
        with acting_as(org.yz_admin):
            for values in [{'name': '罗大强'}, {'login': 'boss'}]:
                with self.subTest(values=values):
                    self.assertRefused(lambda: User.write(
                            [User(org.yz_admin.id)], values),
                        '姓名或登录名', exception=AccessError)

    # --- item 9: the lock -----------------------------------------------

    @with_transaction(context={'language': 'zh_CN'})
    def test_failures_from_one_address_do_not_lock_the_owner_out(self):
        pool = Pool()
        User = pool.get('res.user')
        Lock = pool.get('egov.security.login.lock')
        Notification = pool.get('res.notification')
        org = create_org()
        set_password(org.yz_clerk)
        User.write([org.yz_clerk], {'mobile': '13900000001'})
        with sms_sender():
            with from_address():
                for i in range(5):
                    result = login('yz_clerk', password='Bad#%d' % i)
                self.assertIn('账号已锁定', result.message)
                # Even the right password from that address is refused
                self.assertIn('账号已锁定', login('yz_clerk').message)
            # The owner, from her own desk, logs in
            with from_address(OTHER_ADDRESS):
                self.assertEqual(login('yz_clerk'), org.yz_clerk.id)
            lock, = Lock.search([('user', '=', org.yz_clerk.id)])
            self.assertEqual((lock.kind, lock.address),
                ('login_address', ADDRESS))
            # She is told: a notification and an SMS
            notice, = Notification.search([('user', '=', org.yz_clerk.id)])
            self.assertIn(ADDRESS, notice.description)
            self.assertChinese(notice.label)
            (to, text), = SENT
            self.assertEqual(to, '13900000001')
            self.assertIn('锁定', text)

    @with_transaction(context={'language': 'zh_CN'})
    def test_account_locked_everywhere_only_at_higher_count(self):
        org = create_org()
        set_password(org.yz_clerk)
        addresses = ['192.0.2.%d' % i for i in range(20, 25)]
        for address in addresses:
            for i in range(4):
                with from_address(address):
                    login('yz_clerk', password='Bad#%d' % i)
        with from_address(OTHER_ADDRESS):
            self.assertIn('账号已锁定', login('yz_clerk').message)

    # --- item 4: 三员分立 ----------------------------------------------

    @with_transaction(context={'language': 'zh_CN'})
    def test_sysadmin_cannot_take_over_secadmin(self):
        "Password, mobile, login, e-mail, second factor: all refused"
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        org = create_org()
        secadmin = self.secadmin(org)
        employee, = Employee.create([{
                    'name': '李静', 'number': 'YC0009',
                    'unit': org.city_data.id, 'user': secadmin.id,
                    'mobile': '13900000009'}])
        with acting_as(org.city_admin):
            for values in [
                    {'password': 'Nw9#kPz2vQ!m'},
                    {'mobile': '13811112222'},
                    {'login': 'lijing2'},
                    {'email': 'x@example.com'},
                    {'password_must_change': True},
                    ]:
                with self.subTest(values=values):
                    self.assertRefused(lambda: User.write(
                            [User(secadmin.id)], values), '三员分立',
                        '李静', exception=AccessError)
            self.assertRefused(lambda: Employee.write(
                    [Employee(employee.id)], {'mobile': '13811112222'}),
                '三员分立', exception=AccessError)
            self.assertRefused(lambda: User.reset_password(
                    [User(secadmin.id)]), '三员分立', exception=AccessError)
        # Nor the security administrator the system administrator's
        with acting_as(secadmin):
            self.assertRefused(lambda: User.reset_second_factor(
                    [User(org.city_admin.id)]), '三员分立',
                exception=AccessError)
        self.assertEqual(User(secadmin.id).mobile, '13900000009')
        # A clerk's account stays the administrator's to manage
        with acting_as(org.city_admin):
            User.write([User(org.yz_clerk.id)], {'mobile': '13811113333'})


class PasswordChangeTestCase(AccountsBase):
    "A database of its own: a wrong current password is committed"

    @with_transaction(context={'language': 'zh_CN'})
    def test_change_password_needs_current_and_counts_failure(self):
        pool = Pool()
        Change = pool.get('egov.security.password.change', type='wizard')
        Failure = pool.get('egov.security.login.failure')
        org = create_org()
        set_password(org.yz_clerk)
        with acting_as(org.yz_clerk), from_address():
            session_id, _, _ = Change.create()
            wizard = Change(session_id)
            wizard.start.current_password = 'Wrong#Pass9x'
            wizard.start.new_password = 'Nw9#kPz2vQ!m'
            wizard.start.confirm_password = 'Nw9#kPz2vQ!m'
            self.assertRefused(wizard.transition_change, '当前密码')
        self.assertEqual(Failure.search([('login', '=', 'yz_clerk')],
                count=True), 1)
        # The old password still logs in
        with from_address():
            self.assertEqual(login('yz_clerk'), org.yz_clerk.id)


class MobileChangeTestCase(AccountsBase):
    "A database of its own: a wrong code is committed"

    @with_transaction(context={'language': 'zh_CN'})
    def test_new_mobile_needs_code_sent_to_it(self):
        pool = Pool()
        User = pool.get('res.user')
        Change = pool.get('egov.security.mobile.change', type='wizard')
        org = create_org()
        User.write([org.yz_clerk], {'mobile': '13900000001'})
        with sms_sender(), acting_as(org.yz_clerk):
            session_id, _, _ = Change.create()
            wizard = Change(session_id)
            wizard.start.mobile = '13988887777'
            self.assertEqual(wizard.transition_send(), 'code')
            (to, text), = SENT
            self.assertEqual(to, '13988887777')
            code = re.search(r'(\d{6})', text).group(1)
            # Until confirmed, codes still go to the old number
            self.assertEqual(User._sms_mobile(org.yz_clerk.id),
                '13900000001')
            wizard.code.code = '000000' if code != '000000' else '111111'
            self.assertRefused(wizard.transition_confirm, '验证码')
            self.assertEqual(User(org.yz_clerk.id).mobile, '13900000001')
            wizard.code.code = code
            self.assertEqual(wizard.transition_confirm(), 'end')
        self.assertEqual(User(org.yz_clerk.id).mobile, '13988887777')



class AccountResetTestCase(AccountsBase):
    "A database of its own: refused approvals are audited apart (committed)"

    @with_transaction(context={'language': 'zh_CN'})
    def test_only_security_administrator_reset_approved_by_auditor(self):
        """The platform's only security administrator lost her phone: the
        system administrator files, the security auditor approves"""
        pool = Pool()
        Reset = pool.get('egov.security.account.reset')
        org = create_org()
        secadmin = self.secadmin(org)
        auditor = self.create_admin(org, 'shenji', 'group_auditor',
            name='审计员')
        with acting_as(org.city_admin):
            request, = Reset.create([{
                        'user': secadmin.id, 'reason': '手机丢失',
                        'reset_second_factor': True}])
            Reset.request([request])
        with sms_sender(), acting_as(auditor):
            self.assertEqual(Reset.search([]), [Reset(request.id)])
            Reset.approve([Reset(request.id)])
        self.assertEqual(Reset(request.id).state, 'done')
        # He approves, he does not file
        with acting_as(auditor):
            self.assertRefused(lambda: Reset.create([{
                            'user': org.yz_clerk.id, 'reason': '忘记密码'}]),
                exception=AccessError)

    @with_transaction(context={'language': 'zh_CN'})
    def test_reset_needs_a_second_person_of_another_role(self):
        pool = Pool()
        User = pool.get('res.user')
        Reset = pool.get('egov.security.account.reset')
        Log = pool.get('egov.audit.log')
        org = create_org()
        secadmin = self.secadmin(org)
        other_secadmin = self.secadmin(org, 'anquan2')
        with acting_as(org.city_admin):
            request, = Reset.create([{
                        'user': secadmin.id,
                        'reason': '手机丢失，本人书面申请',
                        'reset_password': True,
                        }])
            Reset.request([request])
            # Not the requester
            self.assertRefused(lambda: Reset.approve([Reset(request.id)]),
                '第二人', exception=AccessError)
        # Not another of the requester's role: a second city administrator
        Assignment = pool.get('egov.org.assignment')
        Assignment.create([{'employee': org.city_clerk_employee.id,
                    'post': org.post_city_admin.id}])
        User.write([org.city_clerk], {'post': org.post_city_admin.id})
        User.clear_org_caches()
        with acting_as(org.city_clerk):
            self.assertRefused(lambda: Reset.approve([Reset(request.id)]),
                '第二人', exception=AccessError)
        # A county's administrator does not even see the city's requests
        with acting_as(org.yz_admin):
            self.assertRefused(lambda: Reset.approve([Reset(request.id)]),
                '账号重置申请', exception=AccessError)
        # Not the holder
        with acting_as(secadmin):
            self.assertRefused(lambda: Reset.approve([Reset(request.id)]),
                '第二人', exception=AccessError)
        with sms_sender(), acting_as(other_secadmin):
            Reset.approve([Reset(request.id)])
            (to, text), = SENT
        self.assertEqual(to, '13900000009')
        one_time = re.search(r'(\d{8})', text).group(1)
        self.assertEqual(Reset(request.id).state, 'done')
        user = User(secadmin.id)
        self.assertTrue(user.password_must_change)
        # The old password is gone; the one-time one asks for a new one
        with from_address():
            self.assertIsInstance(login('anquan'), Exception)
            result = login('anquan', password=one_time)
            self.assertEqual(result.name, 'new_password')
        # Each step is in the audit
        Log.flush()
        messages = [l.message or '' for l in Log.search([
                    ('model', '=', 'egov.security.account.reset'),
                    ('record_id', '=', request.id)])]
        self.assertTrue(any('申请重置' in m for m in messages), messages)
        self.assertTrue(any('已批准' in m for m in messages), messages)
        # Filed requests are evidence
        with acting_as(org.city_admin):
            self.assertRefused(lambda: Reset.write([Reset(request.id)],
                    {'reason': '改'}), '不能修改', exception=AccessError)


del group
