"""正文 versions (issue 15, item 1): every save of the body is a version
with who and when; the tracked changes of a Word file are kept and
listed; two versions compare side by side; the body freezes at 签发; a
body checked out in Word is refused to the web client; macros and files
that are not Word are refused with nothing kept. Versions follow their
document's rules: the other unit sees none of them."""
import hashlib

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, numbering_rule)
from .version_files import (
    docx_bytes, encrypted_docx, macro_docx, tracked_docx)

FIRST = docx_bytes('各学校：', '请于3月底前完成自查。')
SECOND = docx_bytes('各学校：', '请于3月20日前完成校园安全自查。', '特此通知。')


class VersionTestCase(DocumentHelpers, EgovDocumentTestCase):

    def draft(self, org, body=FIRST):
        return self.outgoing(org, body=body, body_name='通知.docx')

    @with_transaction()
    def test_every_save_is_a_version(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        document = self.draft(org)
        with acting_as(org.secretary):
            Outgoing.write([document], {'body': SECOND})
            # Word saving the same bytes again adds nothing
            Outgoing.write([document], {'body': SECOND})
            Outgoing.write([document], {'title': '关于校园安全自查的通知'})
            document = Outgoing(document.id)
            first, second = sorted(document.versions, key=lambda v: v.number)
        self.assertEqual([first.number, second.number], [1, 2])
        self.assertEqual(bytes(second.body), SECOND)
        self.assertEqual(second.sha256, hashlib.sha256(SECOND).hexdigest())
        self.assertEqual(second.size, len(SECOND))
        self.assertEqual(second.author, org.secretary)
        self.assertEqual(second.source, 'web')
        self.assertEqual(second.name, '通知.docx')
        self.assertTrue(second.create_date)
        self.assertEqual(bytes(first.body), FIRST)

    @with_transaction()
    def test_versions_follow_the_document(self):
        "The other unit reads neither the document nor its versions"
        pool = Pool()
        Version = pool.get('egov.document.outgoing.version')
        Revision = pool.get('egov.document.outgoing.version.revision')
        org = document_org()
        document = self.draft(org, body=tracked_docx())
        with acting_as(org.secretary):
            version, = Version.search([('document', '=', document.id)])
            self.assertEqual(len(Revision.search([])), 4)
        with acting_as(org.zs_clerk):
            self.assertEqual(Version.search([]), [])
            self.assertEqual(Revision.search([]), [])
            with self.assertRaises(AccessError):
                Version.read([version.id], ['body'])
        # Nor are they changed over RPC, not even by who may change the
        # document
        with acting_as(org.secretary):
            with self.assertRaises(AccessError) as cm:
                Version.write([version], {'note': '改'})
            self.assertIn('不能修改或删除', cm.exception.message)
            with self.assertRaises(AccessError):
                Version.delete([version])
            with self.assertRaises(AccessError):
                Version.create([{'document': document.id, 'number': 9,
                            'source': 'web'}])
            with self.assertRaises(AccessError):
                Revision.delete(Revision.search([]))

    @with_transaction()
    def test_tracked_changes_kept_and_listed(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        data = tracked_docx()
        document = self.draft(org, body=data)
        with acting_as(org.secretary):
            document = Outgoing(document.id)
            # Never flattened: the file is kept byte for byte
            self.assertEqual(bytes(document.body), data)
            version, = document.versions
            self.assertEqual(version.revision_count, 4)
            found = [(r.kind, r.author, r.text, r.paragraph,
                    r.date.isoformat()) for r in version.revisions]
        self.assertEqual(found, [
                ('insert', '朱婷', '校园安全', 2, '2026-12-01T09:30:00'),
                ('delete', '朱婷', '卫生', 2, '2026-12-01T09:31:00'),
                ('move_from', '宋涛', '报送联系人：胡军。', 3,
                    '2026-12-02T15:00:00'),
                ('move_to', '宋涛', '报送联系人：胡军。', 4,
                    '2026-12-02T15:00:00'),
                ])

    @with_transaction()
    def test_compare_two_versions(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Compare = pool.get('egov.document.version.compare', type='wizard')
        org = document_org()
        document = self.draft(org)
        with acting_as(org.secretary):
            Outgoing.write([document], {'body': SECOND})
            session_id, start, _ = Compare.create()
            context = {'active_model': 'egov.document.outgoing',
                'active_id': document.id, 'active_ids': [document.id]}
            with Transaction().set_context(context):
                result = Compare.execute(session_id, {}, 'check')
                values = result['view']['defaults']
                self.assertEqual(
                    (values['old_number'], values['new_number']), (1, 2))
                result = Compare.execute(session_id, {'start': {
                            'old_number': 1, 'new_number': 2}}, 'result')
            Compare.delete(session_id)
        shown = result['view']['defaults']
        # 月底 became 月20日, 校园安全 was added, a paragraph appended
        self.assertIn('<b>底</b>', shown['old_html'])
        self.assertIn('<u><b>校园安全</b></u>', shown['new_html'])
        self.assertIn('<u><b>特此通知。</b></u>', shown['new_html'])
        self.assertRegex(shown['summary'], r'增加\d+个字.*删除1个字')

        from egov_document.version import compare, docx
        Version = pool.get('egov.document.outgoing.version')
        old, new = Version.search([('document', '=', document.id)],
            order=[('number', 'ASC')])
        rows, inserted, deleted = compare.compare_versions(old, new)
        page = docx.to_html(rows)
        self.assertIn('<del>底</del>', page)
        self.assertIn('<ins>校园安全</ins>', page)
        self.assertEqual(deleted, 1)

    @with_transaction()
    def test_compare_refused_to_the_other_unit(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Compare = pool.get('egov.document.version.compare', type='wizard')
        org = document_org()
        document = self.draft(org)
        with acting_as(org.secretary):
            Outgoing.write([document], {'body': SECOND})
        with acting_as(org.zs_clerk):
            session_id, _, _ = Compare.create()
            with Transaction().set_context(active_model=Outgoing.__name__,
                    active_id=document.id, active_ids=[document.id]):
                with self.assertRaises(AccessError):
                    Compare.execute(session_id, {}, 'check')

    @with_transaction()
    def test_frozen_at_sign(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        numbering_rule(org.yz_edu, '袁教体字')
        document = self.draft(org)
        with acting_as(org.secretary):
            Outgoing.write([document], {'body': SECOND})
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        self.act(org.office_head, document)
        # The signer confirmed the format findings the rendering lists
        pool.get('res.user.warning').create([{
                    'user': org.bureau_head.id, 'always': False,
                    'name': 'egov_document_format_%s' % document.id}])
        self.act(org.bureau_head, document, text='同意印发。')   # 签发
        document = Outgoing(document.id)
        self.assertTrue(document.body_frozen)
        signed = [v.number for v in document.versions if v.signed]
        self.assertEqual(signed, [2])
        # Not even the platform's own code changes it any more
        with self.assertRaises(UserError) as cm:
            document._write({'body': FIRST})
        self.assertIn('已签发，不能再修改', cm.exception.message)
        self.assertEqual(bytes(Outgoing(document.id).body), SECOND)
        self.assertEqual(len(Outgoing(document.id).versions), 2)

    @with_transaction()
    def test_bad_bodies_refused_nothing_kept(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        document = self.draft(org)
        for data, name, expected in [
                (macro_docx(), '通知.docx', '宏'),
                (encrypted_docx(), '通知.docx', None),
                (b'MZ\x90\x00' + b'\0' * 100, '通知.docx', None),
                (b'%PDF-1.4 not really', '通知.pdf', None),
                ]:
            with self.subTest(name=name, expected=expected):
                with acting_as(org.secretary):
                    with self.assertRaises(UserError) as cm:
                        Outgoing.write([document], {
                                'body': data, 'body_name': name})
                if expected:
                    self.assertIn(expected, cm.exception.message)
                document = Outgoing(document.id)
                self.assertEqual(bytes(document.body), FIRST)
                self.assertEqual(len(document.versions), 1)

    @with_transaction()
    def test_body_checked_out_in_word(self):
        "While 胡军 edits in Word, 朱婷's upload is refused in Chinese"
        import datetime
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        org = document_org()
        document = self.draft(org)
        with acting_as(org.secretary):
            result = Outgoing.edit_in_word([document])
        self.assertRegex(result['url'],
            r'^ms-word:ofe\|u\|.*/egov/dav/[\w-]{40,}/%E9%80%9A%E7%9F%A5'
            r'\.docx$')
        # 朱婷 has it at 核稿 (before, she may not see his draft at all)
        numbering_rule(org.yz_edu, '袁教体字')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)
        document._write({
                'locked_by': org.secretary.id,
                'locked_until': datetime.datetime.now()
                + datetime.timedelta(minutes=30),
                'dav_lock': '{"token": "opaquelocktoken:1"}'})
        with acting_as(org.office_head):
            with self.assertRaises(UserError) as cm:
                Outgoing.write([document], {'body': SECOND})
        self.assertIn('正在由胡军在Word中编辑', cm.exception.message)
        self.assertEqual(len(Outgoing(document.id).versions), 1)

    @with_transaction()
    def test_edit_link_only_for_who_may_change(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Token = pool.get('egov.document.edit.token')
        org = document_org()
        document = self.draft(org)
        with acting_as(org.zs_clerk):
            with self.assertRaises((UserError, AccessError)):
                Outgoing.edit_in_word([document])
            with self.assertRaises(AccessError):
                Token.search([])
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
            # Submitted: the 拟稿 step does not let anyone fill the body
            with self.assertRaises(UserError) as cm:
                Outgoing.edit_in_word([document])
        self.assertIn('不能修改', cm.exception.message)
