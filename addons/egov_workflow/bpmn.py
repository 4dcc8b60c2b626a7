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
  egov:opinion, egov:signature
                 "required" or "optional" (default): whether acting on
                 the step needs a written opinion, a handwritten signature

Diagrams drawn in other modelers (Camunda 7 and 8, Signavio, bpmn.io,
Bizagi…) are read as the BPMN 2.0 they are: a diagram either runs or is
refused when it is saved, naming the element and what to change; what is
accepted never fails nor stalls for the shape of the diagram once an
instance runs. Element by element:

  read as drawn
    user tasks (the steps: one to-do per person or branch, multi-instance
    for countersigning), exclusive, inclusive and parallel gateways,
    embedded sub-processes, plain start events, plain and terminate end
    events, plain intermediate throw events (a milestone the engine passes)
  read as a user task
    a plain task or a manual task that carries egov:assignee: work a person
    does, outside the platform or not, and records as done on the to-do;
    without egov:assignee nobody would ever get the to-do (the engine would
    wait on it for ever), so it is refused
  documentation only (what Camunda 7 and 8 do with them as well)
    pools and lanes (who does a step is egov:assignee), message flows,
    empty black-box pools, text annotations, groups, data objects, data
    stores and their associations (every step reads the whole form; the
    engine is given a copy without them, since SpiffWorkflow would move
    values in and out of the steps' data and fail on the names it misses),
    vendor extension elements and attributes (only BPMN-namespace elements
    count), isExecutable="false" (half of the modelers write it by default)
  refused
    script, service and business rule tasks (no code runs), call
    activities, send and receive tasks; timer, message, signal, conditional,
    error, escalation, compensation, link and cancel events, whether start,
    intermediate, end or boundary events, event-based gateways and event
    sub-processes (the platform delivers no timers, messages nor signals to
    an instance: it would wait for ever; a time limit is egov:deadline);
    transactions, ad-hoc sub-processes, complex gateways, loops and
    multi-instance elements other than user tasks; conditions written for
    another engine (JUEL ${...}, FEEL =...), a condition on a flow that
    does not leave an exclusive or inclusive gateway, a flow of such a
    gateway without a condition that is not its default, a gateway that
    splits without a default flow or before anyone acted (the engine knows
    the form only once a step is done), an activity or event with several
    outgoing flows (only gateways split), a condition naming a field the
    form lacks, over-long, over-complex or over-expensive conditions.
"""
import ast
import codecs
import copy
import functools
import io
import re
from dataclasses import dataclass, field

from lxml import etree
from simpleeval import (
    EvalWithCompoundTypes, InvalidExpression, IterableTooLong, NumberTooHigh)
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment)

BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
EGOV_NS = 'http://yichun.gov.cn/schema/egov/bpmn'
MAX_SIZE = 512 * 1024
# The limit counts flow nodes (steps, events, gateways), not XML elements:
# a diagram's layout and the extensions of its modeler are not counted
MAX_NODES = 500
# Conditions: characters, parts (AST nodes), nesting, and the highest
# exponent (simpleeval's own MAX_POWER of 4,000,000 lets 9**3999999 cost
# seconds) and size in bits of a power
MAX_EXPRESSION = 1000
MAX_EXPRESSION_NODES = 200
MAX_EXPRESSION_DEPTH = 32
MAX_POWER = 100
MAX_POWER_BITS = 4096
# Every operation's result: whole numbers in bits, text and lists in items
# (simpleeval bounds text at 100,000 characters, shifts at 10,000 bits
# but products not at all)
MAX_INT_BITS = MAX_POWER_BITS
MAX_SEQUENCE = 10000

# Every flow node of BPMN 2.0
FLOW_NODES = {
    'startEvent', 'endEvent', 'intermediateThrowEvent',
    'intermediateCatchEvent', 'boundaryEvent', 'implicitThrowEvent',
    'task', 'userTask', 'manualTask', 'sendTask', 'receiveTask',
    'scriptTask', 'serviceTask', 'businessRuleTask', 'callActivity',
    'subProcess', 'transaction', 'adHocSubProcess',
    'exclusiveGateway', 'parallelGateway', 'inclusiveGateway',
    'eventBasedGateway', 'complexGateway',
    'callChoreography', 'choreographyTask', 'subChoreography',
    }
# What a process may contain: no script or service tasks (no code runs)
FORBIDDEN = {'scriptTask', 'serviceTask', 'businessRuleTask'}
# Flow nodes the platform does not run, whatever their settings
UNSUPPORTED = {
    'transaction', 'adHocSubProcess', 'complexGateway', 'implicitThrowEvent',
    'callChoreography', 'choreographyTask', 'subChoreography',
    }
# Tasks that are steps when they say who does them (egov:assignee)
PERSON_TASKS = {'task', 'manualTask'}
CONDITIONAL_GATEWAYS = {'exclusiveGateway', 'inclusiveGateway'}
# Documentation the engine is not given (see the module's docstring)
DATA_ELEMENTS = {
    'dataObject', 'dataObjectReference', 'dataStoreReference',
    'dataInputAssociation', 'dataOutputAssociation', 'ioSpecification',
    'property',
    }
EVENT_KINDS = {
    'timerEventDefinition': 'timer',
    'messageEventDefinition': 'message',
    'signalEventDefinition': 'signal',
    'conditionalEventDefinition': 'conditional',
    'errorEventDefinition': 'error',
    'escalationEventDefinition': 'escalation',
    'compensateEventDefinition': 'compensate',
    'linkEventDefinition': 'link',
    'cancelEventDefinition': 'cancel',
    'terminateEventDefinition': 'terminate',
    }
# The names a condition of an approval request may read besides the fields
# of its form (request.py)
REQUEST_NAMES = {'title'}
# Expressions the engine answers itself (see engine.py)
PEOPLE = '_people'
ENOUGH = '_enough'
EXPRESSION_FUNCTIONS = {
    'len': len, 'int': int, 'str': str, 'float': float,
    'min': min, 'max': max, 'any': any, 'all': all,
    }
# The codes whose messages are msg_bpmn_<code> (the others are
# msg_workflow_bpmn_<code>)
BPMN_CODES = {
    'encoding', 'two_pools', 'duplicate_id', 'too_many_nodes',
    'plain_task', 'manual_task', 'message_task', 'unsupported',
    'start_event', 'end_event', 'event', 'boundary_event', 'event_gateway',
    'event_sub_process', 'loop', 'multi_instance', 'split',
    'condition_not_gateway', 'no_condition', 'no_default', 'default_flow',
    'default_condition', 'condition_foreign', 'condition_too_long',
    'condition_too_complex', 'condition_power', 'unknown_name',
    'early_condition', 'schema', 'engine',
    }


class Label(str):
    "A detail of a DefinitionError shown translated: msg_bpmn_kind_<label>"


class DefinitionError(Exception):
    "A process definition is refused: code names the problem"

    def __init__(self, code, element=None, **detail):
        super().__init__(code, element, detail)
        self.code = code
        self.element = element
        self.detail = detail

    @property
    def message_id(self):
        if self.code.startswith(('limit_', 'act_')):
            return 'egov_workflow.msg_%s' % self.code
        if self.code in BPMN_CODES:
            return 'egov_workflow.msg_bpmn_%s' % self.code
        return 'egov_workflow.msg_workflow_bpmn_%s' % self.code


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
    # Whether acting needs an opinion, a handwritten signature
    opinion: str = 'optional'
    signature: str = 'optional'


@dataclass
class ProcessInfo:
    id: str
    name: str
    steps: dict
    order: list
    # (flow, names read) of each condition
    conditions: list = field(default_factory=list)


# Reading the file

# Chinese modelers on Windows write GBK and often label it GB2312: both
# are read as GB18030, which contains them
CODECS = {
    'gb2312': 'gb18030', 'gbk': 'gb18030', 'cp936': 'gb18030',
    'euc_cn': 'gb18030', 'gb18030': 'gb18030',
    }
DECLARATION = re.compile(r'^\s*<\?xml\b[^>]*\?>')
DECLARED_ENCODING = re.compile(
    r'''\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']''')


def _codec(name):
    "The Python codec of an encoding name, or None when unknown"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return CODECS.get(codec.replace('-', '_'), codec)


def decode_document(data):
    """Return the text of a BPMN document given as bytes (read in the
    encoding its byte order mark or its XML declaration names) or as text;
    its declaration no longer names an encoding, so that the text is read
    as what it is"""
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data)
        declared = None
        for bom, codec in [
                (codecs.BOM_UTF32_LE, 'utf-32'), (codecs.BOM_UTF32_BE,
                    'utf-32'), (codecs.BOM_UTF8, 'utf-8-sig'),
                (codecs.BOM_UTF16_LE, 'utf-16'), (codecs.BOM_UTF16_BE,
                    'utf-16')]:
            if data.startswith(bom):
                break
        else:
            if data.startswith(b'<\x00?\x00'):
                codec = 'utf-16-le'
            elif data.startswith(b'\x00<\x00?'):
                codec = 'utf-16-be'
            else:
                head = DECLARATION.match(
                    data[:200].decode('ascii', 'replace'))
                match = head and DECLARED_ENCODING.search(head.group())
                declared = match.group(1) if match else None
                codec = _codec(declared) if declared else 'utf-8'
        try:
            if codec is None:
                raise LookupError(declared)
            data = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            raise DefinitionError('encoding', value=declared or codec)
    text = data.lstrip('\ufeff \t\r\n')
    head = DECLARATION.match(text)
    if head:
        text = (DECLARED_ENCODING.sub('', head.group())
            + text[head.end():])
    return text


def _parser():
    "An XML parser that never resolves entities nor reads the network"
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=False, remove_comments=True)


def parse_xml(data):
    "Return the root element of a BPMN document, refusing hostile input"
    if not data or not data.strip():
        raise DefinitionError('empty')
    # UTF-16 takes twice the bytes of the same diagram in UTF-8
    if len(data) > 4 * MAX_SIZE:
        raise DefinitionError('too_large', size=len(data), limit=MAX_SIZE)
    data = decode_document(data).encode('utf-8')
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
    return root


def _local(element):
    return etree.QName(element).localname


def _bpmn_children(element, *names):
    """The BPMN-namespace children of element (named so, if names):
    extension elements and other vendors' elements are no part of it"""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        if qname.namespace != BPMN_NS or qname.localname == (
                'extensionElements'):
            continue
        if names and qname.localname not in names:
            continue
        yield child


