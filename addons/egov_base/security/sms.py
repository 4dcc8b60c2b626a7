"""SMS codes as a second login factor, through trytond_authentication_sms.

That module sends with the function named by `[authentication_sms]
function`; `send_sms` below is that function for the Aliyun SMS service
(dysmsapi 2017-05-25), configured in `[egov_sms]`:

    [authentication_sms]
    function = egov_base.security.sms.send_sms
    name = 宜春市智慧办公平台
    [egov_sms]
    endpoint = dysmsapi.aliyuncs.com   # or the government cloud's host
    protocol = https
    access_key_id = …
    access_key_secret = …
    sign_name = 宜春市政务           # the approved signature
    template_code = SMS_123456789     # a template with ${code}

The template receives the code as its `code` parameter. `log_sms` writes
the text to the server log instead, for a demo without an SMS account."""
import datetime
import hashlib
import hmac
import json
import logging
import re

from trytond import config
from trytond.exceptions import LoginException
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import SecurityError

logger = logging.getLogger(__name__)
CODE = re.compile(r'(\d{4,8})(?!.*\d)')


class SMSError(Exception):
    pass


def _client():
    from alibabacloud_dysmsapi20170525.client import Client
    from alibabacloud_tea_openapi.models import Config
    return Client(Config(
            access_key_id=config.get('egov_sms', 'access_key_id'),
            access_key_secret=config.get('egov_sms', 'access_key_secret'),
            endpoint=config.get(
                'egov_sms', 'endpoint', default='dysmsapi.aliyuncs.com'),
            protocol=config.get('egov_sms', 'protocol', default='https'),
            connect_timeout=config.getint(
                'egov_sms', 'connect_timeout', default=5000),
            read_timeout=config.getint(
                'egov_sms', 'read_timeout', default=10000),
            ))


def send_sms(text, to, from_=None):
    "Send the code found in text to the mobile number to"
    from alibabacloud_dysmsapi20170525.models import SendSmsRequest
    match = CODE.search(text or '')
    if not match:
        raise SMSError('No code in the text of the SMS')
    request = SendSmsRequest(
        phone_numbers=to,
        sign_name=from_ or config.get('egov_sms', 'sign_name'),
        template_code=config.get('egov_sms', 'template_code'),
        template_param=json.dumps({'code': match.group(1)}))
    response = _client().send_sms(request)
    body = response.body
    if getattr(body, 'code', None) != 'OK':
        logger.error('SMS to %s refused: %s %s', _mask(to),
            getattr(body, 'code', None), getattr(body, 'message', None))
        raise SMSError(getattr(body, 'code', None))
    logger.info('SMS sent to %s: %s', _mask(to), body.biz_id)
    return body.biz_id


def send_notice(text, to):
    """Send a notice (a lock, a one-time password) by SMS through the
    configured sender; with the Aliyun sender, through the notice
    template of `[egov_sms] notice_template_code`, which receives the
    text as its `text` parameter. Never raises: a notice is best effort."""
    from trytond.tools import resolve
    if not to:
        return
    function = config.get('authentication_sms', 'function', default=None)
    try:
        if function == 'egov_base.security.sms.send_sms':
            from alibabacloud_dysmsapi20170525.models import SendSmsRequest
            template = config.get('egov_sms', 'notice_template_code',
                default=None)
            if not template:
                logger.error('No [egov_sms] notice_template_code: '
                    'notice to %s not sent', _mask(to))
                return
            _client().send_sms(SendSmsRequest(
                    phone_numbers=to,
                    sign_name=config.get('egov_sms', 'sign_name'),
                    template_code=template,
                    template_param=json.dumps({'text': text},
                        ensure_ascii=False)))
        elif function:
            resolve(function)(text, to, config.get(
                    'authentication_sms', 'from', default=None))
        else:
            logger.error('No SMS sender: notice to %s not sent', _mask(to))
    except Exception:
        logger.exception('SMS notice to %s not sent', _mask(to))


def log_sms(text, to, from_=None):
    "Write the SMS to the server log (demo and development only)"
    logger.warning('SMS to %s: %s', to, text)


def _mask(number):
    number = str(number or '')
    return number[:3] + '****' + number[-4:] if len(number) >= 11 else '***'


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def _sms_mobile(cls, user_id):
        "The number codes go to: the login's, else the employee's"
        with without_check_access():
            user = cls(user_id)
            if user.mobile:
                return user.mobile
            employee = user.employee
            return employee.mobile if employee else None

    @classmethod
    def _login_sms(cls, login, parameters):
        pool = Pool()
        SMSCode = pool.get('res.user.login.sms_code')
        user_id = cls._get_login(login)[0]
        if not user_id:
            return None
        state = parameters.get('_egov_state', {})
        if cls._second_factor(user_id) != 'sms':
            return user_id
        code = parameters.get('sms_code')
        if isinstance(code, str) and code.strip():
            # A wrong code counts as a failed login (the module would ask
            # again without counting it)
            if len(code) <= 16 and SMSCode.check(user_id, code.strip()):
                state['second_factor'] = 'sms'
                return user_id
            state['failed'] = 'sms'
            return None
        SMSCode.send(user_id)
        raise LoginException('sms_code',
            gettext('egov_base.msg_security_sms_code',
                mobile=_mask(cls._sms_mobile(user_id))), type='char')


