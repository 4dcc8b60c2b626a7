"""The organisation of the meeting tests: egov_base's create_org() (the city
office, 袁州区教育体育局, 樟树市财政局 and their people), a room of the
city office and the groups of the meeting roles given."""
import datetime

from trytond.pool import Pool

from egov_base.tests.tools import EgovTestCase, acting_as, create_org

__all__ = ['EgovMeetingTestCase', 'meeting_org', 'acting_as', 'at']


class EgovMeetingTestCase(EgovTestCase):
    "A database with egov_meeting in Chinese, dropped after the class"
    modules = ['egov_meeting']


def at(days, hour, minute=0):
    "A time days from today at hour (UTC, as stored)"
    today = datetime.datetime.now().replace(
        hour=0, minute=0, second=0, microsecond=0)
    return today + datetime.timedelta(days=days, hours=hour, minutes=minute)


def meeting_org():
    """create_org() with 赵阳 (city office) managing the rooms of the city
    office and the big room 第一会议室 (40 + 5 seats) and 小会议室"""
    pool = Pool()
    Post = pool.get('egov.org.post')
    Room = pool.get('egov.meeting.room')
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    org = create_org()
    admin = ModelData.get_id('egov_meeting', 'group_meeting_admin')
    Post.write([org.post_secretary], {'groups': [('add', [admin])]})
    org.room, org.small_room = Room.create([{
                'name': '第一会议室', 'unit': org.city_office.id,
                'location': '市政府大楼三楼', 'capacity': 45,
                'rows': 4, 'seats_per_row': 10, 'rostrum_seats': 5,
                }, {
                'name': '小会议室', 'unit': org.city_office.id,
                'capacity': 8, 'rows': 1, 'seats_per_row': 8,
                'rostrum_seats': 0,
                }])
    User.clear_org_caches()
    return org
