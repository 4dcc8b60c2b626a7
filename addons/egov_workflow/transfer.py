"""Transfers hand the engine's work over (人员调动): when a person moves,
their open to-dos, their unread copies and their standing delegations go to
the successor the administrator names, every item recorded in the audit.

What goes where:

- an open to-do the person holds, for themselves or as a delegate ('A 代
  B'), or that a delegate holds for them, is handed over as an
  administrator's reassignment does (Task.reassign): it closes as handed
  over and a new one opens for the successor, who is told. A to-do the
  person held for someone who is away stays theirs: the successor holds it
  for them ('successor 代 B');
- an open copy (抄送) closes as handed over and a new copy opens for the
  successor, who is told;
- a standing delegation in which the person acts for someone who is away
  moves to the successor: the successor takes over the person's place in
  their unit, and the colleague who is away would otherwise find their new
  to-dos waiting for nobody until they come back. It is told of the
  change. It ends instead when the successor is the one away, or is away
  in the same days (a delegate who is away would pass the work on again);
- a standing delegation of the person (someone acts for them while they
  are away) ends: it named who acts for them in the unit they leave, the
  successor is not away, and their new unit's work was never meant for
  that delegate. It is made inactive and stays as history.

Delegations over before today are history and stay as they are."""
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from egov_base.exceptions import OrgError
from egov_base.tools import check_write_access

from .notify import notify

AUDIT_METHOD = 'egov.org.transfer.handover'


