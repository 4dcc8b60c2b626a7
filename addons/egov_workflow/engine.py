"""The bridge to SpiffWorkflow: loading and saving an instance's state, and
answering the two expressions the engine asks the platform (how many people
a multi-instance step has, and whether enough of them agreed)."""
import logging
from contextlib import contextmanager
from uuid import UUID

from simpleeval import InvalidExpression

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from trytond.i18n import gettext

from .bpmn import ENOUGH, PEOPLE, DefinitionError, ExpressionEnvironment
from .exceptions import WorkflowError
from .rules import Resolver, RuleError

logger = logging.getLogger(__name__)
SERIALIZER = BpmnWorkflowSerializer()
# What the engine may raise while it moves an instance on: turned into a
# message in Chinese naming the step (never the database's errors, which
# Tryton retries, nor the platform's own messages)
ENGINE_ERRORS = (
    WorkflowException, InvalidExpression, DefinitionError, ArithmeticError,
    LookupError, TypeError, ValueError, AttributeError, RecursionError)


def json_safe(data):
    """The form values as the engine keeps them (in JSON): dates as ISO
    text (they still compare in order), numbers as floats"""
    import datetime
    from decimal import Decimal
    result = {}
    for key, value in (data or {}).items():
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, (list, tuple)):
            value = list(value)
        result[key] = value
    return result
BRANCHES = '_branches'
DECISION = '_decision'


class InstanceScriptEngine(PythonScriptEngine):
    "Conditions over form fields, and the platform's own two questions"

    def __init__(self, process, resolver):
        super().__init__(environment=ExpressionEnvironment())
        self.process = process
        self.resolver = resolver
        self.rule_error = None
        # The condition that could not be evaluated, for its message
        self.failed = None

    def evaluate(self, task, expression, external_context=None):
        if expression == PEOPLE:
            return self._people(task)
        if expression == ENOUGH:
            return self._enough(task)
        try:
            return super().evaluate(task, expression, external_context)
        except Exception:
            self.failed = (task, expression)
            raise

    def _people(self, task):
        "Resolve the branches of a multi-instance step, keep them, count"
        step = self.process.step(task.task_spec.bpmn_id)
        try:
            branches = self.resolver.resolve(step['assignee'])
        except RuleError as error:
            # Remembered and raised again by the engine: SpiffWorkflow
            # wraps exceptions of expressions
            self.rule_error = (step, error)
            raise
        task.internal_data[BRANCHES] = branches
        return len(branches)

    def _enough(self, task):
        step = self.process.step(task.task_spec.bpmn_id)
        needed = 1 if step['mode'] == 'any' else int(step['mode'])
        agreed = sum(1 for child in task.children
            if child.state == TaskState.COMPLETED
            and child.data.get(DECISION) == 'approve')
        return agreed >= needed


