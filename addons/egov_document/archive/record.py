"""归档: a finished 收文 or 发文 marked for archiving by its unit's 收发员,
with the metadata of DA/T 46-2009 (文书类电子文件元数据方案) filled from the
document and the 档号 parts of DA/T 22-2015 (归档文件整理规则):
全宗号-年度-保管期限-机构（问题）-件号.

The record keeps what the archive needs even if the document changes
hands: its own copy of the metadata, the body (the same stored file) and
its SM3 digest. Until egov_archive exists, the clerk hands a complete
record over (移交) and it gets the next 件号 of its group and its 档号;
egov_archive will take the ready records over through hand_over() and
metadata_xml(), checking the digest, and file them into its 全宗, 类目
and 案卷."""
import hashlib
import io
import zipfile

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction, without_check_access

from ..document import URGENCY, now
from ..exceptions import DocumentError
from ..secrecy import SECRECY

DOCUMENTS = [
    ('egov.document.outgoing', "Outgoing Document"),
    ('egov.document.incoming', "Incoming Document"),
    ]
STATES = [
    ('ready', "Ready"),
    ('handed_over', "Handed Over"),
    ]
# 保管期限 of DA/T 22-2015 and their codes in the 档号
RETENTIONS = [
    ('', ""),
    ('permanent', "Permanent"),
    ('d30', "30 Years"),
    ('d10', "10 Years"),
    ]
RETENTION_CODES = {'permanent': 'Y', 'd30': 'D30', 'd10': 'D10'}
# 稿本 of DA/T 46
MANUSCRIPTS = [
    ('original', "Original"),
    ('final_draft', "Final Draft"),
    ('copy', "Copy"),
    ('revised', "Revised Draft"),
    ('draft', "Draft"),
    ]
READY = {'readonly': Eval('state') != 'ready'}
# Bounds when the pages are counted from the body
MAX_PAGES = 10000
MAX_APP_XML = 1 << 20


