"""The field guard: what a user may not read, they may not search, sort or
export by either.

Tryton checks the read access of the fields of a domain and of an order,
but not inside `where` sub-domains, not the keys of Dict fields, and not
what is readable on some records only; the hashes of passwords and the
other secrets have no field access at all (res.user hides its hash in
`read` only), so a search on them answered one character at a time.
Here, under every model ([register_mixin]):

- secrets (SECRETS) are read, searched, sorted and exported by no one over
  RPC, the administrators included: only server code running without
  access checks uses them;
- a field the user may not read (ir.model.field.access), or a field or a
  Dict key hidden from them on some records (`_guard_partial_fields`), is
  refused in a domain, an order or an export, on the model or at any step
  of a path (a.b.c, child_of/parent_of with a parent field, reference
  fields with their model, `where` sub-domains, Dict keys);
- an export refuses a field hidden on one of the exported records
  (`_guard_hidden`), since the export reads the records without checks;
- a path through a relation (a.b, a where […]) searches only the targets
  the user may read: their record rules are added at each step.

A refused call is an AccessError with a message; over RPC the audit
records it as a refused call (audit/errors.py)."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.model.modelstorage import is_leaf
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

# model → the fields that hold secrets: password hashes (the current and the
# former ones), reset tokens, TOTP seeds and the key that encrypts them, SMS
# codes, session keys, device cookies, application keys
SECRETS = {
    'res.user': frozenset({'password_hash', 'password_reset'}),
    'res.user.application': frozenset({'key'}),
    'res.user.device': frozenset({'cookie'}),
    'res.user.login.attempt': frozenset({'device_cookie'}),
    'res.user.login.sms_code': frozenset({'code'}),
    'ir.session': frozenset({'key'}),
    'egov.security.totp': frozenset({'secret', 'pending'}),
    'egov.security.key': frozenset({'key'}),
    'egov.notify.provider': frozenset({'secret', 'token', 'encoding_aes_key'}),
    'egov.security.password.history': frozenset({'password_hash'}),
    }
# Models only the holders of these groups read, whatever ir.model.access
# says: who changed whose password, mobile or roles (Tryton's own log)
GROUP_MODELS = {
    'ir.model.log': [('res', 'group_admin')],
    }
# Deeper paths than this are refused: no model of the platform needs them
MAX_DEPTH = 8
NO_SECRET = frozenset()


def secret_fields(model_name):
    secrets = SECRETS.get(model_name, NO_SECRET)
    if secrets and Pool().get(model_name)._rec_name in secrets:
        # The record's name is the secret: ir.session's name is its key
        secrets = secrets | {'rec_name'}
    return secrets


class FieldGuardError(AccessError):
    "A field refused in a domain, an order, an export or a read"


def _guarded():
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


def _names(Model, name):
    "The names of the model and of its field, as the user reads them"
    with without_check_access():
        names = Model.__names__(name)
    return names['model'], names['field']


def _key_name(Model, name, key):
    "The label of a Dict key (its schema's string) after the field's"
    pool = Pool()
    field = Model._fields[name]
    label = key
    schema = getattr(field, 'schema_model', None)
    if schema:
        Schema = pool.get(schema)
        with without_check_access():
            found = Schema.search([('name', '=', key)], limit=1)
            if found and getattr(found[0], 'string', None):
                label = found[0].string
    model, field_name = _names(Model, name)
    return model, '%s / %s' % (field_name, label)


def _refuse(msg_id, Model, name, key=None):
    if key is None:
        model, field = _names(Model, name)
    else:
        model, field = _key_name(Model, name, key)
    raise FieldGuardError(gettext(
            'egov_base.' + msg_id, model=model, field=field))


def collect_domain(Model, domain, found, depth=0):
    """Add to found the (model, field name, Dict key or None) that domain
    uses, at every step of its paths"""
    pool = Pool()
    if depth > MAX_DEPTH:
        raise FieldGuardError(gettext(
                'egov_base.msg_guard_depth', depth=MAX_DEPTH))
    if is_leaf(domain):
        if not isinstance(domain[0], str):
            return
        name, _, relate = domain[0].partition('.')
        field = Model._fields.get(name)
        if field is None:
            # Unknown names are refused by the search itself
            return
        operator = domain[1]
        if field._type == 'dict':
            found.add((Model, name, relate or None))
            return
        found.add((Model, name, None))
        target = None
        rest = tuple(domain[1:])
        if hasattr(field, 'get_target'):
            target = field.get_target()
        if field._type == 'reference' and len(domain) >= 4:
            try:
                target = pool.get(domain[3])
            except (KeyError, TypeError):
                return
            rest = tuple(domain[1:3])
        elif (operator.endswith('child_of') or operator.endswith('parent_of')
                ) and len(domain) >= 4 and target and not relate:
            # The parent field walked on the target
            found.add((target, domain[3], None))
            rest = tuple(domain[1:3])
        if target is None:
            return
        if relate:
            collect_domain(target, [(relate,) + rest], found, depth + 1)
        elif operator in {'where', 'not where'}:
            collect_domain(target, domain[2], found, depth + 1)
    elif isinstance(domain, (list, tuple)):
        # The depth counts the relations followed, not the nesting
        for clause in domain:
            if isinstance(clause, str):
                continue
            collect_domain(Model, clause, found, depth)


RELATIONS = {'many2one', 'one2many', 'many2many'}


def apply_path_rules(Model, domain, depth=0):
    """The domain with the target's read rules added at each relation step
    (a.b, a where […]): Tryton converts a path without the record rules of
    its targets, so a search through one would answer from records the
    user may not read (another unit's, a 密级 document)"""
    pool = Pool()
    Rule = pool.get('ir.rule')
    if depth > MAX_DEPTH:
        return domain
    if is_leaf(domain):
        if not isinstance(domain[0], str):
            return domain
        name, _, relate = domain[0].partition('.')
        operator = domain[1]
        field = Model._fields.get(name)
        if (field is not None and field._type == 'reference' and relate
                and len(domain) >= 4):
            return _reference_path_rules(Model, domain, depth)
        if (field is None or field._type not in RELATIONS
                # A computed relation's searcher searches its target itself,
                # through the ORM and so its rules; it may not know 'where'
                or isinstance(field, fields.Function)
                or not (relate or operator in {'where', 'not where'})
                or operator.endswith('child_of')
                or operator.endswith('parent_of')):
            return domain
        Target = field.get_target()
        rule = Rule.domain_get(Target.__name__, mode='read')
        if relate:
            sub = [(relate,) + tuple(domain[1:])]
            operator = 'where'
        else:
            sub = domain[2]
        sub = apply_path_rules(Target, sub, depth + 1)
        if rule:
            sub = [sub, rule]
        return (name, operator, sub)
    if isinstance(domain, (list, tuple)):
        return [c if isinstance(c, str)
            else apply_path_rules(Model, c, depth) for c in domain]
    return domain


def _reference_path_rules(Model, domain, depth):
    """(ref.x, operator, value, target): Tryton searches the target
    without its record rules, so a count through a reference field would
    tell the title of a 密级 document one character at a time. The
    target's read rules are added, written through the same field."""
    pool = Pool()
    Rule = pool.get('ir.rule')
    name, _, relate = domain[0].partition('.')
    try:
        Target = pool.get(domain[3])
    except (KeyError, TypeError):
        return domain   # Tryton refuses it
    sub = apply_path_rules(
        Target, [(relate,) + tuple(domain[1:3]) + tuple(domain[4:])],
        depth + 1)
    rule = Rule.domain_get(Target.__name__, mode='read')
    through = _through_reference(name, domain[3], sub)
    if rule:
        through = [through, _through_reference(name, domain[3], rule)]
    return through


def _through_reference(name, target, domain):
    """A domain of the target as a domain of the reference field name:
    each clause (x, …) becomes (name.x, …, target), a sub-query of the
    target's ids each; their AND and OR are those of the target's"""
    if is_leaf(domain):
        return ('%s.%s' % (name, domain[0]),) + tuple(domain[1:3]) + (
            target,) + tuple(domain[3:])
    if isinstance(domain, (list, tuple)):
        return [c if isinstance(c, str)
            else _through_reference(name, target, c) for c in domain]
    return domain


def collect_order(Model, order, found, depth=0):
    if not order:
        return
    if depth > MAX_DEPTH:
        raise FieldGuardError(gettext(
                'egov_base.msg_guard_depth', depth=MAX_DEPTH))
    for item in order:
        if not isinstance(item, (list, tuple)) or not item:
            continue
        expression = item[0]
        if not isinstance(expression, str):
            continue
        name, _, relate = expression.partition('.')
        field = Model._fields.get(name)
        if field is None:
            continue
        if field._type == 'dict':
            found.add((Model, name, relate or None))
            continue
        found.add((Model, name, None))
        if relate and hasattr(field, 'get_target'):
            collect_order(field.get_target(), [(relate,) + tuple(item[1:])],
                found, depth + 1)


def collect_export(Model, fields_names, found, loose):
    """Add to found the steps of the export paths ('a/b/c'), to loose the
    steps after a reference field; return the names of the first step
    (checked per record by the caller)"""
    first = set()
    for path in fields_names:
        if not isinstance(path, str):
            continue
        Current = Model
        steps = path.split('/')
        if len(steps) > MAX_DEPTH:
            raise FieldGuardError(gettext(
                    'egov_base.msg_guard_depth', depth=MAX_DEPTH))
        for i, step in enumerate(steps):
            name = step.split(':lang=')[0].split('.')[0]
            field = Current._fields.get(name)
            if field is None:
                break
            found.add((Current, name, None))
            if i == 0:
                first.add(name)
            if field._type == 'reference' and i + 1 < len(steps):
                # The target is known per record only: the next step is
                # checked on every model that guards a field of that name
                following = steps[i + 1].split(':lang=')[0].split('.')[0]
                loose.update(_guarding_models(following))
                break
            if not hasattr(field, 'get_target'):
                break
            Current = field.get_target()
    return first


def _guarding_models(name):
    "The (model, name, None) of the models with a secret or partial name"
    pool = Pool()
    result = set()
    for model_name, Model in pool.iterobject():
        if name not in getattr(Model, '_fields', {}):
            continue
        if (name in secret_fields(model_name)
                or hasattr(Model, '_guard_partial_fields')):
            result.add((Model, name, None))
    return result


def refuse_unsearchable(found):
    """Refuse a computed field without a searcher in a domain: Tryton
    raises NotImplementedError, which the caller would get as an internal
    error with no word of the field"""
    for Model, name, _ in sorted(found,
            key=lambda f: (f[0].__name__, f[1], f[2] or '')):
        field = Model._fields.get(name)
        if (isinstance(field, fields.Function) and field.getter
                and not field.searcher
                and not hasattr(Model, 'domain_' + name)):
            _refuse('msg_guard_unsearchable', Model, name)


def check_found(found, per_record=(), model_access=True):
    """Refuse the first use of a secret, an unreadable field or a field
    hidden from the user on some records; per_record: (model, names)
    whose hidden fields are checked on the exported records instead"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    by_model = {}
    for Model, name, key in found:
        by_model.setdefault(Model, set()).add((name, key))
    for Model, uses in sorted(by_model.items(), key=lambda i: i[0].__name__):
        secrets = secret_fields(Model.__name__)
        for name, key in sorted(uses, key=lambda u: (u[0], u[1] or '')):
            if name in secrets:
                _refuse('msg_guard_secret', Model, name)
        if model_access:
            ModelAccess.check(Model.__name__, 'read')
        accesses = FieldAccess.get_access([Model.__name__])[Model.__name__]
        for name, key in sorted(uses, key=lambda u: (u[0], u[1] or '')):
            if not accesses.get(name, {}).get('read', True):
                _refuse('msg_guard_unreadable', Model, name)
        partial = getattr(Model, '_guard_partial_fields', None)
        if partial is None:
            continue
        if per_record and per_record[0] is Model:
            uses = {(n, k) for n, k in uses if n not in per_record[1]}
        tokens = {n if k is None else '%s.%s' % (n, k) for n, k in uses}
        if not tokens:
            continue
        refused = partial(tokens)
        for name, key in sorted(uses, key=lambda u: (u[0], u[1] or '')):
            token = name if key is None else '%s.%s' % (name, key)
            if token in refused:
                _refuse('msg_guard_partial', Model, name, key)
            if key is None and any(
                    t.startswith(name + '.') for t in refused):
                # The whole Dict: some of its keys are hidden
                _refuse('msg_guard_partial', Model, name)


def guard_search(Model, domain, order):
    """Refuse a search of Model that uses a secret, unreadable, hidden or
    unsearchable field; return the domain with the record rules of the
    models its paths reach"""
    if not _guarded():
        return domain
    found = set()
    collect_domain(Model, domain, found)
    searched = set(found)
    collect_order(Model, order, found)
    if found:
        check_found(found)
    # After the access checks: a field the user may not read is refused as
    # such, not described as computed
    refuse_unsearchable(searched)
    return apply_path_rules(Model, domain)


class FieldGuardMixin:
    "Applied to every model ([register_mixin] in tryton.cfg)"
    __slots__ = ()

    @classmethod
    def search(cls, domain, *args, **kwargs):
        order = kwargs.get('order', args[2] if len(args) > 2 else None)
        domain = guard_search(cls, domain, order)
        return super().search(domain, *args, **kwargs)

    @classmethod
    def read(cls, ids, fields_names):
        if _guarded() and fields_names:
            secrets = secret_fields(cls.__name__)
            for name in fields_names:
                local, _, relate = name.partition('.')
                if local in secrets:
                    _refuse('msg_guard_secret', cls, local)
                if relate:
                    field = cls._fields.get(local)
                    if field is not None and hasattr(field, 'get_target'):
                        Target = field.get_target()
                        if relate.split('.')[0] in secret_fields(
                                Target.__name__):
                            _refuse('msg_guard_secret', Target,
                                relate.split('.')[0])
        return super().read(ids, fields_names)

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        if _guarded():
            if 'export_data' not in cls.__rpc__:
                # Tryton's export route (/<database>/data/<model>) exports
                # any model the user may read, JSON-RPC only those that
                # expose their export: sessions, queued tasks, login
                # attempts, link tables are not
                with without_check_access():
                    model = cls.__names__()['model']
                raise FieldGuardError(gettext(
                        'egov_base.msg_guard_not_exported', model=model))
            found, loose = set(), set()
            first = collect_export(cls, fields_names, found, loose)
            # Who exports through a reference may lack access to some of
            # the models it may point to: Tryton checks the one reached
            check_found(loose, model_access=False)
            per_record = hasattr(cls, '_guard_hidden')
            # What the model hides on some records only is checked on the
            # exported records themselves: the export reads them unchecked
            check_found(found, per_record=(cls, first) if per_record else ())
            if per_record and records:
                hidden = cls._guard_hidden([r.id for r in records])
                tokens = set().union(*hidden.values()) if hidden else set()
                for name in sorted(first):
                    if name in tokens or any(
                            t.startswith(name + '.') for t in tokens):
                        _refuse('msg_guard_partial', cls, name)
        return super().export_data(records, fields_names, header=header)


class ModelFieldAccess(metaclass=PoolMeta):
    __name__ = 'ir.model.field.access'

    @classmethod
    def get_access(cls, models):
        accesses = super().get_access(models)
        result = {}
        for model, maccesses in accesses.items():
            secrets = secret_fields(model)
            if secrets:
                # A copy: the cached accesses are shared
                maccesses = {f: dict(a) for f, a in maccesses.items()}
                for name in secrets:
                    access = maccesses.setdefault(name, {
                            'read': True, 'write': True,
                            'create': True, 'delete': True})
                    access['read'] = False
            result[model] = maccesses
        return result


class ModelAccess(metaclass=PoolMeta):
    __name__ = 'ir.model.access'

    @classmethod
    def get_access(cls, models):
        accesses = super().get_access(models)
        if Transaction().user:
            for model in models:
                if model in GROUP_MODELS and not cls._guard_in_groups(model):
                    accesses[model] = {
                        'read': False, 'write': False,
                        'create': False, 'delete': False}
        return accesses

    @classmethod
    def _guard_in_groups(cls, model_name):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        groups = set(User.get_groups())
        for module, fs_id in GROUP_MODELS[model_name]:
            try:
                if ModelData.get_id(module, fs_id) in groups:
                    return True
            except KeyError:
                continue
        return False


class ActionWizard(metaclass=PoolMeta):
    __name__ = 'ir.action.wizard'

    @classmethod
    def get_groups(cls, name, action_id=None):
        groups = super().get_groups(name, action_id=action_id)
        if action_id and not groups:
            # An action id that is not one of this wizard's would lift the
            # groups of its actions: take those of all its actions
            groups = super().get_groups(name)
        return groups


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def _guard_own_fields(cls):
        """Fields of a login closed to others by ir.model.field.access that
        its holder still reads on his own login"""
        return {'second_factor', 'second_factor_required', 'admin_roles',
            'password_change_reason', 'sessions'}

    @classmethod
    def read(cls, ids, fields_names):
        pool = Pool()
        FieldAccess = pool.get('ir.model.field.access')
        transaction = Transaction()
        if (_guarded() and fields_names
                and set(ids) == {transaction.user}):
            accesses = FieldAccess.get_access([cls.__name__])[cls.__name__]
            own = {n for n in cls._guard_own_fields() & set(fields_names)
                if not accesses.get(n, {}).get('read', True)}
            if own:
                others = [n for n in fields_names if n not in own]
                result = super().read(ids, others or ['id'])
                with without_check_access():
                    extra = {r['id']: r for r in super().read(ids, list(own))}
                for row in result:
                    row.update({n: extra[row['id']][n] for n in own})
                return result
        return super().read(ids, fields_names)
