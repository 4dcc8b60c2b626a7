"""Statistics of 收文 and 发文 (公文统计) over a period chosen in the
context: by month, by department (the drafting department of a 发文, the
handling departments of a 收文), by kind, by 来文单位 and by 主送单位,
with the count, how many are done, running and overdue, and the average
办理时长 (days from the start to the end of the process).

Only the documents the person may read are counted: each table query
starts from the document model's own search, with the person's access
rights and record rules (their unit, their county, the 密级 they are
cleared for), as a list of the documents would show them."""
import datetime

from sql import Cast, Literal, Null, Union
from sql.aggregate import Avg, Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc, Extract

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from egov_base.figures import FiguresCacheMixin, audit_columns
from egov_base.tools import SlicedBrowseMixin

from .query import FINISHED

DIRECTIONS = [
    ('incoming', "Incoming"),
    ('outgoing', "Outgoing"),
    ]
DAY_SECONDS = 24 * 60 * 60


def period():
    "The (first, last) day of the context's period: this year by default"
    context = Transaction().context
    today = Pool().get('ir.date').today()
    start = context.get('from_date') or today.replace(month=1, day=1)
    end = context.get('to_date') or today
    return start, end


def documents(direction):
    """The rows of the documents of direction (incoming or outgoing) the
    person may read, dated in the context's period and of its unit (and
    its sub-units): id, unit, kind, date, month, state, deadline, end_date,
    seconds (of the process, once it ended), source_name, department"""
    pool = Pool()
    Model = pool.get('egov.document.%s' % direction)
    Instance = pool.get('egov.workflow.instance')
    ModelAccess = pool.get('ir.model.access')
    context = Transaction().context
    doc = Model.__table__()
    instance = Instance.__table__()
    start, end = period()
    date_field = fields.Date("Date")
    if direction == 'incoming':
        date = doc.received_date
        domain = [('received_date', '>=', start),
            ('received_date', '<=', end)]
    else:
        date = date_field.sql_cast(doc.create_date)
        first = datetime.datetime.combine(start, datetime.time())
        after = datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time())
        domain = [('create_date', '>=', first), ('create_date', '<', after)]
    if context.get('unit'):
        domain.append(('unit', 'child_of', [context['unit']], 'parent'))
    if ModelAccess.check(Model.__name__, 'read', raise_exception=False):
        # The period is in the search: repeated here, PostgreSQL would scan
        # the whole period to join it to the few documents found
        where = doc.id.in_(readable(Model, domain))
    else:
        where = Literal(False)
    ended = instance.ended_at
    return doc.join(instance, 'LEFT',
        condition=instance.id == doc.workflow).select(
        doc.id.as_('id'),
        doc.unit.as_('unit'),
        doc.kind.as_('kind'),
        date.as_('date'),
        date_field.sql_cast(DateTrunc('month', date)).as_('month'),
        doc.workflow_state.as_('state'),
        doc.deadline.as_('deadline'),
        date_field.sql_cast(ended).as_('end_date'),
        (Extract('EPOCH', ended) - Extract('EPOCH', instance.started_at)
            ).as_('seconds'),
        # Typed: PostgreSQL cannot tell the type of a bare NULL parameter
        (doc.source_name if direction == 'incoming'
            else Cast(Null, 'VARCHAR')).as_('source_name'),
        (doc.department if direction == 'outgoing'
            else Cast(Null, 'INTEGER')).as_('department'),
        where=where)


def alternatives(domain):
    "The domains of which domain is the OR (domain itself if not an OR)"
    if isinstance(domain, list) and domain and domain[0] == 'OR':
        return [a for d in domain[1:] for a in alternatives(d)]
    return [domain]


def readable(Model, domain, order=None, limit=None):
    """The query of the ids of the records of Model in domain that the
    person may read: those of the model's search with their record rules.
    With order and limit, each rule's branch gives only its first limit
    rows in that order: their union holds the first limit rows of all.

    The rules that grant (a unit's, a county's, a participant's …) are
    alternatives: searched as one OR, PostgreSQL scans every document of
    the period and joins each to its process to test them; searched one by
    one, each with the global rules (密级), each takes its own index, and
    the union is the same set (see tests/bench/operations_document.py)."""
    pool = Pool()
    Rule = pool.get('ir.rule')
    if not Transaction().check_access or not Transaction().user:
        return Model.search(domain, order=[], query=True)
    clauses, global_clauses = Rule.get(Model.__name__, mode='read')
    global_domain = list(global_clauses.values())
    branches = [a for c in clauses.values() for a in alternatives(c)] or [[]]
    queries = []
    with without_check_access():
        for clause in branches:
            query = Model.search([domain, clause] + global_domain,
                order=order if limit else [], limit=limit, query=True)
            if limit:
                # A branch with its own ORDER BY and LIMIT is a sub-query
                query = query.select(query.id)
            queries.append(query)
    query = queries[0]
    for other in queries[1:]:
        query = Union(query, other)
    return query


