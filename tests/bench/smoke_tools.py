"""Helpers of the benchmark smoke tests (tests/bench has no package: the
scripts run standalone)."""
import os
import subprocess
import sys

DSN = os.environ.get('EGOV_BENCH_DSN')
HERE = os.path.dirname(os.path.abspath(__file__))


def script(name, *args):
    "Run tests/bench/<name> with the current interpreter; return stdout"
    result = subprocess.run([sys.executable, os.path.join(HERE, name),
            *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def drop(database):
    import psycopg
    from psycopg.conninfo import make_conninfo
    with psycopg.connect(make_conninfo(DSN, dbname='postgres'),
            autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS %s WITH (FORCE)' % database)
