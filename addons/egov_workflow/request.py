"""Approval requests (审批单): the general record that runs on a process
with a custom form: a leave request, a 发文 approval, any approval a county
draws for itself."""
import datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import (
    Transaction, check_access, without_check_access)

from egov_base.tools import check_write_access

from .exceptions import (
    StepFieldError, WorkflowFrozenError, WorkflowValidationError)
from .form import PICK_UNIT_KINDS, PICKS
from .mixin import WorkflowMixin
from .slots import SLOTS, plan_slots, slot_fields

# The fields of a request's form are shown in typed slots (slots.py), more
# of them than the act dialog has: {kind: number of slots}
FORM_SLOTS = {
    'char': 8, 'text': 4, 'integer': 4, 'float': 4, 'numeric': 4,
    'date': 6, 'datetime': 0, 'boolean': 4, 'selection': 8,
    'many2one:egov.org.unit': 0, 'many2one:res.user': 0,
    'many2many:egov.org.unit': 4, 'many2many:res.user': 4,
    }
# The slot kind of the value types of a form's fields (form.py)
FORM_TYPE_SLOTS = {
    'char': 'char', 'integer': 'integer', 'float': 'float',
    'numeric': 'numeric', 'boolean': 'boolean', 'date': 'date',
    'selection': 'selection',
    'units': 'many2many:egov.org.unit',
    'departments': 'many2many:egov.org.unit',
    'people': 'many2many:res.user',
    }
# The context key of the actions that open the requests of one process
# (their code): the form of that process is drawn at once
CONTEXT_PROCESS = 'egov_process'


