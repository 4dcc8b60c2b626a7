"""Fields a person never sets directly over RPC (the client shows them
read-only, the server enforces it): states, decisions, sign-ins, codes,
seats. The model's own buttons and methods set them (internal writes)."""
from trytond.i18n import gettext
from trytond.transaction import Transaction

from .exceptions import MeetingError


class InternalFieldsMixin:
    __slots__ = ()
    # The fields only the model's own code sets
    _internal_fields = set()

    @classmethod
    def _refuse_internal(cls, names):
        if names:
            fields = cls.fields_get(sorted(names))
            raise MeetingError(gettext('egov_meeting.msg_internal_field',
                    fields='、'.join(fields[f]['string']
                        for f in sorted(names))))

    @classmethod
    def create(cls, vlist):
        # (preprocess_values runs without access checks: it cannot tell)
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            for values in vlist:
                # The client sends the defaults: those are the model's own
                cls._refuse_internal({f
                        for f in cls._internal_fields & set(values)
                        if values[f] not in {None, False, ''}
                        and values[f] != getattr(
                            cls, 'default_' + f, lambda: None)()})
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(mode, records, values=values,
            external=external)
        if external and mode == 'write' and values:
            cls._refuse_internal(cls._internal_fields & set(values))
