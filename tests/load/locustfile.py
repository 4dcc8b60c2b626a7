"""A morning at the office, over Tryton's JSON-RPC as the web client and the
phone pages speak it: log in, open the inbox, open a document, ask for a
day's leave, approve a to-do, search the 收文, register a 收文 (收发员
only), open the address book. Each person logs in once.

Two floors run in the same mix, so that every operation can be compared with
them under the same load: `floor_noop` (common.server.version: HTTP, JSON and
the dispatcher, no database) and `floor_own_user` (a one-row read of one's own
user: session check, transaction, access check).

Run by tests/load/run, which prepares the people (LOAD_PEOPLE: a JSON file
{"password": …, "staff": [login…], "clerks": [login…]}) and the servers.
LOAD_DATABASE names the database; LOAD_WAIT the think time in seconds between
two operations of one person (default 0: as fast as the server answers);
LOAD_MIX the proportions of the operations (MIXES below)."""
import base64
import datetime
import itertools
import json
import os
import random

from locust import FastHttpUser, between, constant, events, task
from pages import INBOX_DOMAIN_ORDER, INBOX_FIELDS

DATABASE = os.environ.get('LOAD_DATABASE', 'egov_load')
WAIT = float(os.environ.get('LOAD_WAIT', '0'))

# How often a person does each operation, relative to the others (a clerk
# registers besides).
# - writes: the mix this test began with, heavy on the engine: an eighth of
#   the calls write (a leave asked for as often as a to-do is approved),
#   about 40 writes a second at 300 requests a second.
# - seed: the old platform's proportions. Its 26 million 公文, meeting
#   notices and mails of 9 years (the specification) are about 11,600 a
#   working day; at three writes each (registered or drafted, two
#   decisions) and a third of a day's work in the morning's busiest hour,
#   that is about 10 writes a second. Here 2–3 % of the calls write: at
#   300 requests a second, 6–9 writes a second.
MIXES = {
    'writes': {'floor_noop': 2, 'floor_own_user': 2, 'inbox': 10,
        'open_document': 5, 'request_leave': 2, 'approve': 2, 'search': 3,
        'address_book': 3, 'register': 6},
    'seed': {'floor_noop': 4, 'floor_own_user': 4, 'inbox': 60,
        'open_document': 40, 'request_leave': 1, 'approve': 2, 'search': 20,
        'address_book': 20, 'register': 4},
    }
MIX = MIXES[os.environ.get('LOAD_MIX', 'writes')]

# The 收文 form's header (egov_document view/incoming_form.xml)
DOCUMENT_FIELDS = ['rec_name', 'title', 'source_name', 'source_number',
    'received_date', 'urgency', 'secrecy', 'deadline', 'receipt',
    'kind.rec_name', 'unit.rec_name', 'handlers', 'workflow_state']
INCOMING_LIST_FIELDS = ['rec_name', 'light', 'received_date', 'source_name',
    'source_number', 'title', 'urgency', 'secrecy', 'receipt']
DIRECTORY_FIELDS = ['name', 'mobile', 'phone', 'email', 'title',
    'department.rec_name', 'unit.rec_name']
SEARCH_WORDS = ['防汛', '安全生产', '通知', '会议', '乡村振兴', '营商环境',
    '疫情防控', '消防', '教育', '统计']
LEAVE_PROCESS_NAME = '请假'
SOURCES = ['宜春市人民政府办公室', '宜春市应急管理局', '袁州区人民政府',
    '宜春市教育局', '樟树市财政局', '丰城市卫生健康委员会']


def load_people():
    with open(os.environ['LOAD_PEOPLE'], encoding='utf-8') as fp:
        return json.load(fp)


PEOPLE = load_people() if os.environ.get('LOAD_PEOPLE') else {
    'password': '', 'staff': [], 'clerks': []}
# Each simulated person takes the next login of the shuffled lists
_STAFF = itertools.cycle(PEOPLE['staff'] or [''])
_CLERKS = itertools.cycle(PEOPLE['clerks'] or PEOPLE['staff'] or [''])


