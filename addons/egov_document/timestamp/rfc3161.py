"""RFC 3161 time-stamps, without the framework: a request, the answer of
our own authority (TSA), and the checks of any authority's answer.

A token is a CMS SignedData over a TSTInfo (the digest of what was
stamped, the time, a serial number, the nonce of the request), signed
with RSA (PKCS #1 v1.5, SHA-256) or SM2 (GB/T 35276, SM3, the default
user ID), with the signing-certificate attribute (ESSCertIDv2, RFC 5816)
that `openssl ts -verify` requires.

Everything read from outside is bounded (MAX_ANSWER) and every failure is
a TimestampError whose `code` the caller turns into a message."""
import datetime
import hashlib
import os

from asn1crypto import algos, cms, core, keys, tsp, x509

from ..exchange import signing as sm2

# The policy of our authority: an OID under the UUID arc (X.667), which
# needs no registration
POLICY = '2.25.176418062451312896163316012187046390311'
MAX_REQUEST = 8 * 1024
MAX_ANSWER = 256 * 1024
SM3_OID = '1.2.156.10197.1.401'
SM2_SIGN_OID = '1.2.156.10197.1.501'
SM2_CURVE_OID = '1.2.156.10197.1.301'
DIGESTS = {'sha256': 32, 'sha384': 48, 'sha512': 64, 'sm3': 32}


def _register(cls, oid, name):
    "Teach asn1crypto a national algorithm's OID"
    cls._map.setdefault(oid, name)
    if getattr(cls, '_reverse_map', None) is not None:
        cls._reverse_map[name] = oid


_register(algos.DigestAlgorithmId, SM3_OID, 'sm3')
_register(algos.SignedDigestAlgorithmId, SM2_SIGN_OID, 'sm3_sm2')
_register(keys.NamedCurve, SM2_CURVE_OID, 'sm2')


class TimeStampResp(core.Sequence):
    "RFC 3161 2.4.2 (asn1crypto's omits that the token is optional)"
    _fields = [
        ('status', tsp.PKIStatusInfo),
        ('time_stamp_token', cms.ContentInfo, {'optional': True}),
        ]


class TimestampError(Exception):
    "A request or an answer refused: code names why, values the details"

    def __init__(self, code, **values):
        super().__init__(code, values)
        self.code = code
        self.values = values


def digest(data, algorithm='sha256'):
    if algorithm == 'sm3':
        return bytes.fromhex(sm2.sm3(data))
    return hashlib.new(algorithm, data).digest()


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


# Requests

def make_request(hashed, algorithm='sha256', nonce=None):
    "A TimeStampReq (DER) for the digest hashed, asking for the certificate"
    return tsp.TimeStampReq({
            'version': 'v1',
            'message_imprint': {
                'hash_algorithm': {'algorithm': algorithm},
                'hashed_message': hashed,
                },
            'nonce': nonce,
            'cert_req': True,
            }).dump()


def new_nonce():
    return int.from_bytes(os.urandom(8), 'big') >> 1


def read_request(data):
    "The parsed TimeStampReq of data, or TimestampError('bad_request')"
    if not data or len(data) > MAX_REQUEST:
        raise TimestampError('bad_request')
    try:
        request = tsp.TimeStampReq.load(data, strict=True)
        imprint = request['message_imprint']
        algorithm = imprint['hash_algorithm']['algorithm'].native
        hashed = imprint['hashed_message'].native
        request['nonce'].native, request['cert_req'].native
    except (ValueError, TypeError, KeyError):
        raise TimestampError('bad_request')
    if DIGESTS.get(algorithm) != len(hashed or b''):
        raise TimestampError('bad_algorithm')
    return request


# Our authority

