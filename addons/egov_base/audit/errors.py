"""Refused and failed calls: the web server hands every exception of a
request to its error handlers after the call's transaction was rolled
back; the audit row is then written in a transaction of its own. Auditing
never changes the answer the user gets, and a failure to record is
logged, not raised."""
import json
import logging

from trytond.exceptions import (
    ConcurrencyException,
    LoginException,
    RateLimitException,
    UserError,
    UserWarning,
)
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wsgi import app

from .recording import clip, session_hash
from .policy import HIDDEN, is_secret, mask_personal, personal_fields

logger = logging.getLogger(__name__)

# The attempted action, by the name of the method called
METHOD_ACTIONS = {
    'create': 'create', 'write': 'write', 'delete': 'delete',
    'copy': 'create', 'read': 'read', 'search': 'read',
    'search_read': 'read', 'search_count': 'read',
    'export_data': 'export', 'export_data_domain': 'export',
    'import_data': 'import', 'execute': 'print',
    }
SKIPPED_METHODS = {
    'common.db.login', 'common.db.logout', 'common.db.reset_password'}
MAX_PARAMS = 4000


def mask(value, depth=0):
    "The call's parameters without secrets, for the audit"
    if depth > 6:
        return '…'
    if isinstance(value, dict):
        return {k: HIDDEN if isinstance(k, str) and is_secret(k)
            else mask(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v, depth + 1) for v in value[:200]]
    if isinstance(value, (bytes, bytearray)):
        return {'size': len(value)}
    return value


def describe_call(rpc_method, params):
    """Return (action, model, method, record id, changes) of an RPC call"""
    parts = (rpc_method or '').split('.')
    kind = parts[0] if parts else ''
    name = '.'.join(parts[1:-1]) if len(parts) > 2 else None
    method = parts[-1] if parts else None
    params = list(params or [])
    if params and isinstance(params[-1], dict):
        params = params[:-1]  # the context
    record_id = None
    if params:
        first = params[0]
        if isinstance(first, int) and not isinstance(first, bool):
            record_id = first
        elif (isinstance(first, list) and len(first) == 1
                and isinstance(first[0], int)):
            record_id = first[0]
    if kind == 'model':
        action = METHOD_ACTIONS.get(method, 'rpc')
    elif kind == 'report':
        action = 'print'
    elif kind == 'wizard':
        action = 'wizard'
    else:
        action = 'rpc'
    params = mask(params)
    if name:
        # The values of personal fields the call tried to write
        params = mask_personal(params, personal_fields(name))
    changes = json.dumps({'params': params}, ensure_ascii=False,
        default=str)
    return action, name, method, record_id, changes


@app.error_handler
def audit_refusal(app, request, exception):
    try:
        record_refusal(request, exception)
    except Exception:
        logger.exception("could not record a refused call in the audit")


def record_refusal(request, exception):
    if isinstance(exception, (
                UserWarning, LoginException, RateLimitException)):
        return
    database = (request.view_args or {}).get('database_name')
    if not database or database not in Pool.database_list():
        return
    rpc_method = request.rpc_method
    pool = Pool(database)
    try:
        Log = pool.get('egov.audit.log')
    except KeyError:
        return
    if rpc_method == 'common.db.login' and isinstance(exception, UserError):
        # A login refused outright (the built-in admin outside a
        # maintenance window, a second factor required and not set up)
        record_login_refused(Log, database, request, exception)
        return
    if rpc_method in SKIPPED_METHODS:
        return
    result = 'refused' if isinstance(exception, UserError) else 'failed'
    if isinstance(exception, ConcurrencyException):
        result = 'failed'
    if isinstance(exception, UserError):
        message = exception.message
    else:
        message = exception.__class__.__name__
    user_id = request.__dict__.get('user_id')
    session = session_hash(request.session.token) if request.session else None
    with Transaction().start(database, 0,
            context={'_request': request.context}) as transaction:
        # Described in the transaction: the personal fields of the model
        # come from its pool
        action, model, method, record_id, changes = describe_call(
            rpc_method, request.rpc_params if rpc_method else None)
        if model is not None:
            try:
                pool.get(model, type='*')
            except KeyError:
                result = 'refused'
        Log.record_apart_in(transaction, action,
            model=model, record_id=record_id, result=result,
            method=rpc_method or request.path, message=message,
            changes=changes, session=session,
            actor=Log.actor(user_id) if user_id else (None,) * 9)


def record_login_refused(Log, database, request, exception):
    params = list(request.rpc_params or [])
    login = params[0] if params and isinstance(params[0], str) else None
    actor = (None, clip(login, 128)) + (None,) * 7
    with Transaction().start(database, 0,
            context={'_request': request.context}) as transaction:
        Log.record_apart_in(transaction, 'login_failed', model='res.user',
            result='refused', method='common.db.login',
            message=exception.message, actor=actor)
