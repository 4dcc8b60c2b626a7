from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError


class AuditError(AccessError):
    pass


class AuditArchiveError(UserError):
    pass


class AuditSealError(UserError):
    pass
