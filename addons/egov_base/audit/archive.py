"""Retention (至少保存 180 天): sealed rows older than the retention period
are written to a gzip file of JSON lines with a detached signature by the
seal key (seal_key.py: a file the database cannot read), recorded here with their range, count, the file's SM3 and the
signature, and only then deleted from the table. Nothing is dropped
without a file that proves what it held."""
import datetime
import gzip
import json
import logging
import os

from cryptography.hazmat.primitives import serialization
from sql import Null
from trytond import backend, config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import seal_key
from .chain import CHAIN_COLUMNS, GENESIS, canonical_values, check_rows, sm3_file
from .exceptions import AuditArchiveError, AuditError, AuditSealError

logger = logging.getLogger(__name__)
MIN_RETENTION_DAYS = 180
ARCHIVE_BATCH = 20000


def retention_days():
    days = config.getint('egov', 'audit_retention_days',
        default=MIN_RETENTION_DAYS)
    return max(days, MIN_RETENTION_DAYS)


def data_directory():
    return config.get('database', 'path') or os.path.join(
        os.path.expanduser('~'), 'db')


def archive_directory():
    path = config.get('egov', 'audit_archive_path') or os.path.join(
        data_directory(), 'audit-archive', Transaction().database.name)
    os.makedirs(path, mode=0o750, exist_ok=True)
    return path


def signed_payload(archive):
    "The bytes signed for an archive: its range, count and file hash"
    return json.dumps([archive['first_sequence'], archive['last_sequence'],
            archive['count'], archive['first_prev_hash'],
            archive['last_hash'], archive['file_sm3']],
        separators=(',', ':')).encode('ascii')


