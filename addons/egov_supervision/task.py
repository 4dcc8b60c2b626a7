"""督查任务: a task the city (or a level below) assigns to a lead unit
(主办) with co-units (协办), split level by level into child tasks, fed
back, extended, and closed by the unit that assigned it (办结审核).

The state moves by explicit Workflow transitions: every step is one
decision of one unit (the assigning unit or the lead unit), known from the
task itself, so a BPMN process would add a definition to keep in step with
the task tree without routing anything."""
import datetime

from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSingleton, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from egov_base.tools import check_read_access, forget_records

from .acting import acting_units, check_acting, trusted
from .exceptions import SupervisionError, SupervisionValidationError

SOURCES = [
    ('instruction', "Leader's Instruction"),
    ('document', "Document"),
    ('meeting', "Meeting Decision"),
    ('plan', "Work Plan"),
    ]
RHYTHMS = [
    ('none', "None"),
    ('weekly', "Weekly"),
    ('monthly', "Monthly"),
    ]
STATES = [
    ('draft', "Draft"),
    ('assigned', "Assigned"),
    ('accepted', "Accepted"),
    ('in_progress', "In Progress"),
    ('completion_requested', "Completion Requested"),
    ('returned', "Returned"),
    ('closed', "Closed"),
    ]
LIGHTS = [
    ('', ""),
    ('green', "Green"),
    ('yellow', "Yellow"),
    ('red', "Red"),
    ('done', "Done"),
    ]
# The states in which the lead unit works on the task and may be late
OPEN_STATES = ('assigned', 'accepted', 'in_progress',
    'completion_requested', 'returned')
WORKING = ('accepted', 'in_progress', 'returned')
DRAFT = {'readonly': Eval('state') != 'draft'}


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'egov.supervision.configuration'
    __string__ = "Supervision Configuration"
    _egov_visibility = 'admin'

    yellow_days = fields.Integer("Yellow Within (Working Days)",
        required=True, domain=[('yellow_days', '>=', 0),
            ('yellow_days', '<=', 60)],
        help="A task turns yellow when its deadline is this many working "
        "days away or fewer.")
    head_after = fields.Integer("Unit Head After (Working Days)",
        required=True, domain=[('head_after', '>=', 0),
            ('head_after', '<=', 60)],
        help="Overdue this many working days, the reminder also goes to "
        "the head of the lead unit.")
    leader_after = fields.Integer("Leader After (Working Days)",
        required=True, domain=[('leader_after', '>=', 0),
            ('leader_after', '<=', 120)],
        help="Overdue this many working days, the reminder also goes to "
        "the leader in charge (分管领导).")

    @classmethod
    def default_yellow_days(cls):
        return 3

    @classmethod
    def default_head_after(cls):
        return 2

    @classmethod
    def default_leader_after(cls):
        return 5

    @classmethod
    def policy(cls):
        with without_check_access():
            return cls(1)


