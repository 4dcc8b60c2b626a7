"""WeChat Work (企业微信) application messages through wechatpy.

Text messages, or text cards when the message links to a record. The
messages with the same content go in one message/send call to up to 1,000
people (WeChat's limit for `touser`).

A to-do (an actionable message with a link) goes as a template card of the
button kind (按钮交互型): its task_id comes from the delivery's key and
WeChat wants it unique per application, so each card is a call of its own.
That is also what showing it done needs: the send answers one
response_code per call, usable once within 72 hours by
message/update_template_card, and people finish their to-dos one by one.
update_done() spends it to turn the button into 已办结.

A resend never reaches a person twice: every call asks WeChat's own
duplicate check (`enable_duplicate_check`), under which WeChat drops a
message of the same application with the same content to the same person
within `duplicate_check_interval` seconds (at most 4 hours). So when the
worker dies between WeChat's answer and the record of it, the service sends
again (recover() cannot ask WeChat) and WeChat keeps the first one only.
The price: the same words to the same person twice within the interval
arrive once, which for a notification is what one wants."""
import hashlib
import json
import logging
import re
import threading
import time

import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from .provider import FAILED, RETRY, SENT, Provider, Result

logger = logging.getLogger(__name__)

API_BASE_URL = 'https://qyapi.weixin.qq.com/cgi-bin/'
OAUTH_BASE_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize'
TIMEOUT = 10
# WeChat's default; the most it allows is 4 hours
DUPLICATE_CHECK_INTERVAL = 1800
DUPLICATE_CHECK_MAX = 4 * 3600
# The access token is invalid (40014) or has expired (42001)
TOKEN_ERRORS = {40014, 42001}
# System busy (-1), API frequency limits (45009 per app, 45033 concurrent
# calls), 45047 too many requests for the message API: try later
RETRY_ERRORS = {-1, 45009, 45033, 45047}
# Every address invalid: the call took nothing
ALL_INVALID = 81013
# The sizes WeChat accepts, in UTF-8 bytes
TEXT_MAX = 2048
CARD_TITLE_MAX = 128
CARD_DESCRIPTION_MAX = 512
CARD_BUTTON = '详情'
# The button card of a to-do: WeChat's advised sizes, in characters
TODO_TITLE_MAX = 36
TODO_TEXT_MAX = 160
TODO_BUTTON = '去办理'
TODO_DONE = '已办结'
# task_id: digits, letters and _-@, at most 128 bytes, unique per application
TASK_ID = re.compile(r'[0-9A-Za-z_@-]{1,128}')
# A response_code serves one update within 72 hours of the send
RESPONSE_CODE_LIFETIME = 72 * 3600


def clip_bytes(text, size):
    "text cut to at most size UTF-8 bytes, on a character boundary"
    data = text.encode('utf-8')
    if len(data) <= size:
        return text
    return data[:size - 3].decode('utf-8', 'ignore') + '…'


def clip_chars(text, size):
    "text cut to at most size characters"
    return text if len(text) <= size else text[:size - 1] + '…'


def task_id(key):
    """The card's task_id of a delivery key: the key itself when WeChat
    accepts it, else a digest of it (stable across retries either way)"""
    if TASK_ID.fullmatch(key):
        return key
    return 'k' + hashlib.sha256(key.encode('utf-8')).hexdigest()


def card_data(response_code, sent_at):
    "What a delivery keeps to update its card later"
    return json.dumps({'response_code': response_code,
            'sent_at': int(sent_at)}, sort_keys=True)


def parse_card_data(value):
    "(response_code, sent_at) of card_data, or (None, None)"
    try:
        data = json.loads(value or '')
        return str(data['response_code']), int(data['sent_at'])
    except (ValueError, TypeError, KeyError):
        return None, None


