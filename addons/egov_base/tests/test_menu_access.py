"""A menu entry is shown only to those who may use it: the groups that see
an entry of the platform's menus (its own and its parents') all hold the
groups of its action. Tryton hides an entry of a window whose model one
cannot read, but not a wizard or a report one may not run, which then
shows to a clerk and does nothing when clicked (从 Excel 导入)."""
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .tools import EgovTestCase


def menu_problems(modules):
    "Return the menu entries of modules that show to someone who cannot use"
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    ModelData = pool.get('ir.model.data')
    Group = pool.get('res.group')

    def implied(group):
        "The groups a member of group is in (Tryton's parents of groups)"
        groups = set()
        while group and group.id not in groups:
            groups.add(group.id)
            group = group.parent
        return groups

    problems = []
    data = ModelData.search([
            ('model', '=', 'ir.ui.menu'), ('module', 'in', modules)])
    for datum in data:
        menu = Menu(datum.db_id)
        action = menu.action
        if not action:
            continue
        # Tryton hides a window whose model one cannot read, not one whose
        # action is for some groups only
        required = {g.id for g in action.action.groups}
        if not required:
            continue
        entry, shown_to_members = menu, False
        while entry:
            groups = entry.groups
            if groups and all(implied(g) & required for g in groups):
                shown_to_members = True
                break
            entry = entry.parent
        if not shown_to_members:
            problems.append('%s.%s (%s) needs %s' % (
                    datum.module, datum.fs_id, menu.name,
                    ', '.join(g.name for g in Group.browse(list(required)))))
    return problems


class MenuAccessTestCase(EgovTestCase):
    "Menu entries and the groups of their actions"
    # (egov_workflow's template: egov_base comes with it)
    modules = ['egov_workflow']

    @with_transaction()
    def test_menus_match_actions(self):
        "Every wizard or report entry shows only to the groups that may run it"
        self.assertEqual(menu_problems(self.modules), [])
