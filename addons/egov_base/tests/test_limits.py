"""Resource limits: hostile spreadsheets are refused early and cheaply,
within declared bounds, and a last row of the sheet is never dropped."""
import datetime
import io
import time
import tracemalloc
import zipfile

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..directory.contact import MAX_CONTACT_ROWS, contact_columns
from ..excel.reader import read_table
from ..org.org_import import check_file
from .test_import import EMPLOYEE_HEADER, UNIT_HEADER, xlsx
from .tools import EgovTestCase

CONTACT_HEADER = ['姓名', '单位', '手机']


def raw_xlsx(sheet_xml, dimension=None):
    """Return a minimal workbook whose first sheet's <sheetData> is
    sheet_xml (bytes), written as hostile tools do, not by openpyxl"""
    dimension = (b'<dimension ref="%s"/>' % dimension.encode()
        if dimension else b'')
    files = {
        '[Content_Types].xml': (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="'
            b'application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
            b'/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            b'application/vnd.openxmlformats-officedocument.spreadsheetml.'
            b'worksheet+xml"/></Types>'),
        '_rels/.rels': (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
            b'http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
            b'/officeDocument/2006/relationships/officeDocument" Target="'
            b'xl/workbook.xml"/></Relationships>'),
        'xl/workbook.xml': (
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://'
            b'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="'
            b'http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"'
            b'/></sheets></workbook>'),
        'xl/_rels/workbook.xml.rels': (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
            b'http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
            b'/officeDocument/2006/relationships/worksheet" Target="'
            b'worksheets/sheet1.xml"/></Relationships>'),
        'xl/worksheets/sheet1.xml': (
            b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
            b'schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + dimension + b'<sheetData>' + sheet_xml
            + b'</sheetData></worksheet>'),
        }
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return output.getvalue()


def inline(reference, text):
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (
        reference.encode(), text.encode())


def header_row(titles):
    return b'<row r="1">' + b''.join(
        inline('%s1' % chr(65 + i), t) for i, t in enumerate(titles)) + (
        b'</row>')


def xfd_file(rows, dimension=None):
    "The reported attack: a contact table with one cell in column XFD"
    body = header_row(CONTACT_HEADER) + b''.join(
        b'<row r="%d">' % n + inline('A%d' % n, '张三')
        + inline('XFD%d' % n, 'x') + b'</row>'
        for n in range(2, rows + 2))
    return raw_xlsx(body, dimension)


def measure(function, *args):
    "Return (result, milliseconds, peak bytes allocated by Python)"
    tracemalloc.start()
    try:
        start = time.perf_counter()
        result = function(*args)
        elapsed = (time.perf_counter() - start) * 1000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


