"""催办: reminders before and after a task's deadline, escalating to the
head of the lead unit and then to the leader in charge, and the reminders
a person sends by hand with a note. Every reminder is a row; an automatic
one has a unique key (task, level, day), so that a run made twice, or two
runs at once, never remind twice."""
from sql import Literal
from sql.aggregate import Count, Max
from sql.functions import CurrentTimestamp
from sql.operators import Exists

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from egov_base.tools import check_read_access, enqueue, forget_records

from .acting import acting_units, in_group, trusted
from .exceptions import SupervisionAccessError, SupervisionError
from .task import OPEN_STATES, message_values, working_days_before

LEVELS = [
    ('due', "Due Soon"),
    ('overdue', "Overdue"),
    ('head', "Unit Head"),
    ('leader', "Leader in Charge"),
    ('manual', "Manual"),
    ]
# The states whose lead unit is reminded: once it asked to close, the
# checker, not the unit, is the one to act
REMINDED = ('assigned', 'accepted', 'in_progress', 'returned')
SEND_BATCH = 200


class Reminder(ModelSQL, ModelView):
    __name__ = 'egov.supervision.reminder'
    __string__ = "Supervision Reminder"
    _egov_visibility = 'parent'

    task = fields.Many2One('egov.supervision.task', "Task", required=True,
        ondelete='CASCADE', readonly=True)
    level = fields.Selection(LEVELS, "Level", required=True, readonly=True,
        sort=False)
    date = fields.Date("Date", required=True, readonly=True)
    # The day of an automatic reminder, empty for one sent by hand: the
    # unique key (task, level, key_date) lets each be sent once a day
    key_date = fields.Date("Key Date", readonly=True)
    note = fields.Text("Note", readonly=True)
    sender = fields.Many2One('res.user', "Sent By", readonly=True,
        ondelete='RESTRICT')
    state = fields.Selection([
            ('queued', "Queued"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    recipients = fields.Char("Recipients", readonly=True)
    message = fields.Many2One('egov.notify.message', "Message",
        readonly=True, ondelete='SET NULL')
    error = fields.Char("Error", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('task')
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_unique', Unique(t, t.task, t.level, t.key_date),
                'egov_supervision.msg_reminder_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.task, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality()),
                    where=t.state == 'queued'),
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'queued'

    # The nightly run (cron)

    @classmethod
    def run_nightly(cls, today=None):
        """Set every task's light, then queue the reminders due today, each
        at most once; return {'lights': n, level: n, …}"""
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Date = pool.get('ir.date')
        Holiday = pool.get('egov.workflow.holiday')
        today = today or Date.today()
        result = {'lights': Task.update_lights(today=today)}
        if not Holiday.is_working_day(today):
            return result
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Max(table.id)))
        last, = cursor.fetchone()
        result.update(cls.queue_automatic(today))
        # Only what this run inserted: a reminder is queued once
        cursor.execute(*table.select(table.id,
                where=(table.id > (last or 0)) & (table.state == 'queued'),
                order_by=[table.id.asc]))
        pending = [i for i, in cursor]
        for i in range(0, len(pending), SEND_BATCH):
            enqueue(cls, 'send', cls.browse(pending[i:i + SEND_BATCH]),
                'egov_supervision')
        return result

    @classmethod
    def queue_automatic(cls, today):
        "Insert today's automatic reminders in one statement per level"
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Configuration = pool.get('egov.supervision.configuration')
        policy = Configuration.policy()
        task = Task.__table__()
        reminder = cls.__table__()
        other = cls.__table__()
        cursor = Transaction().connection.cursor()
        reminded = task.state.in_(list(REMINDED))
        conditions = {
            'due': reminded & (task.light == 'yellow'),
            'overdue': reminded & (task.light == 'red'),
            'head': reminded & (task.deadline
                <= working_days_before(today, policy.head_after))
            & (task.deadline < today),
            'leader': reminded & (task.deadline
                <= working_days_before(today, policy.leader_after))
            & (task.deadline < today) & (task.leader != None),  # noqa: E711
            }
        counts = {}
        for level, condition in conditions.items():
            done = other.select(Literal(1), where=(other.task == task.id)
                & (other.level == level) & (other.key_date == today))
            cursor.execute(*reminder.insert(
                    [reminder.task, reminder.level, reminder.date,
                        reminder.key_date, reminder.state,
                        reminder.create_uid, reminder.create_date],
                    task.select(task.id, Literal(level), Literal(today),
                        Literal(today), Literal('queued'), Literal(0),
                        CurrentTimestamp(),
                        where=condition & ~Exists(done))))
            counts[level] = cursor.rowcount
        cls.update_counts(today)
        return counts

    @classmethod
    def update_counts(cls, date):
        "Recount the reminders of the tasks reminded on date"
        Task = Pool().get('egov.supervision.task')
        task = Task.__table__()
        reminder = cls.__table__()
        counted = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*task.update([task.reminder_count],
                [counted.select(Count(counted.id),
                        where=counted.task == task.id)],
                where=task.id.in_(reminder.select(reminder.task,
                        where=reminder.date == date))))
        forget_records(Task)

    # Sending

    @classmethod
    def send(cls, reminders):
        """Send the queued reminders through the notification service.
        What the messages need is read once for the batch: every message
        created resets the records' caches, so that reading it through
        reminder.task in the loop read the batch's tasks (and their units'
        names) again for each reminder, 14 s for a batch of 200"""
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Task = pool.get('egov.supervision.task')
        User = pool.get('res.user')
        with without_check_access():
            rows = [r for r in cls.read([int(r) for r in reminders],
                    ['state', 'level', 'note', 'sender', 'task'])
                if r['state'] == 'queued']
            tasks = {t['id']: t for t in Task.read(
                    list({r['task'] for r in rows}),
                    ['title', 'deadline', 'owner', 'leader', 'lead_unit',
                        'lead_unit.rec_name'])}
            heads = head_posts_of({t['lead_unit'] for t in tasks.values()})
            names = {u['id']: u['rec_name'] for u in User.read(
                    list({t[n] for t in tasks.values()
                            for n in ('owner', 'leader') if t[n]}),
                    ['rec_name'])}
        to_write = []
        for row in rows:
            task = tasks[row['task']]
            unit_name = task['lead_unit.']['rec_name']
            recipients = recipients_of(row['level'], task,
                heads.get(task['lead_unit'], []))
            values = {'state': 'failed'}
            if not any(recipients.values()):
                values['error'] = gettext(
                    'egov_supervision.msg_reminder_no_recipient')[:200]
            else:
                try:
                    message = Message.send('egov_supervision',
                        'task_' + row['level'], recipients,
                        message_values(task['title'], unit_name,
                            task['deadline'], row['note'] or ''),
                        record=Task(task['id']), urgency=(
                            'urgent' if row['level'] != 'due'
                            else 'normal'),
                        action='egov_supervision.act_task_form',
                        sender=row['sender'])
                except UserError as exception:
                    values['error'] = str(exception)[:200]
                else:
                    shown = [names[u] for u in recipients['users'][:10]]
                    if recipients['posts']:
                        shown.append(gettext(
                                'egov_supervision.msg_reminder_unit_head',
                                unit=unit_name))
                    values.update(state='sent', error=None,
                        message=message.id if message else None,
                        recipients='、'.join(shown)[:250])
            to_write.extend(([cls(row['id'])], values))
        if to_write:
            with without_check_access():
                cls.write(*to_write)

    # Messages of the task's life (not reminders: not logged here)

    @classmethod
    def announce(cls, tasks, event, to_assigner=False):
        """Tell the lead unit (its owner, else its head) or, to_assigner,
        who assigned the task, what happened to it"""
        Message = Pool().get('egov.notify.message')
        for task in tasks:
            if to_assigner:
                users = [task.create_uid.id] if task.create_uid else []
                posts = head_posts(task.assigning_unit)
            else:
                users = [task.owner.id] if task.owner else []
                posts = [] if users else head_posts(task.lead_unit)
            if not users and not posts:
                continue
            Message.send('egov_supervision', event,
                {'users': users, 'posts': posts}, task.notify_values(),
                record=task, action='egov_supervision.act_task_form')

    # 催办 by hand

    @classmethod
    def urge(cls, tasks, note):
        """Remind the lead units of tasks now, with note: by the units that
        assigned them (at any level above), the city or the leader"""
        pool = Pool()
        Date = pool.get('ir.date')
        check_read_access(pool.get('egov.supervision.task'), tasks)
        if not note or not note.strip():
            raise SupervisionError(gettext(
                    'egov_supervision.msg_urge_note_required'))
        for task in tasks:
            if task.state not in OPEN_STATES:
                raise SupervisionError(gettext(
                        'egov_supervision.msg_urge_state',
                        task=task.rec_name))
            if not may_urge(task):
                raise SupervisionAccessError(gettext(
                        'egov_supervision.msg_urge_not_allowed',
                        task=task.rec_name))
        with without_check_access():
            reminders = cls.create([{
                        'task': t.id, 'level': 'manual',
                        'date': Date.today(), 'note': note.strip()[:2000],
                        'sender': Transaction().user or None,
                        } for t in tasks])
            cls.send(reminders)
            cls.update_counts(Date.today())
        return reminders


