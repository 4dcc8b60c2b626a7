"""The behaviour audit (行为审计) as auditors and attackers meet it: what is
recorded, with which values, by whom; that nobody changes or deletes
audit rows, not through the ORM and not in the database; that the SM3
chain names the first changed or missing row; the signed archive; and
who may read the log."""
import datetime
import gzip
import json
import os
import tempfile
from unittest import mock

from trytond import backend
from trytond.exceptions import LoginException, UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import EgovTestCase, acting_as, create_org

REQUEST = {'_request': {'remote_addr': '10.36.9.21'}}


def logs(**domain):
    Log = Pool().get('egov.audit.log')
    return Log.search([(k, '=', v) for k, v in domain.items()],
        order=[('id', 'ASC')])


def raw_update(sql, params=()):
    cursor = Transaction().connection.cursor()
    cursor.execute(sql.replace('%s', '?' if backend.name == 'sqlite'
            else '%s'), params)


class AuditCaptureTestCase(EgovTestCase):

    @with_transaction()
    def test_changes_recorded_with_values_and_post(self):
        "Create, write, delete: who, post, unit, old and new values"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Post = pool.get('egov.org.post')
        org = create_org()
        with acting_as(org.yz_admin, **REQUEST):
            unit, = Unit.create([{
                        'code': 'YZ-002', 'name': '袁州区民政局',
                        'kind': 'unit', 'parent': org.yuanzhou.id}])
            Unit.write([Unit(org.yz_edu.id)], {'phone': '0795-3000001'})
            post, = Post.create([{'name': '科员', 'unit': unit.id}])
            Post.delete([post])

        created, = logs(action='create', model='egov.org.unit',
            record_id=unit.id)
        self.assertEqual(created.login, 'yz_admin')
        self.assertEqual(created.user_name, '罗强')
        self.assertEqual(created.unit_name, '袁州区教育体育局')
        self.assertEqual(created.division_name, '袁州区')
        self.assertIn('系统管理员', created.post_name)
        self.assertEqual(created.address, '10.36.9.21')
        self.assertEqual(created.result, 'success')
        self.assertEqual(json.loads(created.changes)['name'],
            [None, '袁州区民政局'])

        written, = logs(action='write', model='egov.org.unit',
            record_id=org.yz_edu.id)
        self.assertEqual(json.loads(written.changes),
            {'phone': [None, '0795-3000001']})
        self.assertEqual(written.record_name, '袁州区教育体育局')
        self.assertIn('0795-3000001', written.changes_text)

        deleted, = logs(action='delete', model='egov.org.post',
            record_id=post.id)
        self.assertEqual(json.loads(deleted.changes)['name'][0], '科员')
        self.assertTrue(deleted.record_name)

    @with_transaction()
    def test_passwords_never_logged(self):
        User = Pool().get('res.user')
        org = create_org()
        User.write([org.yz_clerk], {'password': 'Secret#2026x'})
        written, = logs(action='write', model='res.user',
            record_id=org.yz_clerk.id)
        self.assertEqual(json.loads(written.changes),
            {'password': '******'})
        cursor = Transaction().connection.cursor()
        cursor.execute('SELECT changes, message FROM egov_audit_log')
        self.assertNotIn('Secret#2026x', repr(cursor.fetchall()))

    @with_transaction()
    def test_hostile_text_stored_verbatim(self):
        "SQL and script fragments are data; over-long values keep a proof"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        hostile = "'); DROP TABLE egov_audit_log; -- <script>alert(1)</script>"
        long_text = '长' * 5000
        with acting_as(org.yz_admin):
            Unit.write([Unit(org.yz_edu.id)], {
                    'address': hostile, 'short_name': long_text})
        written, = logs(action='write', record_id=org.yz_edu.id)
        changes = json.loads(written.changes)
        self.assertEqual(changes['address'], [None, hostile])
        self.assertIn(long_text[:100], written.changes)
        self.assertIn('SM3', written.changes)
        self.assertLess(len(written.changes), 25000)
        # The table is still there and the chain takes the row
        Log = Pool().get('egov.audit.log')
        self.assertTrue(Log.verify()['ok'])

    @with_transaction()
    def test_logins_recorded_with_address(self):
        pool = Pool()
        User = pool.get('res.user')
        Session = pool.get('ir.session')
        org = create_org()
        User.write([org.yz_clerk], {'password': 'Yichun@2026'})
        # As if the clerk had chosen it (security/ asks a password set by
        # an administrator to be changed at the next login)
        User.write([org.yz_clerk], {'password_must_change': False})
        transaction = Transaction()
        with transaction.set_context(**REQUEST):
            self.assertEqual(User.get_login(
                    'yz_clerk', {'password': 'Yichun@2026'}),
                org.yz_clerk.id)
            # A wrong password and an unknown login read the same to the
            # person trying (security/); the audit tells them apart
            for login in ['yz_clerk', "nobody' OR '1'='1"]:
                with self.assertRaises(LoginException):
                    User.get_login(login, {'password': 'wrong-password'})
        with transaction.set_user(org.yz_clerk.id), \
                transaction.set_context(**REQUEST):
            key = Session.new()
        with transaction.set_context(**REQUEST):
            self.assertIsNone(Session.check(org.yz_clerk.id, 'f' * 64))
            Session.remove(key)

        login, = logs(action='login')
        self.assertEqual(
            (login.login, login.address, login.unit_name, login.result),
            ('yz_clerk', '10.36.9.21', '袁州区教育体育局', 'success'))
        wrong, unknown = logs(action='login_failed')
        self.assertEqual((wrong.login, wrong.user_id, wrong.result),
            ('yz_clerk', org.yz_clerk.id, 'refused'))
        self.assertEqual(unknown.login, "nobody' OR '1'='1")
        self.assertIsNone(unknown.user_id)
        forged, = logs(action='session_invalid')
        self.assertEqual(forged.record_id, org.yz_clerk.id)
        self.assertEqual(forged.result, 'refused')
        self.assertNotIn('f' * 64, forged.session)
        logout, = logs(action='logout')
        self.assertEqual(logout.login, 'yz_clerk')
        self.assertEqual(len(logout.session), 64)
        self.assertNotEqual(logout.session, key)

    @with_transaction()
    def test_export_and_print_recorded(self):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        UnitExport = pool.get('egov.org.unit.export', type='report')
        org = create_org()
        with acting_as(org.yz_admin):
            Unit.export_data([Unit(org.yz_edu.id)], ['name', 'code'])
            kind, content, *_ = UnitExport.execute(
                [org.yz_edu.id], {'model': 'egov.org.unit'})
        exported = logs(action='export')
        self.assertEqual(len(exported), 2)
        data, report = exported
        self.assertEqual(data.method, 'export_data')
        self.assertEqual(json.loads(data.changes)['fields'], ['name', 'code'])
        self.assertEqual(report.method, 'egov.org.unit.export')
        self.assertEqual(json.loads(report.changes)['size'], len(content))
        self.assertEqual(report.login, 'yz_admin')

    @with_transaction()
    def test_refused_write_changes_nothing(self):
        "Another county's unit: refused, recorded apart, data unchanged"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Log = pool.get('egov.audit.log')
        from ..audit.errors import describe_call
        org = create_org()
        with acting_as(org.yz_admin):
            with self.assertRaises(AccessError) as cm:
                Unit.write([Unit(org.zs_finance.id)], {'phone': '1'})
        self.assertIsNone(Unit(org.zs_finance.id).phone)
        # The server's error handler records it in a transaction of its
        # own; here the same row goes into the test's transaction
        action, model, method, record_id, changes = describe_call(
            'model.egov.org.unit.write',
            [[org.zs_finance.id], {'phone': '1', 'password': 'x'}, {}])
        with Transaction().set_user(org.yz_admin.id):
            Log.record(action, model=model, record_id=record_id,
                result='refused', method='model.egov.org.unit.write',
                message=cm.exception.message, changes=changes)
        refused, = logs(result='refused')
        self.assertEqual((refused.action, refused.record_id, refused.login),
            ('write', org.zs_finance.id, 'yz_admin'))
        self.assertNotIn('"x"', refused.changes)
        self.assertFalse(logs(action='write', model='egov.org.unit',
                result='success'))

    @with_transaction()
    def test_policy_and_tracking(self):
        "A policy turns recording off; tracking a user records reads"
        pool = Pool()
        Policy = pool.get('egov.audit.policy')
        Track = pool.get('egov.audit.track')
        Unit = pool.get('egov.org.unit')
        org = create_org()
        Policy.create([{'model': 'egov.org.unit', 'record_write': False}])
        with acting_as(org.yz_admin):
            Unit.write([Unit(org.yz_edu.id)], {'phone': '0795-1'})
        self.assertFalse(logs(action='write', model='egov.org.unit'))
        with self.assertRaises(UserError):
            Policy.create([{'model': 'egov.no.such'}])

        Track.create([{'kind': 'user', 'user': org.yz_clerk.id,
                    'reason': '纪检监察调查 2026-17'}])
        with acting_as(org.yz_clerk):
            Unit.read([org.zs_finance.id], ['name'])
        read, = logs(action='read', model='egov.org.unit')
        self.assertEqual(read.login, 'yz_clerk')
        with acting_as(org.yz_admin):
            Unit.read([org.zs_finance.id], ['name'])
        self.assertEqual(len(logs(action='read')), 1)


