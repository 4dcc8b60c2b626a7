"""The search page (智能检索): /<database>/egov/search?q=…

Static HTML and JavaScript (web/) served to a valid session of the web
client only; the page searches through egov.search over /<database>/rpc/
with the same session cookie, so every result is one the user may open.
Its words are the messages msg_search_page_<name>, in the user's language,
given to the page as text of its template ($msg_<name>) and as a JSON data
block its script reads."""
import html
import mimetypes
import os
import re

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from ..web_page import messages_of, render_page, secure, user_language

WEB = os.path.join(os.path.dirname(__file__), 'web')
MODULE = 'egov_base'
TEXT_PREFIX = 'msg_search_page_'
STATIC_NAME = re.compile(r'search\.(js|css)')
# Who is not logged in reads the language of the platform's people
VISITOR_LANGUAGE = 'zh_CN'
MESSAGE = '''<!DOCTYPE html>
<html lang="%(lang)s"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="/images/tryton-icon.png">
<meta http-equiv="refresh" content="3;url=%(link)s">
<title>%(title)s - %(platform)s</title>
<link rel="stylesheet" href="%(static)ssearch.css"></head>
<body class="search-visitor"><main><h1>%(title)s</h1><p>%(text)s</p>
<p><a href="%(link)s">%(link_text)s</a></p></main></body></html>
'''


def page_url(database_name):
    return '/%s/egov/search' % database_name


def static_prefix(database_name):
    return page_url(database_name) + '/static/'


def client_url(database_name):
    "The web client on the database"
    return '/#%s' % database_name


def message(database_name, status, title, text, link_text):
    """A short page for a visitor, in the platform's people's language:
    title, text and link_text name messages msg_search_page_<name>"""
    if database_name not in Pool.database_list():
        return secure(Response(status=HTTPStatus.NOT_FOUND))
    with Transaction().start(database_name, 0, readonly=True,
            context={'language': VISITOR_LANGUAGE}):
        platform, title, text, link_text = [
            gettext('%s.%s%s' % (MODULE, TEXT_PREFIX, name))
            for name in ['platform', title, text, link_text]]
    link = client_url(database_name)
    body = MESSAGE % {
        'lang': VISITOR_LANGUAGE.replace('_', '-'),
        'platform': html.escape(platform),
        'title': html.escape(title),
        'text': html.escape(text),
        'link': html.escape(link, quote=True),
        'link_text': html.escape(link_text),
        'static': html.escape(static_prefix(database_name), quote=True),
        }
    return secure(Response(body, status,
            content_type='text/html; charset=utf-8'))


@app.route('/<database_name>/egov/search', methods=['GET'])
def search_page(request, database_name):
    # No WWW-Authenticate: a browser must not open its own password dialog
    if request.session is None or not request.user_id:
        return message(database_name, HTTPStatus.UNAUTHORIZED,
            'login_title', 'login_text', 'login_link')
    return _search_page(request, database_name)


@with_pool
@with_transaction(user='request', context={'_check_access': True})
def _search_page(request, pool):
    database_name = pool.database_name
    language = user_language(pool)
    with Transaction().set_context(language=language):
        messages = messages_of(MODULE, TEXT_PREFIX)
    return render_page(os.path.join(WEB, 'search.html'), messages, {
            'database': database_name,
            'client': client_url(database_name),
            'static': static_prefix(database_name),
            }, language)


@app.route('/<database_name>/egov/search/static/<name>', methods=['GET'])
def search_static(request, database_name, name):
    "The page's own script and style: code, no data"
    path = os.path.join(WEB, name)
    if not STATIC_NAME.fullmatch(name) or not os.path.isfile(path):
        return secure(Response(status=HTTPStatus.NOT_FOUND))
    content_type, _ = mimetypes.guess_type(name)
    with open(path, 'rb') as file:
        data = file.read()
    response = Response(data, HTTPStatus.OK,
        content_type=content_type + '; charset=utf-8')
    response.headers['Cache-Control'] = 'no-cache'
    return secure(response)
