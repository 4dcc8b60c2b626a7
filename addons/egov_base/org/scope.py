"""The organisation an administrator may change, checked on every side of
the relations he creates, changes or deletes.

Tryton's record rules check one side only: an assignment is checked
through its person (__access__), never through its post, so that a county
administrator could hold a city post, lead another county's unit, or give
logins away. Every relation of the organisation (assignment, leadership,
post role, login, transfer) calls this helper for each of its sides, with
the values before and after a change.

A county administrator (组织机构管理员(县区)) administers the division of
the post he acts in (res.user.get_org_scope, as the record rules in
rule.xml); the city administrators, Tryton's administrators and the
security administrator (who grants roles city-wide) the whole city."""
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from ..tools import IN_MAX

# Holders of these groups administer the whole city
CITY_GROUPS = [
    ('egov_base', 'group_org_admin_city'),
    ('egov_base', 'group_secadmin'),
    ('res', 'group_admin'),
    ]
BOUND_GROUP = ('egov_base', 'group_org_admin')


class ScopeError(AccessError):
    "A relation reaches outside the organisation its author administers"


def _group_ids(pairs):
    ModelData = Pool().get('ir.model.data')
    ids = set()
    for module, fs_id in pairs:
        try:
            ids.add(ModelData.get_id(module, fs_id))
        except KeyError:
            pass
    return ids


def external():
    """Whether the change comes from a user through access checks (an RPC
    call, a button that restores them)"""
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


def check_create(Model, vlist):
    """Before a user's relations are created: his right to create them,
    then their sides inside his organisation (Model.check_scope), so that
    the refusal names what is outside rather than Tryton's rule"""
    if external():
        Pool().get('ir.model.access').check(Model.__name__, 'create')
        Model.check_scope(vlist)


def administered_division():
    """Return the id of the division the user of the transaction
    administers (-1 when none), or None when he is not bound to one"""
    pool = Pool()
    User = pool.get('res.user')
    user_id = Transaction().user
    if not user_id:
        return None
    groups = set(User.get_groups())
    if groups & _group_ids(CITY_GROUPS) or not (
            groups & _group_ids([BOUND_GROUP])):
        return None
    division = User.get_org_scope(user_id)['division']
    return division or -1


def _divisions(model_name, ids):
    """Return {id: set of division ids} of the records: a person's unit and
    the units of every post they hold now or later; a login's person, or
    the division that created it when it has no person"""
    pool = Pool()
    Model = pool.get(model_name)
    Assignment = pool.get('egov.org.assignment')
    Employee = pool.get('egov.org.employee')
    Date = pool.get('ir.date')
    today = Date.today()
    result = {}
    with without_check_access(), Transaction().set_context(
            active_test=False):
        for sub_ids in grouped_slice(ids, IN_MAX):
            records = Model.browse(list(sub_ids))
            if model_name == 'egov.org.unit':
                for unit in records:
                    result[unit.id] = {unit.division.id if unit.division
                        else None}
            elif model_name == 'egov.org.post':
                for post in records:
                    result[post.id] = {post.unit.division.id
                        if post.unit.division else None}
            elif model_name == 'egov.org.employee':
                for employee in records:
                    result[employee.id] = {employee.unit.division.id
                        if employee.unit.division else None}
                for assignment in Assignment.search([
                            ('employee', 'in', [r.id for r in records]),
                            ['OR',
                                ('end_date', '=', None),
                                ('end_date', '>=', today),
                                ],
                            ]):
                    division = assignment.post.unit.division
                    result[assignment.employee.id].add(
                        division.id if division else None)
            elif model_name == 'res.user':
                employees = Employee.search([
                        ('user', 'in', [r.id for r in records]),
                        ])
                by_user = {e.user.id: e.id for e in employees}
                persons = _divisions('egov.org.employee', list(
                        by_user.values()))
                for user in records:
                    if user.id in by_user:
                        result[user.id] = persons[by_user[user.id]]
                    else:
                        result[user.id] = {
                            user.division.id if user.division else None}
            else:
                raise ValueError(model_name)
    return result


def check(sides, division=False):
    """Refuse when a side is outside the organisation the user of the
    transaction administers. sides is an iterable of (model name, id);
    division, when given, is administered_division() already computed"""
    pool = Pool()
    Model = pool.get('ir.model')
    Unit = pool.get('egov.org.unit')
    if division is False:
        division = administered_division()
    if division is None:
        return
    by_model = {}
    for model_name, record_id in sides:
        if record_id is not None and record_id >= 0:
            by_model.setdefault(model_name, []).append(int(record_id))
    for model_name, ids in by_model.items():
        ids = list(dict.fromkeys(ids))
        for record_id, divisions in _divisions(model_name, ids).items():
            if divisions == {division}:
                continue
            with without_check_access():
                record = pool.get(model_name)(record_id)
                name = record.rec_name
                division_name = (Unit(division).name
                    if division and division > 0 else None)
            kind = Model.get_name(model_name)
            if division_name:
                raise ScopeError(gettext('egov_base.msg_scope_outside',
                        kind=kind, record=name, division=division_name))
            raise ScopeError(gettext('egov_base.msg_scope_outside_none',
                    kind=kind, record=name))


def check_not_self(employee_ids=(), user_ids=(), record=''):
    """Refuse a relation that gives the user of the transaction a post,
    a role or a unit in charge: nobody grants himself"""
    pool = Pool()
    User = pool.get('res.user')
    Roles = _roles()
    user_id = Transaction().user
    if not user_id or user_id in Roles.get()['exempt']:
        return
    employee = User.get_org_scope(user_id)['employee']
    if (user_id in set(user_ids)
            or (employee and employee in set(employee_ids))):
        raise ScopeError(gettext('egov_base.msg_scope_self', record=record))


def _roles():
    from ..security.roles import Roles
    return Roles


def rec_name(model_name, record_id):
    "The name of a record to show in a refusal"
    Model = Pool().get(model_name)
    with without_check_access():
        return Model(record_id).rec_name if record_id is not None else ''
