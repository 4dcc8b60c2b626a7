from trytond.exceptions import UserError


class DocumentError(UserError):
    pass


class NumberingError(UserError):
    pass


class DispatchError(UserError):
    pass
