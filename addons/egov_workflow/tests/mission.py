"""A business trip request (出差申请): a second model on the engine, to
prove the contract of WorkflowMixin. Everything it needs to run on a
process is below (a module's form view would show its two buttons)."""
from trytond.model import ModelSQL, ModelView, fields
from trytond.pyson import Eval

from ..mixin import WorkflowMixin


class Mission(WorkflowMixin, ModelSQL, ModelView):
    __name__ = 'egov.workflow.test.mission'
    __string__ = "Business Trip"
    _egov_visibility = 'owner'
    _rec_name = 'destination'
    # Its own group, loaded after the model registered (see the test)
    _workflow_group = ('egov_workflow', 'group_mission')

    _draft = {'readonly': Eval('workflow_state') != 'draft'}
    destination = fields.Char("Destination", required=True, states=_draft)
    days = fields.Integer("Days", required=True, states=_draft)
    transport = fields.Selection([
            ('train', "Train"),
            ('car', "Official Car"),
            ], "Transport", states=_draft)
    reason = fields.Text("Reason", states=_draft)
    host = fields.Many2One('egov.org.unit', "Host Unit", states=_draft)
    budget = fields.Numeric("Budget", digits=(16, 2), readonly=True)
    del _draft

    # What the holder of each step reads, fills or must fill
    _workflow_fields = {
        '*': {'destination': 'read', 'days': 'read', 'transport': 'read',
            'host': 'read', 'reason': 'read'},
        # The head of the office fixes the budget and may change the
        # transport
        'head': {'budget': 'required', 'transport': 'edit'},
        # The leader in charge decides on the budget; the reason is the
        # office's business
        'leader': {'budget': 'read', 'reason': 'hidden'},
        }
