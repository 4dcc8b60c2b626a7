"""A local Aliyun SMS service (dysmsapi 2017-05-25) for the real SDK.

It checks the ACS3-HMAC-SHA256 signature as Aliyun does (canonical
request: method, path, sorted encoded query, the signed headers, the
payload's SHA-256; a wrong secret or a changed query answers HTTP 400
SignatureDoesNotMatch), a reused nonce and a stale x-acs-date, and answers
SendSms, SendBatchSms and QuerySendDetails. Accepted messages are recorded
with the text rendered from a registered template; reports and replies are
pushed as Aliyun's HTTP batch push (SmsReport, SmsUp) to a URL the test
gives.

    with FakeAliyunSMS(templates={'SMS_1': '您有新的待办：${title}。'}) as fake:
        provider = AliyunSMS(fake.settings())
"""
import collections
import datetime
import hashlib
import hmac
import itertools
import json
import re
import string
import urllib.parse
import uuid

from .server import DROP, FakeServer, post_json

CHINA = datetime.timezone(datetime.timedelta(hours=8))
VERSION = '2017-05-25'
ALGORITHM = 'ACS3-HMAC-SHA256'
REQUIRED_HEADERS = {'host', 'x-acs-action', 'x-acs-content-sha256',
    'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'}
MOBILE = re.compile(r'(?:\+?86|0086)?(1[3-9]\d{9})')


