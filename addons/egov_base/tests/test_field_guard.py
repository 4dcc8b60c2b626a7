"""The field guard (security/field_guard.py): what a user may not read is
not searched, sorted or exported by either, on its model or through a
path; secrets are refused to everyone; the others' security fields,
Tryton's change log and its translation wizards are closed to clerks."""
from trytond.model import ModelStorage
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import EgovTestCase, acting_as, create_org


def group(name, module='egov_base'):
    return Pool().get('ir.model.data').get_id(module, name)


def role_users(org):
    """{role: user}: a clerk, a county administrator and the three
    administrator roles (the city administrator is a system administrator)"""
    pool = Pool()
    User = pool.get('res.user')
    sysadmin, secadmin, auditor = User.create([{
                'login': login, 'name': name,
                'groups': [('add', [group(group_name)])],
                } for login, name, group_name in [
                ('xitong', '系统员', 'group_sysadmin'),
                ('anquan', '安全员', 'group_secadmin'),
                ('shenji', '审计员', 'group_auditor'),
                ]])
    return {
        'clerk': org.yz_clerk,
        'county_admin': org.yz_admin,
        'sysadmin': org.city_admin,
        'sysadmin_alone': sysadmin,
        'secadmin': secadmin,
        'auditor': auditor,
        }


