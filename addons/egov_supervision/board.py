"""实时监控, 检查考核 and 数据分析 of the tasks the person may read.

Each table query starts from the task model's own search (its access
rights and record rules: the city sees all, a county its tasks and their
children), so the figures are those a list of the tasks would show. The
light is a stored, indexed column set by the nightly run: the board groups
it without computing a deadline per row. The city's office, who may read
every task, gets the board from the counts figure.py keeps instead of
grouping 100,000 tasks."""
from sql import Cast, Column, Literal
from sql.aggregate import Avg, Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Extract

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from egov_base.figures import audit_columns
from egov_base.tools import SlicedBrowseMixin

from .figure import count_if, silent_condition
from .task import OPEN_STATES, SOURCES

# 考核 score: on-time rate (60), the checker's mark (40), less each
# extension granted and each reminder
SCORE_ON_TIME = 60
SCORE_QUALITY = 0.4
SCORE_EXTENSION = 2
SCORE_REMINDER = 0.5
# The counts of a board row
COUNTS = ['open', 'green', 'yellow', 'red', 'silent', 'extended']


def readable(domain=None, table=None):
    """The condition on table (a task table) of the tasks the person may
    read in domain: the domain and the person's record rules written on the
    table itself, so that no second scan of the tasks is joined (None when
    the person may read no task)"""
    pool = Pool()
    Task = pool.get('egov.supervision.task')
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    if not ModelAccess.check(Task.__name__, 'read', raise_exception=False):
        return None
    domain = list(domain or [])
    rule_domain = Rule.domain_get(Task.__name__, mode='read')
    if rule_domain:
        domain = [domain, rule_domain]
    table = table if table is not None else Task.__table__()
    tables = {None: (table, None)}
    _, expression = Task.search_domain(domain, tables=tables)
    if len(tables) > 1:
        # A clause that joins: the ids of the ORM's own search instead
        return table.id.in_(Task.search(domain, query=True, order=[]))
    return expression


def reads_all_tasks():
    "Whether the person may read every task: no record rule narrows them"
    pool = Pool()
    Task = pool.get('egov.supervision.task')
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    if not ModelAccess.check(Task.__name__, 'read', raise_exception=False):
        return False
    if not Transaction().check_access:
        return True
    clause, clause_global = Rule.get(Task.__name__, mode='read')
    # A rule group without rules among the person's (the city's) opens all
    return not clause_global and (
        not clause or any(d == [] for d in clause.values()))


class BoardContext(ModelView):
    __name__ = 'egov.supervision.board.context'
    __string__ = "Supervision Board Context"

    source = fields.Selection([(None, "")] + SOURCES, "Source")
    leader = fields.Many2One('res.user', "Leader in Charge")


