"""Small helpers shared by the platform's modules."""

# Ids or values per "IN (...)" clause when a list is sliced for queries:
# the size Tryton's backends accept (their IN_MAX).
IN_MAX = 1000
