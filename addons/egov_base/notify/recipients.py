"""Who a message reaches: users named directly, the holders of posts, the
staff of units (their departments included) and the members of groups,
each once, active logins only."""
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import without_check_access

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
                assignments = Assignment.search([
                        ('post', 'in', list(posts)),
                        ('current', '=', True),
                        ('employee.user', '!=', None),
                        ])
                users.update(a.employee.user.id for a in assignments)
        if recipients['units']:
            units = Unit.search([
                    ('parent', 'child_of', recipients['units']),
                    ])
            for unit_ids in grouped_slice([u.id for u in units], 1000):
                unit_ids = list(unit_ids)
                employees = Employee.search([
                        ('user', '!=', None),
                        ['OR',
                            ('unit', 'in', unit_ids),
                            ('department', 'in', unit_ids),
                            ],
                        ])
                users.update(e.user.id for e in employees)
        if recipients['groups']:
            members = User.search([('groups', 'in', recipients['groups'])])
            users.update(u.id for u in members)
        # Active logins only, the built-in ones never
        active = set()
        for sub in grouped_slice(sorted(users), 1000):
            active.update(u.id for u in User.search([
                        ('id', 'in', list(sub)),
                        ('login', 'not in', ['root', 'admin']),
                        ]))
    return sorted(active)
