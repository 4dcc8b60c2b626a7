"""The working-day calendar: weekends, China's official holidays and the
weekend days worked in exchange (调休上班), editable by administrators."""
import datetime

from trytond.cache import Cache
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.transaction import Transaction

# A step due in N working days is due at the end of the Nth working day
END_OF_DAY = datetime.time(18, 0)


class Holiday(ModelSQL, ModelView):
    __name__ = 'egov.workflow.holiday'
    __string__ = "Holiday or Working Day"
    _egov_visibility = 'city'

    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('holiday', "Holiday"),
            ('workday', "Working Day"),
            ], "Kind", required=True, sort=False,
        help="A holiday on a weekday, or a weekend day worked in exchange.")
    name = fields.Char("Name", required=True, strip=True)
    _days_cache = Cache('egov_workflow_holiday.days', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('date_unique', Unique(t, t.date),
                'egov_workflow.msg_workflow_holiday_date_unique'),
            ]
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_kind(cls):
        return 'holiday'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        cls._days_cache.clear()

    @classmethod
    def special_days(cls):
        "Return {date: kind} of every date that is not as its weekday says"
        days = cls._days_cache.get(None)
        if days is None:
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.date, table.kind))
            days = {}
            for date, kind in cursor:
                if isinstance(date, str):
                    date = datetime.date.fromisoformat(date)
                days[date] = kind
            cls._days_cache.set(None, days)
        return days

    @classmethod
    def is_working_day(cls, date):
        kind = cls.special_days().get(date)
        if kind:
            return kind == 'workday'
        return date.weekday() < 5

    @classmethod
    def add_working_days(cls, start, days):
        """Return the deadline of a step started at start (a datetime) that
        has days working days: the end of the days-th working day after"""
        date = start.date()
        count = 0
        while count < days:
            date += datetime.timedelta(days=1)
            if cls.is_working_day(date):
                count += 1
        return datetime.datetime.combine(date, END_OF_DAY)

    @classmethod
    def working_days_between(cls, start, end):
        "Number of working days after start's date up to end's date"
        count, date = 0, start.date()
        while date < end.date():
            date += datetime.timedelta(days=1)
            if cls.is_working_day(date):
                count += 1
        return count
