"""What the platform's own web pages share (the workflow pages, the search
page): the security headers, the user's language and the page's words
handed to its scripts as a JSON data block.

A page is static HTML and JavaScript served by a module route to a valid
session of the web client (the cookie sao's login sets for /<database>); it
reads and writes through /<database>/rpc/ with that cookie, so every call
runs as the user.

`render_page` fills a page's template (string.Template): $msg_<name> the
messages, $lang, $texts the data block, and the page's own values, every
one escaped for HTML."""
import html
import json
import string

from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus, Response
from trytond.transaction import Transaction

from .speedups import json_in_blocks

# The JSON-RPC answers of the server this module serves pages on
json_in_blocks()

# What the pages may load and reach: their own files and the npm packages
# under the web root; no inline script, no framing
POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ]
CONTENT_SECURITY_POLICY = '; '.join(POLICY)
# form-js's editor writes style elements (its code editor, CodeMirror):
# styles only, scripts stay restricted
INLINE_STYLES_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    }
# The JSON of a data block: nothing in it may close the element or start
# markup
JSON_ESCAPES = {
    ord('<'): '\\u003c', ord('>'): '\\u003e', ord('&'): '\\u0026',
    0x2028: '\\u2028', 0x2029: '\\u2029'}


def secure(response, inline_styles=False):
    "Add the security headers of the pages to response"
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if inline_styles:
        response.headers['Content-Security-Policy'] = INLINE_STYLES_POLICY
    response.headers.setdefault('Cache-Control', 'no-store')
    return response


def render_page(template_path, messages, values, language,
        translations=None, inline_styles=False):
    """The secured HTML response of the template at template_path: messages
    ({name: text}, in language) as $msg_<name> and in the data block
    $texts (with translations, {English: text} of a library's strings);
    values ({name: text}) escaped as $<name>"""
    substitutions = {'msg_' + name: html.escape(text, quote=True)
        for name, text in messages.items()}
    substitutions.update({name: html.escape(str(value), quote=True)
            for name, value in values.items()})
    substitutions['lang'] = html.escape(
        language.replace('_', '-'), quote=True)
    substitutions['texts'] = text_block(messages, translations)
    with open(template_path, encoding='utf-8') as file:
        text = string.Template(file.read()).safe_substitute(substitutions)
    return secure(Response(text, HTTPStatus.OK,
            content_type='text/html; charset=utf-8'),
        inline_styles=inline_styles)


def user_language(pool):
    "The language of the request's user (their preference)"
    User = pool.get('res.user')
    Configuration = pool.get('ir.configuration')
    with Transaction().set_context(_check_access=False):
        user = User(Transaction().user)
        if user.language:
            return user.language.code
    return Configuration.get_language()


def text_block(messages, translations=None, element_id='egov-text'):
    "The page's words as a JSON data block, never run (CSP allows it)"
    data = json.dumps(
        {'messages': messages, 'translations': translations or {}},
        ensure_ascii=False, sort_keys=True, separators=(',', ':'))
    return ('<script type="application/json" id="%s">%s</script>'
        % (element_id, data.translate(JSON_ESCAPES)))


def messages_of(module, prefix):
    """{name: text} of the messages <module>.<prefix><name>, in the language
    of the transaction's context"""
    from trytond.i18n import gettext
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Message = pool.get('ir.message')
    with Transaction().set_context(_check_access=False):
        data = ModelData.search([
                ('module', '=', module),
                ('model', '=', Message.__name__),
                ('fs_id', 'like', prefix + '%'),
                ], order=[('fs_id', 'ASC')])
        return {d.fs_id[len(prefix):]: gettext('%s.%s' % (module, d.fs_id))
            for d in data if d.fs_id.startswith(prefix)}
