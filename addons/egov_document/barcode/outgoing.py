"""The codes a 发文 carries on its first page: the 公文二维条码 (PDF417,
gb0626.py) and a QR code of its verification link, which anyone holding
the paper may open (routes.py).

The link's token is random (not the id): knowing one document's link
tells nothing of another's. The SM3 digest of the body is taken at 编号,
once the body is frozen (签发 comes before 编号)."""
import secrets

from cryptography.hazmat.primitives import hashes
from sql import Null

from trytond import config
from trytond.model import Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import codes, gb0626

TOKEN_BYTES = 24


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def sm3(data):
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def platform_url():
    "The address people open the platform at (notification settings)"
    from egov_base.notify.tracking import public_url
    url = public_url()
    if not url:
        url = 'http://%s' % config.get('web', 'listen', default='localhost')
    return url


class Outgoing(metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'
    verify_token = fields.Char("Verification Token", readonly=True,
        strip=False)
    body_digest = fields.Char("Body SM3 Digest", readonly=True,
        help="The SM3 digest of the body taken at numbering, shown on the "
        "verification page.")
    barcode_pdf417 = fields.Function(fields.Binary("Document Barcode",
            filename='barcode_pdf417_name'), 'get_barcode')
    barcode_pdf417_name = fields.Function(fields.Char(
            "Document Barcode Name"), 'get_barcode_name')
    barcode_qr = fields.Function(fields.Binary("Verification QR Code",
            filename='barcode_qr_name'), 'get_barcode')
    barcode_qr_name = fields.Function(fields.Char(
            "Verification QR Code Name"), 'get_barcode_name')
    verify_url = fields.Function(fields.Char("Verification Link"),
        'get_verify_url')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints.append(('verify_token_unique',
                Unique(t, t.verify_token),
                'egov_document.msg_barcode_token_unique'))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # Documents made before this module get their token now
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id,
                where=table.verify_token == Null))
        for id_, in cursor.fetchall():
            cursor.execute(*table.update([table.verify_token],
                    [new_token()], where=table.id == id_))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('verify_token'):
            values['verify_token'] = new_token()
        return values

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('verify_token', None)
        default.setdefault('body_digest', None)
        return super().copy(documents, default=default)

    def _step_number(self, task):
        super()._step_number(task)
        self._write({'body_digest': sm3(self.body) if self.body else None})

    def gb0626_values(self):
        "The data elements of the 公文二维条码 of the document"
        date = (self.signed_at or self.create_date)
        year = date.year if date else Pool().get('ir.date').today().year
        return {
            'code_number': '%04d%016d' % (year, self.id),
            'organ': self.unit.name,
            'kind': self.kind.name if self.kind else '',
            'number': self.number or '',
            'main': '、'.join(u.name for u in self.main_recipients),
            'title': self.title,
            'secrecy': gb0626.secrecy_text(self.secrecy,
                self.secrecy_term),
            'urgency': gb0626.URGENCY_TEXT[self.urgency],
            'date': date.strftime('%Y-%m-%d') if date else '',
            'copies': str(self.copies) if self.copies else '',
            'printer': self.unit.name,
            }

    def gb0626_payload(self):
        return gb0626.encode(self.gb0626_values())

    def get_verify_url(self, name=None):
        if not self.verify_token:
            return None
        return '%s/%s/egov/document/verify/%s' % (platform_url(),
            Transaction().database.name, self.verify_token)

    @classmethod
    def get_barcode(cls, documents, names):
        result = {n: {} for n in names}
        for document in documents:
            if 'barcode_pdf417' in names:
                result['barcode_pdf417'][document.id] = codes.pdf417_png(
                    document.gb0626_payload())[0]
            if 'barcode_qr' in names:
                url = document.get_verify_url()
                result['barcode_qr'][document.id] = (
                    codes.qr_png(url)[0] if url else None)
        return result

    @classmethod
    def get_barcode_name(cls, documents, names):
        result = {n: {} for n in names}
        for document in documents:
            stem = document.number or document.title[:30]
            if 'barcode_pdf417_name' in names:
                result['barcode_pdf417_name'][document.id] = (
                    '%s-二维条码.png' % stem)
            if 'barcode_qr_name' in names:
                result['barcode_qr_name'][document.id] = (
                    '%s-核验码.png' % stem)
        return result

    def render_first_page_images(self):
        "The PDF417 and the QR code, for the top of page 1 (render/)"
        # render/ defines the method; without it there is nothing before
        parent = getattr(super(), 'render_first_page_images', None)
        images = list(parent()) if parent else []
        png, width = codes.pdf417_png(self.gb0626_payload())
        images.append((png, width, 'gb0626_pdf417'))
        url = self.get_verify_url()
        if url:
            png, width = codes.qr_png(url)
            images.append((png, width, 'verify_qr'))
        return images
