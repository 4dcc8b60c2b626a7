"""The mixin a model inherits to run on a process: a document, a meeting
request, a leave request. It starts the process, says where it is and who
holds it, and gives the engine the form values."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, check_access

from .exceptions import WorkflowError
from egov_base.tools import check_write_access
from .instance import STATES


class WorkflowMixin:
    "A record that runs on a process"
    __slots__ = ()

    workflow = fields.Many2One(
        'egov.workflow.instance', "Process Instance", readonly=True,
        ondelete='RESTRICT')
    workflow_state = fields.Selection(
        [('draft', "Not Started")] + STATES, "Process State",
        readonly=True, required=True, sort=False)
    workflow_steps = fields.Function(
        fields.Char("Current Steps"), 'get_workflow_info')
    workflow_holders = fields.Function(
        fields.Char("Held By"), 'get_workflow_info')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'workflow_start': {
                    'invisible': Eval('workflow_state') != 'draft',
                    'depends': ['workflow_state'],
                    },
                'workflow_urge': {
                    'invisible': Eval('workflow_state') != 'running',
                    'depends': ['workflow_state'],
                    },
                })

    @classmethod
    def default_workflow_state(cls):
        return 'draft'

    @classmethod
    def get_workflow_info(cls, records, name):
        result = {}
        for record in records:
            instance = record.workflow
            if not instance:
                result[record.id] = None
            elif name == 'workflow_steps':
                result[record.id] = instance.current_steps
            else:
                result[record.id] = instance.holders
        return result

    def workflow_data(self):
        "The values the conditions and assignment rules of the process read"
        return {}

    def workflow_set_data(self, step, data):
        "Write data changed while acting on step"
        raise NotImplementedError

    def workflow_summary(self, step):
        "What the holder of step reads of the record before acting"
        return self.rec_name

    def workflow_step_form(self, step):
        """What the holder of step may fill in while acting, for the act
        wizard: {'editable': [names], name: value, …} (see ActStart)"""
        return {}

    def workflow_check(self, task):
        "Refuse to act on task while a value the step requires is missing"

    def workflow_process(self):
        "The process this record runs on"
        Process = Pool().get('egov.workflow.process')
        user = Pool().get('res.user')(Transaction().user)
        return Process.for_record(self.__name__, user)

    def workflow_changed(self, instance):
        "The instance moved: keep the record's state in step"
        if self.workflow_state != instance.state:
            self.__class__.write([self], {'workflow_state': instance.state})

    @classmethod
    @ModelView.button
    def workflow_start(cls, records):
        pool = Pool()
        Instance = pool.get('egov.workflow.instance')
        # Buttons run without access checks: starting writes the record
        check_write_access(cls, records)
        starting = []
        for record in records:
            if record.workflow:
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_already_started',
                        record=record.rec_name))
            process = record.workflow_process()
            if not process:
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_no_process',
                        record=record.rec_name))
            starting.append((record, process))
        instances = Instance.start_many(starting)
        to_write = []
        for record, instance in zip(records, instances):
            to_write.extend(([record], {
                        'workflow': instance.id,
                        'workflow_state': instance.state,
                        }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    def workflow_urge(cls, records):
        "The initiator reminds the holders now (催办)"
        Instance = Pool().get('egov.workflow.instance')
        with check_access():
            cls.read([r.id for r in records], ['workflow'])
        Instance.urge([r.workflow for r in records if r.workflow])
