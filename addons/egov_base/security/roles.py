"""三员分立: the system administrator, the security administrator and the
security auditor exclude each other, and none of them reads business data.

A role is a family of groups: the group that names it and every group below
it (a group inherits the accesses of its parent). The families are listed
here by XML id, looked up when needed, so that a group defined later (the
auditor's, by the audit subsystem) or missing is simply skipped."""
import datetime

from sql import Literal, Null, With
from sql.operators import Exists, Or
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from ..tools import IN_MAX
from .exceptions import BusinessDataError, RoleConflictError

# role code → the groups that make a person hold it (with their children)
ROLES = [
    ('sysadmin', [
            ('egov_base', 'group_sysadmin'),
            ('egov_base', 'group_org_admin'),
            ('egov_base', 'group_org_admin_city'),
            ('egov_base', 'group_app_admin'),
            # Tryton's own administration group can change everything:
            # whoever holds it is a system administrator at least
            ('res', 'group_admin'),
            ]),
    ('secadmin', [
            ('egov_base', 'group_secadmin'),
            ]),
    ('auditor', [
            ('egov_base', 'group_auditor'),
            ]),
    ]
# The group whose name names the role in messages
ROLE_NAMES = {
    'sysadmin': ('egov_base', 'group_sysadmin'),
    'secadmin': ('egov_base', 'group_secadmin'),
    'auditor': ('egov_base', 'group_auditor'),
    }
# Models that hold business data besides those of the non-core
# applications (egov.application.model): none yet.
BUSINESS_MODELS = set()

# The users the exclusion does not apply to: root and the built-in admin,
# a maintenance account that cannot log in in production (see login.py).
EXEMPT_USERS = [('res', 'user_admin')]

def _label(label):
    "The name of a record given as (model name, id)"
    model_name, record_id = label
    Model = Pool().get(model_name)
    with without_check_access():
        return Model(record_id).rec_name


def _external(Model=None):
    """Whether a create comes from a user through access checks; checks
    the model's create access first, so that a refusal of the relation
    never answers for a missing right"""
    transaction = Transaction()
    if Model is not None:
        Pool().get('ir.model.access').check(Model.__name__, 'create')
    return bool(transaction.user and transaction.check_access)


def _active(end_date):
    return (end_date is None
        or end_date >= Pool().get('ir.date').today())


def _role_order(role):
    return [r for r, _ in ROLES].index(role)


