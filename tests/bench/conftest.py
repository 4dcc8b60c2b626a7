"""What the benchmark smoke tests share: one tiny organisation generated
into PostgreSQL once per session (the harness's operations run on it, the
notification fault test clones it), dropped at the end."""
import pytest

from smoke_tools import DSN, drop, script

DATABASE = 'egov_bench_smoke'


@pytest.fixture(scope='session')
def bench_database():
    if not DSN:
        pytest.skip("EGOV_BENCH_DSN is not set (a PostgreSQL server URI)")
    script('generate.py', '--uri', DSN, '--database', DATABASE,
        '--units', '20', '--employees', '200', '--force')
    yield DATABASE
    drop(DATABASE)
