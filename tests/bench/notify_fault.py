#!/usr/bin/env python3
"""Fault test of the notification service: SMS never lost, never doubled.

Runs the real pieces on PostgreSQL: a database with the platform (made by
generate.py, or cloned from one), the local Aliyun SMS service
(tests/fakes/aliyun_sms.py, the real SDK's protocol and signature) in a
process of its own, real `trytond-worker` processes, and the sweeper
(`egov.notify.delivery|process_due`, run here every few seconds in a
transaction, as trytond-cron would).

Scenario: messages sent by channels=['sms'] make --messages SMS deliveries,
queued over --duration seconds; the provider goes down (HTTP 503, then
refused connections) for --down seconds and comes back; the worker is
killed with SIGKILL while it holds claimed deliveries, and started again.
When nothing is queued or sending any more, the messages the provider took
are counted: each (message, number) once (0 lost, 0 duplicated), and every
delivery `sent` in the database. A JSON summary is printed.

    python tests/bench/notify_fault.py --dsn $URI --messages 10000
    python tests/bench/notify_fault.py --dsn $URI --messages 10000 --no-faults
    python tests/bench/notify_fault.py --dsn $URI --short

--no-faults queues everything at once and measures the worker's rate to
the local provider. --short is the quick check (300 deliveries, provider
down 4 s, one kill): it shortens the time after which the sweeper takes a
claim for a dead worker's (--stale, patched in this process, the sweeper's)
so that it ends in about a minute; the full run keeps the service's own
two minutes."""
import argparse
import collections
import datetime
import json
import math
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import psycopg
from psycopg.conninfo import make_conninfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
TEMPLATE_CODE = 'SMS_FAULT'
SMS_TEMPLATE = '${subject}：${text}'
# The platform's own template of messages sent by hand
MODULE, EVENT = 'egov_base', 'manual'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dsn', required=True,
        help="PostgreSQL URI of the server, without database")
    parser.add_argument('--database', default='egov_notify_fault')
    parser.add_argument('--template', metavar='DATABASE',
        help="clone this generated database (generate.py) instead of "
        "generating one")
    parser.add_argument('--template-current', action='store_true',
        help="the template was generated from the modules as they are now "
        "(the smoke test's): its schema needs no update")
    parser.add_argument('--reuse', action='store_true',
        help="keep the database if it has the platform (its notifications "
        "are emptied first)")
    parser.add_argument('--units', type=int, default=40,
        help="organisation generated when no database is there")
    parser.add_argument('--employees', type=int, default=2000)
    parser.add_argument('--messages', type=int, default=10000,
        help="SMS deliveries to make")
    parser.add_argument('--per-message', type=int, default=50,
        help="recipients of each message (20 or fewer: handed out in "
        "the request, more: by the worker)")
    parser.add_argument('--duration', type=float, default=30,
        help="seconds over which the messages are queued (0: at once)")
    parser.add_argument('--down', type=float, default=20,
        help="seconds the provider is down (half 503, half refused)")
    parser.add_argument('--workers', type=int, default=1,
        help="trytond-worker processes (the first is the one killed)")
    parser.add_argument('--processes', type=int, default=2,
        help="task processes of each worker (trytond-worker -n)")
    parser.add_argument('--sweep', type=float, default=5,
        help="seconds between two runs of the sweeper")
    parser.add_argument('--retry-delay', type=int, default=5,
        help="the policy's first retry delay (seconds; doubles)")
    parser.add_argument('--stale', type=float,
        help="seconds after which the sweeper takes a claim for a dead "
        "worker's (default: the service's own)")
    parser.add_argument('--timeout', type=float, default=900,
        help="give up when not done after this many seconds")
    parser.add_argument('--no-faults', action='store_true')
    parser.add_argument('--short', action='store_true',
        help="quick check: 300 deliveries, down 4 s, one kill")
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--keep', metavar='DIR',
        help="keep the configuration and the workers' logs in DIR")
    args = parser.parse_args(argv)
    if args.short:
        args.messages = min(args.messages, 300)
        args.per_message = 30
        args.duration = 6
        args.down = 4
        args.retry_delay = 1
        args.sweep = 1
        args.stale = args.stale or 8
        args.units, args.employees = 20, 200
        args.timeout = min(args.timeout, 120)
    if args.no_faults:
        args.duration = 0
    return args


