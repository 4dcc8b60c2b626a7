"""The workflow pages: the process designer (bpmn-js), the form designer
(form-js), the monitoring diagram of an instance and the signing page of a
to-do.

A page is static HTML and JavaScript (web/). It is served only to a valid
session of the web client: the cookie that sao's login
(/<database>/session/login) sets for the path /<database>, or a "Session"
authorization header. The page then reads and writes through the JSON-RPC
endpoint /<database>/rpc/ with that same cookie, so every call runs as the
user, with their access rights and record rules, as in the web client.

Before serving a page, the route checks with the user's rights that the
record exists and may be read: a page never opens on a record the user may
not see.

Every word a page shows is a Tryton message (message_page.xml), translated
into the user's language like the rest of the platform: the route gives the
page the messages of its groups, as text of its template ($msg_<name>) and
as a JSON data block (#egov-text) its scripts read their words from."""
import html
import mimetypes
import os
import re
from functools import wraps

from trytond.i18n import gettext
from trytond.ir.translation import INTERNAL_LANG
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from egov_base.tools import check_write_access
from egov_base.web_page import render_page, secure, user_language

WEB = os.path.join(os.path.dirname(__file__), 'web')
# page: (model, template)
PAGES = {
    'designer': ('egov.workflow.process', 'designer.html'),
    'form-designer': ('egov.workflow.form', 'form-designer.html'),
    'monitor': ('egov.workflow.instance', 'monitor.html'),
    'sign': ('egov.workflow.task', 'sign.html'),
    # The to-dos of the user on the phone: of no one record
    'inbox': (None, 'inbox.html'),
    }
INLINE_STYLES = {'form-designer'}
# page: the groups of its messages, msg_page_<group>_<name>
PAGE_TEXTS = {
    'designer': ['common', 'designer'],
    'form-designer': ['common', 'form_designer'],
    'monitor': ['common', 'opinions', 'monitor'],
    'sign': ['common', 'opinions', 'sign'],
    'inbox': ['common', 'inbox'],
    }
MODULE = 'egov_workflow'
TEXT_PREFIX = 'msg_page_'
# msg_page_<group>_lib_…: a library's own English string (bpmn-js, form-js),
# which the page looks up by that English text
LIBRARY = '_lib_'
RECORD_ID = re.compile(r'[1-9][0-9]{0,9}')
MAX_ID = 2 ** 31 - 1
STATIC_NAME = re.compile(r'[a-z0-9][a-z0-9_-]*\.(js|css|json|svg|png)')
MESSAGE = '''<!DOCTYPE html>
<html lang="%(lang)s"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="/images/tryton-icon.png">
%(refresh)s<title>%(title)s - %(platform)s</title>
<link rel="stylesheet" href="%(static)scommon.css"></head>
<body class="egov-message"><main><h1>%(title)s</h1><p>%(text)s</p>
<p><a href="%(link)s">%(link_text)s</a></p></main></body></html>
'''


def client_url(database_name, model=None, record_id=None):
    "The web client's address, opening a record after the login"
    url = '/#%s' % database_name
    if model:
        url += '/model/%s' % model
        if record_id:
            url += '/%d' % record_id
    return url


# Who is not logged in reads the language of the platform's people
VISITOR_LANGUAGE = 'zh_CN'


def message(database_name, status, title, text, link=None, link_text=None,
        refresh=False):
    """A short page telling what went wrong: title, text and link_text are
    names of messages msg_page_error_<name>, in the language of the user
    (or of the platform's people, for a visitor)"""
    link = link or client_url(database_name)
    words = error_texts(database_name,
        ['platform', title, text, link_text or 'back'])
    if words is None:
        # No platform of that name to speak for
        return secure(Response(status=HTTPStatus.NOT_FOUND))
    language, (platform, title, text, link_text) = words
    body = MESSAGE % {
        'lang': html.escape(language.replace('_', '-'), quote=True),
        'platform': html.escape(platform),
        'title': html.escape(title),
        'text': html.escape(text),
        'link': html.escape(link, quote=True),
        'link_text': html.escape(link_text),
        'static': html.escape(static_prefix(database_name), quote=True),
        'refresh': ('<meta http-equiv="refresh" content="3;url=%s">\n'
            % html.escape(link, quote=True)) if refresh else '',
        }
    return secure(Response(body, status,
            content_type='text/html; charset=utf-8'))


def error_texts(database_name, names):
    """(language, [text of msg_page_error_<name>]) in the language of the
    transaction's user, or of a visitor when there is none; None when no
    database of that name is open"""
    transaction = Transaction()
    if transaction.database and transaction.database.name == database_name:
        pool = Pool(database_name)
        language = user_language(pool)
        with transaction.set_context(language=language):
            return language, [gettext('%s.%serror_%s'
                    % (MODULE, TEXT_PREFIX, n)) for n in names]
    if database_name not in Pool.database_list():
        return None
    with Transaction().start(database_name, 0, readonly=True,
            context={'language': VISITOR_LANGUAGE}):
        return VISITOR_LANGUAGE, [gettext('%s.%serror_%s'
                % (MODULE, TEXT_PREFIX, n)) for n in names]


def static_prefix(database_name):
    return '/%s/egov/workflow/static/' % database_name


def parse_id(value):
    "The record id of the address, or None when it is no record id"
    if not RECORD_ID.fullmatch(value or ''):
        return None
    value = int(value)
    return value if value <= MAX_ID else None


