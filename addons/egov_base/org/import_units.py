"""Import of units and departments from Excel: check every row, then write
all of them or nothing."""
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice

from ..tools import IN_MAX
from .codes import CODE_PATTERN, PHONE_PATTERN, normalise_uscc, uscc_problem
from .columns import unit_columns
from .unit import ALLOWED_PARENTS

UPDATED_FIELDS = [
    'name', 'short_name', 'uscc', 'sequence', 'phone', 'address', 'parent']


def selection_labels(Model, field_name):
    "Return {label or value: value} of a selection, in the user's language"
    selection = Model.fields_get([field_name])[field_name]['selection']
    labels = {}
    for value, label in selection:
        if value:
            labels[value] = value
            labels[str(label)] = value
    return labels


def writable_domain(Model):
    "Return the record-rule domain that limits what the user may write"
    Rule = Pool().get('ir.rule')
    return Rule.domain_get(Model.__name__, mode='write') or []


class UnitImporter:
    columns = staticmethod(unit_columns)
    # The city has about 2,000 units and departments
    max_rows = 10000

    def __init__(self, table):
        self.table = table
        self.to_create = []
        self.to_update = []

    def add(self, message, row, column=None):
        self.table.add(message, row, column)

    def check(self):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        titles = {c.name: c.title for c in unit_columns()}
        kinds = selection_labels(Unit, 'kind')
        rows = self.table.rows

        by_code = {}
        for row in rows:
            code = row.get('code')
            if not code:
                continue
            if not CODE_PATTERN.match(code):
                self.add(gettext('egov_base.msg_import_code_invalid',
                        code=code), row['_row'], titles['code'])
            if code in by_code:
                self.add(gettext('egov_base.msg_import_duplicate_in_file',
                        value=code, other=by_code[code]['_row']),
                    row['_row'], titles['code'])
            by_code[code] = row
            if row.get('kind') is not None:
                kind = kinds.get(row['kind'])
                if kind is None:
                    self.add(gettext('egov_base.msg_import_kind_invalid',
                            value=row['kind'],
                            kinds='、'.join(
                                k for k in kinds if k not in kinds.values()
                                )), row['_row'], titles['kind'])
                row['kind'] = kind

        codes = set(by_code) | {r['parent'] for r in rows if r.get('parent')}
        existing = {}
        for sub_codes in grouped_slice(list(codes), IN_MAX):
            for unit in Unit.search([
                        ('code', 'in', list(sub_codes)),
                        ('active', 'in', [True, False]),
                        ]):
                existing[unit.code] = unit
        writable = set()
        for sub_codes in grouped_slice(list(existing), IN_MAX):
            writable.update(u.code for u in Unit.search([
                        ('code', 'in', list(sub_codes)),
                        ('active', 'in', [True, False]),
                        writable_domain(Unit),
                        ]))

        usccs = {}
        for row in rows:
            number, code = row['_row'], row.get('code')
            kind = row.get('kind')
            current = existing.get(code)
            if current and kind and current.kind != kind:
                self.add(gettext('egov_base.msg_import_kind_change',
                        code=code), number, titles['kind'])
            if current and code not in writable:
                self.add(gettext('egov_base.msg_import_unit_not_yours',
                        code=code), number, titles['code'])
            self._check_parent(row, kind, by_code, existing, writable,
                titles)
            if row.get('uscc'):
                row['uscc'] = uscc = normalise_uscc(row['uscc'])
                problem = uscc_problem(uscc)
                if kind and kind != 'unit':
                    self.add(gettext('egov_base.msg_import_uscc_not_unit'),
                        number, titles['uscc'])
                elif problem:
                    self.add(gettext('egov_base.msg_unit_uscc_%s' % problem,
                            code=uscc, unit=row.get('name') or code),
                        number, titles['uscc'])
                elif uscc in usccs:
                    self.add(gettext(
                            'egov_base.msg_import_duplicate_in_file',
                            value=uscc, other=usccs[uscc]),
                        number, titles['uscc'])
                usccs[uscc] = number
            if row.get('phone') and not PHONE_PATTERN.match(row['phone']):
                self.add(gettext('egov_base.msg_import_phone_invalid',
                        value=row['phone']), number, titles['phone'])
        self._check_uscc_taken(usccs, existing, titles)
        self._check_cycles(by_code, existing, titles)
        if not self.table.problems:
            self._plan(by_code, existing)

    def _check_parent(self, row, kind, by_code, existing, writable, titles):
        number, parent_code = row['_row'], row.get('parent')
        if kind == 'city':
            if parent_code:
                self.add(gettext('egov_base.msg_import_city_parent'),
                    number, titles['parent'])
            return
        if not parent_code:
            if kind:
                self.add(gettext('egov_base.msg_import_parent_required'),
                    number, titles['parent'])
            return
        if parent_code in by_code:
            parent_kind = by_code[parent_code].get('kind')
            parent_active = True
        elif parent_code in existing:
            parent = existing[parent_code]
            parent_kind, parent_active = parent.kind, parent.active
            if parent_code not in writable and row.get(
                    'code') not in existing:
                self.add(gettext('egov_base.msg_import_parent_not_yours',
                        code=parent_code), number, titles['parent'])
        else:
            self.add(gettext('egov_base.msg_import_parent_unknown',
                    code=parent_code), number, titles['parent'])
            return
        if not parent_active:
            self.add(gettext('egov_base.msg_import_parent_closed',
                    code=parent_code), number, titles['parent'])
        if kind and parent_kind and parent_kind not in ALLOWED_PARENTS[kind]:
            self.add(gettext('egov_base.msg_import_parent_kind',
                    code=parent_code), number, titles['parent'])

    def _check_uscc_taken(self, usccs, existing, titles):
        Unit = Pool().get('egov.org.unit')
        rows = {r['_row']: r for r in self.table.rows}
        for sub_codes in grouped_slice(list(usccs), IN_MAX):
            for unit in Unit.search([
                        ('uscc', 'in', list(sub_codes)),
                        ('active', 'in', [True, False]),
                        ]):
                row = rows[usccs[unit.uscc]]
                if row.get('code') != unit.code:
                    self.add(gettext('egov_base.msg_import_uscc_taken',
                            value=unit.uscc, unit=unit.name),
                        row['_row'], titles['uscc'])

    def _check_cycles(self, by_code, existing, titles):
        "Refuse a file whose parent codes go round in a circle"
        def parent_of(code):
            if code in by_code:
                return by_code[code].get('parent')
            if code in existing and existing[code].parent:
                return existing[code].parent.code
            return None
        for code, row in by_code.items():
            seen = {code}
            parent = parent_of(code)
            while parent:
                if parent in seen:
                    self.add(gettext('egov_base.msg_import_cycle',
                            code=code), row['_row'], titles['parent'])
                    break
                seen.add(parent)
                parent = parent_of(parent)

    def _plan(self, by_code, existing):
        "Order the new units so that every parent comes before its children"
        self.to_update = [
            (existing[c], r) for c, r in by_code.items() if c in existing]
        pending = {c: r for c, r in by_code.items() if c not in existing}
        placed = set(existing)
        while pending:
            ready = [c for c, r in pending.items()
                if not r.get('parent') or r['parent'] in placed]
            self.to_create.append([pending.pop(c) for c in ready])
            placed.update(ready)

    def apply(self):
        "Write the checked rows; return (created, updated)"
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        ids = {}
        created = 0
        for level in self.to_create:
            values = []
            for row in level:
                parent = row.get('parent')
                values.append({
                        'code': row['code'],
                        'name': row['name'],
                        'kind': row['kind'],
                        'parent': ids.get(parent) or self._unit_id(parent),
                        'short_name': row.get('short_name'),
                        'uscc': row.get('uscc'),
                        'sequence': row.get('sequence') or 100,
                        'phone': row.get('phone'),
                        'address': row.get('address'),
                        })
            for unit in Unit.create(values):
                ids[unit.code] = unit.id
            created += len(values)
        to_write = []
        for unit, row in self.to_update:
            values = {}
            for name in UPDATED_FIELDS:
                if name not in row or row[name] is None:
                    continue
                if name == 'parent':
                    value = ids.get(row['parent']) or self._unit_id(
                        row['parent'])
                    if value != (unit.parent.id if unit.parent else None):
                        values['parent'] = value
                elif getattr(unit, name) != row[name]:
                    values[name] = row[name]
            if values:
                to_write.extend([[unit], values])
        if to_write:
            Unit.write(*to_write)
        return created, len(to_write) // 2

    @staticmethod
    def _unit_id(code):
        if not code:
            return None
        Unit = Pool().get('egov.org.unit')
        unit, = Unit.search([
                ('code', '=', code), ('active', 'in', [True, False])])
        return unit.id

    def rows_of(self, units):
        "Return the export rows of units"
        kinds = dict(Pool().get('egov.org.unit').fields_get(
                ['kind'])['kind']['selection'])
        return [{
                'code': u.code,
                'name': u.name,
                'kind': kinds.get(u.kind),
                'parent': u.parent.code if u.parent else None,
                'short_name': u.short_name,
                'uscc': u.uscc,
                'sequence': u.sequence,
                'phone': u.phone,
                'address': u.address,
                } for u in units]