def log(text, *values):
    print('[%7.1f] %s' % (time.monotonic() - START, text % values),
        file=sys.stderr, flush=True)


START = time.monotonic()


# The local provider, in a process of its own (its own GIL)

def fake_main(connection, templates):
    sys.path.insert(0, ROOT)
    import socketserver
    from tests.fakes.aliyun_sms import FakeAliyunSMS
    # A killed worker's connections reset: not worth a traceback
    socketserver.BaseServer.handle_error = lambda self, request, address: (
        None)
    fake = FakeAliyunSMS(templates=templates).start()
    connection.send(fake.settings())
    while True:
        command, args = connection.recv()
        if command == 'stop':
            fake.stop()
            connection.send(None)
            return
        elif command == 'down':
            fake.down(*args)
            answer = None
        elif command == 'up':
            fake.up()
            answer = None
        elif command == 'summary':
            with fake.lock:
                received = collections.Counter(
                    (r['params'].get('subject'), r['phone'])
                    for r in fake.records)
                answer = {
                    'received': list(received.items()),
                    'records': len(fake.records),
                    'duplicates': [list(k) + [n]
                        for k, n in fake.duplicates().items()],
                    'calls': dict(fake.calls),
                    'refused': dict(fake.refused),
                    }
        connection.send(answer)


class FakeProcess:
    "FakeAliyunSMS in a child process, driven through a pipe"

    def __init__(self):
        context = multiprocessing.get_context('fork')
        self.connection, child = context.Pipe()
        self.process = context.Process(target=fake_main,
            args=(child, {TEMPLATE_CODE: SMS_TEMPLATE}), daemon=True)
        self.process.start()
        self.settings = self.connection.recv()

    def call(self, command, *args):
        self.connection.send((command, args))
        return self.connection.recv()

    def stop(self):
        if self.process.is_alive():
            self.call('stop')
            self.process.join(5)


# The database

def connect(dsn, database, **kwargs):
    return psycopg.connect(make_conninfo(dsn, dbname=database), **kwargs)


def has_platform(dsn, database):
    try:
        with connect(dsn, database) as conn:
            return bool(conn.execute("SELECT to_regclass("
                    "'egov_notify_delivery')").fetchone()[0])
    except psycopg.OperationalError:
        return False


def prepare_database(args, config_path):
    if args.reuse and has_platform(args.dsn, args.database):
        log('reusing %s', args.database)
        update_schema(config_path, args.database)
    elif args.template:
        with connect(args.dsn, 'postgres', autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                % args.database)
            conn.execute('CREATE DATABASE "%s" TEMPLATE "%s"'
                % (args.database, args.template))
        log('cloned %s from %s', args.database, args.template)
        if not args.template_current:
            update_schema(config_path, args.database)
    else:
        log('generating %s (%d units, %d people)', args.database,
            args.units, args.employees)
        subprocess.run([sys.executable, os.path.join(HERE, 'generate.py'),
                '--uri', args.dsn, '--database', args.database,
                '--units', str(args.units), '--employees',
                str(args.employees), '--force'], check=True,
            stdout=subprocess.DEVNULL)
    # A run starts from no notification at all
    with connect(args.dsn, args.database) as conn:
        for table in ['ir_queue', 'egov_notify_reply', 'egov_notify_delivery',
                'egov_notify_message', 'res_notification',
                'egov_notify_quota', 'egov_notify_channel_rule',
                'egov_notify_provider']:
            conn.execute('DELETE FROM %s' % table)


