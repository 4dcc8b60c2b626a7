"""A WeChat Work (企业微信) server on loopback, speaking the parts of its
API the platform uses, so that wechatpy talks HTTP to it as to WeChat:

- GET  /cgi-bin/gettoken?corpid&corpsecret → access_token, expires_in
  (a wrong secret: 40001; a wrong corpid: 40013)
- POST /cgi-bin/message/send?access_token → msgid, invaliduser; the token
  is checked (40014 unknown, 42001 expired), WeChat's duplicate check is
  honoured over its interval, and every message reaching someone counted
- template_card messages of the button kind (按钮交互型) in message/send:
  checked as WeChat documents them (task_id charset, length and unique per
  application, a button key, card_action's url) and answered with a
  response_code, one per call
- POST /cgi-bin/message/update_template_card → the card's button replaced
  for the userids; the response_code must be one the server gave, unused
  and younger than 72 hours (else 40058, the fake's choice: WeChat's
  documents name no code for it)
- GET  /cgi-bin/auth/getuserinfo (and the older user/getuserinfo)
  ?access_token&code → userid of a code the test registered (once)
- GET  /connect/oauth2/authorize?appid&redirect_uri&…&state → 302 back to
  redirect_uri with a code for the person the test says is on the phone

It can be told to be down (503), slow, throttled (45009), to say once that
the token expired, or be stopped (connections refused). A callback is
built as WeChat builds it (WeChatCrypto.encrypt_message) so tests POST real
ones. Thread-safe; measured with the provider on this machine: about 570
one-person calls a second, 10,000 people of one message in 0.7 s."""
import base64
import collections
import http.server
import itertools
import json
import os
import re
import secrets
import socket
import threading
import time
import urllib.parse

from wechatpy.enterprise.crypto import WeChatCrypto

CORP_ID = 'wwfake0123456789'
SECRET = 'fake-secret-of-the-agent'
AGENT_ID = 1000002
TOKEN = 'egovtoken'
TEXT_MAX = 2048
TASK_ID = re.compile(r'[0-9A-Za-z_@-]{1,128}')
RESPONSE_CODE_LIFETIME = 72 * 3600
BAD_PARAMETER = 40058


def random_aes_key():
    "A 43-character EncodingAESKey, as the administrator console gives"
    return base64.b64encode(os.urandom(32)).decode()[:-1]


