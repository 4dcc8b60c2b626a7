"""Small helpers shared by the platform's modules."""

# Ids or values per "IN (...)" clause when a list is sliced for queries:
# the size Tryton's backends accept (their IN_MAX).
IN_MAX = 1000


def check_write_access(Model, records):
    """Refuse as a write by the current user would, without writing: the
    model access and the record rules. For buttons and wizards, which run
    without access checks."""
    from trytond.pool import Pool
    from trytond.transaction import check_access
    ModelAccess = Pool().get('ir.model.access')
    with check_access():
        ModelAccess.check(Model.__name__, 'write')
        # The rule check of ModelSQL.write, without the UPDATE it comes
        # with (private in Tryton 8.0)
        Model._ModelSQL__check_domain_rule([r.id for r in records], 'write')
