"""SMS through Aliyun's SMS service (dysmsapi 2017-05-25) and its SDK.

Settings (egov.notify.provider): endpoint (dysmsapi.aliyuncs.com or the
government cloud's host), protocol (https), access_key_id,
access_key_secret, sign_name (the approved 签名), timeout (seconds, 10).

Calls: SendSms for one number, or for up to 1,000 numbers that get the
same template and values (群发); SendBatchSms for up to 100 numbers with
their own values; QuerySendDetails to recover a send after a crash and to
pull delivery states. Aliyun has no idempotency key: the OutId of a call
is what recover() looks for, so that a retry never sends twice."""
import datetime
import hashlib
import json
import logging

from .provider import (
    DELIVERED, FAILED, RETRY, SENT, Outgoing, Provider, Reply, Report, Result)
from .sms_text import (
    CHINA, InvalidMobile, china_time, count_segments, normalize_mobile)

logger = logging.getLogger(__name__)

GROUP_SIZE = 1000   # numbers in one SendSms
BATCH_SIZE = 100    # numbers in one SendBatchSms
PAGE_SIZE = 50      # QuerySendDetails' largest page
MAX_PAGES = 10      # records of one number on one day worth reading
MAX_PUSH = 1024 * 1024

# Answers that mean "not now": the provider may take the message later
RETRY_CODES = {
    'isv.BUSINESS_LIMIT_CONTROL', 'isv.DAY_LIMIT_CONTROL',
    'isv.MONTH_LIMIT_CONTROL', 'isv.OUT_OF_SERVICE', 'isp.SYSTEM_ERROR',
    'isp.RAM_PERMISSION_DENY', 'Throttling', 'Throttling.User',
    'Throttling.Api', 'ServiceUnavailable', 'InternalError',
    }
MOBILE_ILLEGAL = 'isv.MOBILE_NUMBER_ILLEGAL'
# OutId of a call for several numbers: a digest recover() can recompute
GROUP_PREFIX = 'g-'
BATCH_PREFIX = 'b-'


def _canonical_params(params):
    "TemplateParam: Aliyun takes string values only"
    return json.dumps({str(k): str(v) for k, v in (params or {}).items()},
        ensure_ascii=False, sort_keys=True, separators=(',', ':'))


def _out_id(key):
    "Aliyun's OutId is shorter than 256 characters"
    if len(key) < 200:
        return key
    return 'k-' + hashlib.sha256(key.encode('utf-8')).hexdigest()


def _digest(*values):
    return hashlib.sha256(
        '\x1f'.join(values).encode('utf-8')).hexdigest()[:40]


