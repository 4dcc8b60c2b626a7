"""Approval requests (审批单): the general record that runs on a process
with a custom form: a leave request, a 发文 approval, any approval a county
draws for itself."""
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval, In
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .exceptions import WorkflowError, WorkflowValidationError
from egov_base.tools import IN_MAX, check_write_access
from .mixin import WorkflowMixin

# The unit lists the shipped processes route by (会签单位, 主送/分发单位,
# 承办部门): many-to-many fields, as a form field cannot hold them
UNIT_LISTS = ['cosign_units', 'recipients', 'handlers']


class Request(WorkflowMixin, ModelSQL, ModelView):
    __name__ = 'egov.workflow.request'
    __string__ = "Approval Request"
    _egov_visibility = 'unit'
    _rec_name = 'title'

    _draft = {
        'readonly': Eval('workflow_state') != 'draft',
        }

    title = fields.Char("Title", required=True, strip=True, states=_draft)
    process = fields.Many2One(
        'egov.workflow.process', "Process", required=True,
        ondelete='RESTRICT', states=_draft,
        domain=[
            ('model', '=', 'egov.workflow.request'),
            ('state', '=', 'active'),
            ])
    form = fields.Function(
        fields.Many2One('egov.workflow.form', "Form"), 'on_change_with_form')
    unit_lists = fields.Function(fields.MultiSelection([
                ('cosign_units', "Countersigning Units"),
                ('recipients', "Recipient Units"),
                ('handlers', "Handling Departments"),
                ], "Unit Lists"), 'on_change_with_unit_lists')
    # The form is loaded with the rest of a request: the engine and the
    # checks read them together every time
    values = fields.Dict(
        'egov.workflow.form.field', "Form",
        domain=[('form', '=', Eval('form', -1))], states=_draft,
        loading='eager')
    cosign_units = fields.Many2Many(
        'egov.workflow.request-cosign_unit', 'request', 'unit',
        "Countersigning Units",
        domain=[('kind', 'in', ['unit', 'department'])], states=_draft)
    recipients = fields.Many2Many(
        'egov.workflow.request-recipient', 'request', 'unit',
        "Recipient Units", domain=[('kind', '=', 'unit')], states=_draft)
    handlers = fields.Many2Many(
        'egov.workflow.request-handler', 'request', 'unit',
        "Handling Departments",
        domain=[('kind', 'in', ['unit', 'department'])], states=_draft)
    initiator = fields.Many2One(
        'res.user', "Initiator", required=True, readonly=True,
        ondelete='RESTRICT')
    unit = fields.Many2One(
        'egov.org.unit', "Unit", readonly=True, ondelete='RESTRICT')
    opinions = fields.Function(
        fields.Many2Many(
            'egov.workflow.opinion', None, None, "Opinions", readonly=True),
        'get_opinions')

    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.initiator, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_initiator(cls):
        return Transaction().user

    @fields.depends('process')
    def on_change_with_form(self, name=None):
        if self.process and self.process.form:
            return self.process.form.id

    @fields.depends('process')
    def on_change_with_unit_lists(self, name=None):
        """The unit lists the process routes by, tests in a condition or
        lets a step fill in: the diagram names them"""
        if not self.process:
            return []
        diagram = self.process.bpmn or ''
        return [n for n in UNIT_LISTS if n in diagram]

    @classmethod
    def view_attributes(cls):
        # A leave request does not show the lists of units only 发文 uses
        return super().view_attributes() + [
            ('//page[@name="%s"]' % name, 'states', {
                    'invisible': ~In(name, Eval('unit_lists', [])),
                    }) for name in UNIT_LISTS]

    @fields.depends('process', 'values')
    def on_change_process(self):
        "Show every field of the process's form at once"
        if self.process and self.process.form:
            values = dict(self.values or {})
            for field in self.process.form.fields_:
                values.setdefault(field.name, None)
            self.values = values

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        User = pool.get('res.user')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            user = Transaction().user
            if user:
                values['initiator'] = user
            scope = User.get_org_scope(values.get('initiator') or user)
            values['unit'] = scope['unit']
        return values

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        # Once submitted, the form changes only through the to-dos, as each
        # step allows (the act dialog): not by whoever may open it
        if not external or mode not in {'write', 'delete'}:
            return
        form_fields = {'title', 'process', 'values'} | set(UNIT_LISTS)
        if mode == 'write' and not (set(values or {}) & form_fields):
            return
        # Who may not change these requests at all is told so first, and
        # learns nothing of them
        check_write_access(cls, requests)
        for request in requests:
            if request.workflow_state != 'draft':
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_request_submitted',
                        request=request.rec_name))

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if 'values' in fields_names and Transaction().check_access:
            hidden = cls._hidden_values(ids)
            for row in result:
                keys = hidden.get(row['id'])
                if keys and row.get('values'):
                    row['values'] = {k: v for k, v in row['values'].items()
                        if k not in keys}
        return result

    @classmethod
    def _hidden_values(cls, ids):
        """{request id: the form keys hidden from the user}: the keys every
        step the user holds or held in the request hides (egov:fields
        "name:hidden"); the initiator sees the whole form"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        user = Transaction().user
        if not user:
            return {}
        # Most reads are the initiator's: one query tells the others apart
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        others = []
        for sub_ids in grouped_slice(ids, IN_MAX):
            cursor.execute(*table.select(table.id,
                    where=SQL_OPERATORS['in'](table.id, list(sub_ids))
                    & (table.initiator != user) & (table.workflow != Null)))
            others.extend(i for i, in cursor)
        result = {}
        with without_check_access():
            for request in cls.browse(others):
                steps = {t.step for t in Task.search([
                            ('instance', '=', request.workflow.id),
                            ['OR', ('user', '=', user),
                                ('acting_for', '=', user)],
                            ])}
                hidden = [{k for k, access in (
                                request.process.step(step).get('fields')
                                or {}).items() if access == 'hidden'}
                    for step in steps]
                if hidden and set.intersection(*hidden):
                    result[request.id] = set.intersection(*hidden)
        return result

    @classmethod
    def get_opinions(cls, requests, name):
        return {r.id: [o.id for o in r.workflow.opinions] if r.workflow
            else [] for r in requests}

    @classmethod
    def _validate(cls, records, field_names=None):
        # The kind of each unit in a list is checked where its link is made
        # (RequestUnit): here Tryton would read every list of every
        # request saved, most of them empty, one query each
        if field_names is None:
            field_names = cls._fields.keys()
        super()._validate(records, set(field_names) - set(UNIT_LISTS))

    @classmethod
    def validate_fields(cls, requests, field_names):
        super().validate_fields(requests, field_names)
        if field_names and 'values' not in field_names:
            return
        for request in requests:
            # The process's form: the function field form would be one
            # more read of the request
            form = request.process.form
            if form:
                form.check_values(
                    {k: v for k, v in (request.values or {}).items()
                        if v not in (None, '')})

    def workflow_data(self):
        data = {k: v for k, v in (self.values or {}).items()}
        used = self.on_change_with_unit_lists()
        for name in UNIT_LISTS:
            # A list the diagram does not name is not read (a leave
            # request has none): each costs a query
            data[name] = [u.id for u in getattr(self, name)] if (
                name in used) else []
        data['title'] = self.title
        return data

    def workflow_process(self):
        return self.process

    def step_rules(self, step):
        return self.process.step(step).get('fields') or {}

    def workflow_set_data(self, step, data):
        "Write what the holder of step changed, as the step allows"
        rules = self.step_rules(step)
        values = dict(self.values or {})
        to_write = {}
        for key, value in (data or {}).items():
            if rules.get(key) not in {'edit', 'required'}:
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_field_readonly',
                        field=key, step=self.process.step(step)['name']))
            if key in UNIT_LISTS:
                # Only what changed: Tryton deletes the removed links after
                # adding the new ones, so a unit removed and added back in
                # one write would be lost
                old = {u.id for u in getattr(self, key)}
                new = set(map(int, value or []))
                if old != new:
                    to_write[key] = [
                        ('remove', sorted(old - new)),
                        ('add', sorted(new - old))]
            elif key == 'title':
                to_write['title'] = value
            else:
                values[key] = value
        to_write['values'] = values
        # Checked against the step's rules above: the form itself is
        # closed to direct changes once submitted (check_modification)
        with without_check_access():
            self.__class__.write([self], to_write)

    def workflow_summary(self, step):
        "The request as the holder of step reads it: one line per value"
        rules = self.step_rules(step)
        lines = []
        for field in (self.form.fields_ if self.form else []):
            value = (self.values or {}).get(field.name)
            if rules.get(field.name) == 'hidden' or value in (None, ''):
                continue
            lines.append('%s：%s' % (field.string, value))
        for name in UNIT_LISTS:
            units = getattr(self, name)
            if units and rules.get(name) != 'hidden':
                lines.append('%s：%s' % (self._field_label(name),
                        '、'.join(u.rec_name for u in units)))
        return '\n'.join(lines)

    def workflow_step_form(self, step):
        rules = self.step_rules(step)
        editable = {n for n, a in rules.items() if a in {'edit', 'required'}}
        result = {'editable': []}
        if 'title' in editable:
            result['editable'].append('title')
            result['title'] = self.title
        for name in UNIT_LISTS:
            if name in editable:
                result['editable'].append(name)
                result[name] = [u.id for u in getattr(self, name)]
        values = {f.name: (self.values or {}).get(f.name)
            for f in (self.form.fields_ if self.form else [])
            if f.name in editable}
        if values:
            result['editable'].append('values')
            result['form'] = self.form.id
            result['values'] = values
        return result

    def workflow_check(self, task):
        "The values the step requires must be there before it moves on"
        rules = self.step_rules(task.step)
        data = self.workflow_data()
        for name, access in rules.items():
            if access != 'required':
                continue
            if data.get(name) in (None, '', [], ()):
                label = self._field_label(name)
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_form_required',
                        field=label))
        if self.form:
            self.form.check_values(self.values or {})

    def _field_label(self, name):
        if name in UNIT_LISTS or name == 'title':
            return self.__class__.fields_get([name])[name]['string']
        for field in self.form.fields_ if self.form else []:
            if field.name == name:
                return field.string
        return name


class RequestUnit(ModelSQL):
    "Unit of an approval request"
    __name__ = 'egov.workflow.request-cosign_unit'
    __string__ = "Countersigning Unit"
    _egov_visibility = 'parent'

    request = fields.Many2One(
        'egov.workflow.request', "Request", required=True,
        ondelete='CASCADE')
    unit = fields.Many2One(
        'egov.org.unit', "Unit", required=True, ondelete='RESTRICT')
    # The kinds of units the list takes (the request's field has the same
    # domain for the picker; the links are checked here)
    _kinds = ('unit', 'department')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('request')

    @classmethod
    def validate_fields(cls, links, field_names):
        super().validate_fields(links, field_names)
        if field_names and 'unit' not in field_names:
            return
        for link in links:
            if link.unit.kind not in cls._kinds:
                kinds = ('egov_workflow.msg_workflow_unit_list_units'
                    if cls._kinds == ('unit',) else
                    'egov_workflow.msg_workflow_unit_list_units_departments')
                raise WorkflowValidationError(gettext(
                        'egov_workflow.msg_workflow_unit_list_kind',
                        unit=link.unit.rec_name,
                        list=cls.__names__()['model'],
                        kinds=gettext(kinds)))


class RequestRecipient(RequestUnit):
    "Recipient unit of an approval request"
    __name__ = 'egov.workflow.request-recipient'
    __string__ = "Recipient Unit"

    # Documents go to units, not to their departments
    _kinds = ('unit',)


class RequestHandler(RequestUnit):
    "Handling department of an approval request"
    __name__ = 'egov.workflow.request-handler'
    __string__ = "Handling Department"
