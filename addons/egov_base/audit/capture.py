"""The capture: mixins that Tryton puts under every model and report of the
pool ([register_mixin] in tryton.cfg), so that every create, write,
delete, export, import, button, wizard and state change, the downloads of
files and the reads under tracking are recorded, whoever calls them."""
import functools
import threading

from trytond import backend
from trytond.model import fields
from trytond.model.descriptors import dualmethod
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from ..tools import IN_MAX
from .chain import sm3_hex
from .recording import MAX_TEXT, clip
from .policy import (
    HIDDEN,
    NEVER,
    TRACKED_ALL,
    is_secret,
    mask_personal,
    personal_fields,
)

EXPORT_FORMATS = {'xlsx', 'xls', 'csv', 'ods', 'odt', 'docx', 'txt', 'json'}
MAX_IDS = 1000
_local = threading.local()


def _active():
    "The models being audited in the current transaction (nested calls)"
    active = getattr(_local, 'active', None)
    if active is None:
        active = _local.active = {}
    return active.setdefault(id(Transaction()), set())


class _Entered:
    "Mark the model as being audited for the calls nested in the block"
    __slots__ = ('models', 'name')

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.models = _active()
        self.models.add(self.name)

    def __exit__(self, *exc):
        self.models.discard(self.name)
        if not self.models:
            _local.active.pop(id(Transaction()), None)


def policy_for(cls, action):
    """Return the Policy of the model when action is to be recorded in the
    current transaction, else None"""
    name = cls.__name__
    if name in NEVER:
        return None
    transaction = Transaction()
    if transaction.context.get('module') or transaction.user is None:
        # Data of the modules, loaded by their installation or update
        return None
    active = getattr(_local, 'active', None)
    if active and name in active.get(id(transaction), ()):
        return None
    pool = Pool()
    try:
        Policy = pool.get('egov.audit.policy')
    except KeyError:
        return None
    policy = Policy.get(name)
    if policy is None or action not in policy.actions:
        Track = pool.get('egov.audit.track')
        users, _ = Track.tracked()
        if transaction.user in users:
            return TRACKED_ALL
        return None
    return policy


def jsonable(field, value):
    "A read value as the audit keeps it: no bytes, no secrets"
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value)
        return {'size': len(value), 'sm3': sm3_hex(value)}
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return clip(value)
    if isinstance(value, (list, tuple)) and len(value) > MAX_IDS:
        return list(value[:MAX_IDS]) + ['…+%d' % (len(value) - MAX_IDS)]
    return value


def audited_names(cls, names, policy):
    "Split names into fields whose values are read and hidden fields"
    read, hidden = [], []
    for name in names:
        field = cls._fields.get(name)
        if field is None:
            continue
        if (name in policy.excluded or is_secret(name)
                or not policy.values or computed_file(field)):
            hidden.append(name)
        else:
            read.append(name)
    return read, hidden


def computed_file(field):
    """A file computed on reading (a user's photo, resized from ir.avatar
    in a transaction of its own, which on SQLite waits for the writer's
    lock): recorded as changed, not read"""
    return (isinstance(field, fields.Function)
        and isinstance(field._field, fields.Binary))


def is_column(cls, name):
    "Whether the value of the field is its table column as it is"
    field = cls._fields.get(name)
    if field is None or isinstance(field, (
                fields.Function, fields.MultiValue, fields.One2Many,
                fields.Many2Many, fields.Binary)):
        return False
    return (not getattr(field, 'translate', False)
        and getattr(field, '_sql_type', None) is not None)


@functools.lru_cache(maxsize=4096)
def select_query(table, names, count):
    "SELECT id and the columns of count ids, built once per shape"
    param = '%s' if backend.name == 'postgresql' else '?'
    return 'SELECT id, %s FROM "%s" WHERE id IN (%s)' % (
        ', '.join('"%s"' % n for n in names), table,
        ', '.join([param] * count))