def session_required(func):
    """Serve only a valid session of the web client; anyone else is asked
    to log in (401, no WWW-Authenticate: a browser must not open its own
    password dialog) and sent to the web client's login"""
    @wraps(func)
    def wrapper(request, database_name, page, record=None, *args,
            **kwargs):
        model = PAGES[page][0] if page in PAGES else None
        record_id = parse_id(record) if record is not None else None
        if request.session is None or not request.user_id:
            return message(database_name, HTTPStatus.UNAUTHORIZED,
                'login_title', 'login_text',
                link=client_url(database_name, model, record_id),
                link_text='login_link', refresh=True)
        if page not in PAGES:
            return message(database_name, HTTPStatus.NOT_FOUND,
                'no_page_title', 'no_page_text')
        if model is None:
            if record is not None:
                return message(database_name, HTTPStatus.NOT_FOUND,
                    'no_page_title', 'no_page_text')
        elif record_id is None:
            return message(database_name, HTTPStatus.BAD_REQUEST,
                'address_title', 'address_text')
        return func(request, database_name, page, record_id, *args, **kwargs)
    return wrapper


def readable(pool, model, record_id):
    "Whether the user may read the record (that exists)"
    ModelAccess = pool.get('ir.model.access')
    Model = pool.get(model)
    if not ModelAccess.check(model, 'read', raise_exception=False):
        return False
    try:
        return bool(Model.search([('id', '=', record_id)], limit=1))
    except AccessError:
        return False


def writable(pool, model, record_id):
    "Whether the user may change the record"
    try:
        check_write_access(pool.get(model), [record_id])
    except AccessError:
        return False
    return True


def page_values(pool, page, record_id):
    "What the page must know before it asks the server for the record"
    values = {}
    if page == 'designer':
        Process = pool.get('egov.workflow.process')
        process = Process(record_id)
        if process.state != 'draft':
            values['readonly'] = process.state
        elif not writable(pool, Process.__name__, record_id):
            values['readonly'] = 'access'
    elif page == 'form-designer':
        if not writable(pool, 'egov.workflow.form', record_id):
            values['readonly'] = 'access'
    elif page == 'sign':
        # What the step asks of whoever acts (decide enforces it)
        Task = pool.get('egov.workflow.task')
        task = Task(record_id)
        with Transaction().set_context(_check_access=False):
            step = task.instance.process.step(task.step)
            record = task.instance.record
        for name in ['opinion', 'signature']:
            values[name] = (
                'required' if step.get(name) == 'required' else 'optional')
        # A 公文 heads its facts 公文内容, a request 申请内容 …
        values['facts_title'] = (record is not None
            and record.workflow_facts_title()) or ''
    return values


def page_texts(pool, page):
    """The words of page in the transaction's language: ({name: text} of
    the messages msg_page_<name> of its groups, {English: text} of the
    libraries' strings)"""
    ModelData = pool.get('ir.model.data')
    Message = pool.get('ir.message')
    prefixes = tuple(TEXT_PREFIX + group + '_' for group in PAGE_TEXTS[page])
    libraries = tuple(TEXT_PREFIX + group + LIBRARY
        for group in PAGE_TEXTS[page])
    with Transaction().set_context(_check_access=False):
        data = [d for d in ModelData.search([
                    ('module', '=', MODULE),
                    ('model', '=', Message.__name__),
                    ('fs_id', 'like', TEXT_PREFIX + '%'),
                    ], order=[('fs_id', 'ASC')])
            if d.fs_id.startswith(prefixes)]
        library = [d.db_id for d in data if d.fs_id.startswith(libraries)]
        # The English a library asks for: the message's own text
        with Transaction().set_context(language=INTERNAL_LANG):
            sources = {m.id: m.text for m in Message.browse(library)}
    messages, translations = {}, {}
    for record in data:
        text = gettext('%s.%s' % (MODULE, record.fs_id))
        if record.db_id in sources:
            translations[sources[record.db_id]] = text
        else:
            messages[record.fs_id[len(TEXT_PREFIX):]] = text
    return messages, translations


@app.route('/<database_name>/egov/workflow/<page>/<record>', methods=['GET'])
@app.route('/<database_name>/egov/workflow/<page>', methods=['GET'])
@session_required
@with_pool
@with_transaction(user='request', context={'_check_access': True})
def workflow_page(request, pool, page, record_id):
    model, template = PAGES[page]
    database_name = pool.database_name
    if model and not readable(pool, model, record_id):
        return message(database_name, HTTPStatus.NOT_FOUND,
            'not_found_title', 'not_found_text')
    language = user_language(pool)
    with Transaction().set_context(language=language):
        values = page_values(pool, page, record_id)
        messages, translations = page_texts(pool, page)
    return render_page(os.path.join(WEB, template), messages, {
            'database': database_name,
            'record': '%d' % record_id if record_id else '',
            'user': '%d' % request.user_id,
            'readonly': values.get('readonly', ''),
            'opinion': values.get('opinion', ''),
            'signature': values.get('signature', ''),
            'facts_title': values.get('facts_title', ''),
            'client': client_url(database_name, model, record_id),
            'static': static_prefix(database_name),
            'inbox': '/%s/egov/workflow/inbox' % database_name,
            }, language, translations=translations,
        inline_styles=page in INLINE_STYLES)


@app.route('/<database_name>/egov/workflow/static/<name>', methods=['GET'])
def workflow_static(request, database_name, name):
    "The pages' own scripts and styles: code, no data"
    path = os.path.join(WEB, name)
    if not STATIC_NAME.fullmatch(name) or not os.path.isfile(path):
        return message(database_name, HTTPStatus.NOT_FOUND,
            'no_page_title', 'no_file_text')
    content_type, _ = mimetypes.guess_type(name)
    if content_type.startswith('text/') or content_type.endswith(
            ('javascript', 'json')):
        content_type += '; charset=utf-8'
    with open(path, 'rb') as file:
        data = file.read()
    response = Response(data, HTTPStatus.OK, content_type=content_type)
    response.headers['Cache-Control'] = 'no-cache'
    return secure(response)
