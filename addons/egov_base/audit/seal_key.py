"""The key that signs the audit's seals and archives.

The private key lives in a file that the database cannot read ([egov]
audit_seal_key: a PEM private key, mode 0600, held by the security
administrator), never in the database: whoever rewrites the tables cannot
sign a seal. Verification trusts only public keys from the configuration
([egov] audit_seal_public_keys: a file of one or more PEM public keys; old
keys stay there after a rotation) and the public part of the configured
private key; the key id stored with a seal or an archive only says which
of them to use.

Keys are ECDSA P-256 (SHA-256) made with `cryptography` (OpenSSL): SM2
through gmssl is pure Python and took 15 ms per signature check here, so a
year of minute seals would take hours to verify; P-256 takes well under a
millisecond. Ed25519 keys (the archives' earlier key) are accepted too.

    python -m egov_base.audit.seal_key generate PATH   # a new key, 0600
    python -m egov_base.audit.seal_key public PATH     # its public PEM
"""
import functools
import os
import sys

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from trytond import config

from .chain import sm3_hex

KEY_ID_LENGTH = 16


def generate(path):
    "Write a new private key to path (mode 0600, never overwritten)"
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, 'wb') as fp:
        fp.write(pem)
    return key


def public_pem(public_key):
    return public_key.public_bytes(serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode('ascii')


def key_id(public_key):
    "The fingerprint of a public key: SM3 of its DER form, shortened"
    der = public_key.public_bytes(serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    return sm3_hex(der)[:KEY_ID_LENGTH]


def private_key_path():
    # audit_signing_key: the name the archives used before
    return (config.get('egov', 'audit_seal_key', default=None)
        or config.get('egov', 'audit_signing_key', default=None))


@functools.lru_cache(maxsize=8)
def _load_private(path, mtime):
    with open(path, 'rb') as fp:
        return serialization.load_pem_private_key(fp.read(), password=None)


def private_key():
    "The configured private key, or None when none is set or readable"
    path = private_key_path()
    if not path:
        return None
    try:
        return _load_private(path, os.stat(path).st_mtime_ns)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm):
        return None


@functools.lru_cache(maxsize=8)
def _load_public(path, mtime):
    keys = []
    with open(path, 'rb') as fp:
        text = fp.read()
    marker = b'-----END PUBLIC KEY-----'
    for block in text.split(marker):
        if b'-----BEGIN PUBLIC KEY-----' in block:
            keys.append(serialization.load_pem_public_key(block + marker))
    return keys


def trusted_keys():
    "{key id: public key} of the keys verification trusts"
    keys = {}
    path = config.get('egov', 'audit_seal_public_keys', default=None)
    if path:
        try:
            for public in _load_public(path, os.stat(path).st_mtime_ns):
                keys[key_id(public)] = public
        except (OSError, ValueError, UnsupportedAlgorithm):
            pass
    private = private_key()
    if private is not None:
        public = private.public_key()
        keys[key_id(public)] = public
    return keys


def sign(payload, key=None):
    """Return (key id, signature in hex) of payload, or None when no key
    is configured"""
    key = key or private_key()
    if key is None:
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))
    else:
        signature = key.sign(payload)
    return key_id(key.public_key()), signature.hex()


def check(key_id_, signature, payload, keys=None):
    """'ok' when signature is a signature of payload by the trusted key
    key_id_, 'unknown' when no trusted key has that id, else 'invalid'"""
    if keys is None:
        keys = trusted_keys()
    public = keys.get(key_id_)
    if public is None:
        return 'unknown'
    try:
        raw = bytes.fromhex(signature or '')
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(raw, payload, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(raw, payload)
        else:
            return 'invalid'
    except (InvalidSignature, ValueError):
        return 'invalid'
    return 'ok'


def use_test_key():
    """Configure a key made for this process when none is configured: for
    the module tests, which run without a rendered configuration"""
    if private_key_path():
        return
    import tempfile
    path = os.path.join(tempfile.mkdtemp(prefix='egov-seal-'), 'seal.pem')
    generate(path)
    if not config.has_section('egov'):
        config.add_section('egov')
    config.set('egov', 'audit_seal_key', path)


def main(argv):
    if len(argv) != 2 or argv[0] not in {'generate', 'public'}:
        print(__doc__.split('\n\n')[-1], file=sys.stderr)
        return 2
    command, path = argv
    if command == 'generate':
        key = generate(path)
    else:
        with open(path, 'rb') as fp:
            key = serialization.load_pem_private_key(fp.read(), None)
    print('# key id %s' % key_id(key.public_key()))
    print(public_pem(key.public_key()), end='')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
