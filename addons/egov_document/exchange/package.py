"""The exchange package (公文交换包): one 公文 from one platform to another.

A ZIP (stored or deflated) holding:

- metadata.xml: the envelope (package id, sending node, receiving organ,
  time, algorithms), the document's metadata after GB/T 33480 and the list
  of files with their size and SM3 digest;
- signature.xml: the SM2 signature of the bytes of metadata.xml;
- body/<name>: the 正文; attachments/<n>/<name>: the 附件.

The signature covers the metadata, the metadata covers every file by its
digest: a package is verified whole or refused. Reading is bounded (size,
entries, inflated size and ratio, XML without DTD). EXCHANGE.md describes
the format. Plain Python with no Tryton in it: the tests' peer platform
speaks the protocol with this same code."""
import datetime
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from . import signing

VERSION = '1.0'
METADATA = 'metadata.xml'
SIGNATURE = 'signature.xml'
MB = 1024 * 1024
MAX_PACKAGE = 64 * MB
MAX_ENTRIES = 102
MAX_METADATA = 1 * MB
MAX_INFLATED = 256 * MB
# An entry inflating more than this many times its size is a bomb
MAX_RATIO = 200
RATIO_FROM = 1 * MB
# A package is taken within this time of its making (retries included),
# and not from the future beyond the clocks' drift
MAX_AGE = datetime.timedelta(days=7)
MAX_SKEW = datetime.timedelta(minutes=10)
MAX_TEXT = 2000
CODE = re.compile(r'[0-9A-Za-z][0-9A-Za-z._-]{0,63}')
PACKAGE_ID = re.compile(r'[0-9A-Za-z][0-9A-Za-z._-]{7,99}')
FILE_NAME_BAD = re.compile(r'[\x00-\x1f\x7f/\\]')

# Our codes and the terms of GB/T 33480 (empty: not classified, ordinary)
SECRECY_TERMS = {'none': '', 'secret': '秘密', 'confidential': '机密',
    'top_secret': '绝密'}
URGENCY_TERMS = {'normal': '', 'urgent': '加急', 'very_urgent': '特急'}

# The 15 文种 of the 党政机关公文处理工作条例 (2012) 第八条, in its order:
# our code, the code in the package and the term. GB/T 33480 names 文种 a
# core item with a code list of its own, whose text we could not read: the
# codes here number the kinds in the 条例's order (EXCHANGE.md), and a
# receiver matches the code, then the term, so that a peer using the
# standard's list is still understood by the term the 条例 fixes.
KINDS = [
    ('resolution', '01', '决议'),
    ('decision', '02', '决定'),
    ('order', '03', '命令（令）'),
    ('communique', '04', '公报'),
    ('announcement', '05', '公告'),
    ('public_notice', '06', '通告'),
    ('opinion', '07', '意见'),
    ('notice', '08', '通知'),
    ('circular', '09', '通报'),
    ('report', '10', '报告'),
    ('request', '11', '请示'),
    ('reply', '12', '批复'),
    ('motion', '13', '议案'),
    ('letter', '14', '函'),
    ('minutes', '15', '纪要'),
    ]
KIND_BY_CODE = {k: (c, t) for k, c, t in KINDS}
# Package version 1.0 of this platform sent our codes: still understood
KIND_BY_WIRE = dict([(c, k) for k, c, _ in KINDS]
    + [(k, k) for k, _, _ in KINDS])
# "命令" and "令" are one kind (第八条 (三))
KIND_BY_TERM = dict([(t, k) for k, _, t in KINDS]
    + [('命令', 'order'), ('令', 'order')])


def kind_wire(code, name):
    "(code, term) of our kind in a package; a kind not of the 15 as it is"
    return KIND_BY_CODE.get(code, (code, name))


def kind_of(code, term):
    "Our code of the kind of a package (its code, else its term), or None"
    return KIND_BY_WIRE.get(code) or KIND_BY_TERM.get(
        (term or '').replace('(', '（').replace(')', '）'))


class PackageRefused(Exception):
    """A package refused: reason is the key of its message
    (msg_exchange_refused_<reason>), values fill it"""
    STATUS = {
        'too_big': 413, 'signature': 403, 'unknown_peer': 403,
        'replayed': 409, 'status_replayed': 409,
        }

    def __init__(self, reason, **values):
        super().__init__(reason, values)
        self.reason = reason
        self.values = values

    @property
    def status(self):
        return self.STATUS.get(self.reason, 400)