def head_posts(unit):
    "The ids of the head posts (主要负责人) of unit"
    return head_posts_of([unit.id]).get(unit.id, [])


def head_posts_of(units):
    "{unit id: [ids of its head posts]} of the units (ids)"
    Post = Pool().get('egov.org.post')
    heads = {}
    with without_check_access():
        for post in Post.search_read([('unit', 'in', list(units)),
                    ('head', '=', True)], order=[('id', 'ASC')],
                fields_names=['unit']):
            heads.setdefault(post['unit'], []).append(post['id'])
    return heads


def recipients_of(level, task, heads):
    """{'users': [...], 'posts': [...]} a reminder of level about task (the
    values of its owner and leader) goes to; heads: the lead unit's head
    posts"""
    users, posts = set(), set()
    if level in {'due', 'overdue', 'manual'}:
        if task['owner']:
            users.add(task['owner'])
        else:
            posts.update(heads)
    if level == 'head':
        posts.update(heads)
    if level == 'leader' and task['leader']:
        users.add(task['leader'])
    return {'users': sorted(users), 'posts': sorted(posts)}


def may_urge(task):
    if trusted() or in_group('group_supervision_city'):
        return True
    if task.leader and task.leader.id == Transaction().user:
        return True
    mine = acting_units()
    node = task
    while node:
        if node.assigning_unit.id in mine:
            return True
        node = node.parent
    return False


class UrgeStart(ModelView):
    __name__ = 'egov.supervision.task.urge.start'
    __string__ = "Urge Supervision Task"

    note = fields.Text("Note", required=True, strip=True,
        help="What the lead unit is asked to do now.")


class Urge(Wizard):
    __name__ = 'egov.supervision.task.urge'
    start = StateView('egov.supervision.task.urge.start',
        'egov_supervision.task_urge_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Urge", 'urge', 'tryton-ok', default=True),
            ])
    urge = StateTransition()

    def transition_urge(self):
        Reminder = Pool().get('egov.supervision.reminder')
        Reminder.urge(list(self.records), self.start.note)
        return 'end'


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('egov.supervision.reminder|run_nightly',
                "Supervision Lights and Reminders"))
