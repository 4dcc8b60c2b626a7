"""The audit's seals as a database administrator attacks them: he changes a
row, re-hashes the rest of the chain with plain SM3 (the algorithm is no
secret) and rewrites the last seal; or signs a seal with a key of his own.
The seals are signed with a key held outside the database, so verify names
the forged seal and the rows that nothing proves any more. Without a key
the platform refuses to seal. Personal values are masked for the auditor;
the auditor's export of the audit works."""
import io
import json
import os
import tempfile

from openpyxl import load_workbook
from trytond import backend, config
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.audit import seal_key
from egov_base.audit.chain import CHAIN_COLUMNS, canonical_values, row_hash
from egov_base.audit.exceptions import AuditSealError
from egov_base.audit.recording import insert_rows

from .tools import EgovTestCase, acting_as, create_org


def sql(statement, params=()):
    cursor = Transaction().connection.cursor()
    cursor.execute(statement.replace('%s', '?' if backend.name == 'sqlite'
            else '%s'), params)
    return cursor


class Triggers:
    "The table's triggers off, as a database superuser can do"

    def __enter__(self):
        if backend.name == 'postgresql':
            sql('ALTER TABLE egov_audit_log '
                'DISABLE TRIGGER egov_audit_log_append_only')
        else:
            sql('DROP TRIGGER egov_audit_log_no_update')
            sql('DROP TRIGGER egov_audit_log_no_delete')

    def __exit__(self, *exc):
        if backend.name == 'postgresql':
            sql('ALTER TABLE egov_audit_log '
                'ENABLE TRIGGER egov_audit_log_append_only')
        else:
            Pool().get('egov.audit.log')._create_triggers()


class Option:
    "An option of the configuration set for the block"

    def __init__(self, option, value):
        self.option, self.value = option, value

    def __enter__(self):
        self.previous = config.get('egov', self.option, default=None)
        self._set(self.value)

    def __exit__(self, *exc):
        self._set(self.previous)

    def _set(self, value):
        # An empty option reads as unset
        config.set('egov', self.option, value or '')


def new_key():
    path = os.path.join(tempfile.mkdtemp(prefix='egov-seal-'), 'key.pem')
    return path, seal_key.generate(path)


def first_seal_problem(report):
    return next(p[:3] for p in report['problems']
        if p[0] in {'seal_key', 'seal_signature'})


def two_seals():
    "Two signed seals: the organisation, then one more change"
    pool = Pool()
    Log = pool.get('egov.audit.log')
    Seal = pool.get('egov.audit.seal')
    Unit = pool.get('egov.org.unit')
    org = create_org()
    Log.seal()
    Unit.write([org.yz_edu], {'phone': '0795-3000001'})
    Unit.write([org.zs_finance], {'phone': '0795-3000002'})
    Log.seal()
    first, last = Seal.search([], order=[('last_sequence', 'ASC')])
    return org, first, last


def reforge(sequence):
    """Change row sequence, re-hash every row after it with plain SM3 and
    rewrite the last seal's hash: what a database administrator can do
    without the key. Return the new head hash."""
    columns = ', '.join('"%s"' % c for c in CHAIN_COLUMNS)
    rows = sql('SELECT %s FROM egov_audit_log WHERE sequence >= %%s '
        'ORDER BY sequence' % columns, (sequence - 1,)).fetchall()
    prev_index = CHAIN_COLUMNS.index('prev_hash')
    login_index = CHAIN_COLUMNS.index('login')
    with Triggers():
        prev = sql('SELECT hash FROM egov_audit_log WHERE sequence = %s',
            (sequence - 1,)).fetchone()[0]
        for row in rows[1:]:
            values = canonical_values(row)
            if values[1] == sequence:
                values[login_index] = 'mallory'
            values[prev_index] = prev
            prev = row_hash(values)
            sql('UPDATE egov_audit_log SET login = %s, prev_hash = %s, '
                'hash = %s WHERE id = %s',
                (values[login_index], values[prev_index], prev, values[0]))
    last = rows[-1][1]
    sql('UPDATE egov_audit_seal SET last_hash = %s WHERE last_sequence = %s',
        (prev, last))
    return prev


