"""正文 versions (痕迹保留): every save of the body of a 发文 or a 收文 is
kept as a version with who, when, from where (the web client, Word over
WebDAV, a format fix), its size and SHA-256, and the tracked changes
(修订) Word recorded in it. The body is frozen at 签发.

A version is a row of the document's own model family
(egov.document.outgoing.version / egov.document.incoming.version): with a
Many2One to its document in __access__, the document's access rights and
record rules (unit, 密级, participants) apply to its versions unchanged.
A Reference to either model could not do that: Tryton's rules follow only
Many2One fields."""
import datetime
import hashlib

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from egov_base.upload.attachment import TRUSTED

from ..exceptions import DocumentError
from . import docx

SOURCES = [
    ('web', "Web Client"),
    ('webdav', "Word/WPS (WebDAV)"),
    ('fix', "Format Fix"),
    ]
REVISION_KINDS = [
    ('insert', "Inserted"),
    ('delete', "Deleted"),
    ('move_from', "Moved Away"),
    ('move_to', "Moved Here"),
    ('format', "Formatting"),
    ]
# Set by the platform's code (WebDAV, a format fix), never over RPC: the
# RPC context drops the keys starting with '_'
SOURCE = '_egov_body_source'
NOTE = '_egov_body_note'
# The WebDAV lock token of the request writing the body
DAV_LOCK = '_egov_dav_lock'


def now():
    return datetime.datetime.now()


