"""扫码确认收文 on the 收文: the follow-up a receipt by scan starts."""
from trytond.pool import PoolMeta


class Incoming(metaclass=PoolMeta):
    __name__ = 'egov.document.incoming'

    @classmethod
    def scan_follow_up(cls, incomings):
        """Called once a scanned 收文 is received and its process started.
        A supervision (督办) module overrides it to open its follow-up;
        none is installed yet, so nothing more happens here."""
