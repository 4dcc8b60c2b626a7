"""Index status for administrators: documents per model, when they were
last indexed, failed extractions and what waits in the queue."""
from sql import Cast, Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import without_check_access

from .entry import QUEUE_NAME
# Tasks of the queue read to count what waits per model, at most
MAX_PENDING_READ = 10000


class Status(ModelSQL, ModelView):
    __name__ = 'egov.search.status'
    __string__ = "Search Index Status"

    model = fields.Char("Model", readonly=True)
    kind = fields.Function(fields.Char("Kind"), 'get_kind')
    module = fields.Char("Module", readonly=True)
    documents = fields.Integer("Documents", readonly=True)
    failed = fields.Integer("Failed Extractions", readonly=True)
    last_indexed = fields.Timestamp("Last Indexed", readonly=True)
    pending = fields.Function(fields.Integer("Pending in Queue"),
        'get_pending')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('model', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Entry = pool.get('egov.search.entry')
        entry = Entry.__table__()
        return entry.select(
            Min(entry.id).as_('id'),
            Literal(0).as_('create_uid'),
            Max(entry.create_date).as_('create_date'),
            Cast(Literal(None), 'INTEGER').as_('write_uid'),
            Cast(Literal(None), 'TIMESTAMP').as_('write_date'),
            entry.model.as_('model'),
            Max(entry.module).as_('module'),
            Count().as_('documents'),
            Sum(Case((entry.error != Null, Literal(1)),
                    else_=Literal(0))).as_('failed'),
            Max(entry.indexed_at).as_('last_indexed'),
            group_by=[entry.model])

    def get_kind(self, name):
        with without_check_access():
            return Pool().get(self.model).__names__()['model']

    @classmethod
    def get_pending(cls, records, name):
        pool = Pool()
        Queue = pool.get('ir.queue')
        counts = {}
        with without_check_access():
            for task in Queue.search([
                        ('name', '=', QUEUE_NAME),
                        ('finished_at', '=', None),
                        ], limit=MAX_PENDING_READ):
                model = (task.data or {}).get('model')
                instances = (task.data or {}).get('instances') or []
                counts[model] = counts.get(model, 0) + (
                    len(instances) if isinstance(instances, list) else 1)
        return {r.id: counts.get(r.model, 0) for r in records}
