"""What the audit records (日志管理: 用户自定义、自配置): a policy per model or
pattern of models chooses the actions and the fields never logged; a
tracking (定向追踪) of a user or of a record adds their reads."""
import fnmatch
from collections import namedtuple

from sql import Literal
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import AuditError

Policy = namedtuple('Policy', ['actions', 'excluded', 'values'])
POLICY_ACTIONS = ('create', 'write', 'delete', 'read', 'export', 'button')
# Models that are never audited: the audit itself, and the framework's
# bookkeeping that changes on every request
NEVER = frozenset({
        'egov.audit.log', 'egov.audit.seal', 'egov.audit.archive',
        'egov.audit.statistic', 'egov.audit.verify.result',
        'ir.session', 'ir.session.wizard', 'ir.cache', 'ir.queue',
        'ir.lock', 'ir.model.log', 'ir.calendar.day', 'ir.calendar.month',
        'res.user.login.attempt', 'res.user.device', 'res.user.warning',
        'res.user.application', 'res.notification', 'ir.translation',
        'ir.model.data', 'ir.ui.view_tree_state', 'ir.ui.view_tree_width',
        'ir.ui.view_tree_optional', 'ir.ui.view_search',
        # the services' own bookkeeping, written for every person a message
        # reaches and every record indexed (what people do there — sending
        # a message, searching — is audited on its own records)
        'egov.notify.delivery', 'egov.notify.wechat.nonce',
        'egov.search.entry',
        })
# Never logged with their values, whatever the policy says
SECRET_FIELDS = frozenset({
        'password', 'password_hash', 'password_reset', 'secret', 'token',
        'key', 'api_key', 'salt', 'otp_secret', 'totp_secret',
        })
TRACKED_ALL = Policy(frozenset(POLICY_ACTIONS), frozenset(), True)


# What stands for a value never kept (a password, an excluded field)
HIDDEN = '******'
# What stands for a personal value (个人信息): the auditor sees that it was
# set, cleared or changed, never what it was
PERSONAL = '‹personal›'
PERSONAL_CHANGED = '‹personal:changed›'
PERSONAL_MARKS = (PERSONAL, PERSONAL_CHANGED)


def is_secret(name):
    return name in SECRET_FIELDS or 'password' in name or 'secret' in name


def personal_fields(model):
    """The fields of model (a class or a name) whose values the audit keeps
    masked: a model declares them in _egov_personal_fields (a set of field
    names that business modules extend in __setup__), and every secret"""
    if isinstance(model, str):
        try:
            model = Pool().get(model)
        except KeyError:
            return frozenset()
    return frozenset(getattr(model, '_egov_personal_fields', ())) | {
        n for n in getattr(model, '_fields', {}) if is_secret(n)}


def _empty(value):
    return value is None or value == '' or value == [] or value == {}


def mask_pair(old, new):
    "[old, new] of a personal field as the audit keeps it"
    old_mark = None if _empty(old) else PERSONAL
    if _empty(new):
        new_mark = None
    elif old in PERSONAL_MARKS or new in PERSONAL_MARKS:
        # Already masked (a record of before or a masked parameter)
        new_mark = new if new in PERSONAL_MARKS else PERSONAL
    else:
        # Set or cleared shows by itself; a value replaced by another is
        # marked
        new_mark = (PERSONAL_CHANGED if old_mark and old != new
            else PERSONAL)
    return [old_mark, new_mark]


def mask_personal(value, personal, depth=0):
    """value (changes: {field: [old, new]}, or a call's parameters) with the
    values of the personal fields masked, at any depth"""
    if depth > 8 or not personal:
        return value
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in personal:
                if item == HIDDEN or item in PERSONAL_MARKS:
                    result[key] = item
                elif isinstance(item, list) and len(item) == 2 and depth == 0:
                    result[key] = mask_pair(*item)
                else:
                    result[key] = None if _empty(item) else PERSONAL
            else:
                result[key] = mask_personal(item, personal, depth + 1)
        return result
    if isinstance(value, list):
        return [mask_personal(v, personal, depth + 1) for v in value]
    return value


