"""Sealing and verifying the audit chain: the sealer gives committed rows
their gap-free place in the SM3 chain and signs the head (egov.audit.seal);
the verifier walks the chain and describes what it finds."""
import datetime
import json
import logging
import time

from sql import Literal, Null
from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .chain import CHAIN_COLUMNS, canonical_values, check_rows, row_hash
from . import seal_key
from .exceptions import AuditError, AuditSealError

logger = logging.getLogger(__name__)

SEAL_BATCH = 5000
VERIFY_BATCH = 20000
# pg_advisory_xact_lock key of the sealer: 'egovaudt'
SEAL_LOCK = 0x65676f7661756474


class AuditSealing:
    "The sealing and verifying methods of the audit log"
    __slots__ = ()

    @classmethod
    def _head(cls, cursor):
        "Return (sequence, hash) of the last sealed row or of the archive"
        pool = Pool()
        Archive = pool.get('egov.audit.archive')
        table = cls.__table__()
        cursor.execute(*table.select(table.sequence, table.hash,
                where=table.sequence != Null,
                order_by=[table.sequence.desc], limit=1))
        row = cursor.fetchone()
        if row:
            return row
        return Archive.chain_end()

    @classmethod
    def _lock_sealer(cls, transaction):
        if backend.name == 'postgresql':
            cursor = transaction.connection.cursor()
            cursor.execute('SELECT pg_advisory_xact_lock(%s)', (SEAL_LOCK,))
        else:
            # SQLite has one writer at a time
            pass

    @classmethod
    def seal(cls, limit=None):
        """Give the committed, unsealed rows their place in the chain, in
        the order they are found; return the number of rows sealed"""
        pool = Pool()
        Seal = pool.get('egov.audit.seal')
        transaction = Transaction()
        cls.flush()
        if seal_key.private_key() is None:
            # Never an unsigned seal: it would prove nothing
            logger.error("audit chain not sealed: no readable seal key "
                "([egov] audit_seal_key = %s)", seal_key.private_key_path())
            raise AuditSealError(gettext('egov_base.msg_seal_no_key'))
        cls._lock_sealer(transaction)
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        sequence, prev = cls._head(cursor)
        first = sequence + 1
        param = '%s' if backend.name == 'postgresql' else '?'
        update = (f'UPDATE egov_audit_log SET sequence = {param}, '
            f'prev_hash = {param}, hash = {param} WHERE id = {param}')
        columns = [Literal(None) if c in {'sequence', 'prev_hash'}
            else getattr(table, c) for c in CHAIN_COLUMNS]
        sealed = 0
        while limit is None or sealed < limit:
            batch = SEAL_BATCH if limit is None else min(
                SEAL_BATCH, limit - sealed)
            cursor.execute(*table.select(*columns,
                    where=table.sequence == Null,
                    order_by=[table.id.asc], limit=batch))
            rows = cursor.fetchall()
            if not rows:
                break
            updates = []
            for row in rows:
                sequence += 1
                values = list(row)
                values[1] = sequence
                values[-1] = prev
                digest = row_hash(canonical_values(values))
                updates.append((sequence, prev, digest, values[0]))
                prev = digest
            cursor.executemany(update, updates)
            sealed += len(rows)
        if sealed:
            seal = Seal.add(first, sequence, prev, sealed)
            # The log is a trace outside the database of how far the
            # chain was sealed
            logger.info("audit chain sealed %s to %s: %s key %s signature %s",
                first, sequence, prev, seal.key_id, seal.signature)
        return sealed

    @classmethod
    def verify(cls, seal=True):
        """Check the whole chain: the archives, then the rows in order.
        Return a dict: ok, checked, first (the first problem), problems,
        unsealed, seconds, rows_per_second, head."""
        pool = Pool()
        Archive = pool.get('egov.audit.archive')
        Seal = pool.get('egov.audit.seal')
        transaction = Transaction()
        started = time.monotonic()
        problems = []
        if seal:
            try:
                cls.seal()
            except AuditSealError:
                problems.append(('nokey', None, None, None))
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        expected, prev = Archive.check_continuity(problems)
        columns = [getattr(table, c) for c in CHAIN_COLUMNS] + [table.hash]
        last = expected - 1
        checked = 0
        while True:
            cursor.execute(*table.select(*columns,
                    where=(table.sequence != Null) & (table.sequence > last),
                    order_by=[table.sequence.asc], limit=VERIFY_BATCH))
            rows = cursor.fetchall()
            if not rows:
                break
            found, expected, prev, count = check_rows(rows, expected, prev)
            problems.extend(found)
            checked += count
            last = rows[-1][1]
        last_good = Seal.check(expected - 1, prev, problems, cursor)
        cursor.execute(*table.select(table.id, where=table.sequence == Null,
                order_by=[table.id.asc], limit=1))
        unsealed = cursor.fetchone()
        if unsealed:
            cursor.execute(*table.select(
                    Literal(1), where=table.sequence == Null))
            unsealed = len(cursor.fetchall())
        seconds = time.monotonic() - started
        problems.sort(key=lambda p: (p[1] or 0, p[0]))
        return {
            'ok': not problems,
            'checked': checked,
            'head': (expected - 1, prev),
            'last_good_seal': last_good,
            'first': problems[0] if problems else None,
            'problems': problems[:100],
            'problem_count': len(problems),
            'unsealed': unsealed or 0,
            'seconds': seconds,
            'rows_per_second': checked / seconds if seconds else None,
            }

    @classmethod
    def describe_problem(cls, problem):
        "A sentence in the user's language about one problem of verify"
        kind, sequence, record_id, detail = problem
        if kind == 'missing':
            first, last = detail
            return gettext('egov_base.msg_audit_verify_missing',
                first=first, last=last)
        if kind == 'hash':
            return gettext('egov_base.msg_audit_verify_hash',
                sequence=sequence, id=record_id)
        if kind == 'link':
            return gettext('egov_base.msg_audit_verify_link',
                sequence=sequence, id=record_id)
        if kind == 'tail':
            return gettext('egov_base.msg_audit_verify_tail',
                sequence=sequence, last=detail)
        if kind == 'seal':
            return gettext('egov_base.msg_audit_verify_seal',
                sequence=sequence)
        if kind == 'seal_signature':
            first, last, key = detail
            return gettext('egov_base.msg_seal_verify_signature',
                seal=record_id, first=first, last=last)
        if kind == 'seal_key':
            first, last, key = detail
            return gettext('egov_base.msg_seal_verify_unknown_key',
                seal=record_id, first=first, last=last, key=key)
        if kind == 'unsigned':
            return gettext('egov_base.msg_seal_verify_unsigned',
                first=sequence, last=detail)
        if kind == 'nokey':
            return gettext('egov_base.msg_seal_no_key')
        if kind == 'archive':
            return gettext('egov_base.msg_audit_verify_archive',
                archive=detail)
        return '%s %s' % (kind, sequence)

    @classmethod
    def describe(cls, report):
        "The verification report as text in the user's language"
        lines = []
        if report['ok']:
            lines.append(gettext('egov_base.msg_audit_verify_ok',
                    count=report['checked'], sequence=report['head'][0],
                    hash=report['head'][1]))
        else:
            lines.append(gettext('egov_base.msg_audit_verify_failed',
                    count=report['problem_count']))
            for problem in report['problems'][:20]:
                lines.append('- ' + cls.describe_problem(problem))
        last_good = report.get('last_good_seal')
        if last_good:
            lines.append(gettext('egov_base.msg_seal_verify_last_good',
                    seal=last_good[0], sequence=last_good[1],
                    key=last_good[2]))
        if report['unsealed']:
            lines.append(gettext('egov_base.msg_audit_verify_unsealed',
                    count=report['unsealed']))
        lines.append(gettext('egov_base.msg_audit_verify_speed',
                seconds='%.1f' % report['seconds'],
                rate='%.0f' % (report['rows_per_second'] or 0)))
        return '\n'.join(lines)

    @classmethod
    def seal_cron(cls):
        "The scheduler's task: seal what was committed since last time"
        try:
            cls.seal()
        except AuditSealError as error:
            Pool().get('egov.audit.seal').notify_no_key(error.message)


