from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class WorkflowError(UserError):
    pass


class WorkflowValidationError(ValidationError):
    pass


class WorkflowFrozenError(WorkflowError):
    "A submitted record changes only through the act dialog"