class Roles:
    "The three administrator roles, computed from the groups"
    _cache = Cache('egov_security.roles', context=False)

    @classmethod
    def clear(cls):
        cls._cache.clear()
        Pool().get('res.user')._get_groups_cache.clear()

    @classmethod
    def _xml_ids(cls, pairs):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        table = ModelData.__table__()
        cursor = Transaction().connection.cursor()
        if not pairs:
            return {}
        cursor.execute(*table.select(table.module, table.fs_id, table.db_id,
                where=Or([(table.module == m) & (table.fs_id == f)
                        for m, f in pairs])))
        return {(m, f): i for m, f, i in cursor}

    @classmethod
    def _compute(cls):
        pool = Pool()
        Group = pool.get('res.group')
        Role = pool.get('egov.application.role')
        Application = pool.get('egov.application')
        ids = cls._xml_ids(
            [p for _, pairs in ROLES for p in pairs]
            + list(ROLE_NAMES.values()) + EXEMPT_USERS)
        heads = {}
        for role, pairs in ROLES:
            for pair in pairs:
                if pair in ids:
                    heads[ids[pair]] = role
        groups = {}
        cursor = Transaction().connection.cursor()
        if heads:
            parents = Group.group_parent_all_cte()
            cursor.execute(*parents.select(parents.id, parents.parent,
                    where=parents.parent.in_(list(heads)), with_=parents))
            for group, head in cursor:
                groups.setdefault(group, set()).add(heads[head])
        names = {role: ids[pair] for role, pair in ROLE_NAMES.items()
            if pair in ids}
        exempt = [ids[p] for p in EXEMPT_USERS if p in ids]

        role = Role.__table__()
        application = Application.__table__()
        cursor.execute(*role.join(application,
                condition=role.application == application.id)
            .select(role.group,
                where=application.core != Literal(True)))
        business_groups = {g for g, in cursor}
        cursor.execute(*application.select(application.id,
                where=application.core != Literal(True)))
        business_applications = {a for a, in cursor}
        return {
            # group id → roles (a list of codes, normally one)
            'groups': {g: sorted(r) for g, r in groups.items()},
            'names': names,
            'exempt': exempt,
            'business_groups': sorted(business_groups),
            'business_applications': sorted(business_applications),
            }

    @classmethod
    def get(cls):
        value = cls._cache.get(None)
        if value is None:
            value = cls._compute()
            cls._cache.set(None, value)
        return value

    @classmethod
    def roles_of_groups(cls, group_ids):
        "Return {role: [group ids giving it]} for the groups"
        mapping = cls.get()['groups']
        result = {}
        for group in group_ids:
            for role in mapping.get(group, ()):
                result.setdefault(role, []).append(group)
        return result

    @classmethod
    def current_roles(cls):
        """Return the set of roles of the current user (from their groups);
        none for the built-in admin, the maintenance account"""
        pool = Pool()
        User = pool.get('res.user')
        if Transaction().user in cls.get()['exempt']:
            return set()
        return set(cls.roles_of_groups(User.get_groups()))

    @classmethod
    def business_models(cls):
        pool = Pool()
        Application = pool.get('egov.application')
        applications = set(cls.get()['business_applications'])
        models = {m for m, a in Application.model_applications().items()
            if a in applications}
        return models | BUSINESS_MODELS

    @classmethod
    def refuses_model(cls, model_name):
        """Whether model_name is refused to the current user: it holds
        business data and they hold an administrator role (checked by
        ir.model.access, application/access.py)"""
        return bool(cls.current_roles()
            and model_name in cls.business_models())

    @classmethod
    def business_data_error(cls, model_name):
        "The error refusing model_name to the current user (refuses_model)"
        pool = Pool()
        Model = pool.get('ir.model')
        roles = cls.current_roles()
        return BusinessDataError(gettext(
                'egov_base.msg_security_business_data',
                model=Model.get_name(model_name),
                role=cls.role_name(sorted(roles)[0])))

    @classmethod
    def role_name(cls, role):
        pool = Pool()
        Group = pool.get('res.group')
        group_id = cls.get()['names'].get(role)
        if group_id is None:
            return role
        with without_check_access():
            return Group(group_id).name

    @classmethod
    def conflict(cls, roles):
        "Return the first two roles of roles in a stable order"
        order = [r for r, _ in ROLES]
        first, second = sorted(roles, key=order.index)[:2]
        return cls.role_name(first), cls.role_name(second)

    @classmethod
    def users_groups(cls, user_ids):
        """Return {user id: set of group ids} for the users: their personal
        groups and those of every post they hold now or will hold"""
        pool = Pool()
        UserGroup = pool.get('res.user-res.group')
        PostGroup = pool.get('egov.org.post-res.group')
        Assignment = pool.get('egov.org.assignment')
        Employee = pool.get('egov.org.employee')
        Date = pool.get('ir.date')
        user_group = UserGroup.__table__()
        post_group = PostGroup.__table__()
        assignment = Assignment.__table__()
        employee = Employee.__table__()
        today = Date.today()
        cursor = Transaction().connection.cursor()
        result = {u: set() for u in user_ids}
        for sub_ids in map(list, grouped_slice(user_ids, IN_MAX)):
            query = user_group.select(user_group.user, user_group.group,
                where=user_group.user.in_(sub_ids))
            query |= (employee
                .join(assignment, condition=assignment.employee == employee.id)
                .join(post_group, condition=post_group.post == assignment.post)
                .select(employee.user, post_group.group,
                    where=employee.user.in_(sub_ids)
                    & ((assignment.end_date == Null)
                        | (assignment.end_date >= today))))
            query.all_ = True
            cursor.execute(*query)
            for user, group in cursor:
                result[user].add(group)
        return result

    # --- who gains or loses which groups by a relation ------------------

    @classmethod
    def post_groups(cls, post_ids):
        "Return {post id: set of group ids} of the posts"
        pool = Pool()
        PostGroup = pool.get('egov.org.post-res.group')
        post_group = PostGroup.__table__()
        cursor = Transaction().connection.cursor()
        result = {p: set() for p in post_ids if p is not None}
        for sub_ids in map(list, grouped_slice(list(result), IN_MAX)):
            cursor.execute(*post_group.select(post_group.post, post_group.group,
                    where=post_group.post.in_(sub_ids)))
            for post, group in cursor:
                result[post].add(group)
        return result

    @classmethod
    def post_holders(cls, post_ids):
        "Return {post id: set of user ids} holding the posts now or later"
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        Employee = pool.get('egov.org.employee')
        Date = pool.get('ir.date')
        assignment = Assignment.__table__()
        employee = Employee.__table__()
        today = Date.today()
        cursor = Transaction().connection.cursor()
        result = {p: set() for p in post_ids if p is not None}
        for sub_ids in map(list, grouped_slice(list(result), IN_MAX)):
            cursor.execute(*assignment
                .join(employee, condition=assignment.employee == employee.id)
                .select(assignment.post, employee.user,
                    where=assignment.post.in_(sub_ids)
                    & (employee.user != Null)
                    & ((assignment.end_date == Null)
                        | (assignment.end_date >= today))))
            for post, user in cursor:
                result[post].add(user)
        return result

    @classmethod
    def employee_groups(cls, employee_ids):
        """Return {employee id: set of group ids} of the posts the people
        hold now or later"""
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        PostGroup = pool.get('egov.org.post-res.group')
        Date = pool.get('ir.date')
        assignment = Assignment.__table__()
        post_group = PostGroup.__table__()
        today = Date.today()
        cursor = Transaction().connection.cursor()
        result = {e: set() for e in employee_ids if e is not None}
        for sub_ids in map(list, grouped_slice(list(result), IN_MAX)):
            cursor.execute(*assignment
                .join(post_group, condition=post_group.post == assignment.post)
                .select(assignment.employee, post_group.group,
                    where=assignment.employee.in_(sub_ids)
                    & ((assignment.end_date == Null)
                        | (assignment.end_date >= today))))
            for employee, group in cursor:
                result[employee].add(group)
        return result

    @classmethod
    def employee_users(cls, employee_ids):
        "Return {employee id: user id or None}"
        pool = Pool()
        Employee = pool.get('egov.org.employee')
        employee = Employee.__table__()
        cursor = Transaction().connection.cursor()
        result = {e: None for e in employee_ids if e is not None}
        for sub_ids in map(list, grouped_slice(list(result), IN_MAX)):
            cursor.execute(*employee.select(employee.id, employee.user,
                    where=employee.id.in_(sub_ids)))
            result.update(cursor)
        return result

    @staticmethod
    def diff(before, after):
        """Return the changes between two {(user id, label): set of groups}
        as a list of (user id, granted, revoked, label)"""
        changes = []
        for key in dict.fromkeys(list(before) + list(after)):
            user_id, label = key
            old, new = before.get(key, set()), after.get(key, set())
            if user_id and (new - old or old - new):
                changes.append((user_id, new - old, old - new, label))
        return changes

    @classmethod
    def apply_changes(cls, changes, external):
        """Check the changes of the users' groups a relation makes, then
        end the sessions of those who gain an administrator role.

        changes: (user id, granted group ids, revoked group ids, label of
        the relation as (model name, id)). Refused, when external (a user's call):
        - granting oneself anything;
        - changing the groups of a holder of another of the three roles
          than those of the author (三员分立);
        - granting another of the three roles than the author's, but for
          the security administrator who grants the system administrator's
          roles;
        - a county administrator granting an administrator role the
          platform does not mark as his to give (county_grantable)."""
        pool = Pool()
        Group = pool.get('res.group')
        User = pool.get('res.user')
        changes = [c for c in changes if c[0] and (c[1] or c[2])]
        if not changes:
            return
        roles = cls.get()
        exempt = set(roles['exempt'])
        actor = Transaction().user
        if external and actor and actor not in exempt:
            from ..org.scope import ScopeError, administered_division
            own = cls.current_roles()
            held = cls.users_groups({c[0] for c in changes})
            bound = administered_division() is not None
            for user_id, granted, revoked, label in changes:
                label = _label(label)
                if user_id in exempt:
                    with without_check_access():
                        name = User(user_id).rec_name
                    raise ScopeError(gettext(
                            'egov_base.msg_scope_builtin_user', user=name))
                if user_id == actor and granted:
                    raise ScopeError(gettext(
                            'egov_base.msg_scope_self', record=label))
                others = set(cls.roles_of_groups(held[user_id])) - own
                if others:
                    with without_check_access():
                        user = User(user_id)
                        name = user.name or user.login
                    raise ScopeError(gettext(
                            'egov_base.msg_scope_separation_holder',
                            user=name,
                            role=cls.role_name(sorted(
                                    others, key=_role_order)[0])))
                granted_roles = cls.roles_of_groups(granted)
                for role, group_ids in sorted(granted_roles.items()):
                    if role not in own and not (
                            role == 'sysadmin' and 'secadmin' in own):
                        raise ScopeError(gettext(
                                'egov_base.msg_scope_separation_grant',
                                role=cls.role_name(role), record=label))
                    if bound:
                        with without_check_access():
                            refused = [g for g in Group.browse(group_ids)
                                if not g.county_grantable]
                        if refused:
                            raise ScopeError(gettext(
                                    'egov_base.msg_scope_role_not_grantable',
                                    role=refused[0].name, record=label))
        gaining = {c[0] for c in changes if cls.roles_of_groups(c[1])}
        cls.end_sessions(gaining - exempt,
            # Set up by the platform (its data, the maintenance account):
            # no confirmation asked
            confirm=bool(external and actor and actor not in exempt))

    @classmethod
    def end_sessions(cls, user_ids, confirm=True):
        """End every open session of the users: a role gained comes with
        a new login, and (confirm) the second factor at that login"""
        pool = Pool()
        Session = pool.get('ir.session')
        user_ids = [u for u in user_ids if u]
        if not user_ids:
            return
        User = pool.get('res.user')
        session = Session.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(user_ids, IN_MAX):
            cursor.execute(*session.delete(
                    where=session.create_uid.in_(list(sub_ids))))
        if not confirm:
            return
        # Whatever the role's own rule, the next login asks for the second
        # factor: the holder confirms the role gained
        with without_check_access():
            User.write(User.browse(user_ids),
                {'second_factor_next_login': True})

    @classmethod
    def check_users(cls, user_ids):
        "Refuse when one of the users would hold two of the roles"
        pool = Pool()
        User = pool.get('res.user')
        exempt = set(cls.get()['exempt'])
        user_ids = {u for u in user_ids if u and u not in exempt}
        if not user_ids:
            return
        for user_id, groups in cls.users_groups(user_ids).items():
            roles = cls.roles_of_groups(groups)
            if len(roles) > 1:
                with without_check_access():
                    user = User(user_id)
                    name = user.name or user.login
                role, other = cls.conflict(roles)
                raise RoleConflictError(gettext(
                        'egov_base.msg_security_role_conflict',
                        user=name, role=role, other=other))

    @classmethod
    def check_posts(cls, post_ids):
        "Refuse a post with two roles, or a holder who would have two"
        pool = Pool()
        Post = pool.get('egov.org.post')
        PostGroup = pool.get('egov.org.post-res.group')
        Assignment = pool.get('egov.org.assignment')
        Employee = pool.get('egov.org.employee')
        Date = pool.get('ir.date')
        post_ids = list(post_ids)
        if not post_ids:
            return
        post_group = PostGroup.__table__()
        cursor = Transaction().connection.cursor()
        groups = {}
        for sub_ids in map(list, grouped_slice(post_ids, IN_MAX)):
            cursor.execute(*post_group.select(
                    post_group.post, post_group.group,
                    where=post_group.post.in_(sub_ids)))
            for post, group in cursor:
                groups.setdefault(post, set()).add(group)
        for post_id, group_ids in groups.items():
            roles = cls.roles_of_groups(group_ids)
            if len(roles) > 1:
                with without_check_access():
                    post = Post(post_id)
                    name = post.rec_name
                role, other = cls.conflict(roles)
                raise RoleConflictError(gettext(
                        'egov_base.msg_security_role_conflict_post',
                        post=name, role=role, other=other))
        assignment = Assignment.__table__()
        employee = Employee.__table__()
        today = Date.today()
        users = set()
        for sub_ids in map(list, grouped_slice(post_ids, IN_MAX)):
            cursor.execute(*assignment
                .join(employee, condition=assignment.employee == employee.id)
                .select(employee.user,
                    where=assignment.post.in_(sub_ids)
                    & (employee.user != Null)
                    & ((assignment.end_date == Null)
                        | (assignment.end_date >= today))))
            users.update(u for u, in cursor)
        cls.check_users(users)

    @classmethod
    def check_groups(cls, group_ids):
        """After a change of parents: no group may imply two roles, and
        no holder of the groups (or of their children) two roles"""
        pool = Pool()
        Group = pool.get('res.group')
        UserGroup = pool.get('res.user-res.group')
        PostGroup = pool.get('egov.org.post-res.group')
        cls.clear()
        for group_id, roles in cls.get()['groups'].items():
            if len(roles) > 1:
                with without_check_access():
                    group = Group(group_id)
                role, other = cls.conflict(roles)
                raise RoleConflictError(gettext(
                        'egov_base.msg_security_role_conflict_group',
                        group=group.name, role=role, other=other))
        cursor = Transaction().connection.cursor()
        parents = Group.group_parent_all_cte()
        cursor.execute(*parents.select(parents.id,
                where=parents.parent.in_(list(group_ids)), with_=parents))
        below = list({g for g, in cursor} | set(group_ids))
        user_group = UserGroup.__table__()
        post_group = PostGroup.__table__()
        users, posts = set(), set()
        for sub_ids in map(list, grouped_slice(below, IN_MAX)):
            cursor.execute(*user_group.select(user_group.user,
                    where=user_group.group.in_(sub_ids)))
            users.update(u for u, in cursor)
            cursor.execute(*post_group.select(post_group.post,
                    where=post_group.group.in_(sub_ids)))
            posts.update(p for p, in cursor)
        cls.check_users(users)
        cls.check_posts(posts)


