"""gunicorn hooks of the load test: the web workers' CPU time per operation.

Locust names each call in the header X-Load-Operation. A sync worker serves
one request at a time, so the process's CPU time between pre_request and
post_request is that request's (the Python side: PostgreSQL's backends are
counted apart, see tests/load/run). Each worker writes its totals to
$EGOV_LOAD_CPU_DIR/worker-<pid>.json when it exits."""
import json
import os
import time

HEADER = 'X-LOAD-OPERATION'
_started = {}
_totals = {}


def _operation(req):
    for name, value in req.headers:
        if name == HEADER:
            return value
    return 'other'


def pre_request(worker, req):
    _started['cpu'] = time.process_time()


def post_request(worker, req, environ, resp):
    started = _started.pop('cpu', None)
    if started is None:
        return
    name = _operation(req)
    calls, seconds = _totals.get(name, (0, 0.0))
    _totals[name] = (calls + 1, seconds + time.process_time() - started)


def worker_exit(server, worker):
    directory = os.environ.get('EGOV_LOAD_CPU_DIR')
    if not directory:
        return
    path = os.path.join(directory, 'worker-%d.json' % os.getpid())
    with open(path, 'w', encoding='utf-8') as fp:
        json.dump({name: {'calls': calls, 'cpu_s': seconds}
                for name, (calls, seconds) in _totals.items()}, fp)
