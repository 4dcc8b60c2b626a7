"""催办 of 公文 by their deadline: the daily run tells the holders of the
documents near or past their deadline, once a day, and nobody else."""
import datetime

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from egov_base.tests.notify_tools import run_queue
from egov_base.tests.tools import acting_as

from .tools import DocumentHelpers, EgovDocumentTestCase, document_org


class DeadlineReminderTestCase(DocumentHelpers, EgovDocumentTestCase):

    def incoming(self, org, title, deadline):
        "谢娜 registers a paper 收文 with deadline: 登记 is her to-do"
        Incoming = Pool().get('egov.document.incoming')
        with acting_as(org.yz_clerk):
            incoming, = Incoming.create([{
                        'title': title,
                        'source_name': '宜春市应急管理局',
                        'source_number': '宜应急字〔2026〕30号',
                        'deadline': deadline,
                        }])
            Incoming.workflow_start([incoming])
        return incoming

    def reminders(self, user):
        "The 催办 in user's bell: [(subject, text)]"
        Delivery = Pool().get('egov.notify.delivery')
        return [(d.message.subject, d.message.body) for d in Delivery.search([
                    ('user', '=', user.id),
                    ('channel', '=', 'inapp'),
                    ('message.template.event', 'in',
                        ['document_due', 'document_overdue']),
                    ], order=[('id', 'ASC')])]

    @with_transaction()
    def test_overdue_and_due_documents_are_reminded_once_a_day(self):
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Date = pool.get('ir.date')
        Task = pool.get('egov.workflow.task')
        org = document_org()
        today = Date.today()
        self.incoming(org, '关于做好冬季防火工作的通知',
            today - datetime.timedelta(days=3))
        self.incoming(org, '关于报送年度工作总结的通知',
            today + datetime.timedelta(days=1))
        self.incoming(org, '关于开展春季植树活动的通知',
            today + datetime.timedelta(days=30))

        Incoming.remind_deadline()
        run_queue()
        subjects = sorted(s for s, _ in self.reminders(org.yz_clerk))
        self.assertEqual(len(subjects), 2, subjects)
        self.assertTrue(any('已超期3天' in s for s in subjects), subjects)
        self.assertTrue(any('即将到期' in s for s in subjects), subjects)
        bodies = [b for _, b in self.reminders(org.yz_clerk)]
        self.assertTrue(any('关于做好冬季防火工作的通知' in b
                and '办理期限' in b for b in bodies), bodies)
        self.assertFalse(any('植树' in b for b in bodies))
        # Nobody else holds these to-dos
        self.assertEqual(self.reminders(org.zs_clerk), [])

        # The same day again: nothing more
        Incoming.remind_deadline()
        run_queue()
        self.assertEqual(len(self.reminders(org.yz_clerk)), 2)

        # A day later: told again
        tasks = self.open_tasks(org.yz_clerk)
        Task.write(tasks, {'reminded_at': datetime.datetime.now()
                - datetime.timedelta(days=1, minutes=1)})
        Incoming.remind_deadline()
        run_queue()
        self.assertEqual(len(self.reminders(org.yz_clerk)), 4)

    @with_transaction()
    def test_ended_documents_are_not_reminded(self):
        pool = Pool()
        Incoming = pool.get('egov.document.incoming')
        Instance = pool.get('egov.workflow.instance')
        Date = pool.get('ir.date')
        org = document_org()
        incoming = self.incoming(org, '关于做好冬季防火工作的通知',
            Date.today() - datetime.timedelta(days=3))
        Instance.terminate([incoming.workflow])
        self.assertEqual(Incoming(incoming.id).workflow_state, 'terminated')
        Incoming.remind_deadline()
        run_queue()
        self.assertEqual(self.reminders(org.yz_clerk), [])
