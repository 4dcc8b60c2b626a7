"""Approval requests (审批单): the general record that runs on a process
with a custom form: a leave request, a 发文 approval, any approval a county
draws for itself."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, In
from trytond.transaction import Transaction, without_check_access

from .exceptions import WorkflowError, WorkflowValidationError
from .mixin import WorkflowMixin

# The unit lists the shipped processes route by (会签单位, 主送/分发单位,
# 承办部门): many-to-many fields, as a form field cannot hold them
UNIT_LISTS = ['cosign_units', 'recipients', 'handlers']


class Request(WorkflowMixin, ModelSQL, ModelView):
    __name__ = 'egov.workflow.request'
    __string__ = "Approval Request"
    _egov_visibility = 'unit'
    _rec_name = 'title'
    # Its group, access rows and rules are in request.xml: the group is
    # the module's own (the approvals application)
    _workflow_group = None

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

    # The form's fields (keys of values) take part in the step's rules as
    # the model's own fields do: readable unless hidden, editable through
    # the values of the act dialog

    def _form_fields(self):
        return self.form.fields_ if self.form else []

    def workflow_facts(self, step):
        "The form as the holder of step reads it: one line per value"
        rules = self.workflow_rules(step)
        facts = []
        for field in self._form_fields():
            value = (self.values or {}).get(field.name)
            if rules.get(field.name) == 'hidden' or value in (None, ''):
                continue
            facts.append((field.string, str(value)))
        for name in UNIT_LISTS:
            units = getattr(self, name)
            if units and rules.get(name) != 'hidden':
                facts.append((self._workflow_label(name),
                        '、'.join(u.rec_name for u in units)))
        return facts

    def workflow_editable(self, step):
        editable = super().workflow_editable(step)
        keys = {f.name for f in self._form_fields()}
        if any(n in keys for n in self._form_editable(step)):
            editable.append('values')
        return editable

    def _form_editable(self, step):
        return [n for n, r in self.workflow_rules(step).items()
            if r in {'edit', 'required'} and n not in self._fields]

    def workflow_step_values(self, step):
        values = super().workflow_step_values(step)
        if 'values' in values:
            keys = set(self._form_editable(step))
            values['values'] = {k: v for k, v in (self.values or {}).items()
                if k in keys}
            for key in keys - set(values['values']):
                values['values'][key] = None
        return values

    def workflow_set_data(self, step, data):
        "Write what the holder of step changed, as the step allows"
        data = dict(data or {})
        form_values = data.pop('values', None) or {}
        # Keys given flat (the phone page, RPC) are form values too
        for key in list(data):
            if key not in self._fields:
                form_values[key] = data.pop(key)
        if form_values:
            editable = set(self._form_editable(step))
            for key in form_values:
                if key not in editable:
                    raise WorkflowError(gettext(
                            'egov_workflow.msg_workflow_field_readonly',
                            field=self._workflow_label(key),
                            step=self._workflow_step_name(step)))
            values = dict(self.values or {})
            values.update(form_values)
            with without_check_access():
                self.__class__.write([self], {'values': values})
        super().workflow_set_data(step, data)

    def workflow_check(self, task):
        "The values the step requires must be there before it moves on"
        super().workflow_check(task)
        data = self.workflow_data()
        for name, access in self.workflow_rules(task.step).items():
            if access == 'required' and name not in self._fields and (
                    data.get(name) in (None, '', [], ())):
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_form_required',
                        field=self._workflow_label(name)))
        if self.form:
            self.form.check_values(self.values or {})

    def _workflow_label(self, name):
        if name in self._fields:
            return super()._workflow_label(name)
        for field in self._form_fields():
            if field.name == name:
                return field.string
        return name

    @classmethod
    def _workflow_hide(cls, row, name):
        if name in cls._fields:
            super()._workflow_hide(row, name)
        elif row.get('values'):
            row['values'] = {k: v for k, v in row['values'].items()
                if k != name}


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
