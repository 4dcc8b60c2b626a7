"""A user acts as an employee in one of their posts. The post decides the
user's roles (groups) and the units their record rules open; applications
switched off for the post's county take their roles away again.

The roles reach Tryton through its own computation of a user's groups
(res.user.get_groups): the post's groups are rows added to the table of
users' groups it reads (user_group_all_table)."""
from sql import Literal, Null, Union, With
from sql.conditionals import Coalesce
from trytond import config
from trytond.cache import BaseCache, Cache
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import scope

NO_SCOPE = {
    'employee': None,
    'post': None,
    'node': None,
    'unit': None,
    'department': None,
    'division': None,
    'units': (),
    'disabled_applications': (),
    'disabled_groups': (),
    }


class DailyCache(Cache):
    """A cache whose entries hold for the day they were made in: the posts a
    person holds start and end at midnight. Its size is configured under
    size_name.

    An entry read in a transaction is kept on it while the transaction
    writes nothing (its counter) and the cache is not cleared: one call
    asks for the user's groups about ten times (every access check, every
    record rule), and each asking costs the day (ir.date) and a lookup."""

    def __init__(self, name, size_name, **kwargs):
        super().__init__(name, **kwargs)
        self.size_limit = config.getint(
            'cache', size_name, default=self.size_limit)

    def _key(self, key):
        return (super()._key(key), Pool().get('ir.date').today())

    def _kept(self):
        "The entries kept on the current transaction"
        transaction = Transaction()
        kept = getattr(transaction, '_egov_daily_kept', None)
        if kept is None or kept[0] != transaction.counter:
            kept = transaction._egov_daily_kept = (transaction.counter, {})
        return kept[1].setdefault(self._name, {})

    def get(self, key, default=None):
        kept = self._kept()
        if key in kept:
            return kept[key]
        value = super().get(key, default=_MISSING)
        if value is _MISSING:
            return default
        kept[key] = value
        return value

    def set(self, key, value):
        value = super().set(key, value)
        self._kept()[key] = value
        return value

    def clear(self):
        super().clear()
        self._kept().clear()


