"""To-dos (待办): one person's part of a step, the inbox of every module,
and the actions on them: agree, disagree, send back (退回), hand over
(转交), withdraw (收回). Every action writes an opinion (意见); the holders
are told through notify_holders (notify.py), each in their language."""
import datetime

from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from egov_base.tools import IN_MAX, existing_references, record_rpc

from .exceptions import (
    TaskHolderError, TaskStateError, WorkflowError, WorkflowFrozenError)
from .one_query import OneQuerySearchRead
from .instance import rule_message
from .notify import notify
from .process import page_url
from .rules import RuleError
from .targets import check_colleagues, check_managed

DECISIONS = [
    ('approve', "Agree"),
    ('reject', "Disagree"),
    ('send_back', "Send Back"),
    ('hand_over', "Hand Over"),
    ('withdraw', "Withdraw"),
    ('read', "Read"),
    ]
# Yellow when less than this part of the time limit is left
YELLOW = 0.25
# What the holders of to-dos are told (notify_holders), by kind; 'new' by
# the kind of the to-do
# The events of the templates (templates.xml) and their urgency
NOTICES = {
    'new': {'todo': 'task_new', 'cc': 'task_copy'},
    'overdue': 'task_overdue',
    'urge': 'task_urge',
    }
URGENCY = {'new': 'normal', 'overdue': 'urgent', 'urge': 'urgent'}


def phone_page(task):
    """The page a to-do opens from WeChat or e-mail: the phone's signing
    page of the to-do (routes.py), on the platform's public address"""
    from egov_base.notify.tracking import public_url
    return public_url() + page_url('sign', task.id)


def may_hold(record, step, user_id):
    """Whether the step of record may go to user_id (the record's
    workflow_check_holders lets it: a 密级 document to someone cleared)"""
    from trytond.exceptions import UserError
    try:
        record.workflow_check_holders(step, [user_id])
    except UserError:
        return False
    return True