class Board(SlicedBrowseMixin, ModelSQL, ModelView):
    """The open tasks by lead unit and leader, with their lights: for who
    reads every task (the city) from the counts kept by figure.py, for the
    others grouped from the tasks their rules let them read"""
    __name__ = 'egov.supervision.board'
    __string__ = "Supervision Board"
    # SlicedBrowseMixin: the page of 1,000 groups the web client searches
    # costs Tryton's browse a million id checks (40 ms) in one piece

    unit = fields.Many2One('egov.org.unit', "Lead Unit")
    unit_name = fields.Char("Lead Unit")
    leader = fields.Many2One('res.user', "Leader in Charge")
    open = fields.Integer("Open")
    green = fields.Integer("Green")
    yellow = fields.Integer("Yellow")
    red = fields.Integer("Red")
    silent = fields.Integer("No Feedback",
        help="Open tasks without feedback for the period of their rhythm.")
    extended = fields.Integer("Extended Twice or More")
    tasks = fields.Function(fields.Many2Many('egov.supervision.task', None,
            None, "Open Tasks"), 'get_tasks')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('red', 'DESC'), ('yellow', 'DESC'), ('unit_name',
                'ASC'), ('id', 'ASC')]

    @classmethod
    def _domain(cls):
        context = Transaction().context
        domain = [('state', 'in', list(OPEN_STATES))]
        if context.get('source'):
            domain.append(('source', '=', context['source']))
        if context.get('leader'):
            domain.append(('leader', '=', context['leader']))
        return domain

    @classmethod
    def table_query(cls):
        if reads_all_tasks():
            return cls._figures_query()
        return cls._tasks_query()

    @classmethod
    def _figures_query(cls):
        "From the counts kept per lead unit, leader and source (figure.py)"
        pool = Pool()
        Figure = pool.get('egov.supervision.board.figure')
        Unit = pool.get('egov.org.unit')
        context = Transaction().context
        figure = Figure.__table__()
        unit = Unit.__table__()
        where = Literal(True)
        if context.get('source'):
            where &= figure.source == context['source']
        if context.get('leader'):
            where &= figure.leader == context['leader']
        return figure.join(unit, condition=unit.id == figure.lead_unit
            ).select(
            Min(figure.first_task).as_('id'),
            *audit_columns(),
            figure.lead_unit.as_('unit'),
            Max(unit.name).as_('unit_name'),
            figure.leader.as_('leader'),
            *(Cast(Sum(Column(figure, n)), 'INTEGER').as_(n)
                for n in COUNTS),
            where=where,
            group_by=[figure.lead_unit, figure.leader])

    @classmethod
    def _tasks_query(cls):
        "From the tasks the person may read: their record rules apply"
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Unit = pool.get('egov.org.unit')
        today = pool.get('ir.date').today()
        task = Task.__table__()
        unit = Unit.__table__()
        where = readable(cls._domain(), task)
        if where is None:
            where = Literal(False)
        return task.join(unit, condition=unit.id == task.lead_unit).select(
            # A task is in one group only: its id names the group
            Min(task.id).as_('id'),
            *audit_columns(),
            task.lead_unit.as_('unit'),
            Max(unit.name).as_('unit_name'),
            task.leader.as_('leader'),
            Count(task.id).as_('open'),
            count_if(task.light == 'green').as_('green'),
            count_if(task.light == 'yellow').as_('yellow'),
            count_if(task.light == 'red').as_('red'),
            count_if(silent_condition(task, today)).as_('silent'),
            count_if(task.extension_count >= 2).as_('extended'),
            where=where,
            group_by=[task.lead_unit, task.leader])

    @classmethod
    def get_tasks(cls, rows, name):
        Task = Pool().get('egov.supervision.task')
        result = {}
        for row in rows:
            result[row.id] = [t.id for t in Task.search(cls._domain() + [
                        ('lead_unit', '=', row.unit.id),
                        ('leader', '=', row.leader.id if row.leader
                            else None),
                        ], order=[('light', 'DESC'), ('deadline', 'ASC')])]
        return result


class PeriodContext(ModelView):
    __name__ = 'egov.supervision.period.context'
    __string__ = "Supervision Period"

    from_date = fields.Date("From", required=True)
    to_date = fields.Date("To", required=True)
    axis = fields.Selection([
            ('month', "Month"),
            ('lead_unit', "Lead Unit"),
            ('co_unit', "Co-unit"),
            ('source', "Source"),
            ], "By", required=True, sort=False)

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_axis(cls):
        return 'lead_unit'


def period():
    context = Transaction().context
    today = Pool().get('ir.date').today()
    return (context.get('from_date') or today.replace(month=1, day=1),
        context.get('to_date') or today)