def label(element):
    "How a message names an element: its name and its id"
    node = element.get('id') or _local(element)
    name = ' '.join((element.get('name') or '').split())
    if name and name != node:
        return '%s (%s)' % (name[:60], node)
    return node


# Checking a diagram

def analyse(data, names=None):
    """Check a BPMN document as the platform runs it and return the
    ProcessInfo of its executable process.

    names: the names a condition may read (the form's fields and the
    record's own); None: not checked"""
    root = parse_xml(data)
    process = _the_process(root)
    process_id = process.get('id')
    if not process_id:
        raise DefinitionError('no_id')
    nodes, flows, levels = {}, [], {}
    _collect(process, nodes, flows, levels)
    if len(nodes) > MAX_NODES:
        raise DefinitionError('too_many_nodes', count=len(nodes),
            limit=MAX_NODES)
    for element in nodes.values():
        _check_node(root, element, nodes)

    outgoing = {node: [] for node in nodes}
    flows_out = {node: [] for node in nodes}
    conditions = []
    for flow in flows:
        source, target = flow.get('sourceRef'), flow.get('targetRef')
        # A flow joins two nodes of one level: into or out of a
        # sub-process goes through its start and end events
        level = levels[flow.get('id')]
        if (source not in nodes or target not in nodes
                or levels[source] is not level
                or levels[target] is not level):
            raise DefinitionError('dangling_flow', element=flow.get('id'))
        outgoing[source].append(target)
        flows_out[source].append(flow)
    for node, element in nodes.items():
        conditions.extend(_check_outgoing(element, flows_out[node]))

    # The process and each embedded sub-process is a level of its own: one
    # start, every node reachable from it and able to reach an end
    start_of = {}
    for level in [process] + [e for e in nodes.values()
            if _local(e) == 'subProcess']:
        start_of[level] = _check_level(level, nodes, levels, outgoing)

    steps, order = {}, []
    for node in _walk_levels(start_of[process], nodes, outgoing, start_of):
        element = nodes[node]
        if not is_step(element):
            continue
        steps[node] = step_info(element)
        order.append(node)
    if not steps:
        raise DefinitionError('no_user_task')
    _check_early_conditions(
        start_of[process], nodes, outgoing, start_of, set(steps))
    # The BPMN 2.0 schema, then SpiffWorkflow: what they refuse cannot run
    _check_schema(root)
    try:
        build_spec(data, process_id)
    except ValidationException as e:
        raise DefinitionError('engine',
            element=getattr(e, 'id', None) or getattr(e, 'tag', ''))
    info = ProcessInfo(process_id, process.get('name') or process_id,
        steps, order, conditions)
    # Last: the diagram is sound, its conditions may read the wrong names
    if names is not None:
        check_names(info, names)
    return info


