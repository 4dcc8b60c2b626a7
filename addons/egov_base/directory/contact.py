"""The address book (通讯录): the staff of the whole city, read from the
organisation, and each user's own contacts, which only they see."""
from sql.conditionals import Coalesce
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction, check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..excel.reader import Column, read_table
from ..excel.writer import write_table
from ..exceptions import OrgValidationError
from ..org.codes import MOBILE_PATTERN, PHONE_PATTERN, search_text

SHOWN_PROBLEMS = 200
# One person's own contacts
MAX_CONTACT_ROWS = 5000


def contact_columns():
    return [
        Column('name', gettext('egov_base.msg_column_person_name'),
            required=True, max_length=50),
        Column('organisation', gettext('egov_base.msg_column_organisation'),
            max_length=100),
        Column('title', gettext('egov_base.msg_column_title'),
            max_length=50),
        Column('mobile', gettext('egov_base.msg_column_mobile'),
            max_length=20),
        Column('phone', gettext('egov_base.msg_column_phone'),
            max_length=30),
        Column('email', gettext('egov_base.msg_column_email'),
            max_length=100),
        Column('category', gettext('egov_base.msg_column_category'),
            max_length=50),
        Column('note', gettext('egov_base.msg_column_note'),
            max_length=500),
        ]


class Contact(ModelSQL, ModelView):
    "Personal contact"
    __name__ = 'egov.directory.contact'
    __string__ = "Personal Contact"
    _egov_visibility = 'owner'
    # Masked in the audit (audit/policy.py): a private address book
    _egov_personal_fields = frozenset({
            'mobile', 'phone', 'email', 'note', 'search_text'})
    # Found by its owner only: the record rule decides (search/query.py)
    _egov_search = {
        'title': 'name',
        'body': ['organisation', 'title', 'category', 'note'],
        'person': True,
        }

    owner = fields.Many2One(
        'res.user', "Owner", required=True, readonly=True,
        ondelete='CASCADE')
    name = fields.Char("Name", required=True, strip=True)
    organisation = fields.Char("Organisation", strip=True)
    title = fields.Char("Title", strip=True)
    mobile = fields.Char("Mobile", strip=True)
    phone = fields.Char("Phone", strip=True)
    email = fields.Char("Email", strip=True)
    category = fields.Char("Group", strip=True)
    note = fields.Text("Note")
    search_text = fields.Char("Search Text", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.owner, Index.Range())),
                # Tryton searches COALESCE(search_text, ''): index just that
                Index(t, (Coalesce(t.search_text, ''), Index.Similarity())),
                })
        cls._order = [
            ('category', 'ASC NULLS LAST'),
            ('name', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_owner(cls):
        return Transaction().user

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # A contact always belongs to whoever creates it
            values['owner'] = Transaction().user or values.get('owner')
        elif 'owner' in values and Transaction().user:
            del values['owner']
        return values

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.endswith('like') and isinstance(operand, str):
            # search_text is lower case already: LIKE, cheaper than ILIKE
            return [('search_text', operator.replace('ilike', 'like'),
                    operand.lower(), *extra)]
        return [('name', operator, operand, *extra)]

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names)
        if field_names is None or {'name', 'organisation', 'mobile'} & set(
                field_names):
            text = search_text(self.name, self.organisation, self.mobile)
            if self.search_text != text:
                values['search_text'] = text
        return values

    @classmethod
    def validate_fields(cls, contacts, field_names):
        super().validate_fields(contacts, field_names)
        if field_names and not {'mobile', 'phone', 'email'} & set(
                field_names):
            return
        for contact in contacts:
            problem = contact_problem(contact.mobile, contact.phone,
                contact.email)
            if problem:
                raise OrgValidationError(
                    problem + ' (%s)' % contact.name)


def contact_problem(mobile, phone, email):
    "Return the message of the first invalid contact detail, or None"
    if mobile and not MOBILE_PATTERN.match(mobile):
        return gettext('egov_base.msg_import_mobile_invalid', value=mobile)
    if phone and not PHONE_PATTERN.match(phone):
        return gettext('egov_base.msg_import_phone_invalid', value=phone)
    if email and '@' not in email:
        return gettext('egov_base.msg_import_email_invalid', value=email)


class ContactImportStart(ModelView):
    "Import personal contacts"
    __name__ = 'egov.directory.contact.import.start'
    __string__ = "Import Contacts"

    file = fields.Binary("Excel File", filename='filename', required=True)
    filename = fields.Char("File Name")
    template = fields.Binary(
        "Template", filename='template_name', readonly=True)
    template_name = fields.Char("Template Name")
    summary = fields.Text("Summary", readonly=True)
    problems = fields.Text(
        "Problems", readonly=True,
        states={
            'invisible': ~Eval('problems'),
            })

    @classmethod
    def default_template(cls):
        return write_table(
            gettext('egov_base.msg_contact_sheet'), contact_columns(), [])

    @classmethod
    def default_template_name(cls):
        return gettext('egov_base.msg_contact_template')


class ContactImport(Wizard):
    "Import personal contacts"
    __name__ = 'egov.directory.contact.import'

    start = StateView('egov.directory.contact.import.start',
        'egov_base.contact_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        pool = Pool()
        Contact = pool.get('egov.directory.contact')
        columns = contact_columns()
        titles = {c.name: c.title for c in columns}
        table = read_table(bytes(self.start.file or b''), columns,
            max_rows=MAX_CONTACT_ROWS)
        for row in table.rows:
            problem = contact_problem(
                row.get('mobile'), row.get('phone'), row.get('email'))
            if problem:
                column = next(
                    k for k in ('mobile', 'phone', 'email')
                    if row.get(k) and row[k] in problem)
                table.add(problem, row['_row'], titles[column])
        table.sort()
        if table.problems:
            self.start.summary = gettext(
                'egov_base.msg_import_refused', count=len(table.problems))
            self.start.problems = '\n'.join(
                str(p) for p in table.problems[:SHOWN_PROBLEMS])
            return 'start'
        with check_access():
            Contact.create([{
                        k: v for k, v in row.items()
                        if not k.startswith('_')}
                    for row in table.rows])
        return 'end'

    def default_start(self, fields):
        values = {}
        for name in ['summary', 'problems', 'file', 'filename']:
            if getattr(self.start, name, None):
                values[name] = getattr(self.start, name)
        return values

    def end(self):
        return 'reload'


class ContactExport(Report):
    "Export personal contacts"
    __name__ = 'egov.directory.contact.export'

    @classmethod
    def _get_records(cls, ids, model, data):
        Contact = Pool().get('egov.directory.contact')
        return Contact.search([('id', 'in', ids)])

    @classmethod
    def _execute(cls, records, header, data, action):
        rows = [{c.name: getattr(r, c.name) for c in contact_columns()}
            for r in records]
        return 'xlsx', write_table(
            gettext('egov_base.msg_contact_sheet'), contact_columns(), rows)