class Group(metaclass=PoolMeta):
    __name__ = 'res.group'

    second_factor = fields.Boolean(
        "Requires Second Factor",
        help="Whoever has this role logs in with a second factor "
        "(an authenticator app or an SMS code) besides the password.")
    role = fields.Function(fields.Selection([
                (None, ""),
                ('sysadmin', "System Administrator"),
                ('secadmin', "Security Administrator"),
                ('auditor', "Security Auditor"),
                ], "Administrator Role",
            help="The administrator role the group belongs to: "
            "the three roles exclude each other."), 'get_role')

    county_grantable = fields.Boolean(
        "Granted by County Administrators",
        help="The county administrators may give this administrator role "
        "to the people of their county (by their posts). "
        "Otherwise the city's system administrators give it.")

    @classmethod
    def default_county_grantable(cls):
        return False

    @classmethod
    def get_role(cls, groups, name):
        result = {}
        for group in groups:
            roles = Roles.roles_of_groups([group.id])
            result[group.id] = next(iter(sorted(roles)), None)
        return result

    @classmethod
    def check_modification(cls, mode, groups, values=None, external=False):
        super().check_modification(
            mode, groups, values=values, external=external)
        if (mode != 'write' or not external
                or Transaction().user in Roles.get()['exempt']):
            return
        if values.get('parent'):
            # Moving a role under an administrator role would give that
            # role to all its holders at once, past every check of who
            # grants what: done by the built-in admin in maintenance only
            gained = Roles.roles_of_groups([values['parent']])
            for group in groups:
                new = set(gained) - set(Roles.roles_of_groups([group.id]))
                if new:
                    raise AccessError(gettext(
                            'egov_base.msg_security_role_parent',
                            group=group.name,
                            role=Roles.role_name(sorted(new)[0])))
        if 'second_factor' in values and not values['second_factor']:
            for group in groups:
                roles = Roles.roles_of_groups([group.id])
                if roles:
                    raise AccessError(gettext(
                            'egov_base.msg_security_role_second_factor',
                            group=group.name,
                            role=Roles.role_name(sorted(roles)[0])))

    @classmethod
    def on_modification(cls, mode, groups, field_names=None):
        super().on_modification(mode, groups, field_names=field_names)
        if mode == 'write' and (
                field_names is None or 'parent' in field_names):
            Roles.check_groups([g.id for g in groups])
        Roles.clear()


