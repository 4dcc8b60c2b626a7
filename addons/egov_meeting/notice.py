"""Who receives a meeting's notice in an invited unit: as with any
government notice, its 收发员/文书 (the posts so named, or carrying the
document clerk role when egov_document is on, in the unit and its
departments), who registers the unit's attendees; the unit's head when it
has no clerk holding such a post. The people and posts invited by name are
told directly (meeting.py)."""
from sql import Literal, Null
from sql.conditionals import Case
from sql.operators import Exists

from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from egov_base.tools import IN_MAX

CLERK_POSTS = ('收发员', '文书')


def clerk_group():
    "The document clerk role, when egov_document is activated"
    ModelData = Pool().get('ir.model.data')
    try:
        return ModelData.get_id('egov_document', 'group_document_clerk')
    except (KeyError, ValueError):
        return None


def notice_posts(unit_ids):
    """{unit id: [post ids]} the notice goes to in each unit: its clerks'
    posts held today, else its head's. One query for all the units: a
    notice to 500 units looks at thousands of posts, which records would
    browse too slowly (each checks the whole list of its batch)"""
    pool = Pool()
    Post = pool.get('egov.org.post')
    Unit = pool.get('egov.org.unit')
    Assignment = pool.get('egov.org.assignment')
    PostGroup = pool.get('egov.org.post-res.group')
    today = pool.get('ir.date').today()
    post, unit = Post.__table__(), Unit.__table__()
    assignment, post_group = Assignment.__table__(), PostGroup.__table__()
    unit_ids = list(unit_ids)
    clerks = {u: [] for u in unit_ids}
    heads = {u: [] for u in unit_ids}
    group = clerk_group()
    department = unit.kind == 'department'
    owner = Case((department, unit.unit), else_=unit.id)
    held = Exists(assignment.select(assignment.id,
            where=(assignment.post == post.id)
            & ((assignment.start_date == Null)
                | (assignment.start_date <= today))
            & ((assignment.end_date == Null)
                | (assignment.end_date >= today))))
    if group is not None:
        clerk_role = Exists(post_group.select(post_group.id,
                where=(post_group.post == post.id)
                & (post_group.group == group)))
    else:
        clerk_role = Literal(False)
    cursor = Transaction().connection.cursor()
    for sub in grouped_slice(unit_ids, IN_MAX):
        sub = list(sub)
        cursor.execute(*post.join(unit, condition=unit.id == post.unit)
            .select(post.id, owner, department, post.name, post.head,
                clerk_role,
                where=post.active & unit.active & held
                & (unit.id.in_(sub) | (department & unit.unit.in_(sub))),
                order_by=[post.sequence.nulls_last, post.id]))
        for post_id, owner_id, in_department, name, head, role in cursor:
            if owner_id not in clerks:
                continue
            if name in CLERK_POSTS or role:
                clerks[owner_id].append(post_id)
            elif head and not in_department:
                heads[owner_id].append(post_id)
    return {u: clerks[u] or heads[u] for u in unit_ids}