class Task(Workflow, ModelSQL, ModelView):
    __name__ = 'egov.supervision.task'
    __string__ = "Supervision Task"
    _egov_visibility = 'unit'
    _rec_name = 'title'

    title = fields.Char("Title", required=True, strip=True, states=DRAFT)
    source = fields.Selection(SOURCES, "Source", required=True, sort=False,
        states=DRAFT)
    origin = fields.Reference("Origin", selection='get_origins',
        readonly=True)
    instruction = fields.Text("Instruction", states={
            'readonly': DRAFT['readonly'],
            'invisible': Eval('source') != 'instruction',
            }, help="The leader's instruction (批示) as written.")
    content = fields.Text("Content", required=True, states=DRAFT)
    parent = fields.Many2One('egov.supervision.task', "Parent Task",
        readonly=True, ondelete='RESTRICT')
    children = fields.One2Many('egov.supervision.task', 'parent',
        "Child Tasks", readonly=True)
    assigning_unit = fields.Many2One('egov.org.unit', "Assigning Unit",
        required=True, readonly=True, ondelete='RESTRICT',
        help="The unit that assigned the task: it approves extensions and "
        "closes it (办结审核).")
    lead_unit = fields.Many2One('egov.org.unit', "Lead Unit", required=True,
        ondelete='RESTRICT', states=DRAFT)
    co_units = fields.Many2Many('egov.supervision.task-co.unit', 'task',
        'unit', "Co-units", states=DRAFT)
    owner = fields.Many2One('res.user', "Owner", ondelete='RESTRICT',
        states={'readonly': Eval('state') == 'closed'},
        help="The person of the lead unit who answers for the task.")
    leader = fields.Many2One('res.user', "Leader in Charge",
        ondelete='RESTRICT', states=DRAFT,
        help="The leader in charge (分管领导): sees the task and gets the "
        "last reminders.")
    start = fields.Date("Start", required=True, states=DRAFT)
    deadline = fields.Date("Deadline", required=True, states=DRAFT)
    working_days = fields.Function(fields.Integer("Working Days",
            states=DRAFT,
            help="Sets the deadline this many working days after the start "
            "(holidays and 调休 days counted)."),
        'on_change_with_working_days', setter='set_working_days')
    rhythm = fields.Selection(RHYTHMS, "Feedback Rhythm", required=True,
        sort=False, states=DRAFT)
    milestones = fields.One2Many('egov.supervision.milestone', 'task',
        "Milestones", states={'readonly': Eval('state') == 'closed'})
    feedbacks = fields.One2Many('egov.supervision.feedback', 'task',
        "Feedback", readonly=True)
    extensions = fields.One2Many('egov.supervision.extension', 'task',
        "Extensions", readonly=True)
    reminders = fields.One2Many('egov.supervision.reminder', 'task',
        "Reminders", readonly=True)
    scopes = fields.One2Many('egov.supervision.task.scope', 'task',
        "Scope", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True,
        sort=False)
    light = fields.Selection(LIGHTS, "Light", readonly=True, sort=False)
    last_feedback = fields.Date("Last Feedback", readonly=True)
    silent = fields.Function(fields.Boolean("No Feedback",
            help="Open without feedback for the period of its rhythm."),
        'get_silent', searcher='search_silent')
    extension_count = fields.Integer("Extensions Granted", readonly=True)
    reminder_count = fields.Integer("Reminders", readonly=True)
    accepted_date = fields.Date("Accepted On", readonly=True)
    completion_date = fields.Date("Completed On", readonly=True)
    closed_date = fields.Date("Closed On", readonly=True)
    quality = fields.Integer("Quality Mark",
        domain=['OR', ('quality', '=', None),
            [('quality', '>=', 0), ('quality', '<=', 100)]],
        states={'readonly': Eval('state') != 'completion_requested'},
        help="The checker's mark (0–100) of the work, given at 办结审核.")
    check_note = fields.Text("Check Note",
        states={'readonly': Eval('state') != 'completion_requested'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.light, Index.Equality()),
                    (t.lead_unit, Index.Range())),
                Index(t, (t.state, Index.Equality()),
                    (t.deadline, Index.Range())),
                Index(t, (t.parent, Index.Range())),
                Index(t, (t.lead_unit, Index.Range())),
                Index(t, (t.leader, Index.Range())),
                })
        cls._order = [('deadline', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'assigned'),
            ('assigned', 'draft'),
            ('assigned', 'accepted'),
            ('accepted', 'in_progress'),
            ('accepted', 'completion_requested'),
            ('in_progress', 'completion_requested'),
            ('returned', 'completion_requested'),
            ('returned', 'in_progress'),
            ('completion_requested', 'closed'),
            ('completion_requested', 'returned'),
            }
        cls._buttons.update({
                'assign': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    },
                'recall': {
                    'invisible': Eval('state') != 'assigned',
                    'icon': 'tryton-back',
                    },
                'accept': {
                    'invisible': Eval('state') != 'assigned',
                    'icon': 'tryton-ok',
                    },
                'request_completion': {
                    'invisible': ~Eval('state').in_(list(WORKING)),
                    'icon': 'tryton-forward',
                    },
                'close': {
                    'invisible': Eval('state') != 'completion_requested',
                    'icon': 'tryton-ok',
                    },
                'return_': {
                    'invisible': Eval('state') != 'completion_requested',
                    'icon': 'tryton-back',
                    },
                'split': {
                    'invisible': ~Eval('state').in_(list(WORKING)),
                    'icon': 'tryton-launch',
                    },
                'urge': {
                    'invisible': ~Eval('state').in_(list(OPEN_STATES)),
                    'icon': 'tryton-notification',
                    },
                'feedback': {
                    'invisible': ~Eval('state').in_(list(WORKING)),
                    'icon': 'tryton-comment',
                    },
                'extend': {
                    'invisible': ~Eval('state').in_(
                        ['assigned'] + list(WORKING)),
                    'icon': 'tryton-date',
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_light(cls):
        return ''

    @classmethod
    def default_source(cls):
        return 'instruction'

    @classmethod
    def default_rhythm(cls):
        return 'weekly'

    @classmethod
    def default_extension_count(cls):
        return 0

    @classmethod
    def default_reminder_count(cls):
        return 0

    @classmethod
    def default_start(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_assigning_unit(cls):
        "A root task is assigned by the officer's division (the city)"
        User = Pool().get('res.user')
        return User.get_org_scope()['division']

    @classmethod
    def get_silent(cls, tasks, name):
        ids = {t.id for t in cls.search([
                    ('id', 'in', [t.id for t in tasks]),
                    ('silent', '=', True)], order=[])}
        return {t.id: t.id in ids for t in tasks}

    @classmethod
    def search_silent(cls, name, clause):
        from .figure import silent_condition
        table = cls.__table__()
        today = Pool().get('ir.date').today()
        query = table.select(table.id,
            where=silent_condition(table, today))
        _, operator, value = clause
        positive = (operator == '=') == bool(value)
        return [('id', 'in' if positive else 'not in', query)]

    @classmethod
    def get_origins(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        names = []
        for name in ['egov.document.incoming', 'egov.document.outgoing',
                'egov.meeting.decision']:
            try:
                pool.get(name)
            except KeyError:
                continue
            names.append(name)
        return [(None, '')] + [(n, Model.get_name(n)) for n in names]

    @fields.depends('start', 'deadline')
    def on_change_with_working_days(self, name=None):
        if self.start and self.deadline and self.deadline >= self.start:
            Holiday = Pool().get('egov.workflow.holiday')
            return Holiday.working_days_between(
                datetime.datetime.combine(self.start, datetime.time()),
                datetime.datetime.combine(self.deadline, datetime.time()))

    @fields.depends('start', 'working_days', 'deadline')
    def on_change_working_days(self):
        if self.start and self.working_days and self.working_days > 0:
            self.deadline = working_deadline(self.start, self.working_days)

    @classmethod
    def set_working_days(cls, tasks, name, value):
        if value and value > 0:
            for task in tasks:
                cls.write([task], {
                        'deadline': working_deadline(task.start, value)})

    # Checks

    @classmethod
    def validate_fields(cls, tasks, field_names):
        super().validate_fields(tasks, field_names)
        if not field_names or {'owner', 'lead_unit'} & set(field_names):
            cls.check_owners(tasks)
        if field_names and not {'start', 'deadline', 'parent',
                'lead_unit'} & set(field_names):
            return
        Unit = Pool().get('egov.org.unit')
        for task in tasks:
            if task.deadline < task.start:
                raise SupervisionValidationError(gettext(
                        'egov_supervision.msg_task_deadline_before_start',
                        task=task.rec_name, deadline=task.deadline,
                        start=task.start))
            parent = task.parent
            if not parent:
                continue
            if task.deadline > parent.deadline:
                raise SupervisionValidationError(gettext(
                        'egov_supervision.msg_task_deadline_after_parent',
                        task=task.rec_name, deadline=task.deadline,
                        parent_deadline=parent.deadline))
            if not Unit.search([
                        ('id', '=', task.lead_unit.id),
                        ('parent', 'child_of', [parent.lead_unit.id]),
                        ('id', '!=', parent.lead_unit.id),
                        ], limit=1):
                raise SupervisionValidationError(gettext(
                        'egov_supervision.msg_task_unit_not_below',
                        unit=task.lead_unit.rec_name,
                        parent_unit=parent.lead_unit.rec_name))

    @classmethod
    def check_owners(cls, tasks):
        """The owner (承办人) is a person of the lead unit or a unit under
        it: the owner reads the task, so it is not given to anyone"""
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        if trusted():
            return
        with without_check_access():
            for task in tasks:
                if not task.owner:
                    continue
                if not Employee.search([
                            ('user', '=', task.owner.id),
                            ('unit', 'child_of', [task.lead_unit.id],
                                'parent'),
                            ], limit=1):
                    raise SupervisionValidationError(gettext(
                            'egov_supervision.msg_task_owner_not_of_unit',
                            person=task.owner.rec_name,
                            unit=task.lead_unit.rec_name))

    @classmethod
    def check_modification(cls, mode, tasks, values=None, external=False):
        super().check_modification(
            mode, tasks, values=values, external=external)
        if not external or trusted():
            return
        # The origin is set by the platform when a document or a decision
        # is put under supervision (document.py, meeting.py), after its
        # checks: a task pointed at any record would read its title
        if mode == 'create' and any(t.origin for t in tasks) or (
                mode == 'write' and 'origin' in (values or {})):
            raise SupervisionError(gettext(
                    'egov_supervision.msg_task_origin_set_by_platform'))
        if mode == 'create':
            for task in tasks:
                check_acting(task.assigning_unit, task)
        elif mode == 'delete':
            for task in tasks:
                if task.state != 'draft':
                    raise SupervisionError(gettext(
                            'egov_supervision.msg_task_delete_not_draft',
                            task=task.rec_name))
                check_acting(task.assigning_unit, task)
        elif mode == 'write':
            names = set(values or {})
            for task in tasks:
                if task.state == 'closed':
                    raise SupervisionError(gettext(
                            'egov_supervision.msg_task_closed',
                            task=task.rec_name))
                if task.state == 'draft':
                    check_acting(task.assigning_unit, task)
                elif (task.state == 'completion_requested'
                        and names <= {'quality', 'check_note'}):
                    # The checker's mark, given at 办结审核
                    check_acting(task.assigning_unit, task,
                        'egov_supervision.msg_not_checker')
                elif names - {'owner', 'milestones'}:
                    raise SupervisionError(gettext(
                            'egov_supervision.msg_task_frozen',
                            task=task.rec_name))
                else:
                    check_acting(task.lead_unit, task)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('parent'):
            # A child task is assigned by its parent's lead unit
            parent = cls(values['parent'])
            values['assigning_unit'] = parent.lead_unit.id
            values.setdefault('leader',
                parent.leader.id if parent.leader else None)
            values.setdefault('source', parent.source)
            values.setdefault('rhythm', parent.rhythm)
        return values

    @classmethod
    def on_modification(cls, mode, tasks, field_names=None):
        super().on_modification(mode, tasks, field_names=field_names)
        if mode == 'create' or (mode == 'write' and {
                    'lead_unit', 'co_units', 'owner', 'leader', 'parent'
                    } & set(field_names or ())):
            cls.update_scopes(tasks)
        if mode in {'create', 'write'} and (mode == 'create' or {
                    'deadline', 'state'} & set(field_names or ())):
            cls.update_lights(tasks)
        if mode == 'create':
            Pool().get('egov.supervision.board.figure').refresh_tasks(
                [t.id for t in tasks])

    # The board's counts follow every change of a task in its transaction:
    # those of its lead unit before the change and after it

    @classmethod
    def on_write(cls, tasks, values):
        callbacks = super().on_write(tasks, values)
        ids, before = [t.id for t in tasks], {t.lead_unit.id for t in tasks}
        Figure = Pool().get('egov.supervision.board.figure')
        return callbacks + [lambda: Figure.refresh_tasks(ids, before)]

    @classmethod
    def on_delete(cls, tasks):
        callbacks = super().on_delete(tasks)
        before = {t.lead_unit.id for t in tasks}
        Figure = Pool().get('egov.supervision.board.figure')
        return callbacks + [lambda: Figure.refresh(before)]

    @classmethod
    def copy(cls, tasks, default=None):
        default = default.copy() if default else {}
        for name in ['feedbacks', 'extensions', 'reminders', 'children',
                'scopes', 'last_feedback', 'accepted_date',
                'completion_date', 'closed_date', 'quality', 'check_note',
                'origin']:
            default.setdefault(name, None)
        default.setdefault('extension_count', 0)
        default.setdefault('reminder_count', 0)
        return super().copy(tasks, default=default)

    # The scope: who sees a task (the record rules read it)

    @classmethod
    def update_scopes(cls, tasks):
        """Write who sees each task and its descendants: the assigning,
        lead and co units, owners and leaders of the task and of its
        ancestors"""
        pool = Pool()
        Scope = pool.get('egov.supervision.task.scope')
        with without_check_access():
            todo = cls.search([('parent', 'child_of',
                        [t.id for t in tasks])], order=[('id', 'ASC')])
            Scope.delete(Scope.search([('task', 'in', [t.id for t in todo])]))
            rows = []
            for task in todo:
                units, users = set(), set()
                node = task
                while node:
                    units.update((node.lead_unit.id, node.assigning_unit.id))
                    units.update(u.id for u in node.co_units)
                    users.update(u.id for u in (node.owner, node.leader)
                        if u)
                    node = node.parent
                rows += [{'task': task.id, 'unit': u} for u in sorted(units)]
                rows += [{'task': task.id, 'user': u} for u in sorted(users)]
            Scope.create(rows)

    # The light: stored and indexed for the board, set by the nightly run

    @classmethod
    def light_case(cls, table, today=None):
        "The SQL expression of the light of a row of table"
        pool = Pool()
        Date = pool.get('ir.date')
        Configuration = pool.get('egov.supervision.configuration')
        today = today or Date.today()
        yellow_limit = working_deadline(today,
            Configuration.policy().yellow_days)
        return Case(
            (table.state == 'closed', 'done'),
            (table.state == 'draft', ''),
            (table.deadline < today, 'red'),
            (table.deadline <= yellow_limit, 'yellow'),
            else_='green')

    @classmethod
    def update_lights(cls, tasks=None, today=None):
        """Set the light of tasks (all when None) in one statement; return
        how many changed"""
        table = cls.__table__()
        case = cls.light_case(table, today)
        where = Coalesce(table.light, '') != case
        if tasks is not None:
            where &= table.id.in_([t.id for t in tasks] or [-1])
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.light], [case], where=where))
        changed = cursor.rowcount
        forget_records(cls)
        if tasks is None:
            # The nightly run: every count of the board again, for today
            Pool().get('egov.supervision.board.figure').refresh(today=today)
        return changed

    # Transitions

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    def assign(cls, tasks):
        pool = Pool()
        Reminder = pool.get('egov.supervision.reminder')
        check_read_access(cls, tasks)
        for task in tasks:
            check_acting(task.assigning_unit, task)
        Reminder.announce(tasks, 'task_assigned')

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def recall(cls, tasks):
        check_read_access(cls, tasks)
        for task in tasks:
            check_acting(task.assigning_unit, task)

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    def accept(cls, tasks):
        check_read_access(cls, tasks)
        user = Transaction().user
        for task in tasks:
            check_acting(task.lead_unit, task)
            task.accepted_date = Pool().get('ir.date').today()
            if not task.owner and user:
                task.owner = user
        with without_check_access():
            cls.save(tasks)

    @classmethod
    @Workflow.transition('in_progress')
    def start_progress(cls, tasks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('completion_requested')
    def request_completion(cls, tasks):
        pool = Pool()
        Reminder = pool.get('egov.supervision.reminder')
        check_read_access(cls, tasks)
        for task in tasks:
            check_acting(task.lead_unit, task)
            open_children = [c for c in task.children
                if c.state not in {'closed', 'draft'}]
            if open_children:
                raise SupervisionError(gettext(
                        'egov_supervision.msg_task_children_open',
                        task=task.rec_name,
                        children='、'.join(
                            c.lead_unit.rec_name for c in open_children[:5])))
        cls.write(tasks, {
                'completion_date': pool.get('ir.date').today()})
        Reminder.announce(tasks, 'task_completion_requested')

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, tasks):
        check_read_access(cls, tasks)
        for task in tasks:
            check_acting(task.assigning_unit, task,
                'egov_supervision.msg_not_checker')
        cls.write(tasks, {'closed_date': Pool().get('ir.date').today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('returned')
    def return_(cls, tasks):
        check_read_access(cls, tasks)
        for task in tasks:
            check_acting(task.assigning_unit, task,
                'egov_supervision.msg_not_checker')
        cls.write(tasks, {'completion_date': None})

    @classmethod
    def close_automatically(cls, tasks, note):
        """The origin is done (a document's process ended): close what was
        open, with feedback that says why"""
        pool = Pool()
        Feedback = pool.get('egov.supervision.feedback')
        Date = pool.get('ir.date')
        tasks = [t for t in tasks if t.state in OPEN_STATES]
        if not tasks:
            return
        today = Date.today()
        with without_check_access():
            Feedback.create([{
                        'task': t.id, 'unit': t.lead_unit.id, 'text': note,
                        'automatic': True,
                        } for t in tasks])
            for task in tasks:
                values = {'state': 'closed', 'closed_date': today}
                if not task.completion_date:
                    values['completion_date'] = today
                cls.write([task], values)

    @classmethod
    @ModelView.button_action('egov_supervision.wizard_task_split')
    def split(cls, tasks):
        pass

    @classmethod
    @ModelView.button_action('egov_supervision.wizard_task_urge')
    def urge(cls, tasks):
        pass

    @classmethod
    @ModelView.button_action('egov_supervision.wizard_task_feedback')
    def feedback(cls, tasks):
        pass

    @classmethod
    @ModelView.button_action('egov_supervision.wizard_task_extend')
    def extend(cls, tasks):
        pass

    @classmethod
    def create_children(cls, task, lines):
        """Split task: one child per line ({unit, deadline, content,
        owner}), assigned at once to the units below"""
        check_read_access(cls, [task])
        check_acting(task.lead_unit, task)
        if task.state not in WORKING:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_task_split_state',
                    task=task.rec_name))
        if not lines:
            raise SupervisionError(gettext(
                    'egov_supervision.msg_task_split_empty'))
        with without_check_access():
            children = cls.create([{
                        'parent': task.id,
                        'title': task.title,
                        'content': line.get('content') or task.content,
                        'instruction': task.instruction,
                        'lead_unit': line['unit'],
                        'owner': line.get('owner'),
                        'start': task.start,
                        'deadline': line.get('deadline') or task.deadline,
                        } for line in lines])
            cls.assign(children)
            if task.state != 'in_progress':
                cls.start_progress([task])
        return children

    def notify_values(self, note=''):
        "The values of the message templates (templates.xml)"
        return message_values(self.title, self.lead_unit.rec_name,
            self.deadline, note)

    def acts_for_lead(self):
        return trusted() or self.lead_unit.id in acting_units()


class TaskCoUnit(ModelSQL):
    __name__ = 'egov.supervision.task-co.unit'
    __string__ = "Supervision Task - Co-unit"
    _egov_visibility = 'parent'

    task = fields.Many2One('egov.supervision.task', "Task", required=True,
        ondelete='CASCADE')
    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('task')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.task, Index.Range()), (t.unit, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                })


