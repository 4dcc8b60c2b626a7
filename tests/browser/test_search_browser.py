"""The search box (智能检索) as people use it, in Chromium on the demo: 胡军
types in the web client's top bar and sees suggestions, Enter opens the
search page, he filters, sorts, clears his history and opens a result in
the web client; the page on a phone; 谢娜, a clerk of another county, finds
nothing of his (neither suggestion nor result). Screenshots (1366 × 768 and
390 × 844) land in artefacts/<backend>/screenshots/search-*.png."""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ..rpc.rpc import Session
from .test_sao import PASSWORD, open_login_dialog

sync_api = pytest.importorskip('playwright.sync_api')

DESKTOP = {'width': 1366, 'height': 768}
PHONE = {'width': 390, 'height': 844}
# 胡军's 发文 draft in the demo (on its 发文 approval), waiting for 朱婷
DRAFT = '关于做好2027年元旦春节期间校园安全工作的通知'
WORDS = '校园安全'
# Half-width punctuation in a Chinese sentence
HALF_WIDTH = re.compile(r'[\u4e00-\u9fff][,.:;!?]|[,:;!?][\u4e00-\u9fff]')
COPIES = pathlib.Path(os.environ.get('EGOV_SHOT_COPIES', '/tmp/shots-h5'))


def shoot(page, screenshots, name):
    "A screenshot of the page in the artefacts, and a copy to look at"
    path = screenshots / name
    page.screenshot(path=path, full_page=False)
    try:
        COPIES.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, COPIES / name)
    except OSError:
        pass


def log_in_at(browser, server, login, viewport):
    "Log in to the web client at the size of viewport; the page"
    context = browser.new_context(locale='zh-CN', viewport=viewport)
    page = context.new_page()
    page.errors = []
    page.on('pageerror', lambda error: page.errors.append(str(error)))
    open_login_dialog(page, server.client_url)
    page.fill('.login-dialog input#login', login)
    page.click('.login-dialog button[type=submit]')
    page.wait_for_selector('.ask-dialog input#ask-dialog-entry')
    page.fill('.ask-dialog input#ask-dialog-entry', PASSWORD)
    page.click('.ask-dialog button.btn-primary')
    page.wait_for_selector('#egov-search-entry', state='attached',
        timeout=60000)
    return page


def search_url(server, text=None):
    url = '%s/%s/egov/search' % (server.url, server.database)
    if text:
        url += '?q=' + urllib.request.quote(text)
    return url


def open_search(page, server, text=None):
    "The search page in the logged-in browser, ready"
    violations = []
    page.on('console', lambda message: violations.append(message.text)
        if 'Content Security Policy' in message.text else None)
    response = page.goto(search_url(server, text))
    assert response.status == 200
    assert response.headers['x-frame-options'] == 'DENY'
    wait_ready(page)
    page.csp_violations = violations
    return page


