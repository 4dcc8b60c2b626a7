"""The behaviour audit (行为审计): an append-only, SM3 hash-chained table of
who did what, when, from where, on which record, with which result and
which changed values.

Rows are buffered per transaction and inserted when it commits, in the
same database transaction as the changes they describe; refused and failed
actions are written in a transaction of their own, since theirs is rolled
back. A sealer gives the committed rows their place in the chain (a
gap-free sequence number, the previous row's hash and their own hash), in
the order it sees them, so that a transaction still in flight or rolled
back never leaves a hole: a missing sequence number always means a deleted
row. The database itself refuses UPDATE (except the sealing of an unsealed
row), DELETE (except of archived rows) and TRUNCATE."""
import datetime
import json
import logging
import time

from sql import Literal, Null
from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .chain import (
    CHAIN_COLUMNS,
    canonical_values,
    check_rows,
    row_hash,
    sm3_hex,
)
from . import seal_key
from .exceptions import AuditError, AuditSealError
from .policy import (
    PERSONAL,
    PERSONAL_CHANGED,
    mask_personal,
    personal_fields,
)

logger = logging.getLogger(__name__)

ACTIONS = [
    ('create', "Create"),
    ('write', "Modify"),
    ('delete', "Delete"),
    ('read', "Read"),
    ('login', "Log In"),
    ('login_failed', "Failed Login"),
    ('logout', "Log Out"),
    ('session_invalid', "Invalid Session"),
    ('export', "Export"),
    ('import', "Import"),
    ('print', "Print"),
    ('download', "Download"),
    ('button', "Button"),
    ('wizard', "Wizard"),
    ('transition', "State Change"),
    ('rpc', "Call"),
    ('seal', "Seal"),
    ('verify', "Verify"),
    ('archive', "Archive"),
    ]
RESULTS = [
    ('success', "Success"),
    ('refused', "Refused"),
    ('failed', "Failed"),
    ]
# The columns the capture fills, in the order of the insert
INSERT_COLUMNS = (
    'timestamp', 'user_id', 'login', 'user_name', 'post_id', 'post_name',
    'unit_id', 'unit_name', 'division_id', 'division_name', 'address',
    'session', 'model', 'record_id', 'record_name', 'action', 'result',
    'method', 'message', 'changes',
    )
# Longest text kept of one value; longer ones keep their start, their
# length and their SM3, so that the evidence stays checkable
MAX_TEXT = 2000
MAX_MESSAGE = 4000
TRIGGER_NAMES = ('egov_audit_log_append_only', 'egov_audit_log_no_truncate')
SEAL_BATCH = 5000
VERIFY_BATCH = 20000
# pg_advisory_xact_lock key of the sealer: 'egovaudt'
SEAL_LOCK = 0x65676f7661756474


def clip(value, limit=MAX_TEXT):
    "Return the text value, shortened past limit characters with its proof"
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if len(value) <= limit:
        return value
    return '%s…[+%d, SM3 %s]' % (
        value[:limit], len(value) - limit,
        sm3_hex(value.encode('utf-8', 'surrogatepass')))


def session_hash(key):
    "The session as the audit keeps it: never the key, only its SM3"
    if not key:
        return None
    if isinstance(key, bytes):
        key = key.decode('utf-8', 'replace')
    return sm3_hex(key.encode('utf-8', 'surrogatepass'))


def request_info(context=None):
    "Return (address, session hash) of the HTTP request of the context"
    if context is None:
        context = Transaction().context
    request = context.get('_request') or {}
    return request.get('remote_addr'), request.get('egov_session')


def mask_changes(model, text):
    "The changes (JSON text) of a row of model, personal values masked"
    if not text or not model:
        return text
    personal = personal_fields(model)
    if not personal:
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    masked = mask_personal(value, personal)
    if masked == value:
        return text
    return json.dumps(masked, ensure_ascii=False, sort_keys=True)


