"""The upload policy, set by the security administrator: how large a file
may be, how far a zip may unpack, and which kinds of files the platform
keeps."""
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.transaction import without_check_access

from . import guard

KIND_SELECTION = [
    ('docx', "Word Document (.docx)"),
    ('xlsx', "Excel Workbook (.xlsx)"),
    ('pptx', "PowerPoint Presentation (.pptx)"),
    ('ofd', "OFD Document"),
    ('zip', "ZIP Archive"),
    ('pdf', "PDF Document"),
    ('doc', "Word, Excel or WPS Document (.doc, .xls, .wps, .et)"),
    ('png', "PNG Image"),
    ('jpeg', "JPEG Image"),
    ('tiff', "TIFF Image"),
    ('gif', "GIF Image"),
    ('txt', "Text File"),
    ]


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'egov.upload.configuration'
    __string__ = "Upload Policy"
    _egov_visibility = 'admin'

    max_size = fields.Integer(
        "Largest File", required=True,
        domain=[('max_size', '>=', 1), ('max_size', '<=', 90)],
        help="In MB. The server takes requests of at most 96 MB, "
        "a file travelling in base64.")
    max_entries = fields.Integer(
        "Most Entries in a Zip", required=True,
        domain=[('max_entries', '>=', 100),
            ('max_entries', '<=', 100_000)],
        help="A .docx, .xlsx or .ofd is a zip: a file with more entries "
        "is refused before it is unpacked.")
    max_uncompressed = fields.Integer(
        "Largest Unpacked Size", required=True,
        domain=[('max_uncompressed', '>=', 10),
            ('max_uncompressed', '<=', 2048)],
        help="In MB, all entries of a zip together: a zip bomb is refused "
        "before it is unpacked.")
    allowed_kinds = fields.MultiSelection(
        KIND_SELECTION, "Allowed Kinds",
        help="The kinds of files users may attach, told by their content, "
        "not by their name. A field may narrow them (a document body takes "
        "only documents).")

    @classmethod
    def default_max_size(cls):
        return guard.DEFAULT_MAX_SIZE

    @classmethod
    def default_max_entries(cls):
        return guard.DEFAULT_MAX_ENTRIES

    @classmethod
    def default_max_uncompressed(cls):
        return guard.DEFAULT_MAX_UNCOMPRESSED

    @classmethod
    def default_allowed_kinds(cls):
        return list(guard.DEFAULT_ALLOWED)

    @classmethod
    def limits(cls):
        "The limits as guard.check uses them, whoever uploads"
        with without_check_access():
            values, = cls.read([1], [
                    'max_size', 'max_entries', 'max_uncompressed',
                    'allowed_kinds'])
        return guard.Limits(
            max_size=values['max_size'],
            max_entries=values['max_entries'],
            max_uncompressed=values['max_uncompressed'],
            allowed=values['allowed_kinds'] or ())
