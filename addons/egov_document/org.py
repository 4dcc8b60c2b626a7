"""A 公文 keeps its unit's division (document.py): when a unit moves to
another county, its documents follow."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class Unit(metaclass=PoolMeta):
    __name__ = 'egov.org.unit'

    @classmethod
    def write(cls, *args):
        moved = []
        actions = iter(args)
        for units, values in zip(actions, actions):
            if 'parent' in values:
                moved.extend(units)
        super().write(*args)
        if moved:
            pool = Pool()
            with without_check_access():
                subtree = cls.search([
                        ('parent', 'child_of', [u.id for u in moved]),
                        ], order=[])
            for name in ['egov.document.incoming', 'egov.document.outgoing']:
                pool.get(name).update_divisions(subtree)
