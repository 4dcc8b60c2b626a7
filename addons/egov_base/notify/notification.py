"""The platform's notification (the bell of the web client) read by its
person marks their deliveries of the message read, and cancels the SMS
reminder: reading in the platform is what saves the SMS."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class Notification(metaclass=PoolMeta):
    __name__ = 'res.notification'

    @classmethod
    def on_modification(cls, mode, notifications, field_names=None):
        super().on_modification(mode, notifications, field_names=field_names)
        if mode != 'write' or (
                field_names is not None and 'unread' not in field_names):
            return
        read = [n.id for n in notifications if not n.unread]
        if not read:
            return
        Delivery = Pool().get('egov.notify.delivery')
        with without_check_access():
            deliveries = Delivery.search([
                    ('notification', 'in', read),
                    ('channel', '=', 'inapp'),
                    ])
            Delivery.mark_read(deliveries, notifications=False)
