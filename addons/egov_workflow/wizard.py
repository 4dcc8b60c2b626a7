"""The forms in which people act on a to-do: agree or disagree with an
opinion (常用语 to pick from, a handwritten signature), return it to an
earlier step, or hand it over."""
import json

from lxml import etree

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction, check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.tools import check_read_access, check_write_access

from .exceptions import StepFieldError
from .form import PICKS


# The act dialog edits the fields a step lets its holder fill, of any
# model on a process: each such field is shown in a slot of its kind,
# labelled and constrained as the record's own field (see ActStart)
SLOTS = {
    'char': ('char', fields.Char, 4),
    'text': ('text', fields.Text, 2),
    'integer': ('integer', fields.Integer, 2),
    'float': ('float', fields.Float, 2),
    'numeric': ('numeric', fields.Numeric, 2),
    'date': ('date', fields.Date, 2),
    'datetime': ('datetime', fields.DateTime, 1),
    'boolean': ('boolean', fields.Boolean, 2),
    'selection': ('selection', fields.Selection, 3),
    'many2one:egov.org.unit': ('unit', fields.Many2One, 2),
    'many2one:res.user': ('user', fields.Many2One, 2),
    'many2many:egov.org.unit': ('units', fields.Many2Many, 3),
    'many2many:res.user': ('users', fields.Many2Many, 2),
    }


def slot_fields():
    "{slot name: field} of every slot of the act dialog"
    result = {}
    for key, (prefix, Field, count) in SLOTS.items():
        for i in range(1, count + 1):
            name = '%s_%d' % (prefix, i)
            if Field is fields.Selection:
                field = Field([], "Field", sort=False)
            elif Field is fields.Many2One:
                field = Field(key.split(':')[1], "Field")
            elif Field is fields.Many2Many:
                field = Field(key.split(':')[1], None, None, "Field")
            else:
                field = Field("Field")
            result[name] = field
    return result


def plan_slots(record, names):
    """[(field name, slot name)] of the fields names of record: the order of
    names, each in the next free slot of its kind; or (None, the name that
    finds no slot)"""
    used = {}
    plan = []
    for name in names:
        key = record.workflow_field(name)['slot']
        if key == 'dict':
            plan.append((name, 'values'))
            continue
        if key not in SLOTS:
            return None, name
        prefix, _, count = SLOTS[key]
        used[key] = used.get(key, 0) + 1
        if used[key] > count:
            return None, name
        plan.append((name, '%s_%d' % (prefix, used[key])))
    return plan, None


class ActStart(ModelView):
    "Act on a to-do"
    __name__ = 'egov.workflow.task.act.start'

    task = fields.Many2One('egov.workflow.task', "To-do", readonly=True)
    content = fields.Text("Content", readonly=True)
    decision = fields.Selection([
            ('approve', "Agree"),
            ('reject', "Disagree"),
            ], "Decision", required=True)
    phrase = fields.Many2One(
        'egov.workflow.phrase', "Common Phrase",
        domain=[('user', '=', Eval('user', -1))])
    user = fields.Many2One('res.user', "User", readonly=True)
    text = fields.Text("Opinion")
    signature = fields.Binary("Handwritten Signature")
    copy_to = fields.Many2Many(
        'res.user', None, None, "Copy To",
        domain=[('id', '!=', Eval('user', -1))],
        help="People who get a copy to read (抄送).")
    # An approval request's own form (form-js), when the step lets its
    # holder fill some of it
    form = fields.Many2One('egov.workflow.form', "Form", readonly=True)
    values = fields.Dict(
        'egov.workflow.form.field', "Form",
        domain=[
            ('form', '=', Eval('form', -1)),
            ('type_', 'not in', list(PICKS)),
            ])
    # The slots in use: [[field name, slot name]] (see plan_slots)
    slots = fields.Char("Slots", readonly=True)

    @fields.depends('phrase', 'text')
    def on_change_phrase(self):
        if self.phrase:
            self.text = ((self.text + '\n') if self.text else '') + (
                self.phrase.text)

    @classmethod
    def fields_view_get(cls, view_id=None, view_type='form', level=None):
        """The dialog of the to-do it opens on: the step's fields that its
        holder may fill, each labelled as on the record"""
        result = super().fields_view_get(
            view_id=view_id, view_type=view_type, level=level)
        task = Act.context_task()
        if view_type != 'form' or not task:
            return result
        record = task.instance.record
        names = record.workflow_editable(task.step)
        plan, _ = plan_slots(record, names)
        if not plan:
            return result
        # The cached view is shared: change copies
        result = dict(result)
        result['fields'] = dict(result['fields'])
        arch = etree.fromstring(result['arch'])
        group, = arch.xpath('//group[@id="step_fields"]')
        slots = [s for _, s in plan]
        definitions = cls.fields_get(slots)
        rules = record.workflow_rules(task.step)
        for name, slot in plan:
            shown = record.workflow_field(name)
            definition = definitions[slot] = dict(definitions[slot])
            definition['string'] = shown['string']
            definition['help'] = shown['help']
            definition['required'] = rules.get(name) == 'required'
            if shown['selection'] is not None and slot.startswith(
                    'selection'):
                definition['selection'] = shown['selection']
            if shown['domain'] is not None:
                definition['domain'] = PYSONEncoder().encode(shown['domain'])
            if slot == 'values':
                etree.SubElement(group, 'field', name=slot, colspan='2')
                continue
            if slot.startswith(('units', 'users')):
                # A list shows its label in its own header
                etree.SubElement(group, 'field', name=slot, colspan='2',
                    height='120')
            else:
                etree.SubElement(group, 'label', name=slot)
                etree.SubElement(group, 'field', name=slot)
        result['fields'].update(definitions)
        result['arch'] = etree.tostring(arch, encoding='unicode')
        return result