class AuditBuffer:
    """The audit rows of one transaction, inserted when it commits (a
    Tryton data manager: its commit runs inside the database transaction,
    just before the database commits)"""

    def __init__(self):
        self.rows = []

    def __eq__(self, other):
        return isinstance(other, AuditBuffer)

    def __hash__(self):
        return hash(AuditBuffer)

    def tpc_begin(self, transaction):
        pass

    def commit(self, transaction):
        if transaction.readonly:
            # Reads, exports and downloads run in read-only transactions:
            # their rows are written apart
            rows, self.rows = self.rows, []
            write_apart(transaction, rows)
        else:
            self.flush(transaction)

    def flush(self, transaction):
        if not self.rows or transaction.readonly:
            return
        rows, self.rows = self.rows, []
        insert_rows(transaction, rows)

    def tpc_vote(self, transaction):
        pass

    def tpc_finish(self, transaction):
        pass

    def tpc_abort(self, transaction):
        rows, self.rows = self.rows, []
        if transaction.readonly:
            # A read-only transaction changed nothing: what it read or
            # exported happened all the same
            write_apart(transaction, rows)


def write_apart(transaction, rows):
    "Write rows in a transaction of their own; log, never raise, a failure"
    if not rows:
        return
    if transaction.database.name == ':memory:':
        # The tests' in-memory SQLite database has one connection:
        # committing apart would commit the caller's work too
        insert_rows(transaction, rows)
        return
    try:
        with Transaction().new_transaction() as apart:
            insert_rows(apart, rows)
            apart.commit()
    except Exception:
        logger.exception("could not record %s audit rows", len(rows))


def insert_rows(transaction, rows):
    """Append rows (tuples in INSERT_COLUMNS order): COPY on PostgreSQL,
    one prepared INSERT for all rows on SQLite"""
    now = datetime.datetime.now()
    columns = INSERT_COLUMNS + ('create_uid', 'create_date')
    names = ', '.join('"%s"' % c for c in columns)
    cursor = transaction.connection.cursor()
    if backend.name == 'postgresql':
        with cursor.copy(
                'COPY egov_audit_log (%s) FROM STDIN' % names) as copy:
            for row in rows:
                copy.write_row((*row, row[1] or 0, now))
    else:
        cursor.executemany(
            'INSERT INTO egov_audit_log (%s) VALUES (%s)' % (
                names, ', '.join('?' * len(columns))),
            [(*r, r[1] or 0, now) for r in rows])


