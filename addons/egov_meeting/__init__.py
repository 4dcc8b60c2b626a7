from . import arrange_page, routes  # noqa: F401
