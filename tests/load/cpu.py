"""Where the machine's CPU went during a load run: the CPU time of each
process of the run, by kind, read from /proc before and after; and the
web workers' CPU per operation (tests/load/gunicorn_cpu.py)."""
import glob
import json
import os
import resource

TICKS = os.sysconf('SC_CLK_TCK')
# By the process's command line; PostgreSQL's processes apart (below)
KINDS = [('gunicorn', 'web workers (gunicorn)'),
    ('trytond-worker', 'task queue (trytond-worker)'),
    ('trytond-cron', 'scheduler (trytond-cron)'),
    ('nginx', 'nginx')]
POSTGRESQL = 'PostgreSQL'
# locust or wrk: children of tests/load/run, gone when the run ends
GENERATOR = 'load generator (locust, wrk)'


def _read(path):
    try:
        with open(path, 'rb') as fp:
            return fp.read()
    except OSError:
        return None


def _stat(pid):
    "(parent pid, CPU seconds) of a process, None when it is gone"
    text = _read('/proc/%d/stat' % pid)
    if text is None:
        return None
    # The command's name is in parentheses and may hold spaces
    fields = text[text.rindex(b')') + 2:].split()
    ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
    return ppid, (utime + stime) / TICKS


def _cmdline(pid):
    text = _read('/proc/%d/cmdline' % pid)
    return (text or b'').replace(b'\0', b' ').decode('utf-8', 'replace')


def sample(pg_port):
    """{pid: (kind, CPU seconds)} of the run's processes: PostgreSQL's are
    those of the server listening on pg_port (its postmaster's children)"""
    processes = {}
    for path in glob.glob('/proc/[0-9]*'):
        pid = int(path[6:])
        stat = _stat(pid)
        if stat:
            processes[pid] = (stat, _cmdline(pid))
    postmasters = {pid for pid, (_, cmdline) in processes.items()
        if cmdline.split(' ', 1)[0].endswith('/postgres')
        and ' -p %s ' % pg_port in cmdline + ' '}
    found = {}
    for pid, ((ppid, seconds), cmdline) in processes.items():
        if pid in postmasters or ppid in postmasters:
            found[pid] = (POSTGRESQL, seconds)
            continue
        # The program, or the script a Python runs
        program = cmdline.split(' ', 2)[:2]
        for word, kind in KINDS:
            if any(word in part for part in program):
                found[pid] = (kind, seconds)
                break
    return found


def spent(before, after):
    "{kind: CPU seconds} between two samples (new processes count whole)"
    kinds = {}
    for pid, (kind, seconds) in after.items():
        _, earlier = before.get(pid, (kind, 0.0))
        kinds[kind] = kinds.get(kind, 0.0) + seconds - earlier
    return kinds


def children_since(before):
    "CPU seconds of the children that ended since the rusage before"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime
        - before.ru_utime - before.ru_stime)


def per_operation(directory):
    """{operation: {'calls', 'cpu_ms' (per call), 'cpu_s'}} summed over the
    web workers' files"""
    totals = {}
    for path in glob.glob(os.path.join(directory, 'worker-*.json')):
        with open(path, encoding='utf-8') as fp:
            for name, figures in json.load(fp).items():
                calls, seconds = totals.get(name, (0, 0.0))
                totals[name] = (calls + figures['calls'],
                    seconds + figures['cpu_s'])
    return {name: {'calls': calls, 'cpu_s': round(seconds, 2),
            'cpu_ms': round(1000 * seconds / calls, 2) if calls else None}
        for name, (calls, seconds) in sorted(
            totals.items(), key=lambda item: -item[1][1])}


def summary(kinds, seconds, cores):
    "The CPU by kind, in seconds and as a share of what the cores offered"
    offered = seconds * cores
    result = {kind: {'cpu_s': round(value, 1),
            'share': round(value / offered, 3) if offered else None}
        for kind, value in sorted(kinds.items(), key=lambda kv: -kv[1])}
    used = sum(kinds.values())
    result['(all of these)'] = {'cpu_s': round(used, 1),
        'share': round(used / offered, 3) if offered else None}
    return result