class AuditLog(ModelSQL, ModelView):
    __name__ = 'egov.audit.log'
    __string__ = "Audit Log"
    _egov_visibility = 'admin'
    _rec_name = 'record_name'

    sequence = fields.Integer(
        "Sequence", readonly=True,
        help="The position of the record in the hash chain, given when it "
        "is sealed.")
    timestamp = fields.Timestamp("Time", readonly=True)
    user_id = fields.Integer("User ID", readonly=True)
    user = fields.Function(
        fields.Many2One('res.user', "User"),
        'get_actor', searcher='search_actor')
    login = fields.Char("Login", readonly=True)
    user_name = fields.Char("Name", readonly=True)
    post_id = fields.Integer("Post ID", readonly=True)
    post = fields.Function(
        fields.Many2One('egov.org.post', "Post"),
        'get_actor', searcher='search_actor')
    post_name = fields.Char("Post", readonly=True)
    unit_id = fields.Integer("Unit ID", readonly=True)
    unit = fields.Function(
        fields.Many2One('egov.org.unit', "Unit"),
        'get_actor', searcher='search_actor')
    unit_name = fields.Char("Unit", readonly=True)
    division_id = fields.Integer("Division ID", readonly=True)
    division = fields.Function(
        fields.Many2One('egov.org.unit', "Division"),
        'get_actor', searcher='search_actor')
    division_name = fields.Char("Division", readonly=True)
    address = fields.Char("Address", readonly=True,
        help="The network address the request came from.")
    session = fields.Char("Session", readonly=True,
        help="The SM3 hash of the session: the same value means the same "
        "session.")
    model = fields.Selection('get_models', "Model", readonly=True)
    record_id = fields.Integer("Record ID", readonly=True)
    record_name = fields.Char("Record", readonly=True)
    action = fields.Selection(ACTIONS, "Action", readonly=True)
    action_string = action.translated('action')
    result = fields.Selection(RESULTS, "Result", readonly=True)
    method = fields.Char("Method", readonly=True)
    message = fields.Text("Message", readonly=True)
    changes = fields.Text("Changes (JSON)", readonly=True)
    changes_text = fields.Function(fields.Text("Changes"), 'get_changes_text')
    prev_hash = fields.Char("Previous Hash", readonly=True)
    hash = fields.Char("Hash", readonly=True)
    sealed = fields.Function(fields.Boolean("Sealed"), 'get_sealed')

    _actor_cache = Cache('egov_audit_log.actor', context=False, duration=3600)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('sequence_unique', Unique(t, t.sequence),
                'egov_base.msg_audit_sequence_unique'),
            ]
        # The auditor's filters: a time range, alone or with a user, a
        # unit, a division, a model, an action or a result
        cls._sql_indexes.update({
                Index(t, (t.timestamp, Index.Range())),
                Index(t, (t.user_id, Index.Range()),
                    (t.timestamp, Index.Range())),
                Index(t, (t.unit_id, Index.Range()),
                    (t.timestamp, Index.Range())),
                Index(t, (t.division_id, Index.Range()),
                    (t.timestamp, Index.Range())),
                Index(t, (t.model, Index.Range()),
                    (t.timestamp, Index.Range())),
                Index(t, (t.action, Index.Range()),
                    (t.timestamp, Index.Range())),
                Index(t, (t.result, Index.Range()),
                    (t.timestamp, Index.Range()),
                    where=t.result != 'success'),
                Index(t, (t.model, Index.Equality()),
                    (t.record_id, Index.Range())),
                # The sealer's work list
                Index(t, (t.id, Index.Range()), where=t.sequence == Null),
                })
        cls._order = [('timestamp', 'DESC'), ('id', 'DESC')]

    @classmethod
    def __register__(cls, module_name):
        # Schema changes of the module itself may rewrite rows: the
        # triggers come off for the update and go back on after it
        cls._drop_triggers()
        super().__register__(module_name)
        cls._create_triggers()

    @classmethod
    def _drop_triggers(cls):
        cursor = Transaction().connection.cursor()
        if backend.name == 'postgresql':
            cursor.execute("SELECT to_regclass('egov_audit_log')")
            if cursor.fetchone()[0] is None:
                return
            for name in TRIGGER_NAMES:
                cursor.execute(
                    'DROP TRIGGER IF EXISTS "%s" ON egov_audit_log' % name)
        else:
            for name in ('egov_audit_log_no_update',
                    'egov_audit_log_no_delete'):
                cursor.execute('DROP TRIGGER IF EXISTS "%s"' % name)

    @classmethod
    def _create_triggers(cls):
        cursor = Transaction().connection.cursor()
        message = ('egov_audit_log is append-only: audit records cannot be '
            'changed or deleted')
        if backend.name == 'postgresql':
            cursor.execute("""
CREATE OR REPLACE FUNCTION egov_audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- The sealer sets the place in the chain of an unsealed row, once
        IF OLD.sequence IS NULL AND OLD.hash IS NULL
                AND NEW.sequence IS NOT NULL AND NEW.hash IS NOT NULL
                AND (to_jsonb(NEW) - 'sequence' - 'prev_hash' - 'hash')
                    = (to_jsonb(OLD) - 'sequence' - 'prev_hash' - 'hash') THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        -- Only rows that an archive holds (file, hash and signature)
        IF OLD.sequence IS NOT NULL AND EXISTS (
                SELECT 1 FROM egov_audit_archive a
                WHERE OLD.sequence BETWEEN a.first_sequence
                    AND a.last_sequence) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '%s (% of row %)', TG_OP,
        CASE WHEN TG_OP = 'TRUNCATE' THEN NULL ELSE OLD.id END
        USING ERRCODE = 'insufficient_privilege';
END
$$""".replace('%s', message))
            cursor.execute(
                'CREATE TRIGGER egov_audit_log_append_only '
                'BEFORE UPDATE OR DELETE ON egov_audit_log '
                'FOR EACH ROW EXECUTE FUNCTION egov_audit_log_append_only()')
            cursor.execute(
                'CREATE TRIGGER egov_audit_log_no_truncate '
                'BEFORE TRUNCATE ON egov_audit_log '
                'FOR EACH STATEMENT '
                'EXECUTE FUNCTION egov_audit_log_append_only()')
        else:
            same = ' AND '.join(
                'NEW."%s" IS OLD."%s"' % (c, c)
                for c in CHAIN_COLUMNS + ('create_uid', 'create_date')
                if c not in {'sequence', 'prev_hash'})
            cursor.execute(
                'CREATE TRIGGER egov_audit_log_no_update '
                'BEFORE UPDATE ON egov_audit_log '
                'WHEN NOT (OLD.sequence IS NULL AND OLD.hash IS NULL '
                'AND NEW.sequence IS NOT NULL AND NEW.hash IS NOT NULL '
                'AND %s) '
                "BEGIN SELECT RAISE(ABORT, '%s'); END" % (same, message))
            cursor.execute(
                'CREATE TRIGGER egov_audit_log_no_delete '
                'BEFORE DELETE ON egov_audit_log '
                'WHEN OLD.sequence IS NULL OR NOT EXISTS ('
                'SELECT 1 FROM egov_audit_archive a '
                'WHERE OLD.sequence BETWEEN a.first_sequence '
                'AND a.last_sequence) '
                "BEGIN SELECT RAISE(ABORT, '%s'); END" % message)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        raise AuditError(gettext('egov_base.msg_audit_log_readonly'))

    @classmethod
    def get_models(cls):
        Model = Pool().get('ir.model')
        return [(None, '')] + Model.get_name_items()

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        # Read what this transaction recorded, as every model reads its
        # own writes
        cls.flush()
        records = super().search(domain, offset=offset, limit=limit,
            order=order, count=count, query=query)
        if not (count or query):
            # search caches the columns it read: the changes must come
            # through read, which masks them
            cache = Transaction().get_cache()[cls.__name__]
            for record in records:
                if record.id in cache:
                    cache[record.id]._pop('changes', None)
        return records

    @classmethod
    def read(cls, ids, fields_names):
        # Rows recorded before a field was declared personal keep its
        # values: they are masked whenever they are read
        names = list(fields_names)
        extra = 'changes' in names and 'model' not in names
        rows = super().read(ids, names + ['model'] if extra else names)
        if 'changes' in names:
            for row in rows:
                row['changes'] = mask_changes(
                    row.get('model'), row['changes'])
                if extra:
                    del row['model']
        return rows

    @classmethod
    def get_actor(cls, logs, names):
        result = {}
        for name in names:
            column = name + '_id'
            result[name] = {log.id: getattr(log, column) for log in logs}
        return result

    @classmethod
    def search_actor(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str):
            if name == 'user':
                return ['OR',
                    ('login', operator, operand),
                    ('user_name', operator, operand),
                    ]
            return [(name + '_name', operator, operand)]
        return [(name + '_id', operator, operand, *extra)]

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.login, self.action_string, self.record_name]))

    def get_changes_text(self, name):
        pool = Pool()
        Field = pool.get('ir.model.field')
        if not self.changes:
            return None
        try:
            changes = json.loads(self.changes)
        except ValueError:
            return self.changes
        if not isinstance(changes, dict):
            return self.changes
        lines = []
        for field, value in sorted(changes.items()):
            label = field
            if self.model:
                try:
                    label = Field.get_name(self.model, field) or field
                except Exception:
                    label = field
            if isinstance(value, list) and len(value) == 2:
                old, new = (self._format_value(v) for v in value)
                lines.append('%s: %s → %s' % (label, old, new))
            else:
                lines.append('%s: %s' % (label, self._format_value(value)))
        return '\n'.join(lines)

    @staticmethod
    def _format_value(value):
        if value is None:
            return '∅'
        if value == PERSONAL:
            return gettext('egov_base.msg_seal_personal')
        if value == PERSONAL_CHANGED:
            return gettext('egov_base.msg_seal_personal_changed')
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    @classmethod
    def get_sealed(cls, logs, name):
        return {log.id: bool(log.hash) for log in logs}

    # Recording

    @classmethod
    def actor(cls, user_id=None):
        """Return the snapshot of the user as the audit keeps it: (user id,
        login, name, post id, post name, unit id, unit name, division id,
        division name)"""
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        if user_id is None:
            user_id = transaction.user
        if user_id is None:
            return (None,) + (None,) * 8
        scope = User.get_org_scope(user_id) if user_id else {}
        post_id = scope.get('post')
        unit_id = scope.get('unit')
        division_id = scope.get('division')
        key = (user_id, post_id, unit_id, division_id)
        snapshot = cls._actor_cache.get(key)
        if snapshot is not None:
            return snapshot
        # One query for the names: a person's first action of the day
        # (the snapshot is taken again when the scope changes) should not
        # cost reads of the post, its unit and the division
        Post = pool.get('egov.org.post')
        Unit = pool.get('egov.org.unit')
        user_table = User.__table__()
        post, node, node_unit = (Post.__table__(), Unit.__table__(),
            Unit.__table__())
        unit, division = Unit.__table__(), Unit.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*user_table
            .join(post, 'LEFT', condition=post.id == (post_id or -1))
            .join(node, 'LEFT', condition=node.id == post.unit)
            .join(node_unit, 'LEFT', condition=node_unit.id == node.unit)
            .join(unit, 'LEFT', condition=unit.id == (unit_id or -1))
            .join(division, 'LEFT',
                condition=division.id == (division_id or -1))
            .select(user_table.login, user_table.name, post.name,
                node.name, node.kind, node_unit.name, unit.name,
                division.name,
                where=user_table.id == user_id))
        (login, name, post_title, node_name, node_kind, node_unit_name,
            unit_name, division_name) = cursor.fetchone() or (None,) * 8
        post_name = None
        if post_title is not None:
            post_name = Post.format_rec_name(
                Unit.format_rec_name(node_name, node_kind, node_unit_name),
                post_title)
        snapshot = (user_id, login, name, post_id, post_name,
            unit_id, unit_name, division_id, division_name)
        cls._actor_cache.set(key, snapshot)
        return snapshot

    @classmethod
    def build(cls, action, model=None, record_id=None, record_name=None,
            result='success', method=None, message=None, changes=None,
            user_id=None, context=None, actor=None, session=None):
        "Return one row (a tuple in INSERT_COLUMNS order)"
        if actor is None:
            actor = cls.actor(user_id)
        address, request_session = request_info(context)
        session = session or request_session
        if changes is not None and not isinstance(changes, str):
            changes = json.dumps(changes, ensure_ascii=False,
                sort_keys=True, default=str)
        return (datetime.datetime.now(), *actor, clip(address, 64),
            session, clip(model, 128), record_id, clip(record_name, 512),
            action, result, clip(method, 256), clip(message, MAX_MESSAGE),
            clip(changes, MAX_TEXT * 10))

    @classmethod
    def record(cls, action, **values):
        """Record an action in the current transaction: the row is written
        when the transaction commits, and is gone if it rolls back.

        The API for every module: action (see ACTIONS), model, record_id,
        record_name, result, method, message, changes (a dict of field
        name to [old, new] or any JSON-able value), user_id."""
        cls.buffer().rows.append(cls.build(action, **values))

    @classmethod
    def record_rows(cls, rows):
        cls.buffer().rows.extend(rows)

    @classmethod
    def buffer(cls):
        return Transaction().join(AuditBuffer())

    @classmethod
    def flush(cls):
        "Write the rows recorded so far in the current transaction"
        transaction = Transaction()
        for datamanager in transaction._datamanagers or []:
            if isinstance(datamanager, AuditBuffer):
                datamanager.flush(transaction)

    @classmethod
    def record_apart(cls, action, **values):
        """Record an action in a transaction of its own (the action's own
        transaction is rolled back, as for refusals and failures). Never
        raises: a failure to record is logged."""
        transaction = Transaction()
        if transaction.database.name == ':memory:':
            # (One connection in the tests' in-memory SQLite: see above)
            insert_rows(transaction, [cls.build(action, **values)])
            return
        try:
            with Transaction().new_transaction() as apart:
                cls.record_apart_in(apart, action, **values)
        except Exception:
            logger.exception("could not record the %s audit row", action)

    @classmethod
    def record_apart_in(cls, transaction, action, **values):
        "Write one row in transaction and commit it"
        insert_rows(transaction, [cls.build(action, **values)])
        transaction.commit()

    # The chain

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


# Refused and failed calls reach the audit through the web server's error
# handlers
from . import errors  # noqa: E402,F401