class Request(WorkflowMixin, ModelSQL, ModelView):
    __name__ = 'egov.workflow.request'
    __string__ = "Approval Request"
    _egov_visibility = 'unit'
    # Masked in the audit (egov_base audit/policy.py): what a form holds
    # (a leave's reason…)
    _egov_personal_fields = frozenset({'values'})
    _rec_name = 'title'
    # Found by who may open it: the record rules of request.xml
    _egov_search = {
        'title': 'title',
        'body': ['process', 'form_summary', 'initiator'],
        'date': 'create_date',
        'unit': 'unit',
        'secrecy': 'search_secrecy',
        'attachments': True,
        }
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
    # What the form holds, as a person reads it: the form of a request
    # opened from the list of all requests (of several processes)
    form_summary = fields.Function(
        fields.Text("Form Content"), 'get_form_summary')

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
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('workflow_state') != 'draft',
                    'depends': ['workflow_state'],
                    },
                })

    @classmethod
    def default_initiator(cls):
        return Transaction().user

    @classmethod
    def default_process(cls):
        process = cls._context_process()
        return process.id if process else None

    @classmethod
    def default_title(cls):
        "The process's name and the applicant's: 请假 - 谢娜"
        pool = Pool()
        User = pool.get('res.user')
        process = cls._context_process()
        user = Transaction().user
        if process and user:
            return '%s - %s' % (process.name, User(user).name)

    @classmethod
    def _context_process(cls):
        """The active process whose code the context names (the action of
        that process's requests), as workflow_process would choose it for
        the user: their unit's, else their county's, else the city's"""
        pool = Pool()
        Process = pool.get('egov.workflow.process')
        User = pool.get('res.user')
        code = Transaction().context.get(CONTEXT_PROCESS)
        user = Transaction().user
        if not code or not isinstance(code, str):
            return None
        with without_check_access():
            return Process.for_record(
                cls.__name__, User(user) if user else None, code=code)

    # The form of the request: each field of the process's form in a slot
    # of its kind, in the order, with the labels and choices the form
    # designer gave it

    @classmethod
    def _form_plan(cls, form):
        "[(form field, slot)] of form, or None when a field finds no slot"
        if not form:
            return None
        plan, _ = plan_slots(cls(form=form), [n for n, _, _ in form.layout()],
            counts=FORM_SLOTS)
        return plan

    @classmethod
    def fields_view_get(cls, view_id=None, view_type='form', level=None):
        result = super().fields_view_get(
            view_id=view_id, view_type=view_type, level=level)
        if view_type not in {'form', 'tree'}:
            return result
        process = cls._context_process()
        # The cached view is shared: change copies
        result = dict(result)
        result['fields'] = dict(result['fields'])
        arch = etree.fromstring(result['arch'])
        if not process:
            # A request is made from the menu of its process, which draws
            # its form; the list of all requests shows what they hold
            arch.set('creatable', '0')
        if view_type == 'form':
            cls._draw_form(arch, result['fields'], process)
        result['arch'] = etree.tostring(arch, encoding='unicode')
        return result

    @classmethod
    def _draw_form(cls, arch, definitions, process):
        """Put the form of process in the place of the group form_fields of
        the view arch: in the grid of the view, aligned with its fields"""
        groups = arch.xpath('//group[@id="form_fields"]')
        if not groups:
            return
        group, = groups
        parent, index = group.getparent(), group.getparent().index(group)
        parent.remove(group)
        elements = []

        def add(tag, **attributes):
            elements.append(etree.Element(tag, **attributes))

        form = process.form if process else None
        plan = cls._form_plan(form)
        if not plan:
            names = ['form_summary']
            add('label', name='form_summary')
            add('field', name='form_summary', colspan='3', height='100')
            if form:
                # A form too large for the slots is filled as a whole
                names.append('values')
                add('field', name='values', colspan='4')
            definitions.update(cls.fields_get(names))
        else:
            definitions['process'] = dict(
                definitions['process'], readonly=True)
            cls._draw_slots(form, plan, definitions, add)
            # The lists of picked units and people are in the form already
            for page in arch.xpath('//page[@name="picked_units" or '
                    '@name="picked_people"]'):
                page.getparent().remove(page)
        for element in reversed(elements):
            parent.insert(index, element)

    @classmethod
    def _draw_slots(cls, form, plan, definitions, add):
        "Label and field of each field of form in its slot of plan"
        probe = cls(form=form)
        specs = form.field_specs()
        fields_ = cls.fields_get([s for _, s in plan])
        encoder = PYSONEncoder()
        draft = Eval('workflow_state') == 'draft'
        for name, slot in plan:
            shown = probe.workflow_field(name)
            definition = fields_[slot] = dict(fields_[slot])
            definition['string'] = shown['string']
            definition['help'] = shown['help']
            states = {'readonly': ~draft}
            if specs[name].required:
                states['required'] = draft
            definition['states'] = encoder.encode(states)
            definition['depends'] = ['workflow_state']
            if shown['selection'] is not None and slot.startswith(
                    'selection'):
                definition['selection'] = shown['selection']
            if shown['domain'] is not None:
                definition['domain'] = encoder.encode(shown['domain'])
            if slot.startswith(('units', 'users')):
                # A list shows its label in its own header
                add('field', name=slot, colspan='4', height='140')
            elif slot.startswith('text'):
                add('label', name=slot)
                add('field', name=slot, colspan='3', height='90',
                    yexpand='0')
            else:
                add('label', name=slot)
                add('field', name=slot)
        definitions.update(fields_)

    def _view_plan(self, process=False):
        """The plan of the form drawn: the context's process's (process, if
        known), or the request's own"""
        if process is False:
            process = self._context_process()
        return self._form_plan(process.form if process else self.form) or []

    @classmethod
    def get_form_slots(cls, requests, names):
        # What a step hides from its holder is removed from what is read
        # by _workflow_hide (getters run without access checks)
        result = {n: {} for n in names}
        process = cls._context_process()
        for request in requests:
            for name in names:
                result[name][request.id] = (
                    [] if name.startswith(('units', 'users')) else None)
            for key, slot in request._view_plan(process):
                if slot not in result:
                    continue
                if slot.startswith(('units', 'users')):
                    value = request.picked(key)
                else:
                    value = _slot_value(
                        slot, (request.values or {}).get(key))
                result[slot][request.id] = value
        return result

    @classmethod
    def set_form_slots(cls, requests, name, value):
        for request in requests:
            key = {s: k for k, s in request._view_plan()}.get(name)
            if key is None:
                continue
            # Read again: the other slots of the same save wrote before
            request = cls(request.id)
            if name.startswith(('units', 'users')):
                request.set_picked(key, _apply_commands(
                        request.picked(key), value))
            else:
                values = dict(request.values or {})
                if value in (None, '') and values.get(key) in (None, ''):
                    continue
                values[key] = _form_value(value)
                cls.write([request], {'values': values})

    def search_secrecy(self):
        "The 密级 of the form, as the search shows and filters it"
        return (self.values or {}).get('secrecy')

    def get_form_summary(self, name):
        "One line per value: 请假类型：事假 (less what a step hides)"
        layout = self.form.layout() if self.form else []
        picks = self._pick_fields()
        lines = []
        for key, _, options in layout:
            if key in picks:
                Model = Pool().get('res.user' if picks[key] == 'people'
                    else 'egov.org.unit')
                with without_check_access():
                    text = '、'.join(r.rec_name
                        for r in Model.browse(self.picked(key)))
            else:
                value = (self.values or {}).get(key)
                text = '' if value in (None, '') else dict(options).get(
                    value, _text(value))
            if text:
                lines.append('%s：%s' % (self._workflow_label(key), text))
        return '\n'.join(lines)

    @fields.depends('process')
    def on_change_with_form(self, name=None):
        if self.process and self.process.form:
            return self.process.form.id

    @classmethod
    def view_attributes(cls):
        # A leave request picks no units: its form shows no empty lists;
        # a draft has no history yet
        return super().view_attributes() + [
            ('//page[@name="%s"]' % name, 'states', {
                    'invisible': ~Eval(name),
                    }) for name in ['picked_units', 'picked_people']] + [
            ('//group[@id="history"]', 'states', {
                    'invisible': Eval('workflow_state') == 'draft',
                    })]

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

    @classmethod
    @ModelView.button
    def submit(cls, requests):
        """提交: start the process; the applicant's own first step (填写请假单)
        is this submission, done with the form's values as they are"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Notification = pool.get('res.notification')
        check_write_access(cls, requests)
        for request in requests:
            if request.form and request.workflow_state == 'draft':
                request.form.check_values(request.values or {}, for_step=True)
        cls.workflow_start(requests)
        user = Transaction().user
        for request in cls.browse(requests):
            if not request.workflow:
                continue
            tasks = Task.search([
                    ('instance', '=', request.workflow.id),
                    ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ], order=[('id', 'ASC')])
            # Only a step that is the applicant's alone: a step of others,
            # or delegated, waits for them
            if not tasks or any(t.user.id != user or t.acting_for
                    for t in tasks):
                continue
            text = gettext('egov_workflow.msg_request_form_submitted')
            for task in tasks:
                # (the step of several of his may have moved on already)
                if Task(task.id).state == 'open':
                    with check_access():
                        task.decide('approve', text)
            # Nor is he told of a to-do he has done by submitting
            with without_check_access():
                Notification.delete(Notification.search([
                            ('user', '=', user),
                            ('model', '=', Task.__name__),
                            ('records', 'in',
                                ['[%d]' % t.id for t in tasks]),
                            ]))

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
        """In the order of the step's rules; each value of the form its own
        field (a typed slot of the act dialog, never a key/value editor)"""
        form = set(self._form_editable(step))
        editable = []
        for name, rule in self.workflow_rules(step).items():
            if rule not in {'edit', 'required'}:
                continue
            if name in form and name not in self._fields and (
                    self.workflow_field(name)['slot'] not in SLOTS):
                # A kind of value no slot shows (a multiple choice): the
                # form's values, as one field
                name = 'values'
            elif name not in form and name not in self._fields:
                continue
            if name not in editable:
                editable.append(name)
        return editable

    def workflow_field(self, name):
        picks = self._pick_fields()
        specs = self.form.field_specs() if self.form else {}
        if name not in picks and name in specs and name not in self._fields:
            # A value of the form: a slot of its type, a textarea's text
            layout = {n: (w, o) for n, w, o in self.form.layout()}
            widget, options = layout.get(name, (None, []))
            slot = FORM_TYPE_SLOTS.get(specs[name].type_, specs[name].type_)
            if widget == 'textarea':
                slot = 'text'
            return {
                'slot': slot,
                'string': specs[name].string,
                'help': '',
                'selection': ([[None, '']] + [list(o) for o in options]
                    if slot == 'selection' else None),
                'domain': None,
                }
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
        values = self.workflow_values([n for n in names if n in self._fields])
        form_values = self.values or {}
        for name in names:
            if name in picks:
                values[name] = self.picked(name)
            elif name not in self._fields:
                values[name] = _slot_value(
                    self.workflow_field(name)['slot'], form_values.get(name))
        if 'values' in names:
            values['values'] = {k: form_values.get(k)
                for k in self._form_editable(step)
                if k not in picks and k not in names}
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
    def _guard_field_tokens(cls, name):
        """A pick of units or people a step hides is searched through the
        picked rows: those relations are guarded with it"""
        Form = Pool().get('egov.workflow.form')
        tokens = super()._guard_field_tokens(name)
        if name not in cls._fields and name in Form.pick_names():
            tokens |= {'picked_units', 'picked_people'}
        return tokens

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
        # The form's fields and its summary show the same values
        with without_check_access():
            request = cls(row['id'])
            slot = dict(request._view_plan()).get(name)
            label = request._workflow_label(name)
        if slot and slot in row:
            row[slot] = [] if slot.startswith(('units', 'users')) else None
        if row.get('form_summary'):
            row['form_summary'] = '\n'.join(
                l for l in row['form_summary'].splitlines()
                if not l.startswith(label + '：'))

    @classmethod
    def _guard_hidden(cls, ids):
        "The form's fields and summary are hidden with the values they show"
        result = super()._guard_hidden(ids)
        with without_check_access():
            for record_id, names in cls._workflow_hidden(ids).items():
                plan = dict(cls(record_id)._view_plan())
                slots = {plan[n] for n in names if n in plan}
                if slots:
                    result.setdefault(record_id, set()).update(
                        slots | {'form_summary'})
        return result


for _name, _field in slot_fields(FORM_SLOTS).items():
    setattr(Request, _name, fields.Function(
            _field, 'get_form_slots', setter='set_form_slots'))
del _name, _field


def _slot_value(slot, value):
    "A form's value as its slot shows it"
    if value in (None, ''):
        return None
    try:
        if slot.startswith('numeric'):
            return Decimal(str(value))
        if slot.startswith('date') and isinstance(value, str):
            return datetime.date.fromisoformat(value)
    except (InvalidOperation, ValueError):
        return None
    return value


def _form_value(value):
    "A slot's value as the form keeps it"
    if value == '':
        return None
    return value


def _apply_commands(ids, value):
    """The ids of a list after the client's changes: commands (add, remove,
    set…) or the ids themselves"""
    ids = list(ids)
    for command in value or []:
        if isinstance(command, int):
            ids.append(command)
            continue
        action, *args = command
        if action == 'add':
            ids.extend(args[0])
        elif action in {'remove', 'delete', 'unlink'}:
            ids = [i for i in ids if i not in set(args[0])]
        elif action == 'set':
            ids = list(args[0])
    return ids


def _text(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return gettext('egov_workflow.msg_workflow_yes' if value
            else 'egov_workflow.msg_workflow_no')
    if isinstance(value, (list, tuple)):
        return '、'.join(map(str, value))
    return str(value)


class Process(metaclass=PoolMeta):
    __name__ = 'egov.workflow.process'

    @classmethod
    def activate(cls, processes):
        super().activate(processes)
        cls.make_request_menus([p for p in cls.browse(processes)
                if p.state == 'active'])

    @classmethod
    def make_request_menus(cls, processes):
        """Give each process of approval requests its menu entry under 审批
        (as the shipped 请假申请 has), unless its code has one: a request is
        made from the menu of its process, whose form it draws"""
        pool = Pool()
        ActWindow = pool.get('ir.action.act_window')
        ActWindowView = pool.get('ir.action.act_window.view')
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        encoder = PYSONEncoder()
        with without_check_access():
            for process in processes:
                if process.model != Request.__name__:
                    continue
                context = encoder.encode({CONTEXT_PROCESS: process.code})
                if ActWindow.search([
                            ('res_model', '=', Request.__name__),
                            ('context', '=', context),
                            ], limit=1):
                    continue
                action, = ActWindow.create([{
                            'name': process.name,
                            'res_model': Request.__name__,
                            'domain': encoder.encode(
                                [('process.code', '=', process.code)]),
                            'context': context,
                            }])
                ActWindowView.create([{
                            'act_window': action.id,
                            'sequence': sequence,
                            'view': ModelData.get_id('egov_workflow', xml_id),
                            } for sequence, xml_id in [
                            (10, 'request_view_list'),
                            (20, 'request_view_form')]])
                Menu.create([{
                            'name': process.name,
                            'parent': ModelData.get_id(
                                'egov_workflow', 'menu_approval'),
                            'sequence': 8,
                            # As a menuitem of a form action gets it
                            'icon': 'tryton-list',
                            'action': '%s,%d' % (ActWindow.__name__,
                                action.id),
                            }])


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