@dataclass
class Organ:
    code: str = ''
    name: str = ''


@dataclass
class Document:
    "The metadata of GB/T 33480 that the platform keeps"
    identifier: str = ''          # 公文标识 (GB/T 33477)
    kind_code: str = ''           # 文种
    kind_name: str = ''
    copy_number: str = ''         # 份号
    secrecy: str = 'none'         # 密级
    secrecy_years: int = None     # 保密期限
    urgency: str = 'normal'       # 紧急程度
    issuer: Organ = field(default_factory=Organ)  # 发文机关
    number: str = ''              # 发文字号
    signer: str = ''              # 签发人
    title: str = ''               # 标题
    main_recipients: list = field(default_factory=list)  # 主送机关
    attachment_note: str = ''     # 附件说明
    signatory: str = ''           # 发文机关署名
    date: datetime.date = None    # 成文日期
    note: str = ''                # 附注
    copy_recipients: list = field(default_factory=list)  # 抄送机关
    printer: str = ''             # 印发机关
    printed: datetime.date = None  # 印发日期
    disclosure: str = ''          # 公开方式 (发布层次)


@dataclass
class File:
    role: str                     # body or attachment
    name: str
    data: bytes                   # in clear
    path: str = ''
    sealed: bytes = None          # as it travels, when encrypted

    @property
    def stored(self):
        return self.sealed if self.sealed is not None else self.data

    @property
    def size(self):
        return len(self.stored)

    @property
    def digest(self):
        "The SM3 of the file as it travels (the ciphertext when encrypted)"
        return signing.sm3(self.stored)


@dataclass
class Encryption:
    "The files encrypted with SM4 under a key wrapped for the receiver"
    key_id: str                   # which of the receiver's keys
    wrapped_key: bytes            # the SM4 key, SM2-encrypted
    algorithm: str = signing.CIPHER
    key_algorithm: str = signing.KEY_WRAP


@dataclass
class Package:
    sender: Organ                 # the sending node (its key signs)
    receiver: Organ               # the organ the document is addressed to
    document: Document
    files: list = field(default_factory=list)
    package_id: str = ''
    created_at: datetime.datetime = None
    metadata: bytes = b''         # as signed
    signature: str = ''
    algorithm: str = signing.ALGORITHM
    encryption: Encryption = None

    @property
    def body(self):
        return next((f for f in self.files if f.role == 'body'), None)

    @property
    def attachments(self):
        return [f for f in self.files if f.role == 'attachment']

    @property
    def metadata_digest(self):
        return signing.sm3(self.metadata)


def new_package_id(sender_code):
    return '%s-%s' % (sender_code, uuid.uuid4().hex)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0)


# ------------------------------------------------------------------ build
def _text(parent, tag, value, **attributes):
    element = etree.SubElement(parent, tag, {
            k: str(v) for k, v in attributes.items() if v not in (None, '')})
    if value not in (None, ''):
        element.text = str(value)
    return element


def _organs(parent, tag, organs):
    element = etree.SubElement(parent, tag)
    for organ in organs:
        _text(element, 'Organ', organ.name, code=organ.code)
    return element


def metadata_xml(package):
    "The bytes of metadata.xml for package"
    doc = package.document
    root = etree.Element('ExchangePackage', version=VERSION)
    envelope = etree.SubElement(root, 'Envelope')
    _text(envelope, 'PackageId', package.package_id)
    _text(envelope, 'Sender', package.sender.name, code=package.sender.code)
    _text(envelope, 'Receiver', package.receiver.name,
        code=package.receiver.code)
    _text(envelope, 'CreatedAt', package.created_at.strftime(
            '%Y-%m-%dT%H:%M:%SZ'))
    _text(envelope, 'SignatureAlgorithm', package.algorithm)
    _text(envelope, 'DigestAlgorithm', signing.DIGEST)
    if package.encryption is not None:
        encryption = package.encryption
        _text(envelope, 'Encryption', encryption.wrapped_key.hex(),
            algorithm=encryption.algorithm,
            keyAlgorithm=encryption.key_algorithm,
            keyId=encryption.key_id)
    document = etree.SubElement(root, 'Document')
    _text(document, 'Identifier', doc.identifier)
    _text(document, 'Kind', doc.kind_name, code=doc.kind_code)
    _text(document, 'CopyNumber', doc.copy_number)
    _text(document, 'Secrecy', SECRECY_TERMS[doc.secrecy],
        years=doc.secrecy_years if doc.secrecy != 'none' else None)
    _text(document, 'Urgency', URGENCY_TERMS[doc.urgency])
    _text(document, 'Issuer', doc.issuer.name, code=doc.issuer.code)
    _text(document, 'Number', doc.number)
    _text(document, 'Signer', doc.signer)
    _text(document, 'Title', doc.title)
    _organs(document, 'MainRecipients', doc.main_recipients)
    _text(document, 'AttachmentNote', doc.attachment_note)
    _text(document, 'Signatory', doc.signatory)
    _text(document, 'Date', doc.date.isoformat() if doc.date else '')
    _text(document, 'Note', doc.note)
    _organs(document, 'CopyRecipients', doc.copy_recipients)
    _text(document, 'Printer', doc.printer)
    _text(document, 'Printed', doc.printed.isoformat() if doc.printed
        else '')
    _text(document, 'Disclosure', doc.disclosure)
    files = etree.SubElement(root, 'Files')
    for file in package.files:
        _text(files, 'File', None, role=file.role, path=file.path,
            name=file.name, size=file.size, sm3=file.digest)
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8',
        pretty_print=True)


