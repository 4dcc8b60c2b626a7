from trytond.exceptions import LoginException, UserError
from trytond.model.exceptions import AccessError, ValidationError


class RoleConflictError(ValidationError):
    "Two of the three administrator roles would meet in one person"


class BusinessDataError(AccessError):
    "An administrator role tried to read business data"


class SecurityError(UserError):
    pass


class LoginRefused(UserError):
    "A login refused outright: the built-in admin, a missing second factor"


class LoginFailed(LoginException):
    """A wrong password or code: the client asks again, with the reason.
    Raised as a LoginException so that the attempt is committed; `failure`
    tells it from a LoginException that only asks for the next factor."""
    failure = True


class LoginLocked(LoginException):
    "The account or the address is locked"
    failure = True
