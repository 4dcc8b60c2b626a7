# The HTTP routes register themselves when imported
from . import push, tracking, wechat_routes  # noqa: F401
