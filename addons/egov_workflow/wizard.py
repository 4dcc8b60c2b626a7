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
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from egov_base.tools import check_read_access, check_write_access

from .exceptions import StepFieldError, WorkflowError
from .form import PICKS
from .slots import SLOTS, plan_slots, slot_fields  # noqa: F401


class ActStart(ModelView):
    "Act on a to-do"
    __name__ = 'egov.workflow.task.act.start'

    task = fields.Many2One('egov.workflow.task', "To-do", readonly=True)
    content = fields.Text("Content", readonly=True)
    # Chosen by a tap on the button 同意 or 不同意, never beforehand
    decision = fields.Selection([
            (None, ""),
            ('approve', "Agree"),
            ('reject', "Disagree"),
            ], "Decision")
    opinions = fields.Many2Many(
        'egov.workflow.opinion', None, None, "Earlier Opinions",
        readonly=True)
    phrase = fields.Many2One(
        'egov.workflow.phrase', "Common Phrase",
        domain=[('usable', '=', True)],
        help="One's own phrases first, then the unit's and everybody's.")
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
        result = cls._step_requirements(result, task)
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
                etree.SubElement(group, 'field', name=slot, colspan='4')
                continue
            if slot.startswith(('units', 'users')):
                # A list shows its label in its own header
                etree.SubElement(group, 'field', name=slot, colspan='4',
                    height='120')
            else:
                etree.SubElement(group, 'label', name=slot)
                etree.SubElement(group, 'field', name=slot)
        result['fields'].update(definitions)
        result['arch'] = etree.tostring(arch, encoding='unicode')
        return result

    @classmethod
    def _step_requirements(cls, result, task):
        "The opinion and the signature required where the step says so"
        step = task.instance.process.step(task.step)
        needed = [n for n, k in [('text', 'opinion'), ('signature',
                    'signature')] if step.get(k) == 'required']
        if not needed:
            return result
        result = dict(result)
        result['fields'] = dict(result['fields'])
        for name in needed:
            definition = result['fields'][name] = dict(
                result['fields'][name])
            definition['required'] = True
        return result


for _name, _field in slot_fields().items():
    setattr(ActStart, _name, _field)
del _name, _field


class Act(Wizard):
    "Act on a to-do"
    __name__ = 'egov.workflow.task.act'

    # The to-do's holder acts; anyone else opening it (a copy, a done
    # to-do, an administrator's list) reads it in its form
    route = StateTransition()
    start = StateView('egov.workflow.task.act.start',
        'egov_workflow.task_act_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Disagree", 'reject', 'tryton-cancel'),
            Button("Agree", 'approve', 'tryton-ok'),
            ])
    # The decision is a tap on its button, then confirmed: nothing is
    # agreed by a stray Enter
    approve = StateTransition()
    reject = StateTransition()
    confirm = StateView('egov.workflow.task.act.confirm',
        'egov_workflow.task_act_confirm_view_form', [
            Button("Back", 'start', 'tryton-back', validate=False),
            Button("Confirm and Submit", 'submit', 'tryton-ok',
                default=True),
            ])
    submit = StateTransition()
    read = StateAction('egov_workflow.act_task_read')
    start_state = 'route'

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

    def transition_route(self):
        return 'start' if self.context_task() else 'read'

    def do_read(self, action):
        return action, {'res_id': [self.record.id]}

    def default_start(self, fields):
        defaults = {
            'task': self.record.id,
            'user': Transaction().user,
            }
        task = self.context_task()
        if task:
            record = task.instance.record
            defaults['content'] = record.workflow_summary(task.step)
            defaults['opinions'] = [o.id for o in self.earlier_opinions(task)]
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

    @staticmethod
    def earlier_opinions(task):
        "The opinions written on the to-do's instance so far"
        Opinion = Pool().get('egov.workflow.opinion')
        with check_access():
            return Opinion.search([('instance', '=', task.instance.id)])

    def value_start(self, fields):
        "What was entered, when coming back from the confirmation"
        if not self.start.decision:
            return {}
        values = {}
        for name in fields:
            if name in {'task', 'user', 'content', 'opinions', 'form'}:
                continue
            value = getattr(self.start, name, None)
            if isinstance(value, tuple):
                value = [r.id for r in value]
            elif hasattr(value, 'id'):
                value = value.id
            values[name] = value
        return values

    def check_needs(self, decision):
        """Refuse now what decide would refuse: the opinion or signature the
        step requires, the reason of a disagreement"""
        task = self.record
        step = task.instance.process.step(task.step)
        text = (self.start.text or '').strip()
        if not text and (step.get('opinion') == 'required'):
            raise WorkflowError(gettext(
                    'egov_workflow.msg_act_opinion_required',
                    step=task.step_name))
        if not text and decision == 'reject':
            raise WorkflowError(gettext(
                    'egov_workflow.msg_act_reason_required'))
        if not self.start.signature and step.get('signature') == 'required':
            raise WorkflowError(gettext(
                    'egov_workflow.msg_act_signature_required',
                    step=task.step_name))

    def transition_approve(self):
        self.check_needs('approve')
        self.start.decision = 'approve'
        return 'confirm'

    def transition_reject(self):
        self.check_needs('reject')
        self.start.decision = 'reject'
        return 'confirm'

    def default_confirm(self, fields):
        task = self.record
        decision = dict(self.start.__class__.fields_get(
                ['decision'])['decision']['selection'])[self.start.decision]
        question = gettext('egov_workflow.msg_act_confirm',
            decision=decision, title=task.title, step=task.step_name)
        if not (self.start.text or '').strip():
            question += '\n' + gettext('egov_workflow.msg_act_confirm_no_text')
        return {'question': question}

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


class ActConfirm(ModelView):
    "Confirm the decision on a to-do"
    __name__ = 'egov.workflow.task.act.confirm'
    __string__ = "Confirm the decision on a to-do"

    question = fields.Text("Question", readonly=True)


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
