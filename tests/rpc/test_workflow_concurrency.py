"""Two people acting on the same step at once, or one person clicking
twice: exactly one transition happens, the others get a clear message."""
import concurrent.futures

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
PARALLEL = 50


def date(year, month, day):
    return {'__class__': 'date', 'year': year, 'month': month, 'day': day}


def start_request(session, admin, code, title, **values):
    process, = admin.model('egov.workflow.process', 'search', [
            ('code', '=', code), ('state', '=', 'active')], 0, 1, None)
    request, = session.model('egov.workflow.request', 'create', [dict({
                    'title': title, 'process': process}, **values)])
    session.model('egov.workflow.request', 'workflow_start', [request])
    return request


def open_tasks(session, request, step=None):
    "The open to-dos of session's user on the request"
    domain = [('instance.record', '=', 'egov.workflow.request,%s' % request),
        ('state', '=', 'open'), ('user', '=', session.user_id)]
    if step:
        domain.append(('step', '=', step))
    return session.search_read('egov.workflow.task', domain,
        ['id', 'step', 'user', 'user.login'])


def head_of(admin, node_id):
    "The login of the head of a unit or department"
    posts = admin.model('egov.org.post', 'search', [
            ('unit', '=', node_id), ('head', '=', True)], 0, None, None)
    assignment, = admin.search_read('egov.org.assignment', [
            ('post', 'in', posts)], ['employee.user.login'])
    return assignment['employee.']['user.']['login']


def department_of(admin, login):
    employee, = admin.search_read('egov.org.employee', [
            ('user.login', '=', login)], ['department', 'unit'])
    return employee['department'] or employee['unit']


def act_all(server, login, task_id, count):
    "count sessions of login decide task_id at the same moment"
    sessions = [Session(server, login, PASSWORD) for _ in range(count)]

    def act(session):
        try:
            session.model('egov.workflow.task', 'decide', [task_id],
                'approve', '同意', None, None)
            return 'done'
        except RPCError as error:
            return error.message
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(act, sessions))


@pytest.fixture(scope='module')
def admin(server):
    return Session(server, 'admin', PASSWORD)


def test_fifty_clicks_on_one_to_do(server, admin):
    xiena = Session(server, 'xiena', PASSWORD)
    request = start_request(xiena, admin, 'leave', '并发测试请假',
        values={'leave_type': '事假', 'days': 1, 'reason': '测试',
            'start_date': date(2026, 12, 1), 'end_date': date(2026, 12, 1)})
    task, = open_tasks(xiena, request)
    xiena.model('egov.workflow.task', 'decide', [task['id']], 'approve',
        None, None, None)
    head = Session(server, head_of(admin, department_of(admin, 'xiena')),
        PASSWORD)
    head_task, = open_tasks(head, request)
    results = act_all(server, head.login, head_task['id'], PARALLEL)
    assert results.count('done') == 1, results
    refusals = [r for r in results if r != 'done']
    assert len(refusals) == PARALLEL - 1
    for message in refusals:
        assert '已办理' in message, message
    opinions = xiena.search_read('egov.workflow.opinion', [
            ('instance.record', '=', 'egov.workflow.request,%s' % request),
            ('step_name', '=', '部门负责人审批')], ['id'])
    assert len(opinions) == 1
    state, = xiena.model('egov.workflow.request', 'read', [request],
        ['workflow_state'])
    assert state['workflow_state'] == 'done'


def test_countersign_at_the_same_moment(server, admin):
    "Both departments agree at once: the next step opens once"
    xiena = Session(server, 'xiena', PASSWORD)
    departments = admin.model('egov.org.unit', 'search', [
            ('unit.code', '=', '360902-002'), ('kind', '=', 'department'),
            ('name', 'in', ['秘书股', '综合股'])], 0, None, None)
    assert len(departments) == 2
    # On the demo's 发文 approval
    request = start_request(xiena, admin, 'outgoing_approval',
        '并发会签测试', values={'doc_type': '通知'},
        picked_units=[('create', [
                    {'key': 'cosign_units', 'unit': d} for d in departments])])
    reviewer = Session(server,
        head_of(admin, department_of(admin, 'xiena')), PASSWORD)
    for session, step in [(xiena, 'draft'), (reviewer, 'review')]:
        task, = open_tasks(session, request, step)
        session.model('egov.workflow.task', 'decide', [task['id']],
            'approve', None, None, None)
    sessions = [Session(server, head_of(admin, d), PASSWORD)
        for d in departments]
    cosign = [open_tasks(s, request, 'cosign')[0] for s in sessions]

    def act(args):
        session, task = args
        try:
            session.model('egov.workflow.task', 'decide', [task['id']],
                'approve', '会签同意', None, None)
            return 'done'
        except RPCError as error:
            return error.message
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(act, zip(sessions, cosign)))
    assert results == ['done', 'done'], results
    signer = Session(server, head_of(admin, departments_unit(admin)),
        PASSWORD)
    assert len(open_tasks(signer, request, 'sign')) == 1
    for session in sessions:
        assert open_tasks(session, request, 'cosign') == []


def departments_unit(admin):
    unit, = admin.model('egov.org.unit', 'search', [
            ('code', '=', '360902-002')], 0, None, None)
    return unit
