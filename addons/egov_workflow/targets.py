"""Who a to-do or a copy may be given to (转交, 抄送, 改派).

A target is checked in the database, never trusted as an id from the
client: an active login of an active person of the platform, holding none of
the three administrator roles (they administer, they do not handle
business), and inside the giver's scope: the same division (the city or a
county) as the holder who hands over or copies, or the people an
administrator manages when he reassigns."""
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from egov_base.security.roles import Roles
from egov_base.tools import check_write_access

from .exceptions import WorkflowError


def _people(user_ids):
    """{user id: employee} of the active logins of active people among
    user_ids"""
    pool = Pool()
    Employee = pool.get('egov.org.employee')
    ids = [i for i in user_ids
        if isinstance(i, int) and not isinstance(i, bool)]
    with without_check_access():
        employees = Employee.search([
                ('user', 'in', ids),
                ('user.active', '=', True),
                ('active', '=', True),
                ], order=[])
    return {e.user.id: e for e in employees}


def _check_person(user_ids):
    "Return {user id: employee}; refuse ids that are not people who act"
    people = _people(user_ids)
    if any(i not in people for i in user_ids):
        raise WorkflowError(gettext('egov_workflow.msg_target_not_a_person'))
    exempt = set(Roles.get()['exempt'])
    for user_id, groups in Roles.users_groups(list(people)).items():
        roles = Roles.roles_of_groups(groups)
        if user_id in exempt or roles:
            role = sorted(roles)[0] if roles else None
            raise WorkflowError(gettext(
                    'egov_workflow.msg_target_administrator',
                    name=people[user_id].name,
                    role=Roles.role_name(role) if role else 'admin'))
    return people


def check_colleagues(user_ids, holder=None):
    """Refuse unless every id in user_ids is a person the holder (a
    res.user, by default the current user) may give work to: active, no
    administrator role, of the holder's division"""
    User = Pool().get('res.user')
    user_ids = list(dict.fromkeys(user_ids))
    people = _check_person(user_ids)
    holder_id = holder.id if holder else Transaction().user
    division = User.get_org_scope(holder_id)['division']
    for user_id in user_ids:
        employee = people[user_id]
        if employee.unit.division and employee.unit.division.id != division:
            raise WorkflowError(gettext(
                    'egov_workflow.msg_target_other_division',
                    name=employee.name,
                    division=employee.unit.division.rec_name))
    return user_ids


def check_managed(user_ids):
    """Refuse unless every id in user_ids is a person the current user (an
    administrator reassigning to-dos) manages: active, no administrator
    role, and one whose record he may change"""
    Employee = Pool().get('egov.org.employee')
    user_ids = list(dict.fromkeys(user_ids))
    people = _check_person(user_ids)
    for user_id in user_ids:
        try:
            check_write_access(Employee, [people[user_id]])
        except AccessError:
            raise WorkflowError(gettext(
                    'egov_workflow.msg_target_not_managed',
                    name=people[user_id].name)) from None
    return user_ids
