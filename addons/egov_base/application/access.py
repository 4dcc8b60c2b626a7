"""The platform's one extension of the model access (ir.model.access).

A model is refused as a whole, with a message that says why:
- to the users of a county or zone where the application holding it is
  switched off;
- to the holders of an administrator role when it holds business data
  (三员分立, security/roles.py).
Everything else is Tryton's: the groups (of the post acted in, without the
roles of switched-off applications) decide the access."""
from functools import partial

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from ..exceptions import ApplicationDisabledError
from ..security.roles import Roles

NO_ACCESS = {'read': False, 'write': False, 'create': False, 'delete': False}


class ModelAccess(metaclass=PoolMeta):
    __name__ = 'ir.model.access'

    @classmethod
    def get_access(cls, models):
        try:
            access = super().get_access(models)
        except KeyError as error:
            # A model name the pool does not know (asked over JSON-RPC):
            # said so, not an unexpected error
            raise AccessError(gettext('egov_base.msg_access_unknown_model',
                    model=error.args[0] if error.args else '')) from error
        if Transaction().user:
            for model in models:
                if cls._refusal(model):
                    access[model] = NO_ACCESS.copy()
        return access

    @classmethod
    def check(cls, model_name, mode='read', raise_exception=True):
        transaction = Transaction()
        if not (transaction.check_access and transaction.user):
            return super().check(
                model_name, mode=mode, raise_exception=raise_exception)
        known = cls._known()
        if ('granted', model_name, mode) in known:
            return True
        refusal = cls._refusal(model_name)
        if refusal:
            if not raise_exception:
                return False
            raise refusal()
        granted = super().check(
            model_name, mode=mode, raise_exception=raise_exception)
        if granted:
            known[('granted', model_name, mode)] = True
        return granted

    @classmethod
    def _refusal(cls, model_name):
        """Return a function building the error that refuses model_name as a
        whole to the current user, or None"""
        known = cls._known()
        key = ('refusal', model_name)
        if key not in known:
            known[key] = cls._compute_refusal(model_name)
        return known[key]

    @classmethod
    def _known(cls):
        """The answers about the current user's access known for the
        transaction while it acts as the same user with the same groups and
        writes nothing (its counter): a call asks them several times of
        the same model (its search, its read, the fields' access), a third
        of an inbox page's own work"""
        transaction = Transaction()
        state = (transaction.user, transaction.counter,
            Pool().get('res.user').get_groups())
        known = getattr(transaction, '_egov_access_known', None)
        if known is None or known[0] != state:
            known = transaction._egov_access_known = (state, {})
        return known[1]

    @classmethod
    def _compute_refusal(cls, model_name):
        pool = Pool()
        Application = pool.get('egov.application')
        if Roles.refuses_model(model_name):
            return partial(Roles.business_data_error, model_name)
        application_id = Application.disabled_for_model(model_name)
        if application_id:
            return partial(cls._application_disabled_error, application_id)
        return None

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
