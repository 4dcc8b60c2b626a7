"""Forms (自定义表单): 收文单, 发文单, 督办单 and approval forms. A form
version holds its layout (a form-js schema drawn in the form designer) and
its fields; the values live on the record, checked on the server."""
import datetime
import json
from collections import namedtuple

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, DictSchemaMixin, Index, ModelSQL, ModelView, Unique,
    fields)
from trytond.pool import Pool
from trytond.transaction import without_check_access

from .exceptions import WorkflowValidationError

# The kinds of forms; a business module adds its own (收文单, 督办单…) to
# the field's selection in its extension of the form
FORM_KINDS = [
    ('approval', "Approval Form"),
    ]
# form-js field types and the Tryton types their values are kept as
FORM_JS_TYPES = {
    'textfield': 'char', 'textarea': 'char', 'number': 'numeric',
    'checkbox': 'boolean', 'select': 'selection', 'radio': 'selection',
    'checklist': 'multiselection', 'taglist': 'multiselection',
    'datetime': 'date',
    }
MAX_TEXT = 4000
# A form field picks units or people when the form designer gives it the
# custom property "pick": its values are records, kept beside the form's
# values: {pick: the kinds of units it takes}
PICK_UNIT_KINDS = {
    'units': ('unit',),
    'departments': ('unit', 'department'),
    }
PICKS = {'units', 'departments', 'people'}

# What the checks of a value need of a form field (cached per form)
FieldSpec = namedtuple('FieldSpec', 'string type_ required keys')


