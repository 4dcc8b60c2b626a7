"""Weak passwords (弱密码检测).

Stored passwords are slow hashes (argon2, about 0.1 s to check one guess),
so the scan tries a short, ordered list of guesses per account: what people
around here build their passwords from (the login, the name in pinyin, the
unit's short name, with the usual suffixes), then the most common weak
passwords. It runs in the task queue in batches and lists the weak accounts
for the security administrator; each must change its password at the next
login, and the administrator may lock it.

At login the password is known in clear: there it is checked against the
whole list and the patterns (name in pinyin + a birthday …) at no cost."""
import functools
import os
import re

from sql import Literal
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from ..org.codes import pinyin_forms

SUFFIXES = ['123456', '123', '@123', '1234', '888', '666', '520', '']
SEPARATORS = '@._!#$*&-+'
# 19xx or 20xx, optionally followed by a month and a day: 1990, 199001,
# 19900101, 0101; or runs of digits (123…, 666…)
DATE_OR_RUN = re.compile(
    r'^(?:(?:19|20)\d{2}(?:[01]\d(?:[0-3]\d)?)?|[01]\d[0-3]\d|'
    r'(\d)\1{1,7}|1234(?:5(?:6(?:7(?:8(?:9)?)?)?)?)?|123|12|520|1314|'
    r'5201314)?$')


@functools.cache
def common_passwords():
    "The shipped list of common weak passwords, most common first"
    path = os.path.join(os.path.dirname(__file__), 'data',
        'weak_passwords.txt')
    with open(path, encoding='utf-8') as fp:
        lines = [line.strip() for line in fp]
    return tuple(line for line in lines if line and not line.startswith('#'))


@functools.cache
def common_set():
    return frozenset(p.lower() for p in common_passwords())


def personal_words(login, name, unit_names=()):
    """Return the words a person's password may be built from, lower case,
    longest first: the login, the name, its pinyin and initials, the
    pinyin of the unit's short name"""
    words = []
    for value in [login, name, *unit_names]:
        if not value:
            continue
        value = value.strip().lower()
        full, initials = pinyin_forms(value)
        words.extend([value, full])
        if len(initials) >= 2:
            words.append(initials)
    seen = set()
    return [w for w in sorted(words, key=len, reverse=True)
        if w and not (w in seen or seen.add(w))]


def weak_reason(password, login, name, unit_names=()):
    """Return why the clear password is weak ('common', 'personal') or
    None. Checks the shipped list and the patterns: a personal word with
    a date, a year or a run of digits, separators and case ignored."""
    lowered = password.lower()
    if lowered in common_set():
        return 'common'
    stripped = ''.join(c for c in lowered if c not in SEPARATORS)
    for word in personal_words(login, name, unit_names):
        if len(word) < 2:
            continue
        for candidate in (stripped, lowered):
            if candidate.startswith(word):
                rest = candidate[len(word):].strip(SEPARATORS)
                if DATE_OR_RUN.match(rest):
                    return 'personal'
            if candidate.endswith(word):
                rest = candidate[:-len(word)].strip(SEPARATORS)
                if DATE_OR_RUN.match(rest):
                    return 'personal'
    return None


