"""SM3 digests and SM2 signatures (GB/T 32905, GB/T 32918) of the exchange.

Keys are hex: a private key is 64 digits, a public key the 128 digits of
the point's x and y (an '04' prefix is accepted). A signature is the 128
hex digits of r and s, over the SM3 of Z(A) and the message with the
default user ID 1234567812345678 (GB/T 35276), as gmssl's
sign_with_sm3 computes it. ALGORITHM names it in every package and
receipt, so that another algorithm can be added beside it."""
import hashlib
import re
import secrets

ALGORITHM = 'SM2-SM3'
DIGEST = 'SM3'
# The package's files: SM4 (GB/T 32907) in GCM mode under a key of its
# own, the key encrypted with the receiver's SM2 key (GB/T 32918.4)
CIPHER = 'SM4-GCM'
KEY_WRAP = 'SM2'
SM4_KEY = 16
NONCE = 12
TAG = 16
_HEX = re.compile(r'[0-9a-f]+')


class SignatureError(Exception):
    "A key or a signature that is not well formed"


class DecryptionError(Exception):
    "A ciphertext that does not open with the key given"


def sm3(data):
    "The SM3 digest of data (bytes) as 64 hex digits"
    try:
        return hashlib.new('sm3', data).hexdigest()
    except ValueError:
        # An OpenSSL built without SM3
        from cryptography.hazmat.primitives import hashes
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize().hex()


class SM3Hasher:
    "An SM3 digest fed in chunks"

    def __init__(self):
        try:
            self._hash = hashlib.new('sm3')
            self._final = self._hash.hexdigest
        except ValueError:
            from cryptography.hazmat.primitives import hashes
            self._hash = hashes.Hash(hashes.SM3())
            self._final = lambda: self._hash.finalize().hex()

    def update(self, data):
        self._hash.update(data)

    def hexdigest(self):
        return self._final()


def _sm2():
    from gmssl import sm2
    return sm2


def _order():
    return int(_sm2().default_ecc_table['n'], 16)


def normalise_public_key(value):
    "The public key as 128 lower-case hex digits, or SignatureError"
    key = re.sub(r'\s+', '', value or '').lower()
    if len(key) == 130 and key.startswith('04'):
        key = key[2:]
    if len(key) != 128 or not _HEX.fullmatch(key):
        raise SignatureError('public key')
    if not _on_curve(key):
        raise SignatureError('public key')
    return key


def _on_curve(key):
    table = _sm2().default_ecc_table
    p, a, b = (int(table[k], 16) for k in 'pab')
    x, y = int(key[:64], 16), int(key[64:], 16)
    if not (0 < x < p and 0 < y < p):
        return False
    return (y * y - (x * x * x + a * x + b)) % p == 0


def _crypt(private_key, public_key):
    sm2 = _sm2()
    crypt = sm2.CryptSM2(private_key=private_key, public_key='')
    # (the constructor strips any leading '0' and '4' of a key starting with
    # '04', which damages some keys: set it as it is)
    crypt.public_key = public_key
    return crypt


def generate_key_pair():
    "A new (private key, public key) in hex"
    sm2 = _sm2()
    d = secrets.randbelow(_order() - 2) + 1
    private_key = '%064x' % d
    crypt = sm2.CryptSM2(private_key=private_key, public_key='')
    return private_key, crypt._kg(d, sm2.default_ecc_table['g'])


def public_key_of(private_key):
    sm2 = _sm2()
    crypt = sm2.CryptSM2(private_key=private_key, public_key='')
    return crypt._kg(int(private_key, 16), sm2.default_ecc_table['g'])


def sign(private_key, data):
    "The signature of data (bytes) by private_key"
    public_key = public_key_of(private_key)
    crypt = _crypt(private_key, public_key)
    while True:
        # The nonce comes from the system's secure generator (gmssl's own
        # uses random.choice, which is not fit for keys)
        nonce = '%064x' % (secrets.randbelow(_order() - 1) + 1)
        signature = crypt.sign_with_sm3(data, nonce)
        if signature:
            return signature


