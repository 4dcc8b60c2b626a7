"""Attachments over JSON-RPC as sao sends them, against a real server: a
clerk's hostile file is refused with the Chinese message sao shows, nothing
is stored, and the server keeps serving; a good file is stored."""
import base64
import time

import pytest

from egov_base.tests import upload_samples as samples
from .rpc import RPCError, Session

PASSWORD = 'Yichun@2026'


@pytest.fixture(scope='module')
def xiena(server):
    return Session(server, 'xiena', PASSWORD)


@pytest.fixture(scope='module')
def contact(xiena):
    contact_id, = xiena.model('egov.directory.contact', 'create', [{
                'name': '上传测试联系人'}])
    yield 'egov.directory.contact,%s' % contact_id
    xiena.model('egov.directory.contact', 'delete', [contact_id])


def binary(data):
    return {'__class__': 'bytes', 'base64': base64.b64encode(data).decode()}


def attach(session, resource, name, data, **context):
    "Create the attachment as sao's attachment window does"
    ctx = dict(session.context, **context)
    return session.call('model.ir.attachment.create', [{
                'name': name, 'data': binary(data), 'type': 'data',
                'resource': resource,
                }], ctx)


def count(session, resource):
    return session.model(
        'ir.attachment', 'search_count', [('resource', '=', resource)])


@pytest.mark.parametrize('name, build, expected', [
        ('外部实体.docx', samples.docx_xxe, 'DOCTYPE'),
        ('炸弹.docx', samples.zip_bomb, '压缩炸弹'),
        ('会议材料.pdf', samples.exe, '伪装'),
        ('脚本.pdf', samples.pdf_javascript, 'JavaScript'),
        ('截断.pdf', lambda: samples.pdf()[:150], '不完整'),
        ('42.zip', samples.nested_zip, '此处不接收'),
        ])
def test_hostile_attachment_refused(xiena, contact, name, build, expected):
    data = build()
    before = count(xiena, contact)
    started = time.monotonic()
    with pytest.raises(RPCError) as info:
        attach(xiena, contact, name, data)
    elapsed = time.monotonic() - started
    print('\n%s (%d bytes) refused over RPC in %.0f ms'
        % (name, len(data), elapsed * 1000))
    assert info.value.kind == 'UserError'
    assert name in info.value.message
    assert expected in info.value.message
    assert 'Traceback' not in str(info.value.detail)
    assert elapsed < 5
    assert count(xiena, contact) == before


def test_guard_cannot_be_switched_off_over_rpc(xiena, contact):
    "The context key of the platform's own code is dropped from RPC"
    with pytest.raises(RPCError) as info:
        attach(xiena, contact, '外部实体.docx', samples.docx_xxe(),
            _egov_upload_trusted=True)
    assert 'DOCTYPE' in info.value.message


def test_too_big_refused(xiena, contact):
    "60 MB (80 MB of base64): refused with the limit, the server serves on"
    data = bytes(60 * samples.MB)
    started = time.monotonic()
    with pytest.raises(RPCError) as info:
        attach(xiena, contact, '录像.pdf', data)
    elapsed = time.monotonic() - started
    print('\n60 MB file refused over RPC in %.0f ms' % (elapsed * 1000))
    assert '50 MB' in info.value.message
    assert xiena.search_read('egov.org.unit', [], ['name'], limit=1)


def test_good_attachment_stored(xiena, contact):
    data = samples.docx()
    attachment_id, = attach(xiena, contact, '关于防汛的通知.docx', data)
    (record,) = xiena.model('ir.attachment', 'read', [attachment_id],
        ['name', 'data_size'])
    assert record['data_size'] == len(data)
    # Renamed to a kind its content is not: refused, the name kept
    with pytest.raises(RPCError) as info:
        xiena.model('ir.attachment', 'write', [attachment_id],
            {'name': '通知.pdf'})
    assert '实际是Word 文档' in info.value.message
    xiena.model('ir.attachment', 'delete', [attachment_id])


def test_photo_bomb_refused_in_preferences(xiena):
    """One's photo (preferences): a PNG of a few hundred bytes declaring
    13,000 × 13,000 pixels is refused before it is decoded (it held half a
    gigabyte of the server's memory); a photo is taken"""
    import struct
    import zlib
    bomb = bytearray(samples.png((1, 1)))
    bomb[16:24] = struct.pack('>II', 13_000, 13_000)
    bomb[29:33] = struct.pack('>I', zlib.crc32(bytes(bomb[12:29])))
    started = time.monotonic()
    with pytest.raises(RPCError) as info:
        xiena.call('model.res.user.set_preferences',
            {'avatar': binary(bytes(bomb))}, xiena.context)
    assert time.monotonic() - started < 5
    assert info.value.kind == 'UserError'
    assert info.value.message == ('图片“头像”为 13000 × 13000 像素，超过了 '
        '25 百万像素的上限。请降低分辨率后重新上传。')
    xiena.call('model.res.user.set_preferences',
        {'avatar': binary(samples.png((300, 200)))}, xiena.context)
    preferences = xiena.call('model.res.user.get_preferences', False, {})
    assert preferences['avatar_url']


def test_photo_sizes_bounded(server, xiena):
    """A photo is served without a login at any size asked, each stored
    once resized: a few sizes only (size 100,000 was an internal error)"""
    import io
    import urllib.request
    from PIL import Image
    xiena.call('model.res.user.set_preferences',
        {'avatar': binary(samples.png((300, 200)))}, xiena.context)
    url = xiena.call('model.res.user.get_preferences', False, {})[
        'avatar_url']
    for asked, served in [(1, 16), (15, 16), (30, 32), (64, 64), (65, 128),
            (100_000, 256)]:
        with urllib.request.urlopen('%s/%s?s=%d' % (
                    server.url, url.lstrip('/'), asked)) as response:
            image = Image.open(io.BytesIO(response.read()))
        assert image.size == (served, served), (asked, image.size)
