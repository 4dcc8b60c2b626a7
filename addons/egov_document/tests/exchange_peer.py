"""Another platform for the exchange tests: a small HTTP server on loopback
that speaks the exchange protocol with the same package code (package.py),
its own SM2 key pair, and the public key it knows of this platform.

It can be told to answer as a platform that is down (503), to refuse
(400), or to take packages and answer with its signed receipt; it keeps
what it received, decrypting what was encrypted for it, and the 签收回执
it is sent. It also sends packages to this platform, encrypted when it
knows this platform's encryption key."""
import io
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from egov_document.exchange import package as package_
from egov_document.exchange import signing


def docx_bytes(text='正文'):
    "A small Word document"
    import docx
    document = docx.Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


class PeerPlatform:

    def __init__(self, code='11360000MB0000001X', name='江西省公文交换平台'):
        self.code = code
        self.name = name
        self.private_key, self.public_key = signing.generate_key_pair()
        self.decryption_key, self.encryption_key = (
            signing.generate_key_pair())
        # The public keys of the platform under test, as it gave them
        self.platform_key = None
        self.platform_encryption_key = None
        self.statuses = []
        self.mode = 'ok'
        self.received = []
        self.requests = 0
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever,
            daemon=True)

    @property
    def url(self):
        return 'http://127.0.0.1:%d/exchange' % self.server.server_port

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *args):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        peer = self

        class Handler(BaseHTTPRequestHandler):

            def log_message(self, *args):
                pass

            def do_POST(self):
                peer.requests += 1
                length = int(self.headers.get('Content-Length') or 0)
                data = self.rfile.read(length)
                if peer.mode == 'down':
                    return self.answer(503, {'message': '系统维护中'})
                if peer.mode == 'refuse':
                    return self.answer(400, {
                            'error': 'field', 'message': '元数据不完整'})
                if self.headers.get_content_type() == 'application/json':
                    return self.status(data)
                try:
                    package = package_.read(data, lambda code: (
                            peer.platform_key if code else None),
                        private_key_of=lambda code: peer.decryption_key)
                except package_.PackageRefused as refused:
                    return self.answer(refused.status,
                        {'error': refused.reason})
                if any(p.package_id == package.package_id
                        for p in peer.received):
                    answer = package_.make_receipt(package, peer.code,
                        peer.private_key)
                    answer['error'] = 'replayed'
                    return self.answer(409, answer)
                peer.received.append(package)
                self.answer(200, package_.make_receipt(
                        package, peer.code, peer.private_key))

            def status(self, data):
                "A 签收回执 of a package the peer sent"
                try:
                    receipt = package_.read_status(data, lambda code: (
                            peer.platform_key if code else None))
                except package_.PackageRefused as refused:
                    return self.answer(refused.status,
                        {'error': refused.reason})
                if any(r['receipt_id'] == receipt['receipt_id']
                        for r in peer.statuses):
                    return self.answer(409, {'error': 'status_replayed'})
                peer.statuses.append(receipt)
                self.answer(200, {'accepted': True})

            def answer(self, status, value):
                body = json.dumps(value, ensure_ascii=False).encode('utf-8')
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        return Handler

    def package(self, receiver_code, title='关于报送2026年度公文处理工作总结的通知',
            number='赣办字〔2026〕88号', body=None, attachments=(),
            secrecy='none', **values):
        "A package of this platform to the unit receiver_code"
        values.setdefault('kind_code', '08')
        values.setdefault('kind_name', '通知')
        document = package_.Document(
            identifier='%s-2026-00000088' % self.code,
            secrecy=secrecy, urgency='urgent',
            issuer=package_.Organ(self.code, '江西省人民政府办公厅'),
            number=number, title=title,
            main_recipients=[package_.Organ(receiver_code, '')],
            signatory='江西省人民政府办公厅', **values)
        files = []
        if body is not None:
            files.append(package_.File('body', '正文.docx', body))
        for name, data in attachments:
            files.append(package_.File('attachment', name, data))
        return package_.Package(
            sender=package_.Organ(self.code, self.name),
            receiver=package_.Organ(receiver_code, ''),
            document=document, files=files)

    def build(self, package, private_key=None, encrypt=True):
        "The package's bytes, encrypted when this platform's key is known"
        return package_.build(package, private_key or self.private_key,
            encrypt_for=self.platform_encryption_key if encrypt else None)

    def status(self, package, state, reason=''):
        "The 签收回执 of a package this platform was sent (as JSON bytes)"
        answer = package_.make_status(package.package_id,
            package.sender.code, self.code, package.metadata_digest, state,
            self.private_key, reason=reason)
        return json.dumps(answer, ensure_ascii=False).encode('utf-8')

    @staticmethod
    def post(url, data, content_type=None):
        "(status, JSON answer) of POSTing data to url"
        if content_type is None:
            content_type = ('application/json' if data.startswith(b'{')
                else 'application/zip')
        request = urllib.request.Request(url, data=data, method='POST',
            headers={'Content-Type': content_type})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b'null')
