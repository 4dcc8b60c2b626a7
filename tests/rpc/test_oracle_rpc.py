"""The password-hash oracle replayed over JSON-RPC as a clerk of the demo
(谢娜, xiena): each way of guessing a hash one character at a time is
refused with a message in Chinese, and the auditor finds the attempts."""
import pytest

from .rpc import RPCError, Session
from .test_audit_rpc import audit, ensure_auditor, last_log_id

PASSWORD = 'Yichun@2026'


@pytest.fixture(scope='module')
def clerk(server):
    return Session(server, 'xiena', PASSWORD)


ATTEMPTS = [
    ('res.user', 'search_count', [[('password_hash', '>=', '$')]]),
    ('res.user', 'search', [[('password_reset', '!=', None)], 0, 1, None]),
    ('res.user', 'search', [[], 0, 5, [('password_hash', 'ASC')]]),
    ('egov.org.employee', 'search_count',
        [[('user.password_hash', '>=', '$')]]),
    ('egov.org.employee', 'search_count',
        [[('user', 'where', [('password_hash', 'like', '$%')])]]),
    ('egov.org.employee', 'search', [[], 0, 5, [('user.password_hash', 'ASC')]]),
    ('egov.org.employee', 'export_data_domain',
        [[], ['name', 'user/password_hash'], 0, 1]),
    ('res.user', 'search_count', [[('second_factor', '=', 'sms')]]),
    ('ir.model.log', 'search', [[], 0, 5, None]),
    ]


def test_password_hash_oracle_refused(server, clerk):
    auditor = ensure_auditor(server)
    before = last_log_id(auditor)
    for model, method, args in ATTEMPTS:
        with pytest.raises(RPCError) as info:
            clerk.model(model, method, *args)
        assert info.value.kind == 'UserError', (model, method, info.value)
        # In Chinese, and no hash in the answer
        assert any('\u4e00' <= c <= '\u9fff' for c in info.value.message)
        assert '$' not in info.value.message
    # Session keys are not even served over RPC
    with pytest.raises(RPCError) as info:
        clerk.model('ir.session', 'search_count', [('key', '>=', '0')])
    assert info.value.kind == 'HTTP 403'
    # What the clerk may search still answers
    assert clerk.model('egov.org.employee', 'search_count',
        [('user.login', '=', 'xiena')]) == 1
    # Every attempt is in the audit, as a refused call of the clerk
    rows = audit(auditor, ('id', '>', before), ('login', '=', 'xiena'),
        ('result', '=', 'refused'))
    methods = [r['method'] for r in rows]
    for model, method, _ in ATTEMPTS:
        assert 'model.%s.%s' % (model, method) in methods, (model, methods)
    secret = [r for r in rows if 'password_hash' in (r['changes'] or '')]
    assert secret and all('保密' in r['message'] for r in secret
        if r['model'] == 'res.user')
