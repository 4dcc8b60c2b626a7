"""How a model declares itself searchable: a class attribute

    _egov_search = {
        'title': 'title',              # the result's title (required)
        'body': ['form_summary'],      # fields whose text is searched
        'date': 'create_date',         # the result's date (sorting, filter)
        'unit': 'unit',                # a Many2One to egov.org.unit
        'secrecy': None,               # the 密级 field (or a method name)
        'person': False,               # the title is a person's name
        'attachments': True,           # the text of its ir.attachment
        'files': ['body'],             # Binary fields whose text is searched
        'module': 'egov_workflow',     # the module filter of the results
        'url': None,                   # a method name returning the link
        }

Who may find a record is who may open it: the model's access rights and
record rules apply at query time (query.py), nothing is declared here."""
import datetime

from trytond.pool import Pool

DEFAULTS = {
    'body': (),
    'date': None,
    'unit': None,
    'secrecy': None,
    'person': False,
    'attachments': False,
    'files': (),
    'module': None,
    'url': None,
    }
# Text kept per record for snippets (the tokens cover the whole text)
MAX_CONTENT = 20000


def spec_of(Model):
    spec = getattr(Model, '_egov_search', None)
    if not spec:
        return None
    full = dict(DEFAULTS)
    full.update(spec)
    full['body'] = tuple(full['body'])
    full['files'] = tuple(full['files'])
    if not full['module']:
        # The module of the class that declares it (the pool's classes
        # are built elsewhere)
        owner = next(
            (c for c in Model.__mro__ if '_egov_search' in vars(c)), Model)
        parts = owner.__module__.split('.')
        if parts[:2] == ['trytond', 'modules']:
            parts = parts[2:]
        full['module'] = parts[0]
    return full


def searchable_models():
    "[(model name, spec)] of the models of the pool that declare one"
    pool = Pool()
    result = []
    for name in _declaring(pool):
        Model = pool.get(name)
        spec = spec_of(Model)
        if spec and hasattr(Model, 'search'):
            result.append((name, spec))
    return sorted(result)


# {database: (the pool's models, the names of those declaring a spec)}
_declaring_cache = {}


def _declaring(pool):
    """The names of the models of the pool that declare _egov_search, found
    once per pool (every search asks; the pool has some 200 models, and it
    is rebuilt, with a new dictionary, when modules change)"""
    # (a view of the pool's dictionary: equal to the cached one, in C,
    # while no class of it changed)
    models = pool.iterobject().mapping
    cached = _declaring_cache.get(pool.database_name)
    if cached is None or cached[0] != models:
        names = [name for name, Model in models.items()
            if getattr(Model, '_egov_search', None) is not None]
        cached = _declaring_cache[pool.database_name] = (dict(models), names)
    return cached[1]


def text_of(record, name):
    "The text of a field of record, as a person reads it"
    if not name:
        return ''
    value = getattr(record, name, None)
    if value is None or value is False:
        return ''
    field = record._fields.get(name)
    if field is not None:
        if field._type == 'selection' and not callable(field.selection):
            return dict(field.selection).get(value) or str(value)
        if field._type == 'dict':
            return ' '.join(str(v) for v in value.values() if v)
        if field._type in {'many2one', 'reference'} and value:
            return value.rec_name
        if field._type in {'one2many', 'many2many'}:
            return ' '.join(v.rec_name for v in value)
    return str(value)


def values_of(record, spec):
    "The columns of the index entry of record"
    title = text_of(record, spec['title']).strip()
    body = '\n'.join(
        t for t in (text_of(record, n) for n in spec['body']) if t)
    date = getattr(record, spec['date'], None) if spec['date'] else None
    if isinstance(date, datetime.datetime):
        date = date.date()
    unit = getattr(record, spec['unit'], None) if spec['unit'] else None
    secrecy = None
    if spec['secrecy']:
        attribute = getattr(record, spec['secrecy'], None)
        secrecy = attribute() if callable(attribute) else attribute
    return {
        'title': title[:500],
        'body': body,
        'date': date if isinstance(date, datetime.date) else None,
        'unit': unit.id if unit else None,
        'secrecy': str(secrecy)[:50] if secrecy else None,
        }
