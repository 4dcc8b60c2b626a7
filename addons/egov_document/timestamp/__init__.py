# The HTTP route registers itself when imported
from . import routes  # noqa: F401