for _name, _field in slot_fields().items():
    setattr(ActStart, _name, _field)
del _name, _field


class Act(Wizard):
    "Act on a to-do"
    __name__ = 'egov.workflow.task.act'

    start = StateView('egov.workflow.task.act.start',
        'egov_workflow.task_act_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Submit", 'submit', 'tryton-ok', default=True),
            ])
    submit = StateTransition()

    @staticmethod
    def context_task():
        """The open to-do of the user the dialog is on, or None: only its
        holder sees the record and the step's fields"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        context = Transaction().context
        if (context.get('active_model') != Task.__name__
                or not isinstance(context.get('active_id'), int)):
            return None
        with check_access():
            tasks = Task.search([
                    ('id', '=', context['active_id']),
                    ('user', '=', Transaction().user),
                    ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ], limit=1)
        return tasks[0] if tasks else None

    def default_start(self, fields):
        defaults = {
            'task': self.record.id,
            'decision': 'approve',
            'user': Transaction().user,
            }
        task = self.context_task()
        if task:
            record = task.instance.record
            defaults['content'] = record.workflow_summary(task.step)
            editable = record.workflow_editable(task.step)
            plan, refused = plan_slots(record, editable)
            if plan is None:
                raise StepFieldError(gettext(
                        'egov_workflow.msg_workflow_field_unsupported',
                        field=record._workflow_label(refused),
                        step=task.step_name))
            values = record.workflow_step_values(task.step)
            for name, slot in plan:
                defaults[slot] = values[name]
                if slot == 'values':
                    defaults['form'] = record.form.id
            defaults['slots'] = json.dumps(plan)
        return defaults

    def transition_submit(self):
        start = self.start
        data = {}
        for name, slot in json.loads(start.slots or '[]'):
            value = getattr(start, slot)
            if slot.startswith(('units', 'users')):
                value = [r.id for r in value]
            elif slot.startswith(('unit_', 'user_')):
                value = value.id if value else None
            data[name] = value
        with check_access():
            self.record.decide(
                start.decision, start.text, start.signature,
                data=data or None, copy_to=[u.id for u in start.copy_to])
        return 'end'

    def end(self):
        return 'reload'


class SendBackStart(ModelView):
    "Send back a to-do"
    __name__ = 'egov.workflow.task.send_back.start'

    task = fields.Many2One('egov.workflow.task', "To-do", readonly=True)
    instance = fields.Many2One(
        'egov.workflow.instance', "Instance", readonly=True)
    target = fields.Many2One(
        'egov.workflow.task', "Send Back To", required=True,
        domain=[
            ('instance', '=', Eval('instance', -1)),
            ('state', '=', 'done'),
            ('kind', '=', 'todo'),
            ('id', '<', Eval('task', -1)),
            ],
        help="The earlier step, done again by whoever did it.")
    reason = fields.Text("Reason", required=True)


class SendBack(Wizard):
    "Send back a to-do (退回)"
    __name__ = 'egov.workflow.task.send_back'

    start = StateView('egov.workflow.task.send_back.start',
        'egov_workflow.task_send_back_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send Back", 'submit', 'tryton-back', default=True),
            ])
    submit = StateTransition()

    def default_start(self, fields):
        return {
            'task': self.record.id,
            'instance': self.record.instance.id,
            }

    def transition_submit(self):
        with check_access():
            self.record.send_back_to(self.start.target, self.start.reason)
        return 'end'

    def end(self):
        return 'reload'


class HandOverStart(ModelView):
    "Hand over a to-do"
    __name__ = 'egov.workflow.task.hand_over.start'

    task = fields.Many2One('egov.workflow.task', "To-do", readonly=True)
    user = fields.Many2One(
        'res.user', "Hand Over To", required=True,
        domain=[('employee', '!=', None)])
    note = fields.Text("Note")


class HandOver(Wizard):
    "Hand over a to-do (转交)"
    __name__ = 'egov.workflow.task.hand_over'

    start = StateView('egov.workflow.task.hand_over.start',
        'egov_workflow.task_hand_over_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Hand Over", 'submit', 'tryton-forward', default=True),
            ])
    submit = StateTransition()

    def default_start(self, fields):
        return {'task': self.record.id}

    def transition_submit(self):
        with check_access():
            self.record.hand_over_to(self.start.user, self.start.note)
        return 'end'

    def end(self):
        return 'reload'


class ReassignStart(ModelView):
    "Reassign to-dos"
    __name__ = 'egov.workflow.task.reassign.start'

    user = fields.Many2One(
        'res.user', "New Holder", required=True,
        domain=[('employee', '!=', None)])


class Reassign(Wizard):
    "Reassign to-dos"
    __name__ = 'egov.workflow.task.reassign'

    start = StateView('egov.workflow.task.reassign.start',
        'egov_workflow.task_reassign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Reassign", 'submit', 'tryton-ok', default=True),
            ])
    submit = StateTransition()

    def transition_submit(self):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Instance = pool.get('egov.workflow.instance')
        # With the administrator's rights: only the instances of their
        # division can be reassigned
        check_read_access(Task, self.records)
        check_write_access(Instance, list({r.instance for r in self.records}))
        Task.reassign(self.records, self.start.user)
        return 'end'

    def end(self):
        return 'reload'