def until(page, expression, timeout=30):
    """Wait until the JavaScript expression is true in the page (the
    page's policy forbids wait_for_function's eval)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate('() => Boolean(%s)' % expression):
        assert time.monotonic() < deadline, 'timed out: %s' % expression
        page.wait_for_timeout(100)


def wait_ready(page):
    page.wait_for_selector('body[data-ready="1"]', timeout=60000)
    until(page, "document.body.dataset.state !== 'loading'")


def titles(page):
    return page.locator('#results .search-title').all_inner_texts()


def is_suggest(response):
    request = response.request
    return ('/rpc/' in response.url and request.method == 'POST'
        and 'egov.search.suggest' in (request.post_data or ''))


def type_in_box(page, text):
    """Type text in the web client's box; the suggestions it shows once the
    server answered"""
    box = page.locator('#egov-search-entry')
    box.click()
    with page.expect_response(is_suggest, timeout=30000):
        box.press_sequentially(text, delay=80)
    page.wait_for_timeout(300)
    menu = page.locator('#egov-search .dropdown-completion li.completion')
    return menu.all_inner_texts()


@pytest.fixture(scope='module')
def indexed(server):
    "The demo's records in the index, by the command that rebuilds it"
    subprocess.run([sys.executable, '-m', 'egov_base.search', 'rebuild',
            '-c', str(server.config), '-d', server.database],
        env=server.environment(), check=True, cwd=server.directory,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return server


@pytest.fixture(scope='module')
def hujun(indexed):
    return Session(indexed, 'hujun', PASSWORD)


def test_visitor_is_sent_to_the_login(server):
    "Without the web client's session the page is not served"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(search_url(server, WORDS))
    assert error.value.code == 401
    assert 'WWW-Authenticate' not in error.value.headers
    text = error.value.read().decode('utf-8')
    assert '请先登录' in text and '登录办公平台' in text
    assert WORDS not in text


def test_search_from_the_web_client(browser, server, screenshots, hujun):
    page = log_in_at(browser, server, 'hujun', DESKTOP)
    # The box sits in the top bar, in Chinese
    box = page.locator('#egov-search-entry')
    assert box.is_visible()
    assert '检索' in box.get_attribute('placeholder')

    # Suggestions as he types, at most 8, drawn from what he may open
    words = type_in_box(page, '校园')
    assert words and len(words) <= 8, words
    assert any('校园' in w for w in words), words
    shoot(page, screenshots, 'search-01-sao-suggestions.png')

    # Enter opens the search page on the words, in a new tab
    box.fill(WORDS)
    with page.context.expect_page() as opened:
        box.press('Enter')
    search = opened.value
    search.errors, violations = [], []
    search.on('pageerror', lambda error: search.errors.append(str(error)))
    search.on('console', lambda message: violations.append(message.text)
        if 'Content Security Policy' in message.text else None)
    wait_ready(search)
    assert search.input_value('#query') == WORDS
    assert DRAFT in titles(search)
    count = search.inner_text('#count')
    assert re.match(r'共找到 \d+ 条结果', count), count
    result = search.locator('.search-result').filter(has_text=DRAFT).first
    # The words are highlighted in the snippet or the title's text
    marks = search.locator('.search-snippet mark').all_inner_texts()
    assert marks and all(m for m in marks), marks
    meta = result.locator('.search-meta').inner_text()
    assert re.search(r'\d{4}-\d{2}-\d{2}', meta), meta
    shoot(search, screenshots, 'search-02-page-results.png')

    # His history holds the search; the filters come from the server
    assert WORDS in search.locator('#history-list').inner_text()
    kinds = search.locator('#filter-kind option')
    assert kinds.count() > 1
    assert not [t for t in search.locator(
                '#filters').inner_text().split('\n') if HALF_WIDTH.search(t)]

    # A kind with nothing of the words: the empty state, in Chinese
    request_kind = search.evaluate('''() => {
        const options = Array.from(
            document.querySelectorAll('#filter-kind option'));
        return options.map((o) => o.value);
    }''')
    assert 'egov.workflow.request' in request_kind, request_kind
    other = [k for k in request_kind if k and k != 'egov.workflow.request']
    if other:
        search.select_option('#filter-kind', other[0])
        wait_ready(search)
        assert 'kind=' in search.url
        empty = search.inner_text('#empty')
        assert '没有找到' in empty and WORDS in empty, empty
        shoot(search, screenshots, 'search-03-page-empty.png')
    search.select_option('#filter-kind', 'egov.workflow.request')
    wait_ready(search)
    assert DRAFT in titles(search)
    assert '筛选条件（1）' in search.inner_text('#filters-summary')
    # A date range after today: nothing
    search.fill('#filter-date-from', '2099-01-01')
    search.dispatch_event('#filter-date-from', 'change')
    wait_ready(search)
    assert titles(search) == []
    search.click('#filters-reset')
    wait_ready(search)
    assert 'kind=' not in search.url and DRAFT in titles(search)

    # Sorted by date, then back
    search.click('.search-sort [data-order="date"]')
    wait_ready(search)
    assert 'order=date' in search.url
    assert search.get_attribute(
        '.search-sort [data-order="date"]', 'aria-checked') == 'true'
    assert DRAFT in titles(search)

    # Suggestions on the page too
    search.fill('#query', '')
    search.locator('#query').press_sequentially('校园', delay=80)
    search.wait_for_selector('#suggestions:not([hidden]) li', timeout=10000)
    assert search.locator('#suggestions li').count() <= 8

    # History: one item removed, then all
    search.fill('#query', '胡军')
    search.press('#query', 'Enter')
    wait_ready(search)
    until(search,
        "document.querySelector('#history-list').innerText.includes('胡军')")
    item = search.locator('.search-history-item').filter(has_text='胡军')
    item.locator('.search-chip-remove').click()
    until(search, "!document.querySelector('#history-list').innerText"
        ".includes('胡军')")
    assert hujun.model('egov.search', 'history', 20) == [] or all(
        h['text'] != '胡军' for h in hujun.model('egov.search', 'history', 20))
    search.click('#history-clear')
    search.wait_for_selector('#history', state='hidden')
    assert '搜索历史已全部清除。' in search.inner_text('#notice')
    assert hujun.model('egov.search', 'history', 20) == []

    # A result opens in the web client
    search.goto(search_url(server, WORDS))
    wait_ready(search)
    search.locator('.search-title', has_text=DRAFT).first.click()
    search.wait_for_selector('.tab-content .form', timeout=60000)
    until(search,
        "Array.from(document.querySelectorAll('.tab-content input'))"
        ".some((i) => i.value === %r)" % DRAFT)
    assert '/model/egov.workflow.request/' in search.url
    shoot(search, screenshots, 'search-04-result-in-sao.png')
    assert not page.errors and not search.errors, (page.errors, search.errors)
    assert not violations, violations


def test_phone(browser, server, screenshots, indexed):
    "On a phone the filters fold away; the search is one tap"
    page = log_in_at(browser, server, 'hujun', PHONE)
    open_search(page, server)
    assert '请输入关键词开始检索' in page.inner_text('#empty')
    shoot(page, screenshots, 'search-05-phone-start.png')
    # Typed in pinyin initials: the words are marked in the snippet
    page.fill('#query', 'xyaq')
    page.click('#submit')
    wait_ready(page)
    assert DRAFT in titles(page)
    marks = page.locator('.search-snippet mark').all_inner_texts()
    assert WORDS in marks, marks
    assert page.evaluate("document.querySelector('#filters').open") is False
    width = page.evaluate('document.documentElement.scrollWidth')
    assert width <= PHONE['width'], width
    shoot(page, screenshots, 'search-06-phone-results.png')
    page.click('#filters-summary')
    page.locator('#filter-kind').wait_for()
    shoot(page, screenshots, 'search-07-phone-filters.png')
    assert not page.csp_violations
    assert not page.errors, page.errors


def test_other_county_finds_nothing_of_his(
        browser, server, screenshots, indexed):
    "谢娜 (袁州区) may not open 胡军's draft: no suggestion, no result"
    page = log_in_at(browser, server, 'xiena', DESKTOP)
    assert not [w for w in type_in_box(page, '校园') if DRAFT in w]
    open_search(page, server, WORDS)
    assert DRAFT not in page.inner_text('body')
    assert DRAFT not in titles(page)
    shoot(page, screenshots, 'search-08-other-county.png')
    xiena = Session(server, 'xiena', PASSWORD)
    # A hot word is one her unit searched that finds something she may open
    # (another test may have sent her a 收文 on 校园安全, so the words alone
    # tell nothing): none of them stands on 胡军's draft alone
    hot = xiena.model('egov.search', 'hot_words', 10)
    for word in [h['word'] for h in hot]:
        assert word in page.locator('#hot-list').inner_text()
        found = xiena.model('egov.search', 'query', word, {}, 'relevance',
            0, 20)['results']
        assert found and DRAFT not in [r['title'] for r in found], word
    answer = xiena.model('egov.search', 'query', WORDS, {}, 'relevance',
        0, 20)
    assert DRAFT not in [r['title'] for r in answer['results']]
    assert not [w for w in xiena.model('egov.search', 'suggest', '校园', 8)
        if DRAFT in w]
    assert not page.errors, page.errors
