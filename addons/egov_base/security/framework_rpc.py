"""Tryton's own RPC methods that reach records around the record rules.

- ir.email.send mails any attachment given by id, and reports of a
  record, to any address, without reading them through the person's
  rules; complete proposes addresses. The platform's notices go through
  egov_base/notify, so both are closed (and the web client's e-mail
  button is hidden, web/custom.css).
- ir.chat.channel checks the model's access only (Tryton's "TODO check
  record rule"): a post on a hidden record answered with its title in a
  validation error. The record rules now apply, a hidden record is
  answered as a missing one, and only the models that have a chat
  (ChatMixin) take one.
- Tryton's REST routes (/<database>/rest/…) call any model's search,
  read, create, write and delete for the holder of an application key,
  around the methods a model exposes (__rpc__) and with a context of the
  caller's choice: a clerk who made herself a key in her preferences read
  every session's key and queued tasks to run as root. The platform is
  served over JSON-RPC only: no key opens the REST routes, and no one
  makes keys (the preferences no longer offer them)."""
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from ..tools import check_visible
from .field_guard import _guarded


class Email(metaclass=PoolMeta):
    __name__ = 'ir.email'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['send', 'complete']:
            cls.__rpc__.pop(name, None)


class UserApplication(metaclass=PoolMeta):
    __name__ = 'res.user.application'

    @classmethod
    def check(cls, key, application):
        "No application key opens a route: the REST routes answer 401"
        return None

    @classmethod
    def create(cls, vlist):
        if _guarded():
            raise AccessError(gettext('egov_base.msg_user_application_closed'))
        return super().create(vlist)


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields = [
            f for f in cls._preferences_fields if f != 'applications']


class ChatChannel(metaclass=PoolMeta):
    __name__ = 'ir.chat.channel'

    @classmethod
    def check_access(cls, resource):
        super().check_access(resource)
        if not Transaction().user:
            return
        pool = Pool()
        IrModel = pool.get('ir.model')
        model, _, id_ = str(resource).partition(',')
        if model not in dict(cls.get_models()):
            raise AccessError(gettext('egov_base.msg_chat_no_channel',
                    model=IrModel.get_name(model)))
        try:
            id_ = int(id_)
        except ValueError:
            id_ = id_[:20]
        check_visible(pool.get(model), [id_])
