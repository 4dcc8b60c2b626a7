"""The link a WeChat card or an e-mail opens: it goes through the platform
first, so that opening it marks the message read (WeChat Work tells no
read receipts of an application's messages) and cancels its SMS reminder,
then on to the record. The token is signed: nobody marks another person's
message read by guessing a number."""
import hashlib
import hmac

from trytond import config
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, redirect, with_pool, with_transaction)
from trytond.transaction import Transaction, without_check_access
from trytond.wsgi import app

from ..security import crypto


def _signature(delivery_id):
    secret = crypto.key()
    return hmac.new(secret, b'notify-open:%d' % delivery_id,
        hashlib.sha256).hexdigest()[:32]


def token(delivery_id):
    return '%d-%s' % (delivery_id, _signature(delivery_id))


def check_token(value):
    "The delivery id of a valid token, else None"
    try:
        delivery_id, signature = value.split('-', 1)
        delivery_id = int(delivery_id)
    except ValueError:
        return None
    if hmac.compare_digest(signature, _signature(delivery_id)):
        return delivery_id
    return None


def public_url():
    Configuration = Pool().get('egov.notify.configuration')
    return (Configuration.policy().public_url
        or config.get('egov', 'public_url', default='')).rstrip('/')


def open_url(delivery):
    return '%s/%s/egov/notify/open/%s' % (
        public_url(), Transaction().database.name, token(delivery.id))


@app.route('/<database_name>/egov/notify/open/<string:value>',
    methods=['GET'])
@with_pool
@with_transaction(readonly=False)
def open_message(request, pool, value):
    Delivery = pool.get('egov.notify.delivery')
    delivery_id = check_token(value)
    if delivery_id is None:
        return Response(status=HTTPStatus.NOT_FOUND)
    with without_check_access():
        deliveries = Delivery.search([('id', '=', delivery_id)])
        if not deliveries:
            return Response(status=HTTPStatus.NOT_FOUND)
        delivery, = deliveries
        Delivery.mark_read([delivery])
        message = delivery.message
        target = message.link() or '/'
    return redirect(target)