class UserGroup(metaclass=PoolMeta):
    __name__ = 'res.user-res.group'

    @classmethod
    def user_group_all_table(cls):
        """The holders of an administrator role lose the roles of the
        business applications: they administer, they do not read the
        documents, meetings … of others. As the post's groups (org/user.py),
        for the user of the transaction."""
        table = super().user_group_all_table()
        user_id = Transaction().user
        roles = Roles.get()
        if (not user_id or user_id in roles['exempt']
                or not roles['groups'] or not roles['business_groups']):
            return table
        rows = With('user', 'group', query=table)
        holds_role = Exists(rows.select(rows.group,
                where=(rows.user == user_id)
                & rows.group.in_(list(roles['groups']))))
        return rows.select(
            rows.user.as_('user'), rows.group.as_('group'),
            where=~((rows.user == user_id)
                & rows.group.in_(roles['business_groups'])
                & holds_role),
            with_=[rows])

    @classmethod
    def _role_groups(cls, rows):
        "{(user, label): groups} the rows (dicts of the fields) give"
        result = {}
        for row in rows:
            if row.get('user') and row.get('group'):
                result.setdefault((row['user'], ('res.user', row['user'])),
                    set()).add(row['group'])
        return result

    @classmethod
    def create(cls, vlist):
        Roles.apply_changes(Roles.diff({}, cls._role_groups(vlist)),
            _external(cls))
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode in {'write', 'delete'}:
            before = [{'user': r.user.id, 'group': r.group.id}
                for r in records]
            after = [] if mode == 'delete' else [
                {**b, **{k: values[k] for k in ['user', 'group']
                        if k in values}} for b in before]
            Roles.apply_changes(Roles.diff(cls._role_groups(before),
                    cls._role_groups(after)), external)

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode in {'create', 'write'}:
            Roles.check_users({r.user.id for r in records})


