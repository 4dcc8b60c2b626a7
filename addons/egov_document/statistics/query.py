"""文件查询: what the 收文 and 发文 lists search by beyond their stored
fields (the deadline light, the period, who holds a document now, at which
step), the light coloured, the indexes those filters and the lists' order
need, and the button that shows where a document is (流转情况)."""
import datetime

from sql.aggregate import Count

from trytond.model import Index, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from egov_base.tools import SlicedBrowseMixin

from ..document import LIGHTS

FINISHED = ['done', 'rejected', 'terminated']
# The light turns yellow this many days before the deadline (document.py)
DUE_SOON_DAYS = 2
PERIODS = [
    ('', ""),
    ('today', "Today"),
    ('week', "This Week"),
    ('month', "This Month"),
    ('year', "This Year"),
    ]


def period_start(period, today):
    "The first day of period (本周 starts on Monday)"
    if period == 'today':
        return today
    if period == 'week':
        return today - datetime.timedelta(days=today.weekday())
    if period == 'month':
        return today.replace(day=1)
    if period == 'year':
        return today.replace(month=1, day=1)


def light_domain(light, today):
    "The domain of the documents whose light is light (get_light)"
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    if light == 'done':
        return [('workflow_state', 'in', FINISHED)]
    open_ = ('workflow_state', 'not in', FINISHED)
    if light == 'red':
        return [open_, ('deadline', '<', today)]
    if light == 'yellow':
        return [open_, ('deadline', '>=', today), ('deadline', '<=', soon)]
    if light == 'green':
        return [open_, ('deadline', '>', soon)]
    return [open_, ('deadline', '=', None)]


