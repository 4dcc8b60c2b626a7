from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class WorkflowError(UserError):
    pass


class WorkflowValidationError(ValidationError):
    pass


class WorkflowFrozenError(WorkflowError):
    "A submitted record changes only through the act dialog"


class TaskStateError(WorkflowError):
    "The to-do or its process is no longer where the action needs it"


class TaskHolderError(WorkflowError):
    "Someone acts on a to-do or a process that is not theirs"


class StepFieldError(WorkflowError):
    "A field the step does not let its holder fill, or one it requires"
