"""Statistics of the audit for auditors: actions per hour, unit, division,
action and result over a period chosen in the context (default: the last
seven days), for lists and graphs."""
import datetime

from sql import Cast, Literal
from sql.aggregate import Count, Min
from sql.functions import DateTrunc, Extract
from sql.operators import Mod
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .log import ACTIONS, RESULTS

# Hours of the day are counted in China Standard Time (UTC+8, no DST)
UTC_OFFSET_HOURS = 8


class AuditStatistic(ModelSQL, ModelView):
    __name__ = 'egov.audit.statistic'
    __string__ = "Audit Statistics"
    _egov_visibility = 'admin'

    time = fields.DateTime("Hour")
    hour = fields.Integer("Hour of Day")
    unit_id = fields.Integer("Unit ID")
    unit_name = fields.Char("Unit")
    division_id = fields.Integer("Division ID")
    division_name = fields.Char("Division")
    action = fields.Selection(ACTIONS, "Action")
    action_string = action.translated('action')
    action_name = fields.Function(fields.Char("Action"), 'get_action_name')
    result = fields.Selection(RESULTS, "Result")
    count = fields.Integer("Count")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('time', 'DESC'), ('count', 'DESC'), ('id', 'ASC')]

    def get_action_name(self, name):
        # Graphs show the text of a selection's key: give them the label
        return self.action_string

    @classmethod
    def table_query(cls):
        pool = Pool()
        Log = pool.get('egov.audit.log')
        log = Log.__table__()
        context = Transaction().context
        today = datetime.date.today()
        start = context.get('from_date') or today - datetime.timedelta(7)
        end = context.get('to_date') or today
        start = datetime.datetime.combine(start, datetime.time()) - (
            datetime.timedelta(hours=UTC_OFFSET_HOURS))
        end = datetime.datetime.combine(
            end + datetime.timedelta(1), datetime.time()) - (
            datetime.timedelta(hours=UTC_OFFSET_HOURS))
        # The hour is computed below and grouped above: PostgreSQL would
        # not see two parameterised DATE_TRUNC as the same expression
        rows = log.select(
            log.id,
            DateTrunc('hour', log.timestamp).as_('time'),
            Mod(Extract('HOUR', log.timestamp)
                + Literal(UTC_OFFSET_HOURS), Literal(24)).as_('hour'),
            log.unit_id, log.unit_name, log.division_id, log.division_name,
            log.action, log.result,
            where=(log.timestamp >= start) & (log.timestamp < end))
        return rows.select(
            Min(rows.id).as_('id'),
            rows.time,
            Cast(Min(rows.hour), cls.hour.sql_type().base).as_('hour'),
            rows.unit_id, rows.unit_name, rows.division_id,
            rows.division_name, rows.action, rows.result,
            Count(rows.id).as_('count'),
            group_by=[rows.time, rows.unit_id, rows.unit_name,
                rows.division_id, rows.division_name, rows.action,
                rows.result])


class AuditStatisticContext(ModelView):
    __name__ = 'egov.audit.statistic.context'
    __string__ = "Audit Statistics Context"

    from_date = fields.Date("From")
    to_date = fields.Date("To")

    @classmethod
    def default_from_date(cls):
        return datetime.date.today() - datetime.timedelta(7)

    @classmethod
    def default_to_date(cls):
        return datetime.date.today()