class RoleRelationMixin:
    """A relation that gives roles to logins (a post's roles, a person's
    posts): what it gives on create, and what a change or a deletion gives
    or takes, go through Roles.apply_changes. The model says how with
    _role_groups(rows), _role_fields and _role_row(record)."""
    __slots__ = ()
    # The fields whose change changes what the relation gives
    _role_fields = []

    @classmethod
    def _role_row(cls, record):
        "The row of _role_fields of record, as _role_groups reads rows"
        raise NotImplementedError

    @classmethod
    def check_role_grants(cls, vlist):
        super().check_role_grants(vlist)
        Roles.apply_changes(Roles.diff({}, cls._role_groups(vlist)),
            _external())

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        names = cls._role_fields
        if mode == 'delete' or (mode == 'write' and set(names) & set(values)):
            before = [cls._role_row(r) for r in records]
            after = [] if mode == 'delete' else [
                {**b, **{k: values[k] for k in names if k in values}}
                for b in before]
            Roles.apply_changes(Roles.diff(cls._role_groups(before),
                    cls._role_groups(after)), external)


class PostGroup(RoleRelationMixin, metaclass=PoolMeta):
    __name__ = 'egov.org.post-res.group'
    _role_fields = ['post', 'group']

    @classmethod
    def _role_row(cls, record):
        return {'post': record.post.id, 'group': record.group.id}

    @classmethod
    def _role_groups(cls, rows):
        "{(user, label): groups} the rows give to the holders of the posts"
        holders = Roles.post_holders({r.get('post') for r in rows})
        result = {}
        for row in rows:
            if not (row.get('post') and row.get('group')):
                continue
            for user in holders[row['post']]:
                result.setdefault(
                    (user, ('egov.org.post', row['post'])), set()).add(
                    row['group'])
        return result

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode in {'create', 'write'}:
            Roles.check_posts({r.post.id for r in records})


