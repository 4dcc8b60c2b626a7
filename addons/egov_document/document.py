"""What 收文 and 发文 share: the title, 密级 and 保密期限, 紧急程度, the
body (正文), the opinions of the process and the deadline light."""
import datetime

from sql import Null

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from egov_base.tools import forget_records
from egov_base.upload.attachment import UploadGuardMixin

from .exceptions import DocumentError
from .secrecy import DEFAULT_YEARS, SECRECY

URGENCY = [
    ('normal', "Normal"),
    ('urgent', "Urgent"),
    ('very_urgent', "Very Urgent"),
    ]
# The kinds of file a body (正文) may be: Word, WPS (OLE2 like .doc), PDF, OFD
BODY_KINDS = ('docx', 'doc', 'pdf', 'ofd')
DRAFT = {'readonly': Eval('workflow_state') != 'draft'}
LIGHTS = [
    ('', ""),
    ('green', "On Time"),
    ('yellow', "Due Soon"),
    ('red', "Overdue"),
    ('done', "Done"),
    ]


class DocumentMixin(UploadGuardMixin):
    "A 公文: its fields and checks common to 收文 and 发文"
    __slots__ = ()
    # The body is checked by its content before it is stored
    _upload_fields = {'body': BODY_KINDS}

    title = fields.Char("Title", required=True, strip=True, states=DRAFT)
    kind = fields.Many2One('egov.document.kind', "Kind", states=DRAFT,
        ondelete='RESTRICT')
    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='RESTRICT', states=DRAFT,
        domain=[('kind', '!=', 'department')])
    division = fields.Many2One('egov.org.unit', "Division", readonly=True,
        ondelete='RESTRICT',
        help="The county, district or zone of the unit, kept with the "
        "document so that a county's documents are found on one index.")
    secrecy = fields.Selection(SECRECY, "Secrecy", required=True,
        sort=False, states=DRAFT)
    secrecy_years = fields.Integer("Secrecy Term (Years)",
        domain=['OR', ('secrecy_years', '=', None),
            [('secrecy_years', '>=', 1), ('secrecy_years', '<=', 30)]],
        states={
            'readonly': DRAFT['readonly'],
            'invisible': Eval('secrecy') == 'none',
            },
        help="保密期限; left empty, the term of the level by law.")
    urgency = fields.Selection(URGENCY, "Urgency", required=True,
        sort=False, states=DRAFT)
    body = fields.Binary("Body", filename='body_name',
        file_id='body_id', states=DRAFT)
    body_id = fields.Char("Body File ID", readonly=True)
    body_name = fields.Char("Body File Name", states=DRAFT)
    opinions = fields.Function(fields.Many2Many(
            'egov.workflow.opinion', None, None, "Opinions", readonly=True),
        'get_opinions')
    deadline = fields.Date("Deadline", states=DRAFT)
    light = fields.Function(fields.Selection(LIGHTS, "Light"), 'get_light')

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        fill = table_h.table_exist(cls._table) and (
            not table_h.column_exist('division'))
        super().__register__(module)
        if fill:
            cls.update_divisions()

    @classmethod
    def update_divisions(cls, units=None):
        "Set the division of the documents (of units) from their unit's"
        Unit = Pool().get('egov.org.unit')
        table, unit = cls.__table__(), Unit.__table__()
        where = table.division != unit.select(unit.division,
            where=unit.id == table.unit)
        where |= table.division == Null
        if units is not None:
            where &= table.unit.in_([u.id for u in units] or [-1])
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.division],
                [unit.select(unit.division, where=unit.id == table.unit)],
                where=where))
        forget_records(cls)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and 'unit' not in values:
            # The default comes after this: the division needs it now
            values['unit'] = cls.default_unit()
        if values.get('unit'):
            Unit = Pool().get('egov.org.unit')
            division = Unit(values['unit']).division
            values['division'] = division.id if division else None
        return values

    @classmethod
    def check_modification(cls, mode, documents, values=None, external=False):
        super().check_modification(
            mode, documents, values=values, external=external)
        if not set_by_person('unit', mode, values, external):
            return
        # A person registers and drafts in the name of their own unit (or
        # those they lead), never of another: its people would see it as
        # theirs
        pool = Pool()
        User = pool.get('res.user')
        Unit = pool.get('egov.org.unit')
        units = set(User.get_org_scope()['units'])
        # Before a write, the records still hold the old values
        wanted = ({d.unit for d in documents} if mode == 'create'
            else {Unit(values['unit'])})
        for unit in wanted:
            if unit.id not in units:
                raise DocumentError(gettext(
                        'egov_document.msg_document_unit_not_yours',
                        unit=unit.rec_name))

    @classmethod
    def workflow_facts_title(cls):
        "The phone's signing page heads a document's facts 公文内容"
        return gettext('egov_document.msg_document_facts_title')

    @classmethod
    def default_secrecy(cls):
        return 'none'

    @classmethod
    def default_urgency(cls):
        return 'normal'

    @classmethod
    def default_unit(cls):
        User = Pool().get('res.user')
        return User.get_org_scope()['unit']

    @property
    def secrecy_term(self):
        "The 保密期限 in years, or None for an unclassified document"
        if self.secrecy == 'none':
            return None
        return self.secrecy_years or DEFAULT_YEARS[self.secrecy]

    @classmethod
    def get_opinions(cls, documents, name):
        return {d.id: [o.id for o in d.workflow.opinions] if d.workflow
            else [] for d in documents}

    @classmethod
    def get_light(cls, documents, name):
        """green: on time; yellow: the deadline is within two days; red:
        overdue; done: the process is over"""
        Date = Pool().get('ir.date')
        today = Date.today()
        result = {}
        for document in documents:
            if document.workflow_state in {'done', 'rejected', 'terminated'}:
                result[document.id] = 'done'
            elif not document.deadline:
                result[document.id] = ''
            elif document.deadline < today:
                result[document.id] = 'red'
            elif document.deadline <= today + datetime.timedelta(days=2):
                result[document.id] = 'yellow'
            else:
                result[document.id] = 'green'
        return result

    def check_unit_clearance(self, units):
        "Refuse units that may not receive a document of this 密级"
        from .secrecy import reaches
        refused = [u for u in units
            if not reaches(u.secrecy_clearance, self.secrecy)]
        if refused:
            raise DocumentError(gettext(
                    'egov_document.msg_unit_not_cleared',
                    units='、'.join(u.rec_name for u in refused[:5]),
                    secrecy=self.secrecy_label()))

    def check_holders_clearance(self, user_ids, step):
        Rule = Pool().get('ir.rule')
        from .secrecy import reaches
        User = Pool().get('res.user')
        refused = [u for u in user_ids
            if not reaches(Rule.clearance_of(u), self.secrecy)]
        if refused:
            raise DocumentError(gettext(
                    'egov_document.msg_holder_not_cleared',
                    step=step.get('name') or step.get('id'),
                    users='、'.join(u.rec_name for u in User.browse(
                            refused[:5])),
                    secrecy=self.secrecy_label()))

    def search_secrecy(self):
        "The 密级 the smart search files the document under (_egov_search)"
        return self.secrecy_label() if self.secrecy != 'none' else None

    def secrecy_label(self):
        return dict(self.__class__.fields_get(['secrecy'])['secrecy'][
                'selection'])[self.secrecy]

    def workflow_check_holders(self, step, user_ids):
        super().workflow_check_holders(step, user_ids)
        if self.secrecy != 'none':
            self.check_holders_clearance(user_ids, step)


def set_by_person(name, mode, values, external):
    """Whether a person (not the platform) gives field name a value: a
    create, or a write of it, called from outside"""
    return bool(external and Transaction().user) and (
        mode == 'create' or (mode == 'write' and name in (values or {})))


def now():
    return datetime.datetime.now()


def current_user():
    return Transaction().user
