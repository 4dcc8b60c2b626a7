"""The organisation tree: city → county/district/zone → unit → department."""
import datetime

from sql import Column
from sql.conditionals import Coalesce
from sql.operators import Like
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import OrgError, OrgValidationError
from ..tools import IN_MAX, forget_records
from . import scope
from .codes import (
    CODE_PATTERN,
    PHONE_PATTERN,
    normalise_uscc,
    search_text,
    uscc_problem,
)

KINDS = [
    ('city', "City"),
    ('county', "County"),
    ('zone', "Zone"),
    ('unit', "Unit"),
    ('department', "Department"),
    ]
# The kinds that are an administrative division: the level at which
# applications are switched on and county administrators work.
DIVISION_KINDS = {'city', 'county', 'zone'}
SUBTREE_FIELDS = [
    'id', 'name', 'short_name', 'kind', 'code', 'parent', 'sequence']
ALLOWED_PARENTS = {
    'city': set(),
    'county': {'city'},
    'zone': {'city'},
    'unit': {'city', 'county', 'zone', 'unit'},
    'department': {'unit', 'department'},
    }


class Unit(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.org.unit'
    __string__ = "Organisation Unit"
    _egov_visibility = 'city'
    _egov_search = {
        'title': 'name',
        'body': ['short_name', 'code', 'address', 'parent'],
        'unit': 'unit',
        }
    # {unit id: rec_name} for the lists of results (rec_names)
    _rec_names_cache = Cache('egov.org.unit.rec_names', context=False)

    name = fields.Char("Name", required=True, strip=True)
    short_name = fields.Char("Short Name", strip=True)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False,
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    division_type = fields.Selection([
            (None, ""),
            ('county', "County"),
            ('county_city', "County-level City"),
            ('district', "District"),
            ], "Division Type", sort=False,
        states={
            'invisible': Eval('kind') != 'county',
            })
    code = fields.Char(
        "Code", required=True, strip=True,
        help="The internal code of the unit, used by imports and exchanges.")
    uscc = fields.Char(
        "Unified Social Credit Code", size=18,
        states={
            'invisible': ~Eval('kind').in_(['unit']),
            },
        help="统一社会信用代码, 18 characters (GB 32100-2015).")
    parent = fields.Many2One(
        'egov.org.unit', "Parent", path='path', ondelete='RESTRICT',
        domain=[
            If(Eval('kind') == 'department',
                ('kind', 'in', ['unit', 'department']),
                If(Eval('kind') == 'unit',
                    ('kind', 'in', ['city', 'county', 'zone', 'unit']),
                    ('kind', '=', 'city'))),
            ],
        states={
            'required': Eval('kind') != 'city',
            'invisible': Eval('kind') == 'city',
            })
    path = fields.Char("Path", readonly=True)
    children = fields.One2Many('egov.org.unit', 'parent', "Children")
    sequence = fields.Integer(
        "Sequence", help="Units are listed by this number, then by name.")
    division = fields.Many2One(
        'egov.org.unit', "Division", readonly=True, ondelete='RESTRICT',
        help="The city, county, district or zone the unit belongs to.")
    unit = fields.Many2One(
        'egov.org.unit', "Unit", readonly=True, ondelete='RESTRICT',
        help="For a department, the unit it is part of.")
    phone = fields.Char("Phone", strip=True)
    address = fields.Char("Address", strip=True)
    search_text = fields.Char("Search Text", readonly=True)
    closed_on = fields.Date("Closed On", readonly=True)
    close_reason = fields.Text("Reason for Closing", readonly=True)
    posts = fields.One2Many('egov.org.post', 'unit', "Posts")
    events = fields.One2Many(
        'egov.org.unit.event', 'unit', "History", readonly=True,
        order=[('create_date', 'DESC'), ('id', 'DESC')])
    # Why a county administrator's form of another county's unit does not
    # let him change it, said on the form
    scope_notice = fields.Function(
        fields.Text("Notice", readonly=True,
            states={'invisible': ~Eval('scope_notice')}),
        'get_scope_notice')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'egov_base.msg_unit_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (Coalesce(t.path, ''), Index.Similarity(begin=True))),
                Index(t, (t.division, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                Index(t, (t.parent, Index.Range())),
                # Tryton searches COALESCE(search_text, ''): index just that
                Index(t, (Coalesce(t.search_text, ''), Index.Similarity())),
                Index(t, (t.uscc, Index.Equality()),
                    where=t.uscc != None),  # noqa: E711
                })
        cls._order = [
            ('sequence', 'ASC NULLS LAST'),
            ('name', 'ASC'),
            ('id', 'ASC'),
            ]
        cls.__rpc__.update({
                'subtree': RPC(),
                })
        cls._buttons.update({
                'close': {
                    'invisible': (
                        ~Eval('active', True) | (Eval('kind') == 'city')),
                    'depends': ['active', 'kind'],
                    },
                'reopen': {
                    'invisible': Eval('active', True),
                    'depends': ['active'],
                    },
                })
        for name in ['name', 'short_name', 'kind', 'code', 'uscc', 'parent',
                'division_type', 'sequence', 'phone', 'address', 'children',
                'posts']:
            field = getattr(cls, name)
            field.states = field.states.copy()
            field.states['readonly'] = (
                field.states.get('readonly', False)
                | Bool(Eval('scope_notice')))
            field.depends = set(field.depends) | {'scope_notice'}
        for button in cls._buttons.values():
            button['invisible'] = (
                button.get('invisible', False) | Bool(Eval('scope_notice')))
            button['depends'] = list(button.get('depends', [])) + [
                'scope_notice']

    @staticmethod
    def default_kind():
        return 'unit'

    @classmethod
    def get_scope_notice(cls, units, name):
        division = scope.administered_division()
        result = dict.fromkeys((u.id for u in units), None)
        if division is None:
            return result
        own = cls(division).name if division > 0 else ''
        for unit in units:
            if not unit.division or unit.division.id != division:
                result[unit.id] = gettext('egov_base.msg_unit_other_county',
                    unit=unit.name,
                    division=unit.division.name if unit.division else '',
                    own=own)
        return result

    @classmethod
    def check_managed(cls, units):
        """Refuse, in plain words and before any other reason, units
        outside the county their administrator manages"""
        if scope.external():
            scope.check([(cls.__name__, u.id) for u in units])

    @classmethod
    def default_sequence(cls):
        return 100

    @classmethod
    def get_rec_name(cls, units, name):
        # The units are read already (their rules checked); the name of a
        # department's unit is in its own name: from the names kept
        return cls.rec_names([u.id for u in units])

    @staticmethod
    def format_rec_name(name, kind, unit_name):
        "A department is named with its unit: 基础教育科 (宜春市教育局)"
        if kind == 'department' and unit_name:
            return '%s (%s)' % (name, unit_name)
        return name

    @classmethod
    def rec_names(cls, ids):
        """{id: rec_name} of the units, without access checks (a list of
        results names the units of its rows): the known ones from the
        cache, which any change of a unit clears, the others in one
        query"""
        names, missing = {}, []
        for id_ in ids:
            name = cls._rec_names_cache.get(id_)
            if name is None:
                missing.append(id_)
            else:
                names[id_] = name
        unit, parent = cls.__table__(), cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(missing, IN_MAX):
            cursor.execute(*unit.join(parent, 'LEFT',
                    condition=parent.id == unit.unit)
                .select(unit.id, unit.name, unit.kind, parent.name,
                    where=unit.id.in_(list(sub_ids))))
            for id_, name, kind, unit_name in cursor:
                names[id_] = cls.format_rec_name(name, kind, unit_name)
                cls._rec_names_cache.set(id_, names[id_])
        return names

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.endswith('like') and isinstance(operand, str):
            # search_text holds the name, the code and their pinyin
            # search_text is lower case already: LIKE, cheaper than ILIKE
            return [('search_text', operator.replace('ilike', 'like'),
                    operand.lower(), *extra)]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('code', operator, operand, *extra),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'uscc' in values:
            values['uscc'] = normalise_uscc(values['uscc'])
        return values

    @classmethod
    def create(cls, vlist):
        if scope.external():
            # Said in plain words before Tryton's rules refuse it
            scope.check([(cls.__name__, v['parent']) for v in vlist
                    if v.get('parent')])
        # Division and unit are set before the record rules check the new
        # records: a county administrator creates in their county only.
        vlist = [cls._with_owners(v, v.get('kind') or cls.default_kind())
            for v in vlist]
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for units, values in zip(actions, actions):
            if 'parent' not in values:
                args.extend([units, values])
                continue
            by_kind = {}
            for unit in units:
                by_kind.setdefault(unit.kind, []).append(unit)
            for kind, kind_units in by_kind.items():
                args.extend([kind_units, cls._with_owners(values, kind)])
        super().write(*args)

    @classmethod
    def _with_owners(cls, values, kind):
        """Return values with the division and unit derived from the parent;
        a node that is its own division or unit gets it in compute_fields"""
        values = values.copy()
        parent = cls(values['parent']) if values.get('parent') else None
        if kind not in DIVISION_KINDS:
            values['division'] = (
                parent.division.id if parent and parent.division else None)
        if kind == 'department':
            values['unit'] = parent.unit.id if parent and parent.unit else None
        elif kind != 'unit':
            values['unit'] = None
        return values

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names)
        if field_names is None or {'name', 'short_name', 'code'} & set(
                field_names):
            text = search_text(self.name, self.short_name, self.code)
            if self.search_text != text:
                values['search_text'] = text
        if self.kind in DIVISION_KINDS and self.division != self:
            values['division'] = self.id
        if self.kind == 'unit' and self.unit != self:
            values['unit'] = self.id
        return values

    @classmethod
    def validate_fields(cls, units, field_names):
        super().validate_fields(units, field_names)
        cls.check_code(units, field_names)
        cls.check_uscc(units, field_names)
        cls.check_parent(units, field_names)
        cls.check_phone(units, field_names)

    @classmethod
    def check_code(cls, units, field_names=None):
        if field_names and 'code' not in field_names:
            return
        for unit in units:
            if not CODE_PATTERN.match(unit.code or ''):
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_code_invalid',
                        code=unit.code, unit=unit.name))

    @classmethod
    def check_uscc(cls, units, field_names=None):
        if field_names and not {'uscc', 'kind'} & set(field_names):
            return
        codes = {}
        for unit in units:
            if not unit.uscc:
                continue
            if unit.kind != 'unit':
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_uscc_not_unit', unit=unit.name))
            problem = uscc_problem(unit.uscc)
            if problem:
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_uscc_%s' % problem,
                        code=unit.uscc, unit=unit.name))
            if unit.uscc in codes:
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_uscc_unique', code=unit.uscc,
                        unit=unit.name, other=codes[unit.uscc].name))
            codes[unit.uscc] = unit
        for sub_codes in grouped_slice(list(codes), IN_MAX):
            others = cls.search([
                    ('uscc', 'in', list(sub_codes)),
                    ('id', 'not in', [u.id for u in units]),
                    ('active', 'in', [True, False]),
                    ], limit=1)
            if others:
                other, = others
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_uscc_unique', code=other.uscc,
                        unit=codes[other.uscc].name, other=other.name))

    @classmethod
    def check_parent(cls, units, field_names=None):
        if field_names and not {'parent', 'kind', 'active'} & set(
                field_names):
            return
        for unit in units:
            parent = unit.parent
            if unit.kind == 'city':
                if parent:
                    raise OrgValidationError(gettext(
                            'egov_base.msg_unit_city_parent', unit=unit.name))
                continue
            if not parent:
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_parent_required',
                        unit=unit.name))
            if parent.path and unit.path and parent.path.startswith(
                    unit.path):
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_cycle',
                        unit=unit.name, parent=parent.name))
            if parent.kind not in ALLOWED_PARENTS[unit.kind]:
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_parent_kind',
                        unit=unit.name, parent=parent.name,
                        kind=unit.kind_string,
                        parent_kind=parent.kind_string))
            if unit.active and not parent.active:
                raise OrgValidationError(gettext(
                        'egov_base.msg_unit_parent_closed',
                        unit=unit.name, parent=parent.name))

    @classmethod
    def check_phone(cls, units, field_names=None):
        if field_names and 'phone' not in field_names:
            return
        for unit in units:
            if unit.phone and not PHONE_PATTERN.match(unit.phone):
                raise OrgValidationError(gettext(
                        'egov_base.msg_phone_invalid',
                        phone=unit.phone, record=unit.name))

    @classmethod
    def check_modification(cls, mode, units, values=None, external=False):
        super().check_modification(
            mode, units, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            # (runs without access checks: external says who asks)
            scope.check([(cls.__name__, u.id) for u in units])
            if mode == 'write' and values.get('parent'):
                scope.check([(cls.__name__, values['parent'])])
        if mode == 'delete':
            cls.check_delete(units)
        if mode == 'write' and 'kind' in values and any(
                u.kind != values['kind'] for u in units):
            raise OrgError(gettext('egov_base.msg_unit_kind_change'))

    @classmethod
    def check_delete(cls, units):
        pool = Pool()
        Post = pool.get('egov.org.post')
        Employee = pool.get('egov.org.employee')
        ids = [u.id for u in units]
        for unit in units:
            children = cls.search([
                    ('parent', '=', unit.id),
                    ('id', 'not in', ids),
                    ('active', 'in', [True, False]),
                    ], limit=1)
            if children:
                raise OrgError(gettext(
                        'egov_base.msg_unit_delete_children',
                        unit=unit.name))
        used = (Post.search([
                    ('unit', 'in', ids), ('active', 'in', [True, False])],
                limit=1)
            or Employee.search([
                    'OR', ('unit', 'in', ids), ('department', 'in', ids),
                    ('active', 'in', [True, False])], limit=1))
        if used:
            raise OrgError(gettext(
                    'egov_base.msg_unit_delete_used',
                    unit=', '.join(u.name for u in units[:3])))

    @classmethod
    def on_write(cls, units, values):
        callbacks = super().on_write(units, values)
        tracked = {'parent', 'name', 'active'} & values.keys()
        if tracked:
            before = {
                u.id: (u.parent.id if u.parent else None, u.name, u.active)
                for u in units}

            def record_events():
                cls._record_changes(before)
            callbacks.append(record_events)
        return callbacks

    @classmethod
    def _record_changes(cls, before):
        pool = Pool()
        Event = pool.get('egov.org.unit.event')
        events = []
        for unit in cls.browse(list(before)):
            old_parent, old_name, old_active = before[unit.id]
            new_parent = unit.parent.id if unit.parent else None
            if old_parent != new_parent:
                events.append(Event(
                        unit=unit, action='moved',
                        old_parent=old_parent, new_parent=new_parent))
            if old_name != unit.name:
                events.append(Event(
                        unit=unit, action='renamed',
                        old_name=old_name, new_name=unit.name))
            if old_active and not unit.active:
                events.append(Event(
                        unit=unit, action='closed',
                        note=unit.close_reason))
            elif not old_active and unit.active:
                events.append(Event(unit=unit, action='reopened'))
        Event.save(events)

    @classmethod
    def on_modification(cls, mode, units, field_names=None):
        pool = Pool()
        Event = pool.get('egov.org.unit.event')
        Switch = pool.get('egov.application.switch')
        User = pool.get('res.user')
        super().on_modification(mode, units, field_names=field_names)
        # A name, a kind or an owning unit (of departments below a moved
        # node too) may have changed
        cls._rec_names_cache.clear()
        if mode == 'create':
            Event.save([Event(unit=u, action='created') for u in units])
            Switch.create_missing(
                [u for u in units if u.kind in {'county', 'zone'}])
        if mode == 'write' and 'parent' in (field_names or []):
            cls._update_subtree_owners(units)
        if mode == 'delete' or (mode == 'write' and (
                    field_names is None
                    or {'parent', 'active'} & set(field_names))):
            User.clear_org_caches()

    @classmethod
    def _update_subtree_owners(cls, units):
        "Derive division and unit again below the moved nodes"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for unit in units:
            cursor.execute(*table.select(
                    table.id, table.parent, table.kind,
                    table.division, table.unit,
                    where=Like(table.path, unit.path + '%')
                    & (table.id != unit.id),
                    order_by=[table.path.asc]))
            owners = {unit.id: (
                    unit.division.id if unit.division else None,
                    unit.unit.id if unit.unit else None)}
            updates = {}
            for id_, parent, kind, division, owner in cursor:
                p_division, p_unit = owners.get(parent, (None, None))
                new_division = id_ if kind in DIVISION_KINDS else p_division
                if kind == 'unit':
                    new_unit = id_
                elif kind == 'department':
                    new_unit = p_unit
                else:
                    new_unit = None
                owners[id_] = (new_division, new_unit)
                if (division, owner) != (new_division, new_unit):
                    updates.setdefault(
                        (new_division, new_unit), []).append(id_)
            for (division, owner), ids in updates.items():
                for sub_ids in grouped_slice(ids, IN_MAX):
                    cursor.execute(*table.update(
                            [table.division, table.unit],
                            [division, owner],
                            where=fields.SQL_OPERATORS['in'](
                                table.id, sub_ids)))
                forget_records(cls, ids)

    @classmethod
    def subtree(cls, unit_ids):
        """Return the open nodes at and below unit_ids that the user may
        read, parents before children, as dicts of SUBTREE_FIELDS.

        One query for the pickers and lists that need a whole county at
        once; the tree view itself loads one level per click."""
        table = cls.__table__()
        allowed = cls.search(
            [('parent', 'child_of', list(unit_ids))], order=[], query=True)
        columns = [Column(table, name) for name in SUBTREE_FIELDS]
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(*columns,
                where=table.id.in_(allowed),
                order_by=[table.path.asc]))
        return [dict(zip(SUBTREE_FIELDS, row)) for row in cursor]

    @classmethod
    def subtree_ids(cls, units):
        "Return the ids of units and every node below them, closed included"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        ids = set()
        for unit in units:
            cursor.execute(*table.select(table.id,
                    where=Like(table.path, unit.path + '%')))
            ids.update(i for i, in cursor)
        return ids

    @classmethod
    @ModelView.button_action('egov_base.wizard_unit_close')
    def close(cls, units):
        pass

    @classmethod
    @ModelView.button
    def reopen(cls, units):
        # Buttons run without access checks: the record rules decide whose
        # units an administrator may reopen.
        with check_access():
            cls._reopen(units)

    @classmethod
    def _reopen(cls, units):
        cls.check_managed(units)
        for unit in units:
            if unit.parent and not unit.parent.active:
                raise OrgError(gettext(
                        'egov_base.msg_unit_reopen_parent_closed',
                        unit=unit.name, parent=unit.parent.name))
        cls.write(units, {
                'active': True,
                'closed_on': None,
                'close_reason': None,
                })

    @classmethod
    def close_units(cls, units, date, reason):
        """Close units with their departments and posts; refuse while people
        still work there, so that nobody is left in a closed unit."""
        pool = Pool()
        Post = pool.get('egov.org.post')
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        cls.check_managed(units)
        for unit in units:
            subtree = list(cls.subtree_ids([unit]))
            open_units = cls.search([
                    ('id', 'in', subtree),
                    ('id', '!=', unit.id),
                    ('kind', '=', 'unit'),
                    ], limit=1)
            if open_units:
                raise OrgError(gettext(
                        'egov_base.msg_unit_close_open_units',
                        unit=unit.name, child=open_units[0].name))
            staff = Employee.search([
                    'OR',
                    ('unit', 'in', subtree),
                    ('department', 'in', subtree),
                    ], count=True)
            if staff:
                raise OrgError(gettext(
                        'egov_base.msg_unit_close_staff',
                        unit=unit.name, count=staff))
            holders = Assignment.search([
                    ('post.unit', 'in', subtree),
                    ('current', '=', True),
                    ], count=True)
            if holders:
                raise OrgError(gettext(
                        'egov_base.msg_unit_close_holders',
                        unit=unit.name, count=holders))
            Post.write(Post.search([('unit', 'in', subtree)]),
                {'active': False})
            departments = cls.search([
                    ('id', 'in', subtree), ('id', '!=', unit.id)])
            cls.write([unit], {
                    'closed_on': date,
                    'close_reason': reason,
                    })
            # Children first: a node may not stay open under a closed one
            cls.write(departments, {'active': False, 'closed_on': date})
            cls.write([unit], {'active': False})

    @classmethod
    def copy(cls, units, default=None):
        if units:
            raise OrgError(gettext('egov_base.msg_unit_no_copy'))
        return super().copy(units, default=default)


