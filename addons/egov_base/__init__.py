# The framework's fixes apply wherever the module is loaded
from . import speedups  # noqa: F401
