"""RFC 3161 over HTTP for other parties: POST /<database>/egov/tsa with a
TimeStampReq (application/timestamp-query) is answered with a
TimeStampResp (application/timestamp-reply) by the platform's own
authority marked "Serve over HTTP"; without one, 404.

No session, as every TSA: the request carries only a digest. It is
bounded (rfc3161.MAX_REQUEST) and answers nothing but the token."""
import logging

from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.wsgi import app

from . import rfc3161

logger = logging.getLogger(__name__)
REPLY = 'application/timestamp-reply'


def _text(status, message):
    return Response(message, status,
        content_type='text/plain; charset=utf-8',
        headers={'Cache-Control': 'no-store'})


@app.route('/<database_name>/egov/tsa', methods=['POST'])
@with_pool
@with_transaction(readonly=True, context={
        '_check_access': False, 'language': 'zh_CN'})
def tsa(request, pool):
    Authority = pool.get('egov.document.tsa')
    if request.mimetype != 'application/timestamp-query':
        return _text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            gettext('egov_document.msg_tsa_http_media'))
    length = request.content_length
    if length is None or length > rfc3161.MAX_REQUEST:
        return _text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            gettext('egov_document.msg_tsa_http_size'))
    data = request.stream.read(rfc3161.MAX_REQUEST + 1)
    authority = Authority.serving()
    if authority is None:
        return _text(HTTPStatus.NOT_FOUND,
            gettext('egov_document.msg_tsa_http_off'))
    try:
        answer = authority.signer().respond(data, rfc3161.new_serial())
    except rfc3161.TimestampError as error:
        logger.warning("the own time-stamping authority cannot sign: %s",
            error.code)
        return _text(HTTPStatus.SERVICE_UNAVAILABLE,
            gettext('egov_document.msg_tsa_http_unavailable'))
    return Response(answer, HTTPStatus.OK, content_type=REPLY,
        headers={'Cache-Control': 'no-store'})