class TaskScope(ModelSQL):
    "Who sees a task: the units and people of it and of its ancestors"
    __name__ = 'egov.supervision.task.scope'
    __string__ = "Supervision Task Scope"
    _egov_visibility = 'parent'

    task = fields.Many2One('egov.supervision.task', "Task", required=True,
        ondelete='CASCADE')
    unit = fields.Many2One('egov.org.unit', "Unit", ondelete='CASCADE')
    user = fields.Many2One('res.user', "User", ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('task')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Range()), (t.task, Index.Range())),
                Index(t, (t.user, Index.Range()), (t.task, Index.Range())),
                Index(t, (t.task, Index.Range())),
                })


class Milestone(ModelSQL, ModelView):
    __name__ = 'egov.supervision.milestone'
    __string__ = "Supervision Milestone"
    _egov_visibility = 'parent'

    task = fields.Many2One('egov.supervision.task', "Task", required=True,
        ondelete='CASCADE')
    name = fields.Char("Milestone", required=True, strip=True)
    date = fields.Date("Date", required=True)
    done = fields.Boolean("Done")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('task')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.task, Index.Range())))

    @classmethod
    def check_modification(cls, mode, milestones, values=None,
            external=False):
        super().check_modification(
            mode, milestones, values=values, external=external)
        if not external or trusted():
            return
        for milestone in milestones:
            task = milestone.task
            if task.state == 'closed':
                raise SupervisionError(gettext(
                        'egov_supervision.msg_task_closed',
                        task=task.rec_name))
            check_acting(task.assigning_unit if task.state == 'draft'
                else task.lead_unit, task)

    @classmethod
    def validate_fields(cls, milestones, field_names):
        super().validate_fields(milestones, field_names)
        for milestone in milestones:
            task = milestone.task
            if not (task.start <= milestone.date <= task.deadline):
                raise SupervisionValidationError(gettext(
                        'egov_supervision.msg_milestone_outside',
                        milestone=milestone.name, date=milestone.date,
                        start=task.start, deadline=task.deadline))


def message_values(title, unit, deadline, note=''):
    "The values of the message templates (templates.xml) of a task"
    return {
        'title': title[:200],
        'unit': unit[:100],
        'deadline': deadline.isoformat(),
        'note': (note or '')[:500],
        }


def working_deadline(start, days):
    "The date days working days after start (a date)"
    Holiday = Pool().get('egov.workflow.holiday')
    return Holiday.add_working_days(
        datetime.datetime.combine(start, datetime.time()), days).date()


def working_days_before(date, days):
    "The date days working days before date"
    Holiday = Pool().get('egov.workflow.holiday')
    count = 0
    while count < days:
        date -= datetime.timedelta(days=1)
        if Holiday.is_working_day(date):
            count += 1
    return date