class Signer:
    """Our authority's key and certificate. kind is 'rsa' (key: a PEM
    PKCS #8 private key) or 'sm2' (key: 64 hex digits)"""

    def __init__(self, kind, key, certificate):
        self.kind = kind
        self.certificate = x509.Certificate.load(certificate)
        self.certificate_der = certificate
        if kind == 'rsa':
            from cryptography.hazmat.primitives import serialization
            self._key = serialization.load_pem_private_key(
                key.encode() if isinstance(key, str) else key, None,
                unsafe_skip_rsa_key_validation=True)
        else:
            self._key = key
        self.digest_algorithm = 'sm3' if kind == 'sm2' else 'sha256'
        ess = tsp.SigningCertificateV2({'certs': [{
                        'hash_algorithm': {'algorithm': 'sha256'},
                        'cert_hash': hashlib.sha256(certificate).digest(),
                        'issuer_serial': {
                            'issuer': [x509.GeneralName(
                                    name='directory_name',
                                    value=self.certificate.issuer)],
                            'serial_number':
                                self.certificate.serial_number,
                            },
                        }]})
        self._ess = cms.CMSAttribute({
                'type': 'signing_certificate_v2', 'values': [ess]}).dump()
        self._sid = cms.SignerIdentifier({'issuer_and_serial_number': {
                    'issuer': self.certificate.issuer,
                    'serial_number': self.certificate.serial_number,
                    }}).dump()

    def sign(self, data):
        if self.kind == 'rsa':
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        signature = sm2.sign(self._key, data)
        return algos.DSASignature({
                'r': int(signature[:64], 16),
                's': int(signature[64:], 16),
                }).dump()

    @property
    def signature_algorithm(self):
        return 'sm3_sm2' if self.kind == 'sm2' else 'rsassa_pkcs1v15'

    def check_valid(self, when):
        "TimestampError when the certificate is not valid at when"
        validity = self.certificate['tbs_certificate']['validity']
        if not (validity['not_before'].native <= when
                <= validity['not_after'].native):
            raise TimestampError('own_expired')

    def respond(self, data, serial, when=None):
        """The TimeStampResp (DER) to the request data: granted, or
        rejected with the reason when the request is not one"""
        try:
            request = read_request(data)
        except TimestampError as error:
            failure = ('bad_alg' if error.code == 'bad_algorithm'
                else 'bad_request')
            return TimeStampResp({'status': {
                        'status': 'rejection',
                        'fail_info': tsp.PKIFailureInfo({failure}),
                        }}).dump()
        when = when or utcnow()
        self.check_valid(when)
        token = self.token(request, serial, when)
        return TimeStampResp({
                'status': {'status': 'granted'},
                'time_stamp_token': token,
                }).dump()

    def token(self, request, serial, when):
        # Parts of the certificate are put in as their DER (a loaded
        # value is written back as read: building them anew costs 40 ms)
        info = tsp.TSTInfo({
                'version': 'v1',
                'policy': request['req_policy'].native or POLICY,
                'message_imprint': tsp.MessageImprint.load(
                    request['message_imprint'].dump()),
                'serial_number': serial,
                # Whole milliseconds: the DER of a GeneralizedTime has no
                # trailing zeros, asn1crypto writes them from microseconds
                'gen_time': when.replace(
                    microsecond=when.microsecond // 1000 * 1000),
                'accuracy': {'seconds': 1},
                'nonce': request['nonce'].native,
                })
        content = info.dump()
        attributes = cms.CMSAttributes([
                {'type': 'content_type', 'values': ['tst_info']},
                {'type': 'message_digest', 'values': [
                        digest(content, self.digest_algorithm)]},
                cms.CMSAttribute.load(self._ess),
                ])
        data = attributes.dump()
        signature = self.sign(data)
        certificates = ([cms.CertificateChoices.load(self.certificate_der)]
            if request['cert_req'].native else [])
        signer_info = cms.SignerInfo({
                'version': 'v1',
                'sid': cms.SignerIdentifier.load(self._sid),
                'digest_algorithm': {'algorithm': self.digest_algorithm},
                'signed_attrs': cms.CMSAttributes.load(data),
                'signature_algorithm': {
                    'algorithm': self.signature_algorithm},
                'signature': signature,
                })
        return cms.ContentInfo({
                'content_type': 'signed_data',
                'content': cms.SignedData({
                        'version': 'v3',
                        'digest_algorithms': [
                            {'algorithm': self.digest_algorithm}],
                        'encap_content_info': {
                            'content_type': 'tst_info',
                            'content': core.ParsableOctetString(content),
                            },
                        'certificates': certificates,
                        'signer_infos': [signer_info],
                        }),
                })


def new_serial():
    "A serial number no other token of ours has (128 random bits)"
    return int.from_bytes(os.urandom(16), 'big') >> 1


# The certificate of our authority

def _time(value):
    "RFC 5280 4.1.2.5: UTCTime until 2049, GeneralizedTime after"
    return x509.Time(name='utc_time' if value.year < 2050
        else 'general_time', value=value)


def _name(common_name, organisation):
    return x509.Name.build({
            'country_name': 'CN',
            'organization_name': organisation,
            'common_name': common_name,
            }, use_printable=False)


def _extensions():
    return [
        {'extn_id': 'basic_constraints', 'critical': True,
            'extn_value': {'ca': False}},
        {'extn_id': 'key_usage', 'critical': True,
            'extn_value': {'digital_signature', 'non_repudiation'}},
        # RFC 3161 2.3: the only purpose, marked critical
        {'extn_id': 'extended_key_usage', 'critical': True,
            'extn_value': ['time_stamping']},
        ]


def generate(kind, common_name, organisation, years=10, now=None):
    """A new key pair and a self-signed certificate for our authority:
    (private key as stored: PEM or hex, certificate DER)"""
    now = (now or utcnow()).replace(microsecond=0)
    if kind == 'rsa':
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()
        public_info = keys.PublicKeyInfo.load(key.public_key().public_bytes(
                serialization.Encoding.DER,
                serialization.PublicFormat.SubjectPublicKeyInfo))
    else:
        private, public = sm2.generate_key_pair()
        public_info = keys.PublicKeyInfo({
                'algorithm': {
                    'algorithm': 'ec',
                    'parameters': keys.ECDomainParameters(
                        name='named', value='sm2'),
                    },
                'public_key': bytes.fromhex('04' + public),
                })
    name = _name(common_name, organisation)
    signer_algorithm = {'algorithm': 'sm3_sm2' if kind == 'sm2'
        else 'sha256_rsa'}
    tbs = x509.TbsCertificate({
            'version': 'v3',
            'serial_number': new_serial(),
            'signature': signer_algorithm,
            'issuer': name,
            'validity': {
                'not_before': _time(now - datetime.timedelta(minutes=5)),
                'not_after': _time(now.replace(year=now.year + years)),
                },
            'subject': name,
            'subject_public_key_info': public_info,
            'extensions': _extensions(),
            })
    data = tbs.dump()
    if kind == 'rsa':
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raw = sm2.sign(private, data)
        signature = algos.DSASignature({
                'r': int(raw[:64], 16), 's': int(raw[64:], 16)}).dump()
    certificate = x509.Certificate({
            'tbs_certificate': tbs,
            'signature_algorithm': signer_algorithm,
            'signature_value': signature,
            })
    return private, certificate.dump()


def pem(certificate_der):
    from asn1crypto import pem as pem_
    return pem_.armor('CERTIFICATE', certificate_der).decode()


def load_certificates(text):
    "The certificates (asn1crypto) of PEM text or DER bytes"
    from asn1crypto import pem as pem_
    if not text:
        return []
    data = text.encode() if isinstance(text, str) else bytes(text)
    try:
        if pem_.detect(data):
            return [x509.Certificate.load(der, strict=True)
                for _, _, der in pem_.unarmor(data, multiple=True)]
        return [x509.Certificate.load(data, strict=True)]
    except (ValueError, TypeError):
        raise TimestampError('bad_certificate')


# Checking an answer

class Stamp:
    "What a checked answer gives: the token and its data"

    def __init__(self, token, info, certificate):
        self.token = token
        self.gen_time = info['gen_time'].native
        self.serial = info['serial_number'].native
        self.policy = info['policy'].dotted
        self.certificate = certificate
        self.tsa_name = certificate.subject.human_friendly


def read_answer(data, hashed, algorithm, nonce, trusted, now=None):
    """The Stamp of a TimeStampResp (DER) answering the request of hashed
    (algorithm) with nonce, signed by a certificate of trusted (asn1crypto
    certificates: the authority's own or its CAs); TimestampError else"""
    if not data or len(data) > MAX_ANSWER:
        raise TimestampError('garbage')
    try:
        answer = TimeStampResp.load(data, strict=True)
        status = answer['status']['status'].native
    except (ValueError, TypeError, KeyError):
        raise TimestampError('garbage')
    if status not in {'granted', 'granted_with_mods'}:
        texts = answer['status']['status_string'].native or []
        fail = answer['status']['fail_info'].native
        raise TimestampError('rejected', status=status,
            reason='; '.join(texts)[:200] or ', '.join(
                sorted(fail or []))[:200] or '-')
    token = answer['time_stamp_token']
    if isinstance(token, core.Void):
        raise TimestampError('garbage')
    return check_token(token.dump(), hashed, algorithm, nonce, trusted,
        now=now)


def check_token(token, hashed, algorithm, nonce, trusted, now=None):
    "The Stamp of token (DER), checked as read_answer says"
    try:
        info_ = cms.ContentInfo.load(token, strict=True)
        if info_['content_type'].native != 'signed_data':
            raise TimestampError('garbage')
        signed = info_['content']
        encap = signed['encap_content_info']
        if encap['content_type'].native != 'tst_info':
            raise TimestampError('garbage')
        content = encap['content'].contents
        info = tsp.TSTInfo.load(content, strict=True)
        imprint = info['message_imprint']
        got_algorithm = imprint['hash_algorithm']['algorithm'].native
        got_hashed = imprint['hashed_message'].native
        got_nonce = info['nonce'].native
        info['gen_time'].native, info['serial_number'].native
        signer_info, = signed['signer_infos']
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError):
        raise TimestampError('garbage')
    if got_algorithm != algorithm or got_hashed != hashed:
        raise TimestampError('other_data')
    if nonce is not None and got_nonce != nonce:
        raise TimestampError('nonce')
    certificate = _signer_certificate(signed, signer_info, trusted)
    _check_signature(signer_info, content, certificate)
    _check_certificate(certificate, trusted, info['gen_time'].native,
        now or utcnow())
    return Stamp(token, info, certificate)


