"""No raw Python error text reaches a client: an unexpected exception of a
call (a bug, a malformed argument, memory running out) is answered with a
generic message in the caller's language and a reference; the traceback
is logged with that reference on the server. The platform's own refusals
(UserError, UserWarning, AccessError…), logins and concurrency errors
are Tryton exceptions and pass unchanged."""
import ctypes
import ctypes.util
import gc
import logging
import uuid

from trytond import config
from trytond.exceptions import TrytonException, UserError
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wsgi import app

logger = logging.getLogger(__name__)


def _release_memory():
    """Give back to the system what an exhausted request held, so that
    the next requests of this process are served"""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c'))
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _language(request):
    params = getattr(request, 'rpc_params', None) or []
    context = params[-1] if params and isinstance(params[-1], dict) else {}
    language = context.get('language')
    return language if isinstance(language, str) else None


def generic_message(database, language, reference):
    "The message in the caller's language (or the reference alone)"
    if database and database in Pool.database_list():
        try:
            with Transaction().start(database, 0, readonly=True,
                    context={'language': language} if language else None):
                return gettext('egov_base.msg_limit_unexpected_error',
                    reference=reference)
        except Exception:
            logger.exception("could not translate the error message")
    return reference


@app.error_handler
def hide_unexpected(app, request, exception):
    if isinstance(exception, TrytonException):
        return
    if isinstance(exception, MemoryError):
        _release_memory()
    reference = uuid.uuid4().hex[:12].upper()
    logger.error("unexpected error %s in %s %s", reference,
        getattr(request, 'rpc_method', None) or request.path,
        request.remote_addr, exc_info=exception)
    database = (request.view_args or {}).get('database_name')
    language = _language(request) or config.get('database', 'language')
    message = generic_message(database, language, reference)
    return app.make_response(request, UserError(message))
