"""The providers an administrator configures: which service carries SMS,
WeChat Work and e-mail, with its address and keys. Keys are kept encrypted
(security/crypto.py) and never read back over RPC.

The classes that speak each provider's protocol are plain Python
(provider.py); KINDS names them by kind."""
import importlib
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from ..security import crypto

# kind: (channel, 'module:Class')
KINDS = {
    'aliyun': ('sms', 'egov_base.notify.sms_aliyun:AliyunSMS'),
    'http_gateway': ('sms', 'egov_base.notify.sms_gateway:HttpGatewaySMS'),
    'wechat_work': ('wechat', 'egov_base.notify.wechat:WeChatWork'),
    'smtp': ('email', 'egov_base.notify.email:Email'),
    }
# The settings each kind reads, besides the secrets
SETTINGS = {
    'aliyun': ['endpoint', 'protocol', 'access_key_id', 'sign_name'],
    'http_gateway': ['url', 'account', 'sign_name', 'reports_since',
        'replies_since'],
    'wechat_work': ['corp_id', 'agent_id', 'api_base_url', 'oauth_base_url'],
    'smtp': ['url', 'from_address'],
    }
SECRETS = {
    'aliyun': {'access_key_secret': 'secret'},
    'http_gateway': {'secret': 'secret'},
    'wechat_work': {'secret': 'secret', 'token': 'token',
        'encoding_aes_key': 'encoding_aes_key'},
    'smtp': {'password': 'secret'},
    }


def provider_class(kind):
    module, name = KINDS[kind][1].split(':')
    return getattr(importlib.import_module(module), name)