class Assessment(ModelSQL, ModelView):
    """检查考核: each lead unit's tasks due in the period, scored from the
    on-time rate, the checker's marks, extensions and reminders"""
    __name__ = 'egov.supervision.assessment'
    __string__ = "Supervision Assessment"

    unit = fields.Many2One('egov.org.unit', "Unit")
    unit_name = fields.Char("Unit")
    due = fields.Integer("Tasks Due")
    closed = fields.Integer("Closed")
    on_time = fields.Integer("Closed On Time")
    on_time_rate = fields.Float("On-time Rate (%)", digits=(16, 1))
    quality = fields.Float("Average Mark", digits=(16, 1))
    extensions = fields.Integer("Extensions")
    reminders = fields.Integer("Reminders")
    score = fields.Float("Score", digits=(16, 1))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('score', 'DESC'), ('unit_name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Unit = pool.get('egov.org.unit')
        task = Task.__table__()
        unit = Unit.__table__()
        start, end = period()
        where = readable([('deadline', '>=', start), ('deadline', '<=', end),
                ('state', '!=', 'draft')], task)
        if where is None:
            where = Literal(False)
        closed = task.state == 'closed'
        on_time = closed & (Coalesce(task.completion_date, task.closed_date)
            <= task.deadline)
        due = Cast(Count(task.id), 'FLOAT')
        rate = Cast(count_if(on_time), 'FLOAT') * 100.0 / due
        quality = Cast(Avg(task.quality), 'FLOAT')
        extensions = Sum(Coalesce(task.extension_count, 0))
        reminders = Sum(Coalesce(task.reminder_count, 0))
        score = (rate * (SCORE_ON_TIME / 100.0)
            + Coalesce(quality, 0.0) * SCORE_QUALITY
            - extensions * SCORE_EXTENSION - reminders * SCORE_REMINDER)
        return task.join(unit, condition=unit.id == task.lead_unit).select(
            task.lead_unit.as_('id'),
            *audit_columns(),
            task.lead_unit.as_('unit'),
            Max(unit.name).as_('unit_name'),
            Count(task.id).as_('due'),
            count_if(closed).as_('closed'),
            count_if(on_time).as_('on_time'),
            rate.as_('on_time_rate'),
            quality.as_('quality'),
            extensions.as_('extensions'),
            reminders.as_('reminders'),
            Case((score > 0, score), else_=0.0).as_('score'),
            where=where,
            group_by=[task.lead_unit])


class Statistic(ModelSQL, ModelView):
    """数据分析: lights, completion and extensions of the tasks started in
    the period, by month, lead unit, co-unit or source"""
    __name__ = 'egov.supervision.statistic'
    __string__ = "Supervision Statistics"
    _rec_name = 'group_name'

    group_name = fields.Char("Group")
    name = fields.Function(fields.Char("Group"), 'get_name')
    total = fields.Integer("Tasks")
    closed = fields.Integer("Closed")
    completion_rate = fields.Float("Completion Rate (%)", digits=(16, 1))
    green = fields.Integer("Green")
    yellow = fields.Integer("Yellow")
    red = fields.Integer("Red")
    extensions = fields.Integer("Extensions")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('group_name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Unit = pool.get('egov.org.unit')
        CoUnit = pool.get('egov.supervision.task-co.unit')
        axis = Transaction().context.get('axis') or 'lead_unit'
        task = Task.__table__()
        unit = Unit.__table__()
        co_unit = CoUnit.__table__()
        start, end = period()
        where = readable([('start', '>=', start), ('start', '<=', end)],
            task)
        if where is None:
            where = Literal(False)
        if axis == 'month':
            year_month = Cast(Extract('YEAR', task.start) * 100
                + Extract('MONTH', task.start), 'INTEGER')
            source, key, name = task, year_month, Cast(year_month, 'VARCHAR')
        elif axis == 'source':
            codes = [code for code, _ in SOURCES]
            key = Case(*((task.source == c, i) for i, c in enumerate(
                            codes, 1)), else_=0)
            # Grouped by the column: the CASE, with its parameters, is not
            # the same expression twice for PostgreSQL
            source, name, group = task, Max(task.source), task.source
        else:
            if axis == 'co_unit':
                source = task.join(co_unit,
                    condition=co_unit.task == task.id).join(unit,
                    condition=unit.id == co_unit.unit)
            else:
                source = task.join(unit, condition=unit.id == task.lead_unit)
            key, name = unit.id, Max(unit.name)
        if axis != 'source':
            group = key
        closed = count_if(task.state == 'closed')
        columns = [
            key.as_('id') if axis not in {'month', 'source'}
            else Max(key).as_('id'),
            *audit_columns(),
            (name if axis != 'month' else Max(name)).as_('group_name'),
            Count(task.id).as_('total'),
            closed.as_('closed'),
            (Cast(closed, 'FLOAT') * 100.0
                / Cast(Count(task.id), 'FLOAT')).as_('completion_rate'),
            count_if(task.light == 'green').as_('green'),
            count_if(task.light == 'yellow').as_('yellow'),
            count_if(task.light == 'red').as_('red'),
            Sum(Coalesce(task.extension_count, 0)).as_('extensions'),
            ]
        return source.select(*columns, where=where, group_by=[group])

    @classmethod
    def get_name(cls, rows, name):
        "A source is named by its label"
        Task = Pool().get('egov.supervision.task')
        labels = {}
        if Transaction().context.get('axis') == 'source':
            labels = dict(Task.fields_get(['source'])['source']['selection'])
        return {r.id: labels.get(r.group_name, r.group_name) for r in rows}

    def get_rec_name(self, name):
        return self.name or ''
