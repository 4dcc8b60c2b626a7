"""Opinions (意见): what each person decided on a step and wrote, with an
optional handwritten signature kept with its hash; and each user's common
phrases (常用语)."""
import datetime

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


def sm3(data):
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


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
            if len(signature) > SIGNATURE_MAX or not signature.startswith(
                    PNG_MAGIC):
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_signature_invalid'))
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
    def check_modification(cls, mode, opinions, values=None, external=False):
        super().check_modification(
            mode, opinions, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            raise WorkflowFrozenError(gettext(
                    'egov_workflow.msg_workflow_opinion_readonly'))


class Phrase(ModelSQL, ModelView):
    "Common phrase"
    __name__ = 'egov.workflow.phrase'
    __string__ = "Common Phrase"
    _egov_visibility = 'owner'

    user = fields.Many2One(
        'res.user', "User", required=True, readonly=True,
        ondelete='CASCADE')
    text = fields.Char("Phrase", required=True, strip=True, size=200)
    sequence = fields.Integer("Sequence")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.user, Index.Range())))
        cls._order = [('sequence', 'ASC NULLS LAST'), ('id', 'ASC')]

    @classmethod
    def default_user(cls):
        return Transaction().user

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and Transaction().user:
            values['user'] = Transaction().user
        return values

    def get_rec_name(self, name):
        return self.text
