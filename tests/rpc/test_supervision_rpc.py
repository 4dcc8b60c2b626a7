"""Supervision over JSON-RPC on the demo: each county sees its own tasks
only, the city's office the board; refused input answers in Chinese and
leaves nothing behind (the request's transaction is rolled back)."""
import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
TITLE = '义务教育学校课后服务全覆盖'


def tasks(session, domain=()):
    rows = session.search_read('egov.supervision.task', list(domain),
        ['id', 'title', 'lead_unit.name', 'state', 'light'])
    for row in rows:
        # A dotted field comes back as the related record's values
        row['lead_unit.name'] = row['lead_unit.']['name']
    return rows


def test_counties_see_their_own(server):
    hanmei = Session(server, 'hanmei', PASSWORD)      # 樟树市
    xiena = Session(server, 'xiena', PASSWORD)        # 袁州区
    zhaoyang = Session(server, 'zhaoyang', PASSWORD)  # 市督查科
    zs = {t['lead_unit.name'] for t in tasks(hanmei)}
    yz = {t['lead_unit.name'] for t in tasks(xiena)}
    assert zs == {'樟树市'}
    assert yz == {'袁州区', '袁州区教育体育局'}
    assert len(tasks(zhaoyang)) == 5
    # Asked by id, another county's task is refused
    yz_ids = [t['id'] for t in tasks(xiena)]
    with pytest.raises(RPCError) as info:
        hanmei.model('egov.supervision.task', 'read', yz_ids, ['title'])
    assert '督查任务' in info.value.message  # the rule refusal, in Chinese
    # The board of the city: the bureau's task is red
    rows = zhaoyang.search_read('egov.supervision.board', [],
        ['unit_name', 'red', 'open'])
    red = {r['unit_name']: r['red'] for r in rows}
    assert red['袁州区教育体育局'] == 1
    assert {r['unit_name'] for r in hanmei.search_read(
            'egov.supervision.board', [], ['unit_name'])} == {'樟树市'}


def test_bad_input_leaves_nothing(server):
    hanmei = Session(server, 'hanmei', PASSWORD)
    mine = {t['title']: t for t in tasks(hanmei)}
    closed = mine['2026年度财政预算执行情况自查']
    open_ = mine[TITLE]
    assert closed['state'] == 'closed'

    def count():
        return len(hanmei.search_read('egov.supervision.feedback', [],
                ['id']))
    before = count()
    zhangshu, yuanzhou = [hanmei.search_read('egov.org.unit',
            [('code', '=', code)], ['id'])[0]['id']
        for code in ['360982', '360902']]
    with pytest.raises(RPCError) as info:
        hanmei.model('egov.supervision.feedback', 'create', [{
                    'task': closed['id'], 'unit': zhangshu,
                    'text': '补充材料。'}])
    assert '已办结' in info.value.message
    # A unit answering for another
    with pytest.raises(RPCError) as info:
        hanmei.model('egov.supervision.feedback', 'create', [{
                    'task': open_['id'], 'unit': yuanzhou,
                    'text': '代袁州区反馈。'}])
    assert '既不是督查任务' in info.value.message
    assert count() == before
    # An extension after the task was closed
    with pytest.raises(RPCError) as info:
        hanmei.model('egov.supervision.extension', 'create', [{
                    'task': closed['id'], 'new_deadline': {
                        '__class__': 'date', 'year': 2030, 'month': 1,
                        'day': 1},
                    'reason': '再延期。'}])
    assert '已办结' in info.value.message
    # The engine's columns are not the user's to write
    with pytest.raises(RPCError):
        hanmei.model('egov.supervision.task', 'write', [open_['id']],
            {'deadline': {'__class__': 'date', 'year': 2030, 'month': 1,
                    'day': 1}})
    assert tasks(hanmei, [('id', '=', open_['id'])])[0]['state'] == \
        open_['state']