class Record(ModelSQL, ModelView):
    "Archive Record"
    __string__ = "Archive Record"
    __name__ = 'egov.document.archive.record'
    _egov_visibility = 'unit'
    _rec_name = 'title'

    document = fields.Reference("Document", DOCUMENTS, required=True,
        readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    unit = fields.Many2One('egov.org.unit', "Records Unit", required=True,
        readonly=True, ondelete='RESTRICT', help="立档单位")
    # 档号 (DA/T 22-2015)
    fonds_name = fields.Char("Fonds Name", states=READY)
    fonds_code = fields.Char("Fonds Code", strip=True, states=READY,
        help="全宗号, given by the archives; kept from the unit's last "
        "record.")
    year = fields.Integer("Year", required=True, states=READY)
    retention = fields.Selection(RETENTIONS, "Retention Period", sort=False,
        states={
            'readonly': READY['readonly'],
            'required': Eval('state') == 'handed_over',
            })
    organ_name = fields.Char("Organ or Subject", states=READY)
    organ_code = fields.Char("Organ or Subject Code", strip=True,
        states=READY, help="机构（问题）代码 of the 档号, e.g. BGS for 办公室.")
    item_number = fields.Integer("Item Number", readonly=True,
        help="件号, given by the archive at hand-over.")
    archival_code = fields.Char("Archival Code", readonly=True,
        help="档号: 全宗号-年度-保管期限-机构（问题）-件号.")
    # 内容描述
    title = fields.Char("Title", required=True, states=READY)
    number = fields.Char("Document Number", readonly=True)
    author = fields.Char("Author", states=READY, help="责任者")
    date = fields.Date("Date", states=READY)
    kind = fields.Many2One('egov.document.kind', "Kind", readonly=True,
        ondelete='RESTRICT')
    urgency = fields.Selection(URGENCY, "Urgency", readonly=True)
    secrecy = fields.Selection(SECRECY, "Secrecy", readonly=True,
        required=True, sort=False)
    secrecy_years = fields.Integer("Secrecy Term (Years)", readonly=True)
    main_recipients = fields.Char("Main Recipients", readonly=True)
    copy_recipients = fields.Char("Copy Recipients", readonly=True)
    subject_terms = fields.Char("Subject Terms", states=READY,
        help="主题词, separated by spaces.")
    keywords = fields.Char("Keywords", states=READY,
        help="关键词, taken from the title.")
    summary = fields.Text("Summary", states=READY)
    # 形式特征
    pages = fields.Integer("Pages", states=READY,
        domain=['OR', ('pages', '=', None), ('pages', '>=', 0)])
    attachment_count = fields.Integer("Attachments", readonly=True)
    manuscript = fields.Selection(MANUSCRIPTS, "Manuscript", sort=False,
        required=True, states=READY, help="稿本")
    # 电子属性
    body = fields.Binary("Body", filename='body_name', file_id='body_id',
        readonly=True)
    body_id = fields.Char("Body File ID", readonly=True)
    body_name = fields.Char("Body File Name", readonly=True)
    body_size = fields.Integer("Body Size (Bytes)", readonly=True)
    body_digest = fields.Char("Body Digest (SM3)", readonly=True)
    handed_over_by = fields.Many2One('res.user', "Handed Over By",
        readonly=True, ondelete='RESTRICT')
    handed_over_at = fields.DateTime("Handed Over At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('document_unique', Unique(t, t.document),
                'egov_document.msg_archive_document_unique'),
            ('archival_code_unique', Unique(t, t.archival_code),
                'egov_document.msg_archive_code_unique'),
            ]
        cls._sql_indexes.update({
                # The unit's last 全宗号 and the 件号 within a 档号 group
                Index(t, (t.unit, Index.Equality()),
                    (t.year, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'hand_over': {
                    'invisible': Eval('state') != 'ready',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'ready'

    @classmethod
    def default_manuscript(cls):
        return 'original'

    @classmethod
    def default_secrecy(cls):
        return 'none'

    @property
    def retention_code(self):
        return RETENTION_CODES.get(self.retention or '')

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode in {'write', 'delete'}:
            for record in records:
                if record.state == 'handed_over':
                    raise DocumentError(gettext(
                            'egov_document.msg_archive_handed_over',
                            record=record.rec_name))

    # Marking a document for archiving

    @classmethod
    def mark(cls, documents):
        """Return the record of each finished document, made the first
        time; refuse a document still in its process"""
        pool = Pool()
        User = pool.get('res.user')
        from egov_base.tools import check_read_access
        if not documents:
            return []
        Document = documents[0].__class__
        check_read_access(Document, documents)
        scope = User.get_org_scope()
        for document in documents:
            if document.workflow_state != 'done':
                raise DocumentError(gettext(
                        'egov_document.msg_archive_not_done',
                        document=document.rec_name))
            if Transaction().user and document.unit.id not in scope['units']:
                raise DocumentError(gettext(
                        'egov_document.msg_archive_other_unit',
                        document=document.rec_name,
                        unit=document.unit.rec_name))
        with without_check_access():
            existing = {str(r.document): r for r in cls.search([
                        ('document', 'in', [str(d) for d in documents]),
                        ])}
            new = [d for d in documents if str(d) not in existing]
            for record in cls.create([cls.values_of(d) for d in new]):
                existing[str(record.document)] = record
        return [existing[str(d)] for d in documents]

    @classmethod
    def values_of(cls, document):
        "The metadata of document as DA/T 46 names them"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        outgoing = document.__name__ == 'egov.document.outgoing'
        if outgoing:
            when = document.signed_at or document.dispatched_at
            date = when.date() if when else document.create_date.date()
            author = document.unit.name
            number = document.number
            organ = document.department
            main = document.main_recipients
            copy = document.copy_recipients
            summary = document.summary
        else:
            source = document.outgoing
            # 日期 is the 成文日期: the sender's 签发 when it is known
            signed = source.signed_at if source else None
            date = signed.date() if signed else document.received_date
            author = document.source_name
            number = document.source_number
            organ = document.handlers[0] if document.handlers else None
            main = source.main_recipients if source else [document.unit]
            copy = source.copy_recipients if source else []
            summary = source.summary if source else None
        values = {
            'document': str(document),
            'unit': document.unit.id,
            'fonds_name': document.unit.name,
            'fonds_code': cls.last_fonds_code(document.unit),
            'year': date.year,
            'organ_name': organ.name if organ else None,
            'organ_code': organ_code(organ.name) if organ else None,
            'title': document.title,
            'number': number,
            'author': author,
            'date': date,
            'kind': document.kind.id if document.kind else None,
            'urgency': document.urgency,
            'secrecy': document.secrecy,
            'secrecy_years': document.secrecy_term,
            'main_recipients': '、'.join(u.name for u in main),
            'copy_recipients': '、'.join(u.name for u in copy),
            'keywords': keywords(document.title),
            'summary': summary,
            'attachment_count': Attachment.search_count([
                    ('resource', '=', str(document))]),
            'manuscript': 'original',
            }
        if document.body_id or document.body:
            data = document.body or b''
            values.update({
                    'body_id': document.body_id,
                    'body_name': document.body_name,
                    'body_size': len(data),
                    'body_digest': sm3(data),
                    'pages': page_count(data),
                    })
            if not document.body_id:
                values['body'] = data
        return values

    @classmethod
    def last_fonds_code(cls, unit):
        "The 全宗号 the unit's clerks gave last, typed only once"
        records = cls.search([
                ('unit', '=', unit.id), ('fonds_code', '!=', None)],
            order=[('id', 'DESC')], limit=1)
        return records[0].fonds_code if records else None

    # What egov_archive takes over

    @classmethod
    @ModelView.button
    def hand_over(cls, records):
        """The archive takes the records: each complete record gets its
        件号 (the next in its 全宗-年度-保管期限-机构 group) and its 档号"""
        from egov_base.tools import check_write_access
        check_write_access(cls, records)
        for record in records:
            record.check_complete()
        with without_check_access():
            # Hand-overs are rare: one at a time, so that two never take
            # the same 件号 of a group
            cls.lock()
            for record in sorted(records, key=lambda r: r.id):
                item = cls.next_item_number(record)
                cls.write([record], {
                        'item_number': item,
                        'archival_code': '-'.join([record.fonds_code,
                                str(record.year), record.retention_code,
                                record.organ_code, '%04d' % item]),
                        'state': 'handed_over',
                        'handed_over_by': Transaction().user or None,
                        'handed_over_at': now(),
                        })

    def check_complete(self):
        missing = [self.__class__.fields_get([name])[name]['string']
            for name in ['fonds_code', 'retention', 'organ_code']
            if not getattr(self, name)]
        if missing:
            raise DocumentError(gettext(
                    'egov_document.msg_archive_incomplete',
                    record=self.rec_name, fields='、'.join(missing)))

    @classmethod
    def next_item_number(cls, record):
        "The next 件号 of the record's 全宗-年度-保管期限-机构 group"
        others = cls.search([
                ('unit', '=', record.unit.id),
                ('fonds_code', '=', record.fonds_code),
                ('year', '=', record.year),
                ('retention', '=', record.retention),
                ('organ_code', '=', record.organ_code),
                ('item_number', '!=', None),
                ], order=[('item_number', 'DESC')], limit=1)
        return (others[0].item_number if others else 0) + 1

    def metadata_xml(self):
        "The record as DA/T 46 XML, with the body and its SM3 digest"
        from .metadata import metadata_xml
        return metadata_xml(self)


class _ArchivableMixin:
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                # Shown while running too: the clerk learns why not yet
                'archive': {
                    'invisible': ~Eval('workflow_state').in_(
                        ['running', 'done']),
                    'depends': ['workflow_state'],
                    },
                })

    @classmethod
    @ModelView.button_action(
        'egov_document.act_archive_record_from_document')
    def archive(cls, documents):
        "归档: mark the finished documents for archiving"
        Record = Pool().get('egov.document.archive.record')
        records = Record.mark(documents)
        return {
            'res_id': [r.id for r in records],
            'pyson_domain': PYSONEncoder().encode(
                [('id', 'in', [r.id for r in records])]),
            }


class Outgoing(_ArchivableMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'


class Incoming(_ArchivableMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'


def sm3(data):
    return hashlib.new('sm3', data).hexdigest()


def organ_code(name):
    "机构（问题）代码: the initials of the name in pinyin, e.g. 办公室 → BGS"
    from pypinyin import Style, lazy_pinyin
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors='ignore')
    letters = ''.join(p[:1] for p in initials
        if p[:1].isascii() and p[:1].isalpha())
    return letters.upper()[:8] or None


def keywords(title, count=4):
    import jieba.analyse
    words = [w for w in jieba.analyse.extract_tags(title or '', topK=count * 2)
        if not w.isdigit()]
    return ' '.join(words[:count]) or None


def page_count(data):
    """The pages of a PDF or of a Word file (as Word last counted them),
    None when unknown; bounded for hostile files"""
    if data[:5] == b'%PDF-':
        try:
            from pdfminer.pdfpage import PDFPage
            count = 0
            for _ in PDFPage.get_pages(io.BytesIO(data)):
                count += 1
                if count >= MAX_PAGES:
                    return None
            return count
        except Exception:
            return None
    if data[:4] == b'PK\x03\x04':
        try:
            from lxml import etree
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                info = package.getinfo('docProps/app.xml')
                if info.file_size > MAX_APP_XML:
                    return None
                text = package.read(info)
            parser = etree.XMLParser(resolve_entities=False, no_network=True,
                huge_tree=False)
            root = etree.fromstring(text, parser)
            pages = root.find(
                '{http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties}Pages')
            if pages is not None and (pages.text or '').isdigit():
                return int(pages.text)
        except Exception:
            return None
    return None
