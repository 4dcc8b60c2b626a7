"""流转情况: where a document is now and the whole path it took, for
whoever may read the document: every to-do of its process in order (step,
holder, received, time limit, done, decision, opinion), the steps and
holders of now. The engine's own records (to-dos, instances) are read for
them only once the document itself is found readable."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateView, Wizard

MODELS = {'egov.document.incoming', 'egov.document.outgoing'}


class FlowStart(ModelView):
    __name__ = 'egov.document.flow.start'
    __string__ = "Document Flow"

    title = fields.Char("Title", readonly=True)
    process_state = fields.Char("Process State", readonly=True)
    current_steps = fields.Char("Current Steps", readonly=True)
    holders = fields.Char("Held By", readonly=True)
    path = fields.Text("Path", readonly=True)
    steps = fields.One2Many('egov.document.flow.step', None, "Steps",
        readonly=True)


class FlowStep(ModelView):
    __name__ = 'egov.document.flow.step'
    __string__ = "Document Flow Step"

    step_name = fields.Char("Step", readonly=True)
    holder = fields.Char("Held By", readonly=True)
    kind = fields.Char("Kind", readonly=True)
    received_at = fields.DateTime("Received", readonly=True)
    deadline = fields.DateTime("Time Limit", readonly=True)
    done_at = fields.DateTime("Done At", readonly=True)
    state = fields.Char("State", readonly=True)
    decision = fields.Char("Decision", readonly=True)
    opinion = fields.Text("Opinion", readonly=True)


class Flow(Wizard):
    __name__ = 'egov.document.flow'
    start = StateView('egov.document.flow.start',
        'egov_document.query_flow_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def _document(self):
        "The active document, found through the person's rights"
        pool = Pool()
        context = Transaction().context
        model = context.get('active_model')
        active_id = context.get('active_id')
        if model not in MODELS or not isinstance(active_id, int):
            raise AccessError(gettext('egov_document.msg_flow_no_document'))
        Model = pool.get(model)
        with Transaction().set_context(_check_access=True):
            found = Model.search([('id', '=', active_id)], limit=1)
        if not found:
            raise AccessError(gettext('egov_document.msg_flow_no_document'))
        return found[0]

    def default_start(self, fields):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Opinion = pool.get('egov.workflow.opinion')
        Instance = pool.get('egov.workflow.instance')
        document = self._document()
        values = {'title': document.rec_name, 'steps': []}
        if not document.workflow:
            return values
        with without_check_access():
            instance = Instance(document.workflow.id)
            tasks = Task.search([('instance', '=', instance.id)],
                order=[('id', 'ASC')])
            opinions = {}
            for opinion in Opinion.search([('instance', '=', instance.id)],
                    order=[('id', 'ASC')]):
                if opinion.task and opinion.text:
                    opinions[opinion.task.id] = opinion.text
            labels = {name: dict(Task.fields_get([name])[name]['selection'])
                for name in ['state', 'decision', 'kind']}
            states = dict(Instance.fields_get(['state'])['state'][
                    'selection'])
            path = []
            for task in tasks:
                values['steps'].append({
                        'step_name': task.step_name,
                        'holder': task.holder_name,
                        'kind': labels['kind'].get(task.kind),
                        'received_at': task.create_date,
                        'deadline': task.deadline,
                        'done_at': task.done_at,
                        'state': labels['state'].get(task.state),
                        'decision': labels['decision'].get(task.decision)
                        if task.decision else None,
                        'opinion': opinions.get(task.id),
                        })
                if task.kind == 'todo' and task.state in {'done', 'open'}:
                    mark = '%s（%s）' % (task.step_name, task.holder_name)
                    if not path or path[-1] != mark:
                        path.append(mark)
            values.update({
                    'process_state': states.get(instance.state),
                    'current_steps': instance.current_steps,
                    'holders': instance.holders,
                    'path': ' → '.join(path),
                    })
        return values
