"""Reminders (催办): the scheduler tells the holders of overdue to-dos once
a day, and the initiator of a running process may urge its holders."""
import datetime

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import TaskHolderError, TaskStateError

# The scheduler reminds a holder of one overdue to-do once per this time
REMIND_EVERY = datetime.timedelta(days=1)
# An initiator urges the holders of one process at most once per this time
URGE_EVERY = datetime.timedelta(hours=1)


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
        tasks = cls.search([
                ('state', '=', 'open'),
                ('kind', '=', 'todo'),
                ('deadline', '<', now),
                ['OR',
                    ('reminded_at', '=', None),
                    ('reminded_at', '<', now - REMIND_EVERY)],
                ], order=[('deadline', 'ASC')])
        cls.remind(tasks, 'overdue')


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