class AuditArchive(ModelSQL, ModelView):
    __name__ = 'egov.audit.archive'
    __string__ = "Audit Archive"
    _egov_visibility = 'admin'

    first_sequence = fields.Integer("First Sequence", readonly=True)
    last_sequence = fields.Integer("Last Sequence", readonly=True)
    first_time = fields.Timestamp("From", readonly=True)
    last_time = fields.Timestamp("To", readonly=True)
    count = fields.Integer("Records", readonly=True)
    first_prev_hash = fields.Char("Hash Before", readonly=True)
    last_hash = fields.Char("Last Hash", readonly=True)
    filename = fields.Char("File", readonly=True)
    file_sm3 = fields.Char("File SM3", readonly=True)
    signature = fields.Char("Signature", readonly=True)
    key_id = fields.Char("Key ID", readonly=True,
        help="The fingerprint of the key that signed the archive.")
    public_key = fields.Text("Public Key", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('first_sequence', 'DESC'), ('id', 'DESC')]

    @classmethod
    def __register__(cls, module_name):
        super().__register__(module_name)
        cursor = Transaction().connection.cursor()
        message = 'egov_audit_archive rows cannot be changed or deleted'
        if backend.name == 'postgresql':
            cursor.execute("""
CREATE OR REPLACE FUNCTION egov_audit_archive_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%s' USING ERRCODE = 'insufficient_privilege';
END
$$""" % message)
            cursor.execute('DROP TRIGGER IF EXISTS egov_audit_archive_append_only '
                'ON egov_audit_archive')
            cursor.execute('CREATE TRIGGER egov_audit_archive_append_only '
                'BEFORE UPDATE OR DELETE OR TRUNCATE ON egov_audit_archive '
                'FOR EACH STATEMENT '
                'EXECUTE FUNCTION egov_audit_archive_append_only()')
        else:
            for event in ('UPDATE', 'DELETE'):
                name = 'egov_audit_archive_no_%s' % event.lower()
                cursor.execute('DROP TRIGGER IF EXISTS "%s"' % name)
                cursor.execute('CREATE TRIGGER "%s" BEFORE %s '
                    'ON egov_audit_archive '
                    "BEGIN SELECT RAISE(ABORT, '%s'); END"
                    % (name, event, message))

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not (mode == 'create'
                and Transaction().context.get('_egov_audit_internal')):
            raise AuditError(gettext('egov_base.msg_audit_log_readonly'))

    @classmethod
    def chain_end(cls):
        "Return (sequence, hash) of the end of the archived chain"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.last_sequence, table.last_hash,
                order_by=[table.last_sequence.desc], limit=1))
        return cursor.fetchone() or (0, GENESIS)

    @classmethod
    def check_continuity(cls, problems):
        """Check that the archives follow each other; return (the first
        sequence expected in the table, the hash before it)"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, table.first_sequence,
                table.last_sequence, table.first_prev_hash, table.last_hash,
                order_by=[table.first_sequence.asc]))
        expected, prev = 1, GENESIS
        for id_, first, last, first_prev, last_hash in cursor.fetchall():
            if first != expected or first_prev != prev:
                problems.append(('archive', first, None, id_))
            expected, prev = last + 1, last_hash
        return expected, prev

    @classmethod
    def archive(cls, before=None):
        """Archive the sealed rows older than the retention period (or
        than before, which may not be more recent); return the archive
        record or None when there was nothing to archive"""
        pool = Pool()
        Log = pool.get('egov.audit.log')
        transaction = Transaction()
        limit = (datetime.datetime.now()
            - datetime.timedelta(days=retention_days()))
        if before is None or before > limit:
            before = limit
        Log.seal()
        key = seal_key.private_key()
        if key is None:
            raise AuditSealError(gettext('egov_base.msg_seal_no_key'))
        table = Log.__table__()
        cursor = transaction.connection.cursor()
        start_sequence, prev = cls.chain_end()
        columns = [getattr(table, c) for c in CHAIN_COLUMNS] + [table.hash]
        # Archive a prefix of the chain: from its start to the last row
        # before the limit with no newer row before it
        cursor.execute(*table.select(table.sequence,
                where=(table.sequence != Null) & (table.timestamp >= before),
                order_by=[table.sequence.asc], limit=1))
        newer = cursor.fetchone()
        where = (table.sequence != Null) & (table.sequence > start_sequence)
        if newer:
            where &= table.sequence < newer[0]
        cursor.execute(*table.select(table.sequence, where=where,
                order_by=[table.sequence.desc], limit=1))
        last = cursor.fetchone()
        if not last:
            return None
        last_sequence = last[0]
        directory = archive_directory()
        stamp = datetime.datetime.now().strftime('%Y%m%d%H%M%S')
        filename = 'audit-%s-%010d-%010d-%s.jsonl.gz' % (
            transaction.database.name, start_sequence + 1, last_sequence,
            stamp)
        path = os.path.join(directory, filename)
        count, first_time, last_time = 0, None, None
        expected, chain_prev = start_sequence + 1, prev
        with gzip.open(path + '.part', 'wt', encoding='utf-8') as fp:
            low = start_sequence
            while True:
                cursor.execute(*table.select(*columns,
                        where=(table.sequence > low)
                        & (table.sequence <= last_sequence),
                        order_by=[table.sequence.asc], limit=ARCHIVE_BATCH))
                rows = cursor.fetchall()
                if not rows:
                    break
                problems, expected, chain_prev, _ = check_rows(
                    rows, expected, chain_prev)
                if problems:
                    os.unlink(path + '.part')
                    raise AuditArchiveError(gettext(
                            'egov_base.msg_audit_archive_broken',
                            problem=Log.describe_problem(problems[0])))
                for row in rows:
                    values = canonical_values(row[:-1])
                    values.append(row[-1])
                    fp.write(json.dumps(values, ensure_ascii=False,
                            separators=(',', ':')) + '\n')
                    count += 1
                    first_time = first_time or values[2]
                    last_time = values[2]
                low = rows[-1][1]
        os.replace(path + '.part', path)
        values = {
            'first_sequence': start_sequence + 1,
            'last_sequence': last_sequence,
            'count': count,
            'first_prev_hash': prev,
            'last_hash': chain_prev,
            'file_sm3': sm3_file(path),
            }
        values['key_id'], values['signature'] = seal_key.sign(
            signed_payload(values), key)
        values.update({
                'filename': filename,
                'public_key': seal_key.public_pem(key.public_key()),
                'first_time': datetime.datetime.fromisoformat(first_time),
                'last_time': datetime.datetime.fromisoformat(last_time),
                })
        with transaction.set_context(_egov_audit_internal=True), \
                without_check_access():
            archive, = cls.create([values])
        # The database lets archived rows go, and only those
        cursor.execute(*table.delete(
                where=(table.sequence >= start_sequence + 1)
                & (table.sequence <= last_sequence)))
        Log.record('archive', model=cls.__name__, record_id=archive.id,
            record_name=filename, message=str(count),
            changes={'first_sequence': start_sequence + 1,
                'last_sequence': last_sequence, 'file_sm3': values['file_sm3']})
        logger.info("audit archived %s rows to %s", count, path)
        return archive

    def path(self):
        return os.path.join(archive_directory(), self.filename)

    def verify_file(self):
        """Check the file of the archive: it exists, its SM3 and signature
        match, its rows chain from first_prev_hash to last_hash. Return a
        list of problem messages (empty when the archive is intact)"""
        problems = []
        path = self.path()
        if not os.path.exists(path):
            return [gettext('egov_base.msg_audit_archive_file_missing',
                    file=self.filename)]
        values = {
            'first_sequence': self.first_sequence,
            'last_sequence': self.last_sequence,
            'count': self.count,
            'first_prev_hash': self.first_prev_hash,
            'last_hash': self.last_hash,
            'file_sm3': self.file_sm3,
            }
        digest = sm3_file(path)
        if digest != self.file_sm3:
            problems.append(gettext('egov_base.msg_audit_archive_file_changed',
                    file=self.filename))
        # Only a key of the configuration proves anything: the public key
        # kept in the row names the key of an archive made before key ids
        key_id = self.key_id
        if not key_id and self.public_key:
            try:
                key_id = seal_key.key_id(serialization.load_pem_public_key(
                        self.public_key.encode('ascii')))
            except ValueError:
                key_id = None
        if seal_key.check(key_id, self.signature,
                signed_payload(values)) != 'ok':
            problems.append(gettext(
                    'egov_base.msg_audit_archive_signature_invalid',
                    file=self.filename))
        try:
            with gzip.open(path, 'rt', encoding='utf-8') as fp:
                rows = (json.loads(line) for line in fp)
                found, next_sequence, last_hash, count = check_rows(
                    rows, self.first_sequence, self.first_prev_hash)
        except (OSError, ValueError, EOFError, TypeError, IndexError):
            found, next_sequence, last_hash, count = (
                [('unreadable', None, None, None)], None, None, None)
            problems.append(gettext(
                    'egov_base.msg_audit_archive_file_changed',
                    file=self.filename))
        else:
            if (found or count != self.count
                    or next_sequence != self.last_sequence + 1
                    or last_hash != self.last_hash):
                problems.append(gettext(
                        'egov_base.msg_audit_archive_rows_changed',
                        file=self.filename))
        return problems

    @classmethod
    def archive_cron(cls):
        "The scheduler's task: archive what is past the retention period"
        cls.archive()
