"""The meetings of the demo (egov_meeting): the rooms of 宜春市人民政府办公室
managed by 孙丽 (文电科 收发员, 会议室管理员), a meeting of the city office
with three units invited, registered, seated and partly signed in, a room
request of 宜春市财政局 waiting for approval, and a declined invitation."""
import datetime

from load import DocumentSamples


def load(loader):
    pool = loader.pool
    samples = DocumentSamples(pool)
    Post = pool.get('egov.org.post')
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    Room = pool.get('egov.meeting.room')
    Booking = pool.get('egov.meeting.booking')
    Meeting = pool.get('egov.meeting.meeting')
    Invitation = pool.get('egov.meeting.invitation')
    Attendee = pool.get('egov.meeting.attendee')
    Message = pool.get('egov.notify.message')
    Decision = pool.get('egov.meeting.decision')

    admin = ModelData.get_id('egov_meeting', 'group_meeting_admin')
    Post.write([samples.user('sunli').post], {'groups': [('add', [admin])]})
    User.clear_org_caches()
    office = samples.unit('360900', '宜春市人民政府办公室')
    with samples.acting_as('sunli'):
        big, small = Room.create([{
                    'name': '市政府第一会议室', 'unit': office.id,
                    'location': '市政府大楼三楼301', 'capacity': 77,
                    'equipment': '投影仪、话筒12支、视频会议终端',
                    'rows': 6, 'seats_per_row': 12, 'rostrum_seats': 5,
                    }, {
                    'name': '市政府第三会议室', 'unit': office.id,
                    'location': '市政府大楼五楼502', 'capacity': 16,
                    'equipment': '电视屏、白板',
                    'rows': 2, 'seats_per_row': 8, 'rostrum_seats': 0,
                    }])
    # Tomorrow 9:00-11:00 in Beijing time (01:00 UTC as stored)
    day = datetime.datetime.now().replace(
        hour=1, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=1)
    units = [samples.unit('360900', '宜春市教育局'),
        samples.unit('360902', '袁州区教育体育局'),
        samples.unit('360982', '樟树市人民政府办公室')]
    with samples.acting_as('sunli'):
        meeting, = Meeting.create([{
                    'name': '全市教育工作会议',
                    'unit': office.id, 'room': big.id,
                    'start': day, 'end': day + datetime.timedelta(hours=2),
                    'deadline': day - datetime.timedelta(hours=1),
                    'expected': 30,
                    'banner': '全市教育工作会议',
                    'agenda': '一、市教育局通报2026年教育工作\n'
                    '二、各县（市、区）交流发言\n三、分管副市长讲话',
                    'invitations': [('create', [
                                {'unit': units[0].id, 'quota': 3},
                                {'unit': units[1].id, 'quota': 2},
                                {'unit': units[2].id, 'quota': 1}])],
                    # The leaders on the rostrum: 副市长 and the office's
                    # head (by rank, whoever the units register)
                    'people': [('add', [
                                samples.user('liuzhiqiang').employee.id,
                                samples.user('zhoumin').employee.id])],
                    'checklist': [('create', [
                                {'item': '制作会标和桌签', 'state': 'done',
                                    'owner': samples.user('sunli')
                                    .employee.id},
                                {'item': '调试话筒和视频会议终端',
                                    'state': 'doing',
                                    'owner': samples.user('xuyan')
                                    .employee.id},
                                {'item': '印制会议材料60份'}])],
                    }])
        Meeting.send_notice([meeting])
    Message.hand_out(Message.search([('state', '=', 'queued')]))
    meeting = Meeting(meeting.id)
    invitation = {i.unit: i for i in meeting.invitations}
    with samples.acting_as('hujun'):
        Invitation.write([invitation[units[0]]], {'attendees': [('create', [
                            employee_line(samples, 'mashuai'),
                            employee_line(samples, 'hujun')])]})
    with samples.acting_as('liuyang'):
        Invitation.write([invitation[units[1]]], {'attendees': [('create', [
                            employee_line(samples, 'songtao')])]})
    with samples.acting_as('hanmei'):
        Invitation.do_decline([invitation[units[2]]],
            '同日召开市政府常务会议，请假')
    with samples.acting_as('sunli'):
        leaders = {samples.user(login).employee
            for login in ['liuzhiqiang', 'zhoumin']}
        Attendee.write([a for a in Meeting(meeting.id).attendees
                if a.employee in leaders], {'state': 'registered'})
        Meeting.assign_seats([meeting])
        mashuai, = Attendee.search([('meeting', '=', meeting.id),
                ('name', '=', '马帅')])
        Attendee.sign_in_manually([mashuai])
        Decision.create([{
                    'meeting': meeting.id,
                    'text': '各县（市、区）于月底前完成校园安全隐患排查',
                    'unit': units[0].id,
                    'deadline': (day + datetime.timedelta(days=20)).date(),
                    }])
    # 宜春市财政局 asks for the small room: 孙丽 has it to approve
    with samples.acting_as('gaofang'):
        Booking.create([{
                    'room': small.id, 'topic': '预算编制培训',
                    'start': day + datetime.timedelta(hours=5),
                    'end': day + datetime.timedelta(hours=7),
                    'chair': '何平',
                    }])


def employee_line(samples, login):
    employee = samples.user(login).employee
    return {'employee': employee.id, 'name': employee.name,
        'post': employee.posts, 'phone': employee.mobile}
