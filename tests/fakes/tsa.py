"""A local external time-stamping authority: RFC 3161 over HTTP (POST of
an `application/timestamp-query`, answered `application/timestamp-reply`),
signing with its own RSA key and a self-signed certificate.

    with FakeTSA() as tsa:
        tsa.url, tsa.certificate_pem    # what the platform is configured with

Besides the faults of every fake (down, slow), it can be told to answer
with a wrong nonce, a token for other data, garbage, a rejection, or a
token signed by a certificate that has expired."""
import datetime
import threading

from egov_document.timestamp import rfc3161

from .server import FakeServer, _Handler, _Server

MODES = {'ok', 'wrong_nonce', 'other_data', 'garbage', 'rejection',
    'expired'}


class _TSAHandler(_Handler):

    def _answer(self, status, body, headers=None):
        if not isinstance(body, bytes):
            return super()._answer(status, body, headers)
        try:
            self.send_response(status)
            self.send_header('Content-Type', 'application/timestamp-reply')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class FakeTSA(FakeServer):

    def __init__(self, port=0, name='江西省时间戳服务中心（测试）'):
        super().__init__(port=port)
        key, certificate = rfc3161.generate('rsa', name, '测试')
        self.signer = rfc3161.Signer('rsa', key, certificate)
        self.certificate_pem = rfc3161.pem(certificate)
        past = rfc3161.utcnow() - datetime.timedelta(days=3660)
        key, certificate = rfc3161.generate('rsa', name, '测试', years=1,
            now=past)
        self._expired = rfc3161.Signer('rsa', key, certificate)
        self.mode = 'ok'
        self.requests = []
        self.serial = 1000

    def start(self):
        self._httpd = _Server(('127.0.0.1', self.port), _TSAHandler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
            kwargs={'poll_interval': 0.05}, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self):
        return 'http://127.0.0.1:%d/tsa' % self.port

    def answer(self, mode):
        assert mode in MODES
        self.mode = mode

    def dispatch(self, request):
        if request.method != 'POST' or request.path != '/tsa':
            return 404, {'error': 'not found'}
        if request.headers.get('Content-Type') != (
                'application/timestamp-query'):
            return 415, {'error': 'unsupported media type'}
        with self.lock:
            self.requests.append(request.body)
            self.serial += 1
            serial, mode = self.serial, self.mode
        if mode == 'garbage':
            return 200, b'<html>Service temporarily unavailable</html>'
        if mode == 'rejection':
            return 200, rfc3161.TimeStampResp({'status': {
                        'status': 'rejection',
                        'status_string': ['policy not accepted'],
                        }}).dump()
        data = request.body
        if mode in {'wrong_nonce', 'other_data'}:
            parsed = rfc3161.read_request(data)
            imprint = parsed['message_imprint']
            hashed = imprint['hashed_message'].native
            if mode == 'other_data':
                hashed = bytes(len(hashed))
            data = rfc3161.make_request(hashed,
                imprint['hash_algorithm']['algorithm'].native,
                (parsed['nonce'].native or 0) + (
                    1 if mode == 'wrong_nonce' else 0))
        signer = self.signer
        if mode == 'expired':
            # An authority that signs on with its old certificate: the
            # signature is good, the certificate no longer valid
            signer = self._expired
            parsed = rfc3161.read_request(data)
            return 200, rfc3161.TimeStampResp({
                    'status': {'status': 'granted'},
                    'time_stamp_token': signer.token(
                        parsed, serial, rfc3161.utcnow()),
                    }).dump()
        return 200, signer.respond(data, serial)