class Transfer(metaclass=PoolMeta):
    __name__ = 'egov.org.transfer'

    @classmethod
    def handover_handlers(cls):
        return super().handover_handlers() + [cls.hand_over_workflow]

    def check_transfer(self):
        super().check_transfer()
        if not self.successor:
            return
        Employee = Pool().get('egov.org.employee')
        # The successor must be one of the people the administrator
        # manages (the record rules of writing: a county administrator's
        # own county); reading the directory is open to everyone
        try:
            check_write_access(Employee, [self.successor])
        except AccessError:
            raise OrgError(gettext(
                    'egov_workflow.msg_transfer_successor_out_of_scope',
                    successor=self.successor.name))
        if self.pending_work:
            user = self.successor.user
            if not user or not user.active:
                raise OrgError(gettext(
                        'egov_workflow.msg_transfer_successor_no_login',
                        successor=self.successor.name,
                        count=self.pending_work))

    @classmethod
    def workflow_work(cls, user):
        """The engine's work of user: (open to-dos, open copies, standing
        delegations still in force or to come)"""
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Delegation = pool.get('egov.workflow.delegation')
        today = pool.get('ir.date').today()
        with without_check_access():
            todos = Task.search([
                    ('kind', '=', 'todo'),
                    ('state', '=', 'open'),
                    ['OR',
                        ('user', '=', user.id),
                        ('acting_for', '=', user.id),
                        ],
                    ], order=[('id', 'ASC')])
            copies = Task.search([
                    ('kind', '=', 'cc'),
                    ('state', '=', 'open'),
                    ('user', '=', user.id),
                    ], order=[('id', 'ASC')])
            delegations = Delegation.search([
                    ('end_date', '>=', today),
                    ['OR',
                        ('delegator', '=', user.id),
                        ('delegate', '=', user.id),
                        ],
                    ], order=[('id', 'ASC')])
        return todos, copies, delegations

    @classmethod
    def hand_over_workflow(cls, transfer, count_only):
        "The handler of the engine's work: see the module's docstring"
        user = transfer.employee.user
        if not user:
            return 0
        todos, copies, delegations = cls.workflow_work(user)
        count = len(todos) + len(copies) + len(delegations)
        if count_only or not count:
            return count
        successor = transfer.successor.user
        with without_check_access():
            return (
                cls._hand_over_todos(transfer, user, successor, todos)
                + cls._hand_over_copies(transfer, user, successor, copies)
                + cls._hand_over_delegations(
                    transfer, user, successor, delegations))

    @classmethod
    def _audit(cls, transfer, record, text, changes):
        "One audit row per item handed over: who, what, from whom, to whom"
        Log = Pool().get('egov.audit.log')
        Log.record('write', model=record.__name__, record_id=record.id,
            record_name=record.rec_name, method=AUDIT_METHOD, message=text,
            changes=dict(changes, transfer=transfer.id))

    @classmethod
    def _hand_over_todos(cls, transfer, user, successor, todos):
        "Return the number of to-dos handed over"
        Task = Pool().get('egov.workflow.task')
        count = 0
        for task in todos:
            holder, acting_for = task.user, task.acting_for
            Task.reassign([task], successor)
            new = Task.search([
                    ('previous', '=', task.id),
                    ('kind', '=', 'todo'),
                    ('state', '=', 'open'),
                    ], order=[('id', 'DESC')], limit=1)
            if not new:
                # Acted on meanwhile (reassign skips what is not open)
                continue
            new, = new
            count += 1
            if (holder == user and acting_for
                    and acting_for != successor
                    and new.user == successor and not new.acting_for):
                # Held for someone who is away: the successor acts for them
                Task.write([new], {'acting_for': acting_for.id})
                new = Task(new.id)
            cls._audit(transfer, task, gettext(
                    'egov_workflow.msg_transfer_audit_todo',
                    employee=transfer.employee.name,
                    task=task.rec_name,
                    holder=task.holder_name,
                    successor=new.holder_name,
                    transfer=transfer.rec_name), {
                    'user': [holder.rec_name, new.user.rec_name],
                    'acting_for': [
                        acting_for.rec_name if acting_for else None,
                        new.acting_for.rec_name if new.acting_for else None],
                    'state': ['open', 'handed_over'],
                    'next': new.id,
                    })
        return count

    @classmethod
    def _hand_over_copies(cls, transfer, user, successor, copies):
        "Return the number of copies handed over"
        Task = Pool().get('egov.workflow.task')
        if not copies:
            return 0
        Task.close(copies, 'handed_over')
        had = {(t.instance.id, t.step) for t in Task.search([
                    ('kind', '=', 'cc'),
                    ('state', '=', 'open'),
                    ('user', '=', successor.id),
                    ])}
        values, moved = [], []
        for copy in copies:
            key = (copy.instance.id, copy.step)
            if key in had:
                # The successor has this copy already: one is enough
                moved.append((copy, None))
                continue
            had.add(key)
            values.append({
                    'instance': copy.instance.id,
                    'step': copy.step,
                    'step_name': copy.step_name,
                    'kind': 'cc',
                    'user': successor.id,
                    'previous': copy.id,
                    'title': copy.title,
                    'process_name': copy.process_name,
                    'sender': copy.sender.id if copy.sender else None,
                    'sender_name': copy.sender_name,
                    })
            moved.append((copy, len(values) - 1))
        new_copies = Task.create(values)
        Task.notify_holders(new_copies)
        for copy, index in moved:
            new = new_copies[index] if index is not None else None
            cls._audit(transfer, copy, gettext(
                    'egov_workflow.msg_transfer_audit_copy',
                    employee=transfer.employee.name,
                    task=copy.rec_name,
                    successor=successor.rec_name,
                    transfer=transfer.rec_name), {
                    'user': [user.rec_name, successor.rec_name],
                    'state': ['open', 'handed_over'],
                    'next': new.id if new else None,
                    })
        return len(copies)

    @classmethod
    def _hand_over_delegations(cls, transfer, user, successor, delegations):
        "Return the number of delegations moved or ended"
        pool = Pool()
        Delegation = pool.get('egov.workflow.delegation')
        ended, notices = [], []
        for delegation in delegations:
            delegator, delegate = delegation.delegator, delegation.delegate
            if delegate == user and delegator != successor and not (
                    Delegation.search([
                            ('delegator', '=', successor.id),
                            ('start_date', '<=', delegation.end_date),
                            ('end_date', '>=', delegation.start_date),
                            ], limit=1)):
                Delegation.write([delegation], {'delegate': successor.id})
                cls._audit(transfer, delegation, gettext(
                        'egov_workflow.msg_transfer_audit_delegation_moved',
                        employee=transfer.employee.name,
                        delegator=delegator.rec_name,
                        successor=successor.rec_name,
                        transfer=transfer.rec_name), {
                        'delegate': [delegate.rec_name, successor.rec_name],
                        })
                notices.append({
                        'user': delegator,
                        'event': 'delegation_moved',
                        'values': {
                            'employee': transfer.employee.name,
                            'successor': successor.rec_name,
                            'delegation': Delegation(delegation.id).rec_name,
                            },
                        'model': Delegation.__name__,
                        'record': delegation.id,
                        'action': 'egov_workflow.act_delegation_form',
                        })
            else:
                ended.append(delegation)
                cls._audit(transfer, delegation, gettext(
                        'egov_workflow.msg_transfer_audit_delegation_ended',
                        employee=transfer.employee.name,
                        delegation=delegation.rec_name,
                        transfer=transfer.rec_name), {
                        'active': [True, False],
                        })
        if ended:
            Delegation.write(ended, {'active': False})
        if notices:
            notify(notices)
        return len(delegations)
