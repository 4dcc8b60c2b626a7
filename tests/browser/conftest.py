"""The fixtures of the browser tests: one Chromium per test module, and the
folder of the screenshots (artefacts/<backend>/screenshots)."""
import pytest

from .chromium import ARGS, CHROMIUM


class InYichun:
    """The browser as the city's people have it: Chinese, and China's time
    (headless Chromium runs in UTC, which shows every time 8 hours early)"""

    def __init__(self, browser):
        self._browser = browser

    def _options(self, options):
        options.setdefault('locale', 'zh-CN')
        options.setdefault('timezone_id', 'Asia/Shanghai')
        return options

    def new_context(self, **options):
        return self._browser.new_context(**self._options(options))

    def new_page(self, **options):
        return self._browser.new_page(**self._options(options))

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope='module')
def browser():
    sync_api = pytest.importorskip('playwright.sync_api')
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=ARGS)
        yield InYichun(browser)
        browser.close()


@pytest.fixture(scope='module')
def screenshots(artefacts):
    path = artefacts / 'screenshots'
    path.mkdir(parents=True, exist_ok=True)
    return path
