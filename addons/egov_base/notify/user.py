"""What a person receives where: their WeChat Work account and the
channels they chose, within what the administrator allows."""
from trytond.i18n import gettext
from trytond.model import Unique, fields
from trytond.pool import Pool, PoolMeta

from .exceptions import NotifyError


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    wechat_userid = fields.Char(
        "WeChat Work Account", strip=True,
        help="The person's userid in WeChat Work (企业微信), "
        "where messages reach their phone.")
    notify_wechat = fields.Boolean(
        "Messages in WeChat Work",
        help="Receive the platform's messages in WeChat Work.")
    notify_sms = fields.Selection([
            ('rule', "As the Rules Say"),
            ('urgent', "Only Urgent Messages"),
            ], "SMS", required=True,
        help="Whether unread messages are sent again by SMS, or only "
        "urgent ones come by SMS.")
    notify_email = fields.Boolean(
        "Messages by E-mail",
        help="Also receive the platform's messages by e-mail.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields.extend([
                'notify_wechat', 'notify_sms', 'notify_email'])
        t = cls.__table__()
        cls._sql_constraints += [
            ('wechat_userid_unique', Unique(t, t.wechat_userid),
                'egov_base.msg_notify_wechat_userid_unique'),
            ]

    @classmethod
    def default_notify_wechat(cls):
        return True

    @classmethod
    def default_notify_sms(cls):
        return 'rule'

    @classmethod
    def default_notify_email(cls):
        return False

    @classmethod
    def validate_fields(cls, users, field_names):
        super().validate_fields(users, field_names)
        if field_names & {'notify_wechat', 'notify_sms'}:
            cls.check_notify_choices(users)

    @classmethod
    def check_notify_choices(cls, users):
        "Nobody turns off what the administrator keeps on"
        policy = Pool().get('egov.notify.configuration').policy()
        for user in users:
            if not user.notify_wechat and not policy.users_may_stop_wechat:
                raise NotifyError(gettext(
                        'egov_base.msg_notify_wechat_required'))
            if user.notify_sms != 'rule' and not policy.users_may_stop_sms:
                raise NotifyError(gettext(
                        'egov_base.msg_notify_sms_required'))
