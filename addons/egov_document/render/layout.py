"""The 版头 (套红) of a unit's 发文: the 发文机关标志 and its red, an optional
Word template of the 版头 made by the unit, the 印发机关, whether a 上行文
names its 签发人. Kept by the unit's document administrators."""
import re

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.transaction import without_check_access

from egov_base.upload.attachment import UploadGuardMixin

from .gbt9704 import RED


class Layout(UploadGuardMixin, ModelSQL, ModelView):
    "Document Layout"
    __string__ = "Document Layout"
    __name__ = 'egov.document.layout'
    # Read and kept by the document administrators and clerks of the unit
    _egov_visibility = 'admin'
    _upload_fields = {'template': ('docx',)}

    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='CASCADE', domain=[('kind', '!=', 'department')])
    mark = fields.Char("Issuing Organ Mark", required=True, strip=True,
        help="发文机关标志, e.g. 宜春市人民政府办公室文件")
    mark_size = fields.Integer("Mark Size (pt)",
        domain=['OR', ('mark_size', '=', None),
            [('mark_size', '>=', 16), ('mark_size', '<=', 80)]],
        help="Empty: as large as the 版心 allows, up to 52 pt.")
    color = fields.Char("Red", required=True, strip=True,
        help="The red of the mark and the line, as RRGGBB.")
    issuer = fields.Char("Printing Organ", strip=True,
        help="印发机关 in the 版记; empty: the unit's name.")
    show_signer = fields.Boolean("Upward Documents Name the Signer",
        help="上行文 show 签发人 beside the 发文字号.")
    template = fields.Binary("Head Template", filename='template_name',
        file_id='template_id',
        help="A Word file of the 版头 made by the unit; it may hold "
        "{{number}}, {{copy_no}}, {{secrecy}}, {{urgency}} and "
        "{{signers}}.")
    template_id = fields.Char("Head Template ID", readonly=True)
    template_name = fields.Char("Head Template Name")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('unit_unique', Unique(t, t.unit),
                'egov_document.msg_render_layout_unit_unique'),
            ]

    @classmethod
    def default_color(cls):
        return RED

    @classmethod
    def default_show_signer(cls):
        return True

    @classmethod
    def default_unit(cls):
        return Pool().get('res.user').get_org_scope()['unit']

    def get_rec_name(self, name):
        return self.mark

    @classmethod
    def validate_fields(cls, layouts, field_names):
        from .body import open_docx
        super().validate_fields(layouts, field_names)
        for layout in layouts:
            if field_names is None or 'color' in field_names:
                if not re.fullmatch(r'[0-9A-Fa-f]{6}', layout.color or ''):
                    raise ValidationError(gettext(
                            'egov_document.msg_render_layout_color',
                            color=layout.color))
            if layout.template and (
                    field_names is None or 'template' in field_names):
                open_docx(layout.template,
                    layout.template_name or layout.mark)

    @classmethod
    def of_unit(cls, unit):
        "The layout of unit, whoever renders (the drafter reads no layout)"
        with without_check_access():
            layouts = cls.search([('unit', '=', unit.id)], limit=1)
        return layouts[0] if layouts else None