def check_names(info, names):
    "Refuse a condition of info that reads a name not in names"
    for flow, read in info.conditions:
        for name in read:
            if name not in names:
                raise DefinitionError('unknown_name', element=flow,
                    name=name, names='、'.join(sorted(names))[:300])


def _the_process(root):
    """The process that runs: the only one with flow nodes. A collaboration
    may have empty black-box pools, some modelers write them as empty
    processes"""
    processes = list(_bpmn_children(root, 'process'))
    real = [p for p in processes
        if any(_local(c) in FLOW_NODES or _local(c) == 'sequenceFlow'
            for c in _bpmn_children(p))]
    if len(real) > 1:
        participants = {p.get('processRef'): p for p in root.iter(
                '{%s}participant' % BPMN_NS)}
        pools = [label(participants.get(p.get('id'), p)) for p in real]
        raise DefinitionError('two_pools',
            element='」「'.join(pools[:5]))
    if not real:
        raise DefinitionError('one_process', count=0)
    return real[0]


def _collect(level, nodes, flows, levels):
    """Collect the flow nodes and sequence flows of level (the process or
    a sub-process) and of its sub-processes; levels: {id: its level}"""
    for child in _bpmn_children(level):
        kind = _local(child)
        if kind not in FLOW_NODES and kind != 'sequenceFlow':
            continue
        node = child.get('id')
        if not node:
            raise DefinitionError('no_id')
        if node in levels:
            raise DefinitionError('duplicate_id', element=node)
        levels[node] = level
        if kind == 'sequenceFlow':
            flows.append(child)
            continue
        nodes[node] = child
        if kind == 'subProcess' and child.get('triggeredByEvent') != 'true':
            _collect(child, nodes, flows, levels)


