"""What a user may find of a model: the parts whose union is the records
their record rules let them open, each a sub-query the index is matched
within (see Search.scopes)."""
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from ..security.limits import is_leaf
from .backend import Part

# Parts a record rule's OR is split into, at most
MAX_DISJUNCTS = 8
# The operators on the unit itself whose records all have that unit
UNIT_OPERATORS = {'=', 'in', 'child_of', 'parent_of'}


def disjuncts(domain, bound=MAX_DISJUNCTS):
    """Domains whose union is domain: a top-level OR (also inside an AND
    with other clauses) is split; anything else is kept whole. Rule.
    domain_get gives tuples: ('OR', ('OR', leaf, leaf), ('OR', (leaf,)))"""
    if not isinstance(domain, (list, tuple)) or not domain:
        return [list(domain or [])]
    if is_leaf(domain):
        return [[domain]]
    domain = list(domain)
    if domain[0] == 'OR':
        result = []
        for clause in domain[1:]:
            result.extend(disjuncts(clause, bound))
        return result if len(result) <= bound else [domain]
    clauses = domain[1:] if domain[0] == 'AND' else domain
    if len(clauses) == 1:
        return disjuncts(clauses[0], bound)
    ors = [c for c in clauses
        if isinstance(c, (list, tuple)) and c and c[0] == 'OR']
    if len(ors) != 1:
        return [domain]
    rest = [c for c in clauses if c is not ors[0]]
    result = [rest + [d] for d in disjuncts(ors[0], bound)]
    return result if len(result) <= bound else [domain]


def visible_ids(Model, domain, unit_field=None):
    """The parts whose union is the ids the user may open: the record
    rules' domain (Rule.domain_get, as Rule.query_get runs it) with its OR
    split, so that each part is matched by its own index (initiator,
    to-dos, unit…) and stops at the count's bound.

    A part on the record's unit alone (a county administrator's
    unit.division = …) is matched on the index's own unit column, which
    is the record's (written with it: entry.SearchableMixin): each
    candidate is then checked against the units, not joined to the
    record's table and its unit, half of that administrator's search."""
    pool = Pool()
    Unit = pool.get('egov.org.unit')
    parts = []
    with Transaction().set_user(0), \
            Transaction().set_context(_check_access=False):
        for part in disjuncts(domain):
            units = unit_domain(part, unit_field) if unit_field else None
            if units is not None:
                with Transaction().set_context(active_test=False):
                    query = Unit.search(units, order=[], query=True)
                parts.append(Part('unit', query))
            else:
                parts.append(Part('record',
                        Model.search(part, order=[], query=True)))
    return tuple(parts)


def unit_field_of(Model, spec):
    """The name of the field whose value the index keeps as the entry's
    unit, when it is a stored Many2One (a computed one may change without
    a write of the record) and the records are not deactivable (the entry
    of an inactive record stays: the record's own search leaves it out)"""
    name = spec.get('unit')
    field = Model._fields.get(name) if name else None
    if 'active' in Model._fields:
        return None
    if (isinstance(field, fields.Many2One)
            and not isinstance(field, fields.Function)
            and field.model_name == 'egov.org.unit'):
        return name
    return None


def unit_domain(domain, field):
    """The domain of egov.org.unit whose units' records are those of
    domain, when every clause of domain is on the record's unit (field);
    otherwise None. Records without a unit match neither."""
    clauses = _and_clauses(domain)
    if not clauses:
        return None
    result = []
    for clause in clauses:
        name, operator, value = clause[0], clause[1], clause[2]
        if name.startswith(field + '.'):
            # unit.division = …: the units of that division
            result.append((name[len(field) + 1:],) + tuple(clause[1:]))
        elif (name == field and operator in UNIT_OPERATORS
                and value is not None
                and not (isinstance(value, (list, tuple))
                    and None in value)):
            result.append(('id',) + tuple(clause[1:]))
        else:
            return None
    return result


def _and_clauses(domain):
    "The leaves of a domain made of ANDs only, or None"
    if is_leaf(domain):
        return [domain] if len(domain) >= 3 else None
    if not isinstance(domain, (list, tuple)):
        return None
    items = list(domain)
    if items and items[0] == 'AND':
        items = items[1:]
    if items and items[0] == 'OR':
        if len(items) > 2:
            return None
        items = items[1:]
    leaves = []
    for item in items:
        found = _and_clauses(item)
        if found is None:
            return None
        leaves.extend(found)
    return leaves
