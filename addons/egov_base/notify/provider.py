"""What a channel's provider is to the notification service: one interface
for the SMS services (Aliyun, a generic HTTP gateway), WeChat Work and
e-mail, so that the service queues, retries and counts in one way whatever
carries the message.

A provider knows nothing of the database: the service gives it Outgoing
messages and records the Results, Reports and Replies it answers. A
provider never raises for one message's failure: it answers a Result with
`retry` (the provider may take it later: down, timed out, throttled) or
`failed` (it never will: a bad number, a refused template)."""
from dataclasses import dataclass, field
import datetime

# Result states
SENT = 'sent'            # the provider took it (delivered comes later)
DELIVERED = 'delivered'  # the provider says the person's device has it
FAILED = 'failed'        # refused for good; error says why
RETRY = 'retry'          # not taken now; try again later (back-off)


@dataclass
class Outgoing:
    "One message to one address, as the provider sends it"
    key: str                  # unique per delivery, stable across retries:
                              # the provider's OutId / msgid / idempotency key
    address: str              # mobile number, WeChat Work userid, e-mail
    text: str                 # the rendered text (SMS gateway, WeChat text)
    title: str = ''           # WeChat card / e-mail subject
    url: str = ''             # WeChat card link / e-mail link
    template_code: str = ''   # the provider's approved template (Aliyun)
    params: dict = field(default_factory=dict)  # its parameters
    urgent: bool = False
    attempt: int = 1
    # A to-do: shown where it can later be marked done (WeChat Work's
    # button card, updated by update_done when the to-do is done)
    actionable: bool = False
    provider_data: str = ''   # what the send answered for that (WeChat's
                              # response_code)


@dataclass
class Result:
    key: str
    state: str                # SENT, DELIVERED, FAILED or RETRY
    provider_id: str = ''     # BizId, msgid, Message-ID
    error: str = ''           # the provider's code and text, for people
    segments: int = 1         # SMS counted as the carrier bills them
    provider_data: str = ''   # what a later update needs (response_code)


@dataclass
class Report:
    "A delivery report the provider pushed or answered to a pull"
    provider_id: str
    address: str
    delivered: bool
    error: str = ''
    key: str = ''             # OutId when the provider gives it back
    at: datetime.datetime | None = None


@dataclass
class Reply:
    "A message a person sent back (上行短信, a WeChat reply)"
    address: str              # the number or WeChat userid it came from
    text: str
    at: datetime.datetime | None = None
    provider_id: str = ''     # the provider's id of the reply (dedup)
    extension: str = ''       # SMS sub-number (扩展码) that ties it to a send


class Provider:
    "Base of the providers; settings come from egov.notify.provider"
    channel = None            # 'sms', 'wechat' or 'email'
    # The most addresses one call may carry (group sends)
    batch_size = 1

    def __init__(self, settings):
        self.settings = dict(settings)

    def send(self, outgoing):
        "Send the list of Outgoing; answer one Result per Outgoing, in order"
        raise NotImplementedError

    def recover(self, outgoing):
        """After a crash between the call and its record: did the provider
        take outgoing? A Result (SENT) when it did, None when it did not or
        cannot tell (then the service sends again, and the provider's own
        duplicate check must hold)."""
        return None

    def update_done(self, outgoing):
        """Show as done the actionable messages of outgoing (their
        provider_data as the send answered it): a Result per outgoing,
        SENT when updated; providers that cannot update answer []"""
        return []

    def pull_reports(self):
        "Delivery reports waiting at the provider (list of Report)"
        return []

    def pull_replies(self):
        "Replies waiting at the provider (list of Reply)"
        return []
