"""Resource limits and error answers over JSON-RPC against a real server:
the one-file denial of service (a contact table with a cell in column XFD)
is refused in milliseconds and the server keeps serving; an OR of 20,000
terms is refused with a message; an unexpected error answers a generic
message with a reference, never Python's text or a traceback."""
import base64
import re
import time

import pytest

from egov_base.tests.test_limits import xfd_file
from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'


@pytest.fixture(scope='module')
def xiena(server):
    return Session(server, 'xiena', PASSWORD)


def import_contacts(session, data):
    "Run 导入个人通讯录 over RPC; return the form shown again, or None"
    _, result = session.wizard('egov.directory.contact.import', {
            'start': {
                'file': {'__class__': 'bytes',
                    'base64': base64.b64encode(data).decode()},
                'filename': 'contacts.xlsx',
                },
            }, 'import_')
    view = result.get('view')
    return view['defaults'] if view else None


def test_xfd_upload_refused(server, xiena):
    "The reported attack: 1,500 rows with a cell in column XFD"
    data = xfd_file(1500)
    before = xiena.model('egov.directory.contact', 'search_count', [])
    start = time.monotonic()
    result = import_contacts(xiena, data)
    elapsed = time.monotonic() - start
    print('\n1,500-row XFD file (%d bytes) refused over RPC in %.0f ms'
        % (len(data), elapsed * 1000))
    assert result is not None, "the file was imported"
    assert '单元格 XFD2' in result['problems']
    assert '最后一列 Z' in result['problems']
    assert elapsed < 5
    assert xiena.model('egov.directory.contact', 'search_count', []) == (
        before)
    # The server still answers everyone
    other = Session(server, 'hanmei', PASSWORD)
    assert other.search_read('egov.org.unit', [], ['name'], limit=5)


def test_last_row_refused_over_rpc(xiena):
    "A value in row 1,048,576 is named, not dropped"
    from egov_base.tests.test_limits import (
        CONTACT_HEADER, header_row, inline, raw_xlsx)
    data = raw_xlsx(header_row(CONTACT_HEADER)
        + b'<row r="2">' + inline('A2', '张三') + b'</row>'
        + b'<row r="1048576">' + inline('A1048576', '李四') + b'</row>')
    result = import_contacts(xiena, data)
    assert result is not None
    assert '单元格 A1048576' in result['problems']


def test_or_of_20000_terms_refused(xiena):
    domain = ['OR'] + [['login', '=', 'u%d' % i] for i in range(20000)]
    start = time.monotonic()
    with pytest.raises(RPCError) as info:
        xiena.model('egov.org.employee', 'search_count', domain)
    assert time.monotonic() - start < 3
    assert info.value.kind == 'UserError'
    assert '查询条件超过 500 个' in info.value.message
    # What the web client sends still works
    assert xiena.model('egov.org.employee', 'search_count', [
            'OR', ['name', 'ilike', '%张%'], ['name', 'ilike', '%李%']]) >= 0


@pytest.mark.parametrize('method,args,words', [
        # The drop-down's completion is bounded as the search is
        ('autocomplete', ('a', ['OR'] + [['name', '=', 'u%d' % i]
                    for i in range(600)], 10, None), '查询条件超过 500 个'),
        # A pattern the database would answer in English, after seconds
        ('search_count', ([['name', 'ilike', '%' + 'a' * 500000 + '%']],),
            '超过 1000 个字符'),
        # Records made at once
        ('create', ([{'name': '张%d' % i} for i in range(5001)],),
            '一次最多新建或导入 5000 条'),
        ('import_data', (['name'], [['张%d' % i] for i in range(5001)]),
            '一次最多新建或导入 5000 条'),
        ])
def test_bounded_before_any_work(xiena, method, args, words):
    start = time.monotonic()
    with pytest.raises(RPCError) as info:
        xiena.model('egov.directory.contact', method, *args)
    assert time.monotonic() - start < 3
    assert info.value.kind == 'UserError', info.value
    assert words in info.value.message


@pytest.mark.parametrize('method,args', [
        # Malformed arguments that reach Python code unchecked
        ('search_read', ([], 0, 10, None, 12345)),
        ('read', ([1], 'name')),
        ('search', ([['name', '=', 'x', 'y', 'z']], 0, None, None)),
        ])
def test_unexpected_error_has_no_python_text(server, xiena, method, args):
    with pytest.raises(RPCError) as info:
        xiena.model('egov.org.unit', method, *args)
    error = info.value
    text = '%s %s %s' % (error.kind, error.message, error.detail)
    # A generic message in Chinese with a reference…
    assert error.kind == 'UserError', text
    assert '服务器内部出错' in error.message
    reference = re.search(r'错误编号 (\w+)', error.message).group(1)
    # …that finds the traceback in the server's log
    server.log.flush()
    log = (server.directory / 'server.log').read_text(errors='replace')
    assert reference in log
    assert 'Traceback' in log.split(reference, 1)[1][:5000]
    for python in ['Traceback', 'File "', 'Error:', 'Exception',
            'object is not', 'NoneType', '.py']:
        assert python not in text, text
