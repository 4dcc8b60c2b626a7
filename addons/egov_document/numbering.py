"""文件编号: numbering rules per unit and kind, and the register of every
number given, reserved or voided.

A number is 机关代字 + 〔year〕 + number + 号 (宜府办字〔2026〕12号), counted
per rule and year from 1, without gaps and never twice.

Why not Tryton's strict sequences: they lock the whole table of strict
sequences with NOWAIT and give up after a few retries, so a hundred clerks
numbering at once (of any unit) would see errors. Here a number is taken
from the counter of its rule and year in a short transaction of its own, on
connections of its own (see _side_pool). On PostgreSQL the counter is moved
ten numbers at once and the numbers not given yet wait as free allocations:
concurrent takers each take one of them without waiting for each other, and
only one take in ten locks the counter's row (see _TAKE). The number is
registered as used in the transaction of the document. A number taken by a transaction that failed has no register row
and goes to the next taker, so the numbers stay without gaps: at once on
PostgreSQL, which tells whether the taking transaction (its id is kept on
the allocation) failed, else after ABANDONED. A unique index on the
register is the last guard against a duplicate."""
import datetime
import os
import re
import threading

from sql.aggregate import Min

from trytond import config

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import NumberingError

# A number taken this long ago, by a transaction whose end is not known,
# that never registered it is given again
ABANDONED = datetime.timedelta(minutes=5)
# PostgreSQL: how many numbers a taker counts at once when none is free; the
# others wait in the allocations, free (taker FREE, no transaction has that
# id), for the next takers
AHEAD = 10
FREE = 0
# Takes of one number before giving up: each retry follows another taker's
# counting ahead, whose numbers are free
TRIES = 20
MODES = [
    ('auto', "Automatic"),
    ('manual', "Manual"),
    ]
NUMBER_STATES = [
    ('reserved', "Reserved"),
    ('used', "Used"),
    ('voided', "Voided"),
    ]


FULL_WIDTH_DIGITS = str.maketrans('０１２３４５６７８９', '0123456789')


def format_number(prefix, year, sequence):
    return '%s〔%s〕%s号' % (prefix, year, sequence)


def parse_number(text):
    """(prefix, year, sequence) of a number as people type it: 〔〕, [],
    ［］ or 【】 around the year; None when it is not one"""
    text = (text or '').strip().replace(' ', '').replace('\u3000', '')
    # Digits as typed on a Chinese keyboard too (２０２６), no other script
    text = text.translate(FULL_WIDTH_DIGITS)
    match = re.fullmatch(
        r'(.+?)[〔\[［【(（]([0-9]{4})[〕\]］】)）]([0-9]{1,6})号', text)
    if not match:
        return None
    prefix, year, sequence = match.groups()
    return prefix, int(year), int(sequence)


def normalise_number(text):
    "The number as the register writes it (〔〕 around the year), or text"
    parsed = parse_number(text)
    return format_number(*parsed) if parsed else (text or '').strip()


