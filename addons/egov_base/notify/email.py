"""E-mail through trytond's sendmail: the provider of the e-mail channel.
The delivery's key is the Message-ID, so a mail server that keeps them can
tell a resend from a new message."""
import logging
import smtplib
import socket
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import quote, urlsplit, urlunsplit

from trytond.sendmail import get_smtp_server

from . import provider as provider_

logger = logging.getLogger(__name__)


def with_password(url, password):
    "url with the password kept apart (encrypted) put back in"
    parts = urlsplit(url)
    user = parts.username or ''
    host = parts.hostname or ''
    if parts.port:
        host += ':%d' % parts.port
    netloc = '%s:%s@%s' % (quote(user), quote(password, safe=''), host)
    return urlunsplit(parts._replace(netloc=netloc))


class Email(provider_.Provider):
    channel = 'email'
    batch_size = 50

    def send(self, outgoing):
        url = self.settings.get('url') or None
        sender = self.settings.get('from_address') or 'no-reply@localhost'
        results = []
        if url and self.settings.get('password'):
            url = with_password(url, self.settings['password'])
        try:
            server = get_smtp_server(url, strict=True)
        except Exception as exception:
            return [provider_.Result(o.key, provider_.RETRY,
                    error=str(exception)[:200]) for o in outgoing]
        try:
            for message in outgoing:
                results.append(self._send_one(server, sender, message))
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                pass
        return results

    def _send_one(self, server, sender, outgoing):
        mail = EmailMessage()
        mail['From'] = sender
        mail['To'] = outgoing.address
        mail['Subject'] = outgoing.title
        domain = sender.rsplit('@', 1)[-1] or None
        mail['Message-ID'] = make_msgid(idstring=outgoing.key, domain=domain)
        mail['X-Egov-Key'] = outgoing.key
        body = outgoing.text
        if outgoing.url:
            body += '\n\n' + outgoing.url
        mail.set_content(body)
        try:
            refused = server.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exception:
            codes = [code for code, _ in exception.recipients.values()]
            # 4xx: the server refuses for now (busy, greylisting)
            state = (provider_.RETRY if all(400 <= c < 500 for c in codes)
                else provider_.FAILED)
            return provider_.Result(outgoing.key, state,
                error=str(exception.recipients)[:200])
        except (smtplib.SMTPServerDisconnected, socket.timeout,
                OSError) as exception:
            return provider_.Result(outgoing.key, provider_.RETRY,
                error=str(exception)[:200])
        except smtplib.SMTPResponseException as exception:
            state = (provider_.RETRY if 400 <= exception.smtp_code < 500
                else provider_.FAILED)
            return provider_.Result(outgoing.key, state,
                error=('%s %s' % (exception.smtp_code,
                        exception.smtp_error))[:200])
        if refused:
            return provider_.Result(outgoing.key, provider_.FAILED,
                error=str(refused)[:200])
        return provider_.Result(outgoing.key, provider_.SENT,
            provider_id=mail['Message-ID'])