class FakeAliyunSMS(FakeServer):

    def __init__(self, access_key_id='LTAI5tFakeKeyId', access_key_secret=(
                'fake-secret-for-tests'), sign_names=('宜春市政务',),
            templates=None, port=0):
        super().__init__(port=port)
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_names = set(sign_names or ())
        self.templates = dict(templates or {
                'SMS_TODO': '您有新的待办：${title}，请及时处理。',
                })
        # Numbers of the right form that Aliyun still calls illegal
        self.illegal_numbers = set()
        self.records = []
        self._by_phone = collections.defaultdict(list)
        self.per_out_id = collections.Counter()
        self.per_out_id_phone = collections.Counter()
        self.calls = collections.Counter()
        self.refused = collections.Counter()
        self._nonces = set()
        self._biz = itertools.count(100000000000)

    def settings(self, **changes):
        "The settings of an AliyunSMS provider pointed at this server"
        values = {
            'endpoint': '127.0.0.1:%d' % self.port,
            'protocol': 'http',
            'access_key_id': self.access_key_id,
            'access_key_secret': self.access_key_secret,
            'sign_name': next(iter(sorted(self.sign_names)), ''),
            'timeout': 5,
            }
        values.update(changes)
        return values

    # Counting

    def count(self, out_id, phone=None):
        "Messages recorded under out_id (to phone)"
        with self.lock:
            if phone is None:
                return self.per_out_id[out_id]
            return self.per_out_id_phone[(out_id, phone)]

    def reset(self):
        "Forget every message and counter (between tests)"
        with self.lock:
            self.records.clear()
            self._by_phone.clear()
            self.per_out_id.clear()
            self.per_out_id_phone.clear()
            self.calls.clear()
            self.refused.clear()

    def duplicates(self):
        "(OutId, phone) recorded more than once"
        with self.lock:
            return {k: n for k, n in self.per_out_id_phone.items() if n > 1}

    def messages(self, phone=None):
        with self.lock:
            if phone is None:
                return list(self.records)
            return list(self._by_phone.get(phone, ()))

    # Protocol

    def dispatch(self, request):
        headers = request.headers
        action = headers.get('x-acs-action') or request.query.get('Action')
        with self.lock:
            self.calls[action] += 1
        problem = self._check_signature(request)
        if problem:
            with self.lock:
                self.refused[problem[1]['Code']] += 1
            return problem
        if headers.get('x-acs-version') != VERSION:
            return self._error(400, 'InvalidVersion',
                'Specified parameter Version is not valid.')
        handler = {
            'SendSms': self._send_sms,
            'SendBatchSms': self._send_batch_sms,
            'QuerySendDetails': self._query_send_details,
            }.get(action)
        if handler is None:
            return self._error(404, 'InvalidAction.NotFound',
                'Specified api is not found, please check your url and '
                'method.')
        # RPC style: some parameters in the query, others (SendBatchSms'
        # JSON lists) in a form body; both are signed
        params = dict(request.query)
        if (request.body and 'x-www-form-urlencoded' in (
                    headers.get('Content-Type') or '')):
            try:
                params.update(urllib.parse.parse_qsl(
                        request.body.decode('utf-8'),
                        keep_blank_values=True))
            except UnicodeDecodeError:
                return self._error(400, 'InvalidParameter',
                    'The body is not UTF-8.')
        return handler(params)

    def _error(self, status, code, message):
        return status, {'RequestId': str(uuid.uuid4()).upper(),
            'Code': code, 'Message': message,
            'HostId': 'dysmsapi.aliyuncs.com'}

    def _answer(self, code='OK', message='OK', **values):
        body = {'RequestId': str(uuid.uuid4()).upper(), 'Code': code,
            'Message': message}
        body.update(values)
        return 200, body

    def _check_signature(self, request):
        "None when the request is signed by the known key, else the answer"
        headers = request.headers
        authorization = headers.get('Authorization') or ''
        match = re.fullmatch(r'(\S+) Credential=([^,]*),'
            r'SignedHeaders=([^,]*),Signature=([0-9a-f]+)', authorization)
        if not match:
            return self._error(400, 'MissingAuthorization' if not
                authorization else 'InvalidAuthorization',
                'Authorization is mandatory for this action.')
        algorithm, key_id, signed, given = match.groups()
        if algorithm != ALGORITHM:
            return self._error(400, 'InvalidAuthorization',
                'The signature algorithm is not supported.')
        if key_id != self.access_key_id:
            return self._error(404, 'InvalidAccessKeyId.NotFound',
                'Specified access key is not found.')
        names = signed.split(';')
        if not REQUIRED_HEADERS <= set(names):
            return self._error(400, 'SignatureDoesNotMatch',
                'Required headers are not signed.')
        payload = hashlib.sha256(request.body).hexdigest()
        if headers.get('x-acs-content-sha256') != payload:
            return self._error(400, 'SignatureDoesNotMatch',
                'The payload does not match x-acs-content-sha256.')
        canonical_headers = ''.join('%s:%s\n' % (name, ','.join(sorted(
                        v.strip() for v in headers.get_all(name) or [''])))
            for name in sorted(names))
        canonical_query = '&'.join('%s=%s' % (key, urllib.parse.quote(
                    value, safe='~'))
            for key, value in sorted(request.query.items()))
        canonical = '\n'.join([request.method, request.path or '/',
                canonical_query, canonical_headers, signed, payload])
        to_sign = '%s\n%s' % (ALGORITHM,
            hashlib.sha256(canonical.encode('utf-8')).hexdigest())
        expected = hmac.new(self.access_key_secret.encode('utf-8'),
            to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            return self._error(400, 'SignatureDoesNotMatch',
                'Specified signature does not match our calculation.')
        try:
            date = datetime.datetime.strptime(headers.get('x-acs-date'),
                '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
        except (TypeError, ValueError):
            return self._error(400, 'InvalidTimeStamp.Format',
                'Specified time stamp or date value is not well formatted.')
        now = datetime.datetime.now(datetime.timezone.utc)
        if abs((now - date).total_seconds()) > 15 * 60:
            return self._error(400, 'InvalidTimeStamp.Expired',
                'Specified time stamp or date value is expired.')
        nonce = headers.get('x-acs-signature-nonce')
        with self.lock:
            if nonce in self._nonces:
                return self._error(400, 'SignatureNonceUsed',
                    'Specified signature nonce was used already.')
            self._nonces.add(nonce)
        return None

    def _number(self, text):
        match = MOBILE.fullmatch(text.strip())
        if not match or match.group(1) in self.illegal_numbers:
            return None
        return match.group(1)

    def _render(self, template_code, params, sign_name):
        "(content, None) or (None, refusal answer)"
        if sign_name not in self.sign_names:
            return None, self._answer('isv.SMS_SIGNATURE_ILLEGAL',
                '该账号下找不到对应签名')
        template = self.templates.get(template_code)
        if template is None:
            return None, self._answer('isv.SMS_TEMPLATE_ILLEGAL',
                '该账号下找不到对应模板')
        if not isinstance(params, dict):
            return None, self._answer('isv.INVALID_JSON_PARAM',
                'JSON参数不合法，只接受字符串值')
        names = {m.group('named') or m.group('braced')
            for m in string.Template.pattern.finditer(template)
            if m.group('named') or m.group('braced')}
        if names - set(params):
            return None, self._answer('isv.TEMPLATE_MISSING_PARAMETERS',
                '模板缺少变量')
        content = '【%s】%s' % (sign_name, string.Template(template)
            .safe_substitute({k: str(v) for k, v in params.items()}))
        if len(content.encode('utf-16-le')) // 2 > 500:
            return None, self._answer('isv.PARAM_LENGTH_LIMIT',
                '参数超出长度限制')
        return content, None

    def _throttled(self):
        if self._consume('throttle'):
            return self._answer('isv.BUSINESS_LIMIT_CONTROL',
                '触发分钟级流控Permits:1')
        return None

    def _record(self, numbers, out_id, template_code, params, contents,
            action):
        biz_id = '%d^0' % next(self._biz)
        now = datetime.datetime.now(CHINA).replace(tzinfo=None)
        with self.lock:
            for number, param, content in zip(numbers, params, contents):
                record = {
                    'phone': number, 'out_id': out_id, 'biz_id': biz_id,
                    'template_code': template_code, 'params': param,
                    'content': content, 'send_status': 1, 'err_code': '',
                    'send_date': now, 'receive_date': None,
                    'action': action,
                    }
                self.records.append(record)
                self._by_phone[number].append(record)
                self.per_out_id[out_id] += 1
                self.per_out_id_phone[(out_id, number)] += 1
        return biz_id

    def _send_sms(self, query):
        throttled = self._throttled()
        if throttled:
            return throttled
        phones = [p for p in (query.get('PhoneNumbers') or '').split(',')
            if p.strip()]
        if not phones:
            return self._error(400, 'MissingPhoneNumbers',
                'PhoneNumbers is mandatory for this action.')
        if len(phones) > 1000:
            return self._answer('isv.MOBILE_COUNT_OVER_LIMIT',
                '手机号码数量超过限制')
        numbers = [self._number(p) for p in phones]
        if None in numbers:
            # One bad number refuses the whole call: nothing is sent
            return self._answer('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号')
        try:
            params = json.loads(query.get('TemplateParam') or '{}')
        except ValueError:
            return self._answer('isv.INVALID_JSON_PARAM',
                'JSON参数不合法，只接受字符串值')
        content, refusal = self._render(query.get('TemplateCode'), params,
            query.get('SignName'))
        if refusal:
            return refusal
        biz_id = self._record(numbers, query.get('OutId') or '',
            query.get('TemplateCode'), [params] * len(numbers),
            [content] * len(numbers), 'SendSms')
        if self._consume('fail_after_accept'):
            return DROP
        return self._answer(BizId=biz_id)

    def _send_batch_sms(self, query):
        throttled = self._throttled()
        if throttled:
            return throttled
        try:
            phones = json.loads(query.get('PhoneNumberJson') or 'null')
            signs = json.loads(query.get('SignNameJson') or 'null')
            params = json.loads(query.get('TemplateParamJson') or 'null')
        except ValueError:
            return self._answer('isv.INVALID_JSON_PARAM',
                'JSON参数不合法，只接受字符串值')
        if not (isinstance(phones, list) and isinstance(signs, list)
                and phones and len(phones) == len(signs)
                and (params is None or (isinstance(params, list)
                        and len(params) == len(phones)))):
            return self._answer('isv.INVALID_PARAMETERS', '参数异常')
        if len(phones) > 100:
            return self._answer('isv.MOBILE_COUNT_OVER_LIMIT',
                '手机号码数量超过限制')
        numbers = [self._number(p) if isinstance(p, str) else None
            for p in phones]
        if None in numbers:
            return self._answer('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号')
        params = params or [{}] * len(phones)
        contents = []
        for param, sign in zip(params, signs):
            content, refusal = self._render(query.get('TemplateCode'), param,
                sign)
            if refusal:
                return refusal
            contents.append(content)
        biz_id = self._record(numbers, query.get('OutId') or '',
            query.get('TemplateCode'), params, contents, 'SendBatchSms')
        if self._consume('fail_after_accept'):
            return DROP
        return self._answer(BizId=biz_id)

    def _query_send_details(self, query):
        number = self._number(query.get('PhoneNumber') or '')
        if not number:
            return self._answer('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号')
        try:
            day = datetime.datetime.strptime(query.get('SendDate') or '',
                '%Y%m%d').date()
            size = int(query.get('PageSize') or 0)
            page = int(query.get('CurrentPage') or 1)
        except ValueError:
            return self._answer('isv.INVALID_PARAMETERS', '参数异常')
        if not 1 <= size <= 50 or page < 1:
            return self._answer('isv.INVALID_PARAMETERS', '参数异常')
        biz_id = query.get('BizId')
        with self.lock:
            found = [r for r in self._by_phone.get(number, ())
                if r['send_date'].date() == day
                and (not biz_id or r['biz_id'] == biz_id)]
            found.reverse()
            chosen = found[(page - 1) * size:page * size]
            dtos = [{
                    'PhoneNum': r['phone'],
                    'SendStatus': r['send_status'],
                    'ErrCode': r['err_code'],
                    'TemplateCode': r['template_code'],
                    'Content': r['content'],
                    'SendDate': _format(r['send_date']),
                    'ReceiveDate': _format(r['receive_date']),
                    'OutId': r['out_id'],
                    } for r in chosen]
        return self._answer(TotalCount=len(found),
            SmsSendDetailDTOs={'SmsSendDetailDTO': dtos})

    # What the carriers and people do

    def deliver(self, phone=None, out_id=None, success=True,
            err_code=None):
        "Mark recorded messages delivered (3) or failed (2); those changed"
        now = datetime.datetime.now(CHINA).replace(tzinfo=None)
        changed = []
        with self.lock:
            for record in self.records:
                if phone and record['phone'] != phone:
                    continue
                if out_id is not None and record['out_id'] != out_id:
                    continue
                record['send_status'] = 3 if success else 2
                record['err_code'] = err_code or (
                    'DELIVERED' if success else 'MK:0001')
                record['receive_date'] = now
                changed.append(record)
        return changed

    def push_reports(self, url, records):
        "POST an SmsReport batch push of records; (status, answer)"
        return post_json(url, [{
                    'phone_number': r['phone'],
                    'send_time': _format(r['send_date']),
                    'report_time': _format(r['receive_date']
                        or datetime.datetime.now(CHINA).replace(
                            tzinfo=None)),
                    'success': r['send_status'] == 3,
                    'err_code': r['err_code'] or 'DELIVERED',
                    'err_msg': '用户接收成功' if r['send_status'] == 3
                    else '失败',
                    'sms_size': '1',
                    'biz_id': r['biz_id'],
                    'out_id': r['out_id'],
                    } for r in records])

    def push_reply(self, url, phone, content, dest_code='', sequence_id=1,
            sign_name=None):
        "POST an SmsUp batch push of one reply; (status, answer)"
        return post_json(url, [{
                    'phone_number': phone,
                    'send_time': _format(datetime.datetime.now(CHINA)
                        .replace(tzinfo=None)),
                    'content': content,
                    'sign_name': sign_name or next(
                        iter(sorted(self.sign_names)), ''),
                    'dest_code': dest_code,
                    'sequence_id': sequence_id,
                    }])


def _format(value):
    return value.strftime('%Y-%m-%d %H:%M:%S') if value else ''
