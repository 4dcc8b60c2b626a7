"""The fixtures of the browser tests: one Chromium per test module, and the
folder of the screenshots (artefacts/<backend>/screenshots)."""
import pytest

from .chromium import ARGS, CHROMIUM


@pytest.fixture(scope='module')
def browser():
    sync_api = pytest.importorskip('playwright.sync_api')
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope='module')
def screenshots(artefacts):
    path = artefacts / 'screenshots'
    path.mkdir(parents=True, exist_ok=True)
    return path
