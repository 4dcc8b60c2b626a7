"""The hash chain of the audit log, without the ORM: the columns that are
chained, their canonical form, SM3, and the check of a run of rows. Shared
by the sealer, the verifier, the archive files and the benchmark generator,
so that all of them hash the same bytes."""
import datetime
import json

from cryptography.hazmat.primitives import hashes

# The chained columns, in this order. "sequence" is the position in the
# chain (gap-free, given by the sealer); "prev_hash" ties a row to the one
# before it.
CHAIN_COLUMNS = (
    'id', 'sequence', 'timestamp', 'user_id', 'login', 'user_name',
    'post_id', 'post_name', 'unit_id', 'unit_name', 'division_id',
    'division_name', 'address', 'session', 'model', 'record_id',
    'record_name', 'action', 'result', 'method', 'message', 'changes',
    'prev_hash',
    )
TIMESTAMP_INDEX = CHAIN_COLUMNS.index('timestamp')
# The hash before the first row of a database
GENESIS = '0' * 64


def sm3_hex(data):
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def sm3_file(path, chunk=1 << 20):
    digest = hashes.Hash(hashes.SM3())
    with open(path, 'rb') as fp:
        while block := fp.read(chunk):
            digest.update(block)
    return digest.finalize().hex()


def canonical_timestamp(value):
    "The one text form of a timestamp, whatever the backend returned"
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.isoformat(sep=' ', timespec='microseconds')


def canonical_values(row):
    """Return the row (a sequence in CHAIN_COLUMNS order) as JSON-able
    values: integers, texts and None, the timestamp as text"""
    values = list(row)
    values[TIMESTAMP_INDEX] = canonical_timestamp(values[TIMESTAMP_INDEX])
    return values


_dumps = json.JSONEncoder(
    ensure_ascii=False, separators=(',', ':'), check_circular=False).encode


def row_hash(values):
    """SM3 over the canonical JSON of the values (prev_hash included, as
    the last value): the hash of a row"""
    digest = hashes.Hash(hashes.SM3())
    digest.update(_dumps(values).encode('utf-8'))
    return digest.finalize().hex()


def check_rows(rows, expected_sequence, expected_prev):
    """Check rows (tuples: CHAIN_COLUMNS then hash) that follow a row of
    sequence expected_sequence - 1 and hash expected_prev.

    Return (problems, next_sequence, last_hash, count) where problems is a
    list of (kind, sequence, id, detail); kind is 'missing' (sequence
    numbers absent before this row), 'link' (prev_hash is not the hash of
    the row before) or 'hash' (the row's content does not match its
    hash)."""
    problems = []
    count = 0
    sequence_index = CHAIN_COLUMNS.index('sequence')
    prev_index = CHAIN_COLUMNS.index('prev_hash')
    for row in rows:
        count += 1
        values = canonical_values(row[:-1])
        stored = row[-1]
        sequence = values[sequence_index]
        if sequence != expected_sequence:
            problems.append(('missing', expected_sequence, values[0],
                    (expected_sequence, sequence - 1)))
        elif values[prev_index] != expected_prev:
            problems.append(('link', sequence, values[0], None))
        if row_hash(values) != stored:
            problems.append(('hash', sequence, values[0], None))
        expected_sequence = sequence + 1
        expected_prev = stored
    return problems, expected_sequence, expected_prev, count

