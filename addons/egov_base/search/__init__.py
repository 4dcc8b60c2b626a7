from . import page  # noqa: F401
