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
    # egov_document is activated on the generated rows (its required
    # columns get their defaults), with a few documents for its operations
    script('generate_documents.py', '--uri', DSN, '--database', DATABASE,
        '--documents', '200')
    yield DATABASE
    drop(DATABASE)
