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
import json
import logging
import re

from trytond import config
from trytond.exceptions import LoginException
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

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
