"""Reminders (催办): the scheduler tells the holders of overdue to-dos once
a day, and the initiator of a running process may urge its holders."""
import datetime

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from egov_base.tools import IN_MAX, enqueue, forget_records

from .exceptions import TaskHolderError, TaskStateError

# The scheduler reminds a holder of one overdue to-do once per this time
REMIND_EVERY = datetime.timedelta(days=1)
# An initiator urges the holders of one process at most once per this time
URGE_EVERY = datetime.timedelta(hours=1)
# The scheduler's reminders are sent by the task queue in batches, each in
# a transaction of its own: the first run after a migration finds tens of
# thousands of overdue to-dos (80,000 at seed scale, about 30 ms a message),
# which in the scheduler's transaction held its other jobs for the better
# part of an hour and started over whenever the process was stopped
REMIND_BATCH = 200


class Task(metaclass=PoolMeta):
    __name__ = 'egov.workflow.task'

    reminded_at = fields.Timestamp("Reminded At", readonly=True,
        help="When the holder was last reminded of this to-do.")

    @classmethod
    def remind(cls, tasks, kind, **values):
        """Tell the holders of tasks, each in their language (the scheduler
        has none of its own), and note when: kind 'overdue' or 'urge'"""
        cls.notify_holders(tasks, kind, **values)
        with without_check_access():
            cls.write(tasks, {'reminded_at': datetime.datetime.now()})

    @classmethod
    def remind_overdue(cls):
        "Scheduler: remind the holders of open to-dos past their deadline"
        now = datetime.datetime.now()
        # Ids, not records: trytond checks the whole id list in the making
        # of each record, and 80,000 records took four minutes that way
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls.search([
                    ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ('deadline', '<', now),
                    ['OR',
                        ('reminded_at', '=', None),
                        ('reminded_at', '<', now - REMIND_EVERY)],
                    ], order=[('deadline', 'ASC')], query=True))
        ids = [id_ for id_, in cursor]
        # Marked now, so that the next run does not take them again while
        # the queue is telling their holders
        cls.mark_reminded(ids, now)
        for start in range(0, len(ids), REMIND_BATCH):
            enqueue(cls, 'notify_overdue',
                cls.browse(ids[start:start + REMIND_BATCH]), 'egov_workflow')

    @classmethod
    def mark_reminded(cls, ids, when):
        "Note when the holders of the tasks of ids were reminded"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(ids, IN_MAX):
            cursor.execute(*table.update([table.reminded_at], [when],
                    where=table.id.in_(list(sub_ids))))
        forget_records(cls, ids)

    @classmethod
    def notify_overdue(cls, tasks):
        "Queue: tell the holders of those overdue to-dos still open"
        cls.notify_holders([t for t in tasks if t.state == 'open'], 'overdue')


class Instance(metaclass=PoolMeta):
    __name__ = 'egov.workflow.instance'

    started_by_me = fields.Function(
        fields.Boolean("Started by Me"), 'get_started_by_me')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons['urge'] = {
            'invisible': ((Eval('state') != 'running')
                | ~Eval('started_by_me', False)),
            'depends': ['state', 'started_by_me'],
            }

    def get_started_by_me(self, name):
        return self.initiator.id == Transaction().user

    @classmethod
    @ModelView.button
    def urge(cls, instances):
        """The initiator urges the holders of their running processes
        (催办); at most once an hour"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        user = Transaction().user
        now = datetime.datetime.now()
        User = pool.get('res.user')
        for instance in instances:
            if instance.state != 'running' or instance.initiator.id != user:
                raise TaskHolderError(gettext(
                        'egov_workflow.msg_workflow_urge_not_yours',
                        title=instance.title))
            with without_check_access():
                tasks = Task.search([
                        ('instance', '=', instance.id),
                        ('state', '=', 'open'),
                        ('kind', '=', 'todo'),
                        ])
            recent = [t for t in tasks
                if t.reminded_at and now - t.reminded_at < URGE_EVERY]
            if recent:
                raise TaskStateError(gettext(
                        'egov_workflow.msg_workflow_urge_too_soon',
                        title=instance.title))
            Task.remind(tasks, 'urge', user=User(user).rec_name)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('egov.workflow.task|remind_overdue', "Remind Overdue To-dos"))