def candidates(login, name, unit_names=(), limit=40):
    """Return at most limit guesses for a stored password, most likely
    first, with the reason each belongs to"""
    result = []
    seen = set()

    def add(value, reason):
        if value and value not in seen:
            seen.add(value)
            result.append((value, reason))

    full, initials = pinyin_forms(name or '')
    for suffix in SUFFIXES:
        for word in [full, full.capitalize()]:
            if word:
                add(word + suffix, 'personal')
        if initials and len(initials) >= 2 and suffix in {'123456', '@123'}:
            add(initials + suffix, 'personal')
    if login:
        for value in [login, login + '123', login + '123456',
                login.capitalize() + '@123']:
            add(value, 'personal')
    for unit in unit_names:
        unit_full, _ = pinyin_forms(unit)
        for suffix in ['123', '123456', '@123']:
            add(unit_full + suffix, 'personal')
            add(unit_full.capitalize() + suffix, 'personal')
    personal = result[:max(limit // 2, 1)]
    result, seen = personal, {v for v, _ in personal}
    for value in common_passwords():
        if len(result) >= limit:
            break
        add(value, 'common')
    return result[:limit]


def user_words(user):
    """Return (login, name, organisation names) of a res.user: the short
    and full names of their unit and department and the titles of the
    posts they hold, the words colleagues would guess first"""
    names = []
    employee = getattr(user, 'employee', None)
    if employee:
        for node in filter(None, [employee.unit, employee.department]):
            names.extend([node.short_name, node.name])
    for post in getattr(user, 'posts', None) or []:
        names.extend([post.name, post.unit.name if post.unit else None])
    seen = set()
    names = [n for n in names
        if n and n.strip() and not (n in seen or seen.add(n))]
    return user.login, user.name, names


def organisation_word_in(password, names, minimum=4):
    """Return the organisation name password contains, in Chinese, in
    pinyin or as pinyin initials (of at least minimum letters), or None"""
    lowered = password.lower()
    stripped = ''.join(c for c in lowered if c not in SEPARATORS)
    for name in names:
        name = name.strip()
        if len(name) >= 2 and name.lower() in lowered:
            return name
        # Unit names start with their place (袁州区教育体育局): the rest
        # alone is as guessable
        for part in [name] + [name[k:] for k in (2, 3)
                if len(name) - k >= 3]:
            full, initials = pinyin_forms(part)
            for form in (full, initials):
                if len(form) >= minimum and (
                        form in lowered or form in stripped):
                    return name
    return None


class WeakScan(Workflow, ModelSQL, ModelView):
    __name__ = 'egov.security.weak.scan'
    __string__ = "Weak Password Scan"
    _egov_visibility = 'admin'

    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)
    started_at = fields.DateTime("Started At", readonly=True)
    started_by = fields.Many2One('res.user', "Started By", readonly=True)
    total = fields.Integer("Accounts", readonly=True)
    scanned = fields.Integer("Scanned", readonly=True)
    weak = fields.Function(fields.Integer("Weak Accounts"), 'get_weak')
    candidates = fields.Integer(
        "Guesses per Account", readonly=True,
        help="How many weak passwords were tried on each account.")
    results = fields.One2Many(
        'egov.security.weak.result', 'scan', "Weak Accounts", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]
        cls._transitions |= {('draft', 'running')}
        cls._buttons.update({
                'run': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_scanned(cls):
        return 0

    def get_rec_name(self, name):
        if self.started_at:
            return self.started_at.strftime('%Y-%m-%d %H:%M')
        return str(self.id)

    @classmethod
    def get_weak(cls, scans, name):
        pool = Pool()
        Result = pool.get('egov.security.weak.result')
        result = {s.id: 0 for s in scans}
        for record in Result.search([('scan', 'in', [s.id for s in scans])]):
            result[record.scan.id] += 1
        return result

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, scans):
        pool = Pool()
        User = pool.get('res.user')
        Configuration = pool.get('egov.security.configuration')
        policy = Configuration.policy()
        with without_check_access():
            users = User.search([('password_hash', '!=', None)],
                order=[('id', 'ASC')])
        for scan in scans:
            scan.started_at = _now()
            scan.started_by = Transaction().user
            scan.total = len(users)
            scan.scanned = 0
            scan.candidates = policy.weak_scan_candidates
        cls.save(scans)
        for scan in scans:
            with Transaction().set_context(
                    queue_name='egov_security', queue_batch=50):
                User.__queue__.egov_weak_scan(users, scan.id)

    @classmethod
    def add_progress(cls, scan_id, count):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.scanned],
                [table.scanned + count], where=table.id == scan_id))
        cursor.execute(*table.update([table.state], ['done'],
                where=(table.id == scan_id)
                & (table.scanned >= table.total)
                & (table.state == Literal('running'))))


class WeakResult(ModelSQL, ModelView):
    __name__ = 'egov.security.weak.result'
    __string__ = "Weak Password"
    _egov_visibility = 'admin'

    scan = fields.Many2One(
        'egov.security.weak.scan', "Scan", required=True, readonly=True,
        ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "Login", required=True, readonly=True,
        ondelete='CASCADE')
    employee = fields.Function(
        fields.Many2One('egov.org.employee', "Employee"), 'get_employee')
    reason = fields.Selection([
            ('common', "A common weak password"),
            ('personal', "Built from the login, the name or the unit"),
            ], "Reason", readonly=True, required=True)
    locked = fields.Function(fields.Boolean("Locked"), 'get_locked')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('scan')
        cls._buttons.update({
                'lock': {
                    'invisible': Eval('locked', False),
                    'depends': ['locked'],
                    },
                })

    def get_employee(self, name):
        employee = self.user.employee
        return employee.id if employee else None

    @classmethod
    def get_locked(cls, results, name):
        pool = Pool()
        Lock = pool.get('egov.security.login.lock')
        locked = Lock.locked_logins([r.user.login for r in results])
        return {r.id: r.user.login in locked for r in results}

    @classmethod
    @ModelView.button
    def lock(cls, results):
        "Lock the accounts until the security administrator unlocks them"
        pool = Pool()
        Lock = pool.get('egov.security.login.lock')
        Lock.lock_logins([r.user.login for r in results], reason='weak')


def _now():
    import datetime
    return datetime.datetime.now().replace(microsecond=0)

