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
import json
import logging

from sql import Null
from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .chain import CHAIN_COLUMNS
from .exceptions import AuditError
from .policy import PERSONAL, PERSONAL_CHANGED
from .recording import AuditRecording, mask_changes
from .sealing import AuditSealing

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
TRIGGER_NAMES = ('egov_audit_log_append_only', 'egov_audit_log_no_truncate')


class AuditLog(AuditRecording, AuditSealing, ModelSQL, ModelView):
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


# Refused and failed calls reach the audit through the web server's error
# handlers
from . import errors  # noqa: E402,F401