class Assignment(RoleRelationMixin, metaclass=PoolMeta):
    __name__ = 'egov.org.assignment'
    _role_fields = ['employee', 'post', 'end_date']

    @classmethod
    def _role_row(cls, record):
        return {'employee': record.employee.id, 'post': record.post.id,
            'end_date': record.end_date}

    @classmethod
    def _role_groups(cls, rows):
        "{(user, label): groups} the rows give to the people's logins"
        rows = [r for r in rows if r.get('employee') and r.get('post')
            and _active(r.get('end_date'))]
        users = Roles.employee_users({r['employee'] for r in rows})
        groups = Roles.post_groups({r['post'] for r in rows})
        result = {}
        for row in rows:
            user = users[row['employee']]
            if user and groups[row['post']]:
                result.setdefault((user, ('egov.org.post', row['post'])),
                    set()).update(groups[row['post']])
        return result

    @classmethod
    def on_modification(cls, mode, assignments, field_names=None):
        super().on_modification(mode, assignments, field_names=field_names)
        if mode in {'create', 'write'}:
            Roles.check_users({a.employee.user.id for a in assignments
                    if a.employee.user})


class Employee(metaclass=PoolMeta):
    __name__ = 'egov.org.employee'

    @classmethod
    def _role_groups(cls, rows):
        "{(user, label): groups} the people's posts give to their logins"
        rows = [r for r in rows if r.get('id') and r.get('user')]
        groups = Roles.employee_groups({r['id'] for r in rows})
        result = {}
        for row in rows:
            if groups[row['id']]:
                result.setdefault(
                    (row['user'], ('egov.org.employee', row['id'])),
                    set()).update(groups[row['id']])
        return result

    @classmethod
    def check_modification(cls, mode, employees, values=None,
            external=False):
        super().check_modification(
            mode, employees, values=values, external=external)
        # A new person holds no post yet: linking a login is a write
        if mode == 'write' and 'user' in values:
            before = [{'id': e.id, 'user': e.user.id if e.user else None}
                for e in employees]
            after = [{**b, 'user': values['user']} for b in before]
            Roles.apply_changes(Roles.diff(cls._role_groups(before),
                    cls._role_groups(after)), external)

    @classmethod
    def on_modification(cls, mode, employees, field_names=None):
        super().on_modification(mode, employees, field_names=field_names)
        if mode == 'create' or (mode == 'write' and (
                    field_names is None or 'user' in field_names)):
            Roles.check_users({e.user.id for e in employees if e.user})