def _signer_certificate(signed, signer_info, trusted):
    sid = signer_info['sid']
    if sid.name != 'issuer_and_serial_number':
        raise TimestampError('unknown_certificate')
    issuer = sid.chosen['issuer'].dump()
    serial = sid.chosen['serial_number'].native
    candidates = [c.chosen for c in signed['certificates'] or []
        if c.name == 'certificate'] + list(trusted)
    for certificate in candidates:
        if (certificate.serial_number == serial
                and certificate.issuer.dump() == issuer):
            return certificate
    raise TimestampError('unknown_certificate')


def _check_signature(signer_info, content, certificate):
    attributes = signer_info['signed_attrs']
    if not attributes:
        raise TimestampError('signature')
    algorithm = signer_info['digest_algorithm']['algorithm'].native
    if algorithm not in DIGESTS:
        raise TimestampError('signature')
    values = {a['type'].native: a['values'] for a in attributes}
    message = values.get('message_digest')
    if not message or message[0].native != digest(content, algorithm):
        raise TimestampError('signature')
    if 'signing_certificate_v2' not in values and (
            'signing_certificate' not in values):
        raise TimestampError('signature')
    # Signed as a SET OF: the DER of the [0] IMPLICIT field, retagged
    signed = b'\x31' + attributes.dump()[1:]
    signature = signer_info['signature'].native
    if not _verify(certificate, signed, signature, algorithm):
        raise TimestampError('signature')