def is_step(element):
    "Whether the flow node is a step done by people (a user task)"
    kind = _local(element)
    return kind == 'userTask' or (kind in PERSON_TASKS
        and bool((element.get('{%s}assignee' % EGOV_NS) or '').strip()))


def _event_kinds(root, element):
    "The kinds of the event definitions of an event element"
    kinds = []
    for child in _bpmn_children(element):
        name = _local(child)
        if name == 'eventDefinitionRef':
            # A definition shared by events is a root element
            ref = (child.text or '').strip()
            found = [e for e in root if isinstance(e.tag, str)
                and e.get('id') == ref]
            name = _local(found[0]) if found else 'messageEventDefinition'
        if name in EVENT_KINDS:
            kinds.append(EVENT_KINDS[name])
    return kinds


def _kind_label(kinds):
    if len(kinds) > 1:
        return Label('multiple')
    return Label(kinds[0] if kinds else 'none')


def _check_node(root, element, nodes):
    "Refuse a flow node the platform does not run as drawn"
    kind = _local(element)
    node = element.get('id')
    if kind in FORBIDDEN:
        raise DefinitionError('forbidden', element=node, kind=kind)
    if kind == 'callActivity':
        # A process stands alone, versioned by itself: a step that
        # calls another process would follow that one's changes
        raise DefinitionError('call_activity', element=node)
    if kind in {'sendTask', 'receiveTask'}:
        raise DefinitionError('message_task', element=label(element))
    if kind in UNSUPPORTED:
        raise DefinitionError('unsupported', element=label(element),
            kind=kind)
    if kind == 'eventBasedGateway':
        raise DefinitionError('event_gateway', element=label(element))
    if kind == 'subProcess' and element.get('triggeredByEvent') == 'true':
        raise DefinitionError('event_sub_process', element=label(element))
    if kind in PERSON_TASKS and not is_step(element):
        raise DefinitionError(
            'plain_task' if kind == 'task' else 'manual_task',
            element=label(element))
    if 'Event' in kind:
        kinds = _event_kinds(root, element)
        if kind == 'boundaryEvent':
            attached = nodes.get(element.get('attachedToRef'))
            raise DefinitionError('boundary_event', element=label(element),
                kind=_kind_label(kinds),
                step=label(attached) if attached is not None
                else element.get('attachedToRef') or '')
        if kind == 'startEvent' and kinds:
            raise DefinitionError('start_event', element=label(element),
                kind=_kind_label(kinds))
        if kind == 'endEvent' and kinds and kinds != ['terminate']:
            raise DefinitionError('end_event', element=label(element),
                kind=_kind_label(kinds))
        if kind == 'intermediateThrowEvent' and kinds or (
                kind == 'intermediateCatchEvent'):
            raise DefinitionError('event', element=label(element),
                kind=_kind_label(kinds))
    if next(_bpmn_children(element, 'standardLoopCharacteristics'), None) \
            is not None:
        raise DefinitionError('loop', element=label(element))
    if (next(_bpmn_children(element, 'multiInstanceLoopCharacteristics'),
                None) is not None and not is_step(element)):
        raise DefinitionError('multi_instance', element=label(element))


