"""公文交换's package (ZIP, GB/T 33480 metadata, SM3 digests, SM2
signature and encryption) read back whole or refused with its reason, and
its receipts, by the package code alone (no database)."""
import datetime
import io
import json
import unittest
import zipfile

from egov_document.exchange import package as package_
from egov_document.exchange import signing

from .exchange_peer import PeerPlatform, docx_bytes

US = '11360900MB1234567A'


def rezip(data, change):
    "The ZIP data with change(name, bytes) -> bytes applied to each entry"
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename,
                change(info.filename, source.read(info)))
    return output.getvalue()


def add_entry(data, name, content, compress=zipfile.ZIP_DEFLATED):
    output = io.BytesIO(data)
    with zipfile.ZipFile(output, 'a', compress) as archive:
        archive.writestr(name, content)
    return output.getvalue()


class PackageTestCase(unittest.TestCase):
    "The package code alone (no database)"

    def setUp(self):
        self.peer = PeerPlatform()
        self.body = docx_bytes('各县（市、区）人民政府：')

    def tearDown(self):
        self.peer.server.server_close()

    def keys(self, code):
        return self.peer.public_key if code == self.peer.code else None

    def refused(self, data, reason, now=None):
        with self.assertRaises(package_.PackageRefused) as cm:
            package_.read(data, self.keys, now=now)
        self.assertEqual(cm.exception.reason, reason)
        return cm.exception

    def test_sm3(self):
        # GB/T 32905 example: SM3("abc")
        self.assertEqual(signing.sm3(b'abc'),
            '66c7f0f462eeedd9d1f2d46bdc10e4e2'
            '4167c4875cf2f7a2297da02b8f4ba8e0')

    def test_round_trip(self):
        package = self.peer.package(US, body=self.body, attachments=[
                ('附件1 名单.txt', '张三\n李四\n'.encode('utf-8'))],
            date=datetime.date(2026, 12, 1))
        data = self.peer.build(package)
        read = package_.read(data, self.keys)
        self.assertEqual(read.package_id, package.package_id)
        self.assertEqual(read.sender.code, self.peer.code)
        self.assertEqual(read.receiver.code, US)
        doc = read.document
        self.assertEqual(doc.title, '关于报送2026年度公文处理工作总结的通知')
        self.assertEqual(doc.number, '赣办字〔2026〕88号')
        self.assertEqual((doc.secrecy, doc.secrecy_years), ('none', None))
        self.assertEqual(doc.urgency, 'urgent')
        self.assertEqual(doc.date, datetime.date(2026, 12, 1))
        self.assertEqual(read.body.data, self.body)
        self.assertEqual([(a.name, a.data) for a in read.attachments],
            [('附件1 名单.txt', '张三\n李四\n'.encode('utf-8'))])
        metadata = read.metadata.decode('utf-8')
        self.assertIn('<Secrecy/>', metadata)
        self.assertIn('sm3="%s"' % signing.sm3(self.body), metadata)

    def test_bad_signature(self):
        "Signed with a key that is not the sender's"
        other, _ = signing.generate_key_pair()
        data = self.peer.build(self.peer.package(US), private_key=other)
        self.refused(data, 'signature')

    def test_altered_metadata(self):
        data = self.peer.build(self.peer.package(US, body=self.body))
        altered = rezip(data, lambda name, content: content.replace(
                '88号'.encode('utf-8'), '89号'.encode('utf-8'))
            if name == package_.METADATA else content)
        self.refused(altered, 'signature')

    def test_wrong_digest(self):
        "A body changed after signing: the signature holds, the digest not"
        data = self.peer.build(self.peer.package(US, body=self.body))
        other = docx_bytes('各县（市、区）人民政府：！')
        altered = rezip(data, lambda name, content: other
            if name.startswith('body/') else content)
        refusal = self.refused(altered, 'size' if len(other) != len(
                self.body) else 'digest')
        self.assertEqual(refusal.values['name'], '正文.docx')
        same_size = rezip(data, lambda name, content: (
                content[:-1] + bytes([content[-1] ^ 1]))
            if name.startswith('body/') else content)
        self.refused(same_size, 'digest')

    def test_extra_file(self):
        data = self.peer.build(self.peer.package(US))
        self.refused(add_entry(data, 'run.sh', b'rm -rf /'), 'extra')

    def test_unknown_peer(self):
        stranger = PeerPlatform(code='11110000000000000X')
        try:
            data = stranger.build(stranger.package(US))
        finally:
            stranger.server.server_close()
        self.refused(data, 'unknown_peer')

    def test_xxe_metadata(self):
        "Metadata with a DTD is refused, even when signed"
        package = self.peer.package(US)
        package.package_id = package_.new_package_id(self.peer.code)
        package.created_at = package_.utcnow()
        metadata = package_.metadata_xml(package).replace(
            b"<?xml version='1.0' encoding='UTF-8'?>",
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
        metadata = metadata.replace(b'<Title>', b'<Title>&xxe;')
        self.assertIn(b'<!DOCTYPE', metadata)
        output = io.BytesIO()
        with zipfile.ZipFile(output, 'w') as archive:
            archive.writestr(package_.METADATA, metadata)
            archive.writestr(package_.SIGNATURE, package_.signature_xml(
                    signing.ALGORITHM, self.peer.code,
                    signing.sign(self.peer.private_key, metadata)))
        self.refused(output.getvalue(), 'xml_dtd')

    def test_zip_bomb(self):
        data = self.peer.build(self.peer.package(US))
        bomb = add_entry(data, 'attachments/1/a.txt',
            b'\0' * (20 * 1024 * 1024))
        self.refused(bomb, 'bomb')

    def test_too_big(self):
        data = self.peer.build(self.peer.package(US))
        limit = package_.MAX_PACKAGE
        package_.MAX_PACKAGE = len(data) - 1
        try:
            self.refused(data, 'too_big')
        finally:
            package_.MAX_PACKAGE = limit

    def test_not_zip(self):
        self.refused(b'%PDF-1.4 not a package', 'not_zip')
        self.refused(b'PK\x03\x04garbage', 'not_zip')

    def test_stale_and_future(self):
        package = self.peer.package(US)
        data = self.peer.build(package)
        now = package.created_at
        self.refused(data, 'stale', now=now + datetime.timedelta(days=8))
        self.refused(data, 'future', now=now - datetime.timedelta(hours=1))
        package_.read(data, self.keys, now=now + datetime.timedelta(days=6))

    def test_receipt(self):
        package = self.peer.package(US)
        data = self.peer.build(package)
        read = package_.read(data, self.keys)
        answer = package_.make_receipt(read, self.peer.code,
            self.peer.private_key)
        receipt = package_.check_receipt(answer, package.package_id,
            package.metadata_digest, self.peer.public_key)
        self.assertEqual(receipt['state'], 'received')
        forged = json.loads(json.dumps(answer))
        forged['receipt']['state'] = 'refused'
        self.assertIsNone(package_.check_receipt(forged, package.package_id,
                package.metadata_digest, self.peer.public_key))
        self.assertIsNone(package_.check_receipt(answer, 'another-package-id',
                package.metadata_digest, self.peer.public_key))

    def test_keys(self):
        private_key, public_key = signing.generate_key_pair()
        self.assertEqual(signing.normalise_public_key('04' + public_key),
            public_key)
        with self.assertRaises(signing.SignatureError):
            signing.normalise_public_key('04' + '1' * 128)
        signature = signing.sign(private_key, b'data')
        self.assertTrue(signing.verify(public_key, b'data', signature))
        self.assertFalse(signing.verify(public_key, b'data', '0' * 128))
        self.assertFalse(signing.verify(public_key, b'data', 'zz'))
        self.assertFalse(signing.verify('04' + '1' * 128, b'data', signature))


    def test_kind_codes(self):
        "The 15 文种 of the 条例 both ways; code first, then the term"
        self.assertEqual(len(package_.KINDS), 15)
        for ours, code, term in package_.KINDS:
            self.assertEqual(package_.kind_wire(ours, term), (code, term))
            self.assertEqual(package_.kind_of(code, ''), ours)
            self.assertEqual(package_.kind_of('', term), ours)
            # packages of version 1.0 carried our codes
            self.assertEqual(package_.kind_of(ours, ''), ours)
        self.assertEqual(package_.kind_of('99', '通知'), 'notice')
        self.assertEqual(package_.kind_of('', '命令'), 'order')
        self.assertEqual(package_.kind_of('', '命令(令)'), 'order')
        self.assertIsNone(package_.kind_of('99', '布告'))
        # A kind of the platform not of the 15 travels as it is
        self.assertEqual(package_.kind_wire('bulletin', '简报'),
            ('bulletin', '简报'))
        data = self.peer.build(self.peer.package(US))
        read = package_.read(data, self.keys)
        self.assertIn('<Kind code="08">通知</Kind>',
            read.metadata.decode('utf-8'))

    def decryption_keys(self):
        "Our encryption key pair, given to the peer"
        private_key, public_key = signing.generate_key_pair()
        self.peer.platform_encryption_key = public_key
        return private_key

    def test_encrypted_round_trip(self):
        private_key = self.decryption_keys()
        attachment = ('附件 名单.txt', '张三\n李四\n'.encode('utf-8'))
        package = self.peer.package(US, body=self.body,
            attachments=[attachment], secrecy='secret', secrecy_years=5)
        data = self.peer.build(package)
        archive = zipfile.ZipFile(io.BytesIO(data))
        stored = {n: archive.read(n) for n in archive.namelist()}
        # What travels is not the document
        self.assertNotEqual(stored['body/正文.docx'], self.body)
        self.assertNotIn('李四'.encode('utf-8'),
            stored['attachments/1/附件 名单.txt'])
        metadata = stored[package_.METADATA].decode('utf-8')
        self.assertIn('<Encryption algorithm="SM4-GCM" keyAlgorithm="SM2" '
            'keyId="%s">' % signing.key_id(self.peer.platform_encryption_key),
            metadata)
        # The signed digests are those of the ciphertexts
        self.assertIn('sm3="%s"' % signing.sm3(stored['body/正文.docx']),
            metadata)
        self.assertNotIn(signing.sm3(self.body), metadata)
        read = package_.read(data, self.keys,
            private_key_of=lambda code: private_key)
        self.assertEqual(read.body.data, self.body)
        self.assertEqual([(a.name, a.data) for a in read.attachments],
            [attachment])
        self.assertEqual((read.document.secrecy, read.document.secrecy_years),
            ('secret', 5))
        self.assertIn('<Secrecy years="5">秘密</Secrecy>', metadata)

    def test_encrypted_refusals(self):
        private_key = self.decryption_keys()
        data = self.peer.build(self.peer.package(US, body=self.body,
                secrecy='secret'))
        other, _ = signing.generate_key_pair()
        refusal = self.refused_with(data, 'decryption_key', other)
        self.assertEqual(refusal.values['code'], self.peer.code)
        self.refused_with(data, 'no_decryption_key', None)
        # A ciphertext changed on the way: its signed digest fails
        altered = rezip(data, lambda name, content: (
                content[:-1] + bytes([content[-1] ^ 1]))
            if name.startswith('body/') else content)
        self.refused_with(altered, 'digest', private_key)
        # A wrapped key under our key id that is not for our key: C3 fails
        package = self.peer.package(US, body=self.body)
        package_.build(package, self.peer.private_key,
            encrypt_for=self.peer.platform_encryption_key)
        package.encryption.wrapped_key = signing.sm2_encrypt(
            signing.generate_key_pair()[1], b'k' * 16)
        self.refused_with(self.signed(package), 'decryption_key',
            private_key)
        # A sealed file its own signer spoiled: the SM4-GCM tag fails
        package = self.peer.package(US, body=self.body)
        package_.build(package, self.peer.private_key,
            encrypt_for=self.peer.platform_encryption_key)
        sealed = package.body.sealed
        package.body.sealed = sealed[:20] + bytes([sealed[20] ^ 1]) + (
            sealed[21:])
        refusal = self.refused_with(self.signed(package), 'decrypt',
            private_key)
        self.assertEqual(refusal.values['name'], '正文.docx')

    def signed(self, package):
        "The ZIP of package as it is now, signed again by the peer"
        package.metadata = package_.metadata_xml(package)
        output = io.BytesIO()
        with zipfile.ZipFile(output, 'w') as archive:
            archive.writestr(package_.METADATA, package.metadata)
            archive.writestr(package_.SIGNATURE, package_.signature_xml(
                    signing.ALGORITHM, self.peer.code, signing.sign(
                        self.peer.private_key, package.metadata)))
            for file in package.files:
                archive.writestr(file.path, file.stored)
        return output.getvalue()

    def refused_with(self, data, reason, private_key):
        with self.assertRaises(package_.PackageRefused) as cm:
            package_.read(data, self.keys,
                private_key_of=lambda code: private_key)
        self.assertEqual(cm.exception.reason, reason)
        return cm.exception

    def test_secret_travels_encrypted_only(self):
        data = self.peer.build(self.peer.package(US, secrecy='secret'))
        self.refused(data, 'not_encrypted')
        # Not classified: plain is taken
        package_.read(self.peer.build(self.peer.package(US)), self.keys)

    def test_sm2_encryption_is_gmssl_compatible(self):
        "C1‖C3‖C2 of GB/T 32918.4 both ways with gmssl (mode 1)"
        from gmssl import sm2
        private_key, public_key = signing.generate_key_pair()
        crypt = sm2.CryptSM2(private_key=private_key, public_key='', mode=1)
        crypt.public_key = public_key
        ours = signing.sm2_encrypt(public_key, b'0123456789abcdef')
        self.assertEqual(crypt.decrypt(ours[1:]), b'0123456789abcdef')
        theirs = crypt.encrypt(b'fedcba9876543210')
        self.assertEqual(signing.sm2_decrypt(private_key, theirs),
            b'fedcba9876543210')
        with self.assertRaises(signing.DecryptionError):
            signing.sm2_decrypt(signing.generate_key_pair()[0], ours)

    def test_sm2_point_without_prefix_starting_with_04(self):
        "A C1 of gmssl's form (x‖y) whose x starts with the byte 04"
        # Made once with sm2_encrypt, its 04 prefix taken off: one
        # ciphertext in 256 is such, and CI once met one of gmssl's
        private_key = (
            '9f3ab8de81a533dfe72a6883239f5995f371e1779c564916f88f9dd0946b996d')
        data = bytes.fromhex(
            '047b26a182d7e09a2a6a5b935aa980b5b905a3c3bb2420a9be4aece5709ffc2f'
            '482366476eec48bed2b87164ddc776d6efba787aaded6c01d5d61ac14dd87c2d'
            'dc78d79ebd1a4495c101e64491a93e8c33971b50886e659209dfd4e7b619ef91'
            'c4ffcffb638a')
        self.assertEqual(signing.sm2_decrypt(private_key, data),
            '收文'.encode())
        self.assertEqual(signing.sm2_decrypt(private_key, b'\x04' + data),
            '收文'.encode())

    def test_status_receipt(self):
        "签收回执: signed by the receiver, checked by the sender"
        package = self.peer.package(US)
        self.peer.build(package)

        def keys(code):
            return self.peer.public_key if code == self.peer.code else None
        data = self.peer.status(package, 'returned', reason='非本单位职责')
        receipt = package_.read_status(data, keys)
        self.assertEqual((receipt['state'], receipt['reason']),
            ('returned', '非本单位职责'))
        self.assertEqual(receipt['package_id'], package.package_id)
        self.assertEqual(receipt['metadata_sm3'], package.metadata_digest)
        forged = json.loads(data)
        forged['receipt']['state'] = 'signed'
        for data_, reason in [
                (json.dumps(forged).encode(), 'signature'),
                (b'{"receipt": [1]}', 'status_malformed'),
                (b'[' * 60000, 'status_malformed'),
                (b'\xff\xfe', 'status_malformed'),
                ]:
            with self.assertRaises(package_.PackageRefused) as cm:
                package_.read_status(data_, keys)
            self.assertEqual(cm.exception.reason, reason)
        with self.assertRaises(package_.PackageRefused) as cm:
            package_.read_status(data, lambda code: None)
        self.assertEqual(cm.exception.reason, 'unknown_peer')
        with self.assertRaises(package_.PackageRefused) as cm:
            package_.read_status(data, keys,
                now=package_.utcnow() + datetime.timedelta(days=8))
        self.assertEqual(cm.exception.reason, 'stale')
