from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class SupervisionError(UserError):
    pass


class SupervisionValidationError(ValidationError):
    pass


class SupervisionAccessError(AccessError):
    "The person does not act for the unit the step belongs to"
