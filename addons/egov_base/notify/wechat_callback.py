"""The callback of a WeChat Work application: the URL check when an
administrator saves the callback address, then every message and event a
person sends to the application, encrypted (AES) and signed (SHA1 of the
token, timestamp, nonce and ciphertext) as WeChat does.

Pure functions: the route gives the settings, the request's query and body,
and a store of what was seen (`seen(key) -> bool`, True when the key was
there before; it records the key otherwise). Anything not as WeChat sends
it raises CallbackRefused with the reason, for the log only."""
import datetime
import re
import time
from dataclasses import dataclass, field

from lxml import etree
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from .provider import Reply

# A callback older or newer than this (seconds) is refused: with the nonces
# kept for a day, no signed callback can be played twice
WINDOW = 300
# WeChat's messages are a few kB; an image message is a link
MAX_BODY = 64 * 1024
SIGNATURE = re.compile(r'[0-9a-f]{40}')
TIMESTAMP = re.compile(r'[0-9]{1,12}')
NONCE = re.compile(r'[0-9A-Za-z_-]{1,64}')
# The encrypted text of a URL check or a message
BASE64 = re.compile(r'[0-9A-Za-z+/]+={0,2}')
ECHO_MAX = 4096
PARSER = etree.XMLParser(resolve_entities=False, no_network=True,
    load_dtd=False, dtd_validation=False, huge_tree=False)


class CallbackRefused(Exception):
    "A callback not from WeChat or not as WeChat sends it"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Inbound:
    "What a callback carried: a reply, an event, or another kind of message"
    kind: str                    # 'text', 'event' or WeChat's MsgType
    reply: Reply | None = None
    event: dict = field(default_factory=dict)


def crypto(settings):
    try:
        return WeChatCrypto(settings['token'], settings['encoding_aes_key'],
            settings['corp_id'])
    except (KeyError, TypeError, ValueError, AssertionError) as exception:
        # 43 characters of base64 give the 32 bytes of the AES key
        raise CallbackRefused('settings: %s' % exception)


def _signed(params, now):
    "(signature, timestamp, nonce) of params, checked in form and time"
    signature = params.get('msg_signature') or ''
    timestamp = params.get('timestamp') or ''
    nonce = params.get('nonce') or ''
    if not SIGNATURE.fullmatch(signature):
        raise CallbackRefused('signature: missing or malformed')
    if not TIMESTAMP.fullmatch(timestamp) or not NONCE.fullmatch(nonce):
        raise CallbackRefused('timestamp or nonce malformed')
    now = time.time() if now is None else now
    if abs(int(timestamp) - now) > WINDOW:
        raise CallbackRefused('stale: timestamp %s is %d s away' % (
                timestamp, int(timestamp) - now))
    return signature, timestamp, nonce


def verify_url(settings, params, now=None):
    "The decrypted echostr of WeChat's URL check (GET)"
    signature, timestamp, nonce = _signed(params, now)
    echostr = params.get('echostr') or ''
    if len(echostr) > ECHO_MAX or not BASE64.fullmatch(echostr):
        raise CallbackRefused('echostr malformed')
    try:
        return crypto(settings).check_signature(
            signature, timestamp, nonce, echostr)
    except InvalidSignatureException:
        raise CallbackRefused('signature: does not match')
    except InvalidCorpIdException:
        raise CallbackRefused('corp id: not this corporation')
    except Exception as exception:
        raise CallbackRefused('decryption: %s' % type(exception).__name__)


def parse_xml(data):
    "The children of the root element as a dict of text; refuse any DTD"
    if isinstance(data, str):
        data = data.encode('utf-8')
    if len(data) > MAX_BODY:
        raise CallbackRefused('malformed: body over %d bytes' % MAX_BODY)
    if b'<!DOCTYPE' in data.upper() or b'<!ENTITY' in data.upper():
        raise CallbackRefused('malformed: DTD')
    try:
        root = etree.fromstring(data, PARSER)
    except (etree.XMLSyntaxError, ValueError) as exception:
        raise CallbackRefused('malformed: %s' % exception)
    if root is None or root.tag != 'xml':
        raise CallbackRefused('malformed: no xml root')
    return {child.tag: (child.text or '') for child in root
        if isinstance(child.tag, str)}


def _time(value):
    "A naive UTC datetime of WeChat's CreateTime (seconds)"
    if not TIMESTAMP.fullmatch(value or ''):
        return None
    return datetime.datetime.fromtimestamp(int(value),
        datetime.timezone.utc).replace(tzinfo=None)


def receive(settings, params, body, seen, now=None):
    """The Inbound of a POSTed callback; refused when forged, stale,
    replayed or malformed"""
    signature, timestamp, nonce = _signed(params, now)
    envelope = parse_xml(body)
    encrypted = (envelope.get('Encrypt') or '').strip()
    if not BASE64.fullmatch(encrypted):
        raise CallbackRefused('malformed: no Encrypt')
    try:
        text = crypto(settings).decrypt_message(
            {'Encrypt': encrypted}, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise CallbackRefused('signature: does not match')
    except InvalidCorpIdException:
        raise CallbackRefused('corp id: not this corporation')
    except CallbackRefused:
        raise
    except Exception as exception:
        raise CallbackRefused('decryption: %s' % type(exception).__name__)
    # Signed by who holds the token: now, was it played before?
    if seen('n:%s:%s' % (timestamp, nonce)):
        raise CallbackRefused('replay: nonce %s seen' % nonce)
    message = parse_xml(text)
    kind = (message.get('MsgType') or '').lower()
    user = message.get('FromUserName') or ''
    if not kind or not user:
        raise CallbackRefused('malformed: no MsgType or FromUserName')
    msg_id = message.get('MsgId') or ''
    if msg_id and seen('m:%s' % msg_id[:64]):
        raise CallbackRefused('replay: MsgId %s seen' % msg_id[:64])
    at = _time(message.get('CreateTime'))
    if kind == 'text':
        return Inbound('text', reply=Reply(address=user,
                text=message.get('Content') or '', at=at,
                provider_id=msg_id))
    if kind == 'event':
        return Inbound('event', event={
                'event': (message.get('Event') or '').lower(),
                'user': user,
                'key': message.get('EventKey') or '',
                'agent_id': message.get('AgentID') or '',
                'at': at,
                # A button of a to-do's card pressed (template_card_event)
                'task_id': message.get('TaskId') or '',
                'card_type': message.get('CardType') or '',
                })
    return Inbound(kind)
