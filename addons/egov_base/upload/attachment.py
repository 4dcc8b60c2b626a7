"""Every file a user gives the platform passes the guard before it is
stored: the attachments of any record (ir.attachment) and the Binary fields
of business models that inherit UploadGuardMixin."""
import re

from trytond.i18n import gettext
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

from . import guard

# Set by the platform's own code for files it made itself; never over RPC,
# whose context drops the keys starting with '_'
TRUSTED = '_egov_upload_trusted'


def _trusted():
    return Transaction().context.get(TRUSTED)


def check_binary_field(record, name, allowed=None, max_size=None):
    """Check the file in the Binary field name of record (for validate):
    its file name comes from the field's filename field"""
    value = getattr(record, name)
    if value is None:
        return None
    field = record._fields[name]
    filename = getattr(record, field.filename) if field.filename else ''
    return guard.check(filename or field.string, value,
        allowed=allowed, max_size=max_size)


class UploadGuardMixin:
    """Check the files given to the fields _upload_fields names before they
    are stored, so that a refused file leaves nothing behind.

    _upload_fields maps a Binary field to the kinds it takes (None: those
    the upload policy allows)."""
    __slots__ = ()
    _upload_fields = {}

    @classmethod
    def _upload_skip(cls, values, record=None):
        "Whether values (for record, on write) carry no file to check"
        return False

    @classmethod
    def _upload_check(cls, values, record=None):
        if cls._upload_skip(values, record):
            return
        for name, allowed in cls._upload_fields.items():
            field = cls._fields[name]
            filename_field = field.filename
            if name in values:
                data = values[name]
                if data is None:
                    continue
            elif (record is not None and filename_field
                    and filename_field in values
                    and guard.extension(values[filename_field])
                    != guard.extension(getattr(record, filename_field))):
                # A new extension must match the content kept
                data = getattr(record, name)
                if data is None:
                    continue
            else:
                continue
            if filename_field and filename_field in values:
                filename = values[filename_field]
            elif filename_field and record is not None:
                filename = getattr(record, filename_field)
            else:
                filename = None
            guard.check(filename or field.string, data, allowed=allowed)

    @classmethod
    def create(cls, vlist):
        if not _trusted():
            for values in vlist:
                cls._upload_check(values)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        if not _trusted():
            actions = iter(args)
            for records, values in zip(actions, actions):
                if not any(n in values for n in cls._upload_fields) and not (
                        any(cls._fields[n].filename in values
                            for n in cls._upload_fields
                            if cls._fields[n].filename)):
                    continue
                for record in records:
                    cls._upload_check(values, record)
        super().write(*args)


class Attachment(UploadGuardMixin, metaclass=PoolMeta):
    __name__ = 'ir.attachment'
    _upload_fields = {'data': None}

    @classmethod
    def _upload_skip(cls, values, record=None):
        # A link holds no file; but Tryton keeps a file given with a link,
        # and a link may be made a file: a file is checked all the same
        type_ = values.get('type') or (
            record.type if record is not None else cls.default_type())
        return type_ != 'data' and not values.get('data')

    @classmethod
    def create(cls, vlist):
        for values in vlist:
            check_link(values.get('link'))
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        for records, values in zip(actions, actions):
            check_link(values.get('link'))
            if (values.get('type') == 'data' and 'data' not in values
                    and not _trusted()):
                # A link made a file: the file it kept is checked now
                for record in records:
                    if record.type != 'data' and record.data:
                        guard.check(values.get('name') or record.name,
                            record.data)
        super().write(*args)


def check_link(link):
    """Refuse a link that is not a web address: sao opens it as the
    attachment (javascript:, data:, file:)"""
    if link and not re.match(r'https?://[^\s]+$', link, re.IGNORECASE):
        raise guard.UploadError(gettext('egov_base.msg_upload_link',
                link=link[:80]))
