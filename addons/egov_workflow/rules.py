"""Assignment rules: who holds a step, resolved against the organisation.

A rule resolves to branches: each branch is the list of users who may act
on one to-do (the first of them to act does it). A simple step has one
branch; a multi-instance step (countersign 会签, distribute 分发) has one
branch per person or unit.

    initiator               the person who started the process
    user:<login>            a named user
    post:<name>             holders of the posts named so in the
                            initiator's unit
    head:initiator          the head of the initiator's department (or of
                            their unit when they head the department)
    head:unit               the head of the initiator's unit
    leader:initiator        the leaders in charge (分管) of the initiator's
                            unit
    heads:<field>           per unit or department listed in the form field:
                            its head (one branch each)
    units:<field>:<post>    per unit listed in the form field: the holders
                            of <post> there (one branch each: 分发)
    field:<field>           per user listed in the form field (one branch
                            each)
    role:<module.group>     the people of the initiator's unit whose post
                            carries that role
"""
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

KINDS = {
    'initiator', 'user', 'post', 'head', 'leader', 'heads', 'units',
    'field', 'role'}


class RuleError(Exception):
    "A rule that cannot be resolved: code names the problem"

    def __init__(self, code, **detail):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


def parse_rule(rule):
    "Return (kind, arguments) of a rule text, or raise RuleError"
    kind, _, rest = rule.strip().partition(':')
    if kind not in KINDS:
        raise RuleError('kind', rule=rule)
    arguments = [a.strip() for a in rest.split(':')] if rest else []
    expected = {
        'initiator': 0, 'user': 1, 'post': 1, 'head': 1, 'leader': 1,
        'heads': 1, 'units': 2, 'field': 1, 'role': 1}[kind]
    if len(arguments) != expected or not all(arguments):
        raise RuleError('arguments', rule=rule)
    if kind == 'head' and arguments[0] not in {'initiator', 'unit'}:
        raise RuleError('arguments', rule=rule)
    if kind == 'leader' and arguments[0] != 'initiator':
        raise RuleError('arguments', rule=rule)
    return kind, arguments


class Resolver:
    "Resolve rules for one process instance"

    def __init__(self, initiator, data):
        """initiator: the res.user who started; data: the form values"""
        self.initiator = initiator
        self.data = data or {}
        pool = Pool()
        self.User = pool.get('res.user')
        self.Employee = pool.get('egov.org.employee')
        self.Unit = pool.get('egov.org.unit')
        self.Post = pool.get('egov.org.post')
        self.Assignment = pool.get('egov.org.assignment')
        self.Leadership = pool.get('egov.org.leadership')
        self._scope = None

    @property
    def scope(self):
        if self._scope is None:
            self._scope = self.User.get_org_scope(self.initiator.id)
        return self._scope

    def resolve(self, rule):
        "Return the branches of rule, each a non-empty list of user ids"
        kind, arguments = parse_rule(rule)
        with without_check_access(), Transaction().set_user(0):
            branches = getattr(self, '_' + kind)(*arguments)
        branches = [sorted(set(b)) for b in branches]
        branches = [b for b in branches if b]
        if not branches:
            raise RuleError('nobody', rule=rule)
        return branches

    # The node (unit or department) and unit the initiator acts in
    def _initiator_node(self):
        node = self.scope['node']
        if not node:
            raise RuleError('no_post', user=self.initiator.rec_name)
        return self.Unit(node)

    def _holders(self, posts):
        "Users holding the posts today"
        if not posts:
            return []
        assignments = self.Assignment.search([
                ('post', 'in', [p.id for p in posts]),
                ('current', '=', True),
                ('employee.active', '=', True),
                ('employee.user', '!=', None),
                ])
        return [a.employee.user.id for a in assignments]

    def _heads_of(self, node):
        "The users heading node (a unit or department)"
        posts = self.Post.search([('unit', '=', node.id), ('head', '=', True)])
        return self._holders(posts)

    def _initiator(self):
        return [[self.initiator.id]]

    def _user(self, login):
        users = self.User.search([('login', '=', login)], limit=1)
        return [[users[0].id]] if users else []

    def _post(self, name):
        node = self._initiator_node()
        unit = node.unit or node
        posts = self.Post.search([
                ('unit', 'child_of', [unit.id], 'parent'),
                ('name', '=', name),
                ])
        return [self._holders(posts)]

    def _head(self, which):
        node = self._initiator_node()
        unit = node.unit or node
        if which == 'initiator' and node != unit:
            heads = [h for h in self._heads_of(node)
                if h != self.initiator.id]
            if heads:
                return [heads]
        # The head of the unit heads a unit-level post or a person who
        # heads their own department
        return [self._heads_of(unit)]

    def _leader(self, which):
        node = self._initiator_node()
        unit = node.unit or node
        leaderships = self.Leadership.search([
                ('unit', '=', unit.id),
                ('current', '=', True),
                ('leader.active', '=', True),
                ('leader.user', '!=', None),
                ])
        return [[l.leader.user.id for l in leaderships]]

    def _nodes_in_field(self, name):
        ids = self.data.get(name) or []
        if isinstance(ids, int):
            ids = [ids]
        nodes = self.Unit.search([('id', 'in', [int(i) for i in ids])])
        missing = set(map(int, ids)) - {n.id for n in nodes}
        if missing:
            raise RuleError('field_value', field=name)
        return nodes

    def _heads(self, name):
        return [self._heads_of(node) for node in self._nodes_in_field(name)]

    def _units(self, name, post):
        branches = []
        for node in self._nodes_in_field(name):
            posts = self.Post.search([
                    ('unit', 'child_of', [node.id], 'parent'),
                    ('name', '=', post),
                    ])
            holders = self._holders(posts) or self._heads_of(node)
            branches.append(holders)
        return branches

    def _field(self, name):
        ids = self.data.get(name) or []
        if isinstance(ids, int):
            ids = [ids]
        users = self.User.search([('id', 'in', [int(i) for i in ids])])
        return [[u.id] for u in users]

    def _role(self, xml_id):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        PostGroup = pool.get('egov.org.post-res.group')
        try:
            group = ModelData.get_id(*xml_id.split('.', 1))
        except (KeyError, ValueError):
            raise RuleError('role', role=xml_id)
        node = self._initiator_node()
        unit = node.unit or node
        posts = [pg.post for pg in PostGroup.search([
                    ('group', '=', group),
                    ('post.unit', 'child_of', [unit.id], 'parent'),
                    ])]
        return [self._holders(posts)]
