"""文件编号: numbering rules per unit and kind, and the register of every
number given, reserved or voided.

A number is 机关代字 + 〔year〕 + number + 号 (宜府办字〔2026〕12号), counted
per rule and year from 1, without gaps and never twice.

Why not Tryton's strict sequences: they lock the whole table of strict
sequences with NOWAIT and give up after a few retries, so a hundred clerks
numbering at once (of any unit) would see errors. Here a number is taken
from the counter of its rule and year in a short transaction of its own
(READ COMMITTED: a concurrent taker waits for the row and then reads the
next value, in about a millisecond). The number is registered as used in
the transaction of the document; a number taken by a transaction that
failed has no register row, and after ABANDONED it is given again, so the
numbers stay without gaps. A unique index on the register is the last
guard against a duplicate."""
import datetime
import re

from sql import For

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import NumberingError

# A number taken this long ago by a transaction that never registered it
# is given again
ABANDONED = datetime.timedelta(minutes=5)
MODES = [
    ('auto', "Automatic"),
    ('manual', "Manual"),
    ]
NUMBER_STATES = [
    ('reserved', "Reserved"),
    ('used', "Used"),
    ('voided', "Voided"),
    ]


def format_number(prefix, year, sequence):
    return '%s〔%s〕%s号' % (prefix, year, sequence)


def parse_number(text):
    """(prefix, year, sequence) of a number as people type it: 〔〕, [],
    ［］ or 【】 around the year; None when it is not one"""
    text = (text or '').strip().replace(' ', '')
    match = re.fullmatch(r'(.+?)[〔\[［【(（](\d{4})[〕\]］】)）](\d{1,6})号', text)
    if not match:
        return None
    prefix, year, sequence = match.groups()
    return prefix, int(year), int(sequence)


class Numbering(DeactivableMixin, ModelSQL, ModelView):
    "Numbering Rule"
    __string__ = "Numbering Rule"
    __name__ = 'egov.document.numbering'
    _egov_visibility = 'unit'

    name = fields.Char("Name", required=True, strip=True)
    unit = fields.Many2One('egov.org.unit', "Unit", required=True,
        ondelete='RESTRICT', domain=[('kind', '!=', 'department')])
    kinds = fields.Many2Many('egov.document.numbering-kind', 'numbering',
        'kind', "Kinds", help="Empty: every kind of the unit's documents.")
    prefix = fields.Char("Organ Code", required=True, strip=True,
        help="机关代字, e.g. 宜府办字")
    mode = fields.Selection(MODES, "Mode", required=True,
        help="Automatic: the next number at 编号; manual: the clerk types "
        "it.")
    preview = fields.Function(fields.Char("Next Number"), 'get_preview')
    numbers = fields.One2Many('egov.document.number', 'numbering',
        "Numbers", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('prefix_unique', Unique(t, t.unit, t.prefix),
                'egov_document.msg_numbering_prefix_unique'),
            ]
        cls._buttons.update({
                'reserve': {'readonly': ~Eval('active')},
                })

    @classmethod
    def default_mode(cls):
        return 'auto'

    @classmethod
    def default_unit(cls):
        return Pool().get('res.user').get_org_scope()['unit']

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        if 'prefix' in field_names:
            for rule in rules:
                if not rule.prefix or re.search(r'[〔〕\[\]［］【】\d]',
                        rule.prefix):
                    raise NumberingError(gettext(
                            'egov_document.msg_numbering_prefix_invalid',
                            prefix=rule.prefix or ''))

    def get_preview(self, name):
        Counter = Pool().get('egov.document.numbering.counter')
        year = Pool().get('ir.date').today().year
        return format_number(self.prefix, year,
            Counter.peek(self.id, year))

    @classmethod
    def rule_for(cls, document):
        "The rule that numbers document: its own, else its unit's for its kind"
        if document.numbering:
            return document.numbering
        with without_check_access():
            rules = cls.search([('unit', '=', document.unit.id)])
        kind = document.kind.id if document.kind else None
        for rule in rules:
            if kind in {k.id for k in rule.kinds}:
                return rule
        for rule in rules:
            if not rule.kinds:
                return rule
        raise NumberingError(gettext(
                'egov_document.msg_numbering_no_rule',
                unit=document.unit.rec_name,
                kind=document.kind.rec_name if document.kind else ''))

    @classmethod
    def number_document(cls, document):
        """Give document its number: a reserved number chosen, a number
        typed in (manual rules), or the next one; register it as used.
        Return the number's text."""
        pool = Pool()
        Number = pool.get('egov.document.number')
        Date = pool.get('ir.date')
        rule = cls.rule_for(document)
        year = Date.today().year
        typed = (getattr(document, 'manual_number', None) or '').strip()
        if typed:
            with without_check_access():
                reserved = Number.search([
                        ('number', '=', typed),
                        ('state', '=', 'reserved'),
                        ], limit=1)
            if reserved:
                return Number.use_reserved(reserved[0], document)
            return Number.register_typed(rule, typed, document)
        if rule.mode != 'auto':
            raise NumberingError(gettext(
                    'egov_document.msg_numbering_manual_required',
                    rule=rule.rec_name))
        sequence = pool.get('egov.document.numbering.counter').take(
            rule.id, year)
        number = Number.register(rule, year, sequence, 'used', document)
        return number.number

    @classmethod
    @ModelView.button_action('egov_document.wizard_number_reserve')
    def reserve(cls, rules):
        pass