def signature_xml(algorithm, signer_code, signature):
    root = etree.Element('Signature', algorithm=algorithm,
        signer=signer_code, target=METADATA)
    root.text = signature
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


def build(package, private_key, encrypt_for=None):
    """The ZIP of package, signed with private_key; fills its id, time,
    file paths, metadata and signature. encrypt_for: the receiver's SM2
    encryption key, to encrypt the files with SM4 (the signature then
    covers the ciphertexts' digests)"""
    if not package.package_id:
        package.package_id = new_package_id(package.sender.code)
    if package.created_at is None:
        package.created_at = utcnow()
    count = 0
    for file in package.files:
        name = safe_name(file.name)
        if file.role == 'body':
            file.path = 'body/' + name
        else:
            count += 1
            file.path = 'attachments/%d/%s' % (count, name)
    if encrypt_for:
        key = signing.new_content_key()
        package.encryption = Encryption(
            key_id=signing.key_id(encrypt_for),
            wrapped_key=signing.sm2_encrypt(encrypt_for, key))
        for file in package.files:
            # The path is authenticated with it: a file cannot be swapped
            file.sealed = signing.sm4_seal(key, file.data,
                file.path.encode('utf-8'))
    package.metadata = metadata_xml(package)
    package.signature = signing.sign(private_key, package.metadata)
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(METADATA, package.metadata)
        archive.writestr(SIGNATURE, signature_xml(
                package.algorithm, package.sender.code, package.signature))
        for file in package.files:
            archive.writestr(file.path, file.stored)
    return output.getvalue()


def safe_name(name):
    "A file name that is a name only: no folder, no control character"
    name = FILE_NAME_BAD.sub('_', (name or '').strip()) or 'file'
    if name in {'.', '..'}:
        name = 'file'
    return name[-120:]


