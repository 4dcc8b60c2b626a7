"""SMS through a generic HTTP gateway (the plan's 短信网关): the JSON API that
carriers' and integrators' gateways offer, reduced to what the platform
needs. Free text, no templates.

Settings: url (https://gateway.example/api), account, secret, sign_name,
timeout (seconds, 10), batch_size (numbers per call, 500), concatenates
(true: the gateway sends a long text as one concatenated SMS; false: the
provider sends it as parts marked (1/3), each an SMS).

The protocol
------------
Every request carries three headers:

    X-Sms-Account: <account>
    X-Sms-Timestamp: <Unix time, seconds>
    X-Sms-Signature: hex(HMAC-SHA256(secret,
        timestamp + "\\n" + METHOD + "\\n" + path_and_query + "\\n" + body))

The gateway refuses a wrong signature or a timestamp more than 300 s off
with 401 {"code": "BAD_SIGNATURE"}.

POST {url}/send, body (UTF-8 JSON), at most 1,000 numbers:

    {"sign": "宜春市政务", "content": "…",
     "mobiles": [{"mobile": "13800138000", "key": "<delivery key>"}, …]}

→ 200 {"code": "OK", "results": [{"key", "mobile", "code", "msgid",
  "message", "duplicate"}]}, code per number: OK, INVALID_MOBILE,
  REFUSED (content refused) or THROTTLED. The key is the idempotency key:
  the gateway never sends a key twice; a key it has seen answers its
  first msgid with "duplicate": true.
→ 400 {"code": "BAD_REQUEST", "message"}, 401, 429 {"code": "THROTTLED"},
  503: nothing was sent.

GET {url}/status?key=<delivery key> → 200 {"code": "OK", "msgid",
  "state": "sent" | "delivered" | "failed"}, or 404 {"code": "NOT_FOUND"}.

GET {url}/reports?since=<seq>&limit=<n> → 200 {"code": "OK", "next": seq,
  "reports": [{"seq", "msgid", "key", "mobile", "delivered", "error",
  "at"}]}; GET {url}/replies?since=<seq>&limit=<n> → 200 {"code": "OK",
  "next": seq, "replies": [{"seq", "id", "mobile", "content",
  "extension", "at"}]}; at is "YYYY-MM-DD HH:MM:SS" in China time."""
import hashlib
import hmac
import json
import logging
import time
import urllib.parse

from .provider import (
    DELIVERED, FAILED, RETRY, SENT, Provider, Reply, Report, Result)
from .sms_text import (
    InvalidMobile, china_time, count_segments, normalize_mobile,
    split_for_gateway, too_long)

logger = logging.getLogger(__name__)

PULL_LIMIT = 500
PULL_PAGES = 20
PART_SEPARATOR = '#'


def signature(secret, timestamp, method, path, body):
    "The X-Sms-Signature of a request (body as bytes)"
    message = ('%s\n%s\n%s\n' % (timestamp, method.upper(), path)).encode(
        'utf-8') + (body or b'')
    return hmac.new(secret.encode('utf-8'), message,
        hashlib.sha256).hexdigest()


def _truthy(value, default):
    if value is None or value == '':
        return default
    if isinstance(value, str):
        return value.strip().lower() not in {'0', 'false', 'no', 'off'}
    return bool(value)


