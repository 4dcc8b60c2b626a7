"""BPMN 2.0 process definitions: safe parsing, the platform's extension
attributes, validation, and SpiffWorkflow specs run by a script engine that
evaluates only restricted expressions.

The platform's attributes live in the namespace EGOV_NS on user tasks:
  egov:assignee  the assignment rule (see rules.py), e.g. "initiator",
                 "post:收发员", "head:initiator", "leader:initiator",
                 "user:zhangwei", "field:signers", "units:units:收发员",
                 "role:egov_base.group_org_admin"
  egov:deadline  the time limit, in working days
  egov:mode      for a multi-instance task: "all" (default) or "any", or a
                 number n: the step is done when n of them agreed
  egov:fields    per-step form rules: "title:edit,urgency:required,..."
  egov:cc        who gets a copy (抄送) once the step is agreed, an
                 assignment rule like egov:assignee
"""
import copy
import io
from dataclasses import dataclass, field

from lxml import etree
from simpleeval import EvalWithCompoundTypes
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment)

BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
EGOV_NS = 'http://yichun.gov.cn/schema/egov/bpmn'
MAX_SIZE = 512 * 1024
MAX_ELEMENTS = 2000
FLOW_NODES = {
    'startEvent', 'endEvent', 'userTask', 'task', 'manualTask',
    'exclusiveGateway', 'parallelGateway', 'inclusiveGateway',
    'callActivity', 'subProcess', 'intermediateThrowEvent',
    'intermediateCatchEvent', 'boundaryEvent', 'scriptTask', 'serviceTask',
    'businessRuleTask', 'sendTask', 'receiveTask', 'eventBasedGateway',
    }
# What a process may contain: no script or service tasks (no code runs)
FORBIDDEN = {'scriptTask', 'serviceTask', 'businessRuleTask'}
# Expressions the engine answers itself (see engine.py)
PEOPLE = '_people'
ENOUGH = '_enough'
EXPRESSION_FUNCTIONS = {
    'len': len, 'int': int, 'str': str, 'float': float,
    'min': min, 'max': max, 'any': any, 'all': all,
    }


class DefinitionError(Exception):
    "A process definition is refused: code names the problem"

    def __init__(self, code, element=None, **detail):
        super().__init__(code, element, detail)
        self.code = code
        self.element = element
        self.detail = detail


@dataclass
class StepInfo:
    "What the platform needs to know of a user task"
    id: str
    name: str
    assignee: str = ''
    deadline: int = None
    mode: str = 'all'
    multi: bool = False
    fields: dict = field(default_factory=dict)
    cc: str = ''


@dataclass
class ProcessInfo:
    id: str
    name: str
    steps: dict
    order: list


def _parser():
    "An XML parser that never resolves entities nor reads the network"
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=False, remove_comments=True)


def parse_xml(data):
    "Return the root element of a BPMN document, refusing hostile input"
    if isinstance(data, str):
        data = data.encode('utf-8')
    if not data or not data.strip():
        raise DefinitionError('empty')
    if len(data) > MAX_SIZE:
        raise DefinitionError('too_large', size=len(data), limit=MAX_SIZE)
    if b'<!DOCTYPE' in data or b'<!ENTITY' in data:
        raise DefinitionError('doctype')
    try:
        root = etree.parse(io.BytesIO(data), _parser()).getroot()
    except etree.XMLSyntaxError as e:
        raise DefinitionError('syntax', line=e.lineno or 0)
    if root.tag != '{%s}definitions' % BPMN_NS:
        raise DefinitionError('not_bpmn')
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        raise DefinitionError('too_many', limit=MAX_ELEMENTS)
    return root


def _local(element):
    return etree.QName(element).localname


