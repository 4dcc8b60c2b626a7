"""Rooms, bookings, meetings, notices and registration, sign-in and seats,
as the people of three units do them (with their rights and rules)."""
import datetime

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction, without_check_access

from .tools import EgovMeetingTestCase, acting_as, at, meeting_org


class MeetingTestCase(EgovMeetingTestCase):
    "Meeting management"

    def book(self, org, user, room=None, start=(1, 1), end=(1, 3),
            topic='碰头会'):
        Booking = Pool().get('egov.meeting.booking')
        with acting_as(user):
            booking, = Booking.create([{
                        'room': (room or org.room).id,
                        'start': at(*start), 'end': at(*end),
                        'topic': topic}])
        return Booking(booking.id)

    def meeting(self, org, **values):
        Meeting = Pool().get('egov.meeting.meeting')
        defaults = {
            'name': '全市安全生产工作会议',
            'room': org.room.id,
            'start': at(3, 1), 'end': at(3, 3),
            'deadline': at(2, 9),
            'banner': '全市安全生产工作会议',
            'invitations': [('create', [
                        {'unit': org.yz_edu.id, 'quota': 2},
                        {'unit': org.zs_finance.id, 'quota': 1}])],
            }
        defaults.update(values)
        with acting_as(org.city_clerk):
            meeting, = Meeting.create([defaults])
        return Meeting(meeting.id)

    @with_transaction()
    def test_booking_approved_by_managing_unit(self):
        "A request of another unit waits for the room's unit to approve it"
        org = meeting_org()
        booking = self.book(org, org.yz_clerk)
        self.assertEqual(booking.state, 'requested')
        Booking = Pool().get('egov.meeting.booking')
        with acting_as(org.yz_clerk):
            # Not of the managing unit: the button is not theirs
            with self.assertRaises(UserError) as cm:
                Booking.approve([Booking(booking.id)])
            self.assertChinese(cm.exception.message)
        with acting_as(org.city_clerk):
            Booking.approve([Booking(booking.id)])
        self.assertEqual(Booking(booking.id).state, 'approved')
        # The managing unit's own bookings are approved at once
        own = self.book(org, org.city_clerk, start=(1, 5), end=(1, 6))
        self.assertEqual(own.state, 'approved')

    @with_transaction()
    def test_overlapping_booking_refused(self):
        org = meeting_org()
        self.book(org, org.yz_clerk, topic='教育工作会')
        # Back to back is no overlap; another room is free
        self.book(org, org.zs_clerk, start=(1, 3), end=(1, 4))
        self.book(org, org.zs_clerk, room=org.small_room)
        # (In one test transaction a refused record is not rolled back:
        # the refusal comes last)
        with self.assertRaises(ValidationError) as cm:
            self.book(org, org.zs_clerk, start=(1, 2), end=(1, 2, 30))
        message = cm.exception.message
        self.assertChinese(message)
        self.assertIn('第一会议室', message)
        self.assertIn('教育工作会', message)

    @with_transaction()
    def test_cancelled_booking_frees_the_slot(self):
        Booking = Pool().get('egov.meeting.booking')
        org = meeting_org()
        booking = self.book(org, org.yz_clerk)
        with acting_as(org.yz_clerk):
            Booking.cancel([booking])
        self.book(org, org.zs_clerk)

    @with_transaction()
    def test_closed_room(self):
        Room = Pool().get('egov.meeting.room')
        org = meeting_org()
        Room.write([org.room], {'state': 'closed'})
        with self.assertRaises(ValidationError) as cm:
            self.book(org, org.yz_clerk)
        self.assertChinese(cm.exception.message)
        self.assertIn('停用', cm.exception.message)
        # A meeting there is refused too (over RPC the request is rolled
        # back whole: tests/rpc/test_meeting_rpc.py)
        with self.assertRaises(ValidationError):
            self.meeting(org)

    @with_transaction()
    def test_weekly_booking_all_or_none(self):
        Booking = Pool().get('egov.meeting.booking')
        org = meeting_org()
        # Week 3 of the series is taken
        self.book(org, org.zs_clerk, start=(15, 1), end=(15, 2),
            topic='财政例会')
        with acting_as(org.yz_clerk):
            bookings = Booking.book_weekly({
                    'room': org.small_room.id, 'start': at(1, 1),
                    'end': at(1, 2), 'topic': '周例会'}, 4)
        self.assertEqual(len(bookings), 4)
        self.assertEqual(len({b.series for b in bookings}), 1)
        # (over RPC the refused series leaves nothing: test_meeting_rpc)
        with acting_as(org.yz_clerk):
            with self.assertRaises(ValidationError) as cm:
                Booking.book_weekly({
                        'room': org.room.id, 'start': at(1, 1),
                        'end': at(1, 2), 'topic': '周例会'}, 4)
            with self.assertRaises(UserError):
                Booking.book_weekly({
                        'room': org.room.id, 'start': at(1, 1),
                        'end': at(1, 2), 'topic': '周例会'}, 53)
        self.assertIn(at(15, 1).strftime('%Y-%m-%d'), cm.exception.message)

    @with_transaction()
    def test_free_rooms(self):
        Room = Pool().get('egov.meeting.room')
        org = meeting_org()
        self.book(org, org.city_clerk, room=org.small_room)
        self.assertEqual(Room.free(at(1, 2), at(1, 4), 5), [org.room])
        self.assertEqual(Room.free(at(1, 4), at(1, 5), 5),
            [org.small_room, org.room])
        self.assertEqual(Room.free(at(1, 4), at(1, 5), 50), [])

    @with_transaction()
    def test_meeting_books_its_room(self):
        Meeting = Pool().get('egov.meeting.meeting')
        org = meeting_org()
        meeting = self.meeting(org)
        self.assertEqual(meeting.booking.state, 'approved')
        self.assertEqual(meeting.booking.room, org.room)
        with acting_as(org.city_clerk):
            Meeting.write([meeting], {'start': at(4, 1), 'end': at(4, 2)})
        self.assertEqual(Meeting(meeting.id).booking.start, at(4, 1))
        # Someone else's meeting in the same slot is refused
        with self.assertRaises(ValidationError):
            self.meeting(org, name='另一个会', start=at(4, 1), end=at(4, 3),
                deadline=None)
        with acting_as(org.city_clerk):
            Meeting.cancel([Meeting(meeting.id)])
        self.assertEqual(Meeting(meeting.id).booking, None)

    def notice(self, org, meeting):
        Meeting = Pool().get('egov.meeting.meeting')
        with acting_as(org.city_clerk):
            Meeting.send_notice([meeting])
        return Meeting(meeting.id)

    @with_transaction()
    def test_notice_registration_and_board(self):
        pool = Pool()
        Invitation = pool.get('egov.meeting.invitation')
        Attendee = pool.get('egov.meeting.attendee')
        Delivery = pool.get('egov.notify.delivery')
        org = meeting_org()
        meeting = self.meeting(org, people=[('add', [org.city_admin_employee.id])])
        meeting = self.notice(org, meeting)
        self.assertEqual(meeting.state, 'noticed')
        # The people of the units and the person named got the notice
        Transaction().tasks.clear()
        pool.get('egov.notify.message').hand_out(
            pool.get('egov.notify.message').search([]))
        users = {d.user for d in Delivery.search([])}
        self.assertTrue({org.yz_clerk, org.zs_clerk, org.city_admin} <= users)
        yz, zs = sorted(meeting.invitations, key=lambda i: i.unit.code)
        self.assertEqual(yz.unit, org.yz_edu)
        self.assertEqual(Invitation(yz.id).status, 'sent')

        # 谢娜 reads it, registers two people of her unit
        Delivery.mark_read([(d.message.id, d.user.id) for d in
                Delivery.search([('user', '=', org.yz_clerk.id)])])
        self.assertEqual(Invitation(yz.id).status, 'read')
        with acting_as(org.yz_clerk):
            Invitation.write([Invitation(yz.id)], {'attendees': [('create', [
                            {'name': '谢娜', 'employee': org.yz_clerk_employee.id},
                            {'name': '罗强', 'post': '系统管理员'}])]})
            # She may not raise her own quota
            with self.assertRaises(UserError):
                Invitation.write([Invitation(yz.id)], {'quota': 5})
            # nor see 樟树市财政局's invitation
            self.assertEqual(Invitation.search([]), [Invitation(yz.id)])
        self.assertEqual(Invitation(yz.id).status, 'registered')
        self.assertEqual(Invitation(yz.id).registered_count, 2)

        # 樟树 declines with a reason
        with acting_as(org.zs_clerk):
            Invitation.do_decline([Invitation(zs.id)], '同日召开全局大会')
            with self.assertRaises(ValidationError):
                Attendee.create([{'invitation': zs.id, 'name': '韩梅'}])
        self.assertEqual(Invitation(zs.id).status, 'declined')

        # A third of 袁州 is over its quota of two (last: a refused record
        # stays in a test's transaction; over RPC nothing is saved)
        with acting_as(org.yz_clerk):
            with self.assertRaises(ValidationError) as cm:
                Invitation.write([Invitation(yz.id)], {
                        'attendees': [('create', [{'name': '王五'}])]})
        self.assertChinese(cm.exception.message)
        self.assertIn('最多可报名2人', cm.exception.message)
        # Nor may she register someone of another unit in her unit's
        # places (last, as above)
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Attendee.create([{'invitation': yz.id, 'name': '韩梅',
                            'employee': org.zs_clerk_employee.id}])
        self.assertEqual(cm.exception.message,
            '%s不是%s的人员：各单位只能为本单位人员报名，'
            '其他人员请会议组织单位添加。' % (
                org.zs_clerk_employee.name, org.yz_edu.rec_name))

    @with_transaction()
    def test_notice_goes_to_the_clerks(self):
        """In an invited unit the 收发员/文书 get the notice, not everyone;
        a unit without one: its head; a person named: directly"""
        pool = Pool()
        Delivery = pool.get('egov.notify.delivery')
        Message = pool.get('egov.notify.message')
        Assignment = pool.get('egov.org.assignment')
        Invitation = pool.get('egov.meeting.invitation')
        Meeting = pool.get('egov.meeting.meeting')
        Post = pool.get('egov.org.post')
        org = meeting_org()
        # 罗强 heads 袁州区教育体育局 (which has its clerk 谢娜); 樟树市财政局's
        # clerk left yesterday, 许凯 heads it
        Assignment.write(list(org.post_zs_clerk.assignments),
            {'end_date': datetime.date.today() - datetime.timedelta(1)})
        zs_head, = Post.create([{'name': '主要负责人',
                    'unit': org.zs_finance.id, 'head': True}])
        Assignment.create([{'employee': org.yz_admin_employee.id,
                    'post': org.post_yz_head.id}, {
                    'employee': org.zs_admin_employee.id,
                    'post': zs_head.id}])
        meeting = self.notice(org, self.meeting(org, people=[
                    ('add', [org.city_admin_employee.id])]))
        Transaction().tasks.clear()
        Message.hand_out(Message.search([]))

        def told():
            return {d.user for d in Delivery.search([
                        ('message.origin', '=', str(meeting)),
                        ('channel', '=', 'inapp')])}
        # Not everyone of the units: their clerk, else their head
        self.assertEqual(told(), {org.yz_clerk, org.zs_admin,
                org.city_admin})
        yz, zs = sorted(meeting.invitations, key=lambda i: i.unit.code)
        # The board counts who was told in each unit
        self.assertEqual([(i.sent_count, i.status)
                for i in Invitation.browse([yz, zs])],
            [(1, 'sent'), (1, 'sent')])
        # The reminder goes the same way
        with acting_as(org.city_clerk):
            Meeting.remind_silent([meeting])
        Transaction().tasks.clear()
        Message.hand_out(Message.search([('state', '=', 'queued')]))
        self.assertEqual(told(), {org.yz_clerk, org.zs_admin,
                org.city_admin})
        self.assertEqual(len(Message.search([
                        ('origin', '=', str(meeting))])), 2)

    @with_transaction()
    def test_registration_after_deadline(self):
        Invitation = Pool().get('egov.meeting.invitation')
        org = meeting_org()
        meeting = self.notice(org, self.meeting(org, deadline=at(-1, 1),
                start=at(3, 1)))
        yz = [i for i in meeting.invitations if i.unit == org.yz_edu][0]
        with acting_as(org.yz_clerk):
            with self.assertRaises(ValidationError) as cm:
                Invitation.write([yz], {
                        'attendees': [('create', [{'name': '谢娜'}])]})
        self.assertChinese(cm.exception.message)
        self.assertIn('截止', cm.exception.message)

    @with_transaction()
    def test_substitutes_by_organiser_rule(self):
        Invitation = Pool().get('egov.meeting.invitation')
        org = meeting_org()
        meeting = self.notice(org, self.meeting(org, substitutes=False))
        yz = [i for i in meeting.invitations if i.unit == org.yz_edu][0]
        with acting_as(org.yz_clerk):
            with self.assertRaises(ValidationError) as cm:
                Invitation.write([yz], {'attendees': [('create', [
                                {'name': '罗强', 'substitute_for': '局长'}])]})
        self.assertIn('代会', cm.exception.message)

    @with_transaction()
    def test_sms_answers_register(self):
        "回复 1 参加 registers; 2 请假 理由 asks for leave"
        pool = Pool()
        Reply = pool.get('egov.notify.reply')
        Attendee = pool.get('egov.meeting.attendee')
        Employee = pool.get('egov.org.employee')
        from egov_base.notify.provider import Reply as ProviderReply
        org = meeting_org()
        Employee.write([org.yz_clerk_employee], {'mobile': '13800138001'})
        Employee.write([org.city_admin_employee], {'mobile': '13800138002'})
        meeting = self.notice(org, self.meeting(org,
                people=[('add', [org.city_admin_employee.id])]))
        Message = pool.get('egov.notify.message')
        Message.hand_out(Message.search([]))
        Reply.receive('sms', [
                ProviderReply(address='13800138001', text='1 参加'),
                ProviderReply(address='+86 138 0013 8002',
                    text='2 请假 到省里开会'),
                ])
        attendees = {a.name: a for a in Attendee.search(
                [('meeting', '=', meeting.id)])}
        self.assertEqual(attendees['谢娜'].state, 'registered')
        self.assertEqual(attendees['谢娜'].invitation.unit, org.yz_edu)
        self.assertEqual(attendees['王建国'].state, 'declined')
        self.assertEqual(attendees['王建国'].reason, '到省里开会')

    @with_transaction()
    def test_door_code_sign_in(self):
        from egov_meeting.exceptions import SignInError
        from egov_meeting import signin
        pool = Pool()
        Attendee = pool.get('egov.meeting.attendee')
        org = meeting_org()
        meeting = self.notice(org, self.meeting(org))
        yz = [i for i in meeting.invitations if i.unit == org.yz_edu][0]
        with acting_as(org.yz_clerk):
            Attendee.create([{'invitation': yz.id, 'name': '谢娜',
                        'employee': org.yz_clerk_employee.id}])
        code = signin.door_code(meeting.id)
        self.assertEqual(signin.check_door_code(meeting.id, code), 'valid')
        # The code of the window before is still good, older ones expired
        old = signin.door_code(meeting.id, signin.window() - 1)
        self.assertEqual(signin.check_door_code(meeting.id, old), 'valid')
        older = signin.door_code(meeting.id, signin.window() - 3)
        with acting_as(org.yz_clerk):
            with self.assertRaises(SignInError) as cm:
                signin.sign_in_by_code(meeting.id, older)
            self.assertIn('过期', cm.exception.message)
            with self.assertRaises(SignInError) as cm:
                signin.sign_in_by_code(meeting.id, 'A' * 16)
            self.assertIn('无效', cm.exception.message)
            # Another meeting's code is a forged one here
            with self.assertRaises(SignInError):
                signin.sign_in_by_code(meeting.id,
                    signin.door_code(meeting.id + 1))
            _, attendee = signin.sign_in_by_code(meeting.id, code)
            self.assertEqual(attendee.name, '谢娜')
            with self.assertRaises(SignInError) as cm:
                signin.sign_in_by_code(meeting.id, code)
            self.assertIn('已经签到', cm.exception.message)
        # Someone not invited
        with acting_as(org.zs_admin):
            with self.assertRaises(SignInError) as cm:
                signin.sign_in_by_code(meeting.id, code)
            self.assertIn('不在', cm.exception.message)
        self.assertEqual(Attendee.search([
                    ('meeting', '=', meeting.id),
                    ('signed_at', '!=', None)], count=True), 1)

    @with_transaction()
    def test_personal_code_and_manual_sign_in(self):
        from egov_meeting.exceptions import SignInError
        from egov_meeting import signin
        Attendee = Pool().get('egov.meeting.attendee')
        org = meeting_org()
        meeting = self.notice(org, self.meeting(org))
        yz = [i for i in meeting.invitations if i.unit == org.yz_edu][0]
        with acting_as(org.yz_clerk):
            mine, other = Attendee.create([
                    {'invitation': yz.id, 'name': '谢娜',
                        'employee': org.yz_clerk_employee.id},
                    {'invitation': yz.id, 'name': '罗强',
                        'employee': org.yz_admin_employee.id}])
            # A colleague's code is not read, searched or exported
            def code(attendee):
                "As a client reads it"
                return Attendee.read([attendee.id], ['code'])[0]['code']
            self.assertIsNone(code(other))
            self.assertTrue(code(mine))
            for call in [
                    lambda: Attendee.search([('code', 'like', 'a%')]),
                    lambda: Attendee.search([], order=[('code', 'ASC')]),
                    lambda: Attendee.export_data([Attendee(mine.id)],
                        ['code'])]:
                with self.assertRaises(AccessError) as cm:
                    call()
                self.assertIn('个人签到码', cm.exception.message)
            with without_check_access():
                other_code = Attendee(other.id).code
            with self.assertRaises(SignInError):
                signin.sign_in_by_code(personal=other_code)
            signin.sign_in_by_code(personal=code(mine))
            # Only the organiser signs people in by hand
            with self.assertRaises(UserError):
                Attendee.sign_in_manually([other])
        with acting_as(org.city_clerk):
            # The organisers read every attendee's code (for the badges)
            self.assertEqual(code(other), other_code)
            Attendee.sign_in_manually([Attendee(other.id)])
            with self.assertRaises(SignInError):
                Attendee.sign_in_manually([Attendee(other.id)])
        self.assertEqual(Attendee(other.id).signed_by, org.city_clerk)

    @with_transaction()
    def test_seats_by_protocol_order_and_swap(self):
        pool = Pool()
        Attendee = pool.get('egov.meeting.attendee')
        Employee = pool.get('egov.org.employee')
        Meeting = pool.get('egov.meeting.meeting')
        from egov_meeting.seating import chart, middle_out
        self.assertEqual(middle_out(5), [3, 2, 4, 1, 5])
        self.assertEqual(middle_out(4), [2, 3, 1, 4])
        org = meeting_org()
        Employee.write([org.yz_admin_employee], {'sequence': 1})
        meeting = self.notice(org, self.meeting(org))
        yz = [i for i in meeting.invitations if i.unit == org.yz_edu][0]
        with acting_as(org.yz_clerk):
            clerk, head = Attendee.create([
                    {'invitation': yz.id, 'name': '谢娜',
                        'employee': org.yz_clerk_employee.id},
                    {'invitation': yz.id, 'name': '罗强',
                        'employee': org.yz_admin_employee.id}])
        with acting_as(org.city_clerk):
            Meeting.assign_seats([meeting])
        head, clerk = Attendee(head.id), Attendee(clerk.id)
        # Registered by their unit: the hall, the first in order in the
        # middle of the first row
        self.assertEqual((head.seat_row, head.seat_number), (1, 5))
        self.assertEqual((clerk.seat_row, clerk.seat_number), (1, 6))
        self.assertEqual(head.seat, '第1排5座')
        rostrum, rows = chart(Meeting(meeting.id))
        self.assertEqual(rostrum, [None] * 5)
        self.assertEqual(rows[0][4], head)
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError):
                Meeting.assign_seats([meeting])
        # The swap goes through a free seat: one person a seat
        Swap = pool.get('egov.meeting.seat.swap', type='wizard')
        with acting_as(org.city_clerk, active_model=Meeting.__name__,
                active_id=meeting.id, active_ids=[meeting.id]):
            session_id, _, _ = Swap.create()
            Swap.execute(session_id, {'start': {
                        'meeting': meeting.id, 'first': head.id,
                        'second': clerk.id}}, 'swap')
        self.assertEqual(Attendee(head.id).seat, '第1排6座')
        self.assertEqual(Attendee(clerk.id).seat, '第1排5座')
        # One who asks for leave after the seating leaves an empty seat on
        # the printed chart
        Attendee.write([Attendee(clerk.id)], {'state': 'declined'})
        rostrum, rows = chart(Meeting(meeting.id))
        self.assertEqual(rows[0][4], None)
        self.assertEqual(rows[0][5], Attendee(head.id))

    @with_transaction()
    def test_rostrum_takes_leaders_by_rank(self):
        "A 文书 named on the invitation sits in the hall, the leaders above"
        pool = Pool()
        Attendee = pool.get('egov.meeting.attendee')
        Employee = pool.get('egov.org.employee')
        Leadership = pool.get('egov.org.leadership')
        Meeting = pool.get('egov.meeting.meeting')
        Post = pool.get('egov.org.post')
        Assignment = pool.get('egov.org.assignment')
        from egov_meeting.seating import chart
        org = meeting_org()
        # 罗强 heads 袁州区教育体育局; 郑伟 is in charge of it (副区长); the
        # 文书 谢娜 comes first in the organisation's order of people
        Assignment.create([{'employee': org.yz_admin_employee.id,
                    'post': org.post_yz_head.id}])
        deputy, = Employee.create([{'name': '郑伟', 'number': 'YZ0009',
                    'unit': org.yz_edu.id, 'sequence': 50}])
        Leadership.create([{'leader': deputy.id, 'unit': org.yz_edu.id}])
        writer, = Post.create([{'name': '文书', 'unit': org.yz_edu_office.id}])
        Assignment.create([{'employee': org.yz_clerk_employee.id,
                    'post': writer.id}])
        Employee.write([org.yz_clerk_employee], {'sequence': 1})
        meeting = self.meeting(org, invitations=[], people=[('add', [
                        org.yz_clerk_employee.id, org.yz_admin_employee.id,
                        deputy.id])])
        meeting = self.notice(org, meeting)
        with acting_as(org.city_clerk):
            Meeting.assign_seats([meeting])
        rostrum, rows = chart(Meeting(meeting.id))
        self.assertEqual([a.name if a else None for a in rostrum],
            [None, '罗强', '郑伟', None, None])
        clerk, = Attendee.search([('name', '=', '谢娜')])
        self.assertEqual(clerk.seat, '第1排5座')

    @with_transaction()
    def test_other_units_see_nothing(self):
        "A clerk of a unit not invited sees neither the meeting nor its people"
        pool = Pool()
        Meeting = pool.get('egov.meeting.meeting')
        Attendee = pool.get('egov.meeting.attendee')
        Invitation = pool.get('egov.meeting.invitation')
        org = meeting_org()
        meeting = self.notice(org, self.meeting(org, invitations=[
                    ('create', [{'unit': org.yz_edu.id}])]))
        with acting_as(org.zs_clerk):
            self.assertEqual(Meeting.search([]), [])
            self.assertEqual(Attendee.search([]), [])
            self.assertEqual(Invitation.search([]), [])
            with self.assertRaises(AccessError):
                Meeting.read([meeting.id], ['name'])
            with self.assertRaises(AccessError):
                Attendee.create([{'invitation': meeting.invitations[0].id,
                            'name': '韩梅'}])
        with acting_as(org.yz_clerk):
            self.assertEqual(Meeting.search([]), [meeting])
            with self.assertRaises(AccessError):
                Meeting.write([meeting], {'name': '改名'})

    @with_transaction()
    def test_statistics(self):
        pool = Pool()
        Statistic = pool.get('egov.meeting.statistic.unit')
        Organiser = pool.get('egov.meeting.statistic.organiser')
        Room = pool.get('egov.meeting.statistic.room')
        org = meeting_org()
        meeting = self.notice(org, self.meeting(org))
        self.assertTrue(meeting)
        rows = {r.unit: r for r in Statistic.search([])}
        self.assertEqual(rows[org.yz_edu].invitations, 1)
        organiser, = Organiser.search([])
        self.assertEqual(organiser.meetings, 1)
        self.assertEqual(organiser.invitations, 2)
        room, = Room.search([])
        self.assertEqual(room.approved, 1)
        with acting_as(org.zs_clerk):
            self.assertEqual([r.unit for r in Statistic.search([])],
                [org.zs_finance])

    @with_transaction()
    def test_statistics_to_excel(self):
        import io
        import openpyxl
        Report = Pool().get('egov.meeting.statistic.excel', type='report')
        org = meeting_org()
        self.notice(org, self.meeting(org))
        with acting_as(org.city_clerk):
            kind, data, _, name = Report.execute([], {})
        self.assertEqual(kind, 'xlsx')
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        self.assertEqual(len(book.sheetnames), 5)
        rows = list(book.worksheets[1].values)
        self.assertIn('主办单位', rows[0])
        self.assertEqual(len(rows), 3)

    @with_transaction()
    def test_statistics_of_a_period_per_person_and_notice(self):
        "Attendance per person, notice rates, only the period's meetings"
        pool = Pool()
        Person = pool.get('egov.meeting.statistic.person')
        Notice = pool.get('egov.meeting.statistic.notice')
        Unit = pool.get('egov.meeting.statistic.unit')
        Attendee = pool.get('egov.meeting.attendee')
        Delivery = pool.get('egov.notify.delivery')
        Message = pool.get('egov.notify.message')
        Report = pool.get('egov.meeting.statistic.excel', type='report')
        org = meeting_org()
        meeting = self.notice(org, self.meeting(org))
        Transaction().tasks.clear()
        Message.hand_out(Message.search([]))
        yz = [i for i in meeting.invitations if i.unit == org.yz_edu][0]
        with acting_as(org.yz_clerk):
            Delivery.mark_read([(d.message.id, d.user.id) for d in
                    Delivery.search([('user', '=', org.yz_clerk.id)])])
            Attendee.create([{'invitation': yz.id, 'name': '谢娜',
                        'employee': org.yz_clerk_employee.id}])
        today = datetime.date.today()
        around = {'from_date': today - datetime.timedelta(days=1),
            'to_date': today + datetime.timedelta(days=10)}
        with acting_as(org.city_clerk, **around):
            notice, = Notice.search([])
            self.assertEqual(notice.meeting, meeting)
            self.assertEqual((notice.told, notice.readers, notice.read_rate),
                (2, 1, 50.0))
            self.assertEqual((notice.units, notice.registered,
                    notice.declined, notice.silent,
                    notice.registration_rate), (2, 1, 0, 1, 50.0))
            kind, data, _, _ = Report.execute([], {})
        with acting_as(org.yz_clerk, **around):
            person, = Person.search([])
            self.assertEqual((person.employee, person.unit, person.meetings,
                    person.present, person.late), (
                    org.yz_clerk_employee, org.yz_edu, 1, 0, 0))
            # Another unit's organiser figures are not hers
            self.assertEqual(Notice.search([]), [])
        # A period before the meeting: nothing
        with acting_as(org.city_clerk,
                from_date=today - datetime.timedelta(days=30),
                to_date=today - datetime.timedelta(days=1)):
            self.assertEqual((Notice.search([]), Person.search([]),
                    Unit.search([])), ([], [], []))
        import io
        import openpyxl
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        sheet = book[book.sheetnames[3]]
        rows = list(sheet.values)
        self.assertIn('阅读率（%）', rows[0])
        self.assertEqual(rows[1][4], 50)

    @with_transaction()
    def test_no_forged_states(self):
        "What the buttons set cannot be written over RPC"
        pool = Pool()
        Booking = pool.get('egov.meeting.booking')
        Attendee = pool.get('egov.meeting.attendee')
        org = meeting_org()
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError) as cm:
                Booking.create([{'room': org.room.id, 'start': at(1, 1),
                            'end': at(1, 2), 'topic': '自批',
                            'state': 'approved'}])
            self.assertChinese(cm.exception.message)
        booking = self.book(org, org.yz_clerk, start=(2, 1), end=(2, 2))
        with acting_as(org.yz_clerk):
            with self.assertRaises(UserError):
                Booking.write([booking], {'state': 'approved'})
        meeting = self.notice(org, self.meeting(org))
        yz = [i for i in meeting.invitations if i.unit == org.yz_edu][0]
        with acting_as(org.yz_clerk):
            attendee, = Attendee.create([{'invitation': yz.id,
                        'name': '谢娜'}])
            with self.assertRaises(UserError):
                Attendee.write([attendee], {
                        'signed_at': datetime.datetime.now()})