class UnitEvent(ModelSQL, ModelView):
    "What happened to a unit, kept when it is moved, renamed or closed"
    __name__ = 'egov.org.unit.event'
    __string__ = "Unit History"
    _egov_visibility = 'parent'

    unit = fields.Many2One(
        'egov.org.unit', "Unit", required=True, ondelete='CASCADE',
        readonly=True)
    action = fields.Selection([
            ('created', "Created"),
            ('moved', "Moved"),
            ('renamed', "Renamed"),
            ('closed', "Closed"),
            ('reopened', "Reopened"),
            ], "Action", required=True, readonly=True)
    old_parent = fields.Many2One(
        'egov.org.unit', "Old Parent", readonly=True, ondelete='SET NULL')
    new_parent = fields.Many2One(
        'egov.org.unit', "New Parent", readonly=True, ondelete='SET NULL')
    old_name = fields.Char("Old Name", readonly=True)
    new_name = fields.Char("New Name", readonly=True)
    note = fields.Text("Note", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('unit')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.unit, Index.Range())))
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def check_modification(cls, mode, events, values=None, external=False):
        super().check_modification(
            mode, events, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            raise OrgError(gettext('egov_base.msg_unit_event_readonly'))


class UnitClose(ModelView):
    "Close a unit"
    __name__ = 'egov.org.unit.close'
    __string__ = "Close Unit"

    unit = fields.Many2One('egov.org.unit', "Unit", readonly=True)
    date = fields.Date("Date", required=True)
    reason = fields.Text("Reason", required=True)


class UnitCloseWizard(Wizard):
    "Close a unit"
    __name__ = 'egov.org.unit.close_wizard'

    start = StateView('egov.org.unit.close',
        'egov_base.unit_close_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Close Unit", 'close_', 'tryton-ok', default=True),
            ])
    close_ = StateTransition()

    def default_start(self, fields):
        return {
            'unit': self.record.id,
            'date': datetime.date.today(),
            }

    def transition_close_(self):
        with check_access():
            self.model.close_units(
                [self.record], self.start.date, self.start.reason)
        return 'end'
