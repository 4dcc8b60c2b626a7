"""Excel import and export of the organisation, with good and hostile files:
every problem is listed by row and column in Chinese, and a file with a
problem writes nothing."""
import io
import zipfile

import openpyxl
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..org.org_import import check_file
from .tools import EgovTestCase, acting_as, create_org, uscc_for

UNIT_HEADER = ['编码', '名称', '类型', '上级编码', '简称', '统一社会信用代码']
EMPLOYEE_HEADER = [
    '人员编号', '姓名', '性别', '单位编码', '部门编码', '职务', '岗位', '手机',
    '登录名']


def xlsx(header, rows, edit=None):
    "Return the bytes of a workbook with header and rows"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if edit:
        edit(sheet)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def rewrite_sheet(data, transform):
    "Return data with the first sheet's XML passed through transform"
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == 'xl/worksheets/sheet1.xml':
                content = transform(content)
            target.writestr(info.filename, content)
    return output.getvalue()


def import_file(kind, data):
    "Check data and, when it has no problem, import it; return the importer"
    importer = check_file(kind, data)
    if not importer.table.problems:
        importer.apply()
    return importer


class ImportTestCase(EgovTestCase):

    def problems(self, importer):
        return [str(p) for p in importer.table.problems]

    def assertRefused(self, importer, *fragments):
        "The file was refused with Chinese problems holding each fragment"
        problems = self.problems(importer)
        self.assertTrue(problems, msg="the file was accepted")
        for problem in problems:
            self.assertChinese(problem)
        text = '\n'.join(problems)
        for fragment in fragments:
            self.assertIn(fragment, text)

    def count(self, model):
        return Pool().get(model).search(
            [('active', 'in', [True, False])], count=True)

    @with_transaction()
    def test_import_units(self):
        "Parents may come after their children in the file"
        Unit = Pool().get('egov.org.unit')
        org = create_org()
        data = xlsx(UNIT_HEADER, [
                ['YZ-002-01', '办公室', '部门', 'YZ-002', None, None],
                ['YZ-002', '袁州区民政局', '单位', '360902', '区民政局',
                    uscc_for('360902', 77)],
                ['YZ-001', '袁州区教育体育局', '单位', '360902', '区教体局',
                    None],
                ])
        importer = import_file('units', data)
        self.assertEqual(self.problems(importer), [])
        unit, = Unit.search([('code', '=', 'YZ-002')])
        department, = Unit.search([('code', '=', 'YZ-002-01')])
        self.assertEqual(department.parent, unit)
        self.assertEqual(department.division, org.yuanzhou)
        self.assertEqual(Unit(org.yz_edu.id).short_name, '区教体局')

    @with_transaction()
    def test_export_import_round_trip(self):
        "An exported file imports again without changing anything"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        Employee = pool.get('egov.org.employee')
        UnitExport = pool.get('egov.org.unit.export', type='report')
        EmployeeExport = pool.get('egov.org.employee.export', type='report')
        create_org()
        units = Unit.search([], order=[('path', 'ASC')])
        oext, content, _, _ = UnitExport.execute(
            [u.id for u in units], {'model': 'egov.org.unit'})
        self.assertEqual(oext, 'xlsx')
        importer = import_file('units', content)
        self.assertEqual(self.problems(importer), [])
        self.assertEqual(importer.to_create, [])

        employees = Employee.search([])
        oext, content, _, _ = EmployeeExport.execute(
            [e.id for e in employees], {'model': 'egov.org.employee'})
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        self.assertEqual(sheet.cell(1, 1).value, '人员编号*')
        importer = check_file('employees', content)
        self.assertEqual(self.problems(importer), [])
        created, updated = importer.apply()
        self.assertEqual((created, updated), (0, 0))

    @with_transaction()
    def test_every_problem_by_row_and_column(self):
        "One pass lists all problems; nothing is written"
        create_org()
        before = self.count('egov.org.unit')
        bad_uscc = uscc_for('360902', 5)[:-1] + 'Z'
        data = xlsx(UNIT_HEADER, [
                ['YZ-100', '袁州区新单位', '单位', 'NOPE', None, None],
                ['YZ-101', '袁州区新单位二', '宇宙', '360902', None, None],
                ['YZ-102', '办公室', '部门', '360902', None, None],
                ['YZ-103', '袁州区新单位三', '单位', '360902', None, bad_uscc],
                ['YZ-103', '重复编码', '单位', '360902', None, None],
                ['bad code!', '坏编码', '单位', '360902', None, None],
                ['YZ-104', None, '单位', '360902', None, None],
                ['A', '循环甲', '单位', 'B', None, None],
                ['B', '循环乙', '单位', 'A', None, None],
                ])
        importer = import_file('units', data)
        self.assertRefused(importer,
            '第 2 行「上级编码」列', 'NOPE',
            '第 3 行「类型」列', '宇宙',
            '第 4 行「上级编码」列',
            '第 5 行「统一社会信用代码」列',
            '第 6 行「编码」列', '与第 5 行重复',
            '第 7 行「编码」列',
            '第 8 行「名称」列：不能为空',
            '循环')
        self.assertEqual(self.count('egov.org.unit'), before)

    @with_transaction()
    def test_county_admin_imports_into_own_county(self):
        create_org()
        data = xlsx(UNIT_HEADER, [
                ['ZS-002', '樟树市民政局', '单位', '360982', None, None]])
        with acting_as(Pool().get('res.user').search(
                    [('login', '=', 'yz_admin')])[0]):
            importer = import_file('units', data)
        self.assertRefused(importer, '不在您管理的县区范围内')

    @with_transaction()
    def test_import_employees(self):
        "People, logins, posts and assignments in one file"
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        User = pool.get('res.user')
        org = create_org()
        data = xlsx(EMPLOYEE_HEADER, [
                ['YZ0100', '张伟', '男', 'YZ-001', 'YZ-001-01', '科员',
                    '科员、收发员', '13800000001', 'zhangwei'],
                ['YZ0101', '李娜', '女', 'YZ-001', None, '副局长', '副职',
                    None, None],
                ])
        importer = import_file('employees', data)
        self.assertEqual(self.problems(importer), [])
        zhang, = Employee.search([('number', '=', 'YZ0100')])
        self.assertEqual(zhang.user.login, 'zhangwei')
        self.assertEqual(zhang.user.language.code, 'zh_CN')
        self.assertEqual(zhang.department, org.yz_edu_office)
        posts = {a.post.name: a.primary for a in zhang.assignments}
        self.assertEqual(posts, {'科员': True, '收发员': False})
        self.assertEqual(User.search([('login', '=', 'zhangwei')]),
            [zhang.user])

        # The same file again changes nothing; a changed mobile updates
        data = xlsx(EMPLOYEE_HEADER, [
                ['YZ0100', '张伟', '男', 'YZ-001', 'YZ-001-01', '科员',
                    '科员、收发员', '13800000009', 'zhangwei']])
        importer = check_file('employees', data)
        self.assertEqual(importer.apply(), (0, 1))
        self.assertEqual(Employee(zhang.id).mobile, '13800000009')
        self.assertEqual(len(Employee(zhang.id).assignments), 2)

    @with_transaction()
    def test_employee_problems(self):
        create_org()
        before = self.count('egov.org.employee')
        data = xlsx(EMPLOYEE_HEADER, [
                ['YZ0200', '王五', '未知', 'YZ-001', None, None, None,
                    '12345', None],
                ['YZ0201', '赵六', '男', 'YZ-001-01', None, None, None, None,
                    None],
                ['YZ0202', '钱七', '男', 'YZ-001', 'ZS-001-01', None, None,
                    None, 'Bad Login!'],
                ['YZ0203', '孙八', '男', 'NOPE', None, None, None, None,
                    'yz_clerk'],
                ['YZ0203', '周九', '男', 'YZ-001', None, None, None, None,
                    None],
                ])
        importer = import_file('employees', data)
        self.assertRefused(importer,
            '第 2 行「性别」列', '第 2 行「手机」列',
            '第 3 行「单位编码」列', '不是单位',
            '第 4 行「部门编码」列', '第 4 行「登录名」列',
            '第 5 行「单位编码」列', '第 5 行「登录名」列',
            '第 6 行「人员编号」列')
        self.assertEqual(self.count('egov.org.employee'), before)


