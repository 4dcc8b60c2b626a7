"""Small fixes of the framework for speed, each measured.

cursor_dict: trytond turns each row of a read or a search into a dict by
zipping it with ``cursor.description``, which psycopg 3 builds anew at each
access (a Column object per column, its type looked up), and its batches
are of psycopg's arraysize, one row. A list of 500 rows paid about 25 ms
for it, a third of the meetings' status board. The names are taken once
per query instead."""
import sys
import threading

import trytond.tools


def cursor_dict(cursor, size=None):
    "trytond.tools.cursor_dict, with the column names taken once"
    size = cursor.arraysize if size is None else size
    names = None
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            break
        if names is None:
            names = [column[0] for column in cursor.description]
        for row in rows:
            yield dict(zip(names, row))


# Those of trytond's modules that imported the function by name before
# (the server's); the others import it from trytond.tools later. Nothing is
# imported here: a script that imports egov_base before it configures its
# database would otherwise fix trytond's backend to the default.
trytond.tools.cursor_dict = cursor_dict
for name in ['trytond.model.modelsql', 'trytond.ir.model',
        'trytond.ir.translation']:
    if name in sys.modules:
        sys.modules[name].cursor_dict = cursor_dict


# JSON-RPC answers. trytond.protocols.jsonrpc streams an answer longer than
# 1,400 bytes as Python's pure-Python encoder yields it: one piece per
# token (6,000 for the inbox's 20 rows), and gunicorn's sync worker writes
# each piece as an HTTP chunk of its own, a system call each: the inbox
# page took 24 ms over HTTP against 5 ms in-process. The answer is encoded
# by the C encoder in one go instead and given in blocks of BLOCK
# characters (compressed when the client accepts gzip), then sent whole
# (whole_answer).
BLOCK = 64 * 1024
# Tryton's answer encodes an answer twice when it is longer than 1,400
# bytes: once to learn that (jsonrpc.dumps), then to stream it. The text of
# the last answer a thread encoded is kept for the second time.
_last_encoded = threading.local()


def json_in_blocks():
    """Install the block encoder in trytond.protocols.jsonrpc; called by
    the web side (egov_base.web_page), whose import brings the server's
    protocols (and the configured database backend) anyway"""
    from trytond.protocols import jsonrpc
    if getattr(jsonrpc.encoder, 'in_blocks', False):
        return

    class BlockEncoder(type(jsonrpc.encoder)):
        in_blocks = True

        def iterencode(self, o, _one_shot=False):
            last = getattr(_last_encoded, 'answer', None)
            _last_encoded.answer = None
            if last is not None and last[0] is o:
                text = last[1]
            else:
                # _one_shot picks the C encoder (which calls self.default
                # for the dates, decimals and bytes)
                text = ''.join(super().iterencode(o, _one_shot=True))
                if not _one_shot:
                    # dumps() reads the first block; the stream of the
                    # same answer follows when it is longer than 1,400
                    _last_encoded.answer = (o, text)
            if _one_shot:
                return [text]
            return (text[i:i + BLOCK] for i in range(0, len(text), BLOCK))

    jsonrpc.encoder = BlockEncoder(separators=(',', ':'))
    protocol = jsonrpc.JSONProtocol
    streamed = protocol.response.__func__

    def response(cls, data, request):
        answer = streamed(cls, data, request)
        # A request that is not JSON-RPC's ({id, method, params}) is
        # answered by an HTTP error (werkzeug's HTTPException), not a
        # Response
        if getattr(answer, 'is_streamed', False):
            whole_answer(answer, request)
        return answer
    protocol.response = classmethod(response)


def whole_answer(answer, request):
    """The body of a streamed JSON-RPC answer in one piece, with its
    length: its text is in memory anyway (BlockEncoder). A stream goes as
    HTTP chunks, a system call more for the server and more parsing for
    the client. And Tryton labels every streamed answer gzip, compressed
    or not: a client that does not accept gzip gets it plain, and no label."""
    body = answer.get_data()
    if 'gzip' not in request.accept_encodings:
        del answer.headers['Content-Encoding']
    answer.set_data(body)
