"""催办 of 公文 by their own deadline (办理期限): once a day the scheduler
tells the holders of the open to-dos of every running 收文 and 发文 whose
deadline is near (黄灯) or past (红灯). A holder hears of one to-do at most
once a day, however many reminders (the engine's for the step's own time
limit, this one for the document's) would concern it."""
import datetime

from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

# Yellow from this many days before the deadline (as the light: document.py)
DUE_SOON = datetime.timedelta(days=2)
REMIND_EVERY = datetime.timedelta(days=1)
# Documents are read in slices, to-dos are few per document
SLICE = 1000


class DeadlineReminderMixin:
    __slots__ = ()

    @classmethod
    def remind_deadline(cls):
        "Scheduler: 催办 the holders of documents near or past their deadline"
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
                by_instance = {d.workflow.id: d for d in chunk if d.workflow}
                tasks = Task.search([
                        ('instance', 'in', list(by_instance)),
                        ('state', '=', 'open'),
                        ('kind', '=', 'todo'),
                        ['OR',
                            ('reminded_at', '=', None),
                            ('reminded_at', '<', now - REMIND_EVERY)],
                        ])
                cls._remind_holders(tasks, by_instance, today)

    @classmethod
    def _remind_holders(cls, tasks, by_instance, today):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Task = pool.get('egov.workflow.task')
        from egov_workflow.task import phone_page
        for task in tasks:
            document = by_instance[task.instance.id]
            late = (today - document.deadline).days
            event = 'document_overdue' if late > 0 else 'document_due'
            Message.send('egov_document', event, {'users': [task.user.id]}, {
                    'title': document.title or '',
                    'step': task.step_name or '',
                    'deadline': document.deadline.isoformat(),
                    'days': abs(late),
                    }, record=str(task), action='egov_workflow.act_inbox',
                urgency='urgent', url=phone_page(task), actionable=True)
        if tasks:
            Task.write(tasks, {'reminded_at': datetime.datetime.now()})


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
