"""Resource limits of the engine: gateway conditions whose cost is bounded
when saved and when evaluated, and signature images of bounded size."""
import struct
import time
import zlib

from simpleeval import InvalidExpression
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.tools import acting_as

from .. import bpmn
from ..opinion import check_signature
from ..process import definition_error
from .test_workflow import WorkflowHelpers, workflow_org
from .tools import EgovWorkflowTestCase


def chunk(kind, body):
    return struct.pack('>I', len(body)) + kind + body + struct.pack(
        '>I', zlib.crc32(kind + body))


def png(width, height, raw=None, colour=6, depth=8):
    """A PNG declaring width × height; raw the image data to compress
    (by default the right size, all white)"""
    if raw is None:
        raw = (b'\x00' + b'\xff' * (width * 4)) * height
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack(
                '>IIBBBBB', width, height, depth, colour, 0, 0, 0))
        + chunk(b'IDAT', zlib.compress(raw, 9))
        + chunk(b'IEND', b''))


class WorkflowLimitsTestCase(WorkflowHelpers, EgovWorkflowTestCase):

    def assertRefusedQuickly(self, text, code):
        start = time.monotonic()
        with self.assertRaises(bpmn.DefinitionError) as cm:
            bpmn.check_expression(text, 'Flow_1', {'days', 'reason'})
        # Unbounded, these take minutes or all the memory; the bound leaves
        # room for a machine busy with the other suite
        self.assertLess(time.monotonic() - start, 2, text)
        self.assertEqual(cm.exception.code, code, text)
        return cm.exception

    @with_transaction()
    def test_condition_cost_bounded_when_saved(self):
        "Powers, products and repetitions of constants are refused at once"
        self.assertRefusedQuickly('9**3999999 > 0', 'condition_power')
        self.assertRefusedQuickly('9**3999999 * 2 > 0', 'condition_power')
        error = self.assertRefusedQuickly(
            '10**99 * 10**99 * 10**99 * 10**99 * 10**99 * 10**99'
            ' * 10**99 * 10**99 * 10**99 * 10**99 * 10**99 * 10**99'
            ' * 10**99 * 10**99 > days', 'limit_condition_size')
        message = definition_error(error)
        self.assertChinese(message)
        self.assertIn('Flow_1', message)
        self.assertIn('4096', message)
        self.assertRefusedQuickly(
            '"x" * 99999 + "y" * 99999 == reason', 'limit_condition_size')
        self.assertRefusedQuickly('[0] * 20000 == reason',
            'limit_condition_size')
        self.assertRefusedQuickly('days > 1' + ' or days > 1' * 200,
            'condition_too_long')
        self.assertRefusedQuickly('days > ' + '+'.join(['1'] * 300),
            'condition_too_complex')
        # What people write passes
        for text in ['days > 3', 'days * 2 > 10 and reason != ""',
                'len(reason) > 10 * 10', '2**10 > days']:
            bpmn.check_expression(text, 'Flow_1', {'days', 'reason'})

    def test_condition_cost_bounded_when_evaluated(self):
        "The form's values cannot make a condition costly when it runs"
        environment = bpmn.ExpressionEnvironment()
        for text, values in [
                ('days ** days > 0', {'days': 10 ** 6}),
                ('days * days * days * days > 0', {'days': 10 ** 1200}),
                ('reason * days == ""', {'reason': 'x', 'days': 10 ** 6}),
                ('reason + reason == ""', {'reason': 'x' * 6000}),
                ]:
            start = time.monotonic()
            with self.assertRaises(InvalidExpression, msg=text):
                environment.evaluate(text, values)
            # Unbounded, these take minutes or all the memory; the bound leaves
        # room for a machine busy with the other suite
        self.assertLess(time.monotonic() - start, 2, text)
        self.assertTrue(environment.evaluate('days * 2 > 3', {'days': 2}))

    def test_signature_dimensions(self):
        "A 100000 × 100000 PNG of a few bytes is refused by its header"
        huge = png(100000, 100000, raw=b'')
        self.assertLess(len(huge), 100)
        with self.assertRaises(UserError):
            check_signature(huge)
        check_signature(png(600, 200))
        check_signature(png(4096, 2160, raw=None))

    def test_signature_decompression_bomb(self):
        "Image data inflating beyond the declared size stops there"
        # 1 GB of zeros declared as a 100 × 100 image: a 1 MB bomb is too
        # large already; a 400 KB one inflating to 400 MB is stopped early
        bomb = png(100, 100, raw=b'\x00' * (400 * 1024 * 1024))
        self.assertLess(len(bomb), 512 * 1024)
        start = time.monotonic()
        with self.assertRaises(UserError):
            check_signature(bomb)
        self.assertLess(time.monotonic() - start, 0.5)

    def test_signature_damaged(self):
        good = png(60, 20)
        for damaged in [
                good[:-20],                              # truncated
                good[:40] + b'\x00' + good[41:],         # bad CRC
                png(60, 20, raw=b'\x00' * 10),           # too short
                png(60, 20, colour=5),                   # no such colour
                b'\x89PNG\r\n\x1a\n' + chunk(b'IEND', b''),
                b'GIF89a' + good,
                ]:
            with self.assertRaises(UserError):
                check_signature(damaged)

    @with_transaction()
    def test_huge_signature_not_stored(self):
        "Deciding with the 100000 × 100000 PNG is refused; nothing stored"
        pool = Pool()
        Opinion = pool.get('egov.workflow.opinion')
        org = workflow_org()
        request = self.leave_request(org)
        with acting_as(org.yz_clerk):
            task, = self.open_tasks(org.yz_clerk, request.workflow)
            with self.assertRaises(UserError) as cm:
                task.decide('approve', '同意', signature=png(
                        100000, 100000, raw=b''))
        self.assertIn('100000 × 100000', cm.exception.message)
        self.assertChinese(cm.exception.message)
        self.assertFalse(Opinion.search([('signature_hash', '!=', None)]))
        # Nor through create, whatever the way in
        with self.assertRaises(UserError):
            Opinion.create([{
                        'instance': request.workflow.id, 'user': org.leader.id,
                        'date': request.create_date,
                        'signature': png(100000, 100000, raw=b'')}])
        with acting_as(org.yz_clerk):
            task.decide('approve', '同意', signature=png(600, 200))
        opinion, = Opinion.search([('signature_hash', '!=', None)])
        self.assertEqual(bytes(opinion.signature)[:8], b'\x89PNG\r\n\x1a\n')