class HttpGatewaySMS(Provider):
    channel = 'sms'
    kind = 'http_gateway'

    def __init__(self, settings):
        super().__init__(settings)
        self.url = (self.settings.get('url') or '').rstrip('/')
        self.sign_name = self.settings.get('sign_name') or ''
        self.timeout = float(self.settings.get('timeout') or 10)
        self.batch_size = max(1, min(1000,
                int(self.settings.get('batch_size') or 500)))
        self.concatenates = _truthy(self.settings.get('concatenates'), True)
        # Where the next pulls start; the service may keep them
        self.reports_since = int(self.settings.get('reports_since') or 0)
        self.replies_since = int(self.settings.get('replies_since') or 0)
        self._session = None

    @property
    def session(self):
        if self._session is None:
            import requests
            self._session = requests.Session()
            # Loopback and intranet gateways: no proxy from the environment
            self._session.trust_env = False
        return self._session

    def _request(self, method, path, body=None):
        "(HTTP status, JSON answer or {}); raises on transport errors"
        data = b'' if body is None else json.dumps(
            body, ensure_ascii=False).encode('utf-8')
        timestamp = str(int(time.time()))
        path_only = urllib.parse.urlsplit(self.url).path + path
        headers = {
            'X-Sms-Account': self.settings.get('account') or '',
            'X-Sms-Timestamp': timestamp,
            'X-Sms-Signature': signature(
                self.settings.get('secret') or '', timestamp, method,
                path_only, data),
            }
        if body is not None:
            headers['Content-Type'] = 'application/json; charset=utf-8'
        response = self.session.request(method, self.url + path,
            data=data if body is not None else None, headers=headers,
            timeout=self.timeout)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return response.status_code, answer if isinstance(
            answer, dict) else {}

    # Sending

    def parts(self, item):
        "[(delivery key, text)] the gateway receives for item"
        if self.concatenates:
            return [(item.key, item.text)]
        texts = split_for_gateway(item.text, self.sign_name)
        if len(texts) == 1:
            return [(item.key, item.text)]
        return [('%s%s%d/%d' % (item.key, PART_SEPARATOR, i, len(texts)), t)
            for i, t in enumerate(texts, 1)]

    def send(self, outgoing):
        results = [None] * len(outgoing)
        # text → [(index, part key, number)]
        by_text = {}
        expected = {}
        for index, item in enumerate(outgoing):
            try:
                number = normalize_mobile(item.address)
            except InvalidMobile:
                results[index] = self._result(item, FAILED,
                    error='INVALID_MOBILE: not a mainland mobile number '
                    '(not sent)')
                continue
            if not (item.text or '').strip():
                results[index] = self._result(item, FAILED,
                    error='BAD_REQUEST: empty message (not sent)')
                continue
            if too_long(item.text, self.sign_name):
                results[index] = self._result(item, FAILED,
                    error='BAD_REQUEST: message too long (not sent)')
                continue
            parts = self.parts(item)
            expected[index] = [key for key, _ in parts]
            for key, text in parts:
                by_text.setdefault(text, []).append((index, key, number))
        answers = {}  # part key → (state, msgid, error)
        for text, members in by_text.items():
            for start in range(0, len(members), self.batch_size):
                chunk = members[start:start + self.batch_size]
                answers.update(self._send_call(text, chunk))
        for index, keys in expected.items():
            states = [answers[k] for k in keys]
            failed = [a for a in states if a[0] == FAILED]
            retry = [a for a in states if a[0] == RETRY]
            if failed:
                state, error = FAILED, failed[0][2]
            elif retry:
                # Parts already sent are not sent again: the keys hold
                state, error = RETRY, retry[0][2]
            else:
                state, error = SENT, ''
            results[index] = self._result(outgoing[index], state,
                ','.join(a[1] for a in states if a[1]), error,
                segments=len(keys) if len(keys) > 1 else None)
        return results

    def _result(self, item, state, provider_id='', error='', segments=None):
        return Result(key=item.key, state=state, provider_id=provider_id,
            error=error, segments=segments or count_segments(
                item.text, self.sign_name))

    def _send_call(self, text, members):
        body = {
            'sign': self.sign_name,
            'content': text,
            'mobiles': [{'mobile': number, 'key': key}
                for _, key, number in members],
            }
        keys = [key for _, key, _ in members]
        try:
            status, answer = self._request('POST', '/send', body)
        except Exception as exception:
            # No answer: the gateway may have taken it; its keys make
            # the next attempt safe
            error = '%s: %s' % (type(exception).__name__,
                str(exception)[:300] or 'no answer')
            logger.warning('SMS gateway: %s', error)
            return {k: (RETRY, '', error) for k in keys}
        code = str(answer.get('code') or status)
        error = '%s: %s' % (code, answer.get('message') or '')
        if status == 429 or status >= 500:
            return {k: (RETRY, '', error) for k in keys}
        if status != 200 or code != 'OK':
            logger.warning('SMS gateway refused: %s', error)
            return {k: (FAILED, '', error) for k in keys}
        found = {}
        for line in answer.get('results') or []:
            if isinstance(line, dict) and line.get('key') in keys:
                found[line['key']] = line
        answers = {}
        for key in keys:
            line = found.get(key)
            if line is None:
                answers[key] = (RETRY, '', 'NO_RESULT: not in the answer')
                continue
            line_code = str(line.get('code') or '')
            msgid = str(line.get('msgid') or '')
            if line_code == 'OK':
                answers[key] = (SENT, msgid, '')
            elif line_code == 'THROTTLED':
                answers[key] = (RETRY, '', 'THROTTLED: %s'
                    % (line.get('message') or ''))
            else:
                answers[key] = (FAILED, '', '%s: %s'
                    % (line_code, line.get('message') or ''))
        return answers

    # Recovery, reports and replies

    def recover(self, outgoing):
        """SENT (or DELIVERED) when the gateway has every part of outgoing,
        None when it misses one (sending again is safe: it keeps the keys
        it has), RETRY when it cannot be asked now"""
        msgids, states = [], []
        for key, _ in self.parts(outgoing):
            try:
                status, answer = self._request('GET', '/status?'
                    + urllib.parse.urlencode({'key': key}))
            except Exception as exception:
                return self._result(outgoing, RETRY, error='status: %s' % (
                        type(exception).__name__))
            if status == 404:
                return None
            if status != 200:
                return self._result(outgoing, RETRY,
                    error='status: %s' % (answer.get('code') or status))
            msgids.append(str(answer.get('msgid') or ''))
            states.append(answer.get('state'))
        state = DELIVERED if all(s == 'delivered' for s in states) else SENT
        return self._result(outgoing, state, ','.join(msgids),
            segments=len(msgids) if len(msgids) > 1 else None)

    def _pull(self, path, name, since):
        items = []
        for _ in range(PULL_PAGES):
            status, answer = self._request('GET', '%s?%s' % (path,
                    urllib.parse.urlencode(
                        {'since': since, 'limit': PULL_LIMIT})))
            if status != 200 or answer.get('code') != 'OK':
                raise ConnectionError('%s: %s' % (
                        path, answer.get('code') or status))
            page = [i for i in answer.get(name) or []
                if isinstance(i, dict)]
            items.extend(page)
            following = int(answer.get('next') or since)
            if not page or following <= since:
                break
            since = following
        return items, since

    def pull_reports(self, since=None):
        """Reports after `since` (else after the last pull); the cursor
        moves to reports_since. A report of a part names the delivery."""
        since = self.reports_since if since is None else int(since)
        try:
            items, self.reports_since = self._pull('/reports', 'reports',
                since)
        except Exception as exception:
            logger.warning('SMS gateway reports not pulled: %s', exception)
            return []
        reports = []
        for item in items:
            delivered = item.get('delivered') is True
            reports.append(Report(
                    provider_id=str(item.get('msgid') or '')[:100],
                    address=str(item.get('mobile') or '')[:20],
                    delivered=delivered,
                    error='' if delivered else str(
                        item.get('error') or 'UNDELIVERED')[:500],
                    key=str(item.get('key') or '').split(
                        PART_SEPARATOR)[0][:256],
                    at=china_time(item.get('at'))))
        return reports

    def pull_replies(self, since=None):
        "Replies after `since` (else after the last pull): replies_since"
        since = self.replies_since if since is None else int(since)
        try:
            items, self.replies_since = self._pull('/replies', 'replies',
                since)
        except Exception as exception:
            logger.warning('SMS gateway replies not pulled: %s', exception)
            return []
        return [Reply(
                address=str(item.get('mobile') or '')[:20],
                text=str(item.get('content') or '')[:1000],
                at=china_time(item.get('at')),
                provider_id=str(item.get('id') or item.get('seq') or '')[
                    :100],
                extension=str(item.get('extension') or '')[:20])
            for item in items]
