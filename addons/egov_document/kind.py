"""The 15 kinds (文种) of the 党政机关公文处理工作条例 (2012), 第八条."""
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields

DIRECTIONS = [
    ('down', "Downward"),
    ('up', "Upward"),
    ('level', "Level"),
    ('any', "Any"),
    ]


class Kind(DeactivableMixin, ModelSQL, ModelView):
    "Document Kind"
    __string__ = "Document Kind"
    __name__ = 'egov.document.kind'
    _egov_visibility = 'city'

    name = fields.Char("Name", required=True)
    code = fields.Char("Code", required=True)
    sequence = fields.Integer("Sequence")
    direction = fields.Selection(DIRECTIONS, "Direction", required=True,
        help="上行文 (to a higher organ) names its 签发人 in the 版头.")
    description = fields.Text("Use")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('sequence', 'ASC'))
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'egov_document.msg_kind_code_unique'),
            ]

    @classmethod
    def default_direction(cls):
        return 'any'
