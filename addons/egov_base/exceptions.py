from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class OrgError(UserError):
    pass


class OrgValidationError(ValidationError):
    pass


class ApplicationDisabledError(AccessError):
    pass


class ExcelError(UserError):
    pass
