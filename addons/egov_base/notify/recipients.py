"""Who a message reaches: users named directly, the holders of posts, the
staff of units (their departments included) and the members of groups,
each once, active logins only."""
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

KINDS = ('users', 'posts', 'units', 'groups')


def normalize(recipients):
    """{'users': [ids], 'posts': …, 'units': …, 'groups': …} from records,
    ids or a mapping of them"""
    result = {k: [] for k in KINDS}
    for kind in KINDS:
        for value in (recipients or {}).get(kind) or []:
            result[kind].append(int(value))
        result[kind] = sorted(set(result[kind]))
    return result


def ids_of(Model, domain, column='id'):
    """The column (ids) of the records of Model in domain, with the rules
    of the context; values, not records: browsing thousands of records
    costs Tryton a check of every id for each record"""
    table = Model.__table__()
    query = Model.search(domain, query=True, order=[])
    cursor = Transaction().connection.cursor()
    if column == 'id':
        cursor.execute(*query)
    else:
        cursor.execute(*table.select(getattr(table, column),
                where=table.id.in_(query)))
    return [r[0] for r in cursor]


def resolve(recipients):
    "The ids of the active users recipients names"
    pool = Pool()
    User = pool.get('res.user')
    Employee = pool.get('egov.org.employee')
    Assignment = pool.get('egov.org.assignment')
    Unit = pool.get('egov.org.unit')
    recipients = normalize(recipients)
    users = set(recipients['users'])
    with without_check_access():
        if recipients['posts']:
            for posts in grouped_slice(recipients['posts'], 1000):
                employees = ids_of(Assignment, [
                        ('post', 'in', list(posts)),
                        ('current', '=', True),
                        ('employee.user', '!=', None),
                        ], 'employee')
                users.update(e['user'] for e in Employee.read(
                        sorted(set(employees)), ['user']))
        if recipients['units']:
            units = ids_of(Unit, [
                    ('parent', 'child_of', recipients['units']),
                    ])
            for unit_ids in grouped_slice(units, 1000):
                unit_ids = list(unit_ids)
                employees = ids_of(Employee, [
                        ('user', '!=', None),
                        ['OR',
                            ('unit', 'in', unit_ids),
                            ('department', 'in', unit_ids),
                            ],
                        ])
                users.update(e['user'] for e in Employee.read(
                        employees, ['user']))
        if recipients['groups']:
            users.update(ids_of(User,
                    [('groups', 'in', recipients['groups'])]))
        # Active logins only, the built-in ones never
        active = set()
        for sub in grouped_slice(sorted(users), 1000):
            active.update(ids_of(User, [
                        ('id', 'in', list(sub)),
                        ('login', 'not in', ['root', 'admin']),
                        ]))
    return sorted(active)
