"""分解: the lead unit splits its part of a task into child tasks for the
units below it, each with its own deadline (never after its own)."""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.wizard import Button, StateAction, StateView, Wizard


class SplitStart(ModelView):
    __name__ = 'egov.supervision.task.split.start'
    __string__ = "Split Supervision Task"

    task = fields.Many2One('egov.supervision.task', "Task", readonly=True)
    lead_unit = fields.Many2One('egov.org.unit', "Lead Unit", readonly=True)
    deadline = fields.Date("Deadline", readonly=True)
    lines = fields.One2Many('egov.supervision.task.split.line', None,
        "Units", required=True)


class SplitLine(ModelView):
    __name__ = 'egov.supervision.task.split.line'
    __string__ = "Split Supervision Task Line"

    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        help="A unit below the lead unit.")
    deadline = fields.Date("Deadline", required=True)
    owner = fields.Many2One('res.user', "Owner")
    content = fields.Text("Their Part",
        help="Left empty, the content of the task.")


class Split(Wizard):
    __name__ = 'egov.supervision.task.split'
    start = StateView('egov.supervision.task.split.start',
        'egov_supervision.task_split_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Split", 'split', 'tryton-ok', default=True),
            ])
    split = StateAction('egov_supervision.act_task_form')

    def default_start(self, fields):
        task = self.record
        return {
            'task': task.id,
            'lead_unit': task.lead_unit.id,
            'deadline': task.deadline,
            }

    def do_split(self, action):
        Task = Pool().get('egov.supervision.task')
        children = Task.create_children(self.record, [{
                    'unit': line.unit.id,
                    'deadline': line.deadline,
                    'owner': line.owner.id if line.owner else None,
                    'content': line.content,
                    } for line in self.start.lines])
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [c.id for c in children])])
        return action, {}