class AuditSealTestCase(EgovTestCase):

    @with_transaction()
    def test_seals_are_signed_with_the_key_outside(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Seal = pool.get('egov.audit.seal')
        _, first, last = two_seals()
        key = seal_key.private_key()
        self.assertEqual(last.key_id, seal_key.key_id(key.public_key()))
        self.assertEqual(seal_key.check(last.key_id, last.signature,
                Seal.payload(last.first_sequence, last.last_sequence,
                    last.last_hash, last.count)), 'ok')
        report = Log.verify()
        self.assertTrue(report['ok'], report)
        self.assertEqual(report['last_good_seal'][0],
            Seal.search([], order=[('last_sequence', 'DESC')])[0].id)
        # The key is nowhere in the database
        pem = open(seal_key.private_key_path()).read()
        secret = pem.splitlines()[2]
        for table in ['egov_audit_seal', 'egov_audit_log',
                'egov_audit_archive']:
            for row in sql('SELECT * FROM %s' % table).fetchall():
                self.assertNotIn(secret, json.dumps(row, default=str))

    @with_transaction()
    def test_reforged_chain_is_named(self):
        "A row changed, the rest re-hashed, the last seal rewritten"
        pool = Pool()
        Log = pool.get('egov.audit.log')
        _, first, last = two_seals()
        target = first.last_sequence + 1
        reforge(target)
        # The chain itself now looks whole: only the signature tells
        report = Log.verify(seal=False)
        self.assertFalse(report['ok'])
        kinds = {p[0] for p in report['problems']}
        self.assertNotIn('hash', kinds)
        self.assertNotIn('link', kinds)
        self.assertEqual(first_seal_problem(report),
            ('seal_signature', last.last_sequence, last.id))
        self.assertIn(('unsigned', first.last_sequence + 1, None,
                last.last_sequence), report['problems'])
        self.assertEqual(report['last_good_seal'][:2],
            (first.id, first.last_sequence))
        with Transaction().set_context(language='zh_CN'):
            text = Log.describe(report)
        self.assertIn('第 %s 号封存' % last.id, text)
        self.assertIn('第 %s 至 %s 号记录在最后一个有效封存之后' % (
                first.last_sequence + 1, last.last_sequence), text)
        self.assertChinese(text)
        # Sealing again (the wizard does) does not launder the forgery
        report = Log.verify(seal=True)
        self.assertFalse(report['ok'])
        self.assertIn('seal_signature', {p[0] for p in report['problems']})

    @with_transaction()
    def test_seal_signed_with_another_key(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Seal = pool.get('egov.audit.seal')
        _, first, last = two_seals()
        head = reforge(first.last_sequence + 1)
        _, mallory = new_key()
        payload = Seal.payload(last.first_sequence, last.last_sequence,
            head, last.count)
        mallory_id, signature = seal_key.sign(payload, mallory)
        # His own key id: not one of the configured keys
        sql('UPDATE egov_audit_seal SET key_id = %s, signature = %s '
            'WHERE id = %s', (mallory_id, signature, last.id))
        report = Log.verify(seal=False)
        self.assertEqual(first_seal_problem(report),
            ('seal_key', last.last_sequence, last.id))
        with Transaction().set_context(language='zh_CN'):
            text = Log.describe(report)
        self.assertIn(mallory_id, text)
        self.assertIn('不在配置的公钥之列', text)
        # The platform's key id with his signature
        sql('UPDATE egov_audit_seal SET key_id = %s WHERE id = %s',
            (last.key_id, last.id))
        report = Log.verify(seal=False)
        self.assertEqual(first_seal_problem(report),
            ('seal_signature', last.last_sequence, last.id))

    @with_transaction()
    def test_deleted_seals_leave_the_rows_unproven(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        _, first, last = two_seals()
        reforge(first.last_sequence + 1)
        sql('DELETE FROM egov_audit_seal WHERE id = %s', (last.id,))
        report = Log.verify()
        self.assertFalse(report['ok'])
        self.assertIn(('unsigned', first.last_sequence + 1, None,
                last.last_sequence), report['problems'])

    @with_transaction()
    def test_key_rotation_keeps_old_seals_verifiable(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Unit = pool.get('egov.org.unit')
        org, first, last = two_seals()
        old_key = seal_key.private_key()
        public_path = os.path.join(tempfile.mkdtemp(prefix='egov-pub-'),
            'public.pem')
        with open(public_path, 'w') as fp:
            fp.write(seal_key.public_pem(old_key.public_key()))
        new_path, new = new_key()
        with Option('audit_seal_key', new_path), \
                Option('audit_seal_public_keys', public_path):
            Unit.write([org.yz_edu], {'phone': '0795-3000009'})
            Log.seal()
            report = Log.verify()
            self.assertTrue(report['ok'], report)
            self.assertEqual(report['last_good_seal'][2],
                seal_key.key_id(new.public_key()))
        # The old public key withdrawn: its seals are named
        with Option('audit_seal_key', new_path), \
                Option('audit_seal_public_keys', None):
            report = Log.verify()
        self.assertEqual(first_seal_problem(report),
            ('seal_key', first.last_sequence, first.id))

    @with_transaction()
    def test_no_key_no_seal(self):
        "Never an unsigned seal: refused, logged, told to the 安全管理员"
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Seal = pool.get('egov.audit.seal')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        User.write([org.city_clerk], {'groups': [('add', [
                            ModelData.get_id('egov_base', 'group_secadmin')
                            ])]})
        for missing in [None, '/nonexistent/seal.pem']:
            with Option('audit_seal_key', missing), \
                    Option('audit_signing_key', None), \
                    Transaction().set_context(language='zh_CN'):
                with self.assertLogs('egov_base.audit', 'ERROR'), \
                        self.assertRaises(AuditSealError) as cm:
                    Log.seal()
                self.assertIn('audit_seal_key', cm.exception.message)
                self.assertChinese(cm.exception.message.replace(
                        '[egov] audit_seal_key', ''))
                self.assertEqual(Seal.search([]), [])
                report = Log.verify()
                self.assertEqual(report['first'][0], 'nokey')
                Log.seal_cron()
                Log.seal_cron()
        self.assertTrue(Log.search([('sequence', '=', None)]))
        told = Notification.search([('user', '=', org.city_clerk.id)])
        self.assertEqual(len(told), 1)
        self.assertEqual(told[0].label, '审计链未封存')
        self.assertEqual(Notification.search(
                [('user', '=', org.yz_clerk.id)]), [])
        # With the key back, everything is sealed and whole
        Log.seal()
        self.assertTrue(Log.verify()['ok'])

    @with_transaction()
    def test_archive_signed_by_a_forged_key_is_named(self):
        "The public key kept in the row proves nothing: the configured does"
        import datetime
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Archive = pool.get('egov.audit.archive')
        old = datetime.datetime.now() - datetime.timedelta(days=400)
        insert_rows(Transaction(), [(old,) + Log.build(
                        'login', model='res.user', record_id=i)[1:]
                for i in range(3)])
        directory = tempfile.mkdtemp(prefix='egov-archive-')
        with Option('audit_archive_path', directory):
            archive = Archive.archive()
            self.assertEqual(archive.count, 3)
            self.assertEqual(archive.verify_file(), [])
            self.assertEqual(archive.key_id, seal_key.key_id(
                    seal_key.private_key().public_key()))
            from egov_base.audit.archive import signed_payload
            values = {n: getattr(archive, n) for n in [
                    'first_sequence', 'last_sequence', 'count',
                    'first_prev_hash', 'last_hash', 'file_sm3']}
            _, mallory = new_key()
            key_id, signature = seal_key.sign(signed_payload(values), mallory)
            if backend.name == 'postgresql':
                sql('ALTER TABLE egov_audit_archive '
                    'DISABLE TRIGGER egov_audit_archive_append_only')
            else:
                sql('DROP TRIGGER egov_audit_archive_no_update')
            sql('UPDATE egov_audit_archive SET key_id = %s, '
                'signature = %s, public_key = %s WHERE id = %s',
                (key_id, signature,
                    seal_key.public_pem(mallory.public_key()), archive.id))
            with Transaction().set_context(language='zh_CN'):
                problems = Archive(archive.id).verify_file()
        self.assertEqual(len(problems), 1)
        self.assertIn('签名', problems[0])


class AuditPersonalTestCase(EgovTestCase):

    @with_transaction()
    def test_auditor_sees_that_personal_values_changed_not_what(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Contact = pool.get('egov.directory.contact')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        with acting_as(org.yz_clerk):
            contact, = Contact.create([{
                        'name': '王医生', 'mobile': '13907950001',
                        'note': '女儿的主治医生'}])
            Contact.write([contact], {'mobile': '13907950002',
                    'name': '王主任'})
            Contact.write([contact], {'mobile': '13907950002'})
            Contact.delete([contact])
        auditor = org.city_clerk
        User.write([auditor], {'groups': [('add', [
                            ModelData.get_id('egov_base', 'group_auditor')
                            ])]})
        with acting_as(auditor):
            rows = Log.search([('model', '=', 'egov.directory.contact')],
                order=[('id', 'ASC')])
            self.assertEqual([r.action for r in rows],
                ['create', 'write', 'write', 'delete'])
            read = Log.read([r.id for r in rows],
                ['changes', 'changes_text'])
            text = json.dumps(read, ensure_ascii=False)
            for value in ['13907950001', '13907950002', '女儿']:
                self.assertNotIn(value, text)
                self.assertEqual(Log.search(
                        [('changes', 'like', '%' + value + '%')]), [])
            create, write, same, delete = [
                json.loads(r['changes']) for r in read]
            self.assertEqual(create['mobile'], [None, '‹personal›'])
            self.assertEqual(write['mobile'],
                ['‹personal›', '‹personal:changed›'])
            self.assertEqual(same['mobile'], ['‹personal›', '‹personal›'])
            self.assertEqual(delete['mobile'], ['‹personal›', None])
            # What is not personal stays readable
            self.assertEqual(write['name'], ['王医生', '王主任'])
            self.assertIn('手机: （个人信息） → （个人信息，已更改）',
                read[1]['changes_text'])

    @with_transaction()
    def test_rows_of_before_are_masked_when_read(self):
        "Values recorded before a field was declared personal"
        pool = Pool()
        Log = pool.get('egov.audit.log')
        create_org()
        Log.flush()
        insert_rows(Transaction(), [Log.build('write',
                    model='egov.directory.contact', record_id=1,
                    changes={'mobile': ['13907950001', '13907950003'],
                        'name': ['甲', '乙']})])
        row, = Log.search([('model', '=', 'egov.directory.contact')])
        changes = json.loads(row.changes)
        self.assertEqual(changes['mobile'],
            ['‹personal›', '‹personal:changed›'])
        self.assertEqual(changes['name'], ['甲', '乙'])
        # The chain keeps what was recorded
        Log.seal()
        self.assertTrue(Log.verify()['ok'])

    @with_transaction()
    def test_refused_call_parameters_are_masked(self):
        from egov_base.audit.errors import describe_call
        create_org()
        _, model, _, _, changes = describe_call(
            'model.egov.directory.contact.write',
            [[1], {'mobile': '13907950001', 'name': '甲'}, {}])
        self.assertEqual(model, 'egov.directory.contact')
        self.assertNotIn('13907950001', changes)
        self.assertIn('甲', changes)


class AuditExportTestCase(EgovTestCase):

    @with_transaction()
    def test_auditor_exports_the_audit(self):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        Export = pool.get('egov.audit.log.export', type='report')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        User.write([org.city_clerk], {'groups': [('add', [
                            ModelData.get_id('egov_base', 'group_auditor')
                            ])]})
        Log.seal()
        with acting_as(org.city_clerk):
            ids = [r.id for r in Log.search([], limit=50)]
            kind, content, _, name = Export.execute(ids, {
                    'model': 'egov.audit.log', 'id': ids[0], 'ids': ids})
        self.assertEqual(kind, 'xlsx')
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(len(rows), len(ids) + 1)
        self.assertIn('登录名', rows[0])
