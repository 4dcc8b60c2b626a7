"""The pages of the codes.

- GET /<db>/egov/document/scan: 扫码收文, the phone page of the clerks
  (web/scan.html), served to a session of the web client like the
  workflow pages (egov_workflow/routes.py); it reads the codes with
  html5-qrcode or sends a photo, and calls egov.document.scan over
  /<db>/rpc/ with the same cookie, as the user.
- GET /<db>/egov/document/verify/<token>: 公文核验, for anyone holding the
  paper (no login). One indexed query per request, and a small limit per
  address: guessing tokens (144 random bits) is hopeless anyway. A
  classified document shows only that it exists and its number."""
import html
import mimetypes
import os
import re
import threading
import time
from functools import wraps

from trytond import config
from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import Transaction, without_check_access
from trytond.wsgi import app

from egov_base.web_page import (
    messages_of, render_page, secure, user_language)
from egov_workflow.routes import (
    VISITOR_LANGUAGE, client_url, message, static_prefix)

WEB = os.path.join(os.path.dirname(__file__), 'web')
STATIC_NAME = re.compile(r'[a-z0-9][a-z0-9_-]*\.(js|css)')
# The camera reader of the page (npm html5-qrcode), found beside the web
# client in node_modules, where the platform installs its npm packages
LIBRARIES = {'html5-qrcode.min.js': ('html5-qrcode', 'html5-qrcode.min.js')}
TOKEN = re.compile(r'[A-Za-z0-9_-]{20,64}')
# Verification requests per address and minute (per server process)
VERIFY_RATE = 60
_hits = {}
_hits_lock = threading.Lock()


def library_path(name):
    "The file of an npm library of the page, or None"
    root = config.get('web', 'root') or ''
    here = os.path.dirname(__file__)
    for modules in [os.path.join(root, 'node_modules'),
            os.path.dirname(os.path.abspath(root)) if root else '',
            os.path.join(here, '..', '..', '..', 'node_modules')]:
        path = os.path.join(modules, *LIBRARIES[name])
        if modules and os.path.isfile(path):
            return path
    return None


def scan_static(database_name):
    return '/%s/egov/document/scan/static/' % database_name


def session_required(func):
    "Serve only a session of the web client; send anyone else to log in"
    @wraps(func)
    def wrapper(request, database_name, *args, **kwargs):
        if request.session is None or not request.user_id:
            return message(database_name, HTTPStatus.UNAUTHORIZED,
                'login_title', 'login_text',
                link=client_url(database_name), link_text='login_link',
                refresh=True)
        return func(request, database_name, *args, **kwargs)
    return wrapper


@app.route('/<database_name>/egov/document/scan', methods=['GET'])
@session_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def scan_page(request, pool):
    database_name = pool.database_name
    language = user_language(pool)
    with Transaction().set_context(language=language):
        messages = {'common_' + k: v for k, v in messages_of(
                'egov_workflow', 'msg_page_common_').items()}
        messages.update(messages_of('egov_document', 'msg_page_'))
    response = render_page(os.path.join(WEB, 'scan.html'), messages, {
            'database': database_name,
            'user': '%d' % request.user_id,
            'client': client_url(database_name, 'egov.document.incoming'),
            'static': static_prefix(database_name),
            'scan_static': scan_static(database_name),
            }, language)
    # The page asks for the camera of the phone, nothing else
    response.headers['Permissions-Policy'] = (
        'camera=(self), microphone=(), geolocation=()')
    return response


@app.route('/<database_name>/egov/document/scan/static/<name>',
    methods=['GET'])
def scan_static_file(request, database_name, name):
    "The page's own script and style: code, no data"
    if name in LIBRARIES:
        path = library_path(name)
    else:
        path = os.path.join(WEB, name)
        if not STATIC_NAME.fullmatch(name):
            path = None
    if not path or not os.path.isfile(path):
        return secure(Response(status=HTTPStatus.NOT_FOUND))
    content_type, _ = mimetypes.guess_type(name)
    with open(path, 'rb') as file:
        data = file.read()
    response = Response(data, HTTPStatus.OK,
        content_type=content_type + '; charset=utf-8')
    response.headers['Cache-Control'] = 'no-cache'
    return secure(response)


def _allowed(address):
    "Whether address may ask once more this minute"
    minute = int(time.monotonic() // 60)
    with _hits_lock:
        if len(_hits) > 10000:
            _hits.clear()
        key = (address, minute)
        count = _hits.get(key, 0) + 1
        _hits[key] = count
        if count == 1:
            # Forget the minutes past
            for old in [k for k in _hits if k[1] < minute]:
                del _hits[old]
    return count <= VERIFY_RATE


VERIFY_PAGE = '''<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<link rel="stylesheet" href="%(static)sverify.css"></head>
<body><main class="verify"><h1>%(title)s</h1>
<p class="verify-%(kind)s">%(lead)s</p>%(rows)s
<p class="verify-note">%(note)s</p></main></body></html>
'''


def _verify_page(database_name, status, kind, lead, rows=(), note=''):
    def text(name, **values):
        return gettext('egov_document.msg_verify_%s' % name, **values)
    table = ''
    if rows:
        table = '<dl>%s</dl>' % ''.join(
            '<dt>%s</dt><dd>%s</dd>' % (html.escape(text(n)),
                html.escape(v or text('empty'))) for n, v in rows)
    body = VERIFY_PAGE % {
        'title': html.escape(text('title')),
        'static': html.escape(scan_static(database_name), quote=True),
        'kind': kind,
        'lead': html.escape(text(lead)),
        'rows': table,
        'note': html.escape(text(note)) if note else '',
        }
    return secure(Response(body, status,
            content_type='text/html; charset=utf-8'))


@app.route('/<database_name>/egov/document/verify/<token>',
    methods=['GET'])
@with_pool
@with_transaction(context={'language': VISITOR_LANGUAGE})
def verify(request, pool, token):
    database_name = pool.database_name
    if not _allowed(request.remote_addr):
        return _verify_page(database_name, HTTPStatus.TOO_MANY_REQUESTS,
            'refused', 'too_many')
    Outgoing = pool.get('egov.document.outgoing')
    found = []
    if TOKEN.fullmatch(token):
        with without_check_access():
            found = Outgoing.search([('verify_token', '=', token)], limit=1)
    if not found:
        return _verify_page(database_name, HTTPStatus.NOT_FOUND,
            'refused', 'not_found', note='not_found_note')
    document, = found
    with without_check_access():
        status, kind, lead, rows, note = verify_answer(document)
    return _verify_page(database_name, status, kind, lead, rows, note)


def verify_answer(document):
    """(status, kind, lead, rows, note) of the verification page of
    document: a classified one shows only that it exists and its number"""
    if not document.number:
        return HTTPStatus.NOT_FOUND, 'refused', 'not_issued', [], ''
    if document.secrecy != 'none':
        return (HTTPStatus.OK, 'found', 'found',
            [('number', document.number)], 'classified')
    date = document.signed_at or document.create_date
    return HTTPStatus.OK, 'found', 'found', [
        ('number', document.number),
        ('document_title', document.title),
        ('organ', document.unit.name),
        ('date', '%d年%d月%d日' % (date.year, date.month, date.day)),
        ('secrecy', gettext('egov_document.msg_verify_not_classified')),
        ('digest', document.body_digest),
        ], 'digest_note'