class Task(OneQuerySearchRead, ModelSQL, ModelView):
    __name__ = 'egov.workflow.task'
    __string__ = "To-do"
    _egov_visibility = 'owner'

    instance = fields.Many2One(
        'egov.workflow.instance', "Instance", required=True, readonly=True,
        ondelete='CASCADE')
    process = fields.Function(
        fields.Many2One('egov.workflow.process', "Process"), 'get_process')
    # The inbox shows these for thousands of people many times a day: they
    # are copied onto the to-do when it opens, so that a page of the inbox
    # reads one table (an instance keeps its title and process version)
    title = fields.Char("Title", readonly=True)
    process_name = fields.Char("Process Name", readonly=True)
    sender_name = fields.Char("Sent By", readonly=True)
    step = fields.Char("Step", readonly=True, required=True)
    step_name = fields.Char("Step Name", readonly=True)
    engine_task = fields.Char("Engine Task", readonly=True)
    kind = fields.Selection([
            ('todo', "To Do"),
            ('cc', "Copy"),
            ], "Kind", readonly=True, required=True)
    user = fields.Many2One(
        'res.user', "Holder", required=True, readonly=True,
        ondelete='RESTRICT')
    acting_for = fields.Many2One(
        'res.user', "Acting For", readonly=True, ondelete='RESTRICT',
        help="The person this to-do was delegated by (委托).")
    holder_name = fields.Function(fields.Char("Held By"), 'get_holder_name')
    sender = fields.Many2One(
        'res.user', "Sender", readonly=True, ondelete='RESTRICT')
    previous = fields.Many2One(
        'egov.workflow.task', "Previous", readonly=True, ondelete='SET NULL',
        help="The to-do whose action opened this one.")
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ('cancelled', "Closed"),
            ('handed_over', "Handed Over"),
            ], "State", readonly=True, required=True)
    decision = fields.Selection(
        [(None, "")] + DECISIONS, "Decision", readonly=True)
    deadline = fields.DateTime("Deadline", readonly=True)
    light = fields.Function(fields.Selection([
                (None, ""),
                ('green', "Green"),
                ('yellow', "Yellow"),
                ('red', "Red"),
                ], "Light"), 'get_light')
    done_at = fields.Timestamp("Done At", readonly=True)
    done_by = fields.Many2One(
        'res.user', "Done By", readonly=True, ondelete='RESTRICT')
    record = fields.Function(
        fields.Reference("Record", selection='get_models'), 'get_record')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                # The inbox: a person's open to-dos, newest first
                Index(t, (t.user, Index.Range()),
                    (t.create_date, Index.Range(order='DESC')),
                    where=t.state == 'open'),
                Index(t, (t.instance, Index.Range())),
                # Who may read a request: the instances a person has or
                # had a to-do in, or acted in for someone (record rules)
                Index(t, (t.user, Index.Range()), (t.instance, Index.Range())),
                Index(t, (t.acting_for, Index.Range()),
                    (t.instance, Index.Range()),
                    where=t.acting_for != Null),
                Index(t, (t.done_by, Index.Range()),
                    (t.done_at, Index.Range(order='DESC')),
                    where=t.done_by != Null),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        # People read times to the minute
        cls.create_date.format = cls.done_at.format = '%H:%M'
        # The actions, for the pages of the module and the phone
        cls.__rpc__.update({
                # The record rules apply before any of them reads the
                # to-do: another county's id is answered as a missing one
                'decide': record_rpc(readonly=False),
                'send_back_to_id': record_rpc(readonly=False),
                'hand_over_to_id': record_rpc(readonly=False),
                'withdraw_one': record_rpc(readonly=False),
                'facts': record_rpc(),
                })
        cls._buttons.update({
                name: {
                    'invisible': ((Eval('state') != 'open')
                        | (Eval('kind') != 'todo')),
                    'depends': ['state', 'kind'],
                    }
                for name in ['act', 'open_sign', 'send_back', 'hand_over']})
        cls._buttons['mark_read'] = {
            'invisible': (Eval('state') != 'open') | (Eval('kind') != 'cc'),
            'depends': ['state', 'kind'],
            }
        cls._buttons['withdraw'] = {
            'invisible': Eval('state') != 'done',
            'depends': ['state'],
            }

    @classmethod
    def view_attributes(cls):
        # The deadline light coloured in the lists (visual takes PYSON,
        # which a view file cannot encode)
        light = Eval('light')
        return super().view_attributes() + [
            ('/tree/field[@name="light"]', 'visual',
                If(light == 'red', 'danger',
                    If(light == 'yellow', 'warning',
                        If(light == 'green', 'success', '')))),
            ]

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_kind(cls):
        return 'todo'

    @classmethod
    def get_models(cls):
        return Pool().get('egov.workflow.instance').get_models()

    def get_process(self, name):
        return self.instance.process.id

    @classmethod
    def get_record(cls, tasks, name):
        """The record of each to-do's instance (a to-do opened from the
        inbox reads it first): one query, then whether it still exists"""
        pool = Pool()
        Instance = pool.get('egov.workflow.instance')
        task, instance = cls.__table__(), Instance.__table__()
        cursor = Transaction().connection.cursor()
        records = {}
        for ids in grouped_slice([t.id for t in tasks], IN_MAX):
            cursor.execute(*task.join(instance,
                    condition=instance.id == task.instance).select(
                    task.id, instance.record,
                    where=SQL_OPERATORS['in'](task.id, list(ids))))
            records.update(cursor)
        return existing_references(records)

    def get_rec_name(self, name):
        return '%s - %s' % (self.step_name, self.title)

    @classmethod
    def get_holder_name(cls, tasks, name):
        result = {}
        for task in tasks:
            if task.acting_for:
                # 'A 代 B': A acts for B while B is away
                result[task.id] = gettext(
                    'egov_workflow.msg_workflow_acting_for',
                    delegate=task.user.rec_name,
                    delegator=task.acting_for.rec_name)
            else:
                result[task.id] = task.user.rec_name
        return result

    @classmethod
    def get_light(cls, tasks, name):
        return cls.lights([{'id': t.id, 'deadline': t.deadline,
                    'create_date': t.create_date, 'state': t.state}
                for t in tasks])

    @classmethod
    def lights(cls, rows):
        "Green, yellow or red by how much of the time limit is left"
        now = datetime.datetime.now()
        result = {}
        for row in rows:
            deadline = row['deadline']
            if not deadline or row['state'] != 'open':
                result[row['id']] = None
                continue
            total = (deadline - row['create_date']).total_seconds()
            left = (deadline - now).total_seconds()
            if left < 0:
                result[row['id']] = 'red'
            elif total > 0 and left / total < YELLOW:
                result[row['id']] = 'yellow'
            else:
                result[row['id']] = 'green'
        return result

    @classmethod
    def row_functions(cls):
        # The inbox's page is one query, light included
        return {**super().row_functions(),
            'light': (['id', 'deadline', 'create_date', 'state'],
                cls.lights),
            }

    @classmethod
    def check_modification(cls, mode, tasks, values=None, external=False):
        super().check_modification(
            mode, tasks, values=values, external=external)
        # To-dos change only through the actions on them
        if external and mode in {'write', 'delete'}:
            raise WorkflowFrozenError(gettext(
                    'egov_workflow.msg_workflow_task_readonly'))

    @classmethod
    def open_for(cls, instance, to_open, previous):
        """Open the to-dos of ready engine tasks: to_open is a list of
        (engine task id, step, user ids). Standing delegations apply; only
        these holders are told."""
        return cls.open_for_many([(instance, to_open, previous)])

    @classmethod
    def open_for_many(cls, openings):
        """open_for of several instances at once: openings is a list of
        (instance, to_open, previous); one insert for all the to-dos"""
        pool = Pool()
        Delegation = pool.get('egov.workflow.delegation')
        Holiday = pool.get('egov.workflow.holiday')
        now = datetime.datetime.now()
        values = []
        for instance, to_open, previous in openings:
            sender = previous.done_by if previous and previous.done_by else (
                instance.initiator)
            shown = cls.shown_values(instance, sender)
            record = instance.record
            for engine_task, step, people in to_open:
                if record is not None:
                    record.workflow_check_holders(step, people)
                deadline = (Holiday.add_working_days(now, step['deadline'])
                    if step.get('deadline') else None)
                for user_id in people:
                    delegate = Delegation.delegate_of(
                        user_id, instance.process.code)
                    if delegate and record is not None and not (
                            may_hold(record, step, delegate)):
                        # The to-do stays with the holder: the delegate
                        # may not read the record (a 密级 document)
                        delegate = None
                    values.append({
                            'instance': instance.id,
                            'step': step['id'],
                            'step_name': step['name'],
                            'engine_task': engine_task,
                            'kind': 'todo',
                            'user': delegate or user_id,
                            'acting_for': user_id if delegate else None,
                            'previous': previous.id if previous else None,
                            'deadline': deadline,
                            **shown,
                            })
        with without_check_access():
            tasks = cls.create(values)
        cls.notify_holders(tasks)
        return tasks

    @classmethod
    def shown_values(cls, instance, sender):
        "The values of a new to-do the inbox shows"
        User = Pool().get('res.user')
        # The name is a person's rec_name; one column, where the instance
        # would read the whole account
        user = User.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*user.select(user.name, where=user.id == sender.id))
        sender_name, = cursor.fetchone()
        return {
            'title': instance.title,
            'process_name': instance.process.name,
            'sender': sender.id,
            'sender_name': sender_name,
            }

    @classmethod
    def send_copies(cls, instance, task, users):
        """Send a copy (抄送) of the step of task to users: they read the
        record and mark the copy read; they do not act on it"""
        User = Pool().get('res.user')
        record = instance.record
        if record is not None:
            # A copy is read as a to-do is: only by someone the record
            # may go to (a 密级 document to someone cleared)
            record.workflow_check_holders(
                instance.process.step(task.step), users)
        shown = cls.shown_values(
            instance, User(Transaction().user or task.user.id))
        with without_check_access():
            had = {t.user.id for t in cls.search([
                        ('instance', '=', instance.id),
                        ('kind', '=', 'cc'),
                        ('step', '=', task.step),
                        ('state', '=', 'open'),
                        ])}
            copies = cls.create([{
                        'instance': instance.id,
                        'step': task.step,
                        'step_name': task.step_name,
                        'kind': 'cc',
                        'user': user_id,
                        'previous': task.id,
                        **shown,
                        } for user_id in users if user_id not in had])
        cls.notify_holders(copies)
        return copies

    @classmethod
    def notify_holders(cls, tasks, kind='new', **values):
        """Tell the holder of each of tasks, and nobody else, in the holder's
        language: kind 'new' (the to-do or copy just opened), 'overdue'
        (past its deadline) or 'urge' (催办: values has the urging user)"""
        notices = []
        for task in tasks:
            event = NOTICES[kind]
            if isinstance(event, dict):
                event = event[task.kind]
            notices.append({
                    'user': task.user,
                    'event': event,
                    'values': {'step': task.step_name,
                        'title': task.instance.title or '', **values},
                    'model': cls.__name__,
                    'record': task.id,
                    'action': 'egov_workflow.act_inbox',
                    'urgency': URGENCY[kind],
                    'actionable': task.kind == 'todo',
                    'url': phone_page(task),
                    })
        notify(notices)

    @classmethod
    def close(cls, tasks, state):
        if tasks:
            with without_check_access():
                cls.write(tasks, {
                        'state': state,
                        'done_at': datetime.datetime.now(),
                        })

    def check_holder(self):
        "Only the holder acts, and only on an open to-do"
        user = Transaction().user
        if self.state != 'open':
            done_by = self.done_by.rec_name if self.done_by else ''
            raise TaskStateError(gettext(
                    'egov_workflow.msg_workflow_task_not_open',
                    step=self.step_name, title=self.instance.title,
                    user=done_by))
        if user and self.user.id != user:
            raise TaskHolderError(gettext(
                    'egov_workflow.msg_workflow_task_not_yours',
                    step=self.step_name, holder=self.holder_name))
        if self.kind != 'todo':
            raise TaskStateError(gettext(
                    'egov_workflow.msg_workflow_copy_no_action',
                    title=self.instance.title))

    def facts(self):
        """What the holder of this to-do or copy reads of the record at its
        step: [[label, text]] (the phone's signing page shows them)"""
        if self.user.id != Transaction().user:
            return []
        record = self.instance.record
        if record is None:
            return []
        with without_check_access():
            return [list(f) for f in record.workflow_facts(self.step)]

    @classmethod
    def reload_locked(cls, tasks):
        "Lock the instances, then read the to-dos again as they are now"
        pool = Pool()
        Instance = pool.get('egov.workflow.instance')
        Instance.lock_instances(list({t.instance for t in tasks}))
        for cache in Transaction().cache.values():
            for model in [cls.__name__, Instance.__name__]:
                if model in cache:
                    for task in tasks:
                        cache[model].pop(task.id, None)
                        cache[model].pop(task.instance.id, None)
        return cls.browse([t.id for t in tasks])

    def decide(self, decision, text=None, signature=None, data=None,
            copy_to=None):
        """Agree or disagree on this to-do; the step moves on when its rule
        says so; copy_to: ids of users who get a copy (抄送). Return the
        opinion's id."""
        if decision not in {'approve', 'reject'}:
            raise WorkflowError(gettext(
                    'egov_workflow.msg_workflow_decision_invalid'))
        pool = Pool()
        Opinion = pool.get('egov.workflow.opinion')
        task, = self.reload_locked([self])
        task.check_holder()
        instance = task.instance
        if instance.state != 'running':
            raise TaskStateError(gettext(
                    'egov_workflow.msg_workflow_instance_ended',
                    title=instance.title))
        # What the step asks of whoever acts on it (egov:opinion,
        # egov:signature; steps saved before these are optional)
        step = instance.process.step(task.step)
        if step.get('opinion') == 'required' and not (text or '').strip():
            raise WorkflowError(gettext(
                    'egov_workflow.msg_act_opinion_required',
                    step=task.step_name))
        if step.get('signature') == 'required' and not signature:
            raise WorkflowError(gettext(
                    'egov_workflow.msg_act_signature_required',
                    step=task.step_name))
        record = instance.record
        if data is not None:
            record.workflow_set_data(task.step, data)
        record.workflow_check(task)
        if copy_to:
            # Checked before anything is written: people of the holder's
            # division who act, never an id as the client sent it
            copy_to = check_colleagues(list(copy_to), task.user)
            # and who may read the record (a 密级 document)
            record.workflow_check_holders(
                instance.process.step(task.step), copy_to)
        engine = instance.engine()
        record.workflow_step_done(task, decision)
        opinion = Opinion.add(task, decision, text, signature)
        task.finish(decision)
        if decision == 'reject' and not engine.process.step(task.step)[
                'multi']:
            # A step of one person that disagrees ends the process
            instance.advance_rejected(task)
            return opinion.id
        try:
            engine.complete(task.engine_task, instance.form_data(), decision)
        except RuleError as error:
            raise WorkflowError(rule_message(error))
        # The others who could have done this to-do no longer need to
        with without_check_access():
            others = self.search([
                ('instance', '=', instance.id),
                    ('engine_task', '=', task.engine_task),
                    ('state', '=', 'open'),
                    ('id', '!=', task.id),
                    ])
        self.close(others, 'cancelled')
        instance.advance(engine, previous=task, agreed=decision == 'approve')
        if copy_to:
            self.send_copies(instance, task, copy_to)
        return opinion.id

    def finish(self, decision):
        with without_check_access():
            self.write([self], {
                    'state': 'done',
                    'decision': decision,
                    'done_at': datetime.datetime.now(),
                    'done_by': Transaction().user or self.user.id,
                    })

    def send_back_to(self, target, reason):
        """Send the process back to an earlier step, done again by whoever
        did it (退回), with a reason"""
        pool = Pool()
        Opinion = pool.get('egov.workflow.opinion')
        task, = self.reload_locked([self])
        task.check_holder()
        if not reason or not reason.strip():
            raise WorkflowError(gettext(
                    'egov_workflow.msg_workflow_send_back_reason'))
        instance = task.instance
        if target.instance != instance or target.state != 'done' or (
                target.id >= task.id):
            raise WorkflowError(gettext(
                    'egov_workflow.msg_workflow_send_back_target',
                    step=target.step_name))
        engine = instance.engine()
        Opinion.add(task, 'send_back', reason, None, target=target)
        task.finish('send_back')
        engine.return_to(target.engine_task, instance.form_data())
        instance.advance(engine, previous=task,
            return_to={target.step: target.done_by.id})

    def send_back_to_id(self, target_id, reason):
        return self.send_back_to(self.__class__(target_id), reason)

    def hand_over_to(self, user, text):
        "Give this to-do to someone else (转交)"
        pool = Pool()
        Opinion = pool.get('egov.workflow.opinion')
        task, = self.reload_locked([self])
        task.check_holder()
        if user == task.user:
            raise WorkflowError(gettext(
                    'egov_workflow.msg_workflow_hand_over_self'))
        check_colleagues([user.id], task.user)
        Opinion.add(task, 'hand_over', text, None, target_user=user)
        task.finish('hand_over')
        self.close([task], 'handed_over')
        step = task.instance.process.step(task.step)
        self.open_for(task.instance,
            [(task.engine_task, step, [user.id])], task)

    def hand_over_to_id(self, user_id, text):
        User = Pool().get('res.user')
        # An id that is no person is refused before it is looked at
        user_id, = check_colleagues([user_id], self.user)
        return self.hand_over_to(User(user_id), text)

    def withdraw_one(self):
        """Take back what one sent, as long as nobody acted on it since
        (收回)"""
        pool = Pool()
        Opinion = pool.get('egov.workflow.opinion')
        task, = self.reload_locked([self])
        user = Transaction().user
        if task.state != 'done' or (user and task.done_by.id != user):
            raise TaskHolderError(gettext(
                    'egov_workflow.msg_workflow_withdraw_not_yours',
                    step=task.step_name))
        instance = task.instance
        with without_check_access():
            later = self.search([
                    ('instance', '=', instance.id),
                    ('id', '>', task.id),
                    ('kind', '=', 'todo'),
                    ['OR',
                        ('state', '=', 'done'),
                        ('previous', '!=', task.id)],
                    ])
        if later or instance.state != 'running':
            raise TaskStateError(gettext(
                    'egov_workflow.msg_workflow_withdraw_too_late',
                    step=task.step_name))
        engine = instance.engine()
        Opinion.add(task, 'withdraw', None, None)
        engine.return_to(task.engine_task, instance.form_data())
        instance.advance(engine, previous=task,
            return_to={task.step: task.done_by.id})

    @classmethod
    def reassign(cls, tasks, user):
        "An administrator gives open to-dos to another person"
        check_managed([user.id])
        for task in cls.reload_locked(tasks):
            if task.state != 'open':
                continue
            step = task.instance.process.step(task.step)
            cls.close([task], 'handed_over')
            cls.open_for(task.instance,
                [(task.engine_task, step, [user.id])], task)

    @classmethod
    @ModelView.button_action('egov_workflow.url_task_sign')
    def open_sign(cls, tasks):
        "The signing page of the to-do: the opinion with a handwritten name"
        from .process import page_url
        if not tasks:
            return
        return {'url': page_url('sign', tasks[0].id)}

    # Buttons open the action wizard with the decision chosen
    @classmethod
    @ModelView.button_action('egov_workflow.wizard_task_act')
    def act(cls, tasks):
        pass

    @classmethod
    @ModelView.button_action('egov_workflow.wizard_task_send_back')
    def send_back(cls, tasks):
        pass

    @classmethod
    @ModelView.button_action('egov_workflow.wizard_task_hand_over')
    def hand_over(cls, tasks):
        pass

    @classmethod
    @ModelView.button
    def withdraw(cls, tasks):
        for task in tasks:
            task.withdraw_one()

    @classmethod
    @ModelView.button
    def mark_read(cls, tasks):
        user = Transaction().user
        mine = [t for t in tasks
            if t.kind == 'cc' and t.state == 'open' and t.user.id == user]
        with without_check_access():
            cls.write(mine, {
                    'state': 'done', 'decision': 'read',
                    'done_at': datetime.datetime.now(),
                    'done_by': user})
