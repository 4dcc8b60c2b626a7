"""Relation fields read with the record that holds them.

A Many2Many's link rows that belong to their origin (the link model's
access is its origin's: `__access__`) are what the origin's reader may see.
Tryton reads them by a search of the link model, which applies the origin's
record rules once more: for a 收文's form, half of its read went into that
second check of rules its read had just checked (ModelSQL.read selects the
rows under the rules, and refuses the read unless every row is found,
before it calls the fields' getters)."""
from trytond.model import fields
from trytond.transaction import without_check_access


class OwnedMany2Many(fields.Many2Many):
    """A Many2Many whose link model takes its access from the origin: read
    without checking the origin's rules again"""

    def get(self, ids, model, name, values=None):
        Relation = self.get_relation()
        if self.origin not in getattr(Relation, '__access__', set()):
            return super().get(ids, model, name, values=values)
        with without_check_access():
            return super().get(ids, model, name, values=values)
