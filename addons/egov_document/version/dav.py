"""Editing the body in desktop Word or WPS straight from the browser
(WebDAV, RFC 4918, served by WsgiDAV inside trytond).

The button 在Word中编辑 issues an edit token: a random secret, kept only as
its SHA-256, for one person and one document, valid EDIT_MINUTES to start
and, while Word uses it, IDLE_MINUTES after each request, never more than
MAX_HOURS. Its address is /<database>/egov/dav/<token>/<file name>.docx;
the browser hands `ms-word:ofe|u|<address>` to Word, which opens, locks,
reads and saves the file there. No session travels: the token is the
authentication, and at every request the person must still be allowed to
change the body (a draft they may write, or a step that lets them fill
it), as in the web client.

Word's LOCK is the document's check-out (locked_by, locked_until, stored
on the document in the database, so that every trytond process sees it):
a second person gets 423 Locked in Word and a Chinese refusal in the web
client. Every accepted PUT passes the upload guard and becomes a version;
a PUT whose lock was lost (expired, or taken by someone else meanwhile) is
refused to Word but kept as a version marked conflict: no save is lost."""
import base64
import datetime
import hashlib
import io
import json
import logging
import secrets
import threading
import time
import urllib.parse

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import Transaction, without_check_access
from trytond.wsgi import app

from ..exceptions import DocumentError
from . import docx
from .version import DAV_LOCK, NOTE, SOURCE

logger = logging.getLogger(__name__)

EDIT_MINUTES = 10
IDLE_MINUTES = 70
MAX_HOURS = 12
# Word asks for an hour and refreshes before it ends
MAX_LOCK_SECONDS = 3600
MAX_OWNER = 4096
MAX_PUT = 100 * 1024 * 1024
# A LOCK, PROPFIND or PROPPATCH body: a little XML
MAX_XML_BODY = 64 * 1024
DOCX_TYPE = ('application/vnd.openxmlformats-officedocument'
    '.wordprocessingml.document')
METHODS = ['OPTIONS', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK', 'GET',
    'HEAD', 'PUT']
DOCUMENT_MODELS = [
    ('egov.document.outgoing', "Outgoing Document"),
    ('egov.document.incoming', "Incoming Document"),
    ]


def now():
    return datetime.datetime.now()


def _hash(token):
    return hashlib.sha256(token.encode('ascii', 'replace')).hexdigest()


def dav_filename(document):
    "The file name Word shows: the body's, a .docx"
    name = (document.body_name or '').replace('/', '_').replace('\\', '_')
    if not name.lower().endswith('.docx'):
        name = (document.title or 'document')[:60].replace('/', '_') + '.docx'
    return name


def public_url():
    "The platform's address as users reach it"
    from egov_base.notify.tracking import public_url as configured
    url = configured()
    if url:
        return url
    request = Transaction().context.get('_request') or {}
    host = request.get('http_host')
    if host:
        return '%s://%s' % (request.get('scheme') or 'http', host)
    return ''