# ------------------------------------------------------------------- read
def read(data, public_key_of, now=None, private_key_of=None):
    """The Package in data (bytes), verified; public_key_of(sender code)
    gives the public key of a known node or None, private_key_of(sender
    code) our SM2 decryption key for it (or None). Raises PackageRefused."""
    if len(data) > MAX_PACKAGE:
        raise PackageRefused('too_big', limit=MAX_PACKAGE // MB)
    archive = _open(data)
    with archive:
        metadata = _member(archive, METADATA, MAX_METADATA)
        signature_data = _member(archive, SIGNATURE, 64 * 1024)
        root = _parse(metadata)
        package = _package(root)
        package.metadata = metadata
        algorithm, signature = _signature(signature_data)
        if algorithm != signing.ALGORITHM or package.algorithm != algorithm:
            raise PackageRefused('algorithm', algorithm=algorithm[:40])
        public_key = public_key_of(package.sender.code)
        if not public_key:
            raise PackageRefused('unknown_peer', code=package.sender.code)
        if not signing.verify(public_key, metadata, signature):
            raise PackageRefused('signature', code=package.sender.code)
        package.signature = signature
        _check_time(package.created_at, now or utcnow())
        _read_files(archive, root, package)
    if package.encryption is not None:
        _decrypt(package, private_key_of(package.sender.code)
            if private_key_of else None)
    elif package.document.secrecy != 'none':
        # A 密级 document crosses between platforms only encrypted
        raise PackageRefused('not_encrypted')
    return package


def _decrypt(package, private_key):
    "Open each file with the SM4 key wrapped for us"
    encryption = package.encryption
    if not private_key:
        raise PackageRefused('no_decryption_key', code=package.sender.code)
    if encryption.key_id != signing.key_id(signing.public_key_of(
                private_key)):
        raise PackageRefused('decryption_key', code=package.sender.code)
    try:
        key = signing.sm2_decrypt(private_key, encryption.wrapped_key)
    except signing.DecryptionError:
        raise PackageRefused('decryption_key', code=package.sender.code)
    if len(key) != signing.SM4_KEY:
        raise PackageRefused('decryption_key', code=package.sender.code)
    for file in package.files:
        file.sealed = file.data
        try:
            file.data = signing.sm4_open(key, file.sealed,
                file.path.encode('utf-8'))
        except signing.DecryptionError:
            raise PackageRefused('decrypt', name=file.name)


def _open(data):
    if not data.startswith(b'PK\x03\x04'):
        raise PackageRefused('not_zip')
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
            EOFError, NotImplementedError):
        raise PackageRefused('not_zip')
    if len(infos) > MAX_ENTRIES:
        archive.close()
        raise PackageRefused('entries', limit=MAX_ENTRIES)
    names, total = set(), 0
    for info in infos:
        name = info.filename
        if (name in names or name.startswith('/') or '\\' in name
                or '..' in name.split('/') or '\x00' in name
                or info.flag_bits & 0x1 or info.compress_type not in {
                    zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}):
            archive.close()
            raise PackageRefused('not_zip')
        names.add(name)
        total += info.file_size
        if total > MAX_INFLATED or (info.file_size > RATIO_FROM
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            archive.close()
            raise PackageRefused('bomb')
    return archive


def _member(archive, name, limit):
    "The bytes of the entry name, at most limit (its declared size holds)"
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise PackageRefused('missing', name=name)
    if info.file_size > limit:
        raise PackageRefused('bomb')
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise PackageRefused('not_zip')
    if len(data) > limit:
        raise PackageRefused('bomb')
    return data


def _parse(data):
    "Parse XML that has no DTD (no entity, no external reference)"
    if b'<!DOCTYPE' in data or b'<!ENTITY' in data:
        raise PackageRefused('xml_dtd')
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise PackageRefused('xml')
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise PackageRefused('xml_dtd')
    return root


def _value(parent, path, required=False, limit=MAX_TEXT):
    element = parent.find(path)
    text = (element.text or '').strip() if element is not None else ''
    if required and not text:
        raise PackageRefused('field', field=path)
    if len(text) > limit:
        raise PackageRefused('field', field=path)
    return text


def _attribute(parent, path, name, required=False, pattern=None):
    element = parent.find(path)
    value = (element.get(name) or '').strip() if element is not None else ''
    if required and not value:
        raise PackageRefused('field', field='%s/@%s' % (path, name))
    if value and pattern is not None and not pattern.fullmatch(value):
        raise PackageRefused('field', field='%s/@%s' % (path, name))
    return value


def _date(parent, path):
    text = _value(parent, path, limit=10)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise PackageRefused('field', field=path)


def _term(parent, path, terms):
    text = _value(parent, path, limit=10)
    for key, term in terms.items():
        if term == text:
            return key
    raise PackageRefused('field', field=path)


def _organ_list(parent, path):
    element = parent.find(path)
    if element is None:
        return []
    organs = element.findall('Organ')
    if len(organs) > 5000:
        raise PackageRefused('field', field=path)
    return [Organ((o.get('code') or '')[:64], (o.text or '').strip()[:200])
        for o in organs]


def _package(root):
    if root.tag != 'ExchangePackage':
        raise PackageRefused('field', field='ExchangePackage')
    if root.get('version') != VERSION:
        raise PackageRefused('version', version=(root.get('version')
                or '')[:20])
    envelope = root.find('Envelope')
    document = root.find('Document')
    if envelope is None or document is None:
        raise PackageRefused('field', field='Envelope')
    package_id = _value(envelope, 'PackageId', required=True, limit=100)
    if not PACKAGE_ID.fullmatch(package_id):
        raise PackageRefused('field', field='PackageId')
    created = _value(envelope, 'CreatedAt', required=True, limit=30)
    try:
        created_at = datetime.datetime.strptime(
            created, '%Y-%m-%dT%H:%M:%SZ').replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        raise PackageRefused('field', field='CreatedAt')
    encryption = None
    if envelope.find('Encryption') is not None:
        if (_attribute(envelope, 'Encryption', 'algorithm')
                != signing.CIPHER or _attribute(envelope, 'Encryption',
                    'keyAlgorithm') != signing.KEY_WRAP):
            raise PackageRefused('cipher', algorithm=_attribute(
                    envelope, 'Encryption', 'algorithm')[:40])
        wrapped = _value(envelope, 'Encryption', required=True, limit=400)
        key_id = _attribute(envelope, 'Encryption', 'keyId', required=True,
            pattern=re.compile(r'[0-9a-f]{16}'))
        if not re.fullmatch(r'(?:[0-9a-f]{2})+', wrapped):
            raise PackageRefused('field', field='Encryption')
        encryption = Encryption(key_id=key_id,
            wrapped_key=bytes.fromhex(wrapped))
    years = _attribute(document, 'Secrecy', 'years')
    if years and (not years.isdigit() or not 1 <= int(years) <= 30):
        raise PackageRefused('field', field='Secrecy/@years')
    doc = Document(
        identifier=_value(document, 'Identifier', limit=100),
        kind_code=_attribute(document, 'Kind', 'code', pattern=CODE),
        kind_name=_value(document, 'Kind', limit=20),
        copy_number=_value(document, 'CopyNumber', limit=20),
        secrecy=_term(document, 'Secrecy', SECRECY_TERMS),
        secrecy_years=int(years) if years else None,
        urgency=_term(document, 'Urgency', URGENCY_TERMS),
        issuer=Organ(
            _attribute(document, 'Issuer', 'code', pattern=CODE),
            _value(document, 'Issuer', required=True, limit=200)),
        number=_value(document, 'Number', limit=100),
        signer=_value(document, 'Signer', limit=100),
        title=_value(document, 'Title', required=True, limit=500),
        main_recipients=_organ_list(document, 'MainRecipients'),
        attachment_note=_value(document, 'AttachmentNote'),
        signatory=_value(document, 'Signatory', limit=200),
        date=_date(document, 'Date'),
        note=_value(document, 'Note'),
        copy_recipients=_organ_list(document, 'CopyRecipients'),
        printer=_value(document, 'Printer', limit=200),
        printed=_date(document, 'Printed'),
        disclosure=_value(document, 'Disclosure', limit=50),
        )
    return Package(
        package_id=package_id,
        sender=Organ(
            _attribute(envelope, 'Sender', 'code', required=True,
                pattern=CODE),
            _value(envelope, 'Sender', limit=200)),
        receiver=Organ(
            _attribute(envelope, 'Receiver', 'code', required=True,
                pattern=CODE),
            _value(envelope, 'Receiver', limit=200)),
        created_at=created_at,
        algorithm=_value(envelope, 'SignatureAlgorithm', required=True,
            limit=40),
        encryption=encryption,
        document=doc)


def _signature(data):
    root = _parse(data)
    if root.tag != 'Signature' or root.get('target') != METADATA:
        raise PackageRefused('field', field=SIGNATURE)
    return (root.get('algorithm') or ''), (root.text or '').strip()


def _check_time(created_at, now):
    if created_at > now + MAX_SKEW:
        raise PackageRefused('future')
    if created_at < now - MAX_AGE:
        raise PackageRefused('stale', days=MAX_AGE.days)


def _read_files(archive, root, package):
    "Each file listed, of its size and digest; nothing else in the ZIP"
    listed = {METADATA, SIGNATURE}
    entries = root.find('Files')
    elements = entries.findall('File') if entries is not None else []
    bodies = 0
    for element in elements:
        role = element.get('role')
        path = element.get('path') or ''
        name = safe_name(element.get('name'))
        size, digest = element.get('size') or '', (
            element.get('sm3') or '').lower()
        if role not in {'body', 'attachment'} or not size.isdigit() or (
                not re.fullmatch(r'[0-9a-f]{64}', digest)) or (
                path in listed):
            raise PackageRefused('field', field='Files/File')
        bodies += role == 'body'
        listed.add(path)
        data = _member(archive, path, MAX_INFLATED)
        if len(data) != int(size):
            raise PackageRefused('size', name=name)
        if signing.sm3(data) != digest:
            raise PackageRefused('digest', name=name)
        package.files.append(File(role, name, data, path))
    if bodies > 1:
        raise PackageRefused('field', field='Files/File')
    extra = [n for n in archive.namelist()
        if n not in listed and not n.endswith('/')]
    if extra:
        raise PackageRefused('extra', name=safe_name(extra[0])[:80])


# ---------------------------------------------------------------- receipt
def receipt_bytes(receipt):
    "The signed bytes of a receipt (a dict of strings)"
    import json
    return json.dumps(receipt, sort_keys=True, ensure_ascii=False,
        separators=(',', ':')).encode('utf-8')


def make_receipt(package, receiver_code, private_key, state='received',
        now=None):
    """The signed 回执 of package: what the receiving node answers"""
    receipt = {
        'package_id': package.package_id,
        'sender': package.sender.code,
        'receiver': receiver_code,
        'metadata_sm3': package.metadata_digest,
        'state': state,
        'received_at': (now or utcnow()).strftime('%Y-%m-%dT%H:%M:%SZ'),
        }
    return {
        'receipt': receipt,
        'algorithm': signing.ALGORITHM,
        'signature': signing.sign(private_key, receipt_bytes(receipt)),
        }


# What became of a package in the receiving unit, sent back later
STATUSES = {'signed', 'returned'}
MAX_STATUS = 64 * 1024
STATUS_KEYS = {'receipt_id', 'package_id', 'sender', 'receiver',
    'metadata_sm3', 'state', 'at', 'reason'}


def make_status(package_id, sender_code, receiver_code, metadata_digest,
        state, private_key, reason='', now=None):
    """The signed 签收回执 (state 'signed') or 退回回执 ('returned') of a
    package received: receiver_code is our code at the sender"""
    assert state in STATUSES
    receipt = {
        'receipt_id': new_package_id(receiver_code),
        'package_id': package_id,
        'sender': sender_code,
        'receiver': receiver_code,
        'metadata_sm3': metadata_digest,
        'state': state,
        'at': (now or utcnow()).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'reason': reason or '',
        }
    return {
        'receipt': receipt,
        'algorithm': signing.ALGORITHM,
        'signature': signing.sign(private_key, receipt_bytes(receipt)),
        }


def read_status(data, public_key_of, now=None):
    """The receipt in data (the JSON a peer posted), its signature checked
    with public_key_of(its receiver's code); PackageRefused else"""
    import json
    if len(data) > MAX_STATUS:
        raise PackageRefused('too_big', limit=MAX_PACKAGE // MB)
    try:
        answer = json.loads(data.decode('utf-8'))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise PackageRefused('status_malformed')
    receipt = answer.get('receipt') if isinstance(answer, dict) else None
    if (not isinstance(receipt, dict) or set(receipt) != STATUS_KEYS
            or not all(isinstance(v, str) for v in receipt.values())
            or receipt['state'] not in STATUSES
            or not PACKAGE_ID.fullmatch(receipt['receipt_id'])
            or not PACKAGE_ID.fullmatch(receipt['package_id'])
            or not CODE.fullmatch(receipt['receiver'])
            or len(receipt['reason']) > MAX_TEXT):
        raise PackageRefused('status_malformed')
    if answer.get('algorithm') != signing.ALGORITHM:
        raise PackageRefused('algorithm',
            algorithm=str(answer.get('algorithm'))[:40])
    public_key = public_key_of(receipt['receiver'])
    if not public_key:
        raise PackageRefused('unknown_peer', code=receipt['receiver'])
    if not signing.verify(public_key, receipt_bytes(receipt),
            str(answer.get('signature') or '')):
        raise PackageRefused('signature', code=receipt['receiver'])
    try:
        at = datetime.datetime.strptime(receipt['at'],
            '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise PackageRefused('status_malformed')
    _check_time(at, now or utcnow())
    return receipt


def check_receipt(answer, package_id, metadata_digest, public_key):
    "The receipt in answer when it is the peer's, for this package"
    if not isinstance(answer, dict):
        return None
    receipt = answer.get('receipt')
    if (not isinstance(receipt, dict)
            or answer.get('algorithm') != signing.ALGORITHM
            or not all(isinstance(v, str) for v in receipt.values())
            or receipt.get('package_id') != package_id
            or receipt.get('metadata_sm3') != metadata_digest):
        return None
    if not signing.verify(public_key, receipt_bytes(receipt),
            answer.get('signature') or ''):
        return None
    return receipt