class FieldGuardTestCase(EgovTestCase):

    def assertRefused(self, call):
        with self.assertRaises(AccessError) as cm:
            call()
        self.assertChinese(cm.exception.message)
        return cm.exception.message

    def assertRefusedEverywhere(self, Model, name):
        "Search, count, order and export by name are refused"
        self.assertRefused(lambda: Model.search([(name, '=', None)]))
        self.assertRefused(lambda: Model.search_count([(name, '!=', None)]))
        self.assertRefused(
            lambda: Model.search([], order=[(name, 'ASC')], limit=1))
        self.assertRefused(lambda: Model.export_data([], [name]))

    @with_transaction()
    def test_password_hash_oracle(self):
        "The clerk's character-by-character oracle on password hashes"
        pool = Pool()
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        org = create_org()
        with Transaction().set_user(0):
            User.write([org.yz_admin], {'password': 'Tq7#vLm2pR!x'})
        with acting_as(org.yz_clerk):
            for domain in [
                    [('password_hash', '>=', '$')],
                    [('password_reset', '!=', None)],
                    [('id', '=', org.yz_admin.id),
                        ('password_hash', 'like', '$%')],
                    ['OR', ('login', '=', 'x'),
                        ('password_hash', 'ilike', '%a%')],
                    ]:
                with self.subTest(domain=domain):
                    message = self.assertRefused(
                        lambda: User.search_count(domain))
                    self.assertIn('保密', message)
            # Through the employee, by a path, a where and an order
            for domain in [
                    [('user.password_hash', '>=', '$')],
                    [('user', 'where', [('password_hash', '>=', '$')])],
                    [('user', 'not where', [('password_reset', '=', None)])],
                    [('unit.parent.write_uid.password_hash', '>=', '$')],
                    [('create_uid.password_hash', '>=', '$')],
                    ]:
                with self.subTest(domain=domain):
                    self.assertRefused(lambda: Employee.search_count(domain))
            self.assertRefused(lambda: Employee.search(
                    [], order=[('user.password_hash', 'ASC')]))
            self.assertRefused(lambda: User.search(
                    [], order=[('password_hash', 'DESC')]))
            employees = Employee.search([('user', '=', org.yz_admin.id)])
            self.assertRefused(lambda: Employee.export_data(
                    employees, ['name', 'user/password_hash']))
            self.assertRefused(
                lambda: User.read([org.yz_admin.id], ['password_hash']))
            self.assertRefused(lambda: Employee.read(
                    [e.id for e in employees], ['user.password_hash']))
            # What the clerk may read still works
            self.assertEqual(Employee.search_count(
                    [('user.login', '=', 'yz_admin')]), 1)

    @with_transaction()
    def test_unsearchable_fields_refused_by_name(self):
        """A computed field that cannot be searched is refused with its
        name, on every model, not answered as an internal error"""
        from trytond.model import fields
        pool = Pool()
        Menu = pool.get('ir.ui.menu')
        org = create_org()
        with acting_as(org.yz_clerk):
            message = self.assertRefused(
                lambda: Menu.search([('action', '!=', None)]))
            self.assertEqual(message,
                '“界面菜单”的字段“动作”是计算得出的，不能用于查询：'
                '请按其他字段查询。')
            checked = 0
            for model_name, Model in sorted(pool.iterobject()):
                if not issubclass(Model, ModelStorage):
                    continue
                for name, field in sorted(Model._fields.items()):
                    if not (isinstance(field, fields.Function)
                            and field.getter and not field.searcher
                            and not hasattr(Model, 'domain_' + name)):
                        continue
                    with self.subTest(model=model_name, field=name):
                        self.assertRefused(
                            lambda: Model.search([(name, '=', None)]))
                        checked += 1
        self.assertGreater(checked, 100)

    @with_transaction()
    def test_paths_through_computed_relations(self):
        """A person's login through their employee (a computed relation):
        the path and 'where' are searched (the path's rewriting for the
        rules broke the searcher: an internal error)"""
        pool = Pool()
        User = pool.get('res.user')
        org = create_org()
        unit = org.yz_clerk.employee.unit
        with acting_as(org.yz_clerk):
            for domain in [[('employee.unit', '=', unit.id)],
                    [('employee', 'where', [('unit', '=', unit.id)])]]:
                with self.subTest(domain=domain):
                    self.assertIn(org.yz_clerk, User.search(domain))
            self.assertNotIn(org.yz_clerk, User.search(
                    [('employee', 'not where', [('unit', '=', unit.id)])]))

    @with_transaction()
    def test_secrets_refused_to_everyone(self):
        """Every secret field, every role, the built-in admin included; a
        record's name too when it is the secret (a session's is its key)"""
        from ..security.field_guard import SECRETS, secret_fields
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        org = create_org()
        users = role_users(org)
        users['admin'] = User(ModelData.get_id('res', 'user_admin'))
        checked = 0
        for role, user in sorted(users.items()):
            for model_name in sorted(SECRETS):
                try:
                    Model = pool.get(model_name)
                except KeyError:
                    continue
                for name in sorted(secret_fields(model_name)):
                    self.assertIn(name, Model._fields, (model_name, name))
                    with self.subTest(role=role, model=model_name,
                            field=name), acting_as(user):
                        self.assertRefusedEverywhere(Model, name)
                        self.assertRefused(lambda: Model.read([], [name]))
                        checked += 1
        self.assertIn('rec_name', secret_fields('ir.session'))
        self.assertIn('rec_name', secret_fields('res.user.application'))
        print('\nsecret field × role combinations refused: %s' % checked)
        self.assertGreaterEqual(checked, 7 * 11)

    @with_transaction()
    def test_every_unreadable_field_of_every_model(self):
        """Walk every model and every field each role may not read: search,
        order and export by it are refused"""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        FieldAccess = pool.get('ir.model.field.access')
        org = create_org()
        users = role_users(org)
        checked = whole = 0
        per_role = {}
        models = sorted(name for name, Model in pool.iterobject()
            if issubclass(Model, ModelStorage))
        for role, user in sorted(users.items()):
            with acting_as(user):
                for model_name in models:
                    Model = pool.get(model_name)
                    readable = ModelAccess.check(
                        model_name, 'read', raise_exception=False)
                    accesses = FieldAccess.get_access(
                        [model_name])[model_name]
                    for name in sorted(Model._fields):
                        if readable and accesses.get(
                                name, {}).get('read', True):
                            continue
                        with self.subTest(role=role, model=model_name,
                                field=name):
                            self.assertRefusedEverywhere(Model, name)
                        if readable:
                            # A field closed on a model the role reads
                            checked += 1
                            per_role[role] = per_role.get(role, 0) + 1
                        else:
                            whole += 1
        print('\nmodel × field × role combinations refused: %s on models '
            'the role reads %s, %s on models closed to the role'
            % (checked, per_role, whole))
        self.assertEqual(set(per_role), set(users))
        # The clerk may read none of the others' security fields
        self.assertGreaterEqual(per_role['clerk'], 10)

    @with_transaction()
    def test_own_security_fields(self):
        "A clerk reads his own second factor and roles, nobody else's"
        pool = Pool()
        User = pool.get('res.user')
        org = create_org()
        users = role_users(org)
        names = ['second_factor', 'second_factor_required', 'admin_roles',
            'password_change_reason', 'sessions']
        with Transaction().set_user(0):
            User.write([users['secadmin']], {'second_factor': 'sms'})
        with acting_as(org.yz_clerk):
            row, = User.read([org.yz_clerk.id], names + ['login'])
            self.assertEqual(row['login'], 'yz_clerk')
            self.assertIn('second_factor', row)
            for name in names:
                with self.subTest(field=name):
                    self.assertRefused(lambda: User.read(
                            [users['secadmin'].id], [name]))
                    self.assertRefused(lambda: User.read(
                            [org.yz_clerk.id, users['secadmin'].id], [name]))
                    self.assertRefusedEverywhere(User, name)
            self.assertRefused(lambda: User.search_count(
                    [('second_factor', '=', 'sms')]))
        # The administrators still read them
        for role in ['sysadmin', 'secadmin', 'county_admin']:
            with acting_as(users[role]):
                row, = User.read([users['secadmin'].id], names)
                self.assertEqual(row['second_factor'], 'sms')

    @with_transaction()
    def test_model_log_closed(self):
        "Who changed whose password: Tryton's administrators only"
        pool = Pool()
        Log = pool.get('ir.model.log')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        org = create_org()
        users = role_users(org)
        for role, user in sorted(users.items()):
            with self.subTest(role=role), acting_as(user):
                self.assertRefused(lambda: Log.search([]))
                self.assertRefused(lambda: Log.read([], ['user']))
        with acting_as(User(ModelData.get_id('res', 'user_admin'))):
            Log.search([])

    @with_transaction()
    def test_translation_wizards_closed(self):
        "Tryton's translation wizards, even with another action's id"
        pool = Pool()
        Action = pool.get('ir.action')
        org = create_org()
        other, = Action.search([('type', '=', 'ir.action.wizard')], limit=1)
        for name in ['ir.translation.set', 'ir.translation.clean',
                'ir.translation.update', 'ir.translation.export']:
            Wizard = pool.get(name, type='wizard')
            for action_id in [None, other.id, 10 ** 6]:
                with self.subTest(wizard=name, action=action_id), \
                        acting_as(org.yz_clerk, action_id=action_id):
                    self.assertRefused(Wizard.check_access)
