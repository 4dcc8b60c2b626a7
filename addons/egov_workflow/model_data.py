"""The access rows and the participants' rule of a model on a process are
made as soon as the group it names exists: a module's own group is loaded
from its XML after its models registered."""
from trytond.pool import Pool, PoolMeta

from .mixin import WorkflowMixin


class ModelData(metaclass=PoolMeta):
    __name__ = 'ir.model.data'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode != 'create':
            return
        groups = {(r.module, r.fs_id) for r in records
            if r.model == 'res.group'}
        if not groups:
            return
        for _, Model in Pool().iterobject():
            if (isinstance(Model, type) and issubclass(Model, WorkflowMixin)
                    and Model._workflow_group in groups):
                Model.workflow_register_group()
