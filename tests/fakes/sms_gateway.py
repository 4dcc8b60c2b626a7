"""A local generic HTTP SMS gateway speaking the protocol defined in
egov_base/notify/sms_gateway.py: HMAC-SHA256 signed requests, POST /send
with one idempotency key per number (a key is never sent twice), GET
/status, /reports and /replies with a `since` cursor.

    with FakeSMSGateway() as gateway:
        provider = HttpGatewaySMS(gateway.settings())
"""
import collections
import datetime
import hashlib
import hmac
import itertools
import re
import time

from .server import DROP, FakeServer

CHINA = datetime.timezone(datetime.timedelta(hours=8))
MOBILE = re.compile(r'1[3-9]\d{9}')
MAX_CONTENT = 500
MAX_MOBILES = 1000


class FakeSMSGateway(FakeServer):

    def __init__(self, account='egov', secret='gateway-secret',
            sign_names=('宜春市政务',), port=0):
        super().__init__(port=port)
        self.account = account
        self.secret = secret
        self.sign_names = set(sign_names or ())
        self.refused_words = set()
        self.illegal_numbers = set()
        self.messages = {}  # key → message sent
        self.sent = []  # messages in the order sent
        self.attempts = collections.Counter()  # key → times presented
        self.reports = []
        self.replies = []
        self.refused = collections.Counter()
        self._seq = itertools.count(1)
        self._msgid = itertools.count(1)

    def settings(self, **changes):
        values = {
            'url': self.url + '/api',
            'account': self.account,
            'secret': self.secret,
            'sign_name': next(iter(sorted(self.sign_names)), ''),
            'timeout': 5,
            }
        values.update(changes)
        return values

    def count(self, key):
        "Messages sent for key: never more than one"
        with self.lock:
            return 1 if key in self.messages else 0

    # Protocol

    def dispatch(self, request):
        problem = self._check_signature(request)
        if problem:
            with self.lock:
                self.refused[problem[1]['code']] += 1
            return problem
        path = request.path
        if path.startswith('/api/'):
            path = path[len('/api'):]
        handler = {
            ('POST', '/send'): self._send,
            ('GET', '/status'): self._status,
            ('GET', '/reports'): self._reports,
            ('GET', '/replies'): self._replies,
            }.get((request.method, path))
        if handler is None:
            return 404, {'code': 'NOT_FOUND', 'message': 'no such path'}
        return handler(request)

    def _check_signature(self, request):
        headers = request.headers
        given = headers.get('X-Sms-Signature') or ''
        timestamp = headers.get('X-Sms-Timestamp') or ''
        if headers.get('X-Sms-Account') != self.account:
            return 401, {'code': 'BAD_SIGNATURE', 'message': 'unknown account'}
        if not (timestamp.isascii() and timestamp.isdigit()) or abs(
                time.time() - int(timestamp)) > 300:
            return 401, {'code': 'BAD_SIGNATURE', 'message': 'stale timestamp'}
        message = ('%s\n%s\n%s\n' % (timestamp, request.method,
                request.target)).encode('utf-8') + request.body
        expected = hmac.new(self.secret.encode('utf-8'), message,
            hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            return 401, {'code': 'BAD_SIGNATURE',
                'message': 'signature does not match'}
        return None

    def _send(self, request):
        if self._consume('throttle'):
            return (429, {'code': 'THROTTLED', 'message': 'too many requests'},
                {'Retry-After': '1'})
        try:
            body = request.json()
        except ValueError:
            return 400, {'code': 'BAD_REQUEST', 'message': 'not JSON'}
        content = body.get('content') if isinstance(body, dict) else None
        mobiles = body.get('mobiles') if isinstance(body, dict) else None
        sign = body.get('sign') if isinstance(body, dict) else None
        if not isinstance(content, str) or not content.strip():
            return 400, {'code': 'BAD_REQUEST', 'message': 'no content'}
        if len(('【%s】%s' % (sign, content)).encode('utf-16-le')) // 2 > (
                MAX_CONTENT):
            return 400, {'code': 'BAD_REQUEST', 'message': 'content too long'}
        if sign not in self.sign_names:
            return 400, {'code': 'BAD_REQUEST', 'message': 'unknown sign'}
        if (not isinstance(mobiles, list) or not mobiles
                or len(mobiles) > MAX_MOBILES or not all(
                    isinstance(m, dict) and isinstance(m.get('key'), str)
                    and m['key'] and isinstance(m.get('mobile'), str)
                    for m in mobiles)):
            return 400, {'code': 'BAD_REQUEST', 'message': 'bad mobiles'}
        refused = any(word in content for word in self.refused_words)
        results = []
        now = datetime.datetime.now(CHINA).replace(tzinfo=None)
        with self.lock:
            for item in mobiles:
                key, mobile = item['key'], item['mobile']
                self.attempts[key] += 1
                known = self.messages.get(key)
                if known:
                    results.append({'key': key, 'mobile': mobile,
                            'code': 'OK', 'msgid': known['msgid'],
                            'duplicate': True})
                elif (not MOBILE.fullmatch(mobile)
                        or mobile in self.illegal_numbers):
                    results.append({'key': key, 'mobile': mobile,
                            'code': 'INVALID_MOBILE',
                            'message': 'not a mobile number'})
                elif refused:
                    results.append({'key': key, 'mobile': mobile,
                            'code': 'REFUSED', 'message': 'content refused'})
                else:
                    message = {'key': key, 'mobile': mobile,
                        'content': content, 'sign': sign,
                        'msgid': 'M%012d' % next(self._msgid),
                        'state': 'sent', 'at': now}
                    self.messages[key] = message
                    self.sent.append(message)
                    results.append({'key': key, 'mobile': mobile,
                            'code': 'OK', 'msgid': message['msgid'],
                            'duplicate': False})
        if self._consume('fail_after_accept'):
            return DROP
        return 200, {'code': 'OK', 'results': results}

    def _status(self, request):
        with self.lock:
            message = self.messages.get(request.query.get('key'))
            if not message:
                return 404, {'code': 'NOT_FOUND'}
            return 200, {'code': 'OK', 'msgid': message['msgid'],
                'state': message['state']}

    def _page(self, request, items, name):
        try:
            since = int(request.query.get('since') or 0)
            limit = max(1, min(1000, int(request.query.get('limit') or 100)))
        except ValueError:
            return 400, {'code': 'BAD_REQUEST', 'message': 'bad cursor'}
        with self.lock:
            page = [dict(i) for i in items if i['seq'] > since][:limit]
        return 200, {'code': 'OK', name: page,
            'next': page[-1]['seq'] if page else since}

    def _reports(self, request):
        return self._page(request, self.reports, 'reports')

    def _replies(self, request):
        return self._page(request, self.replies, 'replies')

    # What the carriers and people do

    def deliver(self, key=None, delivered=True, error='UNDELIV'):
        "Delivery reports for sent messages (all, or key's)"
        at = datetime.datetime.now(CHINA).strftime('%Y-%m-%d %H:%M:%S')
        with self.lock:
            for message in self.sent:
                if key is not None and message['key'] != key:
                    continue
                message['state'] = 'delivered' if delivered else 'failed'
                self.reports.append({'seq': next(self._seq),
                        'msgid': message['msgid'], 'key': message['key'],
                        'mobile': message['mobile'], 'delivered': delivered,
                        'error': '' if delivered else error, 'at': at})

    def reply(self, mobile, content, extension=''):
        "Someone answers by SMS"
        at = datetime.datetime.now(CHINA).strftime('%Y-%m-%d %H:%M:%S')
        with self.lock:
            seq = next(self._seq)
            self.replies.append({'seq': seq, 'id': 'R%d' % seq,
                    'mobile': mobile, 'content': content,
                    'extension': extension, 'at': at})