def _check_outgoing(element, flows):
    """Only gateways split the way; the ways out of an exclusive or
    inclusive gateway have conditions but one, its default. Return the
    (flow, names read) of the conditions"""
    kind = _local(element)
    gateway = kind.endswith('Gateway')
    if len(flows) > 1 and not gateway:
        raise DefinitionError('split', element=label(element),
            count=len(flows))
    default = element.get('default')
    conditions = {f.get('id'): next(
            _bpmn_children(f, 'conditionExpression'), None) for f in flows}
    # A gateway that chooses: each way but the default has a condition
    conditional = kind in CONDITIONAL_GATEWAYS and (len(flows) > 1 or any(
            c is not None for c in conditions.values()))
    ids = {f.get('id') for f in flows}
    result = []
    if default and kind in CONDITIONAL_GATEWAYS and default not in ids:
        raise DefinitionError('default_flow', element=label(element),
            value=default)
    for flow in flows:
        condition = conditions[flow.get('id')]
        if condition is None:
            if conditional and flow.get('id') != default:
                raise DefinitionError('no_condition', element=label(flow),
                    gateway=label(element))
            continue
        if kind not in CONDITIONAL_GATEWAYS:
            raise DefinitionError('condition_not_gateway',
                element=label(flow), source=label(element))
        if flow.get('id') == default:
            raise DefinitionError('default_condition', element=label(flow))
        language = (condition.get('language') or '').lower()
        text = ''.join(condition.itertext())
        if language and language not in {'python', 'text/x-python'}:
            raise DefinitionError('condition_foreign', element=label(flow),
                text=text.strip()[:80], suggestion='days > 3')
        result.append(
            (label(flow), check_expression(text, label(flow))))
    if conditional and not default:
        raise DefinitionError('no_default', element=label(element))
    return result