def button_name(card):
    "The text of a card's first button as sent"
    buttons = card.get('button_list') or [{}]
    return buttons[0].get('text')


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def setup(self):
        super().setup()
        # Headers and body leave in two writes: without this, Nagle and
        # the client's delayed ACK cost 40 ms a call
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.fake.handle(self, 'GET')

    def do_POST(self):
        self.server.fake.handle(self, 'POST')

    def answer(self, status, body=b'', headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode('utf-8')
            headers = dict(headers or {},
                **{'Content-Type': 'application/json; charset=utf-8'})
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its time-out): nothing to answer
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class FakeWeChatWork:

    def __init__(self, corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID,
            token=TOKEN, encoding_aes_key=None, token_lifetime=7200):
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.token = token
        self.encoding_aes_key = encoding_aes_key or random_aes_key()
        self.token_lifetime = token_lifetime
        self.lock = threading.Lock()
        self.httpd = None
        self.reset()

    # --- life -------------------------------------------------------------

    def start(self):
        self.httpd = Server(('127.0.0.1', 0), Handler)
        self.httpd.fake = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def stop(self):
        "Stop listening: calls are refused until start() again"
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *args):
        self.stop()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    @property
    def api_base_url(self):
        return self.url + '/cgi-bin/'

    @property
    def oauth_base_url(self):
        return self.url + '/connect/oauth2/authorize'

    def settings(self, **values):
        "The provider's settings that point at this server"
        return dict({
                'corp_id': self.corp_id,
                'agent_id': self.agent_id,
                'secret': self.secret,
                'token': self.token,
                'encoding_aes_key': self.encoding_aes_key,
                'api_base_url': self.api_base_url,
                'oauth_base_url': self.oauth_base_url,
                'timeout': 5,
                }, **values)

    def reset(self):
        "Forget everything sent, the tokens and the modes"
        with self.lock:
            self.tokens = {}             # token: expires at
            self.token_fetches = 0
            self.calls = collections.Counter()   # path: count
            self.sends = []              # every accepted message/send body
            self.messages = []           # (user, msgid, msgtype, content)
            self.counts = collections.Counter()  # (user, content): count
            self.recent = {}             # (agent, user, content): sent at
            self.deduplicated = 0
            self.users = None            # None: every userid is a member
            self.invalid = set()
            self.codes = {}              # code: userid
            self.phone_user = None       # who is on the OAuth page
            self.down = False
            self.slow = 0.0
            self.throttle = 0            # answer 45009 to this many sends
                                         # and card updates
            self.cards = {}              # task_id: {'content', 'users',
                                         # 'buttons': {user: replace_name}}
            self.response_codes = {}     # code: {'task_id', 'users',
                                         # 'given', 'used'}
            self.updates = []            # accepted update_template_card
            self.expire_once = False
            self.msgids = itertools.count(1)

    # --- what tests say ---------------------------------------------------

    def expire_tokens(self):
        "Every token given so far expires now (42001 on its next use)"
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0

    def register_code(self, userid, code=None):
        "A code that auth/getuserinfo answers with userid (once)"
        code = code or secrets.token_hex(16)
        with self.lock:
            self.codes[code] = userid
        return code

    def expire_response_codes(self):
        "Every response_code given so far is past its 72 hours"
        with self.lock:
            for code in self.response_codes.values():
                code['given'] -= RESPONSE_CODE_LIFETIME + 1

    def button(self, task_id, user):
        "What the button of the card task_id shows user now, or None"
        with self.lock:
            card = self.cards.get(task_id)
            return card['buttons'].get(user) if card else None

    def received(self, user=None):
        "The messages that reached user (or everyone)"
        with self.lock:
            return [m for m in self.messages if user is None or m[0] == user]

    def duplicates(self):
        "(user, content) that reached someone more than once"
        with self.lock:
            return {k: n for k, n in self.counts.items() if n > 1}

    # --- callbacks as WeChat sends them -----------------------------------

    def crypto(self):
        return WeChatCrypto(self.token, self.encoding_aes_key, self.corp_id)

    def verification(self, echostr=None, timestamp=None, nonce=None):
        "(query, plain echostr) of WeChat's URL check"
        plain = echostr or secrets.token_hex(8)
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        envelope = self.crypto().encrypt_message(plain, nonce, timestamp)
        encrypted = envelope.split('<Encrypt><![CDATA[')[1].split(']]>')[0]
        signature = envelope.split('<MsgSignature><![CDATA[')[1].split(
            ']]>')[0]
        return {'msg_signature': signature, 'timestamp': timestamp,
            'nonce': nonce, 'echostr': encrypted}, plain

    def callback(self, xml, timestamp=None, nonce=None):
        "(query, body) of a callback carrying xml, encrypted and signed"
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        envelope = self.crypto().encrypt_message(xml, nonce, timestamp)
        signature = envelope.split('<MsgSignature><![CDATA[')[1].split(
            ']]>')[0]
        encrypted = envelope.split('<Encrypt><![CDATA[')[1].split(']]>')[0]
        # WeChat posts only Encrypt (and the receiver's ids) in the body
        body = ('<xml><ToUserName><![CDATA[%s]]></ToUserName>'
            '<Encrypt><![CDATA[%s]]></Encrypt>'
            '<AgentID><![CDATA[%s]]></AgentID></xml>' % (
                self.corp_id, encrypted, self.agent_id))
        return {'msg_signature': signature, 'timestamp': timestamp,
            'nonce': nonce}, body.encode('utf-8')

    def text_message(self, user, content, msg_id=None, at=None):
        "The XML of a text a person sends to the application"
        return ('<xml><ToUserName><![CDATA[%s]]></ToUserName>'
            '<FromUserName><![CDATA[%s]]></FromUserName>'
            '<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType>'
            '<Content><![CDATA[%s]]></Content><MsgId>%s</MsgId>'
            '<AgentID>%s</AgentID></xml>' % (
                self.corp_id, user, at or int(time.time()), content,
                msg_id or secrets.randbelow(10 ** 18), self.agent_id))

    def card_event(self, user, task_id, key, response_code=None):
        "The XML of a press on a button of the card task_id"
        return ('<xml><ToUserName><![CDATA[%s]]></ToUserName>'
            '<FromUserName><![CDATA[%s]]></FromUserName>'
            '<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType>'
            '<Event><![CDATA[template_card_event]]></Event>'
            '<EventKey><![CDATA[%s]]></EventKey>'
            '<TaskId><![CDATA[%s]]></TaskId>'
            '<CardType><![CDATA[button_interaction]]></CardType>'
            '<ResponseCode><![CDATA[%s]]></ResponseCode>'
            '<AgentID>%s</AgentID></xml>' % (
                self.corp_id, user, int(time.time()), key, task_id,
                response_code or secrets.token_urlsafe(32), self.agent_id))

    def event_message(self, user, event, key=''):
        return ('<xml><ToUserName><![CDATA[%s]]></ToUserName>'
            '<FromUserName><![CDATA[%s]]></FromUserName>'
            '<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType>'
            '<Event><![CDATA[%s]]></Event><EventKey><![CDATA[%s]]></EventKey>'
            '<AgentID>%s</AgentID></xml>' % (
                self.corp_id, user, int(time.time()), event, key,
                self.agent_id))

    # --- the server -------------------------------------------------------

    def handle(self, request, method):
        url = urllib.parse.urlsplit(request.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(request.headers.get('Content-Length') or 0)
        body = request.rfile.read(length) if length else b''
        with self.lock:
            self.calls[url.path] += 1
            down, slow = self.down, self.slow
        if slow:
            time.sleep(slow)
        if down:
            return request.answer(503, b'Service Unavailable')
        routes = {
            ('GET', '/cgi-bin/gettoken'): self.gettoken,
            ('POST', '/cgi-bin/message/send'): self.message_send,
            ('POST', '/cgi-bin/message/update_template_card'):
            self.update_template_card,
            ('GET', '/cgi-bin/auth/getuserinfo'): self.getuserinfo,
            ('GET', '/cgi-bin/user/getuserinfo'): self.getuserinfo,
            ('GET', '/connect/oauth2/authorize'): self.authorize,
            }
        route = routes.get((method, url.path))
        if route is None:
            return request.answer(404, {'errcode': 404, 'errmsg': 'no api'})
        status, answer, *headers = route(query, body)
        request.answer(status, answer, *headers)

    def _token_error(self, query):
        "The error of the query's access_token, or None when valid"
        token = query.get('access_token')
        if token not in self.tokens:
            return {'errcode': 40014, 'errmsg': 'invalid access_token'}
        if self.tokens[token] < time.time():
            return {'errcode': 42001, 'errmsg': 'access_token expired'}
        return None

    def gettoken(self, query, body):
        with self.lock:
            if query.get('corpid') != self.corp_id:
                return 200, {'errcode': 40013, 'errmsg': 'invalid corpid'}
            if query.get('corpsecret') != self.secret:
                return 200, {'errcode': 40001, 'errmsg': 'invalid secret'}
            token = secrets.token_urlsafe(32)
            self.tokens[token] = time.time() + self.token_lifetime
            self.token_fetches += 1
        return 200, {'errcode': 0, 'errmsg': 'ok', 'access_token': token,
            'expires_in': self.token_lifetime}

    def message_send(self, query, body):
        try:
            data = json.loads(body)
        except ValueError:
            return 200, {'errcode': 47001, 'errmsg': 'data format error'}
        with self.lock:
            error = self._token_error(query)
            if error:
                return 200, error
            if self.expire_once:
                self.expire_once = False
                return 200, {'errcode': 42001,
                    'errmsg': 'access_token expired'}
            if self.throttle:
                self.throttle -= 1
                return 200, {'errcode': 45009,
                    'errmsg': 'api freq out of limit'}
            if data.get('agentid') != self.agent_id:
                return 200, {'errcode': 40056, 'errmsg': 'invalid agentid'}
            msgtype = data.get('msgtype')
            if msgtype not in {'text', 'textcard', 'template_card'} or (
                    not isinstance(data.get(msgtype), dict)):
                return 200, {'errcode': 40008,
                    'errmsg': 'invalid message type'}
            content = json.dumps(data[msgtype], sort_keys=True,
                ensure_ascii=False)
            if msgtype == 'text':
                text = data['text'].get('content') or ''
                if not text:
                    return 200, {'errcode': 44004, 'errmsg': 'empty content'}
                if len(text.encode('utf-8')) > TEXT_MAX:
                    return 200, {'errcode': 45002,
                        'errmsg': 'content size out of limit'}
            if msgtype == 'template_card':
                error = self._card_error(data['template_card'], content)
                if error:
                    return 200, {'errcode': BAD_PARAMETER, 'errmsg': error}
            users = [u for u in (data.get('touser') or '').split('|') if u]
            if len(users) > 1000:
                return 200, {'errcode': 82001,
                    'errmsg': 'too many users (at most 1000)'}
            invalid = [u for u in users if u in self.invalid or (
                    self.users is not None and u not in self.users)]
            valid = [u for u in users if u not in invalid]
            if not valid:
                return 200, {'errcode': 81013,
                    'errmsg': 'user & party & tag all invalid',
                    'invaliduser': '|'.join(invalid)}
            msgid = 'msg%08d' % next(self.msgids)
            check = data.get('enable_duplicate_check') == 1
            interval = min(int(data.get('duplicate_check_interval')
                    or 1800), 4 * 3600)
            now = time.time()
            self.sends.append(data)
            for user in valid:
                key = (self.agent_id, user, msgtype, content)
                if check and now - self.recent.get(key, -1e18) < interval:
                    self.deduplicated += 1
                    continue
                self.recent[key] = now
                self.messages.append((user, msgid, msgtype, data[msgtype]))
                self.counts[(user, content)] += 1
            answer = {'errcode': 0, 'errmsg': 'ok', 'msgid': msgid,
                'invaliduser': '|'.join(invalid), 'invalidparty': '',
                'invalidtag': ''}
            if msgtype == 'template_card':
                task_id = data['template_card']['task_id']
                card = self.cards.setdefault(task_id, {
                        'content': content, 'users': set(), 'buttons': {}})
                card['users'].update(valid)
                for user in valid:
                    card['buttons'].setdefault(user, button_name(
                            data['template_card']))
                # One code per call, for the card of everyone in it
                code = secrets.token_urlsafe(32)
                self.response_codes[code] = {'task_id': task_id,
                    'given': now, 'used': False}
                answer['response_code'] = code
        return 200, answer

    def _card_error(self, card, content):
        "Why WeChat refuses card (a button card), or None"
        if card.get('card_type') != 'button_interaction':
            return 'card_type not supported by this server'
        task_id = card.get('task_id') or ''
        if not TASK_ID.fullmatch(task_id):
            return 'invalid task_id'
        known = self.cards.get(task_id)
        if known and known['content'] != content:
            return 'task_id exists'
        title = (card.get('main_title') or {}).get('title')
        if not title and not card.get('sub_title_text'):
            return 'main_title.title or sub_title_text required'
        buttons = card.get('button_list') or []
        if not 1 <= len(buttons) <= 6:
            return 'button_list: 1 to 6 buttons'
        keys = [b.get('key') for b in buttons if not b.get('type')]
        if (not all(keys) or len(set(keys)) != len(keys)
                or any(len(k.encode('utf-8')) > 1024 for k in keys)):
            return 'button key missing, repeated or over 1024 bytes'
        action = card.get('card_action') or {}
        if action and action.get('type') == 1 and not action.get('url'):
            return 'card_action.url required'
        return None

    def update_template_card(self, query, body):
        try:
            data = json.loads(body)
        except ValueError:
            return 200, {'errcode': 47001, 'errmsg': 'data format error'}
        with self.lock:
            error = self._token_error(query)
            if error:
                return 200, error
            if self.throttle:
                self.throttle -= 1
                return 200, {'errcode': 45009,
                    'errmsg': 'api freq out of limit'}
            if data.get('agentid') != self.agent_id:
                return 200, {'errcode': 40056, 'errmsg': 'invalid agentid'}
            code = self.response_codes.get(data.get('response_code'))
            if code is None or code['used'] or (time.time() - code['given']
                    > RESPONSE_CODE_LIFETIME):
                return 200, {'errcode': BAD_PARAMETER,
                    'errmsg': 'invalid response_code: unknown, used or '
                    'expired'}
            name = (data.get('button') or {}).get('replace_name')
            if not name:
                return 200, {'errcode': BAD_PARAMETER,
                    'errmsg': 'button.replace_name required'}
            card = self.cards[code['task_id']]
            users = data.get('userids') or []
            if data.get('atall'):
                users = sorted(card['users'])
            if not isinstance(users, list) or len(users) > 1000:
                return 200, {'errcode': BAD_PARAMETER,
                    'errmsg': 'userids: a list of at most 1000'}
            invalid = [u for u in users if u not in card['users']]
            valid = [u for u in users if u in card['users']]
            code['used'] = True
            for user in valid:
                card['buttons'][user] = name
            self.updates.append({'task_id': code['task_id'],
                    'userids': valid, 'replace_name': name})
        return 200, {'errcode': 0, 'errmsg': 'ok',
            'invaliduser': invalid}

    def getuserinfo(self, query, body):
        with self.lock:
            error = self._token_error(query)
            if error:
                return 200, error
            userid = self.codes.pop(query.get('code'), None)
        if userid is None:
            return 200, {'errcode': 40029, 'errmsg': 'invalid code'}
        if userid.startswith('openid:'):
            # Not a member of the organisation: an OpenId only
            return 200, {'errcode': 0, 'errmsg': 'ok',
                'openid': userid[7:]}
        return 200, {'errcode': 0, 'errmsg': 'ok', 'userid': userid,
            'UserId': userid}

    def authorize(self, query, body):
        "WeChat's page: the person on the phone is known, it sends back"
        if (query.get('appid') != self.corp_id
                or query.get('response_type') != 'code'
                or query.get('scope') != 'snsapi_base'
                or not query.get('redirect_uri')):
            return 400, 'bad authorize request'.encode()
        state = query.get('state') or ''
        if len(state) > 128 or not state.isalnum():
            return 400, 'bad state'.encode()
        if self.phone_user is None:
            return 400, 'nobody on the phone'.encode()
        code = self.register_code(self.phone_user)
        target = query['redirect_uri']
        target += ('&' if '?' in target else '?') + urllib.parse.urlencode(
            {'code': code, 'state': state})
        return 302, b'', {'Location': target}
