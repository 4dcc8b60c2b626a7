"""The WeChat Work provider and the callback crypto against the local WeChat
Work server (tests/fakes/wechat_work.py): wechatpy speaks HTTP to it as to
qyapi.weixin.qq.com. No database."""
import time

import pytest

from egov_base.notify.provider import FAILED, RETRY, SENT, Outgoing
from egov_base.notify.wechat import (
    RESPONSE_CODE_LIFETIME, WeChatWork, card_data, parse_card_data, task_id)
from egov_base.notify.wechat_callback import (
    CallbackRefused, receive, verify_url)

from ..fakes.wechat_work import FakeWeChatWork


@pytest.fixture
def wechat():
    with FakeWeChatWork() as fake:
        yield fake


def out(key, user, text='您有一件待办：关于开展安全生产检查的通知。', **values):
    return Outgoing(key=key, address=user, text=text, **values)


class Seen:
    "The store of seen nonces, in memory as the database would keep it"

    def __init__(self):
        self.keys = set()

    def seen(self, key):
        if key in self.keys:
            return True
        self.keys.add(key)
        return False


# --- sending -------------------------------------------------------------

def test_token_flow_and_text(wechat):
    "One token serves many sends; a text reaches the person"
    provider = WeChatWork(wechat.settings())
    results = provider.send([out('k1', 'zhangsan')])
    results += provider.send([out('k2', 'lisi', text='第二条')])
    assert [r.state for r in results] == [SENT, SENT]
    assert all(r.provider_id.startswith('msg') for r in results)
    assert wechat.token_fetches == 1
    (user, _, msgtype, body), = wechat.received('zhangsan')
    assert msgtype == 'text'
    assert body == {'content': '您有一件待办：关于开展安全生产检查的通知。'}
    # WeChat's duplicate check is asked on every call
    assert all(s['enable_duplicate_check'] == 1
        and s['duplicate_check_interval'] == 1800 for s in wechat.sends)


def test_wrong_secret_fails(wechat):
    "A wrong secret is WeChat's 40001: failed, with the code for people"
    provider = WeChatWork(wechat.settings(secret='wrong'))
    result, = provider.send([out('k1', 'zhangsan')])
    assert result.state == FAILED
    assert result.error.startswith('40001')
    assert not wechat.received()


def test_card(wechat):
    "With a link, a text card: title, description, url, 详情"
    provider = WeChatWork(wechat.settings())
    result, = provider.send([out('k1', 'zhangsan', title='待办提醒',
                url='https://oa.yichun.gov.cn/egov/workflow/sign/12')])
    assert result.state == SENT
    (_, _, msgtype, card), = wechat.received('zhangsan')
    assert msgtype == 'textcard'
    assert card == {'title': '待办提醒',
        'description': '您有一件待办：关于开展安全生产检查的通知。',
        'url': 'https://oa.yichun.gov.cn/egov/workflow/sign/12',
        'btntxt': '详情'}


def test_batches_of_1000(wechat):
    """The same words to 2,500 people: three calls (1,000, 1,000, 500),
    each person once; other words go in their own call"""
    provider = WeChatWork(wechat.settings())
    outgoing = [out('k%d' % i, 'user%04d' % i) for i in range(2500)]
    outgoing.append(out('other', 'user0001', text='另一条通知'))
    started = time.perf_counter()
    results = provider.send(outgoing)
    elapsed = time.perf_counter() - started
    assert [r.key for r in results] == [o.key for o in outgoing]
    assert {r.state for r in results} == {SENT}
    sizes = sorted(len(s['touser'].split('|')) for s in wechat.sends)
    assert sizes == [1, 500, 1000, 1000]
    assert len(wechat.received()) == 2501
    assert not wechat.duplicates()
    assert elapsed < 5, elapsed


def test_invaliduser(wechat):
    "Someone not in the application: failed for them only"
    wechat.invalid = {'left_2019'}
    provider = WeChatWork(wechat.settings())
    results = provider.send([out('k1', 'zhangsan'), out('k2', 'left_2019'),
            out('k3', 'lisi')])
    assert [r.state for r in results] == [SENT, FAILED, SENT]
    assert 'left_2019' in results[1].error
    assert [m[0] for m in wechat.received()] == ['zhangsan', 'lisi']
    # Nobody valid: WeChat's 81013, failed for all
    result, = provider.send([out('k4', 'left_2019')])
    assert result.state == FAILED and result.error.startswith('81013')


