"""The framework fixes of egov_base/speedups.py: in place where trytond
calls them, and giving the same rows."""
import trytond.tools
from trytond.model import modelsql
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base import speedups

from .tools import EgovTestCase


class CountingCursor:
    "A real cursor that counts the reads of its description"

    def __init__(self, cursor):
        self.cursor = cursor
        self.descriptions = 0

    @property
    def description(self):
        self.descriptions += 1
        return self.cursor.description

    def __getattr__(self, name):
        return getattr(self.cursor, name)


class SpeedupsTestCase(EgovTestCase):
    "The framework's fixes"

    def test_cursor_dict_in_place(self):
        "ModelSQL's read and search use the fixed cursor_dict"
        # The module may be imported twice, as egov_base and as
        # trytond.modules.egov_base: the function of either copy
        for function in [modelsql.cursor_dict, trytond.tools.cursor_dict]:
            self.assertEqual(function.__code__.co_filename,
                speedups.cursor_dict.__code__.co_filename)

    @with_transaction()
    def test_cursor_dict_rows(self):
        "Each row as a dict of its columns; the names read once a query"
        for size in [None, 1, 1000]:
            cursor = CountingCursor(Transaction().connection.cursor())
            cursor.execute('SELECT id, login FROM res_user ORDER BY id')
            rows = list(speedups.cursor_dict(cursor, size=size))
            cursor.execute('SELECT id, login FROM res_user ORDER BY id')
            self.assertEqual(rows, [{'id': i, 'login': login}
                    for i, login in cursor.fetchall()])
            self.assertGreater(len(rows), 1)
            self.assertEqual(cursor.descriptions, 1, size)

    def test_json_answers_in_blocks(self):
        """The server's JSON-RPC encoder gives what Tryton's gives, in
        blocks of 64 KiB instead of a piece per token"""
        import datetime
        import json
        from decimal import Decimal

        from trytond.protocols import jsonrpc

        speedups.json_in_blocks()
        self.assertTrue(jsonrpc.encoder.in_blocks)
        tryton = jsonrpc.JSONEncoder(separators=(',', ':'))
        rows = [{'id': i, 'title': '关于做好第%d号公文的通知' % i,
                'create_date': datetime.datetime(2026, 12, 4, 9, i % 60),
                'deadline': datetime.date(2026, 12, 31),
                'amount': Decimal('12.50'), 'data': b'\x00\xff',
                'tags': {'急件'}, 'light': None, 'ratio': 0.1}
            for i in range(3000)]
        answer = {'id': 1, 'result': rows}
        expected = ''.join(tryton.iterencode(answer))
        blocks = list(jsonrpc.encoder.iterencode(answer))
        self.assertEqual(''.join(blocks), expected)
        self.assertEqual(jsonrpc.encoder.encode(answer), expected)
        self.assertEqual(len(blocks), -(-len(expected) // speedups.BLOCK))
        self.assertTrue(all(len(b) == speedups.BLOCK for b in blocks[:-1]))
        self.assertEqual(json.loads(expected)['result'][7]['title'],
            '关于做好第7号公文的通知')
        # Longer than 1,400 bytes, Tryton's dumps() gives up after the
        # first block and the answer is streamed: from the text kept
        with self.assertRaises(OverflowError):
            jsonrpc.dumps(answer)
        self.assertIs(speedups._last_encoded.answer[0], answer)
        self.assertEqual(''.join(jsonrpc.encoder.iterencode(answer)),
            expected)
        self.assertIsNone(speedups._last_encoded.answer)
        # A short answer is still one string (Tryton's dumps)
        self.assertEqual(jsonrpc.dumps({'id': 1, 'result': [1, 'a']}),
            '{"id":1,"result":[1,"a"]}')

    def test_json_answer_whole_and_labelled(self):
        """A long JSON-RPC answer goes in one piece with its length, and is
        labelled gzip only when it is compressed"""
        import gzip
        import json

        from werkzeug.test import EnvironBuilder

        from trytond.protocols import jsonrpc

        speedups.json_in_blocks()
        result = [{'title': '关于做好第%d号公文的通知' % i} for i in range(200)]
        body = json.dumps({'id': 7, 'method': 'x', 'params': []})
        for accept, compressed in [('', False), ('gzip, deflate', True)]:
            environ = EnvironBuilder(method='POST', data=body,
                content_type='application/json',
                headers={'Accept-Encoding': accept}).get_environ()
            request = jsonrpc.JSONRequest(environ)
            answer = jsonrpc.JSONProtocol.response(result, request)
            self.assertFalse(answer.is_streamed)
            data = answer.get_data()
            self.assertEqual(int(answer.headers['Content-Length']),
                len(data))
            self.assertEqual(
                answer.headers.get('Content-Encoding'),
                'gzip' if compressed else None)
            if compressed:
                data = gzip.decompress(data)
            self.assertEqual(json.loads(data), {'id': 7, 'result': result})

    def test_not_json_rpc_is_answered_by_its_http_error(self):
        """A body that is not JSON-RPC's ({id, method, params}) gets the
        HTTP error Tryton gives it, not an internal error"""
        import json

        from werkzeug.exceptions import Forbidden, HTTPException
        from werkzeug.test import EnvironBuilder

        from trytond.exceptions import LoginException
        from trytond.protocols import jsonrpc

        speedups.json_in_blocks()
        body = json.dumps({'method': 'common.db.login', 'params': []})
        environ = EnvironBuilder(method='POST', data=body,
            content_type='application/json').get_environ()
        request = jsonrpc.JSONRequest(environ)
        answer = jsonrpc.JSONProtocol.response(
            LoginException('password', '密码', type='password'), request)
        self.assertIsInstance(answer, HTTPException)
        self.assertEqual(answer.code, Forbidden.code)
