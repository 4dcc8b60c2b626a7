"""What the routing saved (短信统计): per unit and month, the SMS sent and
their cost, the reminders that were not needed because people read the
message in the platform or WeChat first, and what that saved; and the
replies (回复率) to the messages that asked for one."""
from sql import Cast, Literal
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import ToChar

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

SENT = ('sent', 'delivered', 'read')


class SMSReport(ModelSQL, ModelView):
    __name__ = 'egov.notify.sms.report'
    __string__ = "SMS Cost"
    _egov_visibility = 'admin'

    month = fields.Char("Month")
    unit = fields.Many2One('egov.org.unit', "Unit")
    sent = fields.Integer("SMS Sent")
    segments = fields.Integer("SMS Billed")
    cost = fields.Numeric("Cost (yuan)", digits=(16, 2))
    avoided = fields.Integer("SMS Avoided",
        help="Reminders not sent: the message was read in the platform "
        "or in WeChat Work first.")
    saved = fields.Numeric("Saved (yuan)", digits=(16, 2))
    failed = fields.Integer("SMS Failed")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('cost', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Delivery = pool.get('egov.notify.delivery')
        Configuration = pool.get('egov.notify.configuration')
        price = Configuration.policy().sms_price or 0
        d = Delivery.__table__()
        rows = d.select(
            d.id, d.unit, d.state, d.segments, d.cost,
            ToChar(d.create_date, 'YYYY-MM').as_('month'),
            where=d.channel == 'sms')
        numeric = cls.cost.sql_type().base
        one = Literal(1)
        sent = Case((rows.state.in_(list(SENT)), one), else_=Literal(0))
        avoided = Case((rows.state == 'cancelled', one), else_=Literal(0))
        failed = Case((rows.state == 'failed', one), else_=Literal(0))
        return rows.select(
            Min(rows.id).as_('id'),
            rows.month,
            rows.unit,
            Sum(sent).as_('sent'),
            Sum(Case((rows.state.in_(list(SENT)),
                        Coalesce(rows.segments, one)),
                    else_=Literal(0))).as_('segments'),
            Cast(Sum(Case((rows.state.in_(list(SENT)),
                            Coalesce(rows.cost, Literal(0))),
                        else_=Literal(0))), numeric).as_('cost'),
            Sum(avoided).as_('avoided'),
            Cast(Sum(avoided) * Literal(price), numeric).as_('saved'),
            Sum(failed).as_('failed'),
            group_by=[rows.month, rows.unit])


class ReplyReport(ModelSQL, ModelView):
    __name__ = 'egov.notify.reply.report'
    __string__ = "Reply Rate"
    _egov_visibility = 'admin'

    month = fields.Char("Month")
    unit = fields.Many2One('egov.org.unit', "Sender's Unit")
    asked = fields.Integer("People Asked")
    replied = fields.Integer("Replies")
    rate = fields.Float("Reply Rate", digits=(3, 2))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('asked', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Message = pool.get('egov.notify.message')
        Delivery = pool.get('egov.notify.delivery')
        Reply = pool.get('egov.notify.reply')
        m = Message.__table__()
        d = Delivery.__table__()
        r = Reply.__table__()
        asking = m.select(
            m.id, m.sender_unit,
            ToChar(m.create_date, 'YYYY-MM').as_('month'),
            where=m.reply_options != None)  # noqa: E711
        asked = asking.join(d, condition=(d.message == asking.id)
            & (d.channel == 'inapp')).select(
            asking.sender_unit, asking.month,
            Count(d.id).as_('asked'),
            Min(asking.id).as_('id'),
            group_by=[asking.sender_unit, asking.month])
        # Each person once per message, however often they answered
        answers = r.select(r.message, r.user,
            where=r.user != None,  # noqa: E711
            group_by=[r.message, r.user])
        replied = asking.join(answers,
            condition=answers.message == asking.id).select(
            asking.sender_unit, asking.month,
            Count(answers.user).as_('replied'),
            group_by=[asking.sender_unit, asking.month])
        joined = asked.join(replied, 'LEFT', condition=(
                (asked.sender_unit == replied.sender_unit)
                | ((asked.sender_unit == None)  # noqa: E711
                    & (replied.sender_unit == None)))  # noqa: E711
            & (asked.month == replied.month))
        float_ = cls.rate.sql_type().base
        return joined.select(
            asked.id.as_('id'),
            asked.month,
            asked.sender_unit.as_('unit'),
            asked.asked.as_('asked'),
            Coalesce(replied.replied, Literal(0)).as_('replied'),
            (Cast(Coalesce(replied.replied, Literal(0)), float_)
                / Cast(asked.asked, float_)).as_('rate'))
