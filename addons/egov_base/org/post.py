"""Posts (岗位): the positions of a unit or department, carrying the roles
(groups) of whoever acts in them."""
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, Index, ModelSQL, ModelView, fields
from trytond.pool import Pool

from ..exceptions import OrgValidationError
from . import scope


class Post(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.org.post'
    __string__ = "Post"
    _egov_visibility = 'city'

    name = fields.Char("Name", required=True, strip=True)
    unit = fields.Many2One(
        'egov.org.unit', "Unit or Department", required=True,
        ondelete='RESTRICT',
        domain=[('kind', 'in', ['unit', 'department'])])
    organisation = fields.Function(
        fields.Many2One('egov.org.unit', "Unit"),
        'get_owner', searcher='search_owner')
    division = fields.Function(
        fields.Many2One('egov.org.unit', "Division"),
        'get_owner', searcher='search_owner')
    head = fields.Boolean(
        "Head", help="The holder of this post heads its unit or department.")
    groups = fields.Many2Many(
        'egov.org.post-res.group', 'post', 'group', "Roles",
        help="The roles a person has while acting in this post.")
    sequence = fields.Integer("Sequence")
    assignments = fields.One2Many(
        'egov.org.assignment', 'post', "Holders",
        filter=[('current', '=', True)])
    holders = fields.Function(fields.Char("Holders"), 'get_holders')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.unit, Index.Range())))
        cls._order = [
            ('unit', 'ASC'),
            ('sequence', 'ASC NULLS LAST'),
            ('name', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_sequence(cls):
        return 100

    def get_rec_name(self, name):
        return self.format_rec_name(self.unit.rec_name, self.name)

    @staticmethod
    def format_rec_name(unit_rec_name, name):
        return '%s - %s' % (unit_rec_name, name)

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', *clause[1:]),
            ('unit.rec_name', *clause[1:]),
            ]

    def get_owner(self, name):
        owner = {'organisation': 'unit', 'division': 'division'}[name]
        value = getattr(self.unit, owner)
        return value.id if value else None

    @classmethod
    def search_owner(cls, name, clause):
        owner = {'organisation': 'unit', 'division': 'division'}[name]
        _, operator, operand, *extra = clause
        nested = clause[0][len(name):]
        return [('unit.' + owner + nested, operator, operand, *extra)]

    @classmethod
    def get_holders(cls, posts, name):
        pool = Pool()
        Assignment = pool.get('egov.org.assignment')
        holders = {p.id: [] for p in posts}
        for assignment in Assignment.search([
                    ('post', 'in', [p.id for p in posts]),
                    ('current', '=', True),
                    ], order=[('employee.name', 'ASC')]):
            holders[assignment.post.id].append(assignment.employee.name)
        return {k: '、'.join(v) for k, v in holders.items()}

    @classmethod
    def validate_fields(cls, posts, field_names):
        super().validate_fields(posts, field_names)
        cls.check_unit_open(posts, field_names)

    @classmethod
    def check_unit_open(cls, posts, field_names=None):
        if field_names and not {'unit', 'active'} & set(field_names):
            return
        for post in posts:
            if post.active and not post.unit.active:
                raise OrgValidationError(gettext(
                        'egov_base.msg_post_unit_closed',
                        post=post.name, unit=post.unit.rec_name))

    @classmethod
    def on_modification(cls, mode, posts, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        super().on_modification(mode, posts, field_names=field_names)
        if mode == 'delete' or (mode == 'write' and (
                    field_names is None
                    or {'unit', 'active', 'groups'} & set(field_names))):
            User.clear_org_caches()


class PostGroup(ModelSQL):
    "Role of a post"
    __name__ = 'egov.org.post-res.group'
    __string__ = "Post Role"
    _egov_visibility = 'city'

    post = fields.Many2One(
        'egov.org.post', "Post", required=True, ondelete='CASCADE')
    group = fields.Many2One(
        'res.group', "Group", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.post, Index.Range()), (t.group, Index.Range())))

    @classmethod
    def create(cls, vlist):
        scope.check_create(cls, vlist)
        cls.check_role_grants(vlist)
        return super().create(vlist)

    @classmethod
    def check_role_grants(cls, vlist):
        "The roles the new relations give: security/roles.py checks them"

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            before = [{'post': r.post.id} for r in records]
            cls.check_scope(before)
            if mode == 'write':
                cls.check_scope([{**b, **values} for b in before])

    @classmethod
    def check_scope(cls, rows):
        "Refuse a post outside the organisation of the administrator"
        division = scope.administered_division()
        scope.check([('egov.org.post', r.get('post')) for r in rows],
            division)

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        super().on_modification(mode, records, field_names=field_names)
        User.clear_org_caches()