class Engine:
    "One instance's SpiffWorkflow, for the time of one action"

    def __init__(self, process, initiator, data, state=None):
        self.process = process
        self.resolver = Resolver(initiator, data)
        self.script_engine = InstanceScriptEngine(process, self.resolver)
        if state:
            self.workflow = SERIALIZER.deserialize_json(state)
            self.workflow.script_engine = self.script_engine
        else:
            spec, sub_specs = process.spec()
            self.workflow = BpmnWorkflow(
                spec, sub_specs, script_engine=self.script_engine)

    def dump(self):
        return SERIALIZER.serialize_json(self.workflow)

    def run(self):
        "Run the engine's own steps (gateways, events) as far as they go"
        with self._engine_errors():
            self.workflow.do_engine_steps()

    @contextmanager
    def _rule_errors(self):
        """A rule that finds nobody, raised while the engine moves on, comes
        out as the RuleError of its step (SpiffWorkflow wraps exceptions
        of expressions, or not, depending on where they arise)"""
        try:
            yield
        except (WorkflowException, RuleError):
            if self.script_engine.rule_error:
                step, error = self.script_engine.rule_error
                raise RuleError(error.code, step=step, **error.detail)
            raise

    @contextmanager
    def _engine_errors(self):
        """Whatever else stops the engine reaches the person as a message in
        Chinese naming the step, never as a trace in English; the details
        go to the log"""
        self.script_engine.failed = None
        try:
            with self._rule_errors():
                yield
        except RuleError:
            raise
        except ENGINE_ERRORS as error:
            logger.warning('process %s: the engine stopped',
                getattr(self.process, 'id', None), exc_info=True)
            raise WorkflowError(self._engine_message(error)) from error

    def _engine_message(self, error):
        failed = self.script_engine.failed
        task = getattr(error, 'task', None)
        if failed and (task is None or task is failed[0]):
            task, expression = failed
            return gettext('egov_workflow.msg_bpmn_runtime_condition',
                step=self._step_name(task.task_spec),
                condition=' '.join(expression.split())[:80])
        spec = task.task_spec if task is not None else getattr(
            error, 'task_spec', None)
        if spec is None:
            # The task that failed is left in error
            failing = self.workflow.get_tasks(state=TaskState.ERROR)
            spec = failing[-1].task_spec if failing else None
        return gettext('egov_workflow.msg_bpmn_runtime',
            step=self._step_name(spec))

    def _step_name(self, spec):
        "How a message names a step: its name in the diagram, or its id"
        if spec is None:
            return self.process.name
        return (getattr(spec, 'bpmn_name', None)
            or getattr(spec, 'bpmn_id', None) or spec.name)

    def ready(self):
        "The user tasks waiting for people: {task id (str): task}"
        return {str(t.id): t for t in self.workflow.get_tasks(
                state=TaskState.READY)
            if isinstance(t.task_spec, UserTask)}

    def task(self, task_id):
        return self.workflow.get_task_from_id(UUID(task_id))

    def branch(self, task):
        """The people of a ready task: the branch its multi-instance parent
        resolved for it, or its step's rule resolved now"""
        parent = task.parent
        if (parent is not None and BRANCHES in parent.internal_data
                and parent.task_spec.bpmn_id == task.task_spec.bpmn_id):
            index = task.internal_data.get('key_or_index', 0)
            return parent.internal_data[BRANCHES][index]
        step = self.process.step(task.task_spec.bpmn_id)
        try:
            branches = self.resolver.resolve(step['assignee'])
        except RuleError as error:
            raise RuleError(error.code, step=step, **error.detail)
        return sorted({u for branch in branches for u in branch})

    def copies(self, step):
        """The people who get a copy (抄送) of a step agreed on: its cc rule
        resolved now; nobody found is no reason to stop the process"""
        if not step.get('cc'):
            return []
        try:
            branches = self.resolver.resolve(step['cc'])
        except RuleError as error:
            if error.code == 'nobody':
                return []
            raise RuleError(error.code, step=step, **error.detail)
        return sorted({u for branch in branches for u in branch})

    def complete(self, task_id, data, decision):
        task = self.task(task_id)
        task.data.update(json_safe(data))
        task.data[DECISION] = decision
        # The next steps may be multi-instance: their people are resolved
        # now
        with self._engine_errors():
            task.run()

    def return_to(self, task_id, data):
        with self._engine_errors():
            self.workflow.reset_from_task_id(
                UUID(task_id), data=json_safe(data))

    @property
    def completed(self):
        return self.workflow.is_completed()

    def step_states(self):
        """{step id: 'done' | 'active' | 'waiting'} for the monitoring
        diagram"""
        states = {}
        for task in self.workflow.get_tasks():
            if not isinstance(task.task_spec, UserTask):
                continue
            bpmn_id = task.task_spec.bpmn_id
            if task.state == TaskState.READY:
                states[bpmn_id] = 'active'
            elif task.state == TaskState.COMPLETED:
                states.setdefault(bpmn_id, 'done')
            else:
                states.setdefault(bpmn_id, 'waiting')
        return states
