# The HTTP routes register themselves when imported
from . import routes  # noqa: F401
