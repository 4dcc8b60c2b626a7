"""A local SMTP server (RFC 5321, the commands trytond's sendmail uses:
EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that records what it
accepts and can be told to refuse a recipient for good (550) or for now
(451), or to be down."""
import email
import email.policy
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):

    def reply(self, line):
        self.wfile.write((line + '\r\n').encode())

    def handle(self):
        fake = self.server.fake
        if fake.mode == 'down':
            return
        self.reply('220 fake-smtp ready')
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode('utf-8', 'replace').strip()
            verb = command[:4].upper()
            if verb in ('EHLO', 'HELO'):
                self.reply('250 fake-smtp')
            elif verb == 'MAIL':
                sender, recipients = command[10:].strip('<> '), []
                self.reply('250 OK')
            elif verb == 'RCPT':
                address = command.split(':', 1)[1].strip('<> ')
                if address in fake.refused:
                    self.reply('550 5.1.1 no such user')
                elif fake.mode == 'busy':
                    self.reply('451 4.3.0 try again later')
                else:
                    recipients.append(address)
                    self.reply('250 OK')
            elif verb == 'DATA':
                if not recipients:
                    self.reply('554 no valid recipients')
                    continue
                self.reply('354 end with .')
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b'.\r\n', b'.\n', b''):
                        break
                    data.append(chunk[1:] if chunk.startswith(b'..')
                        else chunk)
                message = email.message_from_bytes(b''.join(data),
                    policy=email.policy.default)
                with fake.lock:
                    fake.messages.append((sender, recipients, message))
                self.reply('250 OK queued')
            elif verb in ('RSET', 'NOOP'):
                self.reply('250 OK')
            elif verb == 'QUIT':
                self.reply('221 bye')
                return
            else:
                self.reply('502 not implemented')


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeSMTP:

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.refused = set()
        self.mode = 'up'
        self.server = None

    @property
    def url(self):
        return 'smtp://127.0.0.1:%d' % self.server.server_address[1]

    def start(self):
        self.server = _Server(('127.0.0.1', 0), _Handler)
        self.server.fake = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.messages.clear()
        self.refused.clear()
        self.mode = 'up'
