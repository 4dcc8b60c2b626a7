"""Typed slots: a form whose fields are known only at run time (the step's
fields in the act dialog, the fields of a request's form) shows each of
them in a field of its kind, labelled and constrained as the field it
stands for, in a view built for it (fields_view_get)."""
from trytond.model import fields

# {kind of field: (slot prefix, field class, slots of the act dialog)}
SLOTS = {
    'char': ('char', fields.Char, 4),
    'text': ('text', fields.Text, 2),
    'integer': ('integer', fields.Integer, 2),
    'float': ('float', fields.Float, 2),
    'numeric': ('numeric', fields.Numeric, 2),
    'date': ('date', fields.Date, 2),
    'datetime': ('datetime', fields.DateTime, 1),
    'boolean': ('boolean', fields.Boolean, 2),
    'selection': ('selection', fields.Selection, 3),
    'many2one:egov.org.unit': ('unit', fields.Many2One, 2),
    'many2one:res.user': ('user', fields.Many2One, 2),
    'many2many:egov.org.unit': ('units', fields.Many2Many, 3),
    'many2many:res.user': ('users', fields.Many2Many, 2),
    }


def slot_fields(counts=None):
    """{slot name: field} of every slot; counts: {kind: number of slots}
    instead of the act dialog's"""
    result = {}
    for key, (prefix, Field, count) in SLOTS.items():
        count = (counts or {}).get(key, count)
        for i in range(1, count + 1):
            name = '%s_%d' % (prefix, i)
            if Field is fields.Selection:
                field = Field([], "Field", sort=False)
            elif Field is fields.Many2One:
                field = Field(key.split(':')[1], "Field")
            elif Field is fields.Many2Many:
                field = Field(key.split(':')[1], None, None, "Field")
            else:
                field = Field("Field")
            result[name] = field
    return result


def plan_slots(record, names, counts=None):
    """[(field name, slot name)] of the fields names of record: the order of
    names, each in the next free slot of its kind; or (None, the name that
    finds no slot). record.workflow_field(name)['slot'] is the kind."""
    used = {}
    plan = []
    for name in names:
        key = record.workflow_field(name)['slot']
        if key == 'dict':
            plan.append((name, 'values'))
            continue
        if key not in SLOTS:
            return None, name
        prefix, _, count = SLOTS[key]
        count = (counts or {}).get(key, count)
        used[key] = used.get(key, 0) + 1
        if used[key] > count:
            return None, name
        plan.append((name, '%s_%d' % (prefix, used[key])))
    return plan, None
