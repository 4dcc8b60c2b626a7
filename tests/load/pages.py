"""Single pages at full rate, as the issue measured them: wrk (Debian
package wrk) with a few connections on one person's session against the
servers of tests/load/run, one page after the other:

noop      common.server.version: HTTP, JSON, the dispatcher, no database
own_user  res.user.read of one's own name: the session check, a
          transaction, the access check
inbox     egov.workflow.task.search_read of one's open to-dos, 20 rows,
          newest first (the phone's 我的待办, the locust mix's inbox)

Each page is first called once to check that it answers a result (a
JSON-RPC error comes back with HTTP 200, which wrk would count as done)."""
import json
import os
import re
import subprocess

# What the inbox list (egov_workflow view/task_list.xml) shows
INBOX_FIELDS = ['title', 'step_name', 'process_name', 'sender_name',
    'create_date', 'deadline', 'light', 'state', 'kind']
INBOX_DOMAIN_ORDER = [('create_date', 'DESC'), ('id', 'DESC')]
LUA = '''wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
wrk.body = %(body)s
'''
UNITS = {'us': 0.001, 'ms': 1.0, 's': 1000.0}


def calls(user_id, context):
    "{page: (on the database or not, JSON-RPC method, params)}"
    return {
        'noop': (False, 'common.server.version', []),
        'own_user': (True, 'model.res.user.read',
            [[user_id], ['name'], context]),
        'inbox': (True, 'model.egov.workflow.task.search_read',
            [[('user', '=', user_id), ('state', '=', 'open'),
                    ('kind', '=', 'todo')], 0, 20, INBOX_DOMAIN_ORDER,
                INBOX_FIELDS, context]),
        }


def lua_string(text):
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')


def parse(text):
    "Requests/s, requests, latency percentiles (ms) and errors of wrk"
    result = {
        'per_s': float(re.search(r'Requests/sec:\s+([\d.]+)', text)[1]),
        'requests': int(re.search(r'(\d+) requests in', text)[1]),
        }
    for percent, value, unit in re.findall(
            r'^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$', text, re.M):
        result['p%s_ms' % percent] = round(float(value) * UNITS[unit], 2)
    non_2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', text)
    socket = re.search(r'Socket errors: (.*)', text)
    result['errors'] = int(non_2xx[1]) if non_2xx else 0
    if socket:
        result['socket_errors'] = socket[1].strip()
    return result


# The inbox and the one-row read are compared in rounds, one after the
# other, so that what else the machine does (a checkpoint, autovacuum)
# weighs on both alike; a page's figures are over its rounds
ROUNDS = 3


def run(url, database, auth, user_id, context, directory, seconds=15,
        connections=8, threads=2, check=None, rounds=ROUNDS):
    """{page: figures}, and the inbox's rate against the one-row read's
    (over all rounds, and round by round); check(on the database, method,
    params) calls a page once and raises on an error. Each compared page
    runs for seconds in all, in rounds of seconds / rounds."""
    scripts = {}
    for name, (with_database, method, params) in calls(
            user_id, context).items():
        path = '/%s/rpc/' % database if with_database else '/rpc/'
        if check:
            check(with_database, method, params)
        body = json.dumps({'id': 1, 'method': method, 'params': params})
        script = os.path.join(directory, 'wrk-%s.lua' % name)
        with open(script, 'w', encoding='utf-8') as fp:
            fp.write(LUA % {
                    'auth': ('wrk.headers["Authorization"] = %s'
                        % lua_string(auth)) if with_database else '',
                    'body': lua_string(body)})
        scripts[name] = (script, url + path)
    compared = ['own_user', 'inbox']
    order = [('noop', 0)] + [(name, i)
        for i in range(rounds) for name in compared]
    outputs = {}
    for name, i in order:
        script, target = scripts[name]
        duration = seconds if name == 'noop' else max(1, seconds // rounds)
        done = subprocess.run(['wrk', '-t', str(min(threads, connections)),
                '-c', str(connections), '-d', '%ds' % duration, '--latency',
                '-s', script, target], capture_output=True, text=True,
            timeout=duration + 60, check=True)
        outputs.setdefault(name, []).append(parse(done.stdout))
        with open(os.path.join(directory, 'wrk-%s-%d.txt' % (name, i)), 'w',
                encoding='utf-8') as fp:
            fp.write(done.stdout)
    results = {name: over_rounds(figures)
        for name, figures in outputs.items()}
    results['inbox_rate_of_own_user'] = round(
        results['inbox']['per_s'] / results['own_user']['per_s'], 2)
    results['inbox_rate_of_own_user_by_round'] = [
        round(inbox['per_s'] / own['per_s'], 2)
        for own, inbox in zip(outputs['own_user'], outputs['inbox'])]
    return results


def over_rounds(figures):
    """One page's figures over its rounds of equal length: the rate of all
    its requests, the median round's percentiles, the worst p99"""
    if len(figures) == 1:
        return figures[0]
    result = {
        'per_s': round(sum(f['per_s'] for f in figures) / len(figures), 2),
        'requests': sum(f['requests'] for f in figures),
        'errors': sum(f['errors'] for f in figures),
        'per_s_by_round': [f['per_s'] for f in figures],
        }
    for key in ['p50_ms', 'p75_ms', 'p90_ms']:
        values = sorted(f[key] for f in figures if key in f)
        if values:
            result[key] = values[len(values) // 2]
    if any('p99_ms' in f for f in figures):
        result['p99_ms'] = max(f.get('p99_ms', 0) for f in figures)
    sockets = [f['socket_errors'] for f in figures if 'socket_errors' in f]
    if sockets:
        result['socket_errors'] = '; '.join(sockets)
    return result