def _check_level(level, nodes, levels, outgoing):
    """Check the nodes directly in level (the process or a sub-process) and
    return the id of its start event"""
    own = {n for n in nodes if levels[n] is level}
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


def _check_early_conditions(start, nodes, outgoing, start_of, steps):
    """Refuse a gateway that chooses its way before anyone acted: the
    engine is given the form's values when a step is done"""
    def before_steps(start):
        "The nodes reached from start before any step, whether an end is"
        seen, todo, ends = set(), [start], False
        while todo:
            node = todo.pop()
            if node in seen or node in steps:
                continue
            seen.add(node)
            element = nodes[node]
            passes = True
            if _local(element) == 'endEvent':
                ends = True
            elif _local(element) == 'subProcess':
                inner, passes = before_steps(start_of[element])
                seen |= inner
            if passes:
                todo.extend(outgoing[node])
        return seen, ends

    early, _ = before_steps(start)
    for node in sorted(early):
        element = nodes[node]
        if _local(element) in CONDITIONAL_GATEWAYS and len(
                outgoing[node]) > 1:
            raise DefinitionError('early_condition', element=label(element))


def _check_schema(root):
    "Refuse what does not follow the BPMN 2.0 XML schema, naming where"
    document = copy.deepcopy(root)
    schema = validator()
    schema.preprocess(document)
    if schema.validator.validate(document):
        return
    error = schema.validator.error_log.last_error
    line = error.line if error is not None else 0
    element = None
    for candidate in root.iter():
        if isinstance(candidate.tag, str) and candidate.sourceline == line:
            element = candidate
            break
    # Named by the nearest element with an id (a step, a flow…)
    while element is not None and not element.get('id') and (
            element.getparent() is not None):
        element = element.getparent()
    raise DefinitionError('schema',
        element=label(element) if element is not None else '?', line=line)


def _walk_levels(start, nodes, outgoing, start_of):
    "The nodes in a natural order, the inside of a sub-process at its place"
    for node in _walk_ordered(start, outgoing):
        yield node
        if _local(nodes[node]) == 'subProcess':
            yield from _walk_levels(
                start_of[nodes[node]], nodes, outgoing, start_of)


def _setting_number(value, low, high):
    "The number of a setting written in ASCII digits, within bounds"
    # str.isdigit() is true for "²" and "٣", which int() takes or refuses
    if not (value.isascii() and value.isdigit()) or len(value) > 4:
        return None
    number = int(value)
    return number if low <= number <= high else None


def step_info(element):
    "Return the StepInfo of a user task element"
    get = lambda name: (element.get('{%s}%s' % (EGOV_NS, name)) or '').strip()
    node = element.get('id')
    assignee = get('assignee')
    if not assignee:
        raise DefinitionError('no_assignee', element=node)
    deadline = get('deadline')
    if deadline:
        if _setting_number(deadline, 1, 365) is None:
            raise DefinitionError('deadline', element=node,
                value=deadline[:20])
        deadline = int(deadline)
    else:
        deadline = None
    mode = get('mode') or 'all'
    if mode not in {'all', 'any'} and _setting_number(mode, 1, 999) is None:
        raise DefinitionError('mode', element=node, value=mode[:20])
    loop = next(
        _bpmn_children(element, 'multiInstanceLoopCharacteristics'), None)
    if loop is not None and loop.get('isSequential') == 'true':
        raise DefinitionError('sequential', element=node)
    fields = {}
    for rule in filter(None, get('fields').split(',')):
        name, _, access = rule.partition(':')
        name, access = name.strip(), access.strip() or 'read'
        if access not in {'hidden', 'read', 'edit', 'required'}:
            raise DefinitionError('field_rule', element=node, value=rule)
        fields[name] = access
    needs = {}
    for name in ['opinion', 'signature']:
        needs[name] = get(name) or 'optional'
        if needs[name] not in {'required', 'optional'}:
            raise DefinitionError('act_requirement', element=node,
                attribute=name, value=needs[name][:20])
    return StepInfo(
        id=node, name=element.get('name') or node, assignee=assignee,
        deadline=deadline, mode=mode, multi=loop is not None,
        fields=fields, cc=get('cc'), **needs)


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

