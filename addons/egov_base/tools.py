"""Small helpers shared by the platform's modules."""

# Ids or values per "IN (...)" clause when a list is sliced for queries:
# the size Tryton's backends accept (their IN_MAX).
IN_MAX = 1000


# Records browsed together: a record checks every id of its list when it is
# made (an assert of Tryton's ModelStorage), so 2,000 at once cost 4 million
# checks; in slices of this size the reads still come in batches
BROWSE_SLICE = 100


class SlicedBrowseMixin:
    "A model whose searches return thousands of records: browsed in slices"
    __slots__ = ()

    @classmethod
    def browse(cls, ids):
        ids = list(map(int, ids))
        browse = super().browse
        return [r for start in range(0, len(ids), BROWSE_SLICE)
            for r in browse(ids[start:start + BROWSE_SLICE])]


def retry_delay(first_seconds, tries, most_seconds):
    """The wait before the next try after tries failed ones: first_seconds,
    doubled at each failure, never more than most_seconds (a timedelta)"""
    import datetime
    return datetime.timedelta(
        seconds=min(most_seconds, first_seconds * 2 ** (tries - 1)))


def enqueue(Model, method, records, queue_name, *args, delay=None):
    """Hand records (and args) to the task queue queue_name for
    Model.method; a retry after delay (a timedelta) is queued only when a
    worker runs: without one, the model's cron takes the records when they
    are due"""
    from trytond import config
    from trytond.transaction import Transaction
    if not records:
        return
    has_worker = config.getboolean('queue', 'worker', default=False)
    if delay is not None and not has_worker:
        return
    context = {'queue_name': queue_name}
    if delay is not None:
        context['queue_scheduled_at'] = delay
    with Transaction().set_context(**context):
        getattr(Model.__queue__, method)(list(records), *args)


def forget_records(Model, ids=None):
    """Rows of Model changed behind the ORM (by SQL): the transaction's
    records of ids, or all of them, are stale"""
    from trytond.transaction import Transaction
    transaction = Transaction()
    for cache in transaction.cache.values():
        if Model.__name__ in cache:
            if ids is None:
                cache[Model.__name__].clear()
            else:
                for id_ in ids:
                    cache[Model.__name__].pop(id_, None)
    transaction.counter += 1


def check_read_access(Model, records):
    """Refuse as a read of the records by the current user would: the model
    access and the record rules. For buttons and wizards, which run without
    access checks, before they act on records the user chose."""
    check_records_access(Model, records, 'read')


def check_write_access(Model, records):
    """Refuse as a write to the records by the current user would, without
    writing: the model access and the record rules. For buttons and
    wizards, which run without access checks."""
    check_records_access(Model, records, 'write')


def check_records_access(Model, records, mode):
    """Raise the AccessError that Tryton raises when the current user reads,
    writes or deletes the records (or ids) of Model in mode, without doing
    it: the model access (ir.model.access), then the records the user may
    not see, answered as records that do not exist (check_visible), then
    the record rules of mode (ir.rule), with Tryton's messages."""
    from trytond.i18n import gettext
    from trytond.model.exceptions import AccessError
    from trytond.pool import Pool
    from trytond.transaction import check_access, without_check_access
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    ids = list(dict.fromkeys(int(r) for r in records))
    with check_access():
        ModelAccess.check(Model.__name__, mode)
        if not ids:
            return
        check_visible(Model, ids, mode)
        try:
            Rule.check(Model.__name__, ids, mode)
        except AccessError as exception:
            # As ModelSQL tells the groups the rules were of
            User = pool.get('res.user')
            Group = pool.get('res.group')
            with without_check_access():
                groups = ', '.join(
                    g.rec_name for g in Group.browse(User.get_groups()))
            raise AccessError(exception.message, gettext(
                    'ir.msg_context_groups', groups=groups)) from None


def check_visible(Model, records, mode='read'):
    """Refuse records the current user may not read exactly as records that
    do not exist: the same error (Tryton's for a read or a write of mode;
    a delete gets the read's), naming nothing of them, not the rule that
    hides them. Before a method acts on records given by id over RPC
    (record_rpc), before a write or a delete and after a refused read
    (security/hidden.py)."""
    from trytond.i18n import gettext
    from trytond.model.exceptions import AccessError
    from trytond.pool import Pool
    from trytond.transaction import (
        Transaction, check_access, inactive_records)
    transaction = Transaction()
    if not transaction.user:
        return
    IrModel = Pool().get('ir.model')
    ids = list(dict.fromkeys(
            r if isinstance(r, int) else getattr(r, 'id', r)
            for r in records))
    # What a client sends is not trusted to be an id at all
    wrong = [i for i in ids if not isinstance(i, int) or isinstance(i, bool)]
    ids = [i for i in ids if i not in wrong]
    with check_access(), inactive_records():
        found = {r.id for r in Model.search([('id', 'in', ids)], order=[])}
    missing = sorted(set(ids) - found) + [str(i)[:20] for i in wrong]
    if missing:
        # Tryton has no "delete records that don't exist" message
        answer = 'write' if mode == 'write' else 'read'
        raise AccessError(gettext('ir.msg_%s_error' % answer,
                ids=_shown_ids(missing),
                model=IrModel.get_name(Model.__name__)))


def record_rpc(**kwargs):
    """The RPC of a method that acts on records given by id (instantiate=0):
    the record rules apply before the method runs, and an id the user may
    not see gets the answer of an id that does not exist."""
    from functools import wraps

    from trytond.rpc import RPC

    def decorator(func):
        @wraps(func)
        def wrapper(records, *args, **kwargs):
            # An instance method gets one record, a class method the list
            checked = records if isinstance(records, list) else [records]
            if checked:
                check_visible(checked[0].__class__, checked)
            return func(records, *args, **kwargs)
        return wrapper
    kwargs.setdefault('instantiate', 0)
    return RPC(decorator=decorator, **kwargs)


def _shown_ids(ids):
    "The ids as Tryton's access errors show them"
    shown = ', '.join(map(str, ids[:5]))
    if len(ids) > 5:
        shown += '...'
    return shown


def existing_references(values):
    """{key: 'model,id' or None} for {key: 'model,id'}: None where the
    record is gone, as a Reference field reads it, by one query of ids per
    model instead of Tryton's search (which also loads every column of the
    records found)"""
    from trytond.model.fields import SQL_OPERATORS
    from trytond.pool import Pool
    from trytond.tools import grouped_slice
    from trytond.transaction import Transaction
    pool = Pool()
    wanted = {}
    for key, value in values.items():
        model, _, id_ = (value or '').partition(',')
        if model and id_.lstrip('-').isdigit() and int(id_) >= 0:
            wanted.setdefault(model, {}).setdefault(int(id_), []).append(key)
    result = dict.fromkeys(values)
    cursor = Transaction().connection.cursor()
    for model, keys_by_id in wanted.items():
        try:
            Model = pool.get(model)
        except KeyError:
            continue
        table = Model.__table__()
        found = set()
        for ids in grouped_slice(list(keys_by_id), IN_MAX):
            cursor.execute(*table.select(table.id,
                    where=SQL_OPERATORS['in'](table.id, list(ids))))
            found.update(i for i, in cursor)
        for id_ in found:
            for key in keys_by_id[id_]:
                result[key] = '%s,%s' % (model, id_)
    return result
