"""Local servers that speak providers' protocols on loopback, for tests.

Each is an http.server in a thread (HTTP/1.1 keep-alive, a thread per
connection), started and stopped by the test (`with Fake() as fake:` or
start()/stop(); port 0 takes a free port) and told to fail:

- down(style): 'refuse' stops listening (connection refused), 'close'
  drops every connection unanswered, '503' answers 503; up() ends it;
- slow(seconds): every request is handled, then answered, that much later
  (past the client's time-out the provider took it, the client never knew);
- throttle(calls): the next sends are refused as throttled;
- fail_after_accept(calls): the next sends are taken and recorded, then
  the connection drops before the answer (a crash between the two).

Subclasses implement dispatch(request) → (status, JSON body[, headers]) or
DROP. Everything is guarded by one lock: tests and the fault test read the
counters while a worker sends."""
import http.server
import json
import threading
import time
import urllib.parse

DROP = object()
MAX_BODY = 4 * 1024 * 1024


class Request:
    "What dispatch() sees of an HTTP request"

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        split = urllib.parse.urlsplit(target)
        self.path = split.path
        self.query_string = split.query
        self.query = dict(urllib.parse.parse_qsl(
                split.query, keep_blank_values=True))
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode('utf-8'))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Headers and body leave in separate writes: without TCP_NODELAY each
    # answer waits for the client's delayed ACK (40 ms)
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def _serve(self):
        fake = self.server.fake
        if fake._down in ('close', 'refuse'):
            self.close_connection = True
            return
        try:
            size = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY:
            self._answer(413, {'code': 'TOO_LARGE'})
            self.close_connection = True
            return
        body = self.rfile.read(size) if size else b''
        if fake._down == '503':
            self._answer(503, {'Code': 'ServiceUnavailable',
                    'code': 'UNAVAILABLE',
                    'Message': 'The service is not available.'})
            return
        delay = fake._slow
        if delay:
            time.sleep(delay)
        with fake.lock:
            fake.total_calls += 1
        answer = fake.dispatch(Request(self.command, self.path,
                self.headers, body))
        if answer is DROP:
            self.close_connection = True
            return
        self._answer(*answer)

    do_GET = do_POST = _serve

    def _answer(self, status, body, headers=None):
        data = json.dumps(body, ensure_ascii=False).encode('utf-8')
        try:
            self.send_response(status)
            self.send_header('Content-Type',
                'application/json;charset=utf-8')
            self.send_header('Content-Length', str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its time-out): nothing to answer
            self.close_connection = True


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True


class FakeServer:
    def __init__(self, port=0):
        self.port = port
        self.lock = threading.RLock()
        self.total_calls = 0
        self._httpd = None
        self._thread = None
        self._down = None
        self._slow = 0
        self._counters = {}

    # Life

    def start(self):
        self._httpd = _Server(('127.0.0.1', self.port), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
            kwargs={'poll_interval': 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    # Faults

    def down(self, style='503'):
        assert style in {'refuse', 'close', '503'}
        self._down = style
        if style == 'refuse':
            self.stop()

    def up(self):
        style, self._down = self._down, None
        if style == 'refuse':
            self.start()

    def slow(self, seconds):
        self._slow = seconds

    def throttle(self, calls):
        self._set('throttle', calls)

    def fail_after_accept(self, calls=1):
        self._set('fail_after_accept', calls)

    def _set(self, name, calls):
        with self.lock:
            self._counters[name] = calls

    def _consume(self, name):
        "Whether the fault `name` applies to this call (and count it)"
        with self.lock:
            left = self._counters.get(name, 0)
            if left > 0:
                self._counters[name] = left - 1
                return True
            return False

    def dispatch(self, request):
        raise NotImplementedError


def post_json(url, payload, timeout=5):
    "POST payload as JSON (a provider's push); (status, answer text)"
    import urllib.request
    data = json.dumps(payload, ensure_ascii=False).encode('utf-8')
    request = urllib.request.Request(url, data=data, method='POST',
        headers={'Content-Type': 'application/json;charset=utf-8'})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read().decode('utf-8')
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode('utf-8', 'replace')