class AuditProtectionTestCase(EgovTestCase):

    @with_transaction()
    def test_nobody_changes_audit_rows_through_the_orm(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        row, *_ = logs()
        admin = User(ModelData.get_id('res', 'user_admin'))
        for user in [admin, org.city_admin]:
            with acting_as(user):
                for call in [
                        lambda: Log.write([Log(row.id)], {'login': 'x'}),
                        lambda: Log.delete([Log(row.id)]),
                        lambda: Log.create([{'action': 'login'}]),
                        ]:
                    with self.subTest(user=user.login), \
                            self.assertRaises(AccessError):
                        call()
        # Not even root, without access checks
        for call in [
                lambda: Log.write([row], {'login': 'x'}),
                lambda: Log.delete([row]),
                ]:
            with self.assertRaises(AccessError) as cm:
                call()
            self.assertChinese(cm.exception.message)

    @with_transaction()
    def test_database_refuses_update_and_delete(self):
        "Even with SQL as the table's owner: the triggers refuse"
        Log = Pool().get('egov.audit.log')
        create_org()
        Log.seal()
        row, *_ = logs()
        cursor = Transaction().connection.cursor()
        for sql, params in [
                ('UPDATE egov_audit_log SET login = %s WHERE id = %s',
                    ('mallory', row.id)),
                ('UPDATE egov_audit_log SET hash = %s WHERE id = %s',
                    ('0' * 64, row.id)),
                ('DELETE FROM egov_audit_log WHERE id = %s', (row.id,)),
                ('DELETE FROM egov_audit_log', ()),
                ]:
            cursor.execute('SAVEPOINT tamper')
            with self.subTest(sql=sql), \
                    self.assertRaises(Exception) as cm:
                raw_update(sql, params)
            cursor.execute('ROLLBACK TO SAVEPOINT tamper')
            self.assertIn('append-only', str(cm.exception))
        if backend.name == 'postgresql':
            cursor.execute('SAVEPOINT tamper')
            with self.assertRaises(Exception) as cm:
                cursor.execute('TRUNCATE egov_audit_log')
            cursor.execute('ROLLBACK TO SAVEPOINT tamper')
            self.assertIn('append-only', str(cm.exception))
        self.assertEqual(Log(row.id).login, row.login)
        self.assertTrue(Log.verify()['ok'])

    @with_transaction()
    def test_auditor_reads_plain_users_do_not(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        auditor_group = ModelData.get_id('egov_base', 'group_auditor')
        User.write([org.city_clerk], {'groups': [('add', [auditor_group])]})
        with acting_as(org.city_clerk):
            rows = Log.search([])
            self.assertEqual(len(rows), len(logs()))
            Log.read([r.id for r in rows[:5]], ['changes_text', 'login'])
        for user in [org.yz_clerk, org.zs_admin, org.city_admin]:
            with acting_as(user), self.assertRaises(AccessError):
                Log.search([])


class AuditChainTestCase(EgovTestCase):

    def _sealed_org(self):
        Log = Pool().get('egov.audit.log')
        create_org()
        Log.seal()
        return [r.sequence for r in logs()]

    def _tamper(self, sql, params):
        "Change a row by hand as a database superuser would"
        cursor = Transaction().connection.cursor()
        if backend.name == 'postgresql':
            cursor.execute('ALTER TABLE egov_audit_log '
                'DISABLE TRIGGER egov_audit_log_append_only')
            raw_update(sql, params)
            cursor.execute('ALTER TABLE egov_audit_log '
                'ENABLE TRIGGER egov_audit_log_append_only')
        else:
            cursor.execute('DROP TRIGGER egov_audit_log_no_update')
            cursor.execute('DROP TRIGGER egov_audit_log_no_delete')
            raw_update(sql, params)
            Pool().get('egov.audit.log')._create_triggers()

    @with_transaction()
    def test_intact_chain_verifies(self):
        Log = Pool().get('egov.audit.log')
        sequences = self._sealed_org()
        self.assertEqual(sorted(sequences), list(range(1, len(sequences) + 1)))
        report = Log.verify()
        self.assertTrue(report['ok'], report)
        self.assertEqual(report['checked'], len(sequences))
        with Transaction().set_context(language='zh_CN'):
            self.assertChinese(Log.describe(report))

    @with_transaction()
    def test_tamper_names_the_row(self):
        Log = Pool().get('egov.audit.log')
        self._sealed_org()
        target, = Log.search([('sequence', '=', 7)])
        self._tamper('UPDATE egov_audit_log SET login = %s WHERE id = %s',
            ('mallory', target.id))
        report = Log.verify()
        self.assertFalse(report['ok'])
        self.assertEqual(report['first'][:3], ('hash', 7, target.id))
        with Transaction().set_context(language='zh_CN'):
            text = Log.describe(report)
        self.assertIn('7', text)
        self.assertChinese(text)

    @with_transaction()
    def test_deleted_row_names_the_missing_sequence(self):
        Log = Pool().get('egov.audit.log')
        sequences = self._sealed_org()
        self._tamper('DELETE FROM egov_audit_log WHERE sequence = %s', (5,))
        report = Log.verify()
        self.assertEqual(report['first'], ('missing', 5, report['first'][2],
                (5, 5)))
        # Deleting the end of the chain shows against the last seal
        last = max(sequences)
        self._tamper('DELETE FROM egov_audit_log WHERE sequence >= %s',
            (last - 1,))
        report = Log.verify(seal=False)
        self.assertIn('tail', {p[0] for p in report['problems']})

    @with_transaction()
    def test_unsealed_rows_are_sealed_in_commit_order(self):
        "Rows of a rolled-back flush leave no hole in the chain"
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Unit = pool.get('egov.org.unit')
        org = create_org()
        Log.seal()
        Unit.write([org.yz_edu], {'phone': '0795-7'})
        Log.flush()
        cursor = Transaction().connection.cursor()
        cursor.execute('SELECT MAX(id) FROM egov_audit_log')
        max_id, = cursor.fetchone()
        # An id consumed by a transaction that never committed
        Unit.write([org.yz_edu], {'phone': '0795-8'})
        Log.seal()
        report = Log.verify()
        self.assertTrue(report['ok'], report)
        self.assertEqual(report['unsealed'], 0)
        self.assertGreater(max_id, 0)


class AuditArchiveTestCase(EgovTestCase):

    @with_transaction()
    def test_archive_round_trip(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Archive = pool.get('egov.audit.archive')
        org = create_org()
        directory = tempfile.mkdtemp(prefix='egov-audit-')
        config = {
            ('egov', 'audit_archive_path'): directory,
            ('egov', 'audit_signing_key'): os.path.join(directory, 'k.pem'),
            }
        from trytond.config import config as tconfig
        original = tconfig.get

        def get(section, option, *args, **kwargs):
            if (section, option) in config:
                return config[section, option]
            return original(section, option, *args, **kwargs)

        future = datetime.datetime.now() + datetime.timedelta(days=400)
        with mock.patch.object(tconfig, 'get', get), \
                mock.patch('egov_base.audit.archive.datetime') as clock:
            clock.datetime.now.return_value = future
            clock.datetime.fromisoformat = datetime.datetime.fromisoformat
            clock.datetime.combine = datetime.datetime.combine
            clock.timedelta = datetime.timedelta
            total = len(logs())
            archive = Archive.archive()
            self.assertEqual(archive.count, total)
            self.assertEqual(archive.verify_file(), [])
            self.assertEqual(len(logs()) - 1, 0)  # the archiving itself
            self.assertTrue(os.path.exists(archive.path()))
            report = Log.verify()
            self.assertTrue(report['ok'], report)

            # A changed file is detected
            path = archive.path()
            with gzip.open(path, 'rt', encoding='utf-8') as fp:
                lines = fp.readlines()
            lines[3] = lines[3].replace('yz_admin', 'mallory')
            with gzip.open(path, 'wt', encoding='utf-8') as fp:
                fp.writelines(lines)
            problems = archive.verify_file()
            self.assertTrue(problems)
            # Archived rows only: the live rows still refuse deletion
            with self.assertRaises(Exception):
                raw_update('DELETE FROM egov_audit_log')
        self.assertTrue(org)
