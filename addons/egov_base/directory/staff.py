# This file is part of the Yichun smart office platform.
"The staff directory opens on one's own unit."
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Employee(metaclass=PoolMeta):
    __name__ = 'egov.org.employee'

    in_my_unit = fields.Function(fields.Boolean("In My Unit"),
        'get_in_my_unit', searcher='search_in_my_unit')

    @classmethod
    def _my_unit(cls):
        "The unit of the post the user acts in"
        return Pool().get('res.user').get_org_scope()['unit']

    @classmethod
    def get_in_my_unit(cls, employees, name):
        unit = cls._my_unit()
        return {e.id: bool(unit and e.unit and e.unit.id == unit)
            for e in employees}

    @classmethod
    def search_in_my_unit(cls, name, clause):
        _, operator, value = clause[:3]
        mine = (operator == '=') == bool(value)
        return [('unit', '=' if mine else '!=', cls._my_unit() or -1)]
