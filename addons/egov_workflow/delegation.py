"""Standing delegations (委托): while a person is away, their to-dos go to
a delegate, shown as 'A 代 B'."""
from sql import Literal
from sql.conditionals import Coalesce

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import WorkflowValidationError


class Delegation(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.workflow.delegation'
    __string__ = "Delegation"
    _egov_visibility = 'owner'

    delegator = fields.Many2One(
        'res.user', "Delegator", required=True, ondelete='CASCADE',
        help="The person who is away.")
    delegate = fields.Many2One(
        'res.user', "Delegate", required=True, ondelete='CASCADE',
        domain=[('id', '!=', Eval('delegator', -1))],
        help="Who acts for them.")
    start_date = fields.Date("From", required=True,
        domain=[If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date')), ())])
    end_date = fields.Date("To", required=True)
    process_code = fields.Char(
        "Process Code", help="Only this process; empty: every process.")
    note = fields.Char("Note")
    _delegate_cache = Cache('egov_workflow_delegation.delegate', context=False)
    # Who is away today: a few people of thousands, found by one query, so
    # that opening a to-do for anyone else asks nothing of the database
    _away_cache = Cache('egov_workflow_delegation.away', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.delegator, Index.Range()), (t.end_date, Index.Range())))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_delegator(cls):
        return Transaction().user

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return gettext('egov_workflow.msg_workflow_acting_for',
            delegate=self.delegate.rec_name,
            delegator=self.delegator.rec_name)

    @classmethod
    def validate_fields(cls, delegations, field_names):
        super().validate_fields(delegations, field_names)
        from .targets import check_colleagues
        for delegation in delegations:
            if delegation.delegate == delegation.delegator:
                raise WorkflowValidationError(gettext(
                        'egov_workflow.msg_workflow_delegate_self'))
            # As a hand-over (转交): an active colleague of the division,
            # no administrator
            if Transaction().user:
                check_colleagues(
                    [delegation.delegate.id], holder=delegation.delegator)
            # A delegate who is away too would pass the work on again
            away = cls.search([
                    ('delegator', '=', delegation.delegate.id),
                    ('start_date', '<=', delegation.end_date),
                    ('end_date', '>=', delegation.start_date),
                    ], limit=1)
            if away:
                raise WorkflowValidationError(gettext(
                        'egov_workflow.msg_workflow_delegate_away',
                        delegate=delegation.delegate.rec_name))

    @classmethod
    def on_modification(cls, mode, delegations, field_names=None):
        super().on_modification(mode, delegations, field_names=field_names)
        cls._delegate_cache.clear()
        cls._away_cache.clear()

    @classmethod
    def away_today(cls):
        "The ids of the people with a delegation in force today"
        today = Pool().get('ir.date').today()
        away = cls._away_cache.get(today)
        if away is None:
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.delegator,
                    where=(table.active == Literal(True))
                    & (table.start_date <= today)
                    & (table.end_date >= today),
                    group_by=[table.delegator]))
            away = frozenset(r for r, in cursor)
            cls._away_cache.set(today, away)
        return away

    @classmethod
    def delegate_of(cls, user_id, process_code):
        "Return the id of who acts today for user_id, or None"
        if user_id not in cls.away_today():
            return None
        today = Pool().get('ir.date').today()
        key = (user_id, process_code, today)
        result = cls._delegate_cache.get(key, -1)
        if result != -1:
            return result
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.delegate,
                where=(table.delegator == user_id)
                & (table.active == Literal(True))
                & (table.start_date <= today) & (table.end_date >= today)
                & (Coalesce(table.process_code, process_code)
                    == process_code),
                limit=1))
        row = cursor.fetchone()
        result = row[0] if row else None
        cls._delegate_cache.set(key, result)
        return result