class RPCFault(Exception):
    pass


class Office(FastHttpUser):
    "A civil servant: the inbox, their documents, the address book"
    abstract = True
    wait_time = between(WAIT * 0.5, WAIT * 1.5) if WAIT else constant(0)
    logins = _STAFF

    def on_start(self):
        self.login = next(self.logins)
        self.session = None
        self.inbox = []
        self.log_in()
        # Each floor at least once per person: a short run compares too
        self.floor_noop()
        self.floor_own_user()

    # The protocol (tests/rpc/rpc.py)

    def rpc(self, name, method, *params, database=True):
        "POST one JSON-RPC call; the statistics are kept under name"
        url = '/%s/rpc/' % DATABASE if database else '/rpc/'
        # The operation's name lets the server count its CPU time per
        # operation (tests/load/gunicorn_cpu.py)
        headers = {'Content-Type': 'application/json',
            'X-Load-Operation': name}
        if self.session and database:
            user_id, token = self.session
            auth = '%s:%s:%s' % (self.login, user_id, token)
            headers['Authorization'] = 'Session ' + base64.b64encode(
                auth.encode()).decode()
        body = json.dumps({'id': 1, 'method': method, 'params': params},
            default=str)
        with self.client.post(url, data=body, headers=headers, name=name,
                catch_response=True) as response:
            if response.status_code != 200:
                response.failure('HTTP %s' % response.status_code)
                raise RPCFault(name)
            answer = response.json()
            if 'error' in answer:
                error = answer['error']
                response.failure('%s: %s' % (error[0], str(error[1])[:120]))
                raise RPCFault(name)
            return answer['result']

    def model(self, name, model, method, *args):
        return self.rpc(name, 'model.%s.%s' % (model, method), *args,
            self.rpc_context)

    def log_in(self):
        self.session = None
        user_id, token, _ = self.rpc('login', 'common.db.login', self.login,
            {'password': PEOPLE['password']}, 'zh_CN')
        self.user_id = user_id
        self.session = (user_id, token)
        self.rpc_context = {}
        self.rpc_context = self.rpc('login_preferences',
            'model.res.user.get_preferences', True, {})
        processes = self.model('login_preferences', 'egov.workflow.process',
            'search', [('code', '=', 'leave'), ('state', '=', 'active')],
            0, 1, None)
        self.leave_process = processes[0] if processes else None

    def run_task(self, function):
        try:
            function()
        except RPCFault:
            pass

    # The floors

    @task(MIX['floor_noop'])
    def floor_noop(self):
        self.run_task(lambda: self.rpc('floor_noop', 'common.server.version',
                database=False))

    @task(MIX['floor_own_user'])
    def floor_own_user(self):
        self.run_task(lambda: self.model('floor_own_user', 'res.user',
                'read', [self.user_id], ['name']))

    # The morning

    def open_inbox(self):
        self.inbox = self.model('inbox', 'egov.workflow.task', 'search_read',
            [('user', '=', self.user_id), ('state', '=', 'open'),
                ('kind', '=', 'todo')], 0, 20, INBOX_DOMAIN_ORDER,
            INBOX_FIELDS)

    @task(MIX['inbox'])
    def inbox(self):
        self.run_task(self.open_inbox)

    @task(MIX['open_document'])
    def open_document(self):
        def run():
            if not self.inbox:
                self.open_inbox()
            if not self.inbox:
                return
            todo = random.choice(self.inbox)
            (task,) = self.model('open_document.todo', 'egov.workflow.task',
                'read', [todo['id']], ['record', 'instance'])
            if task['record'] and task['record'].startswith(
                    'egov.document.incoming,'):
                record_id = int(task['record'].split(',')[1])
                self.model('open_document.form', 'egov.document.incoming',
                    'read', [record_id], DOCUMENT_FIELDS)
        self.run_task(run)

    @task(MIX['request_leave'])
    def request_leave(self):
        "A leave request filled in and submitted: its first to-do opens"
        def run():
            today = datetime.date.today()
            day = {'__class__': 'date', 'year': today.year,
                'month': today.month, 'day': today.day}
            (request,) = self.model('request_leave.create',
                'egov.workflow.request', 'create', [{
                        'title': '请假一天',
                        'process': self.leave_process,
                        'values': {'leave_type': '事假', 'days': 1,
                            'reason': '家中有事', 'start_date': day,
                            'end_date': day},
                        }])
            self.model('request_leave.submit', 'egov.workflow.request',
                'workflow_start', [request])
        if self.leave_process:
            self.run_task(run)

    @task(MIX['approve'])
    def approve(self):
        """Agree on a to-do of the inbox: the engine moves on, finds the
        next holder, opens their to-do and tells them. (The generated
        公文's to-dos have no engine state: the leave requests' are
        taken.)"""
        def run():
            self.open_inbox()
            todos = [t for t in self.inbox
                if t['process_name'] == LEAVE_PROCESS_NAME]
            if todos:
                self.model('approve', 'egov.workflow.task', 'decide',
                    [todos[0]['id']], 'approve', '同意。', None, None,
                    None)
        self.run_task(run)

    @task(MIX['search'])
    def search(self):
        "The 收文 list's search bar: ids newest first, then the first rows"
        def run():
            word = random.choice(SEARCH_WORDS)
            ids = self.model('search.ids', 'egov.document.incoming', 'search',
                [('rec_name', 'ilike', '%' + word + '%')], 0, 1000,
                [('received_date', 'DESC'), ('id', 'DESC')])
            if ids:
                self.model('search.rows', 'egov.document.incoming', 'read',
                    ids[:20], INCOMING_LIST_FIELDS)
        self.run_task(run)

    @task(MIX['address_book'])
    def address_book(self):
        "The staff directory opens on one's own unit"
        self.run_task(lambda: self.model('address_book', 'egov.org.employee',
                'search_read', [('in_my_unit', '=', True)], 0, 100, None,
                DIRECTORY_FIELDS))