class AliyunSMS(Provider):
    channel = 'sms'
    kind = 'aliyun'
    batch_size = GROUP_SIZE

    def __init__(self, settings):
        super().__init__(settings)
        self.sign_name = self.settings.get('sign_name') or ''
        self.timeout = float(self.settings.get('timeout') or 10)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from alibabacloud_dysmsapi20170525.client import Client
            from alibabacloud_tea_openapi.models import Config
            milliseconds = int(self.timeout * 1000)
            self._client = Client(Config(
                    access_key_id=self.settings.get('access_key_id'),
                    access_key_secret=self.settings.get('access_key_secret'),
                    endpoint=self.settings.get(
                        'endpoint') or 'dysmsapi.aliyuncs.com',
                    protocol=self.settings.get('protocol') or 'https',
                    connect_timeout=milliseconds,
                    read_timeout=milliseconds))
        return self._client

    def group_out_id(self, outgoing):
        "OutId of a SendSms to several numbers with outgoing's values"
        return GROUP_PREFIX + _digest(self.sign_name, outgoing.template_code,
            _canonical_params(outgoing.params))

    def batch_out_id(self, outgoing):
        "OutId of a SendBatchSms with outgoing's template"
        return BATCH_PREFIX + _digest(self.sign_name, outgoing.template_code)

    # Sending

    def send(self, outgoing):
        results = [None] * len(outgoing)
        numbers = {}
        same_values = {}
        for index, item in enumerate(outgoing):
            try:
                numbers[index] = normalize_mobile(item.address)
            except InvalidMobile:
                results[index] = self._result(item, FAILED, error=(
                        '%s: not a mainland mobile number (not sent)'
                        % MOBILE_ILLEGAL))
                continue
            if not item.template_code:
                results[index] = self._result(item, FAILED,
                    error='isv.SMS_TEMPLATE_ILLEGAL: no template (not sent)')
                continue
            same_values.setdefault((item.template_code,
                    _canonical_params(item.params)), []).append(index)
        same_template = {}
        for (template, _), indexes in same_values.items():
            if len(indexes) > 1:
                for start in range(0, len(indexes), GROUP_SIZE):
                    self._send_group(outgoing, numbers,
                        indexes[start:start + GROUP_SIZE], results)
            else:
                same_template.setdefault(template, []).extend(indexes)
        for indexes in same_template.values():
            if len(indexes) == 1:
                self._send_single(outgoing, numbers, indexes[0], results)
                continue
            for start in range(0, len(indexes), BATCH_SIZE):
                self._send_batch(outgoing, numbers,
                    indexes[start:start + BATCH_SIZE], results)
        return results

    def _result(self, item, state, provider_id='', error=''):
        return Result(key=item.key, state=state, provider_id=provider_id,
            error=error, segments=count_segments(item.text, self.sign_name))

    def _send_single(self, outgoing, numbers, index, results):
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        item = outgoing[index]
        request = SendSmsRequest(
            phone_numbers=numbers[index],
            sign_name=self.sign_name,
            template_code=item.template_code,
            template_param=_canonical_params(item.params),
            out_id=_out_id(item.key))
        state, biz_id, error = self._call('send_sms', request)
        results[index] = self._result(item, state, biz_id, error)

    def _send_group(self, outgoing, numbers, indexes, results):
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        first = outgoing[indexes[0]]
        request = SendSmsRequest(
            phone_numbers=','.join(numbers[i] for i in indexes),
            sign_name=self.sign_name,
            template_code=first.template_code,
            template_param=_canonical_params(first.params),
            out_id=self.group_out_id(first))
        state, biz_id, error = self._call('send_sms', request)
        if error.startswith(MOBILE_ILLEGAL):
            # Aliyun refuses the whole call for one bad number: send one
            # by one so that only the bad ones fail (nothing was sent)
            for index in indexes:
                self._send_single(outgoing, numbers, index, results)
            return
        for index in indexes:
            results[index] = self._result(
                outgoing[index], state, biz_id, error)

    def _send_batch(self, outgoing, numbers, indexes, results):
        from alibabacloud_dysmsapi20170525.models import SendBatchSmsRequest
        first = outgoing[indexes[0]]
        dumps = lambda value: json.dumps(value, ensure_ascii=False)
        request = SendBatchSmsRequest(
            phone_number_json=dumps([numbers[i] for i in indexes]),
            sign_name_json=dumps([self.sign_name] * len(indexes)),
            template_code=first.template_code,
            template_param_json='[%s]' % ','.join(
                _canonical_params(outgoing[i].params) for i in indexes),
            out_id=self.batch_out_id(first))
        state, biz_id, error = self._call('send_batch_sms', request)
        if error.startswith(MOBILE_ILLEGAL):
            for index in indexes:
                self._send_single(outgoing, numbers, index, results)
            return
        for index in indexes:
            results[index] = self._result(
                outgoing[index], state, biz_id, error)

    def _call(self, method, request):
        "(state, BizId, error) of one send call; never raises"
        try:
            body = getattr(self.client, method)(request).body
        except Exception as exception:
            state, error = self._exception(exception)
            logger.warning('Aliyun %s: %s', method, error)
            return state, '', error
        code = body.code or ''
        if code == 'OK':
            return SENT, body.biz_id or '', ''
        error = '%s: %s' % (code, body.message or '')
        logger.warning('Aliyun %s refused: %s', method, error)
        return (RETRY if code in RETRY_CODES else FAILED), '', error

    @staticmethod
    def _exception(exception):
        "(state, error) for what the SDK raised"
        from alibabacloud_tea_openapi.exceptions import (
            ServerException, ThrottlingException)
        from darabonba.exceptions import ResponseException
        code = getattr(exception, 'code', None) or ''
        status = getattr(exception, 'status_code', None) or 0
        message = getattr(exception, 'message', None) or str(exception)
        if isinstance(exception, (ThrottlingException, ServerException)):
            return RETRY, '%s: %s' % (code, message)
        if isinstance(exception, ResponseException):
            if status == 429 or status >= 500 or code in RETRY_CODES:
                return RETRY, '%s: %s' % (code, message)
            # A wrong key or signature: the administrator must act
            return FAILED, '%s: %s' % (code, message)
        # Time-outs, refused or dropped connections: the call may or may
        # not have been taken, recover() tells before a new attempt
        inner = getattr(exception, 'inner_exception', None) or exception
        return RETRY, '%s: %s' % (
            type(inner).__name__, str(inner)[:300] or 'no answer')

    # Recovery and reports

    def _details(self, number, day, biz_id=None):
        "QuerySendDetails records of number on day (a date), all pages"
        from alibabacloud_dysmsapi20170525.models import (
            QuerySendDetailsRequest)
        records = []
        for page in range(1, MAX_PAGES + 1):
            body = self.client.query_send_details(QuerySendDetailsRequest(
                    phone_number=number,
                    send_date=day.strftime('%Y%m%d'),
                    biz_id=biz_id or None,
                    page_size=PAGE_SIZE,
                    current_page=page)).body
            if body.code != 'OK':
                raise LookupError('%s: %s' % (body.code, body.message))
            found = (body.sms_send_detail_dtos.sms_send_detail_dto
                if body.sms_send_detail_dtos else None) or []
            records.extend(found)
            if len(found) < PAGE_SIZE or len(records) >= (
                    body.total_count or 0):
                break
        return records

    def _matches(self, record, outgoing):
        out_id = record.out_id or ''
        if out_id == _out_id(outgoing.key):
            return True
        if out_id == self.group_out_id(outgoing):
            return True
        if (out_id == self.batch_out_id(outgoing)
                and record.template_code == outgoing.template_code):
            # One OutId for the whole batch: its values tell this one
            content = record.content or ''
            return all(str(v) in content
                for v in (outgoing.params or {}).values())
        return False

    def recover(self, outgoing):
        """The Result of a send Aliyun took although its answer was lost;
        None when it did not take it; RETRY when Aliyun cannot be asked now.
        Looks at today and yesterday (China time): a retry comes within
        hours."""
        try:
            number = normalize_mobile(outgoing.address)
        except InvalidMobile:
            return None
        today = datetime.datetime.now(CHINA).date()
        for day in (today, today - datetime.timedelta(days=1)):
            try:
                records = self._details(number, day)
            except Exception as exception:
                # Cannot tell, and sending again could send twice: RETRY
                # makes the service ask again later
                error = (str(exception) if isinstance(exception, LookupError)
                    else self._exception(exception)[1])
                return self._result(outgoing, RETRY,
                    error='QuerySendDetails: %s' % error)
            for record in records:
                if self._matches(record, outgoing):
                    state = DELIVERED if record.send_status == 3 else SENT
                    # QuerySendDetails gives no BizId: pull_reports
                    # finds the record again by number, day and OutId
                    return self._result(outgoing, state)
        return None

    def pull_reports(self, pending=()):
        """Delivery states of sent messages; pending lists (key, address,
        provider_id, sent_date), sent_date a date (or datetime) in China
        time. Without provider_id (a send recover() found: QuerySendDetails
        gives no BizId) give the Outgoing in place of the key, so that a
        group or batch member is told from the others. A message still
        waiting (SendStatus 1) gives no Report; a failed query is logged
        and tried at the next pull."""
        reports = []
        for item, address, provider_id, sent_date in pending:
            outgoing = item if isinstance(item, Outgoing) else None
            key = outgoing.key if outgoing else item
            try:
                number = normalize_mobile(address)
                if isinstance(sent_date, datetime.datetime):
                    sent_date = sent_date.date()
                records = self._details(number, sent_date, provider_id)
            except Exception as exception:
                logger.warning('Aliyun report of %s not pulled: %s',
                    key, exception)
                continue
            for record in records:
                if provider_id:
                    pass
                elif outgoing:
                    if not self._matches(record, outgoing):
                        continue
                elif (record.out_id or '') != _out_id(key):
                    continue
                if record.send_status not in (2, 3):
                    break
                delivered = record.send_status == 3
                reports.append(Report(
                        provider_id=provider_id or '',
                        address=number,
                        delivered=delivered,
                        error='' if delivered else (record.err_code or ''),
                        key=key,
                        at=china_time(record.receive_date)))
                break
        return reports


