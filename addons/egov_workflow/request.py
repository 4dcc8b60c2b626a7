"""Approval requests (审批单): the general record that runs on a process
with a custom form: a leave request, a 发文 approval, any approval a county
draws for itself."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import (
    StepFieldError, WorkflowFrozenError, WorkflowValidationError)
from .form import PICK_UNIT_KINDS, PICKS
from .mixin import WorkflowMixin


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
    # The form is loaded with the rest of a request: the engine and the
    # checks read them together every time
    values = fields.Dict(
        'egov.workflow.form.field', "Form",
        domain=[
            ('form', '=', Eval('form', -1)),
            ('type_', 'not in', list(PICKS)),
            ], states=_draft, loading='eager')
    # What the form's fields of units or people hold (会签单位, 主送单位…):
    # filled at the steps that let their holder fill them
    picked_units = fields.One2Many(
        'egov.workflow.request.unit', 'request', "Units Picked",
        readonly=True)
    picked_people = fields.One2Many(
        'egov.workflow.request.person', 'request', "People Picked",
        readonly=True)
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

    @classmethod
    def view_attributes(cls):
        # A leave request picks no units: its form shows no empty lists
        return super().view_attributes() + [
            ('//page[@name="%s"]' % name, 'states', {
                    'invisible': ~Eval(name),
                    }) for name in ['picked_units', 'picked_people']]

    @fields.depends('process', 'values')
    def on_change_process(self):
        "Show every field of the process's form at once"
        if self.process and self.process.form:
            values = dict(self.values or {})
            for field in self.process.form.fields_:
                if field.type_ not in PICKS:
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
        data = dict(self.values or {})
        for name, type_ in self._pick_fields().items():
            data[name] = self.picked(name)
        data['title'] = self.title
        return data

    def _pick_fields(self):
        "{name: type} of the form's fields of units or people"
        if not self.form:
            return {}
        return {n: s.type_ for n, s in self.form.field_specs().items()
            if s.type_ in PICKS}

    def picked(self, name):
        "The ids of the units or people picked in the form's field name"
        if self._pick_fields().get(name) == 'people':
            return [p.user.id for p in self.picked_people if p.key == name]
        return [p.unit.id for p in self.picked_units if p.key == name]

    def set_picked(self, name, ids):
        "Make the units or people of the form's field name be ids"
        pool = Pool()
        people = self._pick_fields().get(name) == 'people'
        Link = pool.get('egov.workflow.request.person' if people
            else 'egov.workflow.request.unit')
        target = 'user' if people else 'unit'
        links = self.picked_people if people else self.picked_units
        old = {getattr(l, target).id: l for l in links if l.key == name}
        new = list(dict.fromkeys(map(int, ids or [])))
        with without_check_access():
            Link.delete([l for i, l in old.items() if i not in new])
            Link.create([{'request': self.id, 'key': name, target: i}
                    for i in new if i not in old])

    def workflow_process(self):
        return self.process

    # The form's fields take part in the step's rules as the model's own
    # fields do: readable unless hidden; editable through the form of the
    # act dialog, or as lists of units or people for those that pick them

    def _form_fields(self):
        return self.form.fields_ if self.form else []

    def workflow_facts(self, step):
        "The form as the holder of step reads it: one line per value"
        rules = self.workflow_rules(step)
        picks = self._pick_fields()
        facts = []
        for field in self._form_fields():
            if rules.get(field.name) == 'hidden':
                continue
            if field.name in picks:
                Model = Pool().get('res.user' if picks[field.name] == 'people'
                    else 'egov.org.unit')
                text = '、'.join(r.rec_name
                    for r in Model.browse(self.picked(field.name)))
            else:
                value = (self.values or {}).get(field.name)
                text = '' if value in (None, '') else str(value)
            if text:
                facts.append((field.string, text))
        return facts

    def _form_editable(self, step):
        "The form's fields the holder of step may fill"
        keys = {f.name for f in self._form_fields()}
        return [n for n, r in self.workflow_rules(step).items()
            if r in {'edit', 'required'} and n in keys]

    def workflow_editable(self, step):
        "In the order of the step's rules; the form's values as one field"
        picks = self._pick_fields()
        form = set(self._form_editable(step))
        editable = []
        for name, rule in self.workflow_rules(step).items():
            if rule not in {'edit', 'required'}:
                continue
            if name in form and name not in picks:
                name = 'values'
            elif name not in form and name not in self._fields:
                continue
            if name not in editable:
                editable.append(name)
        return editable

    def workflow_field(self, name):
        picks = self._pick_fields()
        if name not in picks:
            shown = super().workflow_field(name)
            if name == 'values':
                shown['slot'] = 'dict'
            return shown
        people = picks[name] == 'people'
        return {
            'slot': 'many2many:%s' % ('res.user' if people
                else 'egov.org.unit'),
            'string': self._workflow_label(name),
            'help': '',
            'selection': None,
            'domain': None if people else [
                ('kind', 'in', PICK_UNIT_KINDS[picks[name]])],
            }

    def workflow_step_values(self, step):
        names = self.workflow_editable(step)
        picks = self._pick_fields()
        values = self.workflow_values(
            [n for n in names if n in self._fields and n != 'values'])
        if 'values' in names:
            values['values'] = {k: (self.values or {}).get(k)
                for k in self._form_editable(step) if k not in picks}
        for name in names:
            if name in picks:
                values[name] = self.picked(name)
        return values

    def workflow_set_data(self, step, data):
        "Write what the holder of step changed, as the step allows"
        data = dict(data or {})
        form_values = data.pop('values', None) or {}
        picks = self._pick_fields()
        picked = {}
        # Keys given flat (the phone page, RPC) are the form's too
        for key in list(data):
            if key in picks:
                picked[key] = data.pop(key)
            elif key not in self._fields:
                form_values[key] = data.pop(key)
        editable = set(self._form_editable(step))
        for key in list(form_values) + list(picked):
            if key not in editable:
                raise StepFieldError(gettext(
                        'egov_workflow.msg_workflow_field_readonly',
                        field=self._workflow_label(key),
                        step=self._workflow_step_name(step)))
        if form_values:
            values = dict(self.values or {})
            values.update(form_values)
            with without_check_access():
                self.__class__.write([self], {'values': values})
        for key, ids in picked.items():
            self.set_picked(key, ids)
        super().workflow_set_data(step, data)

    def workflow_check(self, task):
        "The values the step requires must be there before it moves on"
        super().workflow_check(task)
        data = self.workflow_data()
        for name, access in self.workflow_rules(task.step).items():
            if access == 'required' and name not in self._fields and (
                    data.get(name) in (None, '', [], ())):
                raise StepFieldError(gettext(
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
            return
        if row.get('values'):
            row['values'] = {k: v for k, v in row['values'].items()
                if k != name}
        # Which list a picked row belongs to is on the row: hide them all
        for field in ['picked_units', 'picked_people']:
            if row.get(field):
                row[field] = []


class PickMixin:
    "What picked units and people share: the request and its form's field"
    __slots__ = ()

    request = fields.Many2One(
        'egov.workflow.request', "Request", required=True,
        ondelete='CASCADE')
    key = fields.Char("Field", required=True, readonly=True)
    field_name = fields.Function(fields.Char("List"), 'get_field_name')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('request')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.request, Index.Range())))

    def get_field_name(self, name):
        return self.request._workflow_label(self.key)

    @classmethod
    def validate_fields(cls, picks, field_names):
        super().validate_fields(picks, field_names)
        for pick in picks:
            if pick.request._pick_fields().get(pick.key) not in (
                    cls._pick_types):
                raise WorkflowValidationError(gettext(
                        'egov_workflow.msg_workflow_pick_field',
                        field=pick.key, request=pick.request.rec_name))

    @classmethod
    def check_modification(cls, mode, picks, values=None, external=False):
        super().check_modification(
            mode, picks, values=values, external=external)
        # Submitted, the lists change only through the act dialog
        if external:
            for pick in picks:
                if pick.request.workflow_state != 'draft':
                    raise WorkflowFrozenError(gettext(
                            'egov_workflow.msg_workflow_request_submitted',
                            request=pick.request.rec_name))


class RequestUnit(PickMixin, ModelSQL, ModelView):
    "Unit picked in an approval request"
    __name__ = 'egov.workflow.request.unit'
    __string__ = "Unit Picked"
    _egov_visibility = 'parent'

    unit = fields.Many2One(
        'egov.org.unit', "Unit", required=True, ondelete='RESTRICT')
    # The kinds of form fields whose picks these are
    _pick_types = set(PICK_UNIT_KINDS)

    @classmethod
    def validate_fields(cls, picks, field_names):
        super().validate_fields(picks, field_names)
        for pick in picks:
            kind = pick.request._pick_fields()[pick.key]
            if pick.unit.kind not in PICK_UNIT_KINDS[kind]:
                raise WorkflowValidationError(gettext(
                        'egov_workflow.msg_workflow_unit_list_kind',
                        unit=pick.unit.rec_name,
                        list=pick.field_name,
                        kinds=gettext(
                            'egov_workflow.msg_workflow_unit_list_units'
                            if kind == 'units' else
                            'egov_workflow.msg_workflow_unit_list_units_'
                            'departments')))


class RequestPerson(PickMixin, ModelSQL, ModelView):
    "Person picked in an approval request"
    __name__ = 'egov.workflow.request.person'
    __string__ = "Person Picked"
    _egov_visibility = 'parent'

    user = fields.Many2One(
        'res.user', "Person", required=True, ondelete='RESTRICT')
    _pick_types = {'people'}
