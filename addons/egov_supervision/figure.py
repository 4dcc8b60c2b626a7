"""The monitoring board's counts kept per lead unit, leader and source, so
that the city's board reads a few thousand rows instead of grouping every
open task (100,000 tasks: 114 ms of SQL per list, twice).

The counts of a lead unit are made again, in the transaction that changes
one of its tasks (create, write, delete: Task's hooks), and all of them by
the nightly light run, which is also what moves a task into "no feedback"
as days pass: like the stored light, `silent` is that of the day of the
last count. Only a person who may read every task (the city's supervision
office) is served from here; anyone whose record rules narrow the tasks
gets figures grouped from the tasks they may read (board.py)."""
import datetime

from sql import Literal
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CurrentTimestamp

from trytond.model import Index, ModelSQL, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .task import OPEN_STATES, WORKING

# Ids per IN (…) of a query
IN_MAX = 1000
# Days without feedback after which a task of a rhythm is "silent"
RHYTHM_DAYS = {'weekly': 7, 'monthly': 31}


def silent_condition(task, today):
    "No feedback for the period of the task's rhythm (反馈超期)"
    condition = Literal(False)
    for rhythm, days in RHYTHM_DAYS.items():
        since = today - datetime.timedelta(days=days)
        condition |= ((task.rhythm == rhythm)
            & task.state.in_(list(WORKING))
            & (Coalesce(task.last_feedback, task.accepted_date, task.start)
                < since))
    return condition


def count_if(condition):
    return Sum(Case((condition, 1), else_=0))


class BoardFigure(ModelSQL):
    "The open tasks of a lead unit, leader and source, counted by light"
    __name__ = 'egov.supervision.board.figure'
    __string__ = "Supervision Board Figure"
    _egov_visibility = 'admin'

    lead_unit = fields.Many2One('egov.org.unit', "Lead Unit", required=True,
        ondelete='CASCADE')
    leader = fields.Many2One('res.user', "Leader in Charge",
        ondelete='CASCADE')
    source = fields.Char("Source", required=True)
    # The lowest task id of the group: the board row's id, stable as the
    # counts are made again
    first_task = fields.Integer("First Task", required=True)
    open = fields.Integer("Open", required=True)
    green = fields.Integer("Green", required=True)
    yellow = fields.Integer("Yellow", required=True)
    red = fields.Integer("Red", required=True)
    silent = fields.Integer("No Feedback", required=True)
    extended = fields.Integer("Extended Twice or More", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.lead_unit, Index.Range())))

    @classmethod
    def refresh(cls, units=None, today=None):
        """Count again the open tasks of the lead units (ids; all when
        None)"""
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        today = today or pool.get('ir.date').today()
        table = cls.__table__()
        task = Task.__table__()
        cursor = Transaction().connection.cursor()
        if units is None:
            slices, everything = [None], True
        else:
            units = sorted({u for u in units if u is not None})
            slices, everything = grouped_slice(units, IN_MAX), False
        for sub_units in slices:
            where = task.state.in_(list(OPEN_STATES))
            if everything:
                cursor.execute(*table.delete())
            else:
                sub_units = list(sub_units)
                cursor.execute(*table.delete(
                        where=table.lead_unit.in_(sub_units)))
                where &= task.lead_unit.in_(sub_units)
            cursor.execute(*table.insert([
                        table.lead_unit, table.leader, table.source,
                        table.first_task, table.open, table.green,
                        table.yellow, table.red, table.silent,
                        table.extended, table.create_uid, table.create_date,
                        ],
                    task.select(
                        task.lead_unit, task.leader, task.source,
                        Min(task.id), Count(task.id),
                        count_if(task.light == 'green'),
                        count_if(task.light == 'yellow'),
                        count_if(task.light == 'red'),
                        count_if(silent_condition(task, today)),
                        count_if(task.extension_count >= 2),
                        Literal(0), CurrentTimestamp(),
                        where=where,
                        group_by=[task.lead_unit, task.leader,
                            task.source])))

    @classmethod
    def refresh_tasks(cls, task_ids, units=()):
        """Count again the lead units of the tasks (ids) as they are now,
        and units (those they had before a change)"""
        Task = Pool().get('egov.supervision.task')
        task = Task.__table__()
        cursor = Transaction().connection.cursor()
        units = set(units)
        for sub_ids in grouped_slice(task_ids, IN_MAX):
            cursor.execute(*task.select(task.lead_unit,
                    where=task.id.in_(list(sub_ids)), group_by=[
                        task.lead_unit]))
            units.update(u for u, in cursor)
        if units:
            cls.refresh(units)
