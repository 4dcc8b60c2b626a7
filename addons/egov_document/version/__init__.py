# The WebDAV route registers itself when imported
from . import dav  # noqa: F401