class Staff(Office):
    weight = 9


class Clerk(Office):
    "A 收发员: the morning as everyone, and 收文 registered from paper"
    weight = 1
    logins = _CLERKS

    @task(MIX['register'])
    def register_incoming(self):
        def run():
            number = random.randint(1, 999)
            source = random.choice(SOURCES)
            (document,) = self.model('register.create',
                'egov.document.incoming', 'create', [{
                        'title': '关于做好%s工作的通知' % random.choice(
                            SEARCH_WORDS),
                        'source_name': source,
                        'source_number': '宜%s字〔%d〕%d号' % (
                            source[2:4], datetime.date.today().year, number),
                        }])
            self.model('register.submit', 'egov.document.incoming',
                'workflow_start', [document])
        self.run_task(run)


# Every response time and error, for exact percentiles in the report
# (locust's own are rounded to 10 ms above 100 ms)
SAMPLES = {}
ERRORS = {}


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    if exception:
        errors = ERRORS.setdefault(name, {})
        text = str(exception)[:160]
        errors[text] = errors.get(text, 0) + 1
    else:
        SAMPLES.setdefault(name, []).append(round(response_time, 3))


@events.test_start.add_listener
def _started(environment, **kwargs):
    SAMPLES['_started'] = [datetime.datetime.now().timestamp()]


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    "Errors are reported, not a failed run: the report judges them"
    environment.process_exit_code = 0
    path = os.environ.get('LOAD_SAMPLES')
    if path:
        started = SAMPLES.pop('_started', [None])[0]
        with open(path, 'w', encoding='utf-8') as fp:
            json.dump({'started': started,
                    'stopped': datetime.datetime.now().timestamp(),
                    'samples': SAMPLES, 'errors': ERRORS}, fp,
                ensure_ascii=False)