class AuditPolicy(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.audit.policy'
    __string__ = "Audit Policy"
    _egov_visibility = 'admin'

    model = fields.Char(
        "Model", required=True, strip=True,
        help="The model name (egov.org.unit), or a pattern with * "
        "(egov.*). The most precise policy of a model applies.")
    sequence = fields.Integer("Sequence")
    record_create = fields.Boolean("Creations")
    record_write = fields.Boolean("Modifications")
    record_delete = fields.Boolean("Deletions")
    record_read = fields.Boolean(
        "Reads", help="Record every read of the model (costly: "
        "prefer tracking a user or a record).")
    record_export = fields.Boolean(
        "Exports and Downloads",
        help="Exports of data and downloads of files.")
    record_button = fields.Boolean(
        "Buttons and Wizards", help="Buttons, wizards and state changes.")
    values = fields.Boolean(
        "Old and New Values",
        help="Keep the changed values, before and after.")
    excluded_fields = fields.Text(
        "Fields Never Logged",
        help="Field names whose values are never kept, one per line. "
        "Passwords and secrets are never kept in any case.")
    note = fields.Text("Note")
    _policy_cache = Cache('egov_audit_policy.get', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.model, Index.Equality())))
        cls._order = [('sequence', 'ASC'), ('model', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_sequence(cls):
        return 100

    @classmethod
    def default_record_create(cls):
        return True

    @classmethod
    def default_record_write(cls):
        return True

    @classmethod
    def default_record_delete(cls):
        return True

    @classmethod
    def default_record_export(cls):
        return True

    @classmethod
    def default_record_button(cls):
        return True

    @classmethod
    def default_values(cls):
        return True

    @classmethod
    def validate_fields(cls, policies, field_names):
        super().validate_fields(policies, field_names)
        if field_names and 'model' not in field_names:
            return
        pool = Pool()
        for policy in policies:
            if '*' in policy.model or '?' in policy.model:
                continue
            try:
                pool.get(policy.model)
            except KeyError:
                raise AuditError(gettext(
                        'egov_base.msg_audit_policy_model_unknown',
                        model=policy.model))

    @classmethod
    def on_modification(cls, mode, policies, field_names=None):
        super().on_modification(mode, policies, field_names=field_names)
        cls._policy_cache.clear()

    @classmethod
    def get(cls, model_name):
        "Return the Policy of model_name or None when it is not audited"
        if model_name in NEVER:
            return None
        policy = cls._policy_cache.get(model_name, -1)
        if policy != -1:
            return Policy(*policy) if policy else None
        policy = cls._compute(model_name)
        cls._policy_cache.set(model_name, tuple(policy) if policy else None)
        return policy

    @classmethod
    def _compute(cls, model_name):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.model, table.sequence, table.id, table.record_create,
                table.record_write, table.record_delete, table.record_read,
                table.record_export, table.record_button, table.values,
                table.excluded_fields,
                where=table.active == Literal(True)))
        best = None
        for row in cursor:
            pattern, sequence, id_ = row[:3]
            if pattern == model_name:
                rank = (0, 0, sequence or 0, id_)
            elif fnmatch.fnmatchcase(model_name, pattern):
                # The longest pattern is the most precise
                rank = (1, -len(pattern), sequence or 0, id_)
            else:
                continue
            if best is None or rank < best[0]:
                best = (rank, row)
        if best is None:
            return None
        row = best[1]
        actions = frozenset(a for a, on in zip(POLICY_ACTIONS, row[3:9]) if on)
        if not actions:
            return None
        excluded = frozenset(
            n.strip() for n in (row[10] or '').replace(',', '\n').split('\n')
            if n.strip())
        return Policy(actions, excluded, bool(row[9]))


class AuditTrack(DeactivableMixin, ModelSQL, ModelView):
    "Targeted tracking of a user or of a record"
    __name__ = 'egov.audit.track'
    __string__ = "Audit Tracking"
    _egov_visibility = 'admin'

    kind = fields.Selection([
            ('user', "User"),
            ('record', "Record"),
            ], "Kind", required=True)
    user = fields.Many2One(
        'res.user', "User", ondelete='CASCADE',
        states={
            'required': Eval('kind') == 'user',
            'invisible': Eval('kind') != 'user',
            })
    resource = fields.Reference(
        "Record", selection='get_models',
        states={
            'required': Eval('kind') == 'record',
            'invisible': Eval('kind') != 'record',
            })
    reason = fields.Text(
        "Reason", required=True,
        help="Why the tracking was started (the request or the case).")
    _track_cache = Cache('egov_audit_track.tracked', context=False)

    @classmethod
    def default_kind(cls):
        return 'user'

    @classmethod
    def get_models(cls):
        Model = Pool().get('ir.model')
        return [(None, '')] + Model.get_name_items()

    def get_rec_name(self, name):
        if self.kind == 'user' and self.user:
            return self.user.rec_name
        if self.resource:
            return '%s,%s' % (self.resource.__name__, self.resource.id)
        return str(self.id)

    @classmethod
    def on_modification(cls, mode, tracks, field_names=None):
        super().on_modification(mode, tracks, field_names=field_names)
        cls._track_cache.clear()

    @classmethod
    def tracked(cls):
        """Return (user ids, {model: record ids}) under tracking"""
        result = cls._track_cache.get(None)
        if result is not None:
            users, records = result
            return users, records
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.kind, table.user, table.resource,
                where=table.active == Literal(True)))
        users, records = set(), {}
        for kind, user, resource in cursor:
            if kind == 'user' and user:
                users.add(user)
            elif kind == 'record' and resource and ',' in resource:
                model, id_ = resource.split(',', 1)
                try:
                    records.setdefault(model, set()).add(int(id_))
                except ValueError:
                    continue
        result = (frozenset(users),
            {m: frozenset(i) for m, i in records.items()})
        cls._track_cache.set(None, result)
        return result