class NumberingKind(ModelSQL):
    "Numbering Rule - Kind"
    __string__ = "Numbering Rule - Kind"
    __name__ = 'egov.document.numbering-kind'
    _egov_visibility = 'parent'
    numbering = fields.Many2One('egov.document.numbering', "Rule",
        required=True, ondelete='CASCADE')
    kind = fields.Many2One('egov.document.kind', "Kind", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('numbering')


class Counter(ModelSQL):
    "The next number of a rule in a year"
    __string__ = "Numbering Counter"
    __name__ = 'egov.document.numbering.counter'
    _egov_visibility = 'parent'
    numbering = fields.Many2One('egov.document.numbering', "Rule",
        required=True, ondelete='CASCADE')
    year = fields.Integer("Year", required=True)
    next_number = fields.Integer("Next Number", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('numbering')
        t = cls.__table__()
        cls._sql_constraints += [
            ('year_unique', Unique(t, t.numbering, t.year),
                'egov_document.msg_numbering_counter_unique'),
            ]

    @classmethod
    def peek(cls, rule_id, year):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.next_number,
                where=(table.numbering == rule_id) & (table.year == year)))
        row = cursor.fetchone()
        return row[0] if row else 1

    @classmethod
    def take(cls, rule_id, year):
        "The next number of the rule in year, or one taken and lost"
        transaction = Transaction()
        database = transaction.database
        if database.has_select_for():
            return cls._take_apart(rule_id, year)
        # SQLite: one writer at a time; the document's transaction counts
        return cls._take_with(transaction.connection, rule_id, year)

    @classmethod
    def _take_apart(cls, rule_id, year):
        from psycopg import IsolationLevel
        database = Transaction().database
        connection = database.get_connection()
        try:
            connection.isolation_level = IsolationLevel.READ_COMMITTED
            sequence = cls._take_with(connection, rule_id, year)
            connection.commit()
            return sequence
        except Exception:
            connection.rollback()
            raise
        finally:
            database.put_connection(connection)

    @classmethod
    def _take_with(cls, connection, rule_id, year):
        pool = Pool()
        Allocation = pool.get('egov.document.numbering.allocation')
        Number = pool.get('egov.document.number')
        table = cls.__table__()
        allocation = Allocation.__table__()
        number = Number.__table__()
        cursor = connection.cursor()
        now = datetime.datetime.now()
        # A number taken long ago that no document registered
        lost = allocation.select(allocation.id, allocation.sequence,
            where=(allocation.numbering == rule_id)
            & (allocation.year == year)
            & (allocation.taken_at < now - ABANDONED)
            & ~allocation.sequence.in_(number.select(number.sequence,
                    where=(number.numbering == rule_id)
                    & (number.year == year))),
            order_by=[allocation.sequence], limit=1)
        if Transaction().database.has_select_for():
            lost.for_ = For('UPDATE', skip_locked=True)
        cursor.execute(*lost)
        row = cursor.fetchone()
        if row:
            allocation_id, sequence = row
            cursor.execute(*allocation.update([allocation.taken_at], [now],
                    where=allocation.id == allocation_id))
            return sequence
        where = (table.numbering == rule_id) & (table.year == year)
        if Transaction().database.has_returning():
            # The first number of a year: one row, whoever comes first
            cursor.execute('INSERT INTO "%s" (numbering, year, next_number, '
                'create_uid, create_date) VALUES (%%s, %%s, 1, 0, %%s) '
                'ON CONFLICT (numbering, year) DO NOTHING' % cls._table,
                (rule_id, year, now))
            # Waits for a concurrent taker's row, then reads its next value
            cursor.execute(*table.update([table.next_number],
                    [table.next_number + 1], where=where,
                    returning=[table.next_number]))
            row = cursor.fetchone()
        else:
            # SQLite: the transaction holds the only write lock
            cursor.execute(*table.select(table.next_number, where=where))
            row = cursor.fetchone()
            if row:
                cursor.execute(*table.update([table.next_number],
                        [table.next_number + 1], where=where))
                row = (row[0] + 1,)
        if row is None:
            cursor.execute(*table.insert(
                    [table.numbering, table.year, table.next_number,
                        table.create_uid, table.create_date],
                    [[rule_id, year, 2, 0, now]]))
            sequence = 1
        else:
            sequence = row[0] - 1
        cursor.execute(*allocation.insert(
                [allocation.numbering, allocation.year, allocation.sequence,
                    allocation.taken_at, allocation.create_uid,
                    allocation.create_date],
                [[rule_id, year, sequence, now, 0, now]]))
        return sequence