def _verify(certificate, data, signature, algorithm):
    "Whether signature is certificate's over data"
    public = certificate.public_key
    if public.algorithm == 'ec' and public['algorithm']['parameters'
            ].chosen.native == 'sm2':
        try:
            value = algos.DSASignature.load(signature)
            raw = '%064x%064x' % (value['r'].native, value['s'].native)
        except (ValueError, TypeError):
            return False
        point = public['public_key'].native.hex()
        return sm2.verify(point, data, raw)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    hash_ = {'sha256': hashes.SHA256, 'sha384': hashes.SHA384,
        'sha512': hashes.SHA512}.get(algorithm)
    if hash_ is None:
        return False
    try:
        key = serialization.load_der_public_key(public.dump())
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hash_())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_()))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _check_certificate(certificate, trusted, gen_time, now):
    "A certificate of the trusted list, or issued by one; valid; for TSAs"
    validity = certificate['tbs_certificate']['validity']
    if not (validity['not_before'].native <= gen_time
            <= validity['not_after'].native):
        raise TimestampError('expired')
    if abs((gen_time - now).total_seconds()) > 24 * 3600:
        # A time far from ours is a replayed or a wrong clock's token
        raise TimestampError('time')
    if 'time_stamping' not in (certificate.extended_key_usage_value
            or x509.ExtKeyUsageSyntax([])).native:
        raise TimestampError('purpose')
    for anchor in trusted:
        if anchor.dump() == certificate.dump():
            return
    for anchor in trusted:
        if anchor.subject.dump() == certificate.issuer.dump() and _verify(
                anchor, certificate['tbs_certificate'].dump(),
                certificate['signature_value'].native,
                certificate['signature_algorithm'].hash_algo):
            return
    raise TimestampError('unknown_certificate')
