from trytond.exceptions import UserError


class ScanError(UserError):
    "A scan refused: nothing of it is kept"