class HostileFileTestCase(EgovTestCase):
    "Files that are not what they claim, or try to harm the server"

    def assertRefusedFile(self, data, fragment):
        importer = check_file('units', data)
        problems = [str(p) for p in importer.table.problems]
        self.assertTrue(problems)
        for problem in problems:
            self.assertChinese(problem)
        self.assertIn(fragment, '\n'.join(problems))
        self.assertEqual(importer.to_create, [])

    @with_transaction()
    def test_not_excel(self):
        self.assertRefusedFile(b'code,name\nA,B\n', '不是 Excel 工作簿')
        self.assertRefusedFile(
            b'%PDF-1.4\n' + b'x' * 1000, '不是 Excel 工作簿')
        self.assertRefusedFile(
            b'PK\x03\x04' + b'\x00' * 200, '不是 Excel 工作簿')

    @with_transaction()
    def test_old_xls(self):
        self.assertRefusedFile(
            b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + b'\x00' * 512, '.xls')

    @with_transaction()
    def test_empty(self):
        self.assertRefusedFile(b'', '文件是空的')
        self.assertRefusedFile(xlsx(UNIT_HEADER, []), '没有可导入的数据行')
        self.assertRefusedFile(xlsx([], []), '缺少必填列')

    @with_transaction()
    def test_too_large(self):
        "A 50 MB upload is refused before it is parsed"
        data = b'PK\x03\x04' + b'\x00' * (50 * 1024 * 1024)
        self.assertRefusedFile(data, '超过上限 10.0 MB')

    @with_transaction()
    def test_zip_bomb(self):
        "A small file that unpacks to gigabytes is refused unopened"
        output = io.BytesIO()
        with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
            archive.writestr('[Content_Types].xml', '<Types/>')
            archive.writestr('xl/workbook.xml', '<workbook/>')
            archive.writestr(
                'xl/worksheets/sheet1.xml', b'\x00' * (200 * 1024 * 1024))
        data = output.getvalue()
        self.assertLess(len(data), 1024 * 1024)
        self.assertRefusedFile(data, '解压后超过')

    @with_transaction()
    def test_formulas(self):
        data = xlsx(UNIT_HEADER, [['YZ-300', '袁州区某局', '单位', None]],
            edit=lambda sheet: sheet.__setitem__('D2', '=A1&"360902"'))
        self.assertRefusedFile(data, '第 2 行「上级编码」列：单元格是公式')

    @with_transaction()
    def test_merged_cells(self):
        data = xlsx(UNIT_HEADER, [
                ['YZ-301', '袁州区某局', '单位', '360902'],
                ['YZ-302', '袁州区另一局', '单位', '360902']],
            edit=lambda sheet: sheet.merge_cells('C2:C3'))
        self.assertRefusedFile(data, '单元格 C2:C3 是合并单元格')

    @with_transaction()
    def test_unknown_columns(self):
        data = xlsx(UNIT_HEADER + ['密码'], [
                ['YZ-303', '袁州区某局', '单位', '360902', None, None, 'x']])
        self.assertRefusedFile(data, '无法识别的列：密码')

    @with_transaction()
    def test_external_entity(self):
        "XXE: an entity reading a local file is not expanded"
        data = xlsx(UNIT_HEADER, [['YZ-304', 'NAME', '单位', '360902']])

        def inject(content):
            content = content.replace(
                b'<worksheet', b'<!DOCTYPE x [<!ENTITY e SYSTEM '
                b'"file:///etc/passwd">]><worksheet', 1)
            return content.replace(
                b'<is><t>NAME</t></is>', b'<is><t>&e;</t></is>')
        hostile = rewrite_sheet(data, inject)
        importer = check_file('units', hostile)
        rows = importer.table.rows
        text = '\n'.join(str(p) for p in importer.table.problems)
        self.assertNotIn('root:', repr(rows) + text)
        self.assertTrue(importer.table.problems)

    @with_transaction()
    def test_entity_expansion(self):
        "Billion laughs: nested entities are refused"
        data = xlsx(UNIT_HEADER, [['YZ-305', 'NAME', '单位', '360902']])
        entities = b'<!ENTITY a "aaaaaaaaaa">' + b''.join(
            b'<!ENTITY %s "%s">' % (
                chr(98 + i).encode(), (b'&%s;' % chr(97 + i).encode()) * 10)
            for i in range(8))

        def inject(content):
            content = content.replace(
                b'<worksheet', b'<!DOCTYPE x [' + entities + b']><worksheet',
                1)
            return content.replace(
                b'<is><t>NAME</t></is>', b'<is><t>&i;</t></is>')
        importer = check_file('units', rewrite_sheet(data, inject))
        self.assertTrue(importer.table.problems)
        self.assertNotIn('aaaaaaaaaa', repr(importer.table.rows))

    @with_transaction()
    def test_overlong_and_injected_values(self):
        "Values are data, never code; long ones are refused"
        create_org()
        data = xlsx(UNIT_HEADER, [
                ['YZ-306', '袁' * 150, '单位', '360902'],
                ['YZ-307', "'); DROP TABLE egov_org_unit; --", '单位',
                    '360902'],
                ['YZ-308', '<script>alert(1)</script>', '单位', '360902'],
                ])
        importer = check_file('units', data)
        problems = '\n'.join(str(p) for p in importer.table.problems)
        self.assertIn('第 2 行「名称」列：内容长度为 150 个字符', problems)
        self.assertNotIn('第 3 行', problems)