def test_token_expiry(wechat):
    "An expired token (42001) is fetched again and the call made once more"
    provider = WeChatWork(wechat.settings())
    assert provider.send([out('k1', 'zhangsan')])[0].state == SENT
    wechat.expire_tokens()
    assert provider.send([out('k2', 'lisi')])[0].state == SENT
    assert wechat.token_fetches == 2
    # WeChat says once that a token it gave expired: the same
    wechat.expire_once = True
    assert provider.send([out('k3', 'wangwu')])[0].state == SENT
    assert wechat.token_fetches == 3
    assert len(wechat.received()) == 3


def test_throttle_down_slow_refused(wechat):
    "Frequency limit, 5xx, timeout, connection refused: retry later"
    provider = WeChatWork(wechat.settings())
    provider.send([out('k0', 'zhaoliu')])     # the token
    wechat.throttle = 1
    result, = provider.send([out('k1', 'zhangsan')])
    assert (result.state, result.error[:5]) == (RETRY, '45009')
    wechat.down = True
    result, = provider.send([out('k2', 'zhangsan')])
    assert (result.state, result.error) == (RETRY, 'HTTP 503')
    wechat.down = False
    wechat.slow = 1
    # Only the slow call is given a short timeout (see test_update_done_retry)
    provider.client.timeout = 0.5
    result, = provider.send([out('k3', 'zhangsan')])
    assert result.state == RETRY and result.error.startswith('timeout')
    wechat.slow = 0
    port = wechat.port
    wechat.stop()
    result, = provider.send([out('k4', 'zhangsan')])
    assert result.state == RETRY and result.error.startswith('connection')
    assert port
    assert [m[0] for m in wechat.received()] == ['zhaoliu']


def test_resend_after_crash_not_twice(wechat):
    """The worker dies after WeChat took the message: the service sends it
    again and WeChat's duplicate check keeps the first only"""
    outgoing = [out('k%d' % i, 'user%d' % i) for i in range(20)]
    assert {r.state for r in WeChatWork(wechat.settings()).send(outgoing)
        } == {SENT}
    # A new worker, a new provider, the same messages
    results = WeChatWork(wechat.settings()).send(outgoing)
    assert {r.state for r in results} == {SENT}
    assert len(wechat.received()) == 20
    assert wechat.deduplicated == 20
    assert not wechat.duplicates()


def test_bad_messages_fail_alone(wechat):
    "Empty or over-long text fails with a reason; the others go"
    provider = WeChatWork(wechat.settings())
    results = provider.send([out('k1', 'zhangsan', text='  '),
            out('k2', 'zhangsan', text='长' * 700),
            out('k3', 'a|b'), out('k4', 'lisi')])
    assert [r.state for r in results] == [FAILED, FAILED, FAILED, SENT]
    assert results[0].error.startswith('44004')
    assert results[1].error.startswith('45002')


# --- to-do cards ----------------------------------------------------------

URL = 'https://oa.yichun.gov.cn/egov/notify/open/12-ab'


def todo(key, user, **values):
    return out(key, user, title='新待办：部门负责人审批', url=URL,
        actionable=True, **values)


def test_todo_card(wechat):
    """A to-do is a button card: title, text, the link, 去办理 with a key,
    a task_id of the key; its response_code kept for the update"""
    provider = WeChatWork(wechat.settings())
    result, = provider.send([todo('egab12cd-7', 'zhangsan')])
    assert result.state == SENT
    (_, _, msgtype, card), = wechat.received('zhangsan')
    assert msgtype == 'template_card'
    assert card == {
        'card_type': 'button_interaction',
        'task_id': 'egab12cd-7',
        'main_title': {'title': '新待办：部门负责人审批'},
        'sub_title_text': '您有一件待办：关于开展安全生产检查的通知。',
        'card_action': {'type': 1, 'url': URL},
        'button_list': [{'type': 0, 'text': '去办理', 'style': 1,
                'key': 'todo_egab12cd-7'}],
        }
    code, sent_at = parse_card_data(result.provider_data)
    assert code in wechat.response_codes
    assert abs(sent_at - time.time()) < 5
    assert wechat.button('egab12cd-7', 'zhangsan') == '去办理'