class Form(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'egov.workflow.form'
    __string__ = "Form"
    _egov_visibility = 'city'

    name = fields.Char("Name", required=True)
    code = fields.Char("Code", required=True)
    kind = fields.Selection(FORM_KINDS, "Kind", required=True)
    version = fields.Integer("Version", required=True, readonly=True)
    schema = fields.Text(
        "Layout", help="The form-js schema drawn in the form designer.")
    fields_ = fields.One2Many(
        'egov.workflow.form.field', 'form', "Fields")
    # Every record saved on a form checks its values against these
    _specs_cache = Cache('egov_workflow_form.specs', context=False)
    # The request's form is drawn from this at every opening
    _layout_cache = Cache('egov_workflow_form.layout', context=False)
    # The field guard asks of every hidden name whether it is a pick
    _pick_names_cache = Cache('egov_workflow_form.pick_names', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('version_unique', Unique(t, t.code, t.version),
                'egov_workflow.msg_workflow_form_version_unique'),
            ]
        cls._order = [('code', 'ASC'), ('version', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'open_designer': {},
                })

    @classmethod
    def default_version(cls):
        return 1

    @classmethod
    def default_kind(cls):
        return 'approval'

    def get_rec_name(self, name):
        return '%s (v%s)' % (self.name, self.version)

    @classmethod
    def validate_fields(cls, forms, field_names):
        super().validate_fields(forms, field_names)
        if field_names and 'schema' not in field_names:
            return
        for form in forms:
            if form.schema:
                form.schema_fields()

    def schema_fields(self):
        """Return [(key, label, type, required, options)] of the form-js
        schema, refusing what is not a form"""
        try:
            schema = json.loads(self.schema)
        except ValueError:
            raise WorkflowValidationError(gettext(
                    'egov_workflow.msg_workflow_form_schema_invalid',
                    form=self.name))
        if not isinstance(schema, dict) or not isinstance(
                schema.get('components', []), list):
            raise WorkflowValidationError(gettext(
                    'egov_workflow.msg_workflow_form_schema_invalid',
                    form=self.name))
        result = []
        for component in _components(schema):
            key = component.get('key')
            kind = component.get('type')
            if not key or kind not in FORM_JS_TYPES:
                continue
            if not isinstance(key, str) or not key.isidentifier():
                raise WorkflowValidationError(gettext(
                        'egov_workflow.msg_workflow_form_key_invalid',
                        form=self.name, key=str(key)[:40]))
            options = [(str(v.get('value')), str(v.get('label')))
                for v in component.get('values', []) or []
                if isinstance(v, dict)]
            required = bool((component.get('validate') or {}).get(
                    'required'))
            type_ = FORM_JS_TYPES[kind]
            pick = (component.get('properties') or {}).get('pick')
            if pick in PICKS:
                type_, options = pick, []
            result.append((key, component.get('label') or key,
                    type_, required, options))
        return result

    @classmethod
    @ModelView.button_action('egov_workflow.url_form_designer')
    def open_designer(cls, forms):
        from .process import page_url
        if not forms:
            return
        form = forms[0]
        return {'url': page_url('form-designer', form.id)}

    @classmethod
    def on_modification(cls, mode, forms, field_names=None):
        super().on_modification(mode, forms, field_names=field_names)
        cls._specs_cache.clear()
        cls._layout_cache.clear()
        cls._pick_names_cache.clear()
        if mode in {'create', 'write'} and (
                field_names is None or 'schema' in field_names):
            cls.sync_fields([f for f in forms if f.schema])

    @classmethod
    def sync_fields(cls, forms):
        "Keep the fields of each form as its layout declares them"
        Field = Pool().get('egov.workflow.form.field')
        for form in forms:
            wanted = {key: (label, type_, required, options)
                for key, label, type_, required, options
                in form.schema_fields()}
            existing = {f.name: f for f in form.fields_}
            to_save = []
            for key, (label, type_, required, options) in wanted.items():
                field = existing.get(key) or Field(form=form, name=key)
                field.string = label
                field.type_ = type_
                field.required = required
                field.selection = '\n'.join(
                    '%s:%s' % o for o in options) or None
                to_save.append(field)
            Field.save(to_save)
            Field.delete([f for k, f in existing.items() if k not in wanted])

    def check_values(self, values, step_rules=None, for_step=False):
        """Refuse values that do not fit the fields: unknown keys, wrong
        types, choices not offered, over-long text; and missing required
        ones when for_step (the values the step requires included)"""
        step_rules = step_rules or {}
        fields_ = self.field_specs()
        for key, value in (values or {}).items():
            field = fields_.get(key)
            if field is None:
                raise WorkflowValidationError(gettext(
                        'egov_workflow.msg_workflow_form_unknown_field',
                        form=self.name, field=key))
            if value in (None, '', [], ()):
                continue
            check_value(field, value)
        if for_step:
            for name, field in fields_.items():
                required = field.required or (
                    step_rules.get(name) == 'required')
                if field.type_ in PICKS:
                    continue
                if required and (values or {}).get(name) in (
                        None, '', [], ()):
                    raise WorkflowValidationError(gettext(
                            'egov_workflow.msg_workflow_form_required',
                            field=field.string))

    def field_specs(self):
        "{name: FieldSpec} of the form's fields"
        specs = self._specs_cache.get(self.id)
        if specs is None:
            specs = {f.name: FieldSpec(f.string, f.type_, bool(f.required),
                    tuple(f._keys()))
                for f in self.fields_}
            self._specs_cache.set(self.id, specs)
        return specs

    @classmethod
    def pick_names(cls):
        "The names of the fields that pick units or people, in any form"
        names = cls._pick_names_cache.get(None)
        if names is None:
            FormField = Pool().get('egov.workflow.form.field')
            with without_check_access():
                names = sorted({f.name for f in FormField.search([
                                ('type_', 'in', list(PICKS)),
                                ])})
            cls._pick_names_cache.set(None, names)
        return set(names)

    def layout(self):
        """[(name, form-js type or None, [(key, label)])] of the form's
        fields in the order the form designer laid them out; fields made
        by hand (not in the layout) come last"""
        layout = self._layout_cache.get(self.id)
        if layout is not None:
            return [tuple(l) for l in layout]
        widgets = {}
        try:
            schema = json.loads(self.schema or '{}')
        except ValueError:
            schema = {}
        if isinstance(schema, dict):
            for component in _components(schema):
                key = component.get('key')
                if isinstance(key, str) and key not in widgets:
                    widgets[key] = component.get('type')
        by_name = {f.name: f for f in self.fields_}
        names = [k for k in widgets if k in by_name] + sorted(
            k for k in by_name if k not in widgets)
        layout = [(name, widgets.get(name), [
                    tuple(line.split(':', 1)) if ':' in line
                    else (line, line)
                    for line in (by_name[name].selection or '').splitlines()
                    if line])
            for name in names]
        self._layout_cache.set(self.id, layout)
        return layout


def _components(schema):
    "Every component of a form-js schema, nested groups included"
    for component in schema.get('components', []) or []:
        if not isinstance(component, dict):
            continue
        yield component
        if component.get('components'):
            yield from _components(component)


class FormField(DictSchemaMixin, ModelSQL, ModelView):
    "Form field"
    __name__ = 'egov.workflow.form.field'
    __string__ = "Form Field"
    _egov_visibility = 'parent'

    form = fields.Many2One(
        'egov.workflow.form', "Form", required=True, ondelete='CASCADE')
    required = fields.Boolean("Required")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.type_.selection = cls.type_.selection + [
            ('units', "Units"),
            ('departments', "Units or Departments"),
            ('people', "People"),
            ]
        cls.__access__.add('form')
        # A form is drawn in the language of its people (its labels are
        # content, like the form itself), not translated as the platform's
        # own strings are
        cls.string.translate = False
        cls.selection.translate = False
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.form, Index.Range())))

    @classmethod
    def on_modification(cls, mode, fields_, field_names=None):
        pool = Pool()
        Form = pool.get('egov.workflow.form')
        super().on_modification(mode, fields_, field_names=field_names)
        Form._specs_cache.clear()
        Form._layout_cache.clear()
        Form._pick_names_cache.clear()

    def _keys(self):
        return [line.split(':', 1)[0]
            for line in (self.selection or '').splitlines() if line]


def check_value(field, value):
    "Refuse a value that does not fit field (a FieldSpec)"
    ok = True
    if field.type_ in PICKS:
        # Units and people are picked beside the values, not in them
        ok = False
    elif field.type_ == 'char':
        ok = isinstance(value, str) and len(value) <= MAX_TEXT
    elif field.type_ in {'integer'}:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif field.type_ in {'numeric', 'float'}:
        ok = isinstance(value, (int, float)) or _is_decimal(value)
    elif field.type_ == 'boolean':
        ok = isinstance(value, bool)
    elif field.type_ == 'date':
        ok = isinstance(value, datetime.date)
    elif field.type_ == 'selection':
        ok = value in field.keys
    elif field.type_ == 'multiselection':
        ok = isinstance(value, (list, tuple)) and set(value) <= set(
            field.keys)
    if not ok:
        raise WorkflowValidationError(gettext(
                'egov_workflow.msg_workflow_form_value_invalid',
                field=field.string, value=str(value)[:60]))


def _is_decimal(value):
    from decimal import Decimal
    return isinstance(value, Decimal)
