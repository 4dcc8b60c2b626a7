"""Tryton's own HTTP routes, mended or closed where a clerk met them.

- /<database>/session/logout (the cookie logout) failed with an internal
  error without the session cookie or with a malformed one: such a request
  is answered as logged out.
- /<database>/ir/html/<model>/<id>/<field>, Tryton's page that edits a
  text field in TinyMCE, reads and writes any field of any model the user
  may read, around what JSON-RPC exposes (like the REST routes,
  framework_rpc.py), and loads its editor from cdn.tiny.cloud. No field of
  the platform is edited as HTML: the route answers 404."""
from functools import wraps

from trytond.ir import routes as ir_routes
from trytond.protocols import dispatcher
from trytond.protocols.wrappers import (
    TRYTON_SESSION_COOKIE, HTTPStatus, abort, remove_auth_cookies)
from trytond.wsgi import app


def logout_without_cookie(logout):
    "The cookie logout, a request without its cookie answered as logged out"
    @wraps(logout)
    def wrapper(request, database_name):
        cookie = request.cookies.get(TRYTON_SESSION_COOKIE)
        if not cookie or len(cookie.rsplit(':', 2)) != 3:
            response = app.make_response(request, None)
            remove_auth_cookies(response, database_name)
            return response
        return logout(request, database_name)
    return wrapper


def closed(endpoint):
    "A route the platform does not serve"
    @wraps(endpoint)
    def wrapper(request, *args, **kwargs):
        abort(HTTPStatus.NOT_FOUND)
    return wrapper


def replace_endpoint(endpoint, replacement):
    """Serve the rules of endpoint by replacement(endpoint); once, though
    the module may be imported under two names"""
    by_endpoint = app.url_map._rules_by_endpoint
    if endpoint not in by_endpoint:
        return
    wrapper = replacement(endpoint)
    # werkzeug finds a rule's endpoint in the map's index when it matches
    by_endpoint[wrapper] = by_endpoint.pop(endpoint)
    for rule in by_endpoint[wrapper]:
        rule.endpoint = wrapper


replace_endpoint(dispatcher.logout_w_cookies, logout_without_cookie)
replace_endpoint(ir_routes.html_editor, closed)
