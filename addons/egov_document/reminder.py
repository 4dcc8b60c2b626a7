"""催办 of 公文 by their own deadline (办理期限): once a day the scheduler
tells the holders of the open to-dos of every running 收文 and 发文 whose
deadline is near (黄灯) or past (红灯). A holder hears of one to-do at most
once a day, however many reminders (the engine's for the step's own time
limit, this one for the document's) would concern it."""
import datetime

from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from egov_base.tools import enqueue
from egov_workflow.reminder import REMIND_BATCH

# Yellow from this many days before the deadline (as the light: document.py)
DUE_SOON = datetime.timedelta(days=2)
REMIND_EVERY = datetime.timedelta(days=1)
# Documents are read in slices, to-dos are few per document
SLICE = 1000


class DeadlineReminderMixin:
    __slots__ = ()

    @classmethod
    def remind_deadline(cls):
        """Scheduler: 催办 the holders of documents near or past their
        deadline. The to-dos are marked here; their holders are told by the
        task queue in batches (egov_workflow's REMIND_BATCH), each in a
        transaction of its own."""
        pool = Pool()
        Date = pool.get('ir.date')
        Task = pool.get('egov.workflow.task')
        today = Date.today()
        now = datetime.datetime.now()
        with without_check_access():
            documents = cls.search([
                    ('workflow_state', '=', 'running'),
                    ('deadline', '!=', None),
                    ('deadline', '<=', today + DUE_SOON),
                    ], order=[('deadline', 'ASC'), ('id', 'ASC')])
            for start in range(0, len(documents), SLICE):
                chunk = documents[start:start + SLICE]
                tasks = Task.search([
                        ('instance', 'in',
                            [d.workflow.id for d in chunk if d.workflow]),
                        ('state', '=', 'open'),
                        ('kind', '=', 'todo'),
                        ['OR',
                            ('reminded_at', '=', None),
                            ('reminded_at', '<', now - REMIND_EVERY)],
                        ])
                Task.mark_reminded([t.id for t in tasks], now)
                for first in range(0, len(tasks), REMIND_BATCH):
                    enqueue(Task, 'notify_document_deadline',
                        tasks[first:first + REMIND_BATCH], 'egov_document',
                        cls.__name__)

    @classmethod
    def remind_holders(cls, tasks, today):
        "Tell the holders of the open to-dos of the documents of tasks"
        pool = Pool()
        Message = pool.get('egov.notify.message')
        from egov_workflow.task import phone_page
        tasks = [t for t in tasks if t.state == 'open']
        with without_check_access():
            documents = cls.search([
                    ('workflow', 'in', list({t.instance.id for t in tasks})),
                    ])
        by_instance = {d.workflow.id: d for d in documents}
        for task in tasks:
            document = by_instance.get(task.instance.id)
            if not document or not document.deadline:
                continue
            late = (today - document.deadline).days
            event = 'document_overdue' if late > 0 else 'document_due'
            Message.send('egov_document', event, {'users': [task.user.id]}, {
                    'title': document.title or '',
                    'step': task.step_name or '',
                    'deadline': document.deadline.isoformat(),
                    'days': abs(late),
                    }, record=str(task), action='egov_workflow.act_inbox',
                urgency='urgent', url=phone_page(task), actionable=True)


class Task(metaclass=PoolMeta):
    __name__ = 'egov.workflow.task'

    @classmethod
    def notify_document_deadline(cls, tasks, document_model):
        "Queue: the 催办 of remind_deadline for a batch of to-dos"
        pool = Pool()
        Date = pool.get('ir.date')
        pool.get(document_model).remind_holders(tasks, Date.today())


class Incoming(DeadlineReminderMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'


class Outgoing(DeadlineReminderMixin, metaclass=PoolMeta):
    __name__ = 'egov.document.outgoing'


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('egov.document.incoming|remind_deadline',
                    "Remind Incoming Documents by Deadline"),
                ('egov.document.outgoing|remind_deadline',
                    "Remind Outgoing Documents by Deadline"),
                ])