def test_todo_cards_one_per_call(wechat):
    """Three to-dos, the same words: three calls (task_id is unique per
    application, a response_code is spent once), each its own code; the
    plain notice beside them still goes grouped"""
    provider = WeChatWork(wechat.settings())
    results = provider.send([todo('k%d' % i, 'user%d' % i) for i in range(3)]
        + [out('n1', 'user0'), out('n2', 'user1')])
    assert {r.state for r in results} == {SENT}
    codes = [parse_card_data(r.provider_data)[0] for r in results[:3]]
    assert len(set(codes)) == 3 and all(codes)
    assert [r.provider_data for r in results[3:]] == ['', '']
    sizes = sorted(len(s['touser'].split('|')) for s in wechat.sends)
    assert sizes == [1, 1, 1, 2]


def test_todo_card_limits(wechat):
    "Long words are cut to WeChat's sizes; an odd key gets a valid task_id"
    provider = WeChatWork(wechat.settings())
    result, = provider.send([todo('库/1', 'zhangsan', text='长' * 500)])
    assert result.state == SENT
    (_, _, _, card), = wechat.received('zhangsan')
    assert len(card['sub_title_text']) == 160
    assert card['sub_title_text'].endswith('…')
    assert card['task_id'] == task_id('库/1') != '库/1'
    assert len(card['task_id']) <= 128


def test_update_done(wechat):
    """The to-do done: its card's button reads 已办结 for the person, the
    code spent; a second try with it is refused by WeChat (failed)"""
    provider = WeChatWork(wechat.settings())
    outgoing = [todo('k1', 'zhangsan'), todo('k2', 'lisi')]
    for message, result in zip(outgoing, provider.send(outgoing)):
        message.provider_data = result.provider_data
    results = provider.update_done(outgoing)
    assert [(r.key, r.state) for r in results] == [
        ('k1', SENT), ('k2', SENT)]
    assert wechat.button('k1', 'zhangsan') == '已办结'
    assert wechat.button('k2', 'lisi') == '已办结'
    assert [(u['task_id'], u['userids'], u['replace_name'])
        for u in wechat.updates] == [
        ('k1', ['zhangsan'], '已办结'), ('k2', ['lisi'], '已办结')]
    assert wechat.calls['/cgi-bin/message/update_template_card'] == 2
    result, = provider.update_done(outgoing[:1])
    assert result.state == FAILED and result.error.startswith('40058')
    assert len(wechat.updates) == 2


def test_update_done_expired(wechat):
    """A code past its 72 hours: failed with the reason, WeChat not asked;
    one WeChat says expired: failed too"""
    provider = WeChatWork(wechat.settings())
    message = todo('k1', 'zhangsan')
    result, = provider.send([message])
    code, sent_at = parse_card_data(result.provider_data)
    message.provider_data = card_data(
        code, sent_at - RESPONSE_CODE_LIFETIME - 60)
    result, = provider.update_done([message])
    assert result.state == FAILED
    assert result.error.startswith('response_code expired')
    assert not wechat.calls['/cgi-bin/message/update_template_card']
    message.provider_data = card_data(code, sent_at)
    wechat.expire_response_codes()
    result, = provider.update_done([message])
    assert result.state == FAILED and 'response_code' in result.error
    assert wechat.button('k1', 'zhangsan') == '去办理'
    # Nothing kept to update with (sent before cards, or as text)
    message.provider_data = ''
    result, = provider.update_done([message])
    assert result.state == FAILED and 'no response_code' in result.error