# The syntax a condition may use: comparisons, arithmetic, and, or, not,
# if-else, lists and tuples of values, the functions of
# EXPRESSION_FUNCTIONS; no attribute, subscript, comprehension nor lambda
EXPRESSION_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add,
    ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is,
    ast.IsNot, ast.IfExp, ast.Call, ast.Name, ast.Load, ast.Constant,
    ast.List, ast.Tuple,
    )
# Conditions written for other engines: JUEL (Camunda 7, Activiti,
# Flowable) and FEEL (Camunda 8)
JUEL = re.compile(r'^[$#]\{(.*)\}$', re.DOTALL)


def _power(base, exponent):
    "A power whose exponent and result stay small"
    if isinstance(exponent, (int, float)) and abs(exponent) > MAX_POWER:
        raise NumberTooHigh('power')
    if (isinstance(base, int) and isinstance(exponent, int)
            and base.bit_length() * abs(exponent) > MAX_POWER_BITS):
        raise NumberTooHigh('power')
    return base ** exponent


def _bits(value):
    return abs(value).bit_length() if isinstance(value, int) else 0


def _length(value):
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def _multiply(a, b):
    "A product whose size is known to stay small before it is computed"
    if _bits(a) + _bits(b) > MAX_INT_BITS:
        raise NumberTooHigh('multiplication')
    if (_length(a) * abs(b if isinstance(b, int) else 0) > MAX_SEQUENCE
            or _length(b) * abs(a if isinstance(a, int) else 0)
            > MAX_SEQUENCE):
        raise IterableTooLong('repetition')
    return a * b


def _add(a, b):
    if _length(a) + _length(b) > MAX_SEQUENCE:
        raise IterableTooLong('addition')
    return a + b


def _shift(a, b):
    if isinstance(b, int) and _bits(a) + b > MAX_INT_BITS:
        raise NumberTooHigh('shift')
    return a << b


class _Names(dict):
    """The form's values: a field left empty is not among them, and a
    condition reads it as None (the names were checked when saved)"""

    def __missing__(self, key):
        return None


def _evaluator(names):
    evaluator = EvalWithCompoundTypes(
        names=_Names(names), functions=dict(EXPRESSION_FUNCTIONS))
    evaluator.operators[ast.Pow] = _power
    evaluator.operators[ast.Mult] = _multiply
    evaluator.operators[ast.Add] = _add
    evaluator.operators[ast.LShift] = _shift
    return evaluator