class Client(WeChatClient):
    """wechatpy's client on the hosts of the settings (政务微信 runs its own),
    with a timeout on every call, the token fetch included"""

    def __init__(self, corp_id, secret, api_base_url=API_BASE_URL,
            timeout=TIMEOUT):
        if not api_base_url.endswith('/'):
            api_base_url += '/'
        self.API_BASE_URL = api_base_url
        # Token refresh and its single retry are the provider's
        super().__init__(corp_id, secret, timeout=timeout, auto_retry=False)

    def fetch_access_token(self):
        # wechatpy's own hard-codes the public host and sets no timeout
        response = self._http.get(self.API_BASE_URL + 'gettoken', params={
                'corpid': self.corp_id,
                'corpsecret': self.secret,
                }, timeout=self.timeout)
        response.raise_for_status()
        result = response.json()
        if result.get('errcode'):
            raise WeChatClientException(result['errcode'],
                result.get('errmsg'), client=self, response=response)
        expires_in = int(result.get('expires_in') or 7200)
        self.session.set(
            self.access_token_key, result['access_token'], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result


class WeChatWork(Provider):
    channel = 'wechat'
    kind = 'wechat_work'
    batch_size = 1000

    def __init__(self, settings):
        super().__init__(settings)
        settings = self.settings
        self.agent_id = int(settings['agent_id'])
        interval = int(settings.get('duplicate_check_interval')
            or DUPLICATE_CHECK_INTERVAL)
        self.duplicate_check_interval = max(
            1, min(interval, DUPLICATE_CHECK_MAX))
        self.client = Client(settings['corp_id'], settings['secret'],
            api_base_url=settings.get('api_base_url') or API_BASE_URL,
            timeout=float(settings.get('timeout') or TIMEOUT))
        # One token per instance, shared by the threads that use it
        self._token_lock = threading.Lock()

    # --- calls ---------------------------------------------------------

    def call(self, method, endpoint, **kwargs):
        """The answer of one API call; on an invalid or expired token, a new
        one is fetched and the call made once more"""
        for attempt in (1, 2):
            with self._token_lock:
                token = self.client.access_token
            params = dict(kwargs.pop('params', None) or {},
                access_token=token)
            try:
                return getattr(self.client, method)(
                    endpoint, params=params, **kwargs)
            except WeChatClientException as exception:
                if exception.errcode in TOKEN_ERRORS and attempt == 1:
                    with self._token_lock:
                        if self.client.access_token == token:
                            self.client.fetch_access_token()
                    kwargs['params'] = params
                    continue
                raise

    def get_user_id(self, code):
        """The userid of the person who logged in on WeChat's OAuth page
        (auth/getuserinfo), or None for someone not a member (OpenId)"""
        result = self.call('get', 'auth/getuserinfo', params={'code': code})
        return result.get('userid') or result.get('UserId') or None

    # --- send ----------------------------------------------------------

    def message(self, outgoing):
        "The message/send body of outgoing, without its addresses"
        if outgoing.actionable and outgoing.url:
            title = outgoing.title or outgoing.text
            body = {
                'msgtype': 'template_card',
                'template_card': {
                    'card_type': 'button_interaction',
                    'task_id': task_id(outgoing.key),
                    'main_title': {
                        'title': clip_chars(title, TODO_TITLE_MAX),
                        },
                    'sub_title_text': clip_chars(
                        outgoing.text, TODO_TEXT_MAX),
                    'card_action': {'type': 1, 'url': outgoing.url},
                    'button_list': [{
                            'type': 0,
                            'text': TODO_BUTTON,
                            'style': 1,
                            'key': 'todo_' + task_id(outgoing.key),
                            }],
                    },
                }
        elif outgoing.url:
            body = {
                'msgtype': 'textcard',
                'textcard': {
                    'title': clip_bytes(
                        outgoing.title or outgoing.text, CARD_TITLE_MAX),
                    'description': clip_bytes(
                        outgoing.text, CARD_DESCRIPTION_MAX),
                    'url': outgoing.url,
                    'btntxt': CARD_BUTTON,
                    },
                }
        else:
            text = outgoing.text
            if outgoing.title:
                text = '%s\n%s' % (outgoing.title, text)
            body = {'msgtype': 'text', 'text': {'content': text}}
        return body

    def send(self, outgoing):
        results = {}
        groups = {}
        for index, message in enumerate(outgoing):
            problem = self.problem(message)
            if problem:
                results[index] = Result(message.key, FAILED, error=problem)
                continue
            body = self.message(message)
            content = json.dumps(body, sort_keys=True, ensure_ascii=False)
            groups.setdefault(content, (body, []))[1].append(index)
        for body, indexes in groups.values():
            for start in range(0, len(indexes), self.batch_size):
                batch = indexes[start:start + self.batch_size]
                for index, result in zip(batch, self.send_batch(
                            body, [outgoing[i] for i in batch])):
                    results[index] = result
        return [results[i] for i in range(len(outgoing))]

    def problem(self, message):
        "Why message cannot be sent at all, or ''"
        if not message.address or '|' in message.address:
            return 'invalid userid %r' % message.address
        if not message.text.strip():
            return '44004 empty content'
        if not message.url and len(
                (message.title + '\n' + message.text).encode('utf-8')
                ) > TEXT_MAX:
            return '45002 content over %d bytes' % TEXT_MAX
        return ''

    def send_batch(self, body, outgoing):
        "Results of one message/send call to the addresses of outgoing"
        data = dict(body,
            touser='|'.join(o.address for o in outgoing),
            agentid=self.agent_id,
            enable_duplicate_check=1,
            duplicate_check_interval=self.duplicate_check_interval)

        def every(state, error='', provider_id=''):
            return [Result(o.key, state, provider_id=provider_id,
                    error=error) for o in outgoing]
        answer, refusal = self.post('message/send', data)
        if refusal:
            return every(*refusal)
        provider_id = str(answer.get('msgid') or '')
        # One per call, for every person of it (a card goes alone)
        provider_data = ''
        if answer.get('response_code'):
            provider_data = card_data(answer['response_code'], time.time())
        invalid = set()
        for name in ['invaliduser', 'unlicenseduser']:
            value = answer.get(name) or ''
            if isinstance(value, list):
                invalid.update(value)
            else:
                invalid.update(v for v in value.split('|') if v)
        results = []
        for message in outgoing:
            if message.address in invalid:
                results.append(Result(message.key, FAILED,
                        provider_id=provider_id,
                        error='invaliduser %s: not a member of the '
                        'application' % message.address))
            else:
                results.append(Result(message.key, SENT,
                        provider_id=provider_id,
                        provider_data=provider_data))
        return results

    # --- a to-do done ----------------------------------------------------

    def update_done(self, outgoing):
        "The button of each card of outgoing turned into 已办结"
        return [self.update_one(o) for o in outgoing]

    def update_one(self, outgoing):
        def result(state, error=''):
            return Result(outgoing.key, state, error=error)
        response_code, sent_at = parse_card_data(outgoing.provider_data)
        if not response_code:
            return result(FAILED, 'no response_code: not sent as a card')
        age = time.time() - sent_at
        if age > RESPONSE_CODE_LIFETIME:
            return result(FAILED, 'response_code expired: the card was '
                'sent %d hours ago, WeChat updates a card within %d hours '
                'only' % (age // 3600, RESPONSE_CODE_LIFETIME // 3600))
        data = {
            'userids': [outgoing.address],
            'agentid': self.agent_id,
            'response_code': response_code,
            'button': {'replace_name': TODO_DONE},
            }
        answer, refusal = self.post('message/update_template_card', data)
        if refusal:
            return result(*refusal)
        invalid = answer.get('invaliduser') or []
        if isinstance(invalid, str):
            invalid = invalid.split('|')
        if outgoing.address in invalid:
            return result(FAILED, 'invaliduser %s: not a member of the '
                'application' % outgoing.address)
        return result(SENT)

    def post(self, path, data):
        """(answer, None), or (None, (state, error)) when the call failed:
        never raises, so that no message is lost to an exception"""
        try:
            answer = self.call('post', path, data=data)
        except requests.Timeout as exception:
            return None, (RETRY, 'timeout: %s' % exception)
        except requests.ConnectionError as exception:
            return None, (RETRY, 'connection: %s' % exception)
        except requests.RequestException as exception:
            return None, (RETRY, 'request: %s' % exception)
        except WeChatClientException as exception:
            return None, self.classify(exception)
        except ValueError as exception:
            # Not JSON: a proxy's page
            return None, (RETRY, 'answer: %s' % exception)
        except Exception as exception:
            # Keep the message for a later try
            logger.exception("WeChat Work %s failed", path)
            return None, (RETRY, '%s: %s' % (
                    type(exception).__name__, exception))
        if not isinstance(answer, dict):
            return None, (RETRY, 'answer is no JSON object')
        return answer, None

    @staticmethod
    def classify(exception):
        "(state, error) of a WeChatClientException"
        errcode = exception.errcode
        if errcode is None:
            # An HTTP error: 5xx and 429 pass, others will not
            response = exception.response
            status = response.status_code if response is not None else 0
            state = RETRY if status >= 500 or status in {0, 429} else FAILED
            return state, 'HTTP %s' % status
        error = '%s %s' % (errcode, exception.errmsg or '')
        if errcode in RETRY_ERRORS or errcode in TOKEN_ERRORS:
            return RETRY, error
        return FAILED, error