class AuditSeal(ModelSQL, ModelView):
    """Each run of the sealer: how far the chain went, its last hash, and
    the signature of both by the seal key, which the database never holds"""
    __name__ = 'egov.audit.seal'
    __string__ = "Audit Seal"
    _egov_visibility = 'admin'

    first_sequence = fields.Integer("First Sequence", readonly=True)
    last_sequence = fields.Integer("Last Sequence", readonly=True)
    last_hash = fields.Char("Last Hash", readonly=True)
    count = fields.Integer("Count", readonly=True)
    key_id = fields.Char("Key ID", readonly=True,
        help="The fingerprint of the key that signed the seal.")
    signature = fields.Char("Signature", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.last_sequence, Index.Range())))
        cls._order = [('last_sequence', 'DESC'), ('id', 'DESC')]

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not Transaction().context.get('_egov_audit_internal'):
            raise AuditError(gettext('egov_base.msg_audit_log_readonly'))

    @staticmethod
    def payload(first, last, last_hash, count):
        "The bytes a seal signs"
        return json.dumps(['egov-audit-seal', first, last, last_hash, count],
            separators=(',', ':')).encode('ascii')

    @classmethod
    def add(cls, first, last, last_hash, count):
        signed = seal_key.sign(cls.payload(first, last, last_hash, count))
        if signed is None:
            raise AuditSealError(gettext('egov_base.msg_seal_no_key'))
        key_id, signature = signed
        with Transaction().set_context(_egov_audit_internal=True), \
                without_check_access():
            seal, = cls.create([{
                        'first_sequence': first,
                        'last_sequence': last,
                        'last_hash': last_hash,
                        'count': count,
                        'key_id': key_id,
                        'signature': signature,
                        }])
        return seal

    @classmethod
    def check(cls, last_sequence, last_hash, problems, cursor):
        """Check every seal against the configured public keys and the
        chain (whose head is last_sequence, last_hash): a seal signed by
        another key or not matching its signature is named, a valid seal
        whose row no longer has the sealed hash shows a rewritten chain,
        one beyond the head a deleted end. Return (seal id, last sequence,
        key id) of the last valid seal, or None; the rows after it that
        are in the chain are named, as nothing proves them."""
        pool = Pool()
        Archive = pool.get('egov.audit.archive')
        table = cls.__table__()
        log = pool.get('egov.audit.log').__table__()
        keys = seal_key.trusted_keys()
        archived, _ = Archive.chain_end()
        good = None
        good_sequence = archived
        cursor.execute(*table.join(log, 'LEFT',
                condition=log.sequence == table.last_sequence
                ).select(table.id, table.first_sequence,
                table.last_sequence, table.last_hash, table.count,
                table.key_id, table.signature, log.hash,
                order_by=[table.last_sequence.asc, table.id.asc]))
        for (id_, first, last, sealed_hash, count, key_id, signature,
                row_hash_) in cursor:
            if not signature:
                # A seal of before the signatures: it proves nothing, the
                # signed seals after it prove the rows it covered
                continue
            status = seal_key.check(key_id, signature,
                cls.payload(first, last, sealed_hash, count), keys)
            if status != 'ok':
                problems.append((
                        'seal_key' if status == 'unknown'
                        else 'seal_signature',
                        last, id_, (first, last, key_id)))
                continue
            if row_hash_ is not None:
                if row_hash_ != sealed_hash:
                    problems.append(('seal', last, None, None))
                    continue
            elif last > last_sequence:
                problems.append(('tail', last_sequence + 1, None, last))
                continue
            elif last > archived:
                # The row is missing: check_rows names it
                continue
            if last >= good_sequence:
                good, good_sequence = (id_, last, key_id), last
        if last_sequence > good_sequence:
            problems.append(('unsigned', good_sequence + 1, None,
                    last_sequence))
        return good

    @classmethod
    def notify_no_key(cls, message):
        """Tell the security administrators that the chain is not sealed,
        once a day"""
        from ..security.roles import Roles
        pool = Pool()
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        label = gettext('egov_base.msg_seal_no_key_label')
        since = datetime.datetime.now() - datetime.timedelta(days=1)
        with without_check_access():
            if Notification.search([
                        ('label', '=', label),
                        ('create_date', '>=', since),
                        ], limit=1):
                return
            users = User.search([])
            groups = Roles.users_groups([u.id for u in users])
            Notification.create([{
                        'user': u.id,
                        'label': label,
                        'description': message[:256],
                        'icon': 'tryton-warning',
                        } for u in users
                    if 'secadmin' in Roles.roles_of_groups(
                        groups.get(u.id, ()))])
