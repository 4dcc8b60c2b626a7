"""The smart search over JSON-RPC on the demo data: Chinese, pinyin and
initials find the same records; a user finds exactly the approval
requests they may open (the model's own search is the oracle), a 密级
draft is found by its author only — no result, count, suggestion nor hot
word of it reaches the others; bad input gets an answer."""
import concurrent.futures
import subprocess
import sys

import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
REQUEST = 'egov.workflow.request'


@pytest.fixture(scope='module')
def indexed(server):
    "The demo data indexed by the rebuild command (demo/load.py queues)"
    result = subprocess.run([sys.executable, '-m', 'egov_base.search',
            'rebuild', '-c', str(server.config), '-d', server.database],
        env=server.environment(), capture_output=True, text=True,
        timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'indexed' in result.stdout
    print(result.stdout.strip())
    return server


def query(session, text, **kwargs):
    return session.model('egov.search', 'query', text,
        kwargs.get('filters'), kwargs.get('order', 'relevance'),
        kwargs.get('offset', 0), kwargs.get('limit', 20))


def ids_of(answer, model):
    return {r['id'] for r in answer['results'] if r['model'] == model}


def test_chinese_pinyin_and_initials(indexed):
    "宜春市教育局, yichunshijiaoyuju, ycsjyj and jiaoyuju find the unit"
    xiena = Session(indexed, 'xiena', PASSWORD)
    unit, = xiena.search_read('egov.org.unit',
        [('name', '=', '宜春市教育局')], ['id'])
    counts = {}
    for text in ['宜春市教育局', 'yichunshijiaoyuju', 'ycsjyj', 'jiaoyuju',
            '市教育局']:
        answer = query(xiena, text, limit=50)
        counts[text] = answer['count']
        assert unit['id'] in ids_of(answer, 'egov.org.unit'), text
        assert answer['took_ms'] < 5000
    result = [r for r in query(xiena, '宜春市教育局')['results']
        if r['model'] == 'egov.org.unit' and r['id'] == unit['id']][0]
    assert result['kind'] == '组织机构'
    assert result['url'].endswith('/model/egov.org.unit/%d' % unit['id'])
    assert '<mark>' in result['snippet'] or result['snippet'] == ''
    print('counts', counts)


def test_results_are_what_the_user_may_open(indexed):
    """For each user the requests found are exactly those the model's own
    search gives them, and the count agrees"""
    for login in ['hujun', 'zhuting', 'xiena', 'luoqiang']:
        session = Session(indexed, login, PASSWORD)
        answer = query(session, '校园安全', filters={'kind': REQUEST})
        try:
            may_open = {r['id'] for r in session.search_read(REQUEST,
                    [('title', 'ilike', '%校园安全%')], ['id'])}
        except RPCError:
            # An administrator reads no business data (三员分立)
            may_open = set()
        assert ids_of(answer, REQUEST) == may_open, login
        assert answer['count'] == len(may_open), login
    hujun = Session(indexed, 'hujun', PASSWORD)
    assert query(hujun, 'xiaoyuananquan', filters={'kind': REQUEST})[
        'count'] == 1


def test_secret_draft_is_found_by_its_author_only(indexed):
    """A draft marked 不予公开 is found by hujun; zhuting (his unit's
    office head) and xiena (another county) get nothing of it"""
    hujun = Session(indexed, 'hujun', PASSWORD)
    process, = hujun.search_read('egov.workflow.process',
        [('code', '=', 'outgoing_approval'), ('state', '=', 'active')],
        ['id'], limit=1)
    request, = hujun.model(REQUEST, 'create', [{
                'title': '关于机密事项调度会议的请示',
                'process': process['id'],
                'values': {'secrecy': '不予公开', 'summary': '机密事项调度'},
                }])
    for _ in range(3):
        answer = query(hujun, '机密事项调度')
    assert request in ids_of(answer, REQUEST)
    result, = [r for r in answer['results'] if r['id'] == request]
    assert result['secrecy'] == '不予公开'
    answer = query(hujun, 'jmsx', filters={'secrecy': '不予公开'})
    assert request in ids_of(answer, REQUEST)
    assert '关于机密事项调度会议的请示' in hujun.model(
        'egov.search', 'suggest', '机密', 8)

    for login in ['zhuting', 'xiena']:
        session = Session(indexed, login, PASSWORD)
        assert not session.search_read(REQUEST,
            [('id', '=', request)], ['id'])
        for text in ['机密事项调度', 'jimishixiang', 'jmsx', '调度会议']:
            answer = query(session, text)
            assert request not in ids_of(answer, REQUEST), (login, text)
            assert '机密事项调度会议' not in str(answer['results'])
        assert query(session, '机密事项调度会议', filters={
                'kind': REQUEST})['count'] == 0
        assert '关于机密事项调度会议的请示' not in session.model(
            'egov.search', 'suggest', '机密', 8)
        words = [w['word'] for w in session.model(
                'egov.search', 'hot_words', 10)]
        assert '机密事项调度' not in words, (login, words)
    assert '机密事项调度' in [w['word'] for w in hujun.model(
            'egov.search', 'hot_words', 10)]


def test_history_is_own_and_clearable(indexed):
    xiena = Session(indexed, 'xiena', PASSWORD)
    luoqiang = Session(indexed, 'luoqiang', PASSWORD)
    query(xiena, '教育体育局')
    history = xiena.model('egov.search', 'history', 20)
    assert history[0]['text'] == '教育体育局'
    assert '教育体育局' not in [h['text'] for h in
        luoqiang.model('egov.search', 'history', 20)]
    # Another's history entry is not cleared by him
    luoqiang.model('egov.search', 'clear_history', [history[0]['id']])
    assert xiena.model('egov.search', 'history', 20)[0]['id'] == \
        history[0]['id']
    xiena.model('egov.search', 'clear_history', None)
    assert xiena.model('egov.search', 'history', 20) == []


@pytest.mark.parametrize('text', [
        '', '   ', '宜春' * 5000, '"公文" AND OR (', "'; DROP TABLE "
        "egov_search_entry; --", '😀', '😀宜春市', 'ｙｉｃｈｕｎ', '%_\\',
        'NEAR(宜春 教育) *', '{title}: 宜春', '宜春:* & !', '\x00'])
def test_bad_input(indexed, text):
    "Every query gets an answer, never an error"
    xiena = Session(indexed, 'xiena', PASSWORD)
    answer = query(xiena, text)
    assert isinstance(answer['count'], int)
    if not text.strip(' \x00') or len(text) > 100:
        assert answer['message']


def test_filters_for_the_ui(indexed):
    xiena = Session(indexed, 'xiena', PASSWORD)
    filters = xiena.model('egov.search', 'filters')
    kinds = dict(filters['kinds'])
    assert kinds['egov.org.unit'] == '组织机构'
    assert REQUEST in kinds
    assert dict(filters['modules'])['egov_base'] == '基础平台'


def test_parallel_writes_leave_the_newest_text_indexed(indexed):
    """Eight people's writes of one request at once each index it after
    their call, at the same moment: the index ends with the request's last
    title (an indexing that met another's entry runs again)"""
    hujun = Session(indexed, 'hujun', PASSWORD)
    process, = hujun.search_read('egov.workflow.process',
        [('code', '=', 'outgoing_approval'), ('state', '=', 'active')],
        ['id'], limit=1)
    request, = hujun.model(REQUEST, 'create', [{
                'title': '关于并发索引初稿的请示', 'process': process['id'],
                'values': {'summary': '并发索引'}}])
    sessions = [Session(indexed, 'hujun', PASSWORD) for _ in range(8)]

    def write(n):
        try:
            sessions[n].model(REQUEST, 'write', [request],
                {'title': '关于并发索引第%d稿的请示' % n})
            return 'written'
        except RPCError as error:
            return error.kind
    with concurrent.futures.ThreadPoolExecutor(len(sessions)) as pool:
        outcomes = list(pool.map(write, range(len(sessions))))
    assert 'written' in outcomes, outcomes
    final, = hujun.search_read(REQUEST, [('id', '=', request)], ['title'])
    answer = query(hujun, '并发索引', filters={'kind': REQUEST})
    found = [r['title'] for r in answer['results'] if r['id'] == request]
    assert found == [final['title']], (found, final, outcomes)
