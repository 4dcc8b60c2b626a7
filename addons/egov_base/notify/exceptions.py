from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class NotifyError(UserError):
    "A message that cannot be sent as asked"


class TemplateValueError(ValidationError):
    "A template whose values are missing or wrong"


class NotifyAccessError(AccessError):
    "A channel or recipients the sender may not use"


class QuotaError(UserError):
    "The unit's SMS of the month are used up"
