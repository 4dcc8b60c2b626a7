"""The language each person reads the platform in, for what is told them
(a message is written in the language of whoever receives it, not in that
of whoever acts)."""
from trytond.pool import Pool
from trytond.transaction import without_check_access


def languages(users):
    """{user id: the code of the language user reads the platform in}: their
    own, or the one their client falls back to when they have none"""
    pool = Pool()
    User = pool.get('res.user')
    Configuration = pool.get('ir.configuration')
    default = Configuration.get_language()
    with without_check_access():
        users = User.browse(list({int(u) for u in users}))
        return {u.id: u.language.code if u.language else default
            for u in users}
