from .workflow import routes  # noqa: F401