class VersionMixin(ModelSQL, ModelView):
    __slots__ = ()
    _egov_visibility = 'parent'

    number = fields.Integer("Number", readonly=True, required=True)
    body = fields.Binary("Body", filename='name', file_id='body_id',
        readonly=True)
    body_id = fields.Char("Body File ID", readonly=True)
    name = fields.Char("File Name", readonly=True)
    size = fields.Integer("Size (Bytes)", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    author = fields.Many2One('res.user', "Author", readonly=True,
        ondelete='RESTRICT')
    source = fields.Selection(SOURCES, "Source", readonly=True)
    note = fields.Char("Note", readonly=True)
    conflict = fields.Boolean("Conflict", readonly=True,
        help="Saved from Word after its lock was lost: kept here, the "
        "body left as it was.")
    signed = fields.Boolean("Signed", readonly=True,
        help="The version frozen at 签发.")
    revision_count = fields.Integer("Tracked Changes", readonly=True)
    # The web client's lists show a date or a time, not both
    saved_at = fields.Function(fields.Char("Saved At"), 'get_saved_at')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        cls._order = [('number', 'DESC'), ('id', 'DESC')]

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        # Whoever may change the document would, through __access__, have
        # the same rights here: the platform alone keeps the history
        if external:
            raise AccessError(gettext('egov_document.msg_version_readonly'))

    def get_saved_at(self, name):
        return self.create_date.strftime('%Y-%m-%d %H:%M:%S')

    def get_rec_name(self, name):
        return '%s %s' % (gettext('egov_document.msg_version_label',
                number=self.number), self.name or '')

    @classmethod
    def add(cls, document, data, name, conflict=False):
        "Keep data as the next version of document (without access checks)"
        pool = Pool()
        Revision = pool.get(cls.__name__ + '.revision')
        context = Transaction().context
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        with without_check_access():
            last = cls.search([('document', '=', document.id)],
                order=[('number', 'DESC')], limit=1)
            if last and last[0].sha256 == digest and not conflict:
                # Word saves again what it saved: nothing changed
                return last[0]
            found = docx.revisions(data) if docx.is_docx(data) else []
            version, = cls.create([{
                        'document': document.id,
                        'number': (last[0].number + 1) if last else 1,
                        'body': data,
                        'name': name,
                        'size': len(data),
                        'sha256': digest,
                        'author': Transaction().user or None,
                        'source': context.get(SOURCE) or 'web',
                        'note': context.get(NOTE),
                        'conflict': conflict,
                        'revision_count': len(found),
                        }])
            if found:
                Revision.create([dict(r, version=version.id, sequence=i)
                        for i, r in enumerate(found, 1)])
        return version

    def paragraphs(self):
        return docx.paragraphs(self.body, self.name)


class RevisionMixin(ModelSQL, ModelView):
    "A tracked change (修订) Word recorded in a version"
    __slots__ = ()
    _egov_visibility = 'parent'

    sequence = fields.Integer("Sequence", readonly=True)
    kind = fields.Selection(REVISION_KINDS, "Kind", readonly=True)
    author = fields.Char("Author", readonly=True)
    date = fields.DateTime("Date", readonly=True,
        help="As Word wrote it (Coordinated Universal Time).")
    text = fields.Char("Text", readonly=True)
    paragraph = fields.Integer("Paragraph", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('version')
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        # Whoever may change the document would, through __access__, have
        # the same rights here: the platform alone keeps the history
        if external:
            raise AccessError(gettext('egov_document.msg_version_readonly'))


class OutgoingVersion(VersionMixin):
    "Outgoing Document Body Version"
    __string__ = "Outgoing Document Body Version"
    __name__ = 'egov.document.outgoing.version'
    document = fields.Many2One('egov.document.outgoing', "Document",
        required=True, ondelete='CASCADE', readonly=True)
    revisions = fields.One2Many('egov.document.outgoing.version.revision',
        'version', "Tracked Changes", readonly=True)


class OutgoingRevision(RevisionMixin):
    "Outgoing Document Tracked Change"
    __string__ = "Outgoing Document Tracked Change"
    __name__ = 'egov.document.outgoing.version.revision'
    version = fields.Many2One('egov.document.outgoing.version', "Version",
        required=True, ondelete='CASCADE', readonly=True)


class IncomingVersion(VersionMixin):
    "Incoming Document Body Version"
    __string__ = "Incoming Document Body Version"
    __name__ = 'egov.document.incoming.version'
    document = fields.Many2One('egov.document.incoming', "Document",
        required=True, ondelete='CASCADE', readonly=True)
    revisions = fields.One2Many('egov.document.incoming.version.revision',
        'version', "Tracked Changes", readonly=True)


class IncomingRevision(RevisionMixin):
    "Incoming Document Tracked Change"
    __string__ = "Incoming Document Tracked Change"
    __name__ = 'egov.document.incoming.version.revision'
    version = fields.Many2One('egov.document.incoming.version', "Version",
        required=True, ondelete='CASCADE', readonly=True)


class VersionedMixin:
    """The body of a document kept in versions, frozen at 签发, checked out
    while someone edits it in Word (locked_by, locked_until)"""
    __slots__ = ()

    body_frozen = fields.Boolean("Body Frozen", readonly=True,
        help="Signed: the body no longer changes.")
    locked_by = fields.Many2One('res.user', "Being Edited By",
        readonly=True, ondelete='SET NULL')
    locked_until = fields.DateTime("Edit Lock Until", readonly=True)
    # The WebDAV lock (token, owner, scope) as JSON; read by no one
    dav_lock = fields.Text("WebDAV Lock", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'edit_in_word': {
                    'invisible': Bool(Eval('body_frozen')),
                    'depends': ['body_frozen'],
                    },
                'compare_versions': {},
                })

    @classmethod
    def default_body_frozen(cls):
        return False

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['versions', 'locked_by', 'locked_until', 'dav_lock']:
            default.setdefault(name, None)
        default.setdefault('body_frozen', False)
        return super().copy(documents, default=default)

    @property
    def edit_locked(self):
        "Whether someone holds the document open in Word now"
        return bool(self.locked_by and self.locked_until
            and self.locked_until > now())

    def check_body_change(self):
        "Refuse a change of the body: frozen, or checked out by someone"
        if self.body_frozen:
            raise DocumentError(gettext(
                    'egov_document.msg_version_body_frozen',
                    document=self.rec_name))
        if self.edit_locked and (Transaction().context.get(DAV_LOCK)
                != self.dav_lock_token):
            raise DocumentError(gettext(
                    'egov_document.msg_version_body_locked',
                    document=self.rec_name,
                    user=self.locked_by.rec_name,
                    until=self.locked_until.strftime('%H:%M')))

    @property
    def dav_lock_token(self):
        import json
        if not self.dav_lock:
            return None
        try:
            return json.loads(self.dav_lock).get('token')
        except ValueError:
            return None

    @classmethod
    def _check_body_file(cls, data, name):
        """What the upload guard keeps but a 正文 must not be: a file
        with macros Word would run, or one no one can open without its
        password (nor compare, render or sign)"""
        from egov_base.upload.guard import sniff
        if not data:
            return
        if getattr(sniff(data), 'encrypted', False):
            raise DocumentError(gettext(
                    'egov_document.msg_version_encrypted', name=name or ''))
        if docx.is_docx(data) and docx.has_macros(data):
            raise DocumentError(gettext(
                    'egov_document.msg_version_macros', name=name or ''))

    @classmethod
    def create(cls, vlist):
        trusted = Transaction().context.get(TRUSTED)
        for values in vlist:
            if values.get('body') and not trusted:
                cls._check_body_file(values['body'], values.get('body_name'))
        documents = super().create(vlist)
        Version = Pool().get(cls.__name__ + '.version')
        for document, values in zip(documents, vlist):
            if values.get('body'):
                Version.add(document, values['body'],
                    values.get('body_name'))
        return documents

    @classmethod
    def write(cls, *args):
        trusted = Transaction().context.get(TRUSTED)
        changed = []
        actions = iter(args)
        for records, values in zip(actions, actions):
            if 'body' not in values:
                continue
            for record in records:
                record.check_body_change()
            if values['body'] and not trusted:
                cls._check_body_file(values['body'], values.get('body_name'))
            if values['body']:
                changed.append((records, values))
        super().write(*args)
        Version = Pool().get(cls.__name__ + '.version')
        for records, values in changed:
            for record in records:
                Version.add(record, values['body'],
                    values.get('body_name') or record.body_name)

    def may_edit_body(self):
        """Whether the current user may change the body: a draft they may
        write, or a step of theirs that lets them fill it"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        from egov_base.tools import check_read_access, check_write_access
        from trytond.model.exceptions import AccessError
        if self.body_frozen:
            return False
        if self.workflow_state == 'draft':
            try:
                check_write_access(self.__class__, [self])
            except AccessError:
                return False
            return True
        if not self.workflow:
            return False
        try:
            check_read_access(self.__class__, [self])
        except AccessError:
            return False
        with without_check_access():
            tasks = Task.search([
                    ('instance', '=', self.workflow.id),
                    ('user', '=', Transaction().user),
                    ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ])
        return any('body' in self.workflow_editable(t.step) for t in tasks)

    @classmethod
    @ModelView.button_action('egov_document.url_version_edit_in_word')
    def edit_in_word(cls, documents):
        "在Word中编辑: the ms-word: link opening the body over WebDAV"
        pool = Pool()
        Token = pool.get('egov.document.edit.token')
        if not documents:
            return
        document, = documents[:1]
        url = Token.issue(document)
        return {'url': 'ms-word:ofe|u|' + url}

    @classmethod
    @ModelView.button_action('egov_document.wizard_version_compare')
    def compare_versions(cls, documents):
        pass


class Outgoing(VersionedMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'
    versions = fields.One2Many('egov.document.outgoing.version', 'document',
        "Body Versions", readonly=True)

    def _step_sign(self, task):
        "签发 freezes the body: the version signed is the one sent"
        pool = Pool()
        Version = pool.get('egov.document.outgoing.version')
        super()._step_sign(task)
        self._write({'body_frozen': True})
        with without_check_access():
            last = Version.search([
                    ('document', '=', self.id),
                    ('conflict', '=', False),
                    ], order=[('number', 'DESC')], limit=1)
            if last:
                Version.write(last, {'signed': True})


class Incoming(VersionedMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'
    versions = fields.One2Many('egov.document.incoming.version', 'document',
        "Body Versions", readonly=True)
