"""The search index: one entry per searchable record, its tokens kept by
the backend; entries change through the task queue when records do."""
import datetime
import logging
from contextlib import contextmanager

from sql import Column, Literal
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction, without_check_access

from ..tools import IN_MAX
from . import registry, tokens
from .backend import get_backend
from .scope import unit_field_of

logger = logging.getLogger(__name__)
QUEUE_NAME = 'egov_search'
# Attachments larger than this are not read (their size is said instead)
MAX_ATTACHMENT = 50 * 1024 * 1024


class Entry(ModelSQL, ModelView):
    __name__ = 'egov.search.entry'
    __string__ = "Search Index Entry"
    _egov_visibility = 'admin'

    model = fields.Char("Model", required=True, readonly=True)
    record = fields.Integer("Record", required=True, readonly=True)
    module = fields.Char("Module", readonly=True)
    title = fields.Char("Title", readonly=True)
    content = fields.Text("Content", readonly=True)
    date = fields.Date("Date", readonly=True)
    unit = fields.Many2One(
        'egov.org.unit', "Unit", readonly=True, ondelete='SET NULL')
    secrecy = fields.Char("Secrecy", readonly=True)
    indexed_at = fields.Timestamp("Indexed At", readonly=True)
    attachments = fields.Integer("Attachments", readonly=True)
    error = fields.Text("Error", readonly=True,
        help="Why the text of an attachment could not be read.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('record_unique', Unique(t, t.model, t.record),
                'egov_base.msg_search_entry_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.title, Index.Similarity())),
                Index(t, (t.date, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                })
        cls._order = [('indexed_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls.backend().register()

    @classmethod
    def backend(cls):
        return get_backend(cls.__table__())

    @classmethod
    def index_records(cls, model_name, ids):
        """(Re)index the records of model_name: read them without access
        checks (who may find them is decided at query time)"""
        pool = Pool()
        Model = pool.get(model_name)
        spec = registry.spec_of(Model)
        if not spec:
            return 0
        load_dictionary()
        count = 0
        with without_check_access(), \
                Transaction().set_context(active_test=False, language=None):
            for sub_ids in grouped_slice(ids, 200):
                sub_ids = list(sub_ids)
                records = Model.search([('id', 'in', sub_ids)])
                found = {r.id for r in records}
                missing = [i for i in sub_ids if i not in found]
                if missing:
                    cls.forget(model_name, missing)
                attachments = (
                    cls._attachment_texts(model_name, list(found))
                    if spec['attachments'] else {})
                files = cls._file_texts(records, spec['files'])
                rows = []
                for record in records:
                    values = registry.values_of(record, spec)
                    texts, errors, n = attachments.get(
                        record.id, ([], [], 0))
                    texts, errors = texts + files[record.id][0], (
                        errors + files[record.id][1])
                    rows.append(cls.row(model_name, record.id, spec,
                            values, texts, errors, n))
                cls._check_unchanged(Model, records)
                cls.store(rows)
                count += len(rows)
        return count

    @classmethod
    def _check_unchanged(cls, Model, records):
        """SQLite: take the write lock, then make sure the records were not
        written since they were read, or raise the error on which the task
        runs again (in a new transaction that reads the newest record).
        SQLite takes its lock at a transaction's first write, after the
        records were read: two indexings of a record written twice could
        read two versions and store the older one last. (PostgreSQL reads
        a snapshot, and its unique index turns the same race into the same
        retry: _retried_when_indexed_meanwhile.) The lock is not taken
        before reading: the files' text is extracted meanwhile, seconds for
        a scan, and every writer would wait."""
        if backend.name != 'sqlite' or not records:
            return
        entry, table = cls.__table__(), Model.__table__()
        cursor = Transaction().connection.cursor()
        # A write of nothing: the lock, until the commit
        cursor.execute(*entry.update([entry.id], [entry.id],
                where=entry.id == -1))
        read = {r.id: (r.write_date, r.create_date) for r in records}
        query = table.select(table.id,
            table.write_date.as_('write_date'),
            table.create_date.as_('create_date'),
            where=table.id.in_(list(read)))
        sqlite_apply_types(query, [None, 'TIMESTAMP', 'TIMESTAMP'])
        cursor.execute(*query)
        for id_, write_date, create_date in cursor:
            if (write_date, create_date) != read[id_]:
                raise backend.DatabaseOperationalError(
                    '%s,%s written while it was indexed' % (
                        Model.__name__, id_))

    @classmethod
    def row(cls, model_name, record_id, spec, values, texts=(), errors=(),
            attachments=0):
        "The entry of one record, with its tokens"
        body = '\n'.join([values['body'], *texts])
        return {
            'model': model_name,
            'record': record_id,
            'module': spec['module'],
            'title': values['title'],
            'content': body[:registry.MAX_CONTENT],
            'date': values['date'],
            'unit': values['unit'],
            'secrecy': values['secrecy'],
            'attachments': attachments,
            'error': '\n'.join(errors) or None,
            'title_tokens': tokens.document_tokens(
                values['title'], person=spec['person'], phrase=True),
            'body_tokens': tokens.document_tokens(
                body, bound=tokens.BODY_READINGS),
            }

    @classmethod
    def store(cls, rows):
        "Replace the entries of the rows' records (SQL: this is bulk work)"
        if not rows:
            return
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        columns = ['model', 'record', 'module', 'title', 'content', 'date',
            'unit', 'secrecy', 'attachments', 'error']
        by_model = {}
        for row in rows:
            by_model.setdefault(row['model'], []).append(row['record'])
        old = []
        for model_name, records in by_model.items():
            for sub in grouped_slice(records, IN_MAX):
                cursor.execute(*table.select(table.id,
                        where=(table.model == model_name)
                        & table.record.in_(list(sub))))
                old.extend(i for i, in cursor)
        if old:
            cls.backend().delete(old)
            for sub in grouped_slice(old, IN_MAX):
                cursor.execute(*table.delete(where=table.id.in_(list(sub))))
        now = datetime.datetime.now()
        backend = cls.backend()
        extra = list(backend.columns(rows[0]))
        names = columns + extra + ['indexed_at', 'create_date', 'create_uid']

        def values(row):
            added = backend.columns(row)
            return ([row[c] for c in columns] + [added[c] for c in extra]
                + [now, CurrentTimestamp(), Literal(0)])
        if Transaction().database.has_returning():
            # One statement per batch; the ids come back with their record
            for sub in grouped_slice(rows, 100):
                sub = list(sub)
                with _retried_when_indexed_meanwhile():
                    cursor.execute(*table.insert(
                            [Column(table, c) for c in names],
                            [values(r) for r in sub],
                            returning=[table.id, table.model, table.record]))
                ids = {(m, r): i for i, m, r in cursor}
                for row in sub:
                    row['id'] = ids[row['model'], row['record']]
        else:
            for row in rows:
                cursor.execute(*table.insert(
                        [Column(table, c) for c in names], [values(row)]))
                row['id'] = cursor.lastrowid
        backend.index(rows)

    @classmethod
    def follow_unit(cls, Model, unit_field, ids):
        """Give the entries of the records their record's unit now, in the
        transaction that wrote it: who may find a record by a rule on its
        unit is decided on the entry's unit (scope.visible_ids), and the
        queued indexing comes later"""
        cursor = Transaction().connection.cursor()
        table, record = cls.__table__(), Model.__table__()
        for sub in grouped_slice(ids, IN_MAX):
            cursor.execute(*table.update([table.unit], [
                        record.select(Column(record, unit_field),
                            where=record.id == table.record)],
                    where=(table.model == Model.__name__)
                    & table.record.in_(list(sub))))

    @classmethod
    def forget(cls, model_name, ids):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        for sub in grouped_slice(ids, IN_MAX):
            cursor.execute(*table.select(table.id,
                    where=(table.model == model_name)
                    & table.record.in_(list(sub))))
            entry_ids = [i for i, in cursor]
            if entry_ids:
                cls.backend().delete(entry_ids)
                cursor.execute(*table.delete(
                        where=table.id.in_(entry_ids)))

    @classmethod
    def _file_texts(cls, records, names):
        """{record id: ([text], [error])} of the files in the Binary fields
        names of records; a file shared by records (the body of a 发文 in
        its 2,000 收文) is read once"""
        try:
            from .extract import extract_text
        except ImportError:
            extract_text = None
        result = {r.id: ([], []) for r in records}
        if not names or extract_text is None:
            return result
        done = {}
        for record in records:
            for name in names:
                field = record._fields[name]
                file_id = getattr(record, field.file_id, None) \
                    if field.file_id else None
                filename = (getattr(record, field.filename, None)
                    if field.filename else None) or ''
                key = (file_id, filename) if file_id else None
                if key is None or key not in done:
                    data = getattr(record, name)
                    if not data:
                        continue
                    if len(data) > MAX_ATTACHMENT:
                        found = ('', '%s: %s > %s bytes' % (
                                filename, len(data), MAX_ATTACHMENT))
                    else:
                        try:
                            extracted = extract_text(data, filename)
                            found = (getattr(extracted, 'text', '') or '',
                                getattr(extracted, 'error', '') or '')
                        except Exception as exception:
                            logger.warning('extraction of %s failed',
                                filename, exc_info=True)
                            found = ('', '%s: %s' % (filename, exception))
                    if key is not None:
                        done[key] = found
                else:
                    found = done[key]
                text, error = found
                if text:
                    result[record.id][0].append(text)
                if error:
                    result[record.id][1].append('%s: %s' % (filename, error)
                        if not error.startswith(filename) else error)
        return result

    @classmethod
    def _attachment_texts(cls, model_name, ids):
        """{record id: ([text], [error], count)} of the attachments of the
        records; a file that cannot be read is an error, not a failure"""
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        try:
            from .extract import extract_text
        except ImportError:
            extract_text = None
        result = {}
        resources = ['%s,%s' % (model_name, i) for i in ids]
        for sub in grouped_slice(resources, IN_MAX):
            for attachment in Attachment.search([
                        ('resource', 'in', list(sub)),
                        ('type', '=', 'data'),
                        ]):
                texts, errors, count = result.setdefault(
                    attachment.resource.id, ([], [], 0))
                result[attachment.resource.id] = (texts, errors, count + 1)
                name = attachment.name or ''
                texts.append(name)
                size = attachment.data_size or 0
                if size > MAX_ATTACHMENT:
                    errors.append('%s: %s > %s bytes' % (
                            name, size, MAX_ATTACHMENT))
                    continue
                if extract_text is None:
                    continue
                try:
                    extracted = extract_text(attachment.data or b'', name)
                except Exception as exception:
                    logger.warning('extraction of %s failed', name,
                        exc_info=True)
                    errors.append('%s: %s' % (name, exception))
                    continue
                if getattr(extracted, 'text', None):
                    texts.append(extracted.text)
                if getattr(extracted, 'error', None):
                    errors.append('%s: %s' % (name, extracted.error))
        return result

    @classmethod
    def rebuild(cls, model_names=None, batch=500, commit=False):
        "Index every record of the models (all searchable ones by default)"
        pool = Pool()
        Queue = pool.get('ir.queue')
        total = 0
        # The queued indexing of these models is done by the rebuild
        with without_check_access():
            Queue.delete([t for t in Queue.search([
                            ('name', '=', QUEUE_NAME),
                            ('dequeued_at', '=', None),
                            ])
                    if not model_names
                    or (t.data or {}).get('model') in model_names])
        for model_name, spec in registry.searchable_models():
            if model_names and model_name not in model_names:
                continue
            Model = pool.get(model_name)
            with without_check_access(), inactive_context():
                ids = [r.id for r in Model.search([], order=[('id', 'ASC')])]
            cls.forget_missing(model_name, ids)
            for sub in grouped_slice(ids, batch):
                total += cls.index_records(model_name, list(sub))
                if commit:
                    Transaction().commit()
        return total

    @classmethod
    def forget_missing(cls, model_name, ids):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(table.record,
                where=table.model == model_name))
        existing = set(ids)
        gone = [r for r, in cursor if r not in existing]
        if gone:
            cls.forget(model_name, gone)


@contextmanager
def _retried_when_indexed_meanwhile():
    """A record written twice queues two indexings, which two workers may
    run at once: neither sees the other's entry, and the second insert
    waits for the first to commit, then fails on the unique index. It is
    turned into the error on which the worker (or the dispatcher) runs the
    task again, in a new transaction that reads the newest record and
    replaces the entry; otherwise the newer text would be lost."""
    try:
        yield
    except backend.DatabaseIntegrityError as error:
        constraint = getattr(getattr(error, 'diag', None),
            'constraint_name', None)
        if constraint and constraint.endswith('_record_unique'):
            raise backend.DatabaseOperationalError(str(error)) from error
        raise


def inactive_context():
    return Transaction().set_context(active_test=False)


def load_dictionary():
    """Teach this process's jieba the unit names and the administrators'
    words; the cache is cleared when the dictionary changes, so that every
    worker reloads it"""
    pool = Pool()
    Word = pool.get('egov.search.word')
    tokens.sync_words(Word.words())


class SearchableMixin:
    "Queue the indexing of the records of models that declare _egov_search"
    __slots__ = ()

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        pool = Pool()
        if not records:
            return
        if cls.__name__ == 'ir.attachment':
            _attachments_changed(records)
            return
        spec = registry.spec_of(cls)
        if not spec:
            return
        Entry = pool.get('egov.search.entry')
        if mode == 'delete':
            Entry.forget(cls.__name__, [r.id for r in records])
            return
        unit_field = unit_field_of(cls, spec)
        if mode == 'write' and unit_field and (
                field_names is None or unit_field in field_names):
            Entry.follow_unit(cls, unit_field, [r.id for r in records])
        if field_names is not None:
            used = {spec['title'], spec['date'], spec['unit'],
                spec['secrecy'], *spec['body'], *spec['files']}
            # Function fields of the body may depend on anything
            if not (used & set(field_names)) and not any(
                    isinstance(cls._fields.get(n), fields.Function)
                    for n in spec['body']):
                return
        with Transaction().set_context(
                queue_name=QUEUE_NAME, queue_batch=True):
            cls.__queue__.egov_search_index(records)

    @classmethod
    def egov_search_index(cls, records):
        Entry = Pool().get('egov.search.entry')
        Entry.index_records(cls.__name__, [r.id for r in records])


def _attachments_changed(attachments):
    pool = Pool()
    by_model = {}
    for attachment in attachments:
        resource = attachment.resource
        if resource is None or not isinstance(resource, ModelSQL):
            continue
        spec = registry.spec_of(type(resource))
        if spec and spec['attachments']:
            by_model.setdefault(type(resource), []).append(resource)
    for Model, resources in by_model.items():
        with Transaction().set_context(
                queue_name=QUEUE_NAME, queue_batch=True):
            Model.__queue__.egov_search_index(
                Model.browse({r.id for r in resources}))