def _load_push(body, required):
    "The JSON array of an Aliyun HTTP push; ValueError says what is wrong"
    if not isinstance(body, (bytes, bytearray)):
        raise ValueError('body is not bytes')
    if len(body) > MAX_PUSH:
        raise ValueError('body too large')
    try:
        items = json.loads(bytes(body).decode('utf-8'))
    except (UnicodeDecodeError, ValueError):
        raise ValueError('body is not UTF-8 JSON')
    if not isinstance(items, list):
        raise ValueError('body is not a JSON array')
    for item in items:
        if not isinstance(item, dict):
            raise ValueError('an item is not an object')
        for name in required:
            if not isinstance(item.get(name), str) or not item[name]:
                raise ValueError('an item has no %s' % name)
    return items


def _push_number(value):
    try:
        return normalize_mobile(value)
    except InvalidMobile:
        return value[:20]


def parse_report_push(body):
    "The Reports of an SmsReport push (HTTP batch push mode)"
    reports = []
    for item in _load_push(body, ('phone_number', 'biz_id')):
        success = item.get('success')
        if not isinstance(success, bool):
            raise ValueError('an item has no success')
        out_id = str(item.get('out_id') or '')
        if out_id.startswith((GROUP_PREFIX, BATCH_PREFIX)):
            # The OutId of a call for several numbers names no delivery
            out_id = ''
        error = ''
        if not success:
            error = ('%s %s' % (item.get('err_code') or '',
                    item.get('err_msg') or '')).strip()
        reports.append(Report(
                provider_id=item['biz_id'][:100],
                address=_push_number(item['phone_number']),
                delivered=success,
                error=error[:500],
                key=out_id[:256],
                at=china_time(item.get('report_time'))))
    return reports


def parse_reply_push(body):
    "The Replies of an SmsUp push (HTTP batch push mode)"
    replies = []
    for item in _load_push(body, ('phone_number',)):
        content = item.get('content')
        if not isinstance(content, str):
            raise ValueError('an item has no content')
        sequence = item.get('sequence_id')
        if isinstance(sequence, bool) or not isinstance(
                sequence, (str, int)) or sequence == '':
            raise ValueError('an item has no sequence_id')
        replies.append(Reply(
                address=_push_number(item['phone_number']),
                text=content[:1000],
                at=china_time(item.get('send_time')),
                provider_id=str(sequence)[:100],
                extension=str(item.get('dest_code') or '')[:20]))
    return replies