class StatisticMixin(FiguresCacheMixin, SlicedBrowseMixin):
    """The figures of a group of documents.

    The id of a group is an aggregate (of its key): a read of some groups
    filters the grouped rows, where PostgreSQL cannot push the filter down
    into the join of the documents (7 s instead of 1 for a county's 978
    departments)."""
    __slots__ = ()
    _figures_context = ('from_date', 'to_date', 'direction', 'unit')

    count = fields.Integer("Documents")
    done = fields.Integer("Done")
    running = fields.Integer("In Progress")
    overdue = fields.Integer("Overdue",
        help="Still open after the deadline, or done after it.")
    average_days = fields.Float("Average Days", digits=(16, 1),
        help="办理时长: the average days from the start to the end of the "
        "process of the documents done.")

    @classmethod
    def _direction(cls):
        return Transaction().context.get('direction') or 'incoming'

    @classmethod
    def _metrics(cls, rows):
        "The aggregate columns of the figures over rows"
        today = Pool().get('ir.date').today()
        done = rows.state == 'done'
        late = ((~rows.state.in_(FINISHED) & (rows.deadline < today))
            | (done & (rows.end_date > rows.deadline)))
        return [
            Count(rows.id).as_('count'),
            Sum(Case((done, 1), else_=0)).as_('done'),
            Sum(Case((rows.state == 'running', 1), else_=0)).as_('running'),
            Sum(Case((late, 1), else_=0)).as_('overdue'),
            cls.average_days.sql_cast(Avg(Case(
                        (done, rows.seconds / DAY_SECONDS),
                        else_=Null))).as_('average_days'),
            ]



class StatisticContext(ModelView):
    __name__ = 'egov.document.statistic.context'
    __string__ = "Document Statistics Context"

    from_date = fields.Date("From", required=True)
    to_date = fields.Date("To", required=True)
    direction = fields.Selection(DIRECTIONS, "Documents", required=True,
        help="收文 or 发文 (the 来文单位 are those of 收文, the 主送单位 "
        "those of 发文).")
    unit = fields.Many2One('egov.org.unit', "Unit",
        domain=[('kind', '!=', 'department')],
        help="Only this unit and its sub-units; empty: all you may read.")

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_direction(cls):
        return 'incoming'


class StatisticMonth(StatisticMixin, ModelSQL, ModelView):
    __name__ = 'egov.document.statistic.month'
    __string__ = "Document Statistics by Month"

    month = fields.Date("Month")
    month_name = fields.Function(fields.Char("Month"), 'get_month_name')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'ASC'), ('id', 'ASC')]

    def get_month_name(self, name):
        return self.month.strftime('%Y-%m') if self.month else ''

    @classmethod
    def table_query(cls):
        rows = documents(cls._direction())
        return rows.select(
            Max(Cast(Extract('YEAR', rows.month) * 12
                    + Extract('MONTH', rows.month), 'INTEGER')).as_('id'),
            *audit_columns(),
            rows.month,
            *cls._metrics(rows),
            group_by=[rows.month])


class StatisticDepartment(StatisticMixin, ModelSQL, ModelView):
    __name__ = 'egov.document.statistic.department'
    __string__ = "Document Statistics by Department"

    department = fields.Many2One('egov.org.unit', "Department")
    # The names come with the figures: a graph or a list of a thousand
    # groups would read each unit through its rules otherwise
    department_name = fields.Char("Department")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Handler = pool.get('egov.document.incoming-handler.unit')
        Unit = pool.get('egov.org.unit')
        direction = cls._direction()
        rows = documents(direction)
        if direction == 'incoming':
            # Each handling department counts the documents it handles
            handler = Handler.__table__()
            rows = rows.join(handler, 'LEFT',
                condition=handler.document == rows.id).select(
                rows.id, rows.state, rows.deadline, rows.end_date,
                rows.seconds, handler.unit.as_('department'))
        unit = Unit.__table__()
        return rows.join(unit, 'LEFT',
            condition=unit.id == rows.department).select(
            Max(Coalesce(rows.department, 0) + 1).as_('id'),
            *audit_columns(),
            rows.department,
            unit.name.as_('department_name'),
            *cls._metrics(rows),
            group_by=[rows.department, unit.name])


class StatisticKind(StatisticMixin, ModelSQL, ModelView):
    __name__ = 'egov.document.statistic.kind'
    __string__ = "Document Statistics by Kind"

    kind = fields.Many2One('egov.document.kind', "Kind")
    kind_name = fields.Char("Kind")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Kind = Pool().get('egov.document.kind')
        kind = Kind.__table__()
        rows = documents(cls._direction())
        return rows.join(kind, 'LEFT', condition=kind.id == rows.kind).select(
            Max(Coalesce(rows.kind, 0) + 1).as_('id'),
            *audit_columns(),
            rows.kind,
            kind.name.as_('kind_name'),
            *cls._metrics(rows),
            group_by=[rows.kind, kind.name])


class StatisticSource(StatisticMixin, ModelSQL, ModelView):
    "来文单位: the organs the 收文 came from"
    __name__ = 'egov.document.statistic.source'
    __string__ = "Document Statistics by Sending Organ"

    source_name = fields.Char("Sending Organ")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('source_name', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        rows = documents('incoming')
        return rows.select(
            Min(rows.id).as_('id'),
            *audit_columns(),
            rows.source_name,
            *cls._metrics(rows),
            group_by=[rows.source_name])


class StatisticRecipient(StatisticMixin, ModelSQL, ModelView):
    "主送单位: the units the 发文 went to"
    __name__ = 'egov.document.statistic.recipient'
    __string__ = "Document Statistics by Main Recipient"

    recipient = fields.Many2One('egov.org.unit', "Main Recipient")
    recipient_name = fields.Char("Main Recipient")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Main = pool.get('egov.document.outgoing-main.unit')
        Unit = pool.get('egov.org.unit')
        main = Main.__table__()
        rows = documents('outgoing')
        rows = rows.join(main, condition=main.document == rows.id).select(
            rows.id, rows.state, rows.deadline, rows.end_date, rows.seconds,
            main.unit.as_('recipient'))
        unit = Unit.__table__()
        return rows.join(unit, condition=unit.id == rows.recipient).select(
            Max(rows.recipient).as_('id'),
            *audit_columns(),
            rows.recipient,
            unit.name.as_('recipient_name'),
            *cls._metrics(rows),
            group_by=[rows.recipient, unit.name])
