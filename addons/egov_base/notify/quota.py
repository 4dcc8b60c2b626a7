"""Permissions and quotas (权限配置): the SMS a unit may send in a month,
and the channels each module may use."""
import datetime

from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.operators import In

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .exceptions import QuotaError

COUNTED = ['sending', 'sent', 'delivered', 'read']


def month_start(date=None):
    date = date or datetime.date.today()
    return datetime.datetime(date.year, date.month, 1)


class Quota(ModelSQL, ModelView):
    __name__ = 'egov.notify.quota'
    __string__ = "SMS Quota"
    _egov_visibility = 'admin'

    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='CASCADE')
    monthly = fields.Integer("SMS per Month", required=True,
        domain=[('monthly', '>=', 0)],
        help="Counted as the carrier bills them: a long SMS counts "
        "several.")
    used = fields.Function(fields.Integer("Used This Month"), 'get_used')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('unit_unique', Unique(t, t.unit),
                'egov_base.msg_notify_quota_unit_unique'),
            ]

    @classmethod
    def get_used(cls, quotas, name):
        used = cls.used_by([q.unit.id for q in quotas])
        return {q.id: used.get(q.unit.id, 0) for q in quotas}

    @classmethod
    def used_by(cls, unit_ids, exclude=()):
        "{unit id: SMS counted this month}, not counting the exclude ids"
        Delivery = Pool().get('egov.notify.delivery')
        table = Delivery.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub in grouped_slice(unit_ids, 1000):
            cursor.execute(*table.select(table.unit,
                    Sum(Coalesce(table.segments, 1)),
                    where=In(table.unit, list(sub))
                    & (table.channel == 'sms')
                    & In(table.state, COUNTED)
                    & (table.create_date >= month_start())
                    & ~In(table.id, list(exclude) or [-1]),
                    group_by=[table.unit]))
            result.update({u: int(n or 0) for u, n in cursor})
        return result

    @classmethod
    def limits(cls, unit_ids):
        "{unit id: monthly limit} of the units that have a quota"
        with without_check_access():
            quotas = cls.search([('unit', 'in', list(unit_ids))])
        return {q.unit.id: q.monthly for q in quotas}

    @classmethod
    def split(cls, deliveries):
        """(allowed, refused) of SMS deliveries by their unit's quota:
        one SMS at least each (the provider counts long ones)"""
        units = {d.unit.id for d in deliveries if d.unit}
        limits = cls.limits(units)
        if not limits:
            return deliveries, []
        used = cls.used_by(list(limits), exclude=[d.id for d in deliveries])
        allowed, refused = [], []
        for delivery in deliveries:
            unit = delivery.unit.id if delivery.unit else None
            if unit in limits:
                if used.get(unit, 0) >= limits[unit]:
                    refused.append(delivery)
                    continue
                used[unit] = used.get(unit, 0) + 1
            allowed.append(delivery)
        return allowed, refused

    @classmethod
    def check(cls, unit, count):
        """Refuse, before anything is queued, count SMS more than the
        quota of unit leaves this month"""
        if not unit:
            return
        limits = cls.limits([unit.id])
        if unit.id not in limits:
            return
        used = cls.used_by([unit.id]).get(unit.id, 0)
        if used + count > limits[unit.id]:
            raise QuotaError(gettext('egov_base.msg_notify_quota_exhausted',
                    unit=unit.rec_name, used=used, limit=limits[unit.id],
                    count=count))


class ChannelRule(ModelSQL, ModelView):
    "Which channels a module may use (all, unless a rule says otherwise)"
    __name__ = 'egov.notify.channel.rule'
    __string__ = "Channel Rule"
    _egov_visibility = 'admin'

    module = fields.Char("Module", required=True, strip=True,
        help="The technical name of the module (egov_document …).")
    channel = fields.Selection([
            ('wechat', "WeChat Work"),
            ('sms', "SMS"),
            ('email', "E-mail"),
            ], "Channel", required=True)
    allowed = fields.Boolean("Allowed")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('module_channel_unique', Unique(t, t.module, t.channel),
                'egov_base.msg_notify_channel_rule_unique'),
            ]

    @classmethod
    def allowed_channels(cls, module):
        channels = {'inapp', 'wechat', 'sms', 'email'}
        with without_check_access():
            for rule in cls.search([('module', '=', module)]):
                if not rule.allowed:
                    channels.discard(rule.channel)
        return channels