class LimitsTestCase(EgovTestCase):

    def read_contacts(self, data):
        return read_table(data, contact_columns(), max_rows=MAX_CONTACT_ROWS)

    def assertRefusedWith(self, table, *fragments):
        self.assertFalse(table.rows and not table.problems)
        self.assertTrue(table.problems, msg="the file was accepted")
        text = '\n'.join(str(p) for p in table.problems)
        self.assertChinese(text)
        for fragment in fragments:
            self.assertIn(fragment, text)
        return text

    @with_transaction()
    def test_xfd_cell_refused(self):
        "One cell in column XFD is refused, naming the cell and the limit"
        data = xfd_file(1)
        self.assertLess(len(data), 2048)
        table = self.read_contacts(data)
        self.assertRefusedWith(table, '单元格 XFD2', '最后一列 Z')
        self.assertEqual(table.rows, [])

    @with_transaction()
    def test_xfd_1500_rows_refused_fast_and_small(self):
        "The 1,500-row XFD file: refused in milliseconds, in little memory"
        data = xfd_file(1500)
        table, elapsed, peak = measure(self.read_contacts, data)
        self.assertRefusedWith(table, '单元格 XFD2')
        print('\n1500 rows x XFD (%d bytes): refused in %.1f ms, '
            'peak %.2f MB traced' % (len(data), elapsed, peak / 2 ** 20))
        self.assertLess(elapsed, 2000)
        self.assertLess(peak, 20 * 2 ** 20)

    @with_transaction()
    def test_xfd_dimension_refused(self):
        "A sheet declaring A1:XFD1500 is refused before any row is read"
        data = xfd_file(1500, dimension='A1:XFD1501')
        table = self.read_contacts(data)
        text = self.assertRefusedWith(table, 'A1:XFD1501', 'Z')
        self.assertEqual(len(table.problems), 1, text)

    @with_transaction()
    def test_styled_empty_cells_beyond_refused(self):
        "Cells without a value beyond the box count too (no silent drop)"
        body = header_row(CONTACT_HEADER) + b'<row r="2">' + inline(
            'A2', '张三') + b''.join(
            b'<c r="%s2" s="0"/>' % c.encode() for c in ('AA', 'AB')) + (
            b'</row>')
        self.assertRefusedWith(self.read_contacts(raw_xlsx(body)), 'AA2')

    @with_transaction()
    def test_last_row_of_sheet_not_dropped(self):
        "A value in row 1048576 is refused with a message, never dropped"
        body = header_row(CONTACT_HEADER) + b'<row r="2">' + inline(
            'A2', '张三') + b'</row><row r="1048576">' + inline(
            'A1048576', '李四') + b'</row>'
        table = self.read_contacts(raw_xlsx(body))
        self.assertRefusedWith(table, '单元格 A1048576', str(
                MAX_CONTACT_ROWS + 1))
        # Without a bound below it, the last row is read, not dropped
        table = read_table(raw_xlsx(body), contact_columns(),
            max_rows=1048575, max_rows_cap=1048575)
        self.assertEqual(table.problems, [])
        self.assertEqual([r['_row'] for r in table.rows], [2, 1048576])
        self.assertEqual(table.rows[-1]['name'], '李四')

    @with_transaction()
    def test_openpyxl_file_at_last_row(self):
        "The same through a workbook saved by openpyxl"
        data = xlsx(CONTACT_HEADER, [['张三', None, None]],
            edit=lambda sheet: sheet.__setitem__('A1048576', '李四'))
        self.assertRefusedWith(self.read_contacts(data), 'A1:C1048576')

    @with_transaction()
    def test_repeated_rows_refused(self):
        "A row number written again and again cannot loop the reader"
        body = header_row(CONTACT_HEADER) + (
            b'<row r="2">' + inline('A2', '张三') + b'</row>') * 3
        table = self.read_contacts(raw_xlsx(body))
        self.assertRefusedWith(table, '文件已损坏')

    @with_transaction()
    def test_too_many_cells_in_one_row(self):
        "Cells without a reference in one row stop at the column bound"
        body = header_row(CONTACT_HEADER) + b'<row r="2">' + (
            b'<c t="inlineStr"><is><t>x</t></is></c>' * 200000) + b'</row>'
        data = raw_xlsx(body)
        table, elapsed, peak = measure(self.read_contacts, data)
        self.assertRefusedWith(table, '单元格 AA2')
        self.assertLess(peak, 20 * 2 ** 20)

    @with_transaction()
    def test_text_ceiling(self):
        "The text kept from a file is bounded"
        data = xlsx(CONTACT_HEADER, [['张三' * 20, None, None]] * 50)
        table = read_table(data, contact_columns(), max_text=1000)
        self.assertRefusedWith(table, '1000 个字符')

    @with_transaction()
    def test_problems_in_row_order(self):
        "File problems first, then by row, whatever found them first"
        rows = [['YZ-1', None, '单位'], ['YZ-2', '某局', 'x' * 30],
            [None, '某局', '单位']]
        importer = check_file('units', xlsx(UNIT_HEADER[:3], rows))
        rows_seen = [p.row for p in importer.table.problems]
        self.assertTrue(rows_seen)
        self.assertEqual(rows_seen, sorted(r or 0 for r in rows_seen))

    @with_transaction()
    def test_every_import_bounded(self):
        "Units, employees and contacts are all read within a box"
        def hostile(header):
            return raw_xlsx(header_row(header) + b'<row r="2">'
                + inline('A2', 'YZ-1') + inline('XFD2', 'x') + b'</row>')
        for kind, header in [
                ('units', UNIT_HEADER), ('employees', EMPLOYEE_HEADER)]:
            importer = check_file(kind, hostile(header))
            self.assertRefusedWith(importer.table, 'XFD2')
        self.assertRefusedWith(
            self.read_contacts(hostile(CONTACT_HEADER)), 'XFD2')

    @with_transaction()
    def test_shared_strings_bomb(self):
        "A shared-string table beyond the text ceiling is refused unopened"
        data = xlsx(CONTACT_HEADER, [['张三', None, None]])
        source = zipfile.ZipFile(io.BytesIO(data))
        output = io.BytesIO()
        with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info.filename, source.read(info.filename))
            target.writestr('xl/sharedStrings.xml', b' ' * 5000)
        table = read_table(output.getvalue(), contact_columns(),
            max_text=1000)
        self.assertRefusedWith(table, '1000 个字符')


