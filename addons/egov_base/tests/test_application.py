"""Applications switched on and off per county, seen by users of two
counties and of the city."""
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import EgovTestCase, acting_as, create_org


def directory_switch(org, county):
    pool = Pool()
    Switch = pool.get('egov.application.switch')
    ModelData = pool.get('ir.model.data')
    directory = ModelData.get_id('egov_base', 'application_directory')
    switch, = Switch.search([
            ('application', '=', directory), ('division', '=', county.id)])
    return switch


def visible_menus():
    "Names of the menus the current user sees, as the client loads them"
    Menu = Pool().get('ir.ui.menu')
    return {m.name for m in Menu.search([])}


class ApplicationTestCase(EgovTestCase):

    @with_transaction()
    def test_every_county_has_switches(self):
        "Each county or zone has a switch per application, on by default"
        pool = Pool()
        Switch = pool.get('egov.application.switch')
        Unit = pool.get('egov.org.unit')
        org = create_org()
        switch = directory_switch(org, org.yuanzhou)
        self.assertTrue(switch.enabled)
        zone, = Unit.create([{
                    'code': 'YCJK', 'name': '宜春经济技术开发区',
                    'kind': 'zone', 'parent': org.city.id}])
        self.assertTrue(Switch.search([('division', '=', zone.id)]))
        # The platform itself is core: it has no switch
        self.assertFalse(Switch.search([
                    ('application.code', '=', 'platform')]))

    @with_transaction()
    def test_switched_off_county_loses_application(self):
        "Off in 袁州区: its users lose menus and calls; 樟树市 keeps both"
        pool = Pool()
        Switch = pool.get('egov.application.switch')
        Contact = pool.get('egov.directory.contact')
        User = pool.get('res.user')
        ModelAccess = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        group_directory = ModelData.get_id('egov_base', 'group_directory')

        with acting_as(org.yz_clerk):
            self.assertIn('通讯录', visible_menus())
            contact, = Contact.create([{'name': '李经理'}])

        with acting_as(org.city_admin):
            Switch.write([directory_switch(org, org.yuanzhou)],
                {'enabled': False})

        with acting_as(org.yz_clerk):
            self.assertNotIn(group_directory, User.get_groups())
            self.assertNotIn('通讯录', visible_menus())
            self.assertIn('组织机构', visible_menus())
            self.assertFalse(ModelAccess.get_access(
                    ['egov.directory.contact'])['egov.directory.contact'][
                    'read'])
            for call in [
                    lambda: Contact.search([]),
                    lambda: Contact.read([contact.id], ['name']),
                    lambda: Contact.create([{'name': '王经理'}]),
                    lambda: Contact.write([Contact(contact.id)], {
                            'name': 'x'}),
                    lambda: Contact.delete([Contact(contact.id)]),
                    ]:
                with self.assertRaises(AccessError) as cm:
                    call()
                self.assertEqual(cm.exception.message,
                    '「通讯录」应用未在袁州区开通，无法使用。'
                    '如需使用，请联系市级应用管理员开通。')

        # Another county and the city keep the application
        for user in [org.zs_clerk, org.city_clerk]:
            with acting_as(user):
                self.assertIn(group_directory, User.get_groups())
                self.assertIn('通讯录', visible_menus())
                Contact.create([{'name': '张经理'}])

        # Switched on again, the data is there as it was
        with acting_as(org.city_admin):
            Switch.write([directory_switch(org, org.yuanzhou)],
                {'enabled': True})
        with acting_as(org.yz_clerk):
            self.assertEqual(Contact.search([]), [contact])

    @with_transaction()
    def test_only_city_switches(self):
        "A county administrator sees the switches but cannot turn them"
        Switch = Pool().get('egov.application.switch')
        org = create_org()
        switch = directory_switch(org, org.yuanzhou)
        with acting_as(org.yz_admin):
            self.assertTrue(Switch.search([]))
            with self.assertRaises(AccessError):
                Switch.write([Switch(switch.id)], {'enabled': False})
        with acting_as(org.yz_clerk):
            with self.assertRaises(AccessError):
                Switch.search([])

    @with_transaction()
    def test_switch_history(self):
        "Who switched an application, and when, stays visible"
        Switch = Pool().get('egov.application.switch')
        org = create_org()
        switch = directory_switch(org, org.zhangshu)
        with acting_as(org.city_admin):
            Switch.write([Switch(switch.id)], {'enabled': False})
        switch = Switch(switch.id)
        self.assertEqual(switch.changed_by, org.city_admin)
        self.assertTrue(switch.changed_at)

    @with_transaction()
    def test_access_follows_groups_within_a_call(self):
        """The answers about a user's access kept for a transaction follow
        a role given or taken in it: by a write, or in SQL and the caches
        cleared"""
        pool = Pool()
        Post = pool.get('egov.org.post')
        PostGroup = pool.get('egov.org.post-res.group')
        User = pool.get('res.user')
        ModelAccess = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        org = create_org()
        org_admin = ModelData.get_id('egov_base', 'group_org_admin')

        def may_write_units():
            with acting_as(org.yz_clerk):
                # Asked twice: the second answer is the kept one
                first = ModelAccess.check(
                    'egov.org.unit', 'write', raise_exception=False)
                second = ModelAccess.check(
                    'egov.org.unit', 'write', raise_exception=False)
                self.assertEqual(first, second)
                return first and org_admin in User.get_groups()

        self.assertFalse(may_write_units())
        Post.write([org.post_yz_clerk], {'groups': [('add', [org_admin])]})
        self.assertTrue(may_write_units())

        table = PostGroup.__table__()
        cursor = Transaction().connection.cursor()
        with acting_as(org.yz_clerk):
            self.assertTrue(ModelAccess.check('egov.org.unit', 'write'))
            cursor.execute(*table.delete(
                    where=(table.post == org.post_yz_clerk.id)
                    & (table.group == org_admin)))
            self.assertTrue(ModelAccess.check('egov.org.unit', 'write'))
            User.clear_org_caches()
            with self.assertRaises(AccessError):
                ModelAccess.check('egov.org.unit', 'write')
