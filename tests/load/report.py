"""The load test's report: per operation the requests per second, p50, p95,
p99 and errors, and each operation's ratio to the two floors measured in the
same run (floor_noop: no database; floor_own_user: a one-row read)."""
FLOORS = ['floor_noop', 'floor_own_user']
LOGIN = {'login', 'login_preferences'}
# The morning's operations in the order a person meets them
ORDER = ['login', 'login_preferences', 'inbox', 'open_document.todo',
    'open_document.form', 'request_leave.create', 'request_leave.submit',
    'approve', 'search.ids', 'search.rows',
    'register.create', 'register.submit', 'address_book'] + FLOORS


def percentile(samples, q):
    "The q-th percentile (0-100) of samples, interpolated"
    ordered = sorted(samples)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(raw, target_p95_ms=300):
    """raw: what the locustfile wrote (samples and errors by name, start
    and stop times); return the report as a dict"""
    seconds = max(raw['stopped'] - raw['started'], 1e-3)
    names = sorted(set(raw['samples']) | set(raw['errors']),
        key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    operations = {}
    for name in names:
        samples = raw['samples'].get(name, [])
        errors = sum(raw['errors'].get(name, {}).values())
        operations[name] = {
            'requests': len(samples) + errors,
            'per_s': round((len(samples) + errors) / seconds, 1),
            'p50_ms': _round(percentile(samples, 50)),
            'p95_ms': _round(percentile(samples, 95)),
            'p99_ms': _round(percentile(samples, 99)),
            'errors': errors,
            }
        if errors:
            operations[name]['error_kinds'] = raw['errors'][name]
    for name, result in operations.items():
        for floor in FLOORS:
            base = operations.get(floor)
            if not base or not base['p50_ms'] or result['p50_ms'] is None:
                continue
            short = floor[len('floor_'):]
            result['ratio_p50_%s' % short] = round(
                result['p50_ms'] / base['p50_ms'], 1)
            result['ratio_p95_%s' % short] = round(
                result['p95_ms'] / base['p95_ms'], 1)
    # The sustained mix: each person logs in once, at the start (a login
    # is a deliberately slow password hash: reported on its own)
    every = [s for n, v in raw['samples'].items() if n not in LOGIN
        for s in v]
    errors = sum(sum(v.values()) for n, v in raw['errors'].items()
        if n not in LOGIN)
    total = {
        'requests': len(every) + errors,
        'per_s': round((len(every) + errors) / seconds, 1),
        'p50_ms': _round(percentile(every, 50)),
        'p95_ms': _round(percentile(every, 95)),
        'p99_ms': _round(percentile(every, 99)),
        'errors': errors,
        'seconds': round(seconds, 1),
        'target_p95_ms': target_p95_ms,
        }
    total['meets_p95_target'] = (total['p95_ms'] is not None
        and total['p95_ms'] < target_p95_ms)
    return {'total': total, 'operations': operations}


def _round(value):
    return None if value is None else round(value, 1)


def table(report):
    "The report as a Markdown table"
    lines = ['| operation | requests | /s | p50 ms | p95 ms | p99 ms | errors '
        '| p50 ÷ own-user read | p95 ÷ own-user read | p50 ÷ no-op |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: '
        '| ---: |']
    rows = list(report['operations'].items()) + [('**all but login**',
            report['total'])]
    for name, r in rows:
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                name, r['requests'], r['per_s'], r['p50_ms'], r['p95_ms'],
                r['p99_ms'], r['errors'], r.get('ratio_p50_own_user', ''),
                r.get('ratio_p95_own_user', ''), r.get('ratio_p50_noop', '')))
    return '\n'.join(lines)


def cpu_table(report):
    """Where the CPU went: each kind of process, then the web workers' CPU
    per call of each operation"""
    lines = ['| process | CPU s | share of the cores |', '| --- | ---: | ---: |']
    for kind, figures in report.get('cpu', {}).items():
        lines.append('| %s | %s | %.0f %% |' % (
                kind, figures['cpu_s'], 100 * (figures['share'] or 0)))
    operations = report.get('web_cpu_per_operation')
    if operations:
        total = sum(f['cpu_s'] for f in operations.values()) or 1
        lines += ['', '| operation | calls | web CPU ms a call '
            '| share of the web CPU |', '| --- | ---: | ---: | ---: |']
        for name, figures in operations.items():
            lines.append('| %s | %s | %s | %.0f %% |' % (name,
                    figures['calls'], figures['cpu_ms'],
                    100 * figures['cpu_s'] / total))
    return '\n'.join(lines)


def regressions(previous, current, threshold=0.2):
    """What got more than threshold worse since the previous report: p95
    per operation, and requests per second of the whole run"""
    found = []
    for name, now in current['operations'].items():
        before = previous.get('operations', {}).get(name)
        if not before or not before.get('p95_ms') or now['p95_ms'] is None:
            continue
        if now['p95_ms'] > before['p95_ms'] * (1 + threshold):
            found.append('%s p95 %.1f → %.1f ms (+%d %%)' % (name,
                    before['p95_ms'], now['p95_ms'],
                    round(100 * (now['p95_ms'] / before['p95_ms'] - 1))))
    before, now = previous.get('total', {}), current['total']
    if before.get('per_s') and now['per_s'] < before['per_s'] * (
            1 - threshold):
        found.append('requests/s %.1f → %.1f (−%d %%)' % (before['per_s'],
                now['per_s'], round(100 * (1 - now['per_s']
                        / before['per_s']))))
    return found
