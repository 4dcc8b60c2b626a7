"""What SMS providers push to the platform: delivery reports and replies
(上行短信). The address carries a token derived from the platform's key, so
that only the provider the administrator gave it to can post; a malformed
body is refused and logged, never half-stored."""
import hashlib
import hmac
import json
import logging
import sys

from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import without_check_access
from trytond.wsgi import app

from ..security import crypto

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def push_token(provider_id):
    return hmac.new(crypto.key(), b'notify-push:%d' % provider_id,
        hashlib.sha256).hexdigest()[:32]


def push_urls(provider):
    "The addresses to give the provider for its pushes"
    from .tracking import public_url
    from trytond.transaction import Transaction
    base = '%s/%s/egov/notify/push/%d/%s' % (public_url(),
        Transaction().database.name, provider.id, push_token(provider.id))
    return {'report': base + '/report', 'reply': base + '/reply'}


def _answer(ok=True):
    # Aliyun expects {"code": 0, "msg": "接收成功"} and retries otherwise
    body = {'code': 0 if ok else 1, 'msg': '接收成功' if ok else '失败'}
    return Response(json.dumps(body, ensure_ascii=False),
        status=HTTPStatus.OK if ok else HTTPStatus.BAD_REQUEST,
        content_type='application/json')


@app.route('/<database_name>/egov/notify/push/<int:provider_id>/'
    '<string:token>/<string:kind>', methods=['POST'])
@with_pool
@with_transaction(readonly=False)
def receive_push(request, pool, provider_id, token, kind):
    Provider = pool.get('egov.notify.provider')
    Delivery = pool.get('egov.notify.delivery')
    Reply = pool.get('egov.notify.reply')
    if kind not in {'report', 'reply'} or not hmac.compare_digest(
            token, push_token(provider_id)):
        logger.warning("push refused: bad address")
        return Response(status=HTTPStatus.FORBIDDEN)
    with without_check_access():
        providers = Provider.search([('id', '=', provider_id)])
        if not providers:
            return Response(status=HTTPStatus.NOT_FOUND)
        provider, = providers
        data = request.get_data(cache=False)
        if len(data) > MAX_BODY:
            logger.warning("push refused: %d bytes", len(data))
            return Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        client = provider.client()
        module = sys.modules[type(client).__module__]
        parse = getattr(module, 'parse_%s_push' % kind, None)
        if parse is None:
            return Response(status=HTTPStatus.NOT_FOUND)
        try:
            items = parse(data)
        except ValueError as exception:
            logger.warning("push %s of %s refused: %s", kind,
                provider.name, exception)
            return _answer(ok=False)
        if kind == 'report':
            Delivery.record_reports(provider.channel, items)
        else:
            Reply.receive(provider.channel, items)
    return _answer()
