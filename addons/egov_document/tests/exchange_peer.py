"""Another platform for the exchange tests: a small HTTP server on loopback
that speaks the exchange protocol with the same package code (package.py),
its own SM2 key pair, and the public key it knows of this platform.

It can be told to answer as a platform that is down (503), to refuse
(400), or to take packages and answer with its signed receipt; it keeps
what it received. It also sends packages to this platform."""
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
        # The public key of the platform under test, as it gave it
        self.platform_key = None
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
                try:
                    package = package_.read(data, lambda code: (
                            peer.platform_key if code else None))
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
        document = package_.Document(
            identifier='%s-2026-00000088' % self.code,
            kind_code='notice', kind_name='通知',
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

    def build(self, package, private_key=None):
        return package_.build(package, private_key or self.private_key)

    @staticmethod
    def post(url, data, content_type='application/zip'):
        "(status, JSON answer) of POSTing data to url"
        request = urllib.request.Request(url, data=data, method='POST',
            headers={'Content-Type': content_type})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b'null')
