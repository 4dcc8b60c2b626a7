"""归档: a finished 发文 or 收文 is marked for archiving by its unit's 收发员
with the DA/T 46 metadata filled from it, once; a running document is
refused; the records follow the unit and the 密级; the export is DA/T 46
XML with the body and its SM3 digest; the hand-over gives the 档号."""
import base64
import hashlib
import io

from lxml import etree
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as

from .tools import (
    DocumentHelpers, EgovDocumentTestCase, document_org, numbering_rule)


def word_body(text='各学校于3月底前完成自查。'):
    import docx
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class ArchiveTestCase(DocumentHelpers, EgovDocumentTestCase):

    def finished_outgoing(self, org, **values):
        "A 发文 of 袁州区教育体育局 run to its end (分发)"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Numbering = pool.get('egov.document.numbering')
        if not Numbering.search([('unit', '=', org.yz_edu.id)]):
            numbering_rule(org.yz_edu, '袁教体字')
        document = self.outgoing(org, **values)
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        self.act(org.secretary, document)            # 拟稿
        self.act(org.office_head, document)          # 核稿
        self.act(org.bureau_head, document, confirm=True)    # 签发
        self.act(org.yz_clerk, document)             # 编号
        self.act(org.yz_clerk, document)             # 用印
        self.act(org.yz_clerk, document)             # 分发
        return Outgoing(document.id)

    @with_transaction()
    def test_archive_finished_outgoing(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Record = pool.get('egov.document.archive.record')
        org = document_org()
        body = word_body()
        document = self.outgoing(org, body=body,
            body_name='校园安全检查通知.docx')
        with acting_as(org.secretary):
            Outgoing.workflow_start([document])
        # Refused while the document is in its process, nothing made
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Outgoing.archive([document])
            self.assertIn('正在办理中，办结后才能归档', cm.exception.message)
            self.assertIn(document.title, cm.exception.message)
        self.assertEqual(Record.search([]), [])

        document = self.finished_outgoing(org, body=body,
            body_name='校园安全检查通知.docx')
        with acting_as(org.yz_clerk):
            action = Outgoing.archive([document])
            record, = Record.search([])
            self.assertEqual(action['res_id'], [record.id])
            # Twice: the record made the first time
            again = Outgoing.archive([document])
            self.assertEqual(again['res_id'], [record.id])
            self.assertEqual(Record.search_count([]), 1)
            record = Record(record.id)
            year = pool.get('ir.date').today().year
            self.assertEqual(record.document, document)
            self.assertEqual(record.title, document.title)
            self.assertEqual(record.number, '袁教体字〔%s〕1号' % year)
            self.assertEqual(record.author, '袁州区教育体育局')
            self.assertEqual(record.fonds_name, '袁州区教育体育局')
            self.assertEqual(record.unit, org.yz_edu)
            self.assertEqual(record.date, document.signed_at.date())
            self.assertEqual(record.year, year)
            self.assertEqual(record.organ_name, org.yz_edu_office.name)
            self.assertEqual(record.organ_code, 'BGS')
            self.assertEqual(record.main_recipients, '樟树市财政局')
            self.assertEqual(record.copy_recipients, '宜春市人民政府办公室')
            self.assertEqual(record.secrecy, 'none')
            self.assertEqual(record.kind.name, '通知')
            self.assertEqual(record.manuscript, 'original')
            self.assertIn('安全检查', record.keywords)
            self.assertEqual(record.body, body)
            self.assertEqual(record.body_size, len(body))
            self.assertEqual(record.pages, 1)
            self.assertEqual(record.body_digest,
                hashlib.new('sm3', body).hexdigest())
            self.assertEqual(record.state, 'ready')
            self.assertIsNone(record.retention)
            self.assertIsNone(record.archival_code)

        # The sender's other units and the receivers see nothing of it
        with acting_as(org.zs_clerk):
            self.assertEqual(Record.search([]), [])
            with self.assertRaises(AccessError):
                Record.read([record.id], ['title'])
        # Someone who is not a clerk has no archive records at all
        with acting_as(org.office_head):
            with self.assertRaises(AccessError):
                Record.search([])

    @with_transaction()
    def test_archive_refused_outside_the_unit(self):
        "A clerk of another unit, a drafter who is no clerk: refused"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Record = pool.get('egov.document.archive.record')
        org = document_org()
        document = self.finished_outgoing(org)
        with acting_as(org.zs_clerk):
            with self.assertRaises(AccessError):
                Outgoing.archive([document])
        with acting_as(org.office_head):
            # 朱婷 took part (核稿) and reads it, but holds no clerk post
            self.assertEqual(Outgoing.search([]), [document])
            with self.assertRaises(UserError):
                Outgoing.archive([document])
        self.assertEqual(Record.search([]), [])

    @with_transaction()
    def test_archive_incoming_at_the_receiver(self):
        "The receiving unit archives its 收文 with the sender as 责任者"
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Record = pool.get('egov.document.archive.record')
        org = document_org()
        outgoing = self.finished_outgoing(org)
        with acting_as(org.zs_clerk):
            incoming, = Incoming.search([('receipt', '=', 'pending')])
            Incoming.sign_for([incoming])
            Incoming.workflow_start([incoming])
        self.act(org.zs_clerk, incoming)                              # 登记
        self.act(org.zs_office_head, incoming, text='请钱局长阅示。')  # 拟办
        self.act(org.zs_head, incoming, text='请办公室办理。',          # 批办
            data={'handlers': [org.zs_finance_office.id]})
        self.act(org.zs_office_head, incoming, text='已落实。')         # 承办
        with acting_as(org.zs_clerk):
            with self.assertRaises(UserError) as cm:
                Incoming.archive([Incoming(incoming.id)])
            self.assertIn('正在办理', cm.exception.message)
        self.act(org.zs_clerk, incoming)                              # 办结
        with acting_as(org.zs_clerk):
            Incoming.archive([incoming])
            record, = Record.search([])
            self.assertEqual(record.unit, org.zs_finance)
            self.assertEqual(record.author, '袁州区教育体育局')
            self.assertEqual(record.number, outgoing.number)
            # The 成文日期 is the sender's 签发
            self.assertEqual(record.date, outgoing.signed_at.date())
            self.assertEqual(record.organ_name, org.zs_finance_office.name)
            self.assertEqual(record.main_recipients, '樟树市财政局')
        with acting_as(org.yz_clerk):
            # The sender's clerk does not see the receiver's record
            self.assertEqual(Record.search([]), [])

    @with_transaction()
    def test_secrecy_follows_the_document(self):
        "A record of a 机密 document is found only by the cleared"
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Record = pool.get('egov.document.archive.record')
        Employee = pool.get('egov.org.employee')
        org = document_org()
        document = self.finished_outgoing(org)
        with acting_as(org.yz_clerk):
            Outgoing.archive([document])
            record, = Record.search([])
        # As if the document had been classified: its record is too
        Record.write([record], {'secrecy': 'confidential'})
        with acting_as(org.yz_clerk):
            self.assertEqual(Record.search([]), [])
            self.assertEqual(Record.search_count([]), 0)
            self.assertEqual(Record.search([('title', 'like', '%校园%')]),
                [])
            with self.assertRaises(AccessError):
                Record.read([record.id], ['title'])
        Employee.write([org.yz_clerk_employee],
            {'secrecy_clearance': 'confidential'})
        with acting_as(org.yz_clerk):
            self.assertEqual(Record.search([]), [record])

    @with_transaction()
    def test_metadata_xml_and_hand_over(self):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        Record = pool.get('egov.document.archive.record')
        Metadata = pool.get('egov.document.archive.record.metadata',
            type='report')
        org = document_org()
        body = word_body()
        document = self.finished_outgoing(org, body=body,
            body_name='通知.docx', urgency='urgent')
        year = pool.get('ir.date').today().year
        with acting_as(org.yz_clerk):
            Outgoing.archive([document])
            record, = Record.search([])
            oext, content, _, name = Metadata.execute([record.id], {})
            self.assertEqual(oext, 'xml')
            root = etree.fromstring(content)
            self.assertEqual(root.tag, '电子文件元数据')
            self.assertEqual(root.get('标准'), 'DA/T 46-2009')
            entity = root.find('文件实体')
            self.assertEqual(entity.findtext('聚合层次'), '文件')
            self.assertEqual(entity.findtext('来源/立档单位名称'),
                '袁州区教育体育局')
            described = entity.find('内容描述')
            self.assertEqual(described.findtext('题名'), document.title)
            self.assertEqual(described.findtext('文件编号'),
                '袁教体字〔%s〕1号' % year)
            self.assertEqual(described.findtext('责任者'), '袁州区教育体育局')
            self.assertEqual(described.findtext('日期'),
                document.signed_at.strftime('%Y%m%d'))
            self.assertEqual(described.findtext('文种'), '通知')
            self.assertEqual(described.findtext('紧急程度'), '加急')
            self.assertEqual(described.findtext('密级'), '非密')
            self.assertEqual(entity.findtext('形式特征/稿本'), '正本')
            digest = entity.find('电子属性/数字摘要')
            self.assertEqual(digest.get('摘要算法'), 'SM3')
            self.assertEqual(digest.text, hashlib.new('sm3', body).hexdigest())
            self.assertEqual(entity.findtext('电子属性/格式信息'), 'DOCX')
            self.assertEqual(
                base64.b64decode(entity.findtext('编码数据')), body)
            self.assertIsNone(entity.find('档号/档号'))

            # Handed over only complete, in Chinese
            with self.assertRaises(UserError) as cm:
                Record.hand_over([record])
            self.assertIn('全宗号', cm.exception.message)
            self.assertIn('保管期限', cm.exception.message)
            Record.write([record], {
                    'fonds_code': 'J012', 'retention': 'd30'})
            Record.hand_over([record])
            record = Record(record.id)
            self.assertEqual(record.state, 'handed_over')
            self.assertEqual(record.item_number, 1)
            self.assertEqual(record.archival_code,
                'J012-%s-D30-BGS-0001' % year)
            self.assertEqual(record.handed_over_by, org.yz_clerk)
            # Frozen once handed over
            with self.assertRaises(UserError) as cm:
                Record.write([record], {'retention': 'permanent'})
            self.assertIn('已移交', cm.exception.message)
            root = etree.fromstring(Metadata.execute([record.id], {})[1])
            code = root.find('文件实体/档号')
            self.assertEqual(code.findtext('档号'),
                'J012-%s-D30-BGS-0001' % year)
            self.assertEqual(code.findtext('保管期限'), '定期30年')
            self.assertEqual(code.findtext('室编件号'), '0001')
        # Another unit's clerk exports nothing of it
        with acting_as(org.zs_clerk):
            with self.assertRaises(AccessError):
                Metadata.execute([record.id], {})

        # The next record of the unit keeps its 全宗号 and takes the next
        # 件号 of its group
        second = self.finished_outgoing(org, title='关于印发2027年全区'
            '教育工作要点的通知')
        with acting_as(org.yz_clerk):
            Outgoing.archive([second])
            other, = Record.search([('id', '!=', record.id)])
            self.assertEqual(other.fonds_code, 'J012')
            self.assertEqual(other.number, '袁教体字〔%s〕2号' % year)
            Record.write([other], {'retention': 'd30'})
            Record.hand_over([other])
            self.assertEqual(Record(other.id).archival_code,
                'J012-%s-D30-BGS-0002' % year)
