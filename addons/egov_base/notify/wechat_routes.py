"""The HTTP side of WeChat Work (企业微信):

- /<db>/egov/wechat/callback: WeChat's URL check (GET) and the messages and
  events people send to the application (POST), signed and encrypted.
  Replies go to egov.notify.reply; anything forged, stale, replayed or
  malformed is answered 403 without a word and logged with its reason.
- /<db>/egov/wechat/login and /login/return: the login from WeChat's own
  browser (OAuth, snsapi_base): WeChat tells who the person is, the
  platform opens a session of the web client for the account linked to
  that WeChat userid, as the login dialog would.

WeChat's identity replaces the password only: an account whose role (or
own choice) asks for a second factor is refused here and logs in with its
password and code. WeChat Work proves that the phone's member of the
organisation is who WeChat says; that is one factor (the enrolled phone),
not two, and the administrators' roles require two."""
import hashlib
import hmac
import html
import logging
import secrets
import time
import urllib.parse

import requests
from wechatpy.exceptions import WeChatClientException

from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    HTTPStatus, Response, add_auth_cookies, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from ..security import crypto
from ..security.lock import login_key, remote_address
from .wechat import OAUTH_BASE_URL, WeChatWork
from .wechat_callback import MAX_BODY, CallbackRefused, receive, verify_url

logger = logging.getLogger(__name__)

