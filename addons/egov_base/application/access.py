"""Refuse every call on the models of an application that is switched off
for the user's county, with a message that says so."""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from ..exceptions import ApplicationDisabledError

NO_ACCESS = {'read': False, 'write': False, 'create': False, 'delete': False}


class ModelAccess(metaclass=PoolMeta):
    __name__ = 'ir.model.access'

    @classmethod
    def get_access(cls, models):
        pool = Pool()
        Application = pool.get('egov.application')
        access = super().get_access(models)
        if Transaction().user:
            for model in models:
                if Application.disabled_for_model(model):
                    access[model] = NO_ACCESS.copy()
        return access

    @classmethod
    def check(cls, model_name, mode='read', raise_exception=True):
        pool = Pool()
        Application = pool.get('egov.application')
        transaction = Transaction()
        if transaction.check_access and transaction.user:
            application_id = Application.disabled_for_model(model_name)
            if application_id:
                if not raise_exception:
                    return False
                raise cls._application_disabled_error(application_id)
        return super().check(
            model_name, mode=mode, raise_exception=raise_exception)

    @classmethod
    def _application_disabled_error(cls, application_id):
        pool = Pool()
        Application = pool.get('egov.application')
        User = pool.get('res.user')
        Unit = pool.get('egov.org.unit')
        scope = User.get_org_scope()
        with without_check_access():
            application = Application(application_id)
            division = Unit(scope['division'])
            return ApplicationDisabledError(gettext(
                    'egov_base.msg_application_disabled',
                    application=application.name,
                    division=division.name))


class ExportRuleMixin:
    """Record rules on exports, checked in SQL.

    Tryton checks the rules of an export in Python (eval_domain), where a
    rule over a path ("tasks.user", "unit.division") holds whenever its
    first field is set, and the fields are then read without access checks:
    a rule over a path would not stop an export of another county's
    records. Reading the records first applies the rules as a search does."""
    __slots__ = ()

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        if records and Transaction().check_access:
            cls.read([r.id for r in records], ['id'])
        return super().export_data(records, fields_names, header=header)