class Numbering(DeactivableMixin, ModelSQL, ModelView):
    "Numbering Rule"
    __string__ = "Numbering Rule"
    __name__ = 'egov.document.numbering'
    # Read by the document clerks and administrators only
    _egov_visibility = 'admin'

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
        if field_names & {'prefix', 'unit'}:
            cls.check_prefix_of_one_unit(rules)

    @classmethod
    def check_prefix_of_one_unit(cls, rules):
        """A 机关代字 belongs to one organ: the same code in two units would
        give two documents the same number"""
        with without_check_access():
            for rule in rules:
                others = cls.search([
                        ('prefix', '=', rule.prefix),
                        ('unit', '!=', rule.unit.id),
                        ('active', 'in', [True, False]),
                        ], limit=1)
                if others:
                    other, = others
                    raise NumberingError(gettext(
                            'egov_document.msg_numbering_prefix_taken',
                            prefix=rule.prefix, unit=other.unit.rec_name))

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
        typed = normalise_number(getattr(document, 'manual_number', None))
        if typed:
            with without_check_access():
                reserved = Number.search([
                        ('numbering', '=', rule.id),
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
        "The number the next taker gets: the first free one, else the count"
        Allocation = Pool().get('egov.document.numbering.allocation')
        table = cls.__table__()
        allocation = Allocation.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*allocation.select(Min(allocation.sequence),
                where=(allocation.numbering == rule_id)
                & (allocation.year == year) & (allocation.taker == FREE)))
        free, = cursor.fetchone()
        if free is not None:
            return free
        cursor.execute(*table.select(table.next_number,
                where=(table.numbering == rule_id) & (table.year == year)))
        row = cursor.fetchone()
        return row[0] if row else 1

    @classmethod
    def take(cls, rule_id, year):
        "The next number of the rule in year, or one taken and lost"
        transaction = Transaction()
        database = transaction.database
        if not database.has_select_for():
            # SQLite: one writer at a time; the document's transaction counts
            return cls._take_sqlite(rule_id, year)
        # Who takes it, to know later whether they failed; and whether the
        # rule is this transaction's own, not committed yet: nobody else can
        # number with it, nor see it from outside
        numbering = Pool().get('egov.document.numbering')
        cursor = transaction.connection.cursor()
        cursor.execute('SELECT txid_current(), EXISTS (SELECT 1 '
            'FROM "%s" WHERE id = %%s '
            'AND xmin = xid(pg_current_xact_id()))' % numbering._table,
            (rule_id,))
        taker, own = cursor.fetchone()
        if own:
            return cls._take_postgresql(cursor, rule_id, year, taker)
        with _side_pool(database).connection() as connection:
            return cls._take_postgresql(
                connection.cursor(), rule_id, year, taker)

    @classmethod
    def _take_postgresql(cls, cursor, rule_id, year, taker):
        """Each statement is a transaction of its own on the side
        connections (autocommit): the counter's row is locked only while
        one statement runs"""
        pool = Pool()
        names = {
            'counter': cls._table,
            'allocation': pool.get(
                'egov.document.numbering.allocation')._table,
            'number': pool.get('egov.document.number')._table,
            }
        now = datetime.datetime.now()
        values = {'rule': rule_id, 'year': year, 'taker': taker, 'now': now,
            'old': now - ABANDONED, 'free': FREE, 'ahead': max(1,
                config.getint('egov_document', 'numbering_ahead',
                    default=AHEAD))}
        for _ in range(TRIES):
            cursor.execute(_TAKE % names, values)
            row = cursor.fetchone()
            if row:
                return row[0]
            # Another taker counted ahead first (its numbers are free now),
            # or the year has no counter yet: one row, whoever comes first
            cursor.execute('INSERT INTO "%(counter)s" (numbering, year, '
                'next_number, create_uid, create_date) '
                'VALUES (%%(rule)s, %%(year)s, 1, 0, %%(now)s) '
                'ON CONFLICT (numbering, year) DO NOTHING' % names, values)
        raise NumberingError(gettext('egov_document.msg_numbering_busy',
                rule=Pool().get('egov.document.numbering')(rule_id).rec_name))

    @classmethod
    def _take_sqlite(cls, rule_id, year):
        pool = Pool()
        Allocation = pool.get('egov.document.numbering.allocation')
        Number = pool.get('egov.document.number')
        table = cls.__table__()
        allocation = Allocation.__table__()
        number = Number.__table__()
        cursor = Transaction().connection.cursor()
        now = datetime.datetime.now()
        cursor.execute(*allocation.select(allocation.id, allocation.sequence,
                where=(allocation.numbering == rule_id)
                & (allocation.year == year)
                & (allocation.taken_at < now - ABANDONED)
                & ~allocation.sequence.in_(number.select(number.sequence,
                        where=(number.numbering == rule_id)
                        & (number.year == year))),
                order_by=[allocation.sequence], limit=1))
        row = cursor.fetchone()
        if row:
            allocation_id, sequence = row
            cursor.execute(*allocation.update([allocation.taken_at], [now],
                    where=allocation.id == allocation_id))
            return sequence
        where = (table.numbering == rule_id) & (table.year == year)
        cursor.execute(*table.select(table.next_number, where=where))
        row = cursor.fetchone()
        if row:
            sequence, = row
            cursor.execute(*table.update([table.next_number],
                    [table.next_number + 1], where=where))
        else:
            sequence = 1
            cursor.execute(*table.insert(
                    [table.numbering, table.year, table.next_number,
                        table.create_uid, table.create_date],
                    [[rule_id, year, 2, 0, now]]))
        cursor.execute(*allocation.insert(
                [allocation.numbering, allocation.year, allocation.sequence,
                    allocation.taken_at, allocation.create_uid,
                    allocation.create_date],
                [[rule_id, year, sequence, now, 0, now]]))
        return sequence


# Whether the transaction that took a number failed, still runs, or is not
# known (too old, or of another cluster when the database was restored:
# PostgreSQL refuses to answer about a transaction of its future)
_TAKER_STATUS = ('(CASE WHEN l.taker < GREATEST(txid_current(), '
    'txid_snapshot_xmax(txid_current_snapshot())) '
    'THEN txid_status(l.taker) END)')
# A take is one statement, one round trip and one short transaction on
# the side connection:
# - registered: the allocations of numbers since registered are dropped, so
#   the table keeps only the numbers being taken, the lost ones and those
#   counted ahead;
# - lost: the first free number is given: one counted ahead (taker FREE),
#   else one taken by a transaction that failed, or ABANDONED ago by one
#   whose end is not known; never one whose taker still runs, however long.
#   Two takers never give the same number and never wait for each other
#   (SKIP LOCKED);
# - counted/taken: when none is free (one take in AHEAD), AHEAD numbers are
#   counted at once: the first is this taker's, the others wait, free, for
#   the next takers. Only this step locks the counter's row; ten clerks
#   taking one number each used to wait for it in turn. A taker that finds
#   the count moved while it waited gets nothing and takes again: counting
#   again would put free numbers below those given after them, a gap while
#   they wait. No counter row at all: the year has none yet.
_TAKE = (
    'WITH registered AS ('
        'DELETE FROM "%(allocation)s" WHERE id IN ('
            'SELECT d.id FROM "%(allocation)s" AS d '
            'WHERE d.numbering = %%(rule)s AND d.year = %%(year)s '
            'AND EXISTS (SELECT 1 FROM "%(number)s" AS r '
                'WHERE r.numbering = d.numbering AND r.year = d.year '
                'AND r.sequence = d.sequence) '
            # Never wait for another taker's rows (nor deadlock with it):
            # they are dropped next time
            'FOR UPDATE SKIP LOCKED) RETURNING id), '
    'lost AS ('
        'UPDATE "%(allocation)s" SET taken_at = %%(now)s, taker = %%(taker)s '
        # Reading registered runs the clean-up first: a data-modifying WITH
        # that nothing reads runs last, when the counter's row is locked
        'WHERE (SELECT count(*) FROM registered) >= 0 AND id = ('
            'SELECT l.id FROM "%(allocation)s" AS l '
            'WHERE l.numbering = %%(rule)s AND l.year = %%(year)s '
            'AND NOT EXISTS (SELECT 1 FROM "%(number)s" AS r '
                'WHERE r.numbering = l.numbering AND r.year = l.year '
                'AND r.sequence = l.sequence) '
            "AND (l.taker = %%(free)s OR " + _TAKER_STATUS + " = 'aborted' "
                "OR (COALESCE(" + _TAKER_STATUS + ", '') != 'in progress' "
                    'AND l.taken_at < %%(old)s)) '
            'ORDER BY l.sequence LIMIT 1 FOR UPDATE SKIP LOCKED) '
        'RETURNING sequence), '
    'counted AS ('
        'UPDATE "%(counter)s" SET next_number = next_number + %%(ahead)s '
        'WHERE numbering = %%(rule)s AND year = %%(year)s '
        'AND NOT EXISTS (SELECT 1 FROM lost) '
        # The count this statement saw: a taker that waited for the row
        # while another counted ahead finds it moved and counts nothing
        # (PostgreSQL checks the condition again on the row as committed)
        'AND next_number = (SELECT c.next_number FROM "%(counter)s" AS c '
            'WHERE c.numbering = %%(rule)s AND c.year = %%(year)s) '
        'RETURNING next_number - %%(ahead)s AS first), '
    'taken AS ('
        'INSERT INTO "%(allocation)s" (numbering, year, sequence, taken_at, '
            'taker, create_uid, create_date) '
        'SELECT %%(rule)s, %%(year)s, first + n, %%(now)s, '
            'CASE WHEN n = 0 THEN %%(taker)s ELSE %%(free)s END, 0, %%(now)s '
        'FROM counted, generate_series(0, %%(ahead)s - 1) AS n '
        'RETURNING sequence, taker) '
    'SELECT sequence FROM lost '
    'UNION ALL SELECT sequence FROM taken WHERE taker != %%(free)s')

_side_pools = {}
_side_lock = threading.Lock()


def _side_pool(database):
    """A few connections of their own for the statements that take
    numbers. Not the server's pool: its connections may all be held by
    documents' transactions waiting for a number, which would then wait for
    ever for a connection to take it with. In autocommit, and without
    waiting for the disk at commit: a taken number lost in a crash had no
    register row either (the document's commit, which registers it, writes
    the log up to it), so it is given again, as it should."""
    from psycopg_pool import ConnectionPool
    key = (os.getpid(), database.name)
    pool = _side_pools.get(key)
    if pool is None:
        with _side_lock:
            pool = _side_pools.get(key)
            if pool is None:
                params = database._connection_params(database.name)
                conninfo = params.pop('conninfo')

                def configure(connection):
                    connection.autocommit = True
                    connection.execute('SET synchronous_commit = off')
                    # The take is prepared (psycopg, from its fifth run);
                    # PostgreSQL would still plan it anew at each run, its
                    # plan for the rule's values looking cheaper: 0.35 ms
                    # of planning for 0.15 ms of work. Its plan is the same
                    # for every rule (the indexes on rule and year)
                    connection.execute('SET plan_cache_mode = '
                        'force_generic_plan')
                size = config.getint('egov_document', 'numbering_connections',
                    default=4)
                pool = _side_pools[key] = ConnectionPool(conninfo,
                    kwargs=params, configure=configure, min_size=1,
                    max_size=size, open=True,
                    name='egov_document numbering %s' % database.name)
    return pool


class BigInteger(fields.Integer):
    _sql_type = 'BIGINT'


class Allocation(ModelSQL):
    """A number taken from a counter and not registered yet: being taken,
    lost by a transaction that failed (given again), or counted ahead and
    free to take (PostgreSQL: taker FREE)"""
    __string__ = "Numbering Allocation"
    __name__ = 'egov.document.numbering.allocation'
    _egov_visibility = 'parent'
    numbering = fields.Many2One('egov.document.numbering', "Rule",
        required=True, ondelete='CASCADE')
    year = fields.Integer("Year", required=True)
    sequence = fields.Integer("Sequence", required=True)
    taken_at = fields.DateTime("Taken At", required=True)
    taker = BigInteger("Taken By Transaction",
        help="The database transaction that took the number (PostgreSQL); "
        "0: counted ahead, not taken yet.")

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
    # What the register shows of the document: its title for those who
    # may read it, nothing for the others (a 密级 document, another's)
    document_title = fields.Function(fields.Char("Document"),
        'get_document_title')
    note = fields.Char("Note", readonly=True)
    user = fields.Many2One('res.user', "By", readonly=True,
        ondelete='RESTRICT')

    @classmethod
    def domain_document(cls, domain, tables):
        """Searching the register through its document finds only the
        documents the user may read (Tryton converts the path without
        the target's record rules)"""
        pool = Pool()
        Rule = pool.get('ir.rule')
        field = cls._fields['document']
        if '.' not in domain[0]:
            # The plain clause, as Tryton's Field converts it
            return fields.Field.convert_domain.__wrapped__(
                field, domain, tables, cls)
        name, operator, value, target = domain[:4]
        Target = pool.get(target)
        with Transaction().set_context(_check_access=True):
            rule = Rule.domain_get(target, mode='read')
        _, target_name = name.split('.', 1)
        target_domain = [(target_name, operator, value) + tuple(domain[4:])]
        if rule:
            target_domain.append(rule)
        query = Target.search(target_domain, order=[], query=True)
        return field.sql_id(field.sql_column(tables, cls), cls).in_(query) \
            & field.sql_column(tables, cls).like(target + ',%')

    @classmethod
    def get_document_title(cls, numbers, name):
        pool = Pool()
        Outgoing = pool.get('egov.document.outgoing')
        ids = {n.document.id for n in numbers
            if n.document and n.document.__name__ == Outgoing.__name__}
        # Getters run without access checks: the reader's rules apply here
        with Transaction().set_context(_check_access=True):
            readable = {d.id: d.title for d in Outgoing.search([
                        ('id', 'in', list(ids))])} if ids else {}
        return {n.id: readable.get(n.document.id) if n.document else None
            for n in numbers}

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
        if not parsed or parsed[0] != rule.prefix or parsed[2] < 1:
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
        from egov_base.tools import check_records_access
        rule = self.record
        # The clerks of the rule's unit reserve (the wizard's groups): they
        # read the rule, they do not change it
        check_records_access(rule.__class__, [rule], 'read')
        if rule.mode != 'auto':
            raise NumberingError(gettext(
                    'egov_document.msg_number_reserve_manual',
                    rule=rule.rec_name))
        year = pool.get('ir.date').today().year
        numbers = [Number.register(rule, year,
                Counter.take(rule.id, year), 'reserved', note=self.start.note)
            for _ in range(self.start.count)]
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [n.id for n in numbers])])
        return action, {}
