"""Small helpers shared by the platform's modules."""

# Ids or values per "IN (...)" clause when a list is sliced for queries:
# the size Tryton's backends accept (their IN_MAX).
IN_MAX = 1000


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
    it: the model access (ir.model.access), then the records that do not
    exist, then the record rules (ir.rule), with Tryton's messages."""
    from trytond.i18n import gettext
    from trytond.model.exceptions import AccessError
    from trytond.pool import Pool
    from trytond.transaction import (
        check_access, inactive_records, without_check_access)
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    IrModel = pool.get('ir.model')
    ids = list(dict.fromkeys(int(r) for r in records))
    with check_access():
        ModelAccess.check(Model.__name__, mode)
        if not ids:
            return
        if mode in {'read', 'write'}:
            with without_check_access(), inactive_records():
                found = {r.id for r in Model.search(
                            [('id', 'in', ids)], order=[])}
            missing = sorted(set(ids) - found)
            if missing:
                raise AccessError(gettext(f'ir.msg_{mode}_error',
                        ids=_shown_ids(missing),
                        model=IrModel.get_name(Model.__name__)))
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


def _shown_ids(ids):
    "The ids as Tryton's access errors show them"
    shown = ', '.join(map(str, ids[:5]))
    if len(ids) > 5:
        shown += '...'
    return shown
