"""Secrets kept in the database (TOTP seeds) are encrypted with SM4-GCM
(GB/T 32907), the national block cipher, through `cryptography`.

The key comes from `[egov] secret_key` (any long random text; keep it out
of the database backups). Without it, a random key is created once and kept
in a table that no user can read through the ORM: that still keeps the
secrets out of every screen and RPC answer, but not out of a database dump,
so production sets the option."""
import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sql import Table
from trytond import config
from trytond.transaction import Transaction

PREFIX = 'sm4gcm1$'
KEY_TABLE = 'egov_security_key'


def _derive(secret):
    # SM3 is not in every OpenSSL build; the key derivation only needs a
    # fixed-size digest of a long secret
    return hashlib.sha256(('egov-security:' + secret).encode('utf-8')
        ).digest()[:16]


def _database_key():
    table = Table(KEY_TABLE)
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.key, where=table.id == 1))
    row = cursor.fetchone()
    if row:
        return base64.b64decode(row[0])
    key = os.urandom(16)
    cursor.execute(*table.insert(
            [table.id, table.key], [[1, base64.b64encode(key).decode()]]))
    return key


def key():
    secret = config.get('egov', 'secret_key', default=None)
    if secret:
        return _derive(secret)
    return _database_key()


def encrypt(plaintext, key_=None):
    key_ = key_ or key()
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key_), modes.GCM(nonce)).encryptor()
    data = encryptor.update(plaintext.encode('utf-8')) + encryptor.finalize()
    return PREFIX + base64.b64encode(nonce + encryptor.tag + data).decode()


def decrypt(token, key_=None):
    "Return the plaintext, or None when the token cannot be decrypted"
    if not token or not token.startswith(PREFIX):
        return None
    key_ = key_ or key()
    raw = base64.b64decode(token[len(PREFIX):])
    nonce, tag, data = raw[:12], raw[12:28], raw[28:]
    decryptor = Cipher(algorithms.SM4(key_), modes.GCM(nonce, tag)
        ).decryptor()
    try:
        return (decryptor.update(data) + decryptor.finalize()).decode('utf-8')
    except InvalidTag:
        return None


class EncryptValuesMixin:
    """A model whose create and write values pass through its classmethod
    _encrypt(values) -> values before they are stored (secrets kept
    encrypted by encrypt() above); the fields named in _never_read are
    read as empty, whoever asks (a private key never leaves the server)"""
    __slots__ = ()
    _never_read = ()

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        for row in result:
            for name in cls._never_read:
                if name in row:
                    row[name] = None
        return result

    @classmethod
    def create(cls, vlist):
        return super().create([cls._encrypt(v) for v in vlist])

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for records, values in zip(actions, actions):
            args.extend((records, cls._encrypt(values)))
        super().write(*args)