def update_schema(config_path, database):
    "The schema of the modules as they are now (trytond-admin -u)"
    subprocess.run([os.path.join(BIN, 'trytond-admin'), '-c', config_path,
            '-d', database, '-u', 'egov_base', 'egov_workflow'],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log('schema of %s updated', database)


def render_config(args, directory):
    "The servers' configuration: the project's, with a worker on the dsn"
    env = dict(os.environ,
        TRYTOND_DATABASE__URI=args.dsn,
        TRYTOND_QUEUE__WORKER='True',
        # As in production on PostgreSQL (config/trytond.conf)
        TRYTOND_CACHE__CLEAN_TIMEOUT='0')
    env.pop('TRYTOND_CONFIG', None)
    path = os.path.join(directory, 'trytond.conf')
    subprocess.run([sys.executable, os.path.join(ROOT, 'scripts',
                'render-config'), path, '--dev-seal-key',
            os.path.join(directory, 'audit-seal.pem')], check=True, env=env)
    return path


class Worker:
    "A trytond-worker in a session of its own: SIGKILL takes all of it"

    def __init__(self, number, config_path, database, processes,
            directory):
        self.number = number
        self.command = [os.path.join(BIN, 'trytond-worker'), '-c',
            config_path, '-d', database, '-n', str(processes)]
        self.log_path = os.path.join(directory, 'worker-%d.log' % number)
        self.process = None
        self.starts = 0

    def start(self):
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_') and k not in {
                'DB_NAME', 'DB_CACHE'}}
        env['TRYTOND_LOGGING_LEVEL'] = '30'
        self.log = open(self.log_path, 'a')
        self.process = subprocess.Popen(self.command, env=env,
            stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.starts += 1

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.log.close()


# Tryton in this process: the setup, the senders, the sweeper

def start_tryton(config_path, database):
    from trytond import config
    config.update_etc(config_path)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        pool.init()
    return pool


def setup_platform(pool, database, settings, args):
    """What an administrator sets: the Aliyun provider, the template's SMS
    template code, the retry policy"""
    from trytond.transaction import Transaction, TransactionError
    Provider = pool.get('egov.notify.provider')
    Template = pool.get('egov.notify.template')
    Configuration = pool.get('egov.notify.configuration')
    extras = {}
    while True:
        # The policy is a singleton: its first write locks its table, and
        # Tryton starts the transaction again with the lock (as an RPC)
        try:
            with Transaction().start(database, 0,
                    context={'language': 'zh_CN'}, **extras):
                _setup(Provider, Template, Configuration, settings, args)
            return
        except TransactionError as error:
            error.fix(extras)


def _setup(Provider, Template, Configuration, settings, args):
    if True:
        Provider.create([{
                    'name': '阿里云短信（本地）', 'kind': 'aliyun',
                    'endpoint': settings['endpoint'],
                    'protocol': 'http',
                    'access_key_id': settings['access_key_id'],
                    'secret': settings['access_key_secret'],
                    'sign_name': settings['sign_name'],
                    'timeout': 5,
                    }])
        template = Template.get(MODULE, EVENT)
        template.sms_template_code = TEMPLATE_CODE
        template.active = True
        template.save()
        Configuration.write([Configuration(1)], {
                'retry_delay': args.retry_delay,
                'max_attempts': 10,
                })


def recipients(args, dsn, database):
    """Users with a mobile number, (sender, [recipients of each message])"""
    rng = random.Random(args.seed)
    with connect(dsn, database) as conn:
        users = [r[0] for r in conn.execute(
                'SELECT e."user" FROM egov_org_employee e '
                'JOIN res_user u ON u.id = e."user" '
                "WHERE e.active AND u.active AND COALESCE(e.mobile, '') "
                "<> '' ORDER BY e.id")]
    if len(users) < args.per_message + 1:
        sys.exit('%d people with a mobile: too few' % len(users))
    sender = users[0]
    count = math.ceil(args.messages / args.per_message)
    plan = []
    left = args.messages
    for _ in range(count):
        size = min(args.per_message, left)
        plan.append(rng.sample(users[1:], size))
        left -= size
    return sender, plan


def send_message(pool, database, sender, number, users):
    "One request that sends one message; its milliseconds"
    from trytond.transaction import Transaction
    Message = pool.get('egov.notify.message')
    started = time.perf_counter()
    with Transaction().start(database, sender,
            context={'language': 'zh_CN'}):
        Message.send(MODULE, EVENT, {'users': users}, {
                'subject': '防汛值班通知〔2026〕%05d号' % number,
                'text': '请于今晚20时到岗值班。',
                }, urgency='critical', channels=['sms'])
    return (time.perf_counter() - started) * 1000


def wait_for_workers(pool, args, monitor, timeout=180):
    """Until every task process of the workers has run a task: the
    scenario's clock starts with workers that have loaded the pool"""
    from trytond.transaction import Transaction
    Message = pool.get('egov.notify.message')
    probes = 2 * args.workers * args.processes
    with Transaction().start(args.database, 0):
        for _ in range(probes):
            # A task on no record: the worker runs it and finishes it
            Message.__queue__.hand_out(Message(0))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not monitor.conn.execute('SELECT count(*) FROM ir_queue '
                'WHERE finished_at IS NULL').fetchone()[0]:
            log('workers ready')
            with monitor.conn.transaction():
                monitor.conn.execute('DELETE FROM ir_queue')
            return
        time.sleep(0.2)
    sys.exit('the workers did not start: see their logs')


def sweep(pool, database, stale):
    "The cron's sweeper, once, committed"
    from trytond.transaction import Transaction
    Delivery = pool.get('egov.notify.delivery')
    if stale:
        # The constant of the module Tryton loaded process_due from
        Delivery.process_due.__func__.__globals__['STALE_SENDING'] = (
            datetime.timedelta(seconds=stale))
    try:
        with Transaction().start(database, 0,
                context={'language': 'zh_CN'}):
            Delivery.process_due()
        return True
    except Exception as exception:
        # As ir.cron: logged, the next run tries again (a worker may have
        # written a row this sweep read: a serialization failure)
        log('sweep failed: %s', str(exception).splitlines()[0][:200])
        return False


class Monitor:
    "What the database says, by plain SQL"

    def __init__(self, dsn, database):
        self.conn = connect(dsn, database, autocommit=True)

    def states(self):
        return dict(self.conn.execute(
                "SELECT state, count(*) FROM egov_notify_delivery "
                "WHERE channel = 'sms' GROUP BY state").fetchall())

    def messages_queued(self):
        return self.conn.execute("SELECT count(*) FROM egov_notify_message "
            "WHERE state = 'queued'").fetchone()[0]

    def stale_claims(self, before):
        return self.conn.execute("SELECT count(*) FROM egov_notify_delivery "
            "WHERE state = 'sending' AND sending_since < %s",
            (before,)).fetchone()[0]

    def expected(self):
        "{(subject, address)} of every SMS delivery"
        return self.conn.execute(
            "SELECT m.subject, d.address FROM egov_notify_delivery d "
            "JOIN egov_notify_message m ON m.id = d.message "
            "WHERE d.channel = 'sms'").fetchall()

    def figures(self):
        row = self.conn.execute(
            "SELECT count(*), sum(attempts), max(attempts), "
            "count(*) FILTER (WHERE attempts > 1), min(create_date), "
            "max(sent_at) FROM egov_notify_delivery "
            "WHERE channel = 'sms'").fetchone()
        lost_tasks = self.conn.execute("SELECT count(*) FROM ir_queue "
            "WHERE dequeued_at IS NOT NULL AND finished_at IS NULL"
            ).fetchone()[0]
        tasks = self.conn.execute("SELECT count(*) FROM ir_queue"
            ).fetchone()[0]
        # The worker's time by kind of task: what a task process does
        # per second of its own time
        work = {}
        for method, tasks_, records, seconds in self.conn.execute(
                "SELECT data->>'method', count(*), "
                "sum(json_array_length((data->'instances')::json)), "
                "sum(extract(epoch FROM finished_at - dequeued_at)) "
                "FROM ir_queue WHERE finished_at IS NOT NULL "
                "AND json_typeof((data->'instances')::json) = 'array' "
                "GROUP BY 1"):
            work[method] = {'tasks': tasks_, 'records': int(records),
                'seconds': round(float(seconds), 2),
                'records_per_second': round(
                    int(records) / max(float(seconds), 1e-3), 1)}
        return {
            'worker_time': work,
            'deliveries': row[0],
            'attempts': int(row[1] or 0),
            'retries': int(row[1] or 0) - row[0],
            'max_attempts': row[2],
            'deliveries_retried': row[3],
            'db_span_seconds': round(
                (row[5] - row[4]).total_seconds(), 2) if row[5] else None,
            'tasks': tasks,
            'tasks_lost_with_the_worker': lost_tasks,
            }

    def close(self):
        self.conn.close()


def run(args):
    directory = args.keep or tempfile.mkdtemp(prefix='egov-notify-fault-')
    os.makedirs(directory, exist_ok=True)
    # The provider's process first: forked before any connection is open
    fake = FakeProcess()
    log('local Aliyun SMS on %s', fake.settings['endpoint'])
    workers = []
    monitor = None
    try:
        config_path = render_config(args, directory)
        prepare_database(args, config_path)
        pool = start_tryton(config_path, args.database)
        setup_platform(pool, args.database, fake.settings, args)
        sender, plan = recipients(args, args.dsn, args.database)
        monitor = Monitor(args.dsn, args.database)
        workers = [Worker(n, config_path, args.database, args.processes,
                directory) for n in range(args.workers)]
        for worker in workers:
            worker.start()
        wait_for_workers(pool, args, monitor)
        return scenario(args, pool, fake, workers, monitor, sender, plan)
    finally:
        for worker in workers:
            worker.stop()
        if monitor:
            monitor.close()
        fake.stop()
        if not args.keep:
            import shutil
            shutil.rmtree(directory, ignore_errors=True)


def scenario(args, pool, fake, workers, monitor, sender, plan):
    total = sum(len(p) for p in plan)
    faults = not args.no_faults
    interval = args.duration / len(plan) if args.duration else 0
    # Times of the faults (seconds after the first send)
    down_at = 0.2 * args.duration if faults else None
    kill_at = max(0.65 * args.duration, (down_at or 0) + args.down + 1) \
        if faults else None
    events, samples, send_ms = [], [], []
    sweeps = collections.Counter()
    state = {'down': None, 'killed': False, 'restart_at': None,
        'kill_time': None, 'orphans': None}
    started = time.monotonic()
    next_sweep = started + args.sweep
    sent_messages = 0
    log('%d messages, %d SMS deliveries, %d worker(s) × %d', len(plan),
        total, len(workers), args.processes)

    def now():
        return time.monotonic() - started

    def event(name, **values):
        values.update(t=round(now(), 2), event=name)
        events.append(values)
        log('%s %s', name, {k: v for k, v in values.items()
                if k not in {'t', 'event'}})

    deadline = started + args.timeout
    done = False
    while time.monotonic() < deadline:
        t = now()
        # The senders: requests that queue the messages
        while sent_messages < len(plan) and (
                not interval or t >= sent_messages * interval):
            send_ms.append(send_message(pool, args.database, sender,
                    sent_messages + 1, plan[sent_messages]))
            sent_messages += 1
            t = now()
            if interval:
                break
        # The faults
        if faults and state['down'] is None and t >= down_at:
            fake.call('down', '503')
            state['down'] = '503'
            event('provider down (503)')
        elif state['down'] == '503' and t >= down_at + args.down / 2:
            fake.call('down', 'refuse')
            state['down'] = 'refuse'
            event('provider down (connection refused)')
        elif state['down'] == 'refuse' and t >= down_at + args.down:
            fake.call('up')
            state['down'] = 'up'
            event('provider up')
        if faults and not state['killed'] and t >= kill_at:
            # Kill while the worker holds claimed deliveries
            # (--short: once every message is handed out, since a hand-out
            # a dead worker took is resumed by the sweeper only after 5
            # minutes; the full run waits for that)
            states = monitor.states()
            if (states.get('sending') and (not args.short or (
                            sent_messages == len(plan)
                            and not monitor.messages_queued()))) or (
                    t >= kill_at + 120):
                kill_time = datetime.datetime.now()
                workers[0].kill()
                state.update(killed=True, restart_at=t + 2,
                    kill_time=kill_time)
                event('worker killed (SIGKILL)',
                    sending=states.get('sending', 0),
                    queued=states.get('queued', 0))
                time.sleep(1)
                # Claims older than the kill that no one will finish
                state['orphans'] = monitor.stale_claims(kill_time)
                event('claims left by the dead worker',
                    count=state['orphans'])
                continue
            time.sleep(0.01)
            continue
        if state['restart_at'] and t >= state['restart_at']:
            workers[0].start()
            state['restart_at'] = None
            event('worker started again')
        if time.monotonic() >= next_sweep:
            sweeps[sweep(pool, args.database, args.stale)] += 1
            next_sweep = time.monotonic() + args.sweep
        states = monitor.states()
        samples.append((round(t, 2), states.get('sent', 0)))
        pending = (states.get('queued', 0) + states.get('sending', 0)
            + states.get('waiting', 0))
        if (sent_messages == len(plan) and not pending
                and not monitor.messages_queued()
                and sum(states.values()) >= total
                and (not faults or (state['killed']
                        and state['down'] == 'up'
                        and not state['restart_at']))):
            done = True
            break
        time.sleep(0.05 if not interval else min(0.05, interval / 2))
    elapsed = now()
    summary = count(fake, monitor, total)
    summary.update({
            'done': done,
            'messages': len(plan),
            'recipients_per_message': args.per_message,
            'sms_deliveries': total,
            'workers': len(workers),
            'processes_per_worker': args.processes,
            'faults': faults,
            'provider_down_seconds': args.down if faults else 0,
            'duration_seconds': round(elapsed, 2),
            'queue_ms': {
                'p50': round(_percentile(send_ms, 50), 1),
                'p95': round(_percentile(send_ms, 95), 1),
                'max': round(max(send_ms), 1),
                },
            'claims_left_by_the_dead_worker': state['orphans'],
            'sweeps': sweeps[True],
            'sweeps_failed': sweeps[False],
            'events': events,
            })
    summary['rates'] = rates(samples, events, total, args, faults)
    summary.update(monitor.figures())
    summary['ok'] = bool(done and summary['lost'] == 0
        and summary['duplicated'] == 0 and summary['not_sent'] == 0
        and not summary['unexpected'])
    return summary


def count(fake, monitor, total):
    "Lost and duplicated, counted at the provider; states in the database"
    answer = fake.call('summary')
    received = {tuple(k): n for k, n in answer['received']}
    expected = collections.Counter(monitor.expected())
    lost = [k for k in expected if k not in received]
    duplicated = {k: n for k, n in received.items() if n > 1}
    unexpected = [k for k in received if k not in expected]
    states = monitor.states()
    return {
        'provider_records': answer['records'],
        'provider_distinct': len(received),
        'lost': len(lost),
        'lost_sample': [list(k) for k in lost[:5]],
        'duplicated': len(duplicated),
        'duplicated_sample': [list(k) + [n]
            for k, n in list(duplicated.items())[:5]],
        # (OutId, number) taken more than once: the fake's own count
        'provider_duplicates_by_out_id': len(answer['duplicates']),
        'unexpected': len(unexpected),
        'states': states,
        'not_sent': total - states.get('sent', 0) - states.get(
            'delivered', 0),
        'provider_calls': answer['calls'],
        'provider_refused': answer['refused'],
        }


def rates(samples, events, total, args, faults):
    """Deliveries per second: over the whole run, and in the stretches
    where the provider was up and the worker alive"""
    if not samples:
        return {}
    end = next((t for t, sent in samples if sent >= total), samples[-1][0])
    first = next((t for t, sent in samples if sent > 0), 0)
    result = {'overall': round(total / max(end, 1e-3), 1)}
    if not faults:
        result['first_to_last'] = round(total / max(end - first, 1e-3), 1)
        return result
    times = {e['event']: e['t'] for e in events}
    down = times.get('provider down (503)')
    up = times.get('provider up')

    def sent_at(moment):
        return max([s for t, s in samples if t <= moment] or [0])
    if down:
        result['before_provider_down'] = round(
            sent_at(down) / max(down, 1e-3), 1)
    if up is not None:
        kill = times.get('worker killed (SIGKILL)', end)
        result['after_provider_up'] = round(
            (sent_at(kill) - sent_at(up)) / max(kill - up, 1e-3), 1)
    return result


def _percentile(values, q):
    values = sorted(values)
    if not values:
        return 0
    position = (len(values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def main(argv=None):
    args = parse_args(argv)
    summary = run(args)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0 if summary['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