class QueryMixin(SlicedBrowseMixin):
    "The searches and the light of the lists of 收文 and 发文"
    __slots__ = ()
    # The date of a document the period searches (a Date or a Timestamp)
    _query_date = None

    period = fields.Function(fields.Selection(PERIODS, "Period"),
        'get_period', searcher='search_period')
    current_holder = fields.Function(fields.Many2One('res.user',
            "Current Holder"),
        'get_current_holder', searcher='search_current_holder')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.light.searcher = 'search_light'
        cls.workflow_holders.searcher = 'search_workflow_holders'
        cls.workflow_steps.searcher = 'search_workflow_steps'
        cls._buttons.update({
                'open_flow': {
                    'invisible': Eval('workflow_state') == 'draft',
                    'depends': ['workflow_state'],
                    },
                })

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        # The record rules that grant (a unit's, a county's, a
        # participant's …) are alternatives: as one OR, PostgreSQL walks
        # every document of the order's index to test them. The ids the
        # rules let the person read, found rule by rule (each on its own
        # index, statistic.readable), are added to the domain: the rules
        # still apply, on the few rows found.
        if Transaction().check_access and Transaction().user:
            from .statistic import readable
            if limit is not None and not count and not query:
                # A page of a list: each rule's first offset + limit rows
                # in the order, and the outer search only among those ids
                # (as a sub-query PostgreSQL would scan the domain twice)
                cursor = Transaction().connection.cursor()
                cursor.execute(*readable(cls, domain, order=order,
                        limit=offset + limit))
                domain = [domain, ('id', 'in', [i for i, in cursor])]
                # The ids only: a list reads its first rows itself, and
                # Tryton would fetch every column of up to 1,000 rows
                cursor.execute(*super().search(domain, offset=offset,
                        limit=limit, order=order, query=True))
                ids = [i for i, in cursor]
                return cls.browse(ids)
            elif (count and not query and limit is None and not offset
                    and cls._own_columns_only(domain)):
                # A tab's count: the rows of the union, each branch being
                # the domain under one rule and the global ones. The
                # search is built for its access and domain checks only.
                super().search(domain, count=True, query=True)
                rows = readable(cls, domain)
                cursor = Transaction().connection.cursor()
                cursor.execute(*rows.select(Count()))
                return cursor.fetchone()[0]
            else:
                domain = [domain, ('id', 'in', readable(cls, domain))]
        return super().search(domain, offset=offset, limit=limit,
            order=order, count=count, query=query)

    @classmethod
    def _own_columns_only(cls, domain):
        """Whether domain tests only the model's own stored columns (by
        value or id): nothing through a relation whose record rules the
        rule-by-rule union would not apply"""
        if not isinstance(domain, (list, tuple)):
            return False
        if domain and isinstance(domain[0], str) and domain[0] in {
                'AND', 'OR'}:
            domain = domain[1:]
        if domain and isinstance(domain[0], str):
            name, _, value = (list(domain) + [None])[:3]
            field = cls._fields.get(name)
            if name in {'light', 'period'}:
                # Their searchers test the deadline, state and date
                return True
            if field is None or isinstance(field, fields.Function):
                return False
            if field._type in {'many2one', 'one2many', 'many2many',
                    'reference'}:
                values = value if isinstance(value, (list, tuple)) else [
                    value]
                return all(v is None or isinstance(v, int) for v in values)
            return True
        return all(cls._own_columns_only(d) for d in domain)

    @classmethod
    def view_attributes(cls):
        # The light coloured in the lists and the form (visual takes PYSON,
        # which a view file cannot encode)
        light = Eval('light')
        visual = If(light == 'red', 'danger',
            If(light == 'yellow', 'warning',
                If(light == 'green', 'success', '')))
        return super().view_attributes() + [
            ('/tree/field[@name="light"]', 'visual', visual),
            ('/tree', 'visual', If(light == 'red', 'danger', '')),
            ]

    @classmethod
    def search_light(cls, name, clause):
        _, operator, value = clause[:3]
        today = Pool().get('ir.date').today()
        values = value if isinstance(value, (list, tuple)) else [value]
        values = {v or '' for v in values}
        if operator in {'!=', 'not in'}:
            values = {k for k, _ in LIGHTS} - values
        elif operator not in {'=', 'in'}:
            return [('id', '=', -1)]
        domain = ['OR']
        for light in sorted(values):
            domain.append(light_domain(light, today))
        return domain if len(domain) > 1 else [('id', '=', -1)]

    def get_period(self, name):
        today = Pool().get('ir.date').today()
        date = getattr(self, self._query_date)
        if isinstance(date, datetime.datetime):
            date = date.date()
        for period in ['today', 'week', 'month', 'year']:
            if date and date >= period_start(period, today):
                return period
        return ''

    @classmethod
    def search_period(cls, name, clause):
        "本周, 本月 …: the documents of the period, by their date"
        _, operator, value = clause[:3]
        today = Pool().get('ir.date').today()
        if operator not in {'=', 'in'}:
            return [('id', '=', -1)]
        values = value if isinstance(value, (list, tuple)) else [value]
        starts = [period_start(v, today) for v in values if v]
        if not starts:
            return [('id', '=', -1)]
        start = min(starts)
        if cls._fields[cls._query_date]._type != 'date':
            start = datetime.datetime.combine(start, datetime.time())
        return [(cls._query_date, '>=', start)]

    @classmethod
    def _open_todos(cls):
        "(task, instance) tables and the condition of the open to-dos"
        pool = Pool()
        task = pool.get('egov.workflow.task').__table__()
        instance = pool.get('egov.workflow.instance').__table__()
        return task, instance, (task.state == 'open') & (task.kind == 'todo')

    @classmethod
    def get_current_holder(cls, documents, name):
        "The holder of the first open to-do (see workflow_holders for all)"
        task, _, open_ = cls._open_todos()
        result = {d.id: None for d in documents}
        by_instance = {d.workflow.id: d.id for d in documents if d.workflow}
        if not by_instance:
            return result
        cursor = Transaction().connection.cursor()
        cursor.execute(*task.select(task.instance, task.user,
                where=open_ & task.instance.in_(list(by_instance)),
                order_by=[task.id.desc]))
        for instance_id, user_id in cursor:
            result[by_instance[instance_id]] = user_id
        return result

    @classmethod
    def search_current_holder(cls, name, clause):
        "The documents of which a person holds an open to-do now"
        pool = Pool()
        User = pool.get('res.user')
        _, operator, value = clause[:3]
        task, _, open_ = cls._open_todos()
        if isinstance(value, str) or (
                operator not in {'=', '!=', 'in', 'not in'}):
            users = User.search([('rec_name', operator, value)], order=[],
                query=True)
            where = open_ & task.user.in_(users)
            operator = 'in'
        else:
            values = value if isinstance(value, (list, tuple)) else [value]
            where = open_ & task.user.in_([v for v in values if v] or [-1])
        query = task.select(task.instance, where=where)
        negate = operator in {'!=', 'not in'}
        return [('workflow', 'not in' if negate else 'in', query)]

    @classmethod
    def search_workflow_holders(cls, name, clause):
        "Held by: the name of a holder of an open to-do"
        User = Pool().get('res.user')
        _, operator, value = clause[:3]
        task, _, open_ = cls._open_todos()
        users = User.search([('rec_name', operator, value)], order=[],
            query=True)
        return [('workflow', 'in', task.select(task.instance,
                    where=open_ & task.user.in_(users)))]

    @classmethod
    def search_workflow_steps(cls, name, clause):
        "Current steps: the name of the step of an open to-do"
        _, operator, value = clause[:3]
        task, _, open_ = cls._open_todos()
        Operator = fields.SQL_OPERATORS[operator]
        return [('workflow', 'in', task.select(task.instance,
                    where=open_ & Operator(task.step_name, value)))]

    @classmethod
    @ModelView.button_action('egov_document.wizard_document_flow')
    def open_flow(cls, documents):
        pass


class Incoming(QueryMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'
    _query_date = 'received_date'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                # The unit's list, newest first (a clerk's)
                Index(t, (t.unit, Index.Range()),
                    (t.received_date, Index.Range(order='DESC'))),
                # A county's list and statistics (its administrator's rule)
                Index(t, (t.division, Index.Range()),
                    (t.received_date, Index.Range(order='DESC'))),
                # The period's list and statistics
                Index(t, (t.received_date, Index.Range(order='DESC'))),
                # 超期 / 即将到期: the open documents by deadline
                Index(t, (t.deadline, Index.Range()),
                    where=t.workflow_state.in_(['draft', 'running'])),
                Index(t, (t.workflow, Index.Range())),
                # The participants' rule: what one made
                Index(t, (t.create_uid, Index.Range())),
                Index(t, (t.source_name, Index.Similarity())),
                Index(t, (t.source_number, Index.Similarity())),
                Index(t, (t.title, Index.Similarity())),
                })


class Outgoing(QueryMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'
    _query_date = 'create_date'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Range()),
                    (t.create_date, Index.Range(order='DESC'))),
                Index(t, (t.division, Index.Range()),
                    (t.create_date, Index.Range(order='DESC'))),
                Index(t, (t.create_date, Index.Range(order='DESC'))),
                Index(t, (t.deadline, Index.Range()),
                    where=t.workflow_state.in_(['draft', 'running'])),
                Index(t, (t.workflow, Index.Range())),
                Index(t, (t.create_uid, Index.Range())),
                Index(t, (t.department, Index.Range())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.title, Index.Similarity())),
                })
