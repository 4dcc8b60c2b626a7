"""The base of the engine's tests: a database with egov_workflow."""
from egov_base.tests.tools import EgovTestCase


class EgovWorkflowTestCase(EgovTestCase):
    "A database with egov_workflow in Chinese, dropped after the class"
    modules = ['egov_workflow']