class EditToken(ModelSQL, ModelView):
    "Document Edit Token"
    __string__ = "Document Edit Token"
    __name__ = 'egov.document.edit.token'
    _egov_visibility = 'admin'

    user = fields.Many2One('res.user', "User", required=True,
        ondelete='CASCADE', readonly=True)
    document = fields.Reference("Document", DOCUMENT_MODELS, required=True,
        readonly=True)
    token_hash = fields.Char("Token Hash", required=True, readonly=True)
    filename = fields.Char("File Name", required=True, readonly=True)
    issued_at = fields.DateTime("Issued At", required=True, readonly=True)
    expires_at = fields.DateTime("Expires At", required=True,
        help="Set it in the past to end an edit link.")
    last_used = fields.DateTime("Last Used", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.add(
            Index(table, (table.token_hash, Index.Equality())))
        cls._order = [('issued_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def issue(cls, document):
        """Return the WebDAV address for the current user to edit the body
        of document, or raise DocumentError saying why not"""
        if document.body_frozen:
            raise DocumentError(gettext(
                    'egov_document.msg_version_body_frozen',
                    document=document.rec_name))
        if not document.may_edit_body():
            raise DocumentError(gettext(
                    'egov_document.msg_version_edit_not_allowed',
                    document=document.rec_name))
        if not document.body or not docx.is_docx(document.body):
            raise DocumentError(gettext(
                    'egov_document.msg_version_edit_not_docx',
                    document=document.rec_name))
        user = Transaction().user
        if document.edit_locked and document.locked_by.id != user:
            raise DocumentError(gettext(
                    'egov_document.msg_version_body_locked',
                    document=document.rec_name,
                    user=document.locked_by.rec_name,
                    until=document.locked_until.strftime('%H:%M')))
        token = secrets.token_urlsafe(32)
        issued = now()
        filename = dav_filename(document)
        with without_check_access():
            cls.create([{
                        'user': user,
                        'document': str(document),
                        'token_hash': _hash(token),
                        'filename': filename,
                        'issued_at': issued,
                        'expires_at': issued + datetime.timedelta(
                            minutes=EDIT_MINUTES),
                        }])
        return '%s/%s/egov/dav/%s/%s' % (public_url(),
            urllib.parse.quote(Transaction().database.name), token,
            urllib.parse.quote(filename))

    @classmethod
    def find(cls, token):
        "The token record of token, valid or not, or None"
        if not token or len(token) > 100:
            return None
        with without_check_access():
            found = cls.search([('token_hash', '=', _hash(token))], limit=1)
        return found[0] if found else None

    @property
    def valid(self):
        return self.expires_at > now()

    def touch(self):
        "Word uses the link: it stays valid while Word works with it"
        moment = now()
        expires = min(moment + datetime.timedelta(minutes=IDLE_MINUTES),
            self.issued_at + datetime.timedelta(hours=MAX_HOURS))
        with without_check_access():
            self.__class__.write([self], {
                    'last_used': moment,
                    'expires_at': max(expires, self.expires_at),
                    })


# ---------------------------------------------------------------- WsgiDAV
_current = threading.local()


class DocumentLockStorage:
    """WsgiDAV's lock storage on the document of the request: one lock at
    a time, in the document's row (dav_lock, locked_by, locked_until)"""

    def __repr__(self):
        return self.__class__.__name__

    def open(self):
        pass

    def close(self):
        pass

    def cleanup(self):
        pass

    def clear(self):
        pass

    @staticmethod
    def _document():
        return _current.document.__class__(_current.document.id)

    @staticmethod
    def _write(document, values):
        with without_check_access():
            document.__class__.write([document], values)

    def _lock(self, document=None):
        "The document's lock as committed: read past the record cache"
        document = document or self._document()
        table = document.__class__.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.dav_lock,
                where=table.id == document.id))
        stored, = cursor.fetchone()
        if not stored:
            return None
        try:
            lock = json.loads(stored)
        except ValueError:
            return None
        if lock.get('expire', 0) < time.time():
            return None
        lock['owner'] = base64.b64decode(lock.get('owner') or '')
        return lock

    def get(self, token):
        lock = self._lock()
        if lock and lock['token'] == token:
            return lock
        return None

    def create(self, path, lock):
        from wsgidav.dav_error import HTTP_LOCKED, DAVError
        from wsgidav.lock_man.lock_manager import (
            generate_lock_token, normalize_lock_root, validate_lock)
        document = self._document()
        if self._lock(document):
            # A check-out holds one lock: a shared one is not shared here
            raise DAVError(HTTP_LOCKED)
        timeout = float(lock.get('timeout') or MAX_LOCK_SECONDS)
        if timeout < 0 or timeout > MAX_LOCK_SECONDS:
            timeout = MAX_LOCK_SECONDS
        if len(lock.get('owner') or b'') > MAX_OWNER:
            lock['owner'] = b''
        lock['root'] = normalize_lock_root(path)
        lock['timeout'] = timeout
        lock['expire'] = time.time() + timeout
        validate_lock(lock)
        lock['token'] = generate_lock_token()
        self._save(document, lock)
        return lock

    def _save(self, document, lock):
        stored = dict(lock, owner=base64.b64encode(
                lock.get('owner') or b'').decode('ascii'))
        self._write(document, {
                'dav_lock': json.dumps(stored),
                'locked_by': _current.user,
                'locked_until': datetime.datetime.fromtimestamp(
                    lock['expire']),
                })

    def refresh(self, token, *, timeout):
        document = self._document()
        lock = self._lock(document)
        if not lock or lock['token'] != token:
            raise ValueError("Lock must exist")
        if timeout < 0 or timeout > MAX_LOCK_SECONDS:
            timeout = MAX_LOCK_SECONDS
        lock['timeout'] = timeout
        lock['expire'] = time.time() + timeout
        self._save(document, lock)
        return lock

    def delete(self, token):
        document = self._document()
        lock = self._lock(document)
        if not lock or lock['token'] != token:
            return False
        self._write(document, {
                'dav_lock': None, 'locked_by': None, 'locked_until': None})
        return True

    def get_lock_list(self, path, *, include_root, include_children,
            token_only):
        from wsgidav import util
        from wsgidav.lock_man.lock_manager import normalize_lock_root
        lock = self._lock()
        if not lock:
            return []
        path = normalize_lock_root(path)
        root = lock['root']
        if (include_root and root == path) or (
                include_children and util.is_child_uri(path, root)):
            return [lock['token'] if token_only else lock]
        return []


def _dav_resources():
    from wsgidav.dav_provider import (
        DAVCollection, DAVNonCollection, DAVProvider)

    class Body(DAVNonCollection):
        "The body of the document as a .docx"

        @property
        def document(self):
            return _current.document

        def get_content_length(self):
            return len(self.document.body or b'')

        def get_content_type(self):
            return DOCX_TYPE

        def get_content(self):
            return io.BytesIO(bytes(self.document.body or b''))

        def get_creation_date(self):
            return self.document.create_date.timestamp()

        def get_last_modified(self):
            changed = self.document.write_date or self.document.create_date
            return changed.timestamp()

        def get_etag(self):
            return hashlib.sha256(
                bytes(self.document.body or b'')).hexdigest()[:32]

        def support_etag(self):
            return True

        def support_ranges(self):
            return False

        def begin_write(self, *, content_type=None):
            return _Sink()

        def end_write(self, *, with_errors):
            if with_errors:
                return
            document = self.document
            with Transaction().set_context({
                        SOURCE: 'webdav',
                        DAV_LOCK: document.dav_lock_token,
                        }), without_check_access():
                document.__class__.write([document], {
                        'body': _current.body,
                        'body_name': _current.filename
                        if not document.body_name else document.body_name,
                        })
            _current.saved = True

        def delete(self):
            from wsgidav.dav_error import HTTP_FORBIDDEN, DAVError
            raise DAVError(HTTP_FORBIDDEN)

    class Folder(DAVCollection):
        "The folder Word sees around the file: the file alone"

        def get_member_names(self):
            return [_current.filename]

        def get_member(self, name):
            if name == _current.filename:
                return Body('/' + name, self.environ)
            return None

        def create_empty_resource(self, name):
            from wsgidav.dav_error import HTTP_FORBIDDEN, DAVError
            raise DAVError(HTTP_FORBIDDEN)

        def create_collection(self, name):
            from wsgidav.dav_error import HTTP_FORBIDDEN, DAVError
            raise DAVError(HTTP_FORBIDDEN)

    class Provider(DAVProvider):

        def get_resource_inst(self, path, environ):
            self._count_get_resource_inst += 1
            if path in {'', '/'}:
                return Folder('/', environ)
            if path == '/' + _current.filename:
                return Body(path, environ)
            return None

        def is_readonly(self):
            return False

    return Provider


class _Sink:
    "What WsgiDAV writes the PUT body to: the body was read already"

    def write(self, data):
        pass

    def close(self):
        pass


_app = None
_app_lock = threading.Lock()


def dav_app():
    "One WsgiDAV application per process; its state lives in the database"
    global _app
    if _app is None:
        with _app_lock:
            if _app is None:
                from wsgidav.error_printer import ErrorPrinter
                from wsgidav.request_resolver import RequestResolver
                from wsgidav.wsgidav_app import WsgiDAVApp
                Provider = _dav_resources()
                _app = WsgiDAVApp({
                        'provider_mapping': {'/': Provider()},
                        'lock_storage': DocumentLockStorage(),
                        'property_manager': None,
                        'middleware_stack': [ErrorPrinter, RequestResolver],
                        'http_authenticator': {'domain_controller': None},
                        'simple_dc': {'user_mapping': {'*': True}},
                        'dir_browser': {'enable': False},
                        'logging': {'enable': False},
                        'verbose': 1,
                        'suppress_version_info': True,
                        'add_header_MS_Author_Via': True,
                        })
    return _app


# ------------------------------------------------------------------ route
def _text(status, message, headers=None):
    return Response(message + '\n', status,
        content_type='text/plain; charset=utf-8',
        headers=dict({'Cache-Control': 'no-store',
                'X-Content-Type-Options': 'nosniff'}, **(headers or {})))


@app.route('/<database_name>/egov/dav/<token>/', methods=METHODS)
@app.route('/<database_name>/egov/dav/<token>/<name>', methods=METHODS)
def dav(request, database_name, token, name=''):
    # Read whole before the transaction, which may be run again
    limit = MAX_PUT if request.method == 'PUT' else MAX_XML_BODY
    length = request.content_length
    if length is None:
        if request.method == 'PUT':
            return Response(None, HTTPStatus.LENGTH_REQUIRED)
        length = 0
    if length > limit:
        return Response(None, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    data = request.stream.read(length + 1) if length else b''
    if len(data) != length:
        return Response(None, HTTPStatus.BAD_REQUEST)
    body = data if request.method == 'PUT' else None
    return _dav(request, database_name, token=token, name=name, body=body,
        data=data)


dav.max_request_size = MAX_PUT


@with_pool
@with_transaction(readonly=False)
def _dav(request, pool, token, name, body, data):
    User = pool.get('res.user')
    Token = pool.get('egov.document.edit.token')
    edit = Token.find(token)
    if edit is None or (name and name != edit.filename):
        return Response(None, HTTPStatus.NOT_FOUND)
    user = edit.user
    transaction = Transaction()
    with transaction.set_user(user.id), transaction.set_context(
            User.get_preferences(context_only=True)):
        if not edit.valid:
            return _text(HTTPStatus.FORBIDDEN, gettext(
                    'egov_document.msg_version_edit_expired'))
        # A write first: on SQLite it takes the database's write lock, so
        # that two LOCKs at once see each other
        edit.touch()
        document = edit.document
        Document = document.__class__
        if request.method in {'LOCK', 'UNLOCK', 'PUT'}:
            Document.lock([document])
        document = Document(document.id)
        if not document.may_edit_body():
            return _text(HTTPStatus.FORBIDDEN, gettext(
                    'egov_document.msg_version_edit_not_allowed',
                    document=document.rec_name))
        if body is not None:
            refusal = _check_body(document, body, edit.filename)
            if refusal:
                return refusal
        return _serve(request, user, document, edit, body, data)


def _check_body(document, body, filename):
    "The upload guard and the macro check: a refusal, or None"
    from egov_base.upload.guard import UploadError, check
    try:
        check(filename, body, allowed=['docx'])
        document._check_body_file(body, filename)
    except (UploadError, DocumentError) as error:
        status = (HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            if 'MB' in error.message and len(body) > 1024 * 1024
            else HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        return _text(status, error.message)
    return None


def _serve(request, user, document, edit, body, data):
    environ = dict(request.environ)
    script = '/%s/egov/dav/%s' % (
        Transaction().database.name, request.view_args['token'])
    environ['SCRIPT_NAME'] = script.encode('utf-8').decode('latin-1')
    path = '/' + (request.view_args.get('name') or '')
    environ['PATH_INFO'] = path.encode('utf-8').decode('latin-1')
    environ['wsgi.input'] = io.BytesIO(data)
    environ['CONTENT_LENGTH'] = str(len(data))
    environ['wsgidav.auth.user_name'] = user.login
    environ['wsgidav.auth.realm'] = '/'
    _current.document = document
    _current.user = user.id
    _current.filename = edit.filename
    _current.body = body
    _current.saved = False
    try:
        response = Response.from_app(dav_app(), environ, buffered=True)
    finally:
        saved = _current.saved
        _current.__dict__.clear()
    if (request.method == 'PUT' and not saved
            and response.status_code in {
                HTTPStatus.LOCKED, HTTPStatus.PRECONDITION_FAILED}):
        response = _keep_conflict(document, body, edit.filename)
    return response


def _keep_conflict(document, body, filename):
    """The PUT lost its lock: keep what Word sent as a version, the body as
    it was, and tell Word the save did not go to the document"""
    Version = Pool().get(document.__name__ + '.version')
    document = document.__class__(document.id)
    note = gettext('egov_document.msg_version_conflict_note',
        user=document.locked_by.rec_name if document.edit_locked else '')
    with Transaction().set_context({SOURCE: 'webdav', NOTE: note}):
        version = Version.add(document, body, filename, conflict=True)
    logger.info("WebDAV save of %s kept as conflict version %s",
        document, version.number)
    return _text(HTTPStatus.LOCKED, gettext(
            'egov_document.msg_version_conflict_kept',
            number=version.number))