class DomainLimitsTestCase(EgovTestCase):
    "The domains, orders and ids of every model's RPC methods are bounded"

    def call(self, model, method, *args):
        "Convert the arguments as the RPC dispatcher does"
        Model = Pool().get(model)
        return Model.__rpc__[method].convert(Model, *args, {})

    def assertLimitRefused(self, model, method, *args, fragment=None):
        start = time.perf_counter()
        with self.assertRaises(UserError) as cm:
            self.call(model, method, *args)
        self.assertLess(time.perf_counter() - start, 1)
        self.assertChinese(cm.exception.message)
        if fragment:
            self.assertIn(fragment, cm.exception.message)
        return cm.exception.message

    @with_transaction()
    def test_or_of_20000_terms(self):
        "The reported attack: an OR of 20,000 terms is refused at once"
        domain = ['OR'] + [('login', '=', 'u%d' % i) for i in range(20000)]
        self.assertLimitRefused('res.user', 'search', domain, 0, None, None,
            fragment='500')
        self.assertLimitRefused('res.user', 'search_count', domain)
        self.assertLimitRefused('egov.org.unit', 'search_read', domain, 0,
            None, None, ['name'])
        self.assertLimitRefused('egov.org.unit', 'export_data_domain',
            domain, ['name'], 0, None, None)

    @with_transaction()
    def test_every_model_is_bounded(self):
        "Every model with a search over RPC has the bounds"
        pool = Pool()
        from ..security.limits import BoundedRPC
        checked = 0
        for name, Model in pool.iterobject():
            for method in ['search', 'search_count', 'search_read', 'read']:
                if method in Model.__rpc__:
                    self.assertIsInstance(
                        Model.__rpc__[method], BoundedRPC, (name, method))
                    checked += 1
        self.assertGreater(checked, 200)

    @with_transaction()
    def test_depth_values_order_ids(self):
        deep = [('name', '=', 'x')]
        for _ in range(50):
            deep = [deep]
        self.assertLimitRefused(
            'egov.org.unit', 'search', deep, 0, None, None)
        # A sub-domain counts its leaves and its depth too
        where = [('parent', 'where', ['OR'] + [
                    ('code', '=', str(i)) for i in range(600)])]
        self.assertLimitRefused(
            'egov.org.unit', 'search', where, 0, None, None)
        self.assertLimitRefused('egov.org.unit', 'search',
            [('id', 'in', list(range(30000)))], 0, None, None,
            fragment='20000')
        self.assertLimitRefused('egov.org.unit', 'search', [], 0, None,
            [('name', 'ASC')] * 40)
        self.assertLimitRefused('egov.org.unit', 'search', [], 0, None,
            [('name', 'ASC' * 50)])
        self.assertLimitRefused('egov.org.unit', 'search', [], 0, None,
            [('x' * 1000, 'ASC')])
        self.assertLimitRefused('egov.org.unit', 'read',
            list(range(30000)), ['name'])
        self.assertLimitRefused('egov.org.unit', 'search', 'garbage', 0,
            None, None)

    @with_transaction()
    def test_client_searches_pass(self):
        "What sao sends passes: a few dozen leaves, nested, ordered"
        domain = ['AND', [('active', '=', True)],
            ['OR', ('name', 'ilike', '%局%'), ('code', 'ilike', '%局%')],
            [('parent', 'child_of', [1], 'parent')],
            [('create_date', '>=', datetime.datetime(2026, 1, 1))],
            ['OR'] + [('kind', '=', k) for k in ['unit', 'department']] * 20]
        args, kwargs, context, _ = self.call('egov.org.unit', 'search',
            domain, 0, 1000, [('sequence', 'ASC'), ('name', None)])
        self.assertEqual(args[0], domain)
        self.call('egov.org.unit', 'search', [('id', 'in', list(
                        range(5000)))], 0, None, None)
        self.call('egov.org.unit', 'read', list(range(1000)), ['name'])
        Unit = Pool().get('egov.org.unit')
        # The platform's own code is not bounded
        Unit.search([('id', 'in', list(range(50000)))])
        Unit.search(['OR'] + [('code', '=', str(i)) for i in range(300)])