class Post(metaclass=PoolMeta):
    __name__ = 'egov.org.post'

    @classmethod
    def check_modification(cls, mode, posts, values=None, external=False):
        super().check_modification(
            mode, posts, values=values, external=external)
        # The security administrator changes the roles of posts, nothing
        # else: their write access on posts is for the roles only
        if (external and mode == 'write'
                and set(values) - {'groups'}
                and 'secadmin' in Roles.current_roles()
                and not _is_org_admin()):
            raise BusinessDataError(gettext(
                    'egov_base.msg_security_roles_only'))


def _is_org_admin():
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    try:
        group = ModelData.get_id('egov_base', 'group_org_admin')
    except KeyError:
        return False
    return group in User.get_groups()


class Application(metaclass=PoolMeta):
    __name__ = 'egov.application'

    @classmethod
    def on_modification(cls, mode, applications, field_names=None):
        super().on_modification(mode, applications, field_names=field_names)
        Roles.clear()


class ApplicationRole(metaclass=PoolMeta):
    __name__ = 'egov.application.role'

    @classmethod
    def on_modification(cls, mode, roles, field_names=None):
        super().on_modification(mode, roles, field_names=field_names)
        Roles.clear()


class ApplicationModel(metaclass=PoolMeta):
    __name__ = 'egov.application.model'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        Roles.clear()


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    admin_roles = fields.Function(fields.Char(
            "Administrator Role",
            help="The administrator role the user holds (三员分立)."),
        'get_admin_roles')

    @classmethod
    def get_admin_roles(cls, users, name):
        result = {}
        all_groups = Roles.users_groups([u.id for u in users])
        for user in users:
            roles = Roles.roles_of_groups(all_groups.get(user.id, ()))
            result[user.id] = '、'.join(
                Roles.role_name(r) for r, _ in ROLES if r in roles) or None
        return result

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        super().check_modification(
            mode, users, values=values, external=external)
        # The security administrator grants roles and sets the security
        # of logins; names, logins and passwords stay with the system
        # administrator
        transaction = Transaction()
        if (external and mode == 'write'
                and 'secadmin' in Roles.current_roles()
                and not _is_org_admin()
                and any(u.id != transaction.user for u in users)
                and set(values) - cls._security_fields()):
            raise BusinessDataError(gettext(
                    'egov_base.msg_security_roles_only'))

    @classmethod
    def _security_fields(cls):
        return {'groups', 'second_factor', 'password_must_change'}


del datetime, ModelView
