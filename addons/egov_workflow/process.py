"""Process definitions (流程定义): BPMN 2.0 diagrams, checked when saved,
versioned, and owned by an organisation level (the city, a county, a unit):
a county copies a shipped process and changes it for itself."""
import json

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import WorkflowError, WorkflowValidationError
from .bpmn import (
    REQUEST_NAMES, DefinitionError, Label, analyse, build_spec, check_names)
from .rules import RuleError, parse_rule


def page_url(page, record_id):
    "The address of one of the module's pages for a record"
    return '/%s/egov/workflow/%s/%d' % (
        Transaction().database.name, page, record_id)


def definition_error(error):
    "Return the Chinese message of a DefinitionError"
    detail = {}
    for key, value in error.detail.items():
        if isinstance(value, Label):
            value = gettext('egov_workflow.msg_bpmn_kind_%s' % value)
        detail[key] = value
    detail.pop('element', None)
    return gettext(error.message_id, element=error.element or '', **detail)


class Process(DeactivableMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'egov.workflow.process'
    __string__ = "Process"
    _egov_visibility = 'city'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    name = fields.Char("Name", required=True, states=_states)
    code = fields.Char(
        "Code", required=True, states=_states,
        help="Versions of one process share its code.")
    version = fields.Integer("Version", readonly=True, required=True)
    model = fields.Selection(
        'get_models', "Runs On", required=True, states=_states,
        help="The kind of record this process routes.")
    division = fields.Many2One(
        'egov.org.unit', "Division", ondelete='RESTRICT', states=_states,
        domain=[('kind', 'in', ['city', 'county', 'zone'])],
        help="Empty: the whole city. A county's process wins over the "
        "city's for its people.")
    unit = fields.Many2One(
        'egov.org.unit', "Unit", ondelete='RESTRICT', states=_states,
        domain=[('kind', '=', 'unit')],
        help="A unit's own process wins over its county's.")
    bpmn = fields.Text("BPMN 2.0 XML", required=True, states=_states)
    process_id = fields.Char("BPMN Process", readonly=True)
    steps = fields.Text("Steps", readonly=True,
        help="The user tasks of the diagram, as the engine reads them.")
    form = fields.Many2One(
        'egov.workflow.form', "Form", ondelete='RESTRICT', states=_states,
        help="The form filled along the process (收文单, 发文单, 审批单…).")
    description = fields.Text("Description", states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('active', "Active"),
            ('retired', "Retired"),
            ], "State", readonly=True, required=True, sort=False)
    _spec_cache = Cache('egov_workflow_process.spec', context=False)
    _info_cache = Cache('egov_workflow_process.info', context=False)
    # The models that run on processes, named in each language: they only
    # change with the modules
    _models_cache = Cache('egov_workflow_process.models', context=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('version_unique', Unique(t, t.code, t.division, t.unit,
                    t.version),
                'egov_workflow.msg_workflow_process_version_unique'),
            ]
        cls._sql_indexes.add(Index(t,
                (t.model, Index.Equality()), (t.state, Index.Equality())))
        cls._order = [('code', 'ASC'), ('version', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'retired'),
            ('retired', 'active'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') == 'active',
                    'depends': ['state'],
                    },
                'retire': {
                    'invisible': Eval('state') != 'active',
                    'depends': ['state'],
                    },
                'new_version': {
                    'invisible': Eval('state') == 'draft',
                    'depends': ['state'],
                    },
                'open_designer': {},
                })

    @classmethod
    def get_models(cls):
        "The models that run on processes (those with the workflow mixin)"
        from .mixin import WorkflowMixin
        pool = Pool()
        Model = pool.get('ir.model')
        names = [n for n, m in pool.iterobject()
            if isinstance(m, type) and issubclass(m, WorkflowMixin)]
        # While modules are activated one after the other, the pool grows
        key = (Transaction().language, len(names))
        models = cls._models_cache.get(key)
        if models is None:
            models = [(m.name, m.string)
                for m in Model.search([('name', 'in', names)])]
            cls._models_cache.set(key, models)
        return list(models)

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_version(cls):
        return 1

    def get_rec_name(self, name):
        return '%s (v%s)' % (self.name, self.version)

    @classmethod
    def validate_fields(cls, processes, field_names):
        super().validate_fields(processes, field_names)
        # The conditions read the fields of the form
        if field_names and not ({'bpmn', 'form', 'model'} & set(field_names)):
            return
        for process in processes:
            process.check_bpmn()

    def condition_names(self):
        """The names a condition of the diagram may read: the fields of the
        form and, for an approval request, its title and unit lists"""
        names = {f.name for f in self.form.fields_} if self.form else set()
        if self.model == 'egov.workflow.request':
            names |= REQUEST_NAMES
        else:
            # Another kind of record gives the engine its own fields
            Model = Pool().get(self.model) if self.model else None
            names |= set(Model._fields) if Model else REQUEST_NAMES
        return names

    def check_bpmn(self):
        "Refuse a diagram the engine cannot run, naming the element"
        try:
            info = analyse(self.bpmn)
        except DefinitionError as error:
            raise WorkflowValidationError(gettext(
                    'egov_workflow.msg_workflow_bpmn_invalid',
                    process=self.name,
                    problem=definition_error(error)))
        for step in info.steps.values():
            for rule in filter(None, [step.assignee, step.cc]):
                try:
                    parse_rule(rule)
                except RuleError:
                    raise WorkflowValidationError(gettext(
                            'egov_workflow.msg_workflow_bpmn_invalid',
                            process=self.name,
                            problem=gettext(
                                'egov_workflow.msg_workflow_rule_invalid',
                                element=step.id, rule=rule)))
        try:
            check_names(info, self.condition_names())
        except DefinitionError as error:
            raise WorkflowValidationError(gettext(
                    'egov_workflow.msg_workflow_bpmn_invalid',
                    process=self.name,
                    problem=definition_error(error)))
        return info

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names)
        if field_names is None or 'bpmn' in field_names:
            try:
                info = analyse(self.bpmn)
            except DefinitionError:
                # Refused with its message when validated (a record saved
                # computes its fields first)
                return values
            steps = json.dumps({
                    'order': info.order,
                    'steps': {k: vars(v) for k, v in info.steps.items()},
                    }, ensure_ascii=False, sort_keys=True)
            if self.steps != steps:
                values['steps'] = steps
            if self.process_id != info.id:
                values['process_id'] = info.id
        return values

    @classmethod
    def on_modification(cls, mode, processes, field_names=None):
        super().on_modification(mode, processes, field_names=field_names)
        cls._spec_cache.clear()
        cls._info_cache.clear()

    @classmethod
    def check_modification(cls, mode, processes, values=None, external=False):
        pool = Pool()
        Instance = pool.get('egov.workflow.instance')
        super().check_modification(
            mode, processes, values=values, external=external)
        if mode == 'delete':
            used = Instance.search([
                    ('process', 'in', [p.id for p in processes])], limit=1)
            if used:
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_process_used',
                        process=used[0].process.rec_name))

    def spec(self):
        """The SpiffWorkflow spec of this version and of its sub-processes
        (cached: versions are frozen)"""
        spec = self._spec_cache.get(self.id)
        if spec is None:
            spec = build_spec(self.bpmn, self.process_id)
            self._spec_cache.set(self.id, spec)
        return spec

    def info(self):
        "The steps of this version: {'order': [...], 'steps': {...}}"
        info = self._info_cache.get(self.id)
        if info is None:
            info = json.loads(self.steps)
            self._info_cache.set(self.id, info)
        return info

    def step(self, step_id):
        return self.info()['steps'][step_id]

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, processes):
        # One active version per process and organisation level
        for process in processes:
            others = cls.search([
                    ('code', '=', process.code),
                    ('division', '=', process.division),
                    ('unit', '=', process.unit),
                    ('state', '=', 'active'),
                    ('id', '!=', process.id),
                    ])
            cls.retire(others)

    @classmethod
    @ModelView.button
    @Workflow.transition('retired')
    def retire(cls, processes):
        pass

    @classmethod
    @ModelView.button
    def new_version(cls, processes):
        for process in processes:
            last, = cls.search([
                    ('code', '=', process.code),
                    ('division', '=', process.division),
                    ('unit', '=', process.unit),
                    ('active', 'in', [True, False]),
                    ], order=[('version', 'DESC')], limit=1)
            cls.copy([process], default={
                    'version': last.version + 1,
                    'state': 'draft',
                    })

    @classmethod
    @ModelView.button_action('egov_workflow.url_process_designer')
    def open_designer(cls, processes):
        if not processes:
            return
        process = processes[0]
        return {'url': page_url('designer', process.id)}

    @classmethod
    def copy(cls, processes, default=None):
        default = default.copy() if default else {}
        default.setdefault('state', 'draft')
        return super().copy(processes, default=default)

    @classmethod
    def for_record(cls, model, user, code=None):
        """Return the active process that runs model for user (None: no
        one's scope), of code when given: the user's unit's own, else their
        county's, else the city's"""
        pool = Pool()
        User = pool.get('res.user')
        scope = User.get_org_scope(user.id) if user else {
            'unit': None, 'division': None}
        candidates = cls.search([
                ('model', '=', model),
                ('state', '=', 'active'),
                [('code', '=', code)] if code else [],
                ['OR',
                    ('unit', '=', None),
                    ('unit', '=', scope['unit'])],
                ['OR',
                    ('division', '=', None),
                    ('division', '=', scope['division'])],
                ])
        if not candidates:
            return None
        return max(candidates, key=lambda p: (bool(p.unit), bool(p.division),
                p.version))
