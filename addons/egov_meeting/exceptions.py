from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class MeetingError(UserError):
    pass


class BookingClash(ValidationError):
    pass


class RegistrationError(ValidationError):
    pass


class SignInError(UserError):
    pass