_MISSING = object()


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    employee = fields.Function(
        fields.Many2One('egov.org.employee', "Employee"),
        'get_employee', searcher='search_employee')
    post = fields.Many2One(
        'egov.org.post', "Current Post", ondelete='SET NULL',
        domain=[
            ('id', 'in', Eval('posts', [])),
            ],
        states={
            'invisible': ~Eval('posts', []),
            },
        help="The post you act in: it decides your roles and what you see.")
    posts = fields.Function(
        fields.Many2Many('egov.org.post', None, None, "Posts"),
        'get_posts')
    division = fields.Many2One(
        'egov.org.unit', "Administered By", readonly=True,
        ondelete='RESTRICT',
        domain=[('kind', 'in', ['city', 'county', 'zone'])],
        help="The division whose administrator created the login: "
        "they manage it while it is linked to no person.")
    _org_scope_cache = Cache('res_user.get_org_scope', context=False)
    # Tryton's get_groups, with the groups of the day: those of the post
    # acted in come from the assignments of the day (UserGroup below)
    _get_groups_cache = DailyCache(
        'res_user.get_groups.daily', 'res_user.get_groups', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # In the context so that the client reloads (menus, roles) when
        # the person switches posts
        cls._context_fields.insert(0, 'post')
        # No cache depends on the post in the context: the scope and the
        # groups are cached per user and forgotten when the post changes.
        # Ignored, the framework's caches keyed by the context (triggers,
        # model names, buttons…) are shared by everyone instead of being
        # cold for each person
        BaseCache.context_ignored_keys.add('post')

    @classmethod
    def get_employee(cls, users, name):
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        result = {u.id: None for u in users}
        employees = Employee.search([
                ('user', 'in', [u.id for u in users]),
                ('active', 'in', [True, False]),
                ])
        for employee in employees:
            result[employee.user.id] = employee.id
        return result

    @classmethod
    def search_employee(cls, name, clause):
        nested = clause[0][len(name):]
        _, operator, operand, *_ = clause
        if not nested and operand is None and operator in {'=', '!='}:
            # A login linked to no person (one just created) is found too
            linked = cls._employee_users_query('', (name, '!=', None))
            return [('id', 'not in' if operator == '=' else 'in', linked)]
        return [('id', 'in', cls._employee_users_query(nested, clause))]

    @classmethod
    def _employee_users_query(cls, nested, clause):
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        if nested:
            domain = [(nested[1:], *clause[1:])]
        elif clause[1] == 'where':
            domain = clause[2]
        elif clause[1] == 'not where':
            domain = [('id', 'not in',
                    Employee.search(clause[2], order=[], query=True))]
        elif isinstance(clause[2], str):
            domain = [('rec_name', *clause[1:])]
        else:
            domain = [('id', *clause[1:])]
        query = Employee.search(domain, order=[], query=True)
        employee = Employee.__table__()
        return employee.select(employee.user,
            where=employee.id.in_(query) & (employee.user != Null))

    @classmethod
    def get_posts(cls, users, name):
        return {u.id: list(cls._held_posts(u.id)) for u in users}

    @classmethod
    def _held_posts(cls, user_id):
        "Return the ids of the posts the user holds today"
        pool = Pool()
        Date = pool.get('ir.date')
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        Post = pool.get('egov.org.post')
        employee = Employee.__table__()
        assignment = Assignment.__table__()
        post = Post.__table__()
        today = Date.today()
        cursor = Transaction().connection.cursor()
        cursor.execute(*employee
            .join(assignment, condition=assignment.employee == employee.id)
            .join(post, condition=post.id == assignment.post)
            .select(post.id, assignment.primary,
                where=(employee.user == user_id)
                & (employee.active == Literal(True))
                & (post.active == Literal(True))
                & (Coalesce(assignment.start_date, today) <= today)
                & (Coalesce(assignment.end_date, today) >= today),
                order_by=[
                    assignment.primary.desc, assignment.id.asc]))
        return [p for p, _ in cursor]

    def get_rec_name(self, name):
        # Root (id 0) signs what the platform does by itself (cron, setup)
        # and the built-in admin what was done in maintenance: people read
        # them in 修改人 and 创建人 in their language, not "Root"
        if self.id == 0:
            return gettext('egov_base.msg_user_root_name')
        if self.login == 'admin' and self.name == 'Administrator':
            return gettext('egov_base.msg_user_admin_name')
        return super().get_rec_name(name)

    def get_status_bar(self, name):
        status = super().get_status_bar(name)
        if self.post:
            status += ' - %s' % self.post.rec_name
        return status

    @classmethod
    def _get_preferences(cls, user, context_only=False):
        preferences = super()._get_preferences(
            user, context_only=context_only)
        scope = cls.get_org_scope(user.id)
        preferences['post'] = scope['post']
        if not context_only:
            preferences['posts'] = list(cls._held_posts(user.id))
        return preferences

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        transaction = Transaction()
        if mode == 'create' and transaction.user:
            # The login stays with the division of its author: his record
            # rules find it while no person is linked to it
            division = scope.administered_division()
            if division is None and not values.get('division'):
                division = cls.get_org_scope()['division']
            if division and division > 0 and (
                    scope.administered_division() is not None
                    or not values.get('division')):
                values['division'] = division
        return values

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        super().check_modification(
            mode, users, values=values, external=external)
        user_id = Transaction().user
        if external and mode in {'write', 'delete'}:
            # The record rules see the person's unit; a login is the
            # administrator's only if every post of the person is his too.
            # One's own login is one's preferences' business.
            division = scope.administered_division()
            scope.check([('res.user', u.id) for u in users
                    if u.id != user_id], division)
            if mode == 'write' and values.get('division'):
                scope.check([('egov.org.unit', values['division'])],
                    division)

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and (
                field_names is None or {'post', 'groups', 'active'} & set(
                    field_names)):
            cls.clear_org_caches()

    @classmethod
    def clear_org_caches(cls):
        "Forget every user's organisation scope and groups"
        cls._org_scope_cache.clear()
        cls._get_groups_cache.clear()

    @classmethod
    def get_org_scope(cls, user_id=None):
        """Return the organisation scope of the user as a dict (do not
        change it): employee, post, node (the unit or department of the
        post), unit, department, division, units (the unit acted in and the
        units in charge), and the applications and groups switched off."""
        pool = Pool()
        Date = pool.get('ir.date')
        transaction = Transaction()
        if user_id is None:
            user_id = transaction.user
        if not user_id:
            return NO_SCOPE
        key = (user_id, Date.today())
        scope = cls._org_scope_cache.get(key)
        if scope is None:
            scope = cls._compute_org_scope(user_id)
            cls._org_scope_cache.set(key, scope)
        return scope

    @classmethod
    def _compute_org_scope(cls, user_id):
        # One round trip: the person (kind 0), the posts they hold today
        # (kind 1, primary first) and the units they lead today (kind 2).
        pool = Pool()
        Date = pool.get('ir.date')
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        Unit = pool.get('egov.org.unit')
        Post = pool.get('egov.org.post')
        Leadership = pool.get('egov.org.leadership')
        Switch = pool.get('egov.application.switch')
        user = cls.__table__()
        employee = Employee.__table__()
        assignment = Assignment.__table__()
        post = Post.__table__()
        node = Unit.__table__()
        home = Unit.__table__()
        leadership = Leadership.__table__()
        today = Date.today()

        def current(table):
            return ((Coalesce(table.start_date, today) <= today)
                & (Coalesce(table.end_date, today) >= today))

        person = (employee.user == user_id) & (
            employee.active == Literal(True))
        null = Literal(None)
        # Columns: kind, id, chosen post, primary, node, unit, division,
        # department, node kind, order; one type per column for UNION
        query = (user
            .join(employee, condition=employee.user == user.id)
            .join(home, condition=home.id == employee.unit)
            .select(Literal(0).as_('kind'), employee.id, user.post, null,
                home.id, home.unit, home.division, employee.department,
                null, null,
                where=(user.id == user_id) & person))
        query |= (employee
            .join(assignment, condition=assignment.employee == employee.id)
            .join(post, condition=post.id == assignment.post)
            .join(node, condition=node.id == post.unit)
            .select(Literal(1), post.id, null, assignment.primary,
                node.id, node.unit, node.division, null,
                node.kind, assignment.id,
                where=person & current(assignment)
                & (post.active == Literal(True))))
        query |= (employee
            .join(leadership, condition=leadership.leader == employee.id)
            .select(Literal(2), leadership.unit, null, null, null, null,
                null, null, null, null,
                where=person & current(leadership)))
        query.all_ = True
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        rows = cursor.fetchall()
        persons = [r for r in rows if r[0] == 0]
        if not persons:
            return NO_SCOPE
        (_, employee_id, chosen, _, home_id, _, home_division,
            home_department, _, _) = persons[0]
        # Primary post first, then in the order they were given
        held = sorted((r for r in rows if r[0] == 1),
            key=lambda r: (not r[3], r[9]))
        in_charge = {r[1] for r in rows if r[0] == 2}

        acting = next((r for r in held if r[1] == chosen),
            held[0] if held else None)
        if acting:
            _, post_id, _, _, node_id, unit_id, division_id, _, kind, _ = (
                acting)
            department_id = node_id if kind == 'department' else None
        else:
            # Without a post, a person still belongs to their unit
            post_id = None
            unit_id, division_id = home_id, home_division
            department_id = home_department
            node_id = department_id or unit_id
        units = tuple(sorted(({unit_id} if unit_id else set()) | in_charge))

        applications, groups = Switch.disabled_for_division(division_id)
        return {
            'employee': employee_id,
            'post': post_id,
            'node': node_id,
            'unit': unit_id,
            'department': department_id,
            'division': division_id,
            'units': units,
            'disabled_applications': applications,
            'disabled_groups': groups,
            }


class UserGroup(metaclass=PoolMeta):
    __name__ = 'res.user-res.group'

    @classmethod
    def user_group_all_table(cls):
        """Tryton's table of the users' groups (parents included), with the
        groups of the post the user of the transaction acts in and those
        every employee has, and without the groups of the applications
        switched off for their county or zone.

        The post acted in is part of the person's organisation scope
        (res.user.get_org_scope), computed for the user of the transaction:
        the rows of other users are their personal groups only."""
        pool = Pool()
        Group = pool.get('res.group')
        PostGroup = pool.get('egov.org.post-res.group')
        Role = pool.get('egov.application.role')
        User = pool.get('res.user')
        table = super().user_group_all_table()
        user_id = Transaction().user
        scope = User.get_org_scope(user_id)
        disabled = list(scope['disabled_groups'])

        group = Group.__table__()
        post_group = PostGroup.__table__()
        sources = []
        if scope['post']:
            sources.append(group.id.in_(post_group.select(
                        post_group.group,
                        where=post_group.post == scope['post'])))
        staff = list(Role.staff_groups()) if scope['employee'] else []
        if staff:
            sources.append(group.id.in_(staff))
        if sources:
            where = sources[0]
            for source in sources[1:]:
                where |= source
            if disabled:
                # A switched-off role brings none of its parents
                where &= ~group.id.in_(disabled)
            # The groups and their parents, up from these few groups only
            groups = With('id', recursive=True)
            groups.query = group.select(group.id, where=where)
            parent = Group.__table__()
            groups.query |= (parent
                .join(groups, condition=parent.id == groups.id)
                .select(parent.parent, where=parent.parent != Null))
            added = groups.select(
                Literal(user_id).as_('user'), groups.id.as_('group'),
                with_=[groups])
            # Each side is a subquery: both carry their WITH clause
            table = Union(
                table.select(table.user.as_('user'), table.group.as_('group')),
                added.select(added.user.as_('user'), added.group.as_('group')),
                all_=True)
        if disabled:
            table = table.select(
                table.user.as_('user'), table.group.as_('group'),
                where=~((table.user == user_id)
                    & table.group.in_(disabled)))
        return table
