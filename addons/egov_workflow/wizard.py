"""The forms in which people act on a to-do: agree or disagree with an
opinion (常用语 to pick from, a handwritten signature), return it to an
earlier step, or hand it over."""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, In
from trytond.transaction import Transaction, check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard


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
    # What the step lets its holder fill in or change (egov:fields)
    editable = fields.MultiSelection([
            ('title', "Title"),
            ('values', "Form"),
            ('cosign_units', "Countersigning Units"),
            ('recipients', "Recipient Units"),
            ('handlers', "Handling Departments"),
            ], "Editable", readonly=True)
    form = fields.Many2One('egov.workflow.form', "Form", readonly=True)
    title = fields.Char("Title", strip=True, states={
            'invisible': ~In('title', Eval('editable', [])),
            })
    values = fields.Dict(
        'egov.workflow.form.field', "Form",
        domain=[('form', '=', Eval('form', -1))],
        states={
            'invisible': ~In('values', Eval('editable', [])),
            })
    cosign_units = fields.Many2Many(
        'egov.org.unit', None, None, "Countersigning Units",
        domain=[('kind', 'in', ['unit', 'department'])],
        states={
            'invisible': ~In('cosign_units', Eval('editable', [])),
            })
    recipients = fields.Many2Many(
        'egov.org.unit', None, None, "Recipient Units",
        domain=[('kind', '=', 'unit')],
        states={
            'invisible': ~In('recipients', Eval('editable', [])),
            })
    handlers = fields.Many2Many(
        'egov.org.unit', None, None, "Handling Departments",
        domain=[('kind', 'in', ['unit', 'department'])],
        states={
            'invisible': ~In('handlers', Eval('editable', [])),
            })

    @fields.depends('phrase', 'text')
    def on_change_phrase(self):
        if self.phrase:
            self.text = ((self.text + '\n') if self.text else '') + (
                self.phrase.text)


class Act(Wizard):
    "Act on a to-do"
    __name__ = 'egov.workflow.task.act'

    start = StateView('egov.workflow.task.act.start',
        'egov_workflow.task_act_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Submit", 'submit', 'tryton-ok', default=True),
            ])
    submit = StateTransition()

    def default_start(self, fields):
        defaults = {
            'task': self.record.id,
            'decision': 'approve',
            'user': Transaction().user,
            'editable': [],
            }
        task = self.record
        if (task.state == 'open' and task.kind == 'todo'
                and task.user.id == Transaction().user):
            # Only the holder sees the record and the step's fields
            record = task.instance.record
            defaults['content'] = record.workflow_summary(task.step)
            defaults.update(record.workflow_step_form(task.step))
        return defaults

    def transition_submit(self):
        start = self.start
        data = {}
        for name in start.editable or []:
            value = getattr(start, name)
            if name in {'cosign_units', 'recipients', 'handlers'}:
                value = [u.id for u in value]
            if name == 'values':
                data.update(value or {})
            else:
                data[name] = value
        with check_access():
            self.record.decide(
                start.decision, start.text, start.signature,
                data=data or None, copy_to=[u.id for u in start.copy_to])
        return 'end'

    def end(self):
        return 'reload'


class ReturnStart(ModelView):
    "Return a to-do"
    __name__ = 'egov.workflow.task.return.start'

    task = fields.Many2One('egov.workflow.task', "To-do", readonly=True)
    instance = fields.Many2One(
        'egov.workflow.instance', "Instance", readonly=True)
    target = fields.Many2One(
        'egov.workflow.task', "Return To", required=True,
        domain=[
            ('instance', '=', Eval('instance', -1)),
            ('state', '=', 'done'),
            ('kind', '=', 'todo'),
            ('id', '<', Eval('task', -1)),
            ],
        help="The earlier step, done again by whoever did it.")
    reason = fields.Text("Reason", required=True)


class Return(Wizard):
    "Return a to-do"
    __name__ = 'egov.workflow.task.return'

    start = StateView('egov.workflow.task.return.start',
        'egov_workflow.task_return_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'submit', 'tryton-back', default=True),
            ])
    submit = StateTransition()

    def default_start(self, fields):
        return {
            'task': self.record.id,
            'instance': self.record.instance.id,
            }

    def transition_submit(self):
        with check_access():
            self.record.return_to(self.start.target, self.start.reason)
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
    "Hand over a to-do"
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
        Task = Pool().get('egov.workflow.task')
        with check_access():
            # Reading the instances with the administrator's rights: only
            # those of their division can be reassigned
            Task.read([r.id for r in self.records], ['instance'])
            Pool().get('egov.workflow.instance').write(
                list({r.instance for r in self.records}), {})
        Task.reassign(self.records, self.start.user)
        return 'end'

    def end(self):
        return 'reload'