class UserLoginSMSCode(metaclass=PoolMeta):
    __name__ = 'res.user.login.sms_code'

    @classmethod
    def send(cls, user, mobile=None):
        pool = Pool()
        User = pool.get('res.user')
        if not mobile and not list(cls.get(user)):
            mobile = User._sms_mobile(user)
            if not mobile:
                return
            record = cls(user_id=user)
            record.save()
            name = config.get('authentication_sms', 'name', default='Tryton')
            text = gettext('authentication_sms.msg_sms_text',
                name=name, code=record.code)
            from trytond.modules.authentication_sms.res import send_sms as module_send
            try:
                module_send(text, mobile)
            except Exception:
                logger.exception('SMS code for user %s not sent', user)
            return
        return super().send(user, mobile=mobile)


MOBILE_CODE_MINUTES = 10
MOBILE_CODE_ATTEMPTS = 5


def valid_mobile(number):
    return (isinstance(number, str) and len(number) == 11
        and number.isdigit() and number.startswith('1'))


class MobileVerification(ModelSQL):
    """A code sent to a new mobile: the number becomes the login's only
    when the code is entered. Nobody reads these over RPC."""
    __name__ = 'egov.security.mobile.verification'
    __string__ = "Mobile Verification"
    _egov_visibility = 'admin'

    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    mobile = fields.Char("Mobile", size=20)
    code_hash = fields.Char("Code Hash", strip=False)
    expires = fields.DateTime("Expires")
    attempts = fields.Integer("Attempts")

    @classmethod
    def start(cls, user_id, mobile):
        "Send a code to mobile for user_id; an earlier code is forgotten"
        pool = Pool()
        SMSCode = pool.get('res.user.login.sms_code')
        code = SMSCode.default_code()
        with without_check_access():
            cls.delete(cls.search([('user', '=', user_id)]))
            cls.create([{
                        'user': user_id,
                        'mobile': mobile,
                        'code_hash': _code_hash(user_id, mobile, code),
                        'expires': datetime.datetime.now()
                        + datetime.timedelta(minutes=MOBILE_CODE_MINUTES),
                        'attempts': 0,
                        }])
        name = config.get('authentication_sms', 'name', default='Tryton')
        from trytond.modules.authentication_sms.res import (
            send_sms as module_send)
        try:
            module_send(gettext('egov_base.msg_account_mobile_sms',
                    name=name, code=code), mobile)
        except Exception:
            logger.exception('mobile code for user %s not sent', user_id)

    @classmethod
    def confirm(cls, user_id, code):
        "Return the verified mobile if code is right, else None"
        with without_check_access():
            records = cls.search([('user', '=', user_id)], limit=1)
            if not records:
                return None
            record, = records
            if (record.expires < datetime.datetime.now()
                    or record.attempts >= MOBILE_CODE_ATTEMPTS):
                cls.delete([record])
                return None
            code = (code or '').strip()
            if len(code) <= 16 and hmac.compare_digest(record.code_hash,
                    _code_hash(user_id, record.mobile, code)):
                mobile = record.mobile
                cls.delete([record])
                return mobile
            cls.write([record], {'attempts': record.attempts + 1})
        return None


def _code_hash(user_id, mobile, code):
    return hashlib.sha256(
        ('%s:%s:%s' % (user_id, mobile, code)).encode('utf-8')).hexdigest()


class MobileChangeStart(ModelView):
    __name__ = 'egov.security.mobile.change.start'
    __string__ = "Change Mobile"

    current = fields.Char("Current Mobile", readonly=True)
    mobile = fields.Char(
        "New Mobile", required=True, size=20,
        help="A code is sent to this number; it becomes yours once you "
        "enter the code. Until then codes go to your current mobile.")


class MobileChangeCode(ModelView):
    __name__ = 'egov.security.mobile.change.code'
    __string__ = "Confirm Mobile"

    mobile = fields.Char("New Mobile", readonly=True)
    code = fields.Char(
        "Code", required=True, size=16,
        help="The code sent by SMS to the new mobile.")


class MobileChange(Wizard):
    "Change one's own mobile, confirmed by a code sent to the new one"
    __name__ = 'egov.security.mobile.change'

    start = StateView('egov.security.mobile.change.start',
        'egov_base.mobile_change_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send Code", 'send', 'tryton-forward', default=True),
            ])
    send = StateTransition()
    code = StateView('egov.security.mobile.change.code',
        'egov_base.mobile_change_code_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm", 'confirm', 'tryton-ok', default=True),
            ])
    confirm = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        User = pool.get('res.user')
        with without_check_access():
            mobile = User._sms_mobile(Transaction().user)
        return {'current': _mask(mobile) if mobile else None}

    def transition_send(self):
        pool = Pool()
        Verification = pool.get('egov.security.mobile.verification')
        mobile = (self.start.mobile or '').strip()
        if not valid_mobile(mobile):
            raise SecurityError(gettext(
                    'egov_base.msg_account_mobile_invalid'))
        Verification.start(Transaction().user, mobile)
        return 'code'

    def default_code(self, fields):
        return {'mobile': self.start.mobile}

    def transition_confirm(self):
        pool = Pool()
        User = pool.get('res.user')
        Verification = pool.get('egov.security.mobile.verification')
        Log = pool.get('egov.audit.log')
        user_id = Transaction().user
        mobile = Verification.confirm(user_id, self.code.code)
        if not mobile:
            # The failed attempt is kept: the wrong code counts
            Transaction().commit()
            raise SecurityError(gettext(
                    'egov_base.msg_account_mobile_code_wrong'))
        with without_check_access():
            User.write([User(user_id)], {'mobile': mobile})
        Log.record('wizard', model='res.user', record_id=user_id,
            method='egov.security.mobile.change',
            message=gettext('egov_base.msg_account_mobile_audit',
                mobile=_mask(mobile)))
        return 'end'