class Allocation(ModelSQL):
    "Numbering Allocation"
    __string__ = "Numbering Allocation"
    __name__ = 'egov.document.numbering.allocation'
    _egov_visibility = 'parent'
    numbering = fields.Many2One('egov.document.numbering', "Rule",
        required=True, ondelete='CASCADE')
    year = fields.Integer("Year", required=True)
    sequence = fields.Integer("Sequence", required=True)
    taken_at = fields.DateTime("Taken At", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('numbering')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.numbering, Index.Range()), (t.year, Index.Range()),
                (t.sequence, Index.Range())))


class Number(ModelSQL, ModelView):
    "Document Number"
    __string__ = "Document Number"
    __name__ = 'egov.document.number'
    _egov_visibility = 'parent'
    numbering = fields.Many2One('egov.document.numbering', "Rule",
        required=True, ondelete='RESTRICT', readonly=True)
    year = fields.Integer("Year", required=True, readonly=True)
    sequence = fields.Integer("Sequence", required=True, readonly=True)
    number = fields.Char("Number", required=True, readonly=True)
    state = fields.Selection(NUMBER_STATES, "State", required=True,
        readonly=True)
    document = fields.Reference("Document", selection=[
            (None, ''),
            ('egov.document.outgoing', "Outgoing Document"),
            ], readonly=True)
    note = fields.Char("Note", readonly=True)
    user = fields.Many2One('res.user', "By", readonly=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('numbering')
        t = cls.__table__()
        cls._sql_constraints += [
            ('sequence_unique', Unique(t, t.numbering, t.year, t.sequence),
                'egov_document.msg_number_unique'),
            ('number_unique', Unique(t, t.number),
                'egov_document.msg_number_unique'),
            ]
        cls._order = [('year', 'DESC'), ('sequence', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'void': {'invisible': Eval('state') == 'voided',
                    'depends': ['state']},
                })

    @classmethod
    def register(cls, rule, year, sequence, state, document=None,
            note=None):
        text = format_number(rule.prefix, year, sequence)
        with without_check_access():
            if cls.search([('number', '=', text)], limit=1):
                raise NumberingError(gettext(
                        'egov_document.msg_number_taken', number=text))
            number, = cls.create([{
                        'numbering': rule.id,
                        'year': year,
                        'sequence': sequence,
                        'number': text,
                        'state': state,
                        'document': str(document) if document else None,
                        'note': note,
                        'user': Transaction().user or None,
                        }])
        return number

    @classmethod
    def use_reserved(cls, number, document):
        if number.state != 'reserved' or number.numbering != (
                Pool().get('egov.document.numbering').rule_for(document)):
            raise NumberingError(gettext(
                    'egov_document.msg_number_not_reserved',
                    number=number.number))
        with without_check_access():
            cls.write([number], {'state': 'used',
                    'document': str(document)})
        return number.number

    @classmethod
    def register_typed(cls, rule, text, document):
        """A number the clerk typed: of the rule's organ code, and never
        given before"""
        parsed = parse_number(text)
        if not parsed or parsed[0] != rule.prefix:
            raise NumberingError(gettext(
                    'egov_document.msg_number_format',
                    number=text, example=format_number(
                        rule.prefix, Pool().get('ir.date').today().year, 1)))
        _, year, sequence = parsed
        if rule.mode == 'auto':
            # An automatic rule counts alone: a typed number may only be
            # one it has not reached yet would break the count
            Counter = Pool().get('egov.document.numbering.counter')
            if sequence >= Counter.peek(rule.id, year):
                raise NumberingError(gettext(
                        'egov_document.msg_number_ahead',
                        number=text, rule=rule.rec_name))
        number = cls.register(rule, year, sequence, 'used', document)
        return number.number

    @classmethod
    @ModelView.button
    def void(cls, numbers):
        "作废: the number is kept and never given again"
        from egov_base.tools import check_write_access
        check_write_access(cls, numbers)
        with without_check_access():
            cls.write(numbers, {'state': 'voided'})


class ReserveStart(ModelView):
    "Reserve Numbers"
    __string__ = "Reserve Numbers"
    __name__ = 'egov.document.number.reserve.start'
    numbering = fields.Many2One('egov.document.numbering', "Rule",
        readonly=True)
    count = fields.Integer("How Many", required=True,
        domain=[('count', '>=', 1), ('count', '<=', 50)])
    note = fields.Char("For", required=True, strip=True,
        help="What the numbers are kept for.")

    @classmethod
    def default_count(cls):
        return 1


class Reserve(Wizard):
    "Reserve Numbers"
    __name__ = 'egov.document.number.reserve'
    start = StateView('egov.document.number.reserve.start',
        'egov_document.number_reserve_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Reserve", 'reserve', 'tryton-ok', default=True),
            ])
    reserve = StateAction('egov_document.act_number_form')

    def default_start(self, fields):
        return {'numbering': self.record.id if self.record else None}

    def do_reserve(self, action):
        pool = Pool()
        Counter = pool.get('egov.document.numbering.counter')
        Number = pool.get('egov.document.number')
        from egov_base.tools import check_write_access
        rule = self.record
        check_write_access(rule.__class__, [rule])
        if rule.mode != 'auto':
            raise NumberingError(gettext(
                    'egov_document.msg_number_reserve_manual',
                    rule=rule.rec_name))
        year = pool.get('ir.date').today().year
        numbers = [Number.register(rule, year,
                Counter.take(rule.id, year), 'reserved', note=self.start.note)
            for _ in range(self.start.count)]
        action['domain'] = PYSONEncoder().encode(
            [('id', 'in', [n.id for n in numbers])])
        return action, {}