def verify(public_key, data, signature):
    "True when signature is public_key's signature of data"
    signature = (signature or '').strip().lower()
    if len(signature) != 128 or not _HEX.fullmatch(signature):
        return False
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    n = _order()
    if not (0 < r < n and 0 < s < n):
        return False
    try:
        key = normalise_public_key(public_key)
        return bool(_crypt('0' * 64, key).verify_with_sm3(signature, data))
    except (SignatureError, ValueError, TypeError, IndexError):
        return False


# ------------------------------------------------------------- encryption
def key_id(public_key):
    "A short name of a public key: the first 16 hex digits of its SM3"
    return sm3(bytes.fromhex(normalise_public_key(public_key)))[:16]


def _kdf(z, length):
    "The key derivation function of GB/T 32918.4 (SM3, 32-bit counter)"
    output, counter = b'', 1
    while len(output) < length:
        output += bytes.fromhex(sm3(z + counter.to_bytes(4, 'big')))
        counter += 1
    return output[:length]


def sm2_encrypt(public_key, data):
    """data encrypted for public_key (GB/T 32918.4) as bytes C1‖C3‖C2, C1
    the point 04‖x‖y (the order of GB/T 35276)"""
    sm2 = _sm2()
    key = normalise_public_key(public_key)
    crypt = _crypt('0' * 64, key)
    table = sm2.default_ecc_table
    while True:
        # The ephemeral key from the system's secure generator (gmssl's
        # encrypt draws it with random.choice)
        k = secrets.randbelow(_order() - 1) + 1
        c1 = crypt._kg(k, table['g'])
        point = bytes.fromhex(crypt._kg(k, key))
        x2, y2 = point[:32], point[32:]
        t = _kdf(point, len(data))
        if any(t):
            break
    c2 = bytes(a ^ b for a, b in zip(data, t))
    c3 = bytes.fromhex(sm3(x2 + data + y2))
    return b'\x04' + bytes.fromhex(c1) + c3 + c2


def sm2_decrypt(private_key, data):
    "The plaintext of sm2_encrypt's data, or DecryptionError"
    # C1 as 04‖x‖y (ours, GB/T 35276) or as x‖y (gmssl's): an x of the
    # second form starts with the byte 04 once in 256, so the prefix is
    # taken as one only when the point after it lies on the curve
    if data[:1] == b'\x04' and len(data) > 65 and _on_curve(
            data[1:65].hex()):
        data = data[1:]
    if len(data) < 64 + 32 + 1:
        raise DecryptionError('short')
    c1, c3, c2 = data[:64].hex(), data[64:96], data[96:]
    if not _on_curve(c1):
        raise DecryptionError('point')
    try:
        point = bytes.fromhex(_crypt(private_key, public_key_of(
                    private_key))._kg(int(private_key, 16), c1))
    except (ValueError, TypeError):
        raise DecryptionError('key')
    x2, y2 = point[:32], point[32:]
    t = _kdf(point, len(c2))
    if not any(t):
        raise DecryptionError('kdf')
    plain = bytes(a ^ b for a, b in zip(c2, t))
    # C3 proves the key: another private key gives another point
    if not secrets.compare_digest(bytes.fromhex(sm3(x2 + plain + y2)), c3):
        raise DecryptionError('digest')
    return plain


def new_content_key():
    return secrets.token_bytes(SM4_KEY)


def sm4_seal(key, data, associated):
    "nonce‖ciphertext‖tag of data under key (SM4-GCM)"
    from cryptography.hazmat.primitives.ciphers import (
        Cipher, algorithms, modes)
    nonce = secrets.token_bytes(NONCE)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated)
    data = encryptor.update(data) + encryptor.finalize()
    return nonce + data + encryptor.tag


def sm4_open(key, sealed, associated):
    "The plaintext of sm4_seal's sealed, or DecryptionError"
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import (
        Cipher, algorithms, modes)
    if len(sealed) < NONCE + TAG or len(key) != SM4_KEY:
        raise DecryptionError('short')
    nonce, data, tag = sealed[:NONCE], sealed[NONCE:-TAG], sealed[-TAG:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)
        ).decryptor()
    decryptor.authenticate_additional_data(associated)
    try:
        return decryptor.update(data) + decryptor.finalize()
    except InvalidTag:
        raise DecryptionError('tag')
