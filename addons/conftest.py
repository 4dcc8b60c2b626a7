"""Run the modules' scenarios (addons/*/tests/scenario_*.rst) under pytest.

Tryton runs its doctest scenarios through the ``load_tests`` protocol of
unittest, which pytest ignores. This collector builds each scenario with
Tryton's own ``load_doc_tests`` (the same setUp, tearDown, output checker and
option flags, and the ``scenario_*.json`` configurations if any) and makes
every resulting doctest one pytest item named after the scenario. A failure
shows the doctest report: the example, what was expected and what came.

The database is Tryton's test database, shared with the unit tests as under
``python -m unittest``: DB_NAME, or when unset ``test_<time>`` on PostgreSQL
and ``:memory:`` on SQLite (one in-memory database per process, which
proteus reaches as well, as it runs trytond in the same process).
``activate_modules`` in the scenario creates it afresh (from DB_CACHE when
there) and the teardown drops it, so the scenarios and the test classes
around them each start from a clean database.
"""
import unittest

import pytest


def pytest_collect_file(file_path, parent):
    if (file_path.suffix == '.rst'
            and file_path.name.startswith('scenario_')
            and file_path.parent.name == 'tests'
            and (file_path.parent / '__init__.py').exists()):
        return ScenarioFile.from_parent(parent, path=file_path)


def _package(directory):
    "The dotted name of the package in directory: egov_base.tests"
    names = []
    while (directory / '__init__.py').exists():
        names.append(directory.name)
        directory = directory.parent
    return '.'.join(reversed(names))


class ScenarioFile(pytest.File):

    def collect(self):
        from trytond.tests.test_tryton import load_doc_tests
        loader = unittest.TestLoader()
        # load_doc_tests keeps the *.rst of the directory matching a pattern
        loader.testNamePatterns = [self.path.name]
        suite = load_doc_tests(
            _package(self.path.parent), str(self.path), loader,
            unittest.TestSuite(), None)
        cases = list(suite)
        for index, case in enumerate(cases):
            name = self.path.stem
            if len(cases) > 1:
                # One doctest per configuration of scenario_*.json
                name += '[%d]' % index
            yield ScenarioItem.from_parent(self, name=name, case=case)


class ScenarioItem(pytest.Item):

    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        case = self.case
        case.setUp()
        try:
            case.runTest()
        finally:
            case.tearDown()

    def repr_failure(self, excinfo):
        if excinfo.errisinstance(self.case.failureException):
            # The doctest report, without the frames of doctest itself
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, '[scenario] %s' % self.name