class Provider(crypto.EncryptValuesMixin, ModelSQL, ModelView):
    __name__ = 'egov.notify.provider'
    __string__ = "Message Provider"
    _egov_visibility = 'admin'

    name = fields.Char("Name", required=True, strip=True)
    kind = fields.Selection([
            ('aliyun', "Aliyun SMS"),
            ('http_gateway', "SMS Gateway (HTTP)"),
            ('wechat_work', "WeChat Work"),
            ('smtp', "E-mail (SMTP)"),
            ], "Kind", required=True)
    channel = fields.Function(fields.Selection([
                ('sms', "SMS"),
                ('wechat', "WeChat Work"),
                ('email', "E-mail"),
                ], "Channel"), 'on_change_with_channel',
        searcher='search_channel')
    active = fields.Boolean("Active")
    sequence = fields.Integer("Sequence")
    timeout = fields.Integer("Timeout (seconds)", required=True,
        domain=[('timeout', '>=', 1), ('timeout', '<=', 120)])
    endpoint = fields.Char("Endpoint", strip=True,
        states={'invisible': Eval('kind') != 'aliyun'},
        help="dysmsapi.aliyuncs.com, or the government cloud's host.")
    protocol = fields.Selection([
            ('https', "HTTPS"),
            ('http', "HTTP"),
            ], "Protocol",
        states={'invisible': Eval('kind') != 'aliyun'})
    access_key_id = fields.Char("AccessKey ID", strip=True,
        states={'invisible': Eval('kind') != 'aliyun'})
    sign_name = fields.Char("SMS Signature", strip=True,
        states={'invisible': ~Eval('kind').in_(['aliyun', 'http_gateway'])},
        help="The approved signature shown as 【…】 in every SMS.")
    url = fields.Char("URL", strip=True,
        states={'invisible': ~Eval('kind').in_(['http_gateway', 'smtp'])},
        help="The gateway's address, or smtp://user@host:port for e-mail "
        "(its password in Secret).")
    account = fields.Char("Account", strip=True,
        states={'invisible': Eval('kind') != 'http_gateway'})
    from_address = fields.Char("From", strip=True,
        states={'invisible': Eval('kind') != 'smtp'})
    corp_id = fields.Char("CorpID", strip=True,
        states={'invisible': Eval('kind') != 'wechat_work'})
    agent_id = fields.Char("AgentID", strip=True,
        states={'invisible': Eval('kind') != 'wechat_work'})
    api_base_url = fields.Char("API Address", strip=True,
        states={'invisible': Eval('kind') != 'wechat_work'},
        help="https://qyapi.weixin.qq.com/cgi-bin/, or the host of the "
        "government's own WeChat (政务微信).")
    oauth_base_url = fields.Char("Login Address", strip=True,
        states={'invisible': Eval('kind') != 'wechat_work'})
    secret = fields.Char("Secret", strip=False,
        help="Kept encrypted; leave empty to keep the one saved.")
    token = fields.Char("Callback Token", strip=True,
        states={'invisible': Eval('kind') != 'wechat_work'})
    encoding_aes_key = fields.Char("Callback EncodingAESKey", strip=True,
        states={'invisible': Eval('kind') != 'wechat_work'})
    price = fields.Numeric("Price per SMS (yuan)", digits=(16, 4),
        states={'invisible': Eval('channel') != 'sms'},
        help="Leave empty to use the price of the notification policy.")
    reports_since = fields.Integer("Reports Read Up To", readonly=True)
    replies_since = fields.Integer("Replies Read Up To", readonly=True)
    push_report_url = fields.Function(
        fields.Char("Address for Delivery Reports",
            help="Give it to the provider for its pushed reports."),
        'get_push_url')
    push_reply_url = fields.Function(
        fields.Char("Address for Replies",
            help="Give it to the provider for the SMS people send back."),
        'get_push_url')
    secret_set = fields.Function(
        fields.Boolean("Secret Saved"), 'get_secret_set')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('sequence', 'ASC NULLS LAST'))

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def default_timeout(cls):
        return 10

    @classmethod
    def default_protocol(cls):
        return 'https'

    @fields.depends('kind')
    def on_change_with_channel(self, name=None):
        if self.kind:
            return KINDS[self.kind][0]

    @classmethod
    def search_channel(cls, name, clause):
        _, operator, value = clause[:3]
        kinds = [k for k, (c, _) in KINDS.items()
            if (c == value if operator == '=' else c in value)]
        return [('kind', 'in', kinds)]

    def get_push_url(self, name):
        from .push import push_urls
        if self.id is None or self.id < 0 or self.channel != 'sms':
            return None
        return push_urls(self)[name[len('push_'):-len('_url')]]

    def get_secret_set(self, name):
        return bool(self.secret)

    def read_secret(self, name):
        "The secret in clear, for the server's own use"
        # From the table: read() blanks the secrets, so the field gives
        # them only when a search happened to fill the cache (not for a
        # provider reached through a delivery)
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(getattr(table, name),
                where=table.id == self.id))
        row = cursor.fetchone()
        value = row[0] if row else None
        return crypto.decrypt(value) if value else ''

    @classmethod
    def _encrypt(cls, values):
        values = dict(values)
        for name in ('secret', 'token', 'encoding_aes_key'):
            if name in values:
                if values[name]:
                    values[name] = crypto.encrypt(values[name])
                else:
                    # Empty keeps the saved one
                    del values[name]
        return values

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        # The secrets never leave the server, not even encrypted
        for row in result:
            for name in ('secret', 'token', 'encoding_aes_key'):
                if name in row:
                    row[name] = None
        return result

    def settings(self):
        "The settings the provider class reads"
        settings = {'timeout': self.timeout}
        for name in SETTINGS[self.kind]:
            value = getattr(self, name)
            if value:
                settings[name] = value
        for key, field in SECRETS[self.kind].items():
            settings[key] = self.read_secret(field)
        return settings

    def client(self):
        return provider_class(self.kind)(self.settings())

    @property
    def sms_price(self):
        if self.price is not None:
            return self.price
        Configuration = Pool().get('egov.notify.configuration')
        return Configuration.policy().sms_price or Decimal(0)

    @classmethod
    def active_for(cls, channel):
        "The provider that carries channel now, or None"
        with without_check_access():
            providers = cls.search([('channel', '=', channel)], limit=1)
        return providers[0] if providers else None

    @classmethod
    def settings_of(cls, channel):
        provider = cls.active_for(channel)
        return provider.settings() if provider else None

    @classmethod
    def validate_fields(cls, providers, field_names):
        super().validate_fields(providers, field_names)
        from .exceptions import NotifyError
        for provider in providers:
            missing = [n for n in SETTINGS[provider.kind][:2]
                if not getattr(provider, n)]
            if missing:
                label = cls.fields_get([missing[0]])[missing[0]]['string']
                raise NotifyError(gettext(
                        'egov_base.msg_notify_provider_setting_missing',
                        provider=provider.name, field=label))