def analyse(data):
    """Check a BPMN document as the platform runs it and return the
    ProcessInfo of its executable process"""
    root = parse_xml(data)
    processes = root.findall('{%s}process' % BPMN_NS)
    if len(processes) != 1:
        raise DefinitionError('one_process', count=len(processes))
    process, = processes
    process_id = process.get('id')
    if not process_id:
        raise DefinitionError('no_id')
    nodes = {}
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local(element)
        if name in FORBIDDEN:
            raise DefinitionError('forbidden', element=element.get('id'),
                kind=name)
        if name == 'callActivity':
            # A process stands alone, versioned by itself: a step that
            # calls another process would follow that one's changes
            raise DefinitionError('call_activity', element=element.get('id'))
        if name in FLOW_NODES:
            if not element.get('id'):
                raise DefinitionError('no_id')
            nodes[element.get('id')] = element
    flows = [f for f in process.iter('{%s}sequenceFlow' % BPMN_NS)]
    outgoing = {node: [] for node in nodes}
    for flow in flows:
        source, target = flow.get('sourceRef'), flow.get('targetRef')
        # A flow joins two nodes of one level: into or out of a
        # sub-process goes through its start and end events
        if (source not in nodes or target not in nodes
                or nodes[source].getparent() is not flow.getparent()
                or nodes[target].getparent() is not flow.getparent()):
            raise DefinitionError('dangling_flow', element=flow.get('id'))
        outgoing[source].append(target)
        for expression in flow.iter('{%s}conditionExpression' % BPMN_NS):
            check_expression(expression.text or '', flow.get('id'))
    # The process and each embedded sub-process is a level of its own: one
    # start, every node reachable from it and able to reach an end
    levels = [process] + [e for e in nodes.values()
        if _local(e) == 'subProcess']
    start_of = {}
    for level in levels:
        start_of[level] = _check_level(level, nodes, outgoing)

    steps, order = {}, []
    for node in _walk_levels(start_of[process], nodes, outgoing, start_of):
        element = nodes[node]
        if _local(element) != 'userTask':
            continue
        steps[node] = step_info(element)
        order.append(node)
    if not steps:
        raise DefinitionError('no_user_task')
    # The BPMN 2.0 schema, then SpiffWorkflow: what they refuse cannot run
    try:
        validator().validate(copy.deepcopy(root))
        build_spec(data, process_id)
    except ValidationException as e:
        raise DefinitionError('engine', element=getattr(e, 'id', None),
            message=str(e).splitlines()[0][:200])
    return ProcessInfo(process_id, process.get('name') or process_id,
        steps, order)


def _check_level(level, nodes, outgoing):
    """Check the nodes directly in level (the process or a sub-process) and
    return the id of its start event"""
    own = {n for n, e in nodes.items() if e.getparent() is level}
    starts = [n for n in own if _local(nodes[n]) == 'startEvent']
    ends = {n for n in own if _local(nodes[n]) == 'endEvent'}
    element = None if _local(level) == 'process' else level.get('id')
    if len(starts) != 1:
        raise DefinitionError('sub_one_start' if element else 'one_start',
            element=element, count=len(starts))
    if not ends:
        raise DefinitionError('sub_no_end' if element else 'no_end',
            element=element)
    # A cycle with no way out would keep people in a loop forever
    reachable = _walk(starts[0], outgoing)
    for node in own:
        if node not in reachable:
            raise DefinitionError('unreachable', element=node)
    reverse = {node: [] for node in own}
    for source in own:
        for target in outgoing[source]:
            reverse[target].append(source)
    can_end = set()
    for end in ends:
        can_end |= _walk(end, reverse)
    for node in own:
        if node not in can_end:
            raise DefinitionError('no_way_out', element=node)
    return starts[0]


def _walk_levels(start, nodes, outgoing, start_of):
    "The nodes in a natural order, the inside of a sub-process at its place"
    for node in _walk_ordered(start, outgoing):
        yield node
        if _local(nodes[node]) == 'subProcess':
            yield from _walk_levels(
                start_of[nodes[node]], nodes, outgoing, start_of)


