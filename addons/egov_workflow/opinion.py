"""Opinions (意见): what each person decided on a step and wrote, with an
optional handwritten signature kept with its hash (the common phrases
are in phrase.py)."""
import datetime
import struct
import zlib

from cryptography.hazmat.primitives import hashes

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .exceptions import WorkflowError, WorkflowFrozenError
from .task import DECISIONS

# A signature is a PNG drawn on the signature pad: small
SIGNATURE_MAX = 512 * 1024
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'
# The pad is as large as the screen in device pixels (a 4K screen at most)
SIGNATURE_MAX_SIDE = 4096
SIGNATURE_MAX_PIXELS = 4096 * 2160
# Bits per pixel of each PNG colour type, by bit depth allowed
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
PNG_DEPTHS = {
    0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
# The passes of Adam7 interlacing: (x start, y start, x step, y step)
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
    (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def sm3(data):
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _png_raw_size(width, height, bits, interlace):
    "The size of the decompressed image data: a byte of filter per line"
    def lines(w, h):
        return h * (1 + (w * bits + 7) // 8) if w and h else 0
    if not interlace:
        return lines(width, height)
    return sum(lines(
            (width - x + dx - 1) // dx if width > x else 0,
            (height - y + dy - 1) // dy if height > y else 0)
        for x, y, dx, dy in ADAM7)


def check_signature(data):
    """Refuse a signature that is not a PNG of bounded dimensions whose
    image data decodes to exactly its declared size. The data is inflated
    in small pieces and counted, never kept: a decompression bomb costs
    no memory and stops at the declared size."""
    def refuse(message='egov_workflow.msg_limit_signature_damaged', **kw):
        raise WorkflowError(gettext(message, **kw))
    if len(data) > SIGNATURE_MAX or not data.startswith(PNG_MAGIC):
        refuse('egov_workflow.msg_workflow_signature_invalid')
    position, expected, inflated = len(PNG_MAGIC), None, 0
    inflater = zlib.decompressobj()
    while True:
        if position + 8 > len(data):
            refuse()
        length, kind = struct.unpack('>I4s', data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc = data[position + 8 + length:position + 12 + length]
        position += 12 + length
        if len(body) != length or len(crc) != 4 or (
                zlib.crc32(kind + body) != struct.unpack('>I', crc)[0]):
            refuse()
        if expected is None:
            if kind != b'IHDR' or length != 13:
                refuse()
            width, height, depth, colour, _, _, interlace = struct.unpack(
                '>IIBBBBB', body)
            if (width > SIGNATURE_MAX_SIDE or height > SIGNATURE_MAX_SIDE
                    or width * height > SIGNATURE_MAX_PIXELS):
                refuse('egov_workflow.msg_limit_signature_dimensions',
                    width=width, height=height,
                    max_width=SIGNATURE_MAX_SIDE,
                    max_height=SIGNATURE_MAX_PIXELS // SIGNATURE_MAX_SIDE)
            if (not width or not height or colour not in PNG_CHANNELS
                    or depth not in PNG_DEPTHS[colour] or interlace > 1):
                refuse()
            expected = _png_raw_size(
                width, height, depth * PNG_CHANNELS[colour], interlace)
        elif kind in {b'IDAT', b'IEND'}:
            # At IEND, what zlib still holds is drained the same way
            while True:
                try:
                    piece = inflater.decompress(
                        body, expected - inflated + 1)
                except zlib.error:
                    refuse()
                inflated += len(piece)
                if inflated > expected:
                    refuse()
                body = inflater.unconsumed_tail
                if not body and (kind == b'IDAT' or not piece):
                    break
            if kind == b'IEND':
                break
    if not inflater.eof or inflated != expected:
        refuse()


class Opinion(ModelSQL, ModelView):
    __name__ = 'egov.workflow.opinion'
    __string__ = "Opinion"
    _egov_visibility = 'parent'

    instance = fields.Many2One(
        'egov.workflow.instance', "Instance", required=True, readonly=True,
        ondelete='CASCADE')
    task = fields.Many2One(
        'egov.workflow.task', "To-do", readonly=True, ondelete='SET NULL')
    step_name = fields.Char("Step", readonly=True)
    user = fields.Many2One(
        'res.user', "By", required=True, readonly=True, ondelete='RESTRICT')
    acting_for = fields.Many2One(
        'res.user', "Acting For", readonly=True, ondelete='RESTRICT')
    author = fields.Function(fields.Char("By"), 'get_author')
    post = fields.Char("Post", readonly=True)
    date = fields.Timestamp("Date", required=True, readonly=True)
    decision = fields.Selection(DECISIONS, "Decision", readonly=True)
    text = fields.Text("Opinion", readonly=True)
    signature = fields.Binary("Signature", readonly=True,
        file_id='signature_id')
    signature_id = fields.Char("Signature ID", readonly=True)
    signature_hash = fields.Char("Signature SM3", readonly=True)
    target_step = fields.Char("Returned To", readonly=True)
    target_user = fields.Many2One(
        'res.user', "Handed Over To", readonly=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('instance')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.instance, Index.Range())))
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
        # People read times to the minute
        cls.date.format = '%H:%M'

    @classmethod
    def get_author(cls, opinions, name):
        return {o.id: gettext('egov_workflow.msg_workflow_acting_for',
                delegate=o.user.rec_name, delegator=o.acting_for.rec_name)
            if o.acting_for else o.user.rec_name for o in opinions}

    @classmethod
    def add(cls, task, decision, text, signature, target=None,
            target_user=None):
        "Write the opinion of the current user on task"
        pool = Pool()
        User = pool.get('res.user')
        Post = pool.get('egov.org.post')
        user = Transaction().user or task.user.id
        if text is not None and len(text) > 4000:
            raise WorkflowError(gettext(
                    'egov_workflow.msg_workflow_opinion_too_long', limit=4000))
        if signature:
            signature = bytes(signature)
            check_signature(signature)
        scope = User.get_org_scope(user)
        with without_check_access():
            post = Post(scope['post']).rec_name if scope['post'] else None
            opinion, = cls.create([{
                        'instance': task.instance.id,
                        'task': task.id,
                        'step_name': task.step_name,
                        'user': user,
                        'acting_for': (task.acting_for.id
                            if task.acting_for else None),
                        'post': post,
                        'date': datetime.datetime.now(),
                        'decision': decision,
                        'text': text,
                        'signature': signature or None,
                        'signature_hash': sm3(signature) if signature else None,
                        'target_step': target.step_name if target else None,
                        'target_user': target_user.id if target_user else None,
                        }])
        return opinion

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        # Whatever the way in, no signature is stored unchecked
        if values.get('signature'):
            check_signature(bytes(values['signature']))
        return values

    @classmethod
    def check_modification(cls, mode, opinions, values=None, external=False):
        super().check_modification(
            mode, opinions, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            raise WorkflowFrozenError(gettext(
                    'egov_workflow.msg_workflow_opinion_readonly'))