LANGUAGE = 'zh_CN'
# The login's state: the time it ends, a nonce that the browser's cookie
# must repeat (a login started elsewhere cannot end here), their HMAC.
# WeChat passes at most 128 characters of [a-zA-Z0-9] back.
STATE_COOKIE = 'egov_wechat_login'
STATE_AGE = 600
NEXT_MAX = 2000
NOBODY = (None,) * 9
BODY_KEY = 'egov.wechat.body'
USERID_KEY = 'egov.wechat.userid'
PAGE = '''<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
%(refresh)s<title>%(title)s</title></head>
<body><main><h1>%(title)s</h1><p>%(text)s</p>
<p>%(links)s</p></main></body></html>
'''
SECURITY_HEADERS = {
    'Content-Security-Policy': "default-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    }


def _settings(pool):
    Provider = pool.get('egov.notify.provider')
    return Provider.settings_of('wechat')


def _text(name, **variables):
    with Transaction().set_context(language=LANGUAGE):
        return gettext('egov_base.msg_wechat_%s' % name, **variables)


def _secure(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def page(status, text, links=(), refresh=None):
    """A short Chinese page: what happened and what to do; links are
    (address, message name)"""
    body = PAGE % {
        'title': html.escape(_text('page_title')),
        'text': html.escape(text),
        'links': ' '.join('<a href="%s">%s</a>' % (
                    html.escape(url, quote=True), html.escape(_text(name)))
            for url, name in links),
        'refresh': ('<meta http-equiv="refresh" content="0;url=%s">\n'
            % html.escape(refresh, quote=True)) if refresh else '',
        }
    return _secure(Response(body, status,
            content_type='text/html; charset=utf-8'))


def client_url(database_name):
    return '/#%s' % database_name


def default_next(pool):
    "The phone's to-do list of egov_workflow, or the web client"
    if 'egov.workflow.task' in dict(pool.iterobject()):
        return '/%s/egov/workflow/inbox' % pool.database_name
    return client_url(pool.database_name)


def local_next(value):
    """value when it is a path on this server (never another host, by
    '//host', a scheme or a backslash); None otherwise"""
    if (not value or len(value) > NEXT_MAX or not value.startswith('/')
            or value.startswith('//') or '\\' in value
            or any(ord(c) < 0x21 or ord(c) == 0x7f for c in value)):
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


# --- callback ------------------------------------------------------------

def _refuse_callback(pool, request, reason):
    "403 without a word; the reason goes to the log and the audit"
    Log = pool.get('egov.audit.log')
    logger.warning("WeChat Work callback refused from %s: %s",
        request.remote_addr, reason)
    # A POST's transaction commits (the nonce it took stays taken); a
    # GET's is read-only
    record = Log.record if request.method == 'POST' else Log.record_apart
    record('rpc', model='egov.notify.reply', result='refused',
        method='egov.wechat.callback', actor=NOBODY,
        message=_text('audit_callback_refused', reason=reason))
    return Response('', HTTPStatus.FORBIDDEN, content_type='text/plain')


def _body(request):
    """The request's body, or None beyond MAX_BODY (never read whole); kept
    for the transaction's retries"""
    if BODY_KEY not in request.environ:
        if request.content_length and request.content_length > MAX_BODY:
            data = None
        else:
            data = request.stream.read(MAX_BODY + 1)
            if len(data) > MAX_BODY:
                data = None
        request.environ[BODY_KEY] = data
    return request.environ[BODY_KEY]


@app.route('/<database_name>/egov/wechat/callback', methods=['GET', 'POST'])
@with_pool
@with_transaction(context={'_check_access': False})
def wechat_callback(request, pool):
    settings = _settings(pool)
    if not settings:
        logger.error("WeChat Work callback while no provider is set up")
        return Response('', HTTPStatus.SERVICE_UNAVAILABLE,
            content_type='text/plain')
    params = {k: request.args.get(k) for k in [
            'msg_signature', 'timestamp', 'nonce', 'echostr']}
    try:
        if request.method == 'GET':
            echo = verify_url(settings, params)
            return Response(echo, HTTPStatus.OK, content_type='text/plain')
        body = _body(request)
        if body is None:
            raise CallbackRefused('malformed: body over %d bytes' % MAX_BODY)
        Nonce = pool.get('egov.notify.wechat.nonce')
        inbound = receive(settings, params, body, Nonce.seen)
    except CallbackRefused as refusal:
        if refusal.reason.startswith('settings'):
            logger.error("WeChat Work callback: %s", refusal.reason)
            return Response('', HTTPStatus.SERVICE_UNAVAILABLE,
                content_type='text/plain')
        return _refuse_callback(pool, request, refusal.reason)
    if inbound.reply:
        Reply = pool.get('egov.notify.reply')
        Reply.receive('wechat', [inbound.reply])
    elif inbound.event.get('event') == 'template_card_event':
        # 去办理 pressed: the card's own link opens the to-do; kept in the
        # log, with the card's task_id (the delivery's key)
        logger.info("WeChat Work card %(task_id)s: button %(key)s pressed "
            "by %(user)s", inbound.event)
    elif inbound.event:
        logger.info("WeChat Work event %(event)s from %(user)s",
            inbound.event)
    # WeChat sends again what is not answered within 5 seconds
    return Response('success', HTTPStatus.OK, content_type='text/plain')


# --- login ---------------------------------------------------------------

def _state_key():
    return hashlib.sha256(b'egov-wechat-state:' + crypto.key()).digest()


def _sign(database_name, payload):
    return hmac.new(_state_key(), ('%s:%s' % (database_name, payload)
            ).encode('utf-8'), hashlib.sha256).hexdigest()[:32]


def make_state(database_name, nonce, now=None):
    expires = int(now or time.time()) + STATE_AGE
    payload = '%010d%s' % (expires, nonce)
    return payload + _sign(database_name, payload)


def check_state(database_name, state, nonce, now=None):
    "Whether state is ours, unexpired and of this browser's nonce"
    if not state or len(state) != 10 + 32 + 32 or not state.isalnum():
        return False
    payload, mac = state[:42], state[42:]
    if not hmac.compare_digest(mac, _sign(database_name, payload)):
        return False
    if not payload[:10].isdigit() or int(payload[:10]) < (now or time.time()):
        return False
    return bool(nonce) and hmac.compare_digest(payload[10:], nonce)


def _base_url(request, settings):
    return (settings.get('public_url') or request.host_url).rstrip('/')


@app.route('/<database_name>/egov/wechat/login', methods=['GET'])
@with_pool
@with_transaction(readonly=False, context={'_check_access': False})
def wechat_login(request, pool):
    database_name = pool.database_name
    settings = _settings(pool)
    password = (client_url(database_name), 'link_password')
    if not settings:
        return page(HTTPStatus.SERVICE_UNAVAILABLE,
            _text('login_not_configured'), [password])
    next_ = request.args.get('next')
    if next_ is not None and local_next(next_) is None:
        return page(HTTPStatus.BAD_REQUEST, _text('login_bad_next'),
            [password])
    next_ = next_ or default_next(pool)
    nonce = secrets.token_hex(16)
    redirect_uri = '%s/%s/egov/wechat/login/return' % (
        _base_url(request, settings), urllib.parse.quote(database_name))
    query = urllib.parse.urlencode([
            ('appid', settings['corp_id']),
            ('redirect_uri', redirect_uri),
            ('response_type', 'code'),
            ('scope', 'snsapi_base'),
            ('state', make_state(database_name, nonce)),
            ('agentid', settings['agent_id']),
            ])
    location = '%s?%s#wechat_redirect' % (
        settings.get('oauth_base_url') or OAUTH_BASE_URL, query)
    response = Response(status=HTTPStatus.FOUND,
        headers={'Location': location})
    # Lax: the browser comes back from WeChat's host, a top-level GET
    response.set_cookie(STATE_COOKIE,
        '%s:%s' % (nonce, urllib.parse.quote(next_, safe='')),
        max_age=STATE_AGE, path='/%s/egov/wechat' % database_name,
        secure=True, httponly=True, samesite='Lax')
    return _secure(response)


class Refused(Exception):
    def __init__(self, status, text, links=(), audit=None):
        super().__init__(text)
        self.status, self.text, self.links = status, text, links
        self.audit = audit


def _user_of(pool, userid):
    "The res.user linked to WeChat's userid, refused when it cannot log in"
    User = pool.get('res.user')
    Lock = pool.get('egov.security.login.lock')
    database_name = pool.database_name
    password = (client_url(database_name), 'link_password')
    with Transaction().set_context(active_test=False):
        users = User.search([('wechat_userid', '=', userid)], limit=2)
    active = [u for u in users if u.active]
    if not users:
        raise Refused(HTTPStatus.FORBIDDEN,
            _text('login_unknown', userid=userid), [password],
            audit='unknown')
    if not active:
        raise Refused(HTTPStatus.FORBIDDEN, _text('login_inactive'),
            audit=users[0])
    if len(users) > 1:
        raise Refused(HTTPStatus.FORBIDDEN, _text('login_ambiguous'),
            [password], audit=users[0])
    user, = active
    if user.id == User._builtin_admin():
        raise Refused(HTTPStatus.FORBIDDEN, _text('login_admin'),
            audit=user)
    lock = Lock.active_for(login_key(user.login), remote_address())
    if lock:
        raise Refused(HTTPStatus.FORBIDDEN, lock.message(), audit=user)
    if User._second_factor(user.id):
        raise Refused(HTTPStatus.FORBIDDEN, _text('login_second_factor'),
            [password], audit=user)
    return user


@app.route('/<database_name>/egov/wechat/login/return', methods=['GET'])
@with_pool
@with_transaction(readonly=False, context={'_check_access': False})
def wechat_login_return(request, pool):
    database_name = pool.database_name
    Log = pool.get('egov.audit.log')
    Session = pool.get('ir.session')
    again = ('/%s/egov/wechat/login' % urllib.parse.quote(database_name),
        'link_again')
    password = (client_url(database_name), 'link_password')
    settings = _settings(pool)
    if not settings:
        return page(HTTPStatus.SERVICE_UNAVAILABLE,
            _text('login_not_configured'), [password])
    nonce, _, next_ = (request.cookies.get(STATE_COOKIE) or '').partition(
        ':')
    next_ = local_next(urllib.parse.unquote(next_)) or default_next(pool)
    if not check_state(database_name, request.args.get('state'), nonce):
        return page(HTTPStatus.BAD_REQUEST, _text('login_state'), [again])
    code = request.args.get('code') or ''
    if not code or len(code) > 512:
        return page(HTTPStatus.BAD_REQUEST, _text('login_declined'),
            [again, password])
    userid = None
    try:
        try:
            # A code is good once: kept for the transaction's retries
            if USERID_KEY not in request.environ:
                request.environ[USERID_KEY] = WeChatWork(
                    settings).get_user_id(code)
            userid = request.environ[USERID_KEY]
        except (requests.RequestException, ValueError) as exception:
            logger.warning("WeChat Work unreachable at login: %s", exception)
            raise Refused(HTTPStatus.BAD_GATEWAY,
                _text('login_unavailable'), [again, password])
        except WeChatClientException as exception:
            if exception.errcode is None or exception.errcode in {
                    -1, 45009, 45033}:
                logger.warning("WeChat Work failed at login: %s", exception)
                raise Refused(HTTPStatus.BAD_GATEWAY,
                    _text('login_unavailable'), [again, password])
            logger.info("WeChat Work refused a login code: %s", exception)
            raise Refused(HTTPStatus.FORBIDDEN, _text('login_code'),
                [again, password])
        if not userid:
            raise Refused(HTTPStatus.FORBIDDEN, _text('login_not_member'),
                [password])
        user = _user_of(pool, userid)
    except Refused as refusal:
        if refusal.audit:
            user_id = getattr(refusal.audit, 'id', None)
            actor = list(Log.actor(user_id) if user_id else NOBODY)
            actor[1] = getattr(refusal.audit, 'login', None) or userid
            Log.record('login_failed', model='res.user', record_id=user_id,
                result='refused', method='egov.wechat.login',
                actor=tuple(actor), message=_text('audit_login_refused',
                    userid=userid, reason=refusal.text))
        response = page(refusal.status, refusal.text, refusal.links)
        response.delete_cookie(STATE_COOKIE,
            path='/%s/egov/wechat' % database_name)
        return response
    with Transaction().set_user(user.id):
        key = Session.new()
    Log.record('login', model='res.user', record_id=user.id,
        method='egov.wechat.login', actor=Log.actor(user.id),
        message=_text('audit_login', userid=userid))
    logger.info("login succeeded for '%s' from WeChat Work from '%s' "
        "on database '%s'", user.login, remote_address(), database_name)
    # A page that opens next rather than a redirect: the session cookie is
    # SameSite=Strict, and browsers do not send it on a redirect that a
    # chain from WeChat's host started; a page of ours opening it does
    response = page(HTTPStatus.OK, _text('login_done'),
        [(next_, 'link_open')], refresh=next_)
    add_auth_cookies(response, database_name, user.login, str(user.id), key)
    response.delete_cookie(STATE_COOKIE,
        path='/%s/egov/wechat' % database_name)
    return response
