"""The exchange API (EXCHANGE.md): POST /<database>/egov/document/exchange
with a package (application/zip) as the body, or a 签收回执 of a package
sent (application/json).

No session: the package's SM2 signature is its authentication, checked
against the known peer's key before anything is kept. The package is
taken whole in one transaction, or refused with nothing of it kept but a
'refused' line in the exchange log; the answer is JSON, its message in
Chinese: 200 and the signed receipt (回执), or 4xx and
{"error": reason, "message": …}; a package received before is answered 409
with the receipt given then, so a sender that lost the first answer
learns it arrived."""
import json
import logging

from trytond.exceptions import UserError
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import package as package_
from .log import LANGUAGE, refusal_text, text

logger = logging.getLogger(__name__)


def _json(status, value):
    return Response(json.dumps(value, ensure_ascii=False), status,
        content_type='application/json; charset=utf-8',
        headers={'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff'})


def _body(request):
    "The package, or PackageRefused when larger than a package may be"
    length = request.content_length
    if length is not None and length > package_.MAX_PACKAGE:
        raise package_.PackageRefused('too_big',
            limit=package_.MAX_PACKAGE // package_.MB)
    data = request.stream.read(package_.MAX_PACKAGE + 1)
    if len(data) > package_.MAX_PACKAGE:
        raise package_.PackageRefused('too_big',
            limit=package_.MAX_PACKAGE // package_.MB)
    return data


@app.route('/<database_name>/egov/document/exchange', methods=['POST'])
@with_pool
@with_transaction(readonly=False, context={
        '_check_access': False, 'language': LANGUAGE})
def exchange(request, pool):
    Log = pool.get('egov.document.exchange.log')
    transaction = Transaction()
    size = None
    try:
        data = _body(request)
        size = len(data)
        if request.mimetype == 'application/json':
            # A 签收回执 of a package we sent
            log = Log.receive_status(data)
            logger.info("exchange receipt for package %s", log.package_id)
            return _json(HTTPStatus.OK, {
                    'accepted': True, 'package_id': log.package_id,
                    'state': log.delivery})
        incoming, answer = Log.receive(data)
    except package_.PackageRefused as refusal:
        transaction.rollback()
        message = refusal_text(refusal)
        result = {'error': refusal.reason, 'message': message}
        if refusal.reason == 'replayed':
            receipt = Log.stored_receipt(refusal.values.get('package'))
            if receipt:
                result.update(receipt)
        Log.refused(refusal, message, size)
        logger.info("exchange package refused: %s", refusal.reason)
        return _json(refusal.status, result)
    except UserError as error:
        # The upload guard, or a check of the 收文 itself
        transaction.rollback()
        refusal = package_.PackageRefused('document')
        message = text('refused_document', message=error.message)
        Log.refused(refusal, message, size)
        return _json(HTTPStatus.UNPROCESSABLE_ENTITY, {
                'error': 'document', 'message': message})
    logger.info("exchange package received as incoming %s", incoming.id)
    return _json(HTTPStatus.OK, answer)
