"""Results of run.py kept between runs: each run's JSON under var/bench/
(<timestamp>-<database>.json), a table of every timed figure, and the
comparison with the previous run of the same database: a figure more than
20 % slower is a regression."""
import datetime
import json
import os

THRESHOLD = 0.2


def figures(operations):
    """Every timed figure of a report: {(operation, part): values}, where
    part is the path inside the operation ('' for its own figures,
    'by_kind.pinyin', 'floor', …) and values has p50_ms/p95_ms/… as given"""
    found = {}

    def walk(name, path, value):
        if not isinstance(value, dict):
            return
        if 'p50_ms' in value:
            found[(name, path)] = value
        for key, sub in value.items():
            walk(name, '%s.%s' % (path, key) if path else key, sub)
    for name, result in operations.items():
        walk(name, '', result)
    return found


def table(operations):
    "The figures as a Markdown table"
    lines = ['| operation | p50 ms | p95 ms | p99 ms | n | floor p50 | '
        'floor p95 | ratio p50 | ratio p95 | target met |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: '
        '| --- |']
    for (name, path), v in figures(operations).items():
        met = v.get('meets_target')
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |'
            % ('%s · %s' % (name, path) if path else name, v.get('p50_ms'),
                v.get('p95_ms'), v.get('p99_ms', ''), v.get('n', ''),
                v.get('floor_p50_ms', ''), v.get('floor_p95_ms', ''),
                v.get('ratio_p50', ''), v.get('ratio_p95', ''),
                '' if met is None else ('yes' if met else 'no')))
    return '\n'.join(lines)


def regressions(previous, current, threshold=THRESHOLD):
    "p50 and p95 more than threshold slower than in previous"
    before = figures(previous)
    found = []
    for key, now in figures(current).items():
        old = before.get(key)
        if not old:
            continue
        for measure in ['p50_ms', 'p95_ms']:
            if not old.get(measure) or now.get(measure) is None:
                continue
            if now[measure] > old[measure] * (1 + threshold):
                name, path = key
                found.append({
                        'operation': name, 'part': path,
                        'measure': measure, 'before': old[measure],
                        'now': now[measure],
                        'change_percent': round(
                            100 * (now[measure] / old[measure] - 1)),
                        })
    return found


def previous(directory, database):
    "The latest stored report of database, or None"
    if not os.path.isdir(directory):
        return None, None
    suffix = '-%s.json' % database
    names = sorted(n for n in os.listdir(directory) if n.endswith(suffix))
    if not names:
        return None, None
    path = os.path.join(directory, names[-1])
    with open(path, encoding='utf-8') as fp:
        return path, json.load(fp)


def store(directory, report):
    "Write the report under directory; return its path"
    os.makedirs(directory, exist_ok=True)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    path = os.path.join(directory, '%s-%s.json' % (stamp, report['database']))
    with open(path, 'w', encoding='utf-8') as fp:
        json.dump(report, fp, indent=2, ensure_ascii=False)
        fp.write('\n')
    return path