def read_values(cls, ids, names, rec_name=False):
    """Read names of ids as the database has them (no access rules):
    {id: {name: value}}, with 'rec_name' when asked or when it is a
    column. Columns are read by one query; the others through the ORM."""
    if not ids:
        return {}
    ids = list(ids)
    result = {i: {} for i in ids}
    view = callable(getattr(cls, 'table_query', None))
    columns = [] if view else [n for n in names if is_column(cls, n)]
    if (not view and cls._rec_name in cls._fields
            and is_column(cls, cls._rec_name)):
        name_column = cls._rec_name
    else:
        name_column = None
    others = [n for n in names if n not in columns and n != 'id']
    if rec_name and not name_column:
        others.append('rec_name')
    selected = list(dict.fromkeys(columns + (
                [name_column] if name_column else [])))
    if selected:
        cursor = Transaction().connection.cursor()
        booleans = {n for n in selected
            if isinstance(cls._fields[n], fields.Boolean)}
        for start in range(0, len(ids), IN_MAX):
            sub_ids = ids[start:start + IN_MAX]
            cursor.execute(select_query(
                    cls._table, tuple(selected), len(sub_ids)),
                sub_ids)
            for row in cursor:
                values = result.setdefault(row[0], {})
                for name, value in zip(selected, row[1:]):
                    if name in booleans and value is not None:
                        value = bool(value)
                    values[name] = jsonable(None, value)
                if name_column:
                    values['rec_name'] = values.get(name_column)
    if others:
        with without_check_access(), \
                Transaction().set_context(_datetime=None):
            rows = cls.read(ids, others)
        for row in rows:
            values = result.setdefault(row['id'], {})
            for name in others:
                values[name] = jsonable(None, row.get(name))
    return result


def stored_names(cls):
    "The fields of cls kept in its table (values of a deleted record)"
    return [n for n, f in cls._fields.items()
        if not isinstance(f, (
                fields.Function, fields.One2Many, fields.Many2Many,
                fields.Binary))
        and n not in {'create_uid', 'create_date', 'write_uid',
            'write_date'}]


def record_inserted(cls, created):
    """Audit records that a module wrote by SQL as the capture audits the
    ORM's create: created is {id: {field name: value}}"""
    policy = policy_for(cls, 'create')
    if policy is None:
        return
    read, hidden = audited_names(
        cls, sorted(set().union(*created.values())), policy)
    values = {i: {n: jsonable(None, v) for n, v in row.items()}
        for i, row in created.items()}
    _record_created(cls, read, hidden, values)


def _record_created(cls, read, hidden, values):
    """Log the create of each record of values ({id: {name: value}}): the
    read fields' values, the hidden ones masked"""
    personal = personal_fields(cls)
    Log = Pool().get('egov.audit.log')
    actor = Log.actor()
    rows = []
    for record_id, new in values.items():
        changes = mask_personal(
            {n: [None, new.get(n)] for n in read}, personal)
        changes.update({n: HIDDEN for n in hidden})
        rows.append(Log.build('create', model=cls.__name__,
                record_id=record_id, record_name=new.get('rec_name'),
                changes=changes, actor=actor))
    Log.record_rows(rows)


