"""Process instances (流程实例): one record going through one process
version, the engine's state, and the actions people take on it."""
import datetime
import json

from sql import For

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access

from egov_base.tools import check_visible, check_write_access

from .exceptions import WorkflowError
from .engine import Engine
from .notify import notify
from .rules import RuleError

STATES = [
    ('running', "Running"),
    ('done', "Done"),
    ('rejected', "Rejected"),
    ('terminated', "Terminated"),
    ]


def rule_message(error):
    "The Chinese message of a rule that finds nobody, for the sender"
    step = error.detail.get('step') or {}
    return gettext('egov_workflow.msg_workflow_rule_%s' % error.code,
        step=step.get('name', ''), rule=step.get('assignee', ''),
        **{k: v for k, v in error.detail.items()
            if k not in {'step', 'rule'}})


class Instance(ModelSQL, ModelView):
    __name__ = 'egov.workflow.instance'
    __string__ = "Process Instance"
    _egov_visibility = 'unit'
    # Masked in the audit (egov_base audit/policy.py): the engine's state
    # holds the forms' values
    _egov_personal_fields = frozenset({'engine_state'})

    process = fields.Many2One(
        'egov.workflow.process', "Process", required=True, readonly=True,
        ondelete='RESTRICT')
    # Eager: the engine reads it with the rest every time (a column)
    record = fields.Reference(
        "Record", selection='get_models', required=True, readonly=True,
        loading='eager')
    title = fields.Char("Title", readonly=True)
    initiator = fields.Many2One(
        'res.user', "Initiator", required=True, readonly=True,
        ondelete='RESTRICT')
    initiator_post = fields.Many2One(
        'egov.org.post', "Initiator's Post", readonly=True,
        ondelete='RESTRICT')
    unit = fields.Many2One(
        'egov.org.unit', "Unit", readonly=True, ondelete='RESTRICT',
        help="The unit of the initiator: the instance belongs to it.")
    division = fields.Many2One(
        'egov.org.unit', "Division", readonly=True, ondelete='RESTRICT')
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    started_at = fields.Timestamp("Started At", readonly=True)
    ended_at = fields.Timestamp("Ended At", readonly=True)
    engine_state = fields.Text("Engine State", readonly=True)
    tasks = fields.One2Many(
        'egov.workflow.task', 'instance', "To-dos", readonly=True)
    opinions = fields.One2Many(
        'egov.workflow.opinion', 'instance', "Opinions", readonly=True)
    current_steps = fields.Function(
        fields.Char("Current Steps"), 'get_current')
    holders = fields.Function(fields.Char("Held By"), 'get_current')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.record, Index.Equality())),
                Index(t, (t.initiator, Index.Range()),
                    (t.started_at, Index.Range(order='DESC'))),
                Index(t, (t.unit, Index.Range()), (t.state, Index.Equality())),
                })
        cls._order = [('started_at', 'DESC'), ('id', 'DESC')]
        cls.__rpc__.update({
                'diagram': RPC(),
                })
        cls._buttons.update({
                'terminate': {
                    'invisible': Eval('state') != 'running',
                    'depends': ['state'],
                    },
                'open_monitor': {},
                })

    @classmethod
    def get_models(cls):
        Process = Pool().get('egov.workflow.process')
        return [(None, '')] + Process.get_models()

    @classmethod
    def default_state(cls):
        return 'running'

    def get_rec_name(self, name):
        return '%s - %s' % (self.process.name, self.title or '')

    @classmethod
    def get_current(cls, instances, name):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        result = {i.id: [] for i in instances}
        for task in Task.search([
                    ('instance', 'in', [i.id for i in instances]),
                    ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ], order=[('id', 'ASC')]):
            if name == 'current_steps':
                value = task.step_name
            else:
                value = task.holder_name
            if value not in result[task.instance.id]:
                result[task.instance.id].append(value)
        return {k: '、'.join(v) for k, v in result.items()}

    # The engine

    def engine(self):
        return Engine(self.process, self.initiator, self.form_data(),
            state=self.engine_state)

    def form_data(self):
        "The form values the conditions and rules read"
        record = self.record
        if record is None:
            return {}
        return record.workflow_data()

    @classmethod
    def lock_instances(cls, instances):
        """Wait for the other actions on these instances to end: of two
        people acting at once, the second sees what the first did"""
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        ids = [i.id for i in instances]
        if not ids:
            return
        if transaction.database.has_select_for():
            cursor.execute(*table.select(table.id,
                    where=table.id.in_(ids), for_=For('UPDATE')))
        else:
            # SQLite takes its write lock at the first write of a
            # transaction: write first, so that what is read next is what
            # the other transaction committed
            cursor.execute(*table.update(
                    [table.id], [table.id], where=table.id.in_(ids)))

    @classmethod
    def start(cls, record, process, user=None):
        "Start process for record as user; return the instance"
        instance, = cls.start_many([(record, process)], user=user)
        return instance

    @classmethod
    def start_many(cls, records_processes, user=None):
        """Start each (record, process) as user, in one go: the instances
        and their first to-dos are each written in one insert"""
        pool = Pool()
        User = pool.get('res.user')
        Task = pool.get('egov.workflow.task')
        transaction = Transaction()
        user = User(user or transaction.user)
        scope = User.get_org_scope(user.id)
        now = datetime.datetime.now()
        values, openings = [], []
        for record, process in records_processes:
            # The engine runs to the first steps before the instance is
            # written: one insert, no update
            engine = Engine(process, user, record.workflow_data())
            try:
                engine.run()
                openings.append(
                    cls._to_open(process, engine, engine.ready()))
            except RuleError as error:
                raise WorkflowError(rule_message(error))
            values.append({
                    'process': process.id,
                    'record': str(record),
                    'title': record.rec_name,
                    'initiator': user.id,
                    'initiator_post': scope['post'],
                    'unit': scope['unit'],
                    'division': scope['division'],
                    'started_at': now,
                    'engine_state': engine.dump(),
                    'state': 'done' if engine.completed else 'running',
                    'ended_at': now if engine.completed else None,
                    })
        with without_check_access():
            instances = cls.create(values)
            Task.open_for_many([(instance, to_open, None)
                    for instance, to_open in zip(instances, openings)])
        return instances

    @staticmethod
    def _to_open(process, engine, ready, known=(), return_to=None):
        """The to-dos to open for the ready engine tasks not known yet:
        (engine task id, step, user ids)"""
        to_open = []
        for task_id, task in ready.items():
            if task_id in known:
                continue
            step = process.step(task.task_spec.bpmn_id)
            if return_to and step['id'] in return_to:
                people = [return_to[step['id']]]
            else:
                people = engine.branch(task)
            to_open.append((task_id, step, people))
        return to_open

    def advance(self, engine, previous, return_to=None, agreed=False):
        """Run the engine, close the to-dos of tasks no longer waiting and
        open to-dos for the tasks that are; save the engine's state.

        previous: the to-do whose action led here (None at the start)
        return_to: {step id: user} for a step given back to who did it
        agreed: previous was agreed on: its step's copies go out when the
        step is over"""
        with without_check_access():
            self._advance(engine, previous, return_to, agreed)

    def _advance(self, engine, previous, return_to, agreed=False):
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        try:
            engine.run()
            ready = engine.ready()
            open_tasks = Task.search([
                    ('instance', '=', self.id),
                    ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ])
            Task.close([t for t in open_tasks if t.engine_task not in ready],
                'cancelled')
            to_open = self._to_open(self.process, engine, ready,
                known={t.engine_task for t in open_tasks},
                return_to=return_to)
            copies = []
            waiting = {t.task_spec.bpmn_id for t in ready.values()}
            if agreed and previous.step not in waiting:
                copies = engine.copies(self.process.step(previous.step))
        except RuleError as error:
            raise WorkflowError(rule_message(error))
        Task.open_for(self, to_open, previous)
        if copies:
            Task.send_copies(self, previous, copies)
        self.engine_state = engine.dump()
        if engine.completed:
            self.state = 'done'
            self.ended_at = datetime.datetime.now()
        self.save()
        self.record_changed()
        if engine.completed:
            self.notify_end()

    def advance_rejected(self, task):
        "Someone disagreed: the process ends as rejected"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Task.close([t for t in self.tasks if t.state == 'open'], 'cancelled')
        self.state = 'rejected'
        self.ended_at = datetime.datetime.now()
        self.save()
        self.record_changed()
        self.notify_end(task)

    def record_changed(self):
        """Tell the record where its process is; keep the title of the
        instance and of its to-dos the record's name (a step may edit it)"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        record = self.record
        if record is None:
            return
        title = record.rec_name
        if title != self.title:
            with without_check_access():
                self.__class__.write([self], {'title': title})
                Task.write(list(self.tasks), {'title': title})
        record.workflow_changed(self)

    def notify_end(self, task=None):
        """Tell the initiator, in their language, how the process ended:
        approved (已办结), not approved (task: the to-do disagreed on) or
        terminated"""
        record = self.record
        values = {'title': self.title or '', 'process': self.process.name}
        event = 'request_%s' % self.state
        if task is not None:
            values.update(step=task.step_name, user=task.user.rec_name)
            event = 'request_rejected_by'
        notice = {
            'user': self.initiator,
            'event': event,
            'values': values,
            }
        if record is not None:
            # Clicked, it opens the record (an action would open a second
            # tab beside it)
            notice.update(model=record.__name__, record=record.id)
        notify([notice])

    @classmethod
    @ModelView.button
    def terminate(cls, instances):
        "An administrator ends instances; their to-dos close"
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        check_write_access(cls, instances)
        cls.lock_instances(instances)
        for instance in instances:
            Task.close([t for t in instance.tasks if t.state == 'open'],
                'cancelled')
            instance.state = 'terminated'
            instance.ended_at = datetime.datetime.now()
            instance.save()
            instance.record_changed()
            instance.notify_end()

    @classmethod
    @ModelView.button_action('egov_workflow.url_instance_monitor')
    def open_monitor(cls, instances):
        from .process import page_url
        if not instances:
            return
        instance = instances[0]
        return {'url': page_url('monitor', instance.id)}

    @classmethod
    def diagram(cls, instance_id):
        """The process diagram and the state of its steps, for the
        monitoring view: {'bpmn', 'steps': {step: {state, holders, since}}}"""
        check_visible(cls, [instance_id])
        instance = cls(instance_id)
        engine = instance.engine()
        steps = {k: {'state': v} for k, v in engine.step_states().items()}
        for task in instance.tasks:
            info = steps.setdefault(task.step, {'state': 'waiting'})
            if task.state == 'open' and task.kind == 'todo':
                info.setdefault('holders', []).append(task.holder_name)
                since = task.create_date.isoformat(sep=' ')[:16]
                info['since'] = min(info.get('since', since), since)
            elif task.state == 'done':
                info.setdefault('done_by', []).append(task.holder_name)
        return {
            'bpmn': instance.process.bpmn,
            'title': instance.rec_name,
            'state': instance.state,
            'steps': steps,
            }

    def step_history(self):
        "The done to-dos in order, for returning to an earlier step"
        return [t for t in sorted(self.tasks, key=lambda t: t.id)
            if t.state == 'done' and t.kind == 'todo']

    def state_json(self):
        return json.loads(self.engine_state or '{}')