class UnexpectedErrorTestCase(EgovTestCase):
    "The answer to an unexpected error hides Python's text"

    def request(self):
        import json

        from trytond.protocols.jsonrpc import JSONRequest
        from trytond.tests.test_tryton import DB_NAME
        from werkzeug.test import EnvironBuilder
        body = json.dumps({'id': 1, 'method': 'model.res.user.read',
                'params': [[1], ['name'], {'language': 'zh_CN'}]})
        environ = EnvironBuilder(method='POST', path='/%s/' % DB_NAME,
            data=body, content_type='application/json').get_environ()
        request = JSONRequest(environ)
        request.view_args = {'database_name': DB_NAME}
        return request

    def answer(self, exception):
        import json

        from trytond.wsgi import app

        from ..security.errors import hide_unexpected
        response = hide_unexpected(app, self.request(), exception)
        return json.loads(b''.join(response.response))

    def test_memory_error_answered_and_served_after(self):
        "A MemoryError gets the generic answer; the next call is served"
        with self.assertLogs('egov_base.security.errors', 'ERROR') as logs:
            answer = self.answer(MemoryError('cannot allocate 1.9 GB'))
        kind, (message, detail, *_) = answer['error']
        self.assertEqual(kind, 'UserError')
        self.assertIn('服务器内部出错', message)
        self.assertNotIn('1.9 GB', repr(answer))
        reference = message.split('错误编号 ')[1].split(' ')[0]
        self.assertIn(reference, logs.output[0])
        self.assertIn('MemoryError', logs.output[0])
        # The same process goes on answering
        self.test_refusals_pass_unchanged()

    def test_refusals_pass_unchanged(self):
        from trytond.exceptions import LoginException, UserWarning
        from trytond.model.exceptions import AccessError

        from ..security.errors import hide_unexpected
        from trytond.wsgi import app
        for exception in [UserError('x'), AccessError('y'),
                UserWarning('w', 'z'), LoginException('sms_code', 'c')]:
            self.assertIsNone(
                hide_unexpected(app, self.request(), exception))


class WholePartTestCase(EgovTestCase):

    @with_transaction()
    def test_styles_bomb(self):
        "A part openpyxl parses whole (styles.xml) is bounded unopened"
        data = xlsx(CONTACT_HEADER, [['张三', None, None]])
        source = zipfile.ZipFile(io.BytesIO(data))
        output = io.BytesIO()
        with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                content = source.read(info.filename)
                if info.filename == 'xl/styles.xml':
                    content = content.replace(
                        b'<numFmts', b' ' * (9 * 1024 * 1024) + b'<numFmts')
                target.writestr(info.filename, content)
        data = output.getvalue()
        self.assertLess(len(data), 1024 * 1024)
        table = read_table(data, contact_columns())
        self.assertTrue(table.problems)
        self.assertIn('解压后超过', str(table.problems[0]))