class ModelAuditMixin:
    __slots__ = ()

    @classmethod
    def create(cls, vlist):
        policy = policy_for(cls, 'create')
        if policy is None:
            return super().create(vlist)
        with _Entered(cls.__name__):
            records = super().create(vlist)
        names = set().union(*vlist) if vlist else set()
        read, hidden = audited_names(cls, sorted(names), policy)
        values = read_values(cls, [r.id for r in records], read)
        _record_created(cls, read, hidden, values)
        return records

    @classmethod
    def write(cls, *args):
        policy = policy_for(cls, 'write')
        if policy is None:
            return super().write(*args)
        actions = iter(args)
        pairs = [(list(r), v) for r, v in zip(actions, actions)]
        ids = list({r.id for records, _ in pairs for r in records})
        names = set().union(*(v.keys() for _, v in pairs))
        read, hidden = audited_names(cls, sorted(names), policy)
        before = read_values(cls, ids, read)
        with _Entered(cls.__name__):
            result = super().write(*args)
        after = read_values(cls, ids, read)
        personal = personal_fields(cls)
        Log = Pool().get('egov.audit.log')
        actor = Log.actor()
        rows = []
        for records, values in pairs:
            for record in records:
                old = before.get(record.id, {})
                new = after.get(record.id, {})
                changes = mask_personal({n: [old.get(n), new.get(n)]
                        for n in read if n in values}, personal)
                changes.update({n: HIDDEN for n in hidden if n in values})
                rows.append(Log.build('write', model=cls.__name__,
                        record_id=record.id,
                        record_name=new.get('rec_name') or old.get(
                            'rec_name'),
                        changes=changes, actor=actor))
        Log.record_rows(rows)
        return result

    @classmethod
    def delete(cls, records):
        policy = policy_for(cls, 'delete')
        if policy is None:
            return super().delete(records)
        records = list(records)
        read, _ = audited_names(cls, stored_names(cls), policy)
        before = read_values(cls, [r.id for r in records], read,
            rec_name=True)
        with _Entered(cls.__name__):
            result = super().delete(records)
        Log = Pool().get('egov.audit.log')
        actor = Log.actor()
        personal = personal_fields(cls)
        rows = []
        for record in records:
            old = before.get(record.id, {})
            changes = mask_personal({n: [old.get(n), None] for n in read
                    if old.get(n) is not None}, personal)
            rows.append(Log.build('delete', model=cls.__name__,
                    record_id=record.id, record_name=old.get('rec_name'),
                    changes=changes, actor=actor))
        Log.record_rows(rows)
        return result

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        cls.audit_read(ids, fields_names, result)
        return result

    @classmethod
    def audit_read(cls, ids, fields_names, result):
        """Record the read of ids (result: the rows read) when it is a
        download of files or the reader or the records are tracked; for the
        reads that do not go through read (a one-query search_read)"""
        transaction = Transaction()
        if not transaction.check_access or cls.__name__ in NEVER:
            return
        try:
            pool = Pool()
            Track = pool.get('egov.audit.track')
        except KeyError:
            return
        context = transaction.context
        binary = [n for n in fields_names
            if isinstance(cls._fields.get(n), fields.Binary)
            and context.get('%s.%s' % (cls.__name__, n)) != 'size']
        users, records = Track.tracked()
        tracked_ids = []
        if cls.__name__ in records:
            tracked_ids = [i for i in ids if i in records[cls.__name__]]
        user_tracked = transaction.user in users
        if not (binary or tracked_ids or user_tracked):
            return
        if binary and policy_for(cls, 'export') is None:
            binary = []
        if not (binary or tracked_ids or user_tracked):
            return
        Log = pool.get('egov.audit.log')
        actor = Log.actor()
        rows = []
        if binary:
            for row in result:
                rows.append(Log.build('download', model=cls.__name__,
                        record_id=row['id'], method=','.join(binary),
                        changes={n: jsonable(None, row.get(n))
                            for n in binary if row.get(n) is not None},
                        actor=actor))
        elif user_tracked:
            rows.append(Log.build('read', model=cls.__name__,
                    record_id=ids[0] if len(ids) == 1 else None,
                    method='read',
                    changes={'ids': jsonable(None, list(ids)),
                        'fields': list(fields_names)},
                    actor=actor))
        else:
            for id_ in tracked_ids:
                rows.append(Log.build('read', model=cls.__name__,
                        record_id=id_, method='read',
                        changes={'fields': list(fields_names)},
                        actor=actor))
        Log.record_rows(rows)

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        result = super().export_data(records, fields_names, header=header)
        if policy_for(cls, 'export') is not None:
            ids = [r.id for r in records]
            Pool().get('egov.audit.log').record('export',
                model=cls.__name__,
                record_id=ids[0] if len(ids) == 1 else None,
                method='export_data',
                message=str(len(ids)),
                changes={'fields': list(fields_names),
                    'ids': jsonable(None, ids)})
        return result

    @classmethod
    def import_data(cls, fields_names, data):
        result = super().import_data(fields_names, data)
        if policy_for(cls, 'create') is not None:
            Pool().get('egov.audit.log').record('import',
                model=cls.__name__, method='import_data',
                message=str(len(data)),
                changes={'fields': list(fields_names), 'rows': len(data)})
        return result

    @dualmethod
    def log(cls, records, event, target=None, user=None, **extra):
        if (event not in {'button', 'wizard', 'transition'}
                or policy_for(cls, 'button') is None):
            super().log(records, event, target=target, user=user, **extra)
            return
        # The sealed audit keeps the event: not also Tryton's ir.model.log,
        # a second trail, unsealed, that the system administrator reads
        # (三员分立) and that cost a create at every commit
        Log = Pool().get('egov.audit.log')
        actor = Log.actor(user)
        rows = []
        for record in records:
            try:
                with without_check_access():
                    name = record.rec_name
            except Exception:
                name = None
            rows.append(Log.build(event, model=cls.__name__,
                    record_id=record.id, record_name=name, method=target,
                    actor=actor))
        Log.record_rows(rows)


class ReportAuditMixin:
    "Every report run: what was printed or exported, and its content's SM3"
    __slots__ = ()

    @classmethod
    def execute(cls, ids, data):
        result = super().execute(ids, data)
        try:
            Log = Pool().get('egov.audit.log')
        except KeyError:
            return result
        if Transaction().context.get('module'):
            return result
        kind, content = result[0], result[1]
        if isinstance(content, str):
            content = content.encode('utf-8')
        content = bytes(content or b'')
        model = data.get('model') if isinstance(data, dict) else None
        ids = list(ids or [])
        Log.record(
            'export' if kind in EXPORT_FORMATS else 'print',
            model=model, record_id=ids[0] if len(ids) == 1 else None,
            record_name=result[3] if len(result) > 3 else None,
            method=cls.__name__, message=str(len(ids)),
            changes={'format': kind, 'size': len(content),
                'sm3': sm3_hex(content), 'ids': jsonable(None, ids)})
        return result