def parse_expression(text, element=None):
    """Return the syntax tree of a condition, refusing what is not a
    plain, bounded expression"""
    if len(text) > MAX_EXPRESSION:
        raise DefinitionError('condition_too_long', element=element,
            size=len(text), limit=MAX_EXPRESSION)
    try:
        tree = ast.parse(text, mode='eval')
    except (SyntaxError, ValueError):
        raise DefinitionError('condition', element=element, text=text[:80])
    except (MemoryError, RecursionError):
        raise DefinitionError('condition_too_complex', element=element,
            limit=MAX_EXPRESSION_NODES)
    count, todo = 0, [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        count += 1
        if count > MAX_EXPRESSION_NODES or depth > MAX_EXPRESSION_DEPTH:
            raise DefinitionError('condition_too_complex', element=element,
                limit=MAX_EXPRESSION_NODES)
        if not isinstance(node, EXPRESSION_NODES) or (
                isinstance(node, ast.Call) and (
                    not isinstance(node.func, ast.Name)
                    or node.func.id not in EXPRESSION_FUNCTIONS
                    or node.keywords)) or (
                isinstance(node, ast.Name) and node.id.startswith('_')):
            raise DefinitionError('condition', element=element,
                text=text[:80])
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


def check_expression(text, element, names=None):
    """Refuse a condition that is not a plain expression over the form's
    fields (names, when given); return the names it reads"""
    text = (text or '').strip()
    if not text:
        raise DefinitionError('empty_condition', element=element)
    foreign = JUEL.match(text)
    if foreign or text.startswith('='):
        suggestion = foreign.group(1) if foreign else text[1:]
        raise DefinitionError('condition_foreign', element=element,
            text=text[:80], suggestion=' '.join(suggestion.split())[:80])
    tree = parse_expression(text, element)
    functions = {id(n.func) for n in ast.walk(tree)
        if isinstance(n, ast.Call)}
    read, constant = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in functions:
            read.append(node.id)
        elif isinstance(node, ast.BinOp):
            if not any(isinstance(n, ast.Name) for n in ast.walk(node)):
                constant.append(node)
            elif (isinstance(node.op, ast.Pow)
                    and isinstance(node.right, ast.Constant)
                    and isinstance(node.right.value, (int, float))
                    and abs(node.right.value) > MAX_POWER):
                raise DefinitionError('condition_power', element=element,
                    limit=MAX_POWER)
    # Refused now what could only fail when an instance runs: the parts
    # made of constants are computed within the bounds, innermost first
    # (ast.walk goes breadth first) so that the refusal names the culprit
    for node in reversed(constant):
        evaluator = _evaluator({})
        evaluator.expr = text
        try:
            evaluator._eval(node)
        except (NumberTooHigh, IterableTooLong):
            if isinstance(node.op, ast.Pow):
                raise DefinitionError('condition_power',
                    element=element, limit=MAX_POWER)
            raise DefinitionError('limit_condition_size', element=element,
                bits=MAX_INT_BITS, length=MAX_SEQUENCE)
        except (InvalidExpression, ArithmeticError, TypeError, ValueError):
            pass
    if names is not None:
        for name in read:
            if name not in names:
                raise DefinitionError('unknown_name', element=element,
                    name=name, names='、'.join(sorted(names))[:300])
    return read


@functools.lru_cache(maxsize=256)
def _checked(expression):
    "The syntax tree of an expression to evaluate, checked once"
    return parse_expression(expression)


class ExpressionEnvironment(BasePythonScriptEngineEnvironment):
    "Evaluate gateway conditions with simpleeval; run no script at all"

    def evaluate(self, expression, context, external_context=None):
        names = dict(context)
        names.update(external_context or {})
        # Checked again: a process saved before the checks may run still
        tree = _checked(expression.strip())
        return _evaluator(names).eval(expression, previously_parsed=tree.body)

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
    # SpiffWorkflow parses with its own lxml parser: give it the document
    # parsed safely instead of the bytes
    root = copy.deepcopy(parse_xml(data))
    _engine_copy(root, process_id)
    _engine_multi_instances(root)
    parser.add_bpmn_xml(root.getroottree(), filename='%s.bpmn' % process_id)
    return (parser.get_spec(process_id),
        parser.get_subprocess_specs(process_id))


def _engine_copy(root, process_id):
    """Make root the diagram as the engine runs it: without the modelers'
    extensions and the data documentation, executable, with the tasks that
    say who does them as user tasks"""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        if qname.namespace == BPMN_NS and (
                qname.localname == 'extensionElements'
                or qname.localname in DATA_ELEMENTS):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    for process in _bpmn_children(root, 'process'):
        if process.get('id') == process_id:
            # What runs is the platform's to say (analyse), not the flag
            # a modeler writes by default
            process.set('isExecutable', 'true')
    for element in list(root.iter(
                *('{%s}%s' % (BPMN_NS, k) for k in PERSON_TASKS))):
        if is_step(element):
            element.tag = '{%s}userTask' % BPMN_NS


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
