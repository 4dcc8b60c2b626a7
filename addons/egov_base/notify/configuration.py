"""The notification policy an administrator sets: how long a message may
stay unread before SMS steps in, how often a failed send is tried again,
what an SMS costs, and what people may switch off for themselves."""
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.transaction import without_check_access


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'egov.notify.configuration'
    __string__ = "Notification Policy"
    _egov_visibility = 'admin'

    sms_delay = fields.Integer(
        "SMS After Unread (minutes)", required=True,
        domain=[('sms_delay', '>=', 1), ('sms_delay', '<=', 10080)],
        help="How long a message may stay unread in the platform and "
        "WeChat before it is sent again by SMS, when its template asks so.")
    max_attempts = fields.Integer(
        "Attempts", required=True,
        domain=[('max_attempts', '>=', 1), ('max_attempts', '<=', 20)],
        help="How many times a provider that does not answer is tried "
        "before the message is marked failed.")
    retry_delay = fields.Integer(
        "First Retry After (seconds)", required=True,
        domain=[('retry_delay', '>=', 1), ('retry_delay', '<=', 3600)],
        help="Each following retry waits twice as long.")
    sms_price = fields.Numeric(
        "Price of an SMS (yuan)", digits=(16, 4), required=True,
        domain=[('sms_price', '>=', 0)],
        help="What one SMS costs, for the report of the cost saved.")
    public_url = fields.Char("Platform Address", strip=True,
        help="The address people reach the platform at from their "
        "phones (https://oa.yichun.gov.cn): links in WeChat and e-mail "
        "messages start with it.")
    users_may_stop_sms = fields.Boolean(
        "People May Stop SMS Reminders",
        help="Whether people may choose to get SMS only for urgent "
        "messages, not as reminders of unread ones.")
    users_may_stop_wechat = fields.Boolean(
        "People May Stop WeChat",
        help="Whether people may choose not to get messages in WeChat Work.")

    @classmethod
    def default_sms_delay(cls):
        return 60

    @classmethod
    def default_max_attempts(cls):
        return 8

    @classmethod
    def default_retry_delay(cls):
        return 30

    @classmethod
    def default_sms_price(cls):
        return Decimal('0.045')

    @classmethod
    def default_users_may_stop_sms(cls):
        return True

    @classmethod
    def default_users_may_stop_wechat(cls):
        return False

    @classmethod
    def policy(cls):
        "The policy, read by the service whoever the user"
        with without_check_access():
            return cls(1)
