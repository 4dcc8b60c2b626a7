"""The inbox's first page against its floor, in one run, with what a call
over JSON-RPC adds (issue 18 item 3).

inbox_rpc   per round, for one person with open to-dos, in turn:
            floor      the page's rows by one hand-written query (psycopg)
            floor_tx   the same query as the first of a read-only
                       REPEATABLE READ transaction, as every Tryton call
                       runs it (BEGIN is one more round trip)
            orm_cold   Task.search_read in a transaction as the person,
                       its SQL built (the process's first time)
            orm        the same again, its SQL kept from the first time
            rpc        the same search_read as a JSON-RPC call through
                       trytond's WSGI application (in this process, no
                       socket): session check, JSON, dispatcher, access
            sao        what sao's list does: search, then read of the rows
                       (two calls)
            own_user   a one-row read of one's own user over JSON-RPC
            noop       common.server.version over JSON-RPC
            session    the session check alone (trytond.security.check)
The people log in once over JSON-RPC with the generator's password."""
import base64
import json
import time

from harness import percentile, summary, timed
from operations import operation, rounds
from operations_workflow import INBOX_FIELDS, PAGE

PASSWORD = 'Bench-2024-egov'
ORDER = [('create_date', 'DESC'), ('id', 'DESC')]


class Caller:
    "JSON-RPC calls to the WSGI application as one logged-in person"

    def __init__(self, client, database, login, password):
        self.client = client
        self.database = database
        self.login = login
        self.auth = None
        self.user_id, token, _ = self.call('common.db.login', login,
            {'password': password}, 'zh_CN')
        self.auth = 'Session ' + base64.b64encode(('%s:%s:%s' % (
                    login, self.user_id, token)).encode()).decode()
        self.context = self.call('model.res.user.get_preferences', True, {})

    def call(self, method, *params, database=True):
        headers = {'Content-Type': 'application/json'}
        if self.auth and database:
            headers['Authorization'] = self.auth
        response = self.client.post(
            '/%s/rpc/' % self.database if database else '/rpc/',
            data=json.dumps({'id': 1, 'method': method, 'params': params}),
            headers=headers)
        answer = json.loads(response.data)
        if 'error' in answer:
            raise RuntimeError(answer['error'])
        return answer['result']

    def model(self, model, method, *args):
        return self.call('model.%s.%s' % (model, method), *args,
            self.context)


def session_timer():
    """Wrap trytond.security.check (what every authenticated call starts
    with) to time it; return the list of its durations in ms"""
    from trytond import security
    from trytond.protocols import wrappers
    durations = []
    check = security.check

    def timed_check(*args, **kwargs):
        start = time.perf_counter()
        try:
            return check(*args, **kwargs)
        finally:
            durations.append((time.perf_counter() - start) * 1000)
    wrappers.security.check = timed_check
    return durations