def test_update_done_retry(wechat):
    """Throttled, down, slow: retry, the code not spent; an expired token
    is fetched again"""
    provider = WeChatWork(wechat.settings())
    message = todo('k1', 'zhangsan')
    message.provider_data = provider.send([message])[0].provider_data
    wechat.throttle = 1
    result, = provider.update_done([message])
    assert (result.state, result.error[:5]) == (RETRY, '45009')
    wechat.down = True
    result, = provider.update_done([message])
    assert (result.state, result.error) == (RETRY, 'HTTP 503')
    wechat.down = False
    wechat.slow = 1
    # Only the slow call is given a short timeout: on a busy machine the
    # others may take more than half a second too
    provider.client.timeout = 0.5
    result, = provider.update_done([message])
    assert result.state == RETRY and result.error.startswith('timeout')
    provider.client.timeout = 5
    wechat.slow = 0
    # The slow call reached WeChat after the client gave up: the code was
    # spent there and the card shows 已办结; the retry is refused (failed,
    # logged): a flag missed on the delivery, never a wrong card
    time.sleep(0.8)
    assert wechat.button('k1', 'zhangsan') == '已办结'
    result, = provider.update_done([message])
    assert result.state == FAILED
    message2 = todo('k2', 'zhangsan')
    message2.provider_data = provider.send([message2])[0].provider_data
    wechat.expire_tokens()
    result, = provider.update_done([message2])
    assert result.state == SENT
    assert wechat.button('k2', 'zhangsan') == '已办结'


def test_update_done_left(wechat):
    "Someone who left the application since: failed for them"
    provider = WeChatWork(wechat.settings())
    message = todo('k1', 'zhangsan')
    message.provider_data = provider.send([message])[0].provider_data
    message.address = 'lisi'
    result, = provider.update_done([message])
    assert result.state == FAILED and 'invaliduser lisi' in result.error


def test_card_resent_after_crash(wechat):
    """The worker died after WeChat took the card: the resend (same
    task_id, same words) is dropped by WeChat's duplicate check, and the
    new code still updates the card the person has"""
    message = todo('k1', 'zhangsan')
    WeChatWork(wechat.settings()).send([message])
    provider = WeChatWork(wechat.settings())
    result, = provider.send([message])
    assert result.state == SENT
    assert len(wechat.received('zhangsan')) == 1
    message.provider_data = result.provider_data
    assert provider.update_done([message])[0].state == SENT
    assert wechat.button('k1', 'zhangsan') == '已办结'


# --- callback crypto -----------------------------------------------------

def test_verify_url(wechat):
    query, plain = wechat.verification()
    assert verify_url(wechat.settings(), query) == plain


def test_verify_url_forged(wechat):
    query, _ = wechat.verification()
    query['msg_signature'] = '0' * 40
    with pytest.raises(CallbackRefused) as info:
        verify_url(wechat.settings(), query)
    assert info.value.reason.startswith('signature')


def test_callback_text(wechat):
    "A reply: who, what, when and WeChat's MsgId"
    query, body = wechat.callback(wechat.text_message(
            'zhangsan', '1', msg_id='7391', at=1767225600))
    inbound = receive(wechat.settings(), query, body, Seen().seen)
    assert inbound.kind == 'text'
    reply = inbound.reply
    assert (reply.address, reply.text, reply.provider_id) == (
        'zhangsan', '1', '7391')
    assert reply.at.isoformat() == '2026-01-01T00:00:00'


def test_callback_event(wechat):
    query, body = wechat.callback(wechat.event_message(
            'zhangsan', 'enter_agent'))
    inbound = receive(wechat.settings(), query, body, Seen().seen)
    assert inbound.kind == 'event' and inbound.reply is None
    assert inbound.event['event'] == 'enter_agent'
    assert inbound.event['user'] == 'zhangsan'


def test_callback_card_event(wechat):
    "去办理 pressed: an event with the card's task_id and the button's key"
    query, body = wechat.callback(wechat.card_event(
            'zhangsan', 'egab12cd-7', 'todo_egab12cd-7'))
    inbound = receive(wechat.settings(), query, body, Seen().seen)
    assert inbound.kind == 'event' and inbound.reply is None
    event = inbound.event
    assert (event['event'], event['user'], event['task_id'], event['key'],
        event['card_type']) == ('template_card_event', 'zhangsan',
        'egab12cd-7', 'todo_egab12cd-7', 'button_interaction')


def refused(wechat, query, body, seen=None):
    with pytest.raises(CallbackRefused) as info:
        receive(wechat.settings(), query, body, (seen or Seen()).seen)
    return info.value.reason


