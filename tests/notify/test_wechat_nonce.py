"""The store of WeChat Work callback nonces in the database: a key is taken
once, even by two workers at the same moment (PostgreSQL), and forgotten
after a day."""
import datetime
import threading
import unittest

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from egov_base.tests.tools import EgovTestCase


class WeChatNonceTestCase(EgovTestCase):

    @with_transaction()
    def test_seen_once(self):
        "A key is new once, then seen"
        Nonce = Pool().get('egov.notify.wechat.nonce')
        self.assertFalse(Nonce.seen('n:1767225600:abc'))
        self.assertTrue(Nonce.seen('n:1767225600:abc'))
        self.assertFalse(Nonce.seen('m:7391'))
        self.assertEqual(Nonce.search([
                    ('key', 'in', ['n:1767225600:abc', 'm:7391']),
                    ], count=True), 2)

    @with_transaction()
    def test_clean(self):
        "clean() forgets what is older than a day"
        Nonce = Pool().get('egov.notify.wechat.nonce')
        Nonce.seen('old')
        Nonce.seen('new')
        old, = Nonce.search([('key', '=', 'old')])
        Nonce.write([old], {'received_at':
                datetime.datetime.now() - datetime.timedelta(days=2)})
        Nonce.clean()
        self.assertEqual([n.key for n in Nonce.search([
                        ('key', 'in', ['old', 'new'])])], ['new'])
        self.assertFalse(Nonce.seen('old'))

    @unittest.skipIf(backend.name != 'postgresql',
        'SQLite serialises writers itself')
    def test_race(self):
        "Two workers take the same nonce at once: exactly one wins"
        results = []
        barrier = threading.Barrier(2)

        def take():
            # As the route's with_transaction does: the loser of a
            # REPEATABLE READ race is told to serialise and tries again
            for attempt in range(3):
                with Transaction().start(DB_NAME, 0) as transaction:
                    Nonce = Pool().get('egov.notify.wechat.nonce')
                    if not attempt:
                        barrier.wait()
                    try:
                        seen = Nonce.seen('n:race')
                    except backend.DatabaseOperationalError:
                        transaction.rollback()
                        continue
                    transaction.commit()
                    results.append(seen)
                    return
        threads = [threading.Thread(target=take) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(sorted(results), [False, True])
        with Transaction().start(DB_NAME, 0) as transaction:
            Nonce = Pool().get('egov.notify.wechat.nonce')
            Nonce.delete(Nonce.search([('key', '=', 'n:race')]))
            transaction.commit()
