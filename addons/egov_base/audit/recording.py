"""Recording the behaviour audit: the actor's snapshot, the rows buffered
per transaction and inserted at commit, and the rows of refused or failed
calls written apart (their own transaction is rolled back)."""
import datetime
import json
import logging

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

from .chain import sm3_hex
from .policy import mask_personal, personal_fields

logger = logging.getLogger(__name__)

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


class AuditRecording:
    "The recording methods of the audit log"
    __slots__ = ()

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