def test_callback_forged(wechat):
    "Signed with another token, or altered: refused"
    query, body = wechat.callback(wechat.text_message('zhangsan', '1'))
    forged = FakeWeChatWork(token='stolen?',
        encoding_aes_key=wechat.encoding_aes_key)
    query2, body2 = forged.callback(forged.text_message('zhangsan', '1'))
    assert refused(wechat, query2, body2).startswith('signature')
    query['msg_signature'] = query['msg_signature'][::-1]
    assert refused(wechat, query, body).startswith('signature')


def test_callback_other_corporation(wechat):
    "Right token and key but another corporation's id: refused"
    other = FakeWeChatWork(corp_id='wwother', token=wechat.token,
        encoding_aes_key=wechat.encoding_aes_key)
    query, body = other.callback(other.text_message('zhangsan', '1'))
    assert refused(wechat, query, body).startswith('corp id')


def test_callback_replay(wechat):
    "The same callback twice, or the same MsgId anew: refused"
    seen = Seen()
    query, body = wechat.callback(wechat.text_message(
            'zhangsan', '1', msg_id='42'))
    receive(wechat.settings(), query, body, seen.seen)
    assert refused(wechat, query, body, seen).startswith('replay')
    query, body = wechat.callback(wechat.text_message(
            'zhangsan', '1', msg_id='42'))
    assert refused(wechat, query, body, seen).startswith('replay: MsgId')


def test_callback_stale(wechat):
    "Outside ±5 minutes: refused, before anything is decrypted or stored"
    seen = Seen()
    for delta in [-301, 301]:
        query, body = wechat.callback(wechat.text_message('zhangsan', '1'),
            timestamp=int(time.time()) + delta)
        assert refused(wechat, query, body, seen).startswith('stale')
    assert not seen.keys


def test_callback_malformed(wechat):
    "Broken XML, a DTD, no Encrypt, a huge body, bad parameters: refused"
    query, body = wechat.callback(wechat.text_message('zhangsan', '1'))
    cases = [
        b'<xml><Encrypt>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<xml><Encrypt>&a;</Encrypt></xml>',
        b'<xml><ToUserName>x</ToUserName></xml>',
        b'<xml><Encrypt>' + b'A' * 70000 + b'</Encrypt></xml>',
        b'not xml at all',
        ]
    for case in cases:
        assert refused(wechat, query, case).startswith(
            ('malformed', 'signature')), case[:40]
    for name, value in [('timestamp', 'abc'), ('nonce', '<script>'),
            ('msg_signature', 'x')]:
        assert refused(wechat, dict(query, **{name: value}), body)
    # Signed and encrypted, but not a message
    query, body = wechat.callback('<xml><Nothing/></xml>')
    assert refused(wechat, query, body).startswith('malformed')


# --- login state and next ------------------------------------------------

def test_login_state(monkeypatch):
    "The OAuth state: ours, of this database and browser, for 10 minutes"
    from egov_base.notify import wechat_routes
    from egov_base.security import crypto
    monkeypatch.setattr(crypto, 'key', lambda: b'k' * 16)
    nonce = 'a1' * 16
    state = wechat_routes.make_state('egov', nonce, now=1767225600)
    assert len(state) <= 128 and state.isalnum()
    check = wechat_routes.check_state
    assert check('egov', state, nonce, now=1767225600 + 599)
    assert not check('egov', state, nonce, now=1767225600 + 601)
    assert not check('other', state, nonce, now=1767225600)
    assert not check('egov', state, 'b2' * 16, now=1767225600)
    assert not check('egov', state, '', now=1767225600)
    assert not check('egov', state[:-1] + '0', nonce, now=1767225600)
    assert not check('egov', None, nonce)
    monkeypatch.setattr(crypto, 'key', lambda: b'x' * 16)
    assert not check('egov', state, nonce, now=1767225600)


def test_local_next():
    "Only a path of this server is opened after the login"
    from egov_base.notify.wechat_routes import local_next
    for good in ['/egov/egov/workflow/inbox', '/egov/egov/workflow/sign/3',
            '/#egov/model/egov.workflow.task/3', '/a?b=//c']:
        assert local_next(good) == good
    for bad in ['//evil.example', '///evil.example', '/\\evil.example',
            'https://evil.example', 'javascript:alert(1)', '', None,
            '/a\r\nLocation: x', '/a b', '/\t/evil.example', 'evil',
            '/' + 'a' * 2001]:
        assert local_next(bad) is None, bad
