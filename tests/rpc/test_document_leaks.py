"""公文 over RPC, as an attacker with a clerk's login would try: the 收文
and 发文 of one county are not read, searched, counted, ordered, exported,
changed or found by the smart search from the other county; a 机密 收文
of 袁州区人民政府办公室 is nothing to a colleague of the same office who is
not cleared for it, in any of those ways or in an error message."""
import pytest

from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'
SECRET_TITLE = '关于调整民兵应急分队部署的通知'


def ensure_clerk(admin, login):
    "The post of login carries the document clerk role"
    group, = admin.model('res.group', 'search', [
            ('name', '=', '收发员（文书）')], 0, 1, None)
    user, = admin.model('res.user', 'search', [('login', '=', login)],
        0, 1, None)
    assignments = admin.search_read('egov.org.assignment', [
            ('employee.user', '=', user)], ['post'])
    for assignment in assignments:
        admin.model('egov.org.post', 'write', [assignment['post']],
            {'groups': [('add', [group])]})
    return user


@pytest.fixture(scope='module')
def people(server):
    # The security administrator gives roles (三员分立), the county's
    # organisation administrator the clearance of its people
    secadmin = Session.with_sms(server, 'lijing', PASSWORD)
    for login in ['xiena', 'hanmei', 'liangyan']:
        ensure_clerk(secadmin, login)
    org_admin = Session.with_sms(server, 'luoqiang', PASSWORD)
    xiena_employee, = org_admin.model('egov.org.employee', 'search', [
            ('user.login', '=', 'xiena')], 0, 1, None)
    org_admin.model('egov.org.employee', 'write', [xiena_employee],
        {'secrecy_clearance': 'confidential'})
    # A clerk cannot clear herself
    refused(people_session(server, 'hanmei'), 'egov.org.employee', 'write',
        [xiena_employee], {'secrecy_clearance': 'top_secret'})
    # Logged in after the changes: their groups and clearance are read
    return {login: Session(server, login, PASSWORD)
        for login in ['xiena', 'hanmei', 'liangyan']}


@pytest.fixture(scope='module')
def documents(people):
    found = {}
    for login, county in [('xiena', '袁州区'), ('hanmei', '樟树市')]:
        session = people[login]
        incoming, = session.model('egov.document.incoming', 'create', [{
                    'title': '%s关于秋冬季森林防火的通知' % county,
                    'source_name': '%s应急管理局' % county,
                    'source_number': '%s应急字〔2026〕8号' % county[:2],
                    }])
        outgoing, = session.model('egov.document.outgoing', 'create', [{
                    'title': '%s关于报送年度工作总结的通知' % county,
                    }])
        found[login] = {'egov.document.incoming': incoming,
            'egov.document.outgoing': outgoing}
    secret, = people['xiena'].model('egov.document.incoming', 'create', [{
                'title': SECRET_TITLE, 'source_name': '宜春军分区',
                'source_number': '宜军字〔2026〕5号',
                'secrecy': 'confidential', 'secrecy_years': 20}])
    found['secret'] = secret
    return found


def people_session(server, login):
    return Session(server, login, PASSWORD)


def refused(session, model, method, *args):
    try:
        session.model(model, method, *args)
    except RPCError as error:
        assert error.kind in {'UserError', 'HTTP 403'}, error
        return error.message
    raise AssertionError('%s.%s answered %s' % (model, method, args))


@pytest.mark.parametrize('model', [
        'egov.document.incoming', 'egov.document.outgoing'])
def test_other_county_finds_nothing(people, documents, model):
    for mine, other in [('xiena', 'hanmei'), ('hanmei', 'xiena')]:
        record = documents[mine][model]
        session = people[other]
        title, = [r['title'] for r in people[mine].model(
                model, 'read', [record], ['title'])]
        assert session.model(model, 'search', [('id', '=', record)],
            0, None, None) == []
        assert session.model(model, 'search_count',
            [('title', '=', title)]) == 0
        ordered = session.model(model, 'search', [], 0, None,
            [('title', 'ASC')])
        assert record not in ordered
        message = refused(session, model, 'read', [record], ['title'])
        assert title not in message
        refused(session, model, 'write', [record], {'title': '改'})
        refused(session, model, 'delete', [record])
        exported = session.model(model, 'export_data_domain',
            [('title', 'ilike', '%' + title[:3] + '%')], ['title'])
        assert [title] not in exported


def test_not_cleared_colleague_finds_nothing(people, documents):
    model = 'egov.document.incoming'
    secret = documents['secret']
    xiena, liangyan = people['xiena'], people['liangyan']
    # The cleared clerk reads it; her colleague reads the office's others
    assert xiena.model(model, 'search', [('id', '=', secret)],
        0, None, None) == [secret]
    office = liangyan.model(model, 'search', [], 0, None, None)
    assert documents['xiena'][model] in office
    assert secret not in office
    assert liangyan.model(model, 'search_count',
        [('secrecy', '=', 'confidential')]) == 0
    assert liangyan.model(model, 'search_count',
        [('source_number', 'ilike', '%宜军字%')]) == 0
    assert secret not in liangyan.model(model, 'search', [], 0, None,
        [('secrecy', 'DESC')])
    message = refused(liangyan, model, 'read', [secret], ['title'])
    assert SECRET_TITLE not in message and '宜军字' not in message
    assert '机密' not in message
    assert liangyan.model(model, 'export_data_domain',
        [('title', 'ilike', '%民兵%')], ['title']) == []
    refused(liangyan, model, 'write', [secret], {'title': '改'})
    # Nor the smart search: no result, count or suggestion
    answer = liangyan.model('egov.search', 'query', '民兵应急分队')
    assert (answer['count'], answer['results']) == (0, [])
    assert not [s for s in liangyan.model('egov.search', 'suggest', '关于调整')
        if '民兵' in s]
    # Nor a 传阅 of it to her, which would open it
    with pytest.raises(RPCError) as refusal:
        xiena.wizard('egov.document.circulate', {'start': {
                    'readers': [liangyan.user_id], 'note': '请阅',
                    'colleagues': []}}, 'send',
            active_model=model, active_id=secret, active_ids=[secret])
    assert '无权阅读机密公文' in refusal.value.message
