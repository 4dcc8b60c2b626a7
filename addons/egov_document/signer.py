"""Who may sign (签发) a document for a unit: its head, a leader in charge
of it, or someone the unit gave the right (签发人 group)."""
from trytond.pool import Pool, PoolMeta


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def may_sign_for(cls, user_id, unit):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Post = pool.get('egov.org.post')
        if not user_id:
            return True
        scope = cls.get_org_scope(user_id)
        if unit.id in scope['units'] and unit.id != scope['unit']:
            # A leader in charge (分管) of the unit
            return True
        if scope['unit'] != unit.id:
            return False
        if scope['post'] and scope['node'] == unit.id and Post(
                scope['post']).head:
            return True
        signer = ModelData.get_id('egov_document', 'group_document_signer')
        return signer in cls.get_groups()
