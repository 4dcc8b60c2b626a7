"""The archive record as XML in the elements of DA/T 46-2009 (文书类电子文件
元数据方案): 文件实体 (聚合层次, 来源, 电子文件号, 档号, 内容描述, 形式特征,
电子属性, 附注), 机构人员实体 and 业务实体 (the 归档 itself), with the body
embedded as base64 and its SM3 digest, as DA/T 48 packages carry a file.

The values are the standard's Chinese vocabulary whatever the reader's
language; dates are written YYYYMMDD as the standard asks."""
import base64
import hashlib

from lxml import etree

from trytond.report import Report

STANDARD = 'DA/T 46-2009'
SYSTEM = '宜春市智慧办公平台'
SECRECY = {
    'none': '非密', 'secret': '秘密', 'confidential': '机密',
    'top_secret': '绝密'}
URGENCY = {'normal': None, 'urgent': '加急', 'very_urgent': '特急'}
RETENTION = {'permanent': '永久', 'd30': '定期30年', 'd10': '定期10年'}
MANUSCRIPT = {
    'original': '正本', 'final_draft': '定稿', 'copy': '副本',
    'revised': '修改稿', 'draft': '草稿'}
FORMATS = {
    b'%PDF-': 'PDF', b'PK\x03\x04': 'DOCX',
    b'\xd0\xcf\x11\xe0': 'DOC/WPS'}


def yyyymmdd(value):
    return value.strftime('%Y%m%d') if value else None


def body_format(record):
    data = record.body or b''
    for magic, name in FORMATS.items():
        if data.startswith(magic):
            return name
    if (record.body_name or '').lower().endswith('.ofd'):
        return 'OFD'
    return None


def _add(parent, tag, value=None, **attributes):
    "Append <tag>value</tag>; an empty value writes nothing"
    if value is None or value == '':
        if not attributes:
            return None
    element = etree.SubElement(parent, tag, **attributes)
    if value is not None:
        element.text = str(value)
    return element


def metadata_xml(record):
    "bytes of the XML of record"
    root = etree.Element('电子文件元数据', 标准=STANDARD, 生成系统=SYSTEM)
    entity = etree.SubElement(root, '文件实体')
    _add(entity, '聚合层次', '文件')
    source = etree.SubElement(entity, '来源')
    _add(source, '全宗名称', record.fonds_name)
    _add(source, '立档单位名称', record.unit.name)
    _add(entity, '电子文件号', '%s-%s-%08d' % (
            record.unit.code, record.year, record.id))
    code = etree.SubElement(entity, '档号')
    _add(code, '档号', record.archival_code)
    _add(code, '全宗号', record.fonds_code)
    _add(code, '年度', record.year)
    _add(code, '保管期限', RETENTION.get(record.retention or ''))
    _add(code, '机构或问题', record.organ_code)
    _add(code, '室编件号',
        '%04d' % record.item_number if record.item_number else None)

    content = etree.SubElement(entity, '内容描述')
    _add(content, '题名', record.title)
    _add(content, '主题词', record.subject_terms)
    _add(content, '关键词', record.keywords)
    _add(content, '摘要', record.summary)
    _add(content, '文件编号', record.number)
    _add(content, '责任者', record.author)
    _add(content, '日期', yyyymmdd(record.date))
    _add(content, '文种', record.kind.name if record.kind else None)
    _add(content, '紧急程度', URGENCY.get(record.urgency))
    _add(content, '主送', record.main_recipients)
    _add(content, '抄送', record.copy_recipients)
    _add(content, '密级', SECRECY[record.secrecy])
    if record.secrecy_years:
        _add(content, '保密期限', '%s年' % record.secrecy_years)

    form = etree.SubElement(entity, '形式特征')
    _add(form, '文件组合类型', '单件')
    _add(form, '件数', 1)
    _add(form, '页数', record.pages)
    _add(form, '语种', '汉语')
    _add(form, '稿本', MANUSCRIPT[record.manuscript])

    if record.body_digest:
        data = record.body or b''
        digest = hashlib.new('sm3', data).hexdigest()
        electronic = etree.SubElement(entity, '电子属性')
        _add(electronic, '格式信息', body_format(record))
        _add(electronic, '计算机文件名', record.body_name)
        _add(electronic, '计算机文件大小', len(data))
        _add(electronic, '数字摘要', digest, 摘要算法='SM3')
        encoded = etree.SubElement(entity, '编码数据', 编码='base64')
        encoded.text = base64.b64encode(data).decode('ascii')
    if record.attachment_count:
        _add(entity, '附注', '附件%s件' % record.attachment_count)

    agent = etree.SubElement(root, '机构人员实体')
    _add(agent, '机构人员类型', '单位')
    _add(agent, '机构人员名称', record.unit.name)
    # The 组织机构代码 is the 9 characters of the unified social credit
    # code after its registration and region parts (GB 32100)
    uscc = record.unit.uscc or ''
    _add(agent, '组织机构代码', uscc[8:17] if len(uscc) == 18 else None)
    business = etree.SubElement(root, '业务实体')
    _add(business, '业务状态', '历史行为'
        if record.state == 'handed_over' else '计划任务')
    _add(business, '业务行为', '归档')
    _add(business, '行为时间', (record.handed_over_at
            or record.create_date).strftime('%Y%m%d%H%M%S'))
    _add(business, '行为依据', 'DA/T 22-2015 归档文件整理规则')
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8',
        pretty_print=True)


class Metadata(Report):
    "DA/T 46 metadata of archive records, one XML file each"
    __name__ = 'egov.document.archive.record.metadata'

    @classmethod
    def _execute(cls, records, header, data, action):
        record, = records
        return 'xml', metadata_xml(record)
