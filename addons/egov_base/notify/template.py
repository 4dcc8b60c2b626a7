"""Message templates (消息模板): what a module says for each of its events,
in Chinese, editable by administrators, and how urgently each channel
carries it.

A template's text names its values as ${name}; a module sends the values,
and a message that lacks one is refused before anything is queued."""
import re
import string

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .exceptions import NotifyError, TemplateValueError

PLACEHOLDER = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)\}')
SMS_RULES = [
    ('never', "Never"),
    ('unread', "When Still Unread"),
    ('now', "At Once"),
    ]
MAX_VALUE_LENGTH = 2000


def placeholders(text):
    return set(PLACEHOLDER.findall(text or ''))


def render(text, values):
    "text with its ${name} replaced; values must hold every name"
    return string.Template(text or '').safe_substitute(
        {k: str(v) for k, v in values.items()})


def parse_options(text):
    "{code: meaning} of reply options written one per line as code=meaning"
    result = {}
    for line in (text or '').splitlines():
        if line.strip() and re.search(r'[=＝]', line):
            code, meaning = re.split(r'[=＝]', line, maxsplit=1)
            result[code.strip().upper()] = meaning.strip()
    return result


class Template(ModelSQL, ModelView):
    __name__ = 'egov.notify.template'
    __string__ = "Message Template"
    _egov_visibility = 'city'

    name = fields.Char("Name", required=True, translate=True, strip=True)
    module = fields.Char("Module", required=True, readonly=True,
        help="The module that sends it.")
    event = fields.Char("Event", required=True, readonly=True,
        help="The event of the module it tells.")
    subject = fields.Char("Subject", required=True, translate=True,
        strip=True,
        help="The first line, the title of the WeChat card. "
        "Values are written ${name}.")
    body = fields.Text("Text", required=True, translate=True,
        help="What the message says. Values are written ${name}.")
    values_help = fields.Char("Values", readonly=True,
        help="The values the module gives this template.")
    sms_template_code = fields.Char("Aliyun Template Code", strip=True,
        help="The SMS template approved by Aliyun for this message "
        "(its parameters are the same values). Without one, an Aliyun SMS "
        "cannot carry it; an SMS gateway sends the text.")
    wechat = fields.Boolean("WeChat Work")
    email = fields.Boolean("E-mail")
    sms_normal = fields.Selection(SMS_RULES, "SMS (Normal)", required=True)
    sms_urgent = fields.Selection(SMS_RULES, "SMS (Urgent)", required=True)
    sms_critical = fields.Selection(
        SMS_RULES, "SMS (Very Urgent)", required=True)
    sms_delay = fields.Integer("SMS After Unread (minutes)",
        domain=['OR',
            ('sms_delay', '=', None),
            [('sms_delay', '>=', 1), ('sms_delay', '<=', 10080)],
            ],
        help="Leave empty for the delay of the notification policy.")
    reply_options = fields.Text("Reply Options",
        help="One option per line, as code=meaning (1=参加). People "
        "answer an SMS or WeChat message with the code.")
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('event_unique', Unique(t, t.module, t.event),
                'egov_base.msg_notify_template_event_unique'),
            ]
        cls._order.insert(0, ('module', 'ASC'))

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def default_wechat(cls):
        return True

    @classmethod
    def default_email(cls):
        return False

    @classmethod
    def default_sms_normal(cls):
        return 'never'

    @classmethod
    def default_sms_urgent(cls):
        return 'unread'

    @classmethod
    def default_sms_critical(cls):
        return 'now'

    @classmethod
    def validate_fields(cls, templates, field_names):
        super().validate_fields(templates, field_names)
        if field_names & {'subject', 'body', 'values_help', 'reply_options'}:
            for template in templates:
                template.check_placeholders()
                template.check_reply_options()

    def check_placeholders(self):
        "An administrator writes only the values the module gives"
        known = set((self.values_help or '').replace('，', ',').split(','))
        known = {k.strip() for k in known if k.strip()}
        unknown = (placeholders(self.subject)
            | placeholders(self.body)) - known
        if self.values_help and unknown:
            raise TemplateValueError(gettext(
                    'egov_base.msg_notify_template_unknown_value',
                    template=self.name, value=sorted(unknown)[0],
                    known='、'.join(sorted(known))))

    def check_reply_options(self):
        for line in (self.reply_options or '').splitlines():
            if line.strip() and not re.match(
                    r'^\s*[0-9A-Za-z]{1,4}\s*[=＝]\s*\S', line):
                raise TemplateValueError(gettext(
                        'egov_base.msg_notify_template_reply_option',
                        template=self.name, line=line.strip()[:40]))

    def options(self):
        "{code: meaning} of the replies this template asks for"
        return parse_options(self.reply_options)

    @classmethod
    def get(cls, module, event):
        "The active template of module's event; refused when none exists"
        with without_check_access():
            templates = cls.search([
                    ('module', '=', module),
                    ('event', '=', event),
                    ], limit=1)
        if not templates:
            raise NotifyError(gettext(
                    'egov_base.msg_notify_template_missing',
                    module=module, event=event))
        return templates[0]

    def check_values(self, values):
        "The values fill every ${name} of the template, and are short"
        missing = (placeholders(self.subject) | placeholders(self.body)) - set(
            values)
        if missing:
            raise TemplateValueError(gettext(
                    'egov_base.msg_notify_template_value_missing',
                    template=self.name, value=sorted(missing)[0]))
        for key, value in values.items():
            if not isinstance(value, (str, int, float)) or len(
                    str(value)) > MAX_VALUE_LENGTH:
                raise TemplateValueError(gettext(
                        'egov_base.msg_notify_template_value_invalid',
                        template=self.name, value=key))

    def rendered(self, values, language):
        "(subject, body) in language"
        with Transaction().set_context(language=language), \
                without_check_access():
            template = self.__class__(self.id)
            return (render(template.subject, values),
                render(template.body, values))

    def sms_rule(self, urgency):
        return getattr(self, 'sms_%s' % urgency)

    @property
    def delay(self):
        if self.sms_delay:
            return self.sms_delay
        Configuration = Pool().get('egov.notify.configuration')
        return Configuration.policy().sms_delay
