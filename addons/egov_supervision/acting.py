"""Who acts for which unit: a person acts for the unit (and department) of
the post they act in and the units they lead; a supervision officer
(督查员) also for their county, division or city itself, which has no staff
of its own."""
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import SupervisionAccessError


def group_id(name):
    return Pool().get('ir.model.data').get_id('egov_supervision', name)


def in_group(name):
    User = Pool().get('res.user')
    return group_id(name) in User.get_groups()


def acting_units():
    "The ids of the units the person of the transaction acts for"
    User = Pool().get('res.user')
    scope = User.get_org_scope()
    units = set(scope['units'])
    units.update(u for u in (scope['unit'], scope['department'],
            scope['node']) if u)
    if scope['division'] and in_group('group_supervision_officer'):
        units.add(scope['division'])
    return units


def trusted():
    "The platform itself (root, the cron, the tests' setup) acts for all"
    return not Transaction().user


def check_acting(unit, task, message='egov_supervision.msg_not_acting'):
    "Refuse unless the person acts for unit (a unit record) on task"
    if trusted() or (unit and unit.id in acting_units()):
        return
    raise SupervisionAccessError(gettext(message,
            unit=unit.rec_name if unit else '', task=task.rec_name))
