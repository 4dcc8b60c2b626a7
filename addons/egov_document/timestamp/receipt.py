"""收文回执 (时间戳凭证): a printed receipt of a 收文 and its time-stamps,
laid out as the unit chose: which fields, with what label, in which part
of the page (top, middle, bottom) and in what order. A unit without a
layout of its own uses the layout without a unit, else DEFAULT_LINES."""
import datetime

from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

CHINA = datetime.timezone(datetime.timedelta(hours=8))
FIELDS = [
    ('number', "Sender's Number"),
    ('title', "Title"),
    ('source_name', "Sending Organ"),
    ('unit', "Receiving Unit"),
    ('received_by', "Signed For By"),
    ('received_at', "Signed For At"),
    ('received_date', "Received On"),
    ('file', "Stamped File"),
    ('stamp_time', "Stamp Time"),
    ('serial', "Serial Number"),
    ('digest', "Digest"),
    ('tsa', "Time-Stamping Authority"),
    ]
# Fields that have a value for each stamp
STAMP_FIELDS = {'file', 'stamp_time', 'serial', 'digest', 'tsa'}
POSITIONS = [
    ('top', "Top"),
    ('middle', "Middle"),
    ('bottom', "Bottom"),
    ]
DEFAULT_TITLE = '收文回执'
DEFAULT_LINES = [
    ('number', '文号', 'top'),
    ('title', '标题', 'middle'),
    ('source_name', '来文单位', 'middle'),
    ('received_by', '签收人', 'middle'),
    ('received_at', '签收时间', 'middle'),
    ('file', '文件', 'middle'),
    ('stamp_time', '时间戳时间', 'middle'),
    ('serial', '序列号', 'middle'),
    ('digest', '摘要值', 'middle'),
    ('tsa', '时间戳服务', 'bottom'),
    ]


class Layout(ModelSQL, ModelView):
    "Receipt Layout"
    __string__ = "Receipt Layout"
    __name__ = 'egov.document.receipt.layout'
    _egov_visibility = 'city'

    name = fields.Char("Name", required=True, strip=True)
    unit = fields.Many2One('egov.org.unit', "Unit", ondelete='CASCADE',
        domain=[('kind', '!=', 'department')],
        help="Empty: the layout of the units without their own.")
    title = fields.Char("Title", required=True, strip=True,
        help="Printed at the top, e.g. 收文回执.")
    lines = fields.One2Many('egov.document.receipt.layout.line', 'layout',
        "Lines")

    @classmethod
    def default_title(cls):
        return DEFAULT_TITLE

    @classmethod
    def default_unit(cls):
        User = Pool().get('res.user')
        return User.get_org_scope().get('unit')

    @classmethod
    def of(cls, unit):
        "The layout for unit's receipts, or None for the default one"
        with without_check_access():
            for domain in [[('unit', '=', unit.id)], [('unit', '=', None)]]:
                layouts = cls.search(domain, order=[('id', 'ASC')], limit=1)
                if layouts:
                    return layouts[0]
        return None


class LayoutLine(sequence_ordered(), ModelSQL, ModelView):
    "Receipt Layout Line"
    __string__ = "Receipt Layout Line"
    __name__ = 'egov.document.receipt.layout.line'
    _egov_visibility = 'parent'

    layout = fields.Many2One('egov.document.receipt.layout', "Layout",
        required=True, ondelete='CASCADE')
    field = fields.Selection(FIELDS, "Field", required=True, sort=False)
    label = fields.Char("Label", strip=True,
        help="Empty: the field's name.")
    position = fields.Selection(POSITIONS, "Position", required=True,
        sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('layout')

    @classmethod
    def default_position(cls):
        return 'middle'


class Line:
    "A line of a printed receipt: its label and values (one per stamp)"

    def __init__(self, label, values):
        self.label = label
        self.values = [v for v in values if v] or ['—']

    @property
    def text(self):
        return '；'.join(self.values)


def _local(value):
    "A naive UTC datetime of the database as Beijing time"
    if not value:
        return ''
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(
        CHINA).strftime('%Y-%m-%d %H:%M:%S')


def receipt_values(incoming):
    """{field: [values]} of incoming for its receipt: the stamps done, in
    their order"""
    stamps = [s for s in incoming.timestamps if s.state == 'done']
    return {
        'number': [incoming.source_number],
        'title': [incoming.title],
        'source_name': [incoming.source_name],
        'unit': [incoming.unit.name],
        'received_by': [(incoming.received_by or incoming.registrar
                ).rec_name if (incoming.received_by or incoming.registrar)
            else None],
        # A paper 收文 is taken in when the clerk records it
        'received_at': [_local(incoming.received_at
                or incoming.create_date)],
        'received_date': [incoming.received_date.isoformat()
            if incoming.received_date else None],
        'file': [s.name for s in stamps],
        'stamp_time': [_local(s.gen_time) + '（北京时间）' for s in stamps],
        'serial': [s.serial for s in stamps],
        'digest': ['%s %s' % (s.algorithm.upper(), s.digest)
            for s in stamps],
        'tsa': sorted({s.tsa_name for s in stamps}),
        }


def receipt_page(incoming):
    "The title and the lines of each position of incoming's receipt"
    pool = Pool()
    Layout = pool.get('egov.document.receipt.layout')
    LayoutLine = pool.get('egov.document.receipt.layout.line')
    layout = Layout.of(incoming.unit)
    names = dict(LayoutLine.fields_get(['field'])['field']['selection'])
    if layout is not None:
        title = layout.title
        lines = [(l.field, l.label or names[l.field], l.position)
            for l in layout.lines]
    else:
        title, lines = DEFAULT_TITLE, DEFAULT_LINES
    values = receipt_values(incoming)
    page = {'title': title}
    for position, _ in POSITIONS:
        page[position] = [Line(label, values[field])
            for field, label, where in lines if where == position]
    return page


class Receipt(Report):
    "Receipt of Incoming Document"
    __name__ = 'egov.document.receipt'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['receipt'] = receipt_page
        context['printed'] = _local(datetime.datetime.utcnow())
        context['printed_by'] = Pool().get('res.user')(
            Transaction().user).rec_name
        return context