@operation('inbox_rpc')
def inbox_rpc(bench):
    from werkzeug.test import Client

    from trytond.wsgi import app
    Task = bench.pool.get('egov.workflow.task')
    rows = bench.fetch(
        'SELECT u.login, u.id FROM egov_workflow_task t '
        'JOIN res_user u ON u.id = t."user" '
        "WHERE t.state = 'open' AND t.kind = 'todo' "
        "AND COALESCE(u.second_factor, '') = '' "
        'GROUP BY u.login, u.id HAVING COUNT(*) >= 3 ORDER BY u.id LIMIT 200')
    client = Client(app)
    callers = []
    for login, _ in bench.rng.sample(rows, min(8, len(rows))):
        try:
            callers.append(Caller(client, bench.database, login, PASSWORD))
        except RuntimeError:
            continue  # a password changed since the generator
    if not callers:
        return {'skipped': 'nobody with open to-dos logs in with %s'
            % PASSWORD}
    floor_query = (
        'SELECT t.id, t.title, t.step_name, t.process_name, t.sender_name, '
        't.create_date, t.deadline, t.state, t.kind '
        'FROM egov_workflow_task t '
        'WHERE t."user" = %s AND t.state = \'open\' AND t.kind = \'todo\' '
        'ORDER BY t.create_date DESC, t.id DESC LIMIT %s')
    sessions = session_timer()
    samples = {k: [] for k in ['floor', 'floor_tx', 'orm_cold', 'orm',
            'rpc', 'sao', 'own_user', 'noop', 'session']}
    mismatches = 0

    for n in rounds(bench):
        caller = bench.rng.choice(callers)
        user = caller.user_id
        domain = [('user', '=', user), ('state', '=', 'open'),
            ('kind', '=', 'todo')]
        floor, floor_rows = bench.timed_fetch(floor_query, (user, PAGE))
        floor_tx, _ = bench.timed_fetch_in_transaction(
            floor_query, (user, PAGE))
        # The person's list as the process first builds its SQL, then as
        # it keeps it (egov_workflow/search_cache.py)
        Task._search_cache.clear()
        with bench.as_user(user):
            orm_cold, _ = timed(Task.search_read, domain, 0, PAGE, ORDER,
                INBOX_FIELDS)
        with bench.as_user(user):
            orm, _ = timed(Task.search_read, domain, 0, PAGE, ORDER,
                INBOX_FIELDS)
        del sessions[:]
        rpc, page = timed(caller.model, 'egov.workflow.task', 'search_read',
            domain, 0, PAGE, ORDER, INBOX_FIELDS)
        session = sessions[-1]

        def sao():
            ids = caller.model('egov.workflow.task', 'search', domain, 0,
                PAGE, ORDER)
            return caller.model('egov.workflow.task', 'read', ids,
                INBOX_FIELDS)
        sao_ms, _ = timed(sao)
        own, _ = timed(caller.model, 'res.user', 'read', [user], ['name'])
        noop, _ = timed(caller.call, 'common.server.version',
            database=False)
        if n < 0:
            continue
        for key, value in [('floor', floor), ('floor_tx', floor_tx),
                ('orm_cold', orm_cold), ('orm', orm), ('rpc', rpc),
                ('sao', sao_ms), ('own_user', own), ('noop', noop),
                ('session', session)]:
            samples[key].append(value)
        if [r['id'] for r in page] != [r[0] for r in floor_rows]:
            mismatches += 1
    result = {key: summary(values) for key, values in samples.items()}
    p50 = {k: percentile(v, 50) for k, v in samples.items()}
    p95 = {k: percentile(v, 95) for k, v in samples.items()}
    result['ratios'] = {
        'orm_to_floor_p50': round(p50['orm'] / p50['floor'], 2),
        'orm_to_floor_p95': round(p95['orm'] / p95['floor'], 2),
        'orm_cold_to_floor_p50': round(p50['orm_cold'] / p50['floor'], 2),
        'orm_cold_to_floor_p95': round(p95['orm_cold'] / p95['floor'], 2),
        'orm_to_floor_tx_p50': round(p50['orm'] / p50['floor_tx'], 2),
        'orm_cold_to_floor_tx_p50': round(
            p50['orm_cold'] / p50['floor_tx'], 2),
        'rpc_to_floor_p50': round(p50['rpc'] / p50['floor'], 2),
        'rpc_to_own_user_p50': round(p50['rpc'] / p50['own_user'], 2),
        'sao_to_rpc_p50': round(p50['sao'] / p50['rpc'], 2),
        'session_share_of_rpc_p50': round(p50['session'] / p50['rpc'], 2),
        # The page's own work over RPC: what the call costs beyond a
        # one-row read's (both pay the session check and the dispatcher)
        'rpc_minus_own_user_p50_ms': round(p50['rpc'] - p50['own_user'], 3),
        }
    result['people'] = len(callers)
    result['mismatches'] = mismatches
    return result
