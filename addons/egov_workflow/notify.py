"""Notifications (通知) of the web client, built in one place: each in the
language of the person it tells, not in that of whoever acts (the initiator
who urges, the scheduler that reminds, the holder who sends the to-do on)."""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access


def languages(users):
    """{user id: the code of the language user reads the platform in}: their
    own, or the one their client falls back to when they have none"""
    pool = Pool()
    User = pool.get('res.user')
    Configuration = pool.get('ir.configuration')
    default = Configuration.get_language()
    with without_check_access():
        users = User.browse(list({int(u) for u in users}))
        return {u.id: u.language.code if u.language else default
            for u in users}


def notify(notices):
    """Tell people, each in their language; notices: dicts of

    user: the person told (res.user or id)
    message: the ir.message of the label ('module.id'), with
    values: its variables
    description: the second line: a text, or a function of no argument
        called in the person's language
    model, record: what the notification opens (a record of model or id)
    action: the XML id ('module.id') of the action that opens it
    """
    pool = Pool()
    Notification = pool.get('res.notification')
    ModelData = pool.get('ir.model.data')
    notices = list(notices)
    language_of = languages(n['user'] for n in notices)
    actions = {}
    notifications = []
    for notice in notices:
        user = int(notice['user'])
        action = notice.get('action')
        if action and action not in actions:
            actions[action] = ModelData.get_id(*action.split('.', 1))
        with Transaction().set_context(language=language_of[user]):
            label = gettext(notice['message'], **notice.get('values', {}))
            description = notice.get('description')
            if callable(description):
                description = description()
        notifications.append(Notification(
                user=user,
                label=label,
                description=description,
                icon=notice.get('icon', 'tryton-notification'),
                model=notice.get('model'),
                records=('[%d]' % int(notice['record'])
                    if notice.get('record') is not None else None),
                action=actions.get(action)))
    with without_check_access():
        Notification.save(notifications)
    return notifications


def mark_read(model, ids, users):
    """Mark read the unread notifications of users that open the records
    ids of model: what they announced is done, the badge counts what
    waits"""
    pool = Pool()
    Notification = pool.get('res.notification')
    ids = list(ids)
    if not ids:
        return
    with without_check_access():
        notifications = Notification.search([
                ('user', 'in', list(set(users))),
                ('unread', '=', True),
                ('model', '=', model),
                ('records', 'in', ['[%d]' % i for i in ids]),
                ])
        if notifications:
            Notification.write(notifications, {'unread': False})


class Task(metaclass=PoolMeta):
    __name__ = 'egov.workflow.task'

    @classmethod
    def on_modification(cls, mode, tasks, field_names=None):
        super().on_modification(mode, tasks, field_names=field_names)
        # Done, closed, handed over or read: its notifications are done too
        if mode == 'write' and (field_names is None or 'state' in field_names):
            done = [t for t in tasks if t.state != 'open']
            mark_read(cls.__name__, [t.id for t in done],
                [t.user.id for t in done])
