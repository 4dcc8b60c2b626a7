"""What every benchmark operation needs: Tryton started in-process on the
benchmark database, transactions opened as a real user the way an RPC call
opens them, a psycopg connection for the raw-SQL floors, timing and
percentiles, and the capture of the SQL the ORM sends (for EXPLAIN)."""
import contextlib
import logging
import os
import random
import time

import psycopg
from psycopg.conninfo import make_conninfo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
SQL_LOGGER = 'trytond.backend.postgresql.database'


def configure(dsn):
    """Load the project's configuration with the benchmark server's URI.
    Before anything imports trytond.backend (the module egov_base does, by
    its web routes), or the backend of the default configuration sticks."""
    from trytond import config
    config.update_etc(os.path.join(ROOT, 'config', 'trytond.conf'))
    config.set('database', 'uri', dsn)
    # The sealer signs with a key outside the database: one of the bench's
    # own when the configuration names none (never production's)
    from egov_base.audit.seal_key import use_test_key
    use_test_key()


def start_tryton(dsn, database):
    "Initialise the pool of the database; return the pool"
    configure(dsn)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        pool.init()
    return pool


def percentile(samples, q):
    "The q-th percentile (0-100) of samples, interpolated"
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(samples, prefix=''):
    "p50, p95, p99 and the count of a list of durations in ms"
    return {
        prefix + 'p50_ms': round(percentile(samples, 50), 3),
        prefix + 'p95_ms': round(percentile(samples, 95), 3),
        prefix + 'p99_ms': round(percentile(samples, 99), 3),
        prefix + 'n': len(samples),
        }


def compare(samples, floor_samples, target_p95_ms=None):
    """The summary of an ORM operation against its raw-SQL floor: both
    percentiles, their ratios and whether the target is met"""
    result = summary(samples)
    result.update(summary(floor_samples, 'floor_'))
    del result['floor_n'], result['floor_p99_ms']
    result['ratio_p50'] = round(
        result['p50_ms'] / max(result['floor_p50_ms'], 1e-6), 2)
    result['ratio_p95'] = round(
        result['p95_ms'] / max(result['floor_p95_ms'], 1e-6), 2)
    if target_p95_ms is not None:
        result['target_p95_ms'] = target_p95_ms
        result['meets_target'] = result['p95_ms'] < target_p95_ms
    return result


def timed(function, *args, **kwargs):
    "Call function; return (milliseconds, result)"
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


class Bench:
    """The state shared by the operations of one run: the Tryton pool, a
    psycopg connection for the floors, the random generator, the number of
    repetitions and warm-up rounds"""

    def __init__(self, dsn, database, repeat=100, warmup=10, seed=1):
        self.dsn = dsn
        self.database = database
        self.repeat = repeat
        self.warmup = warmup
        self.rng = random.Random(seed)
        self.pool = start_tryton(dsn, database)
        # No server-side prepared statements for the floors: a generic plan
        # would stand for every text, and the floor is the best plan for each
        self.sql = psycopg.connect(
            make_conninfo(dsn, dbname=database), autocommit=True,
            prepare_threshold=None)
        # The floor as a Tryton call meets it: the first statement of a
        # read-only REPEATABLE READ transaction, whose BEGIN is one more
        # round trip
        self.sql_in_transaction = psycopg.connect(
            make_conninfo(dsn, dbname=database), prepare_threshold=None)
        self.sql_in_transaction.isolation_level = (
            psycopg.IsolationLevel.REPEATABLE_READ)
        self.sql_in_transaction.read_only = True
        self._contexts = {}

    def close(self):
        self.sql.close()
        self.sql_in_transaction.close()

    # Raw SQL

    def fetch(self, query, params=None):
        return self.sql.execute(query, params).fetchall()

    def timed_fetch(self, query, params=None):
        "Run a query through psycopg; return (milliseconds, rows)"
        return timed(self.fetch, query, params)

    def timed_fetch_in_transaction(self, query, params=None):
        """Run a query as the first of a transaction as Tryton starts it;
        return (milliseconds, rows)"""
        connection = self.sql_in_transaction
        try:
            return timed(lambda: connection.execute(query, params).fetchall())
        finally:
            connection.rollback()

    # Tryton

    def context_of(self, user_id):
        """The context the web client sends for user_id: its preferences
        (language, current post, …) as it got them after login"""
        from trytond.transaction import Transaction
        if user_id not in self._contexts:
            User = self.pool.get('res.user')
            with Transaction().start(
                    self.database, user_id, readonly=True):
                self._contexts[user_id] = User.get_preferences(
                    context_only=True)
        return self._contexts[user_id]

    @contextlib.contextmanager
    def as_user(self, user_id, readonly=True, **context):
        """A transaction as an RPC call starts it (trytond.protocols.
        dispatcher): the user, the client's context, access checks and
        record rules on (rpc.RPC.convert sets _check_access)"""
        from trytond.transaction import Transaction
        context = dict(self.context_of(user_id), _check_access=True,
            **context)
        with Transaction().start(self.database, user_id, readonly=readonly,
                context=context) as transaction:
            yield transaction

    def sample_users(self, count, where='TRUE', params=()):
        """Random active logins of employees (never admin), optionally
        filtered by a condition on e (employee), u (unit) or d (division)"""
        rows = self.fetch(
            'SELECT e."user" FROM egov_org_employee e '
            'JOIN egov_org_unit u ON u.id = e.unit '
            'JOIN egov_org_unit d ON d.id = u.division '
            'WHERE e.active AND e."user" IS NOT NULL AND (%s) '
            'ORDER BY e.id' % where, params)
        ids = [r[0] for r in rows]
        return self.rng.sample(ids, min(count, len(ids)))


class QueryLog(logging.Handler):
    "Collect the SQL that Tryton's cursor logs at DEBUG level"

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        self.queries.append(record.getMessage())


@contextlib.contextmanager
def capture_queries():
    "Yield a list that receives the SQL queries Tryton runs in the block"
    logger = logging.getLogger(SQL_LOGGER)
    handler = QueryLog()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler.queries
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def explain(bench, queries):
    """EXPLAIN ANALYZE each distinct SELECT of queries; return
    [(execution ms, query, plan)], the slowest first"""
    result = []
    for query in dict.fromkeys(queries):
        if not query.lstrip().upper().startswith(('SELECT', 'WITH')):
            continue
        plan = [r[0] for r in bench.fetch(
                'EXPLAIN (ANALYZE, BUFFERS) %s' % query)]
        ms = next((float(line.split()[-2]) for line in plan
                if line.startswith('Execution Time')), 0.0)
        result.append((ms, query, '\n'.join(plan)))
    result.sort(key=lambda r: r[0], reverse=True)
    return result
