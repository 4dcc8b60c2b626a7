"""What the engine tells people (new to-dos, copies, 催办, reminders, the
end of a request told to its initiator), sent through the platform's one
notification service (egov_base/notify): each in the language of the
person it tells, not in that of whoever acts, by the channels its template
names; a to-do that is done marks its messages read everywhere."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


def notify(notices):
    """Tell people through the platform's notification service
    (egov.notify.message: the bell, WeChat Work, SMS by the templates of
    templates.xml), each in their language; notices: dicts of

    user: the person told (res.user or id)
    event: the event of egov_workflow's templates (task_new, task_urge …)
    values: the template's values
    model, record: what the message concerns (a record of model or id)
    action: the XML id ('module.id') of the action that opens it
    urgency: normal (default), urgent or critical
    url: the page it opens on a phone, when not the record
    actionable: it tells of a to-do (shown as done when that is done)
    """
    pool = Pool()
    Message = pool.get('egov.notify.message')
    messages = []
    for notice in notices:
        record = None
        if notice.get('record') is not None:
            record = '%s,%d' % (notice['model'], int(notice['record']))
        messages.append(Message.send('egov_workflow', notice['event'],
                {'users': [int(notice['user'])]},
                {k: v if v is not None else ''
                    for k, v in notice.get('values', {}).items()},
                record=record, action=notice.get('action'),
                urgency=notice.get('urgency', 'normal'),
                url=notice.get('url'),
                actionable=notice.get('actionable', False)))
    return messages


def mark_read(model, ids, users, done=False):
    """The messages about the records ids of model are read by users (the
    holders that opened or finished them): read everywhere they were shown,
    their SMS reminders not needed, the badge counts what waits"""
    pool = Pool()
    Message = pool.get('egov.notify.message')
    Delivery = pool.get('egov.notify.delivery')
    ids = list(ids)
    if not ids:
        return
    with without_check_access():
        messages = Message.search([
                ('origin', 'in', ['%s,%d' % (model, i) for i in ids]),
                ])
        if not messages:
            return
        deliveries = Delivery.search([
                ('message', 'in', [m.id for m in messages]),
                ('user', 'in', list(set(users))),
                ])
        Delivery.mark_read([d for d in deliveries if d.channel == 'inapp'])
        if done:
            # Shown as done where it can be (the WeChat card)
            Delivery.show_done(
                [d for d in deliveries if d.channel == 'wechat'])


class Task(metaclass=PoolMeta):
    __name__ = 'egov.workflow.task'

    @classmethod
    def on_modification(cls, mode, tasks, field_names=None):
        super().on_modification(mode, tasks, field_names=field_names)
        # Done, closed, handed over or read: its notifications are done too
        if mode == 'write' and (field_names is None or 'state' in field_names):
            done = [t for t in tasks if t.state != 'open']
            mark_read(cls.__name__, [t.id for t in done],
                [t.user.id for t in done], done=True)