def step_info(element):
    "Return the StepInfo of a user task element"
    get = lambda name: (element.get('{%s}%s' % (EGOV_NS, name)) or '').strip()
    node = element.get('id')
    assignee = get('assignee')
    if not assignee:
        raise DefinitionError('no_assignee', element=node)
    deadline = get('deadline')
    if deadline:
        try:
            deadline = int(deadline)
        except ValueError:
            raise DefinitionError('deadline', element=node, value=deadline)
        if not 0 < deadline <= 365:
            raise DefinitionError('deadline', element=node, value=deadline)
    else:
        deadline = None
    mode = get('mode') or 'all'
    if mode not in {'all', 'any'} and not (mode.isdigit() and int(mode) > 0):
        raise DefinitionError('mode', element=node, value=mode)
    loop = element.find('{%s}multiInstanceLoopCharacteristics' % BPMN_NS)
    if loop is not None and loop.get('isSequential') == 'true':
        raise DefinitionError('sequential', element=node)
    fields = {}
    for rule in filter(None, get('fields').split(',')):
        name, _, access = rule.partition(':')
        name, access = name.strip(), access.strip() or 'read'
        if access not in {'hidden', 'read', 'edit', 'required'}:
            raise DefinitionError('field_rule', element=node, value=rule)
        fields[name] = access
    return StepInfo(
        id=node, name=element.get('name') or node, assignee=assignee,
        deadline=deadline, mode=mode, multi=loop is not None,
        fields=fields, cc=get('cc'))


def _walk(start, edges):
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(edges.get(node, []))
    return seen


def _walk_ordered(start, edges):
    "Nodes breadth first from start, for a natural order of the steps"
    seen, order, queue = {start}, [start], [start]
    while queue:
        node = queue.pop(0)
        for target in edges.get(node, []):
            if target not in seen:
                seen.add(target)
                order.append(target)
                queue.append(target)
    return order


# Conditions: a restricted expression language over form fields

def _evaluator(names):
    evaluator = EvalWithCompoundTypes(
        names=names, functions=dict(EXPRESSION_FUNCTIONS))
    return evaluator


def check_expression(text, element):
    "Refuse a condition that is not a plain expression"
    text = text.strip()
    if not text:
        raise DefinitionError('empty_condition', element=element)
    lowered = text.lower()
    if '__' in text or 'import' in lowered or 'lambda' in lowered:
        raise DefinitionError('condition', element=element, text=text[:80])
    try:
        import ast
        ast.parse(text, mode='eval')
    except SyntaxError:
        raise DefinitionError('condition', element=element, text=text[:80])


class ExpressionEnvironment(BasePythonScriptEngineEnvironment):
    "Evaluate gateway conditions with simpleeval; run no script at all"

    def evaluate(self, expression, context, external_context=None):
        names = dict(context)
        names.update(external_context or {})
        return _evaluator(names).eval(expression)

    def execute(self, script, context, external_context=None):
        raise DefinitionError('script')

    def call_service(self, context, **kwargs):
        raise DefinitionError('script')


SCRIPT_ENGINE = PythonScriptEngine(environment=ExpressionEnvironment())


_validator = None


def validator():
    "The BPMN 2.0 XML schema validator (loaded once: it takes a while)"
    global _validator
    if _validator is None:
        _validator = BpmnValidator()
    return _validator


def build_spec(data, process_id):
    """Return the SpiffWorkflow spec of process_id in the BPMN data and the
    specs of its embedded sub-processes"""
    parser = BpmnParser()
    if isinstance(data, str):
        data = data.encode('utf-8')
    # SpiffWorkflow parses with its own lxml parser: give it the document
    # parsed safely instead of the bytes
    root = copy.deepcopy(parse_xml(data))
    _engine_multi_instances(root)
    parser.add_bpmn_xml(root.getroottree(), filename='%s.bpmn' % process_id)
    return (parser.get_spec(process_id),
        parser.get_subprocess_specs(process_id))


def _engine_multi_instances(root):
    """Let the engine decide how many people a multi-instance step has and
    when it is done: its cardinality becomes PEOPLE and, unless everybody
    must act, its completion condition ENOUGH (see engine.py)"""
    for task in root.iter('{%s}userTask' % BPMN_NS):
        loop = task.find('{%s}multiInstanceLoopCharacteristics' % BPMN_NS)
        if loop is None:
            continue
        for child in list(loop):
            loop.remove(child)
        cardinality = etree.SubElement(
            loop, '{%s}loopCardinality' % BPMN_NS)
        cardinality.text = PEOPLE
        mode = task.get('{%s}mode' % EGOV_NS) or 'all'
        if mode != 'all':
            condition = etree.SubElement(
                loop, '{%s}completionCondition' % BPMN_NS)
            condition.text = ENOUGH
