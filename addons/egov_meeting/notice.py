"""Who receives a meeting's notice in an invited unit: as with any
government notice, its 收发员/文书 (the posts so named, or carrying the
document clerk role when egov_document is on, in the unit and its
departments), who registers the unit's attendees; the unit's head when it
has no clerk holding such a post. The people and posts invited by name are
told directly (meeting.py)."""
from trytond.pool import Pool
from trytond.transaction import without_check_access

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
    posts held today, else its head's"""
    pool = Pool()
    Post = pool.get('egov.org.post')
    unit_ids = list(unit_ids)
    clerks = {u: [] for u in unit_ids}
    heads = {u: [] for u in unit_ids}
    group = clerk_group()
    with without_check_access():
        for post in Post.search(['OR',
                    ('unit', 'in', unit_ids),
                    ('unit.unit', 'in', unit_ids),
                    ]):
            department = post.unit.kind == 'department'
            owner = post.unit.unit.id if department else post.unit.id
            if owner not in clerks or not post.assignments:
                continue
            if post.name in CLERK_POSTS or (group is not None
                    and group in {g.id for g in post.groups}):
                clerks[owner].append(post.id)
            elif post.head and not department:
                heads[owner].append(post.id)
    return {u: clerks[u] or heads[u] for u in unit_ids}
