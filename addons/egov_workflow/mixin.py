"""The contract a model adopts to run on a process: inherit WorkflowMixin
and say, per step, which of the model's fields the holder reads, fills or
must fill (_workflow_fields). From that alone the engine starts the
process, freezes the record once submitted, shows the holder of a step
what the step lets them read in the act dialog (办理) and on the phone,
lets them change what the step lets them fill, keeps what a step hides
from its holder, and gives the participants read access (see the README
of the module)."""
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from egov_base.tools import IN_MAX, check_read_access, check_write_access

from .exceptions import (
    StepFieldError, TaskStateError, WorkflowError, WorkflowFrozenError)
from .instance import STATES

# What the holder of a step may do with a field
FIELD_RULES = {'hidden', 'read', 'edit', 'required'}
READABLE = {'read', 'edit', 'required'}
EDITABLE = {'edit', 'required'}
# Fields only the engine writes
ENGINE_FIELDS = {'workflow', 'workflow_state'}
# Fields no step hides: searching by them needs no look at the user's steps
NEVER_HIDDEN = ENGINE_FIELDS | {
    'id', 'rec_name', 'create_uid', 'create_date', 'write_uid', 'write_date'}


class WorkflowMixin:
    "A record that runs on a process"
    __slots__ = ()

    # {step id or '*' (every step): {field name: 'read' | 'edit' |
    # 'required' | 'hidden'}}: what the holder of a step reads, fills or
    # must fill. The egov:fields of the step in the diagram come on top,
    # so that a process administrator can add to it without code.
    _workflow_fields = {}

    workflow = fields.Many2One(
        'egov.workflow.instance', "Process Instance", readonly=True,
        ondelete='RESTRICT')
    workflow_state = fields.Selection(
        [('draft', "Not Started")] + STATES, "Process State",
        readonly=True, required=True, sort=False)
    workflow_steps = fields.Function(
        fields.Char("Current Steps"), 'get_workflow_info')
    workflow_holders = fields.Function(
        fields.Char("Held By"), 'get_workflow_info')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The participants' record rules go from the instances to the
        # records: without it, each such read scans the whole table
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.workflow, Index.Range()),
                where=t.workflow != Null))
        cls._buttons.update({
                'workflow_start': {
                    'invisible': Eval('workflow_state') != 'draft',
                    'depends': ['workflow_state'],
                    },
                'workflow_urge': {
                    'invisible': Eval('workflow_state') != 'running',
                    'depends': ['workflow_state'],
                    },
                })

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        for step, rules in cls._workflow_fields.items():
            for name, rule in rules.items():
                assert name in cls._fields, (cls.__name__, step, name)
                assert rule in FIELD_RULES, (cls.__name__, step, rule)

    # The group (module, xml id) whose members make records of the model;
    # record rules keep each of them to the records they take part in.
    # A group the module defines in its own XML does not exist yet when its
    # models register: the access rows and the rule are made as soon as
    # the group is loaded (see model_data.py). None: the module declares
    # them, and the buttons' records, in its XML itself.
    _workflow_group = ('egov_base', 'group_egov_user')

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        if cls._workflow_group:
            cls._workflow_register_buttons()
            cls.workflow_register_group()

    @classmethod
    def workflow_register_group(cls):
        "Make the access rows and the participants' rule of the model"
        ModelData = Pool().get('ir.model.data')
        try:
            group = ModelData.get_id(*cls._workflow_group)
        except KeyError:
            return
        cls._workflow_register_access(group)
        cls._workflow_register_rules(group)

    @classmethod
    def _workflow_register_buttons(cls):
        "The records of the buttons of the contract, unless the XML made them"
        Button = Pool().get('ir.model.button')
        labels = {'workflow_start': "Submit", 'workflow_urge': "Urge"}
        with without_check_access():
            known = {b.name for b in Button.search([
                        ('model', '=', cls.__name__),
                        ('name', 'in', list(labels)),
                        ])}
            Button.create([{'model': cls.__name__, 'name': n, 'string': s}
                    for n, s in labels.items() if n not in known])

    @classmethod
    def _workflow_register_access(cls, group):
        """A default access row that grants nothing, and one for the
        model's group, unless the module made them"""
        Access = Pool().get('ir.model.access')
        with without_check_access():
            rows = Access.search([('model', '=', cls.__name__)])
            groups = {r.group.id if r.group else None for r in rows}
            to_create = []
            if None not in groups:
                to_create.append({
                        'model': cls.__name__,
                        'perm_read': False, 'perm_write': False,
                        'perm_create': False, 'perm_delete': False,
                        })
            if group not in groups:
                to_create.append({
                        'model': cls.__name__, 'group': group,
                        'perm_read': True, 'perm_write': True,
                        'perm_create': True, 'perm_delete': True,
                        })
            Access.create(to_create)

    @classmethod
    def _workflow_register_rules(cls, group):
        """The people who take part in a record's process read it: who
        made it, its initiator and whoever has or had a to-do in it (or
        acted for someone). The rule follows the model's code at each
        update, as its fields do."""
        pool = Pool()
        RuleGroup = pool.get('ir.rule.group')
        Rule = pool.get('ir.rule')
        name = 'Participants of %s' % cls.__name__
        domain = cls._participant_domain()
        with without_check_access():
            groups = RuleGroup.search([
                    ('model', '=', cls.__name__),
                    ('name', '=', name),
                    ])
            if groups:
                Rule.write([r for g in groups for r in g.rules
                        if r.domain != domain], {'domain': domain})
                return
            RuleGroup.create([{
                        'name': name,
                        'model': cls.__name__,
                        'global_p': False,
                        'default_p': False,
                        'perm_create': False,
                        'perm_delete': False,
                        'groups': [('add', [group])],
                        'rules': [('create', [{'domain': domain}])],
                        }])

    @classmethod
    def _participant_domain(cls):
        "The domain (PYSON) of the records a person takes part in"
        user = Eval('user_id', -1)
        return PYSONEncoder(sort_keys=True).encode(['OR',
                ('create_uid', '=', user),
                ('workflow.initiator', '=', user),
                ('workflow.tasks.user', '=', user),
                ('workflow.tasks.acting_for', '=', user),
                ])

    @classmethod
    def default_workflow_state(cls):
        return 'draft'

    @classmethod
    def get_workflow_info(cls, records, name):
        result = {}
        for record in records:
            instance = record.workflow
            if not instance:
                result[record.id] = None
            elif name == 'workflow_steps':
                result[record.id] = instance.current_steps
            else:
                result[record.id] = instance.holders
        return result

    # What a step lets its holder do

    def workflow_rules(self, step):
        "{field name: rule} of step: the model's, then the diagram's"
        process = (self.workflow.process if self.workflow
            else self.workflow_process())
        return self.workflow_step_rules(process, step)

    @classmethod
    def workflow_step_rules(cls, process, step):
        "{field name: rule} of step of process for the records of the model"
        rules = dict(cls._workflow_fields.get('*', {}))
        rules.update(cls._workflow_fields.get(step, {}))
        if process:
            rules.update(process.step(step).get('fields') or {})
        return rules

    @classmethod
    def workflow_facts_title(cls):
        """The heading of the facts on the phone's signing page; None for
        the engine's own (申请内容)"""
        return None

    def workflow_facts(self, step):
        """What the holder of step reads of the record before acting:
        [(label, text)] in the order of the rules"""
        facts = []
        for name, rule in self.workflow_rules(step).items():
            if rule not in READABLE or name not in self._fields:
                continue
            text = self._workflow_text(name)
            if text:
                facts.append((self._workflow_label(name), text))
        return facts

    def workflow_summary(self, step):
        return '\n'.join('%s：%s' % fact for fact in self.workflow_facts(step))

    def workflow_editable(self, step):
        "The fields the holder of step may fill, in the order of the rules"
        return [n for n, r in self.workflow_rules(step).items()
            if r in EDITABLE and n in self._fields]

    def workflow_field(self, name):
        """How the act dialog shows name: {'slot': the kind of slot (see
        wizard.SLOTS), 'string', 'help', 'selection', 'domain'}"""
        field = self._fields[name]
        if field._type in {'many2one', 'many2many'}:
            slot = '%s:%s' % (field._type, field.get_target().__name__)
        else:
            slot = field._type
        definition = self.__class__.fields_get([name])[name]
        return {
            'slot': slot,
            'string': definition['string'],
            'help': definition.get('help', ''),
            'selection': definition.get('selection'),
            'domain': None,
            }

    def workflow_step_values(self, step):
        "{name: value} of what the holder of step may fill"
        return self.workflow_values(self.workflow_editable(step))

    def workflow_values(self, names):
        "{name: value} of names as the act dialog edits them"
        values = {}
        for name in names:
            value = getattr(self, name)
            field = self._fields[name]
            if field._type in {'one2many', 'many2many'}:
                value = [r.id for r in value]
            elif field._type == 'many2one':
                value = value.id if value else None
            values[name] = value
        return values

    def workflow_set_data(self, step, data):
        "Write what the holder of step changed, as the step allows"
        editable = set(self.workflow_editable(step))
        to_write = {}
        for name, value in (data or {}).items():
            if name not in editable:
                raise StepFieldError(gettext(
                        'egov_workflow.msg_workflow_field_readonly',
                        field=self._workflow_label(name),
                        step=self._workflow_step_name(step)))
            field = self._fields[name]
            if field._type == 'many2many':
                # Only what changed: Tryton deletes the removed links after
                # adding the new ones, so a link removed and added back in
                # one write would be lost
                old = {r.id for r in getattr(self, name)}
                new = set(map(int, value or []))
                if old != new:
                    to_write[name] = [
                        ('remove', sorted(old - new)),
                        ('add', sorted(new - old))]
            else:
                to_write[name] = value
        if to_write:
            # Checked against the step's rules above: the record itself is
            # closed to direct changes once submitted (check_modification)
            with without_check_access():
                self.__class__.write([self], to_write)

    def workflow_check(self, task):
        "Refuse to act on task while a value the step requires is missing"
        for name, rule in self.workflow_rules(task.step).items():
            if rule != 'required' or name not in self._fields:
                continue
            if self._workflow_missing(name):
                raise StepFieldError(gettext(
                        'egov_workflow.msg_workflow_form_required',
                        field=self._workflow_label(name)))

    def workflow_step_done(self, task, decision):
        """The holder of task agreed (decision 'approve') or disagreed on
        it, in the transaction of the action, before the process moves
        on: a model does here what its step means (a number taken at 编号,
        the signer kept at 签发); an error refuses the action"""

    def workflow_check_holders(self, step, user_ids):
        """Refuse (raise) when the step would give a to-do of this record
        to someone who may not read it (a 密级 document); step is the step
        definition of the process"""

    def _workflow_missing(self, name):
        value = getattr(self, name, None)
        return value in (None, '', [], ()) or (
            isinstance(value, tuple) and not value)

    def _workflow_label(self, name):
        return self.__class__.fields_get([name])[name]['string']

    def _workflow_step_name(self, step):
        process = (self.workflow.process if self.workflow
            else self.workflow_process())
        return process.step(step)['name'] if process else step

    def _workflow_text(self, name):
        "The value of field name as a person reads it"
        field = self._fields[name]
        value = getattr(self, name)
        if value is None or value == '' or value == ():
            return ''
        if field._type in {'one2many', 'many2many'}:
            return '、'.join(r.rec_name for r in value)
        if field._type in {'many2one', 'reference'}:
            return value.rec_name
        if field._type == 'boolean':
            return gettext('egov_workflow.msg_workflow_yes' if value
                else 'egov_workflow.msg_workflow_no')
        if field._type in {'selection', 'multiselection'}:
            selection = dict(self.__class__.fields_get([name])[name][
                    'selection'])
            if field._type == 'multiselection':
                return '、'.join(selection.get(v, v) for v in value)
            return selection.get(value, value)
        if field._type in {'date', 'datetime', 'timestamp'}:
            return value.isoformat(sep=' ')[:16] if field._type != 'date' \
                else value.isoformat()
        return str(value)

    # The engine's side

    def workflow_data(self):
        "The values the conditions and assignment rules of the process read"
        return self.workflow_values({name
                for rules in self._workflow_fields.values() for name in rules})

    def workflow_process(self):
        "The process this record runs on"
        Process = Pool().get('egov.workflow.process')
        user = Pool().get('res.user')(Transaction().user)
        return Process.for_record(self.__name__, user)

    def workflow_changed(self, instance):
        "The instance moved: keep the record's state in step"
        if self.workflow_state != instance.state:
            with without_check_access():
                self.__class__.write(
                    [self], {'workflow_state': instance.state})

    # Frozen once submitted; what a step hides is not read

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not external:
            return
        # A record is made as a draft: linking it to an instance or a
        # state over RPC would show another process's step and holder
        if ((mode == 'write' and set(values or {}) & ENGINE_FIELDS)
                or (mode == 'create' and any(r.workflow
                        or r.workflow_state != 'draft' for r in records))):
            raise WorkflowFrozenError(gettext(
                    'egov_workflow.msg_workflow_engine_fields',
                    model=cls.__names__()['model']))
        if mode not in {'write', 'delete'}:
            return
        # Who may not change these records at all is told so first, and
        # learns nothing of them
        check_write_access(cls, records)
        for record in records:
            if record.workflow_state != 'draft':
                # Once submitted, the record changes only through the
                # to-dos, as each step allows (the act dialog)
                raise WorkflowFrozenError(gettext(
                        'egov_workflow.msg_workflow_request_submitted',
                        request=record.rec_name))

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if Transaction().check_access and Transaction().user:
            hidden = cls._workflow_hidden(ids)
            if hidden:
                for row in result:
                    for name in hidden.get(row['id'], ()):
                        cls._workflow_hide(row, name)
        return result

    @classmethod
    def _workflow_hide(cls, row, name):
        "Remove what name stands for from a row read"
        if name in row:
            row[name] = None
        for key in list(row):
            if key.startswith(name + '.'):
                row[key] = None

    @classmethod
    def _workflow_hidden(cls, ids):
        """{record id: the names hidden from the user}: those every step
        the user holds or held in the record's process hides; the
        initiator reads the whole record"""
        pool = Pool()
        Instance = pool.get('egov.workflow.instance')
        Task = pool.get('egov.workflow.task')
        user = Transaction().user
        # Most reads are the initiator's: one query tells the others apart
        table = cls.__table__()
        instance = Instance.__table__()
        cursor = Transaction().connection.cursor()
        others = []
        for sub_ids in grouped_slice(ids, IN_MAX):
            cursor.execute(*table.join(instance,
                    condition=instance.id == table.workflow).select(table.id,
                    where=SQL_OPERATORS['in'](table.id, list(sub_ids))
                    & (instance.initiator != user)
                    & (table.workflow != Null)))
            others.extend(i for i, in cursor)
        result = {}
        with without_check_access():
            records = {r.workflow.id: r for r in cls.browse(others)}
            # The steps the user holds or held, of all the records at once
            steps = {}
            for sub_ids in grouped_slice(list(records), IN_MAX):
                for task in Task.search([
                            ('instance', 'in', list(sub_ids)),
                            ['OR', ('user', '=', user),
                                ('acting_for', '=', user)],
                            ], order=[]):
                    steps.setdefault(task.instance.id, set()).add(task.step)
            # What a step hides depends on the process and the step only
            hides = {}
            for instance_id, record in records.items():
                hidden = []
                for step in steps.get(instance_id, ()):
                    key = (record.workflow.process.id, step)
                    if key not in hides:
                        hides[key] = {n for n, r in
                            record.workflow_rules(step).items()
                            if r == 'hidden'}
                    hidden.append(hides[key])
                if hidden and set.intersection(*hidden):
                    result[record.id] = set.intersection(*hidden)
        return result

    # What a step hides is not searched, sorted or exported either
    # (security/field_guard.py in egov_base)

    @classmethod
    def _guard_field_tokens(cls, name):
        """The names field_guard uses for name: the field's own, or for a
        value of a form, the key of every Dict field (values.reason)"""
        if name in cls._fields:
            return {name}
        return {'%s.%s' % (n, name) for n, f in cls._fields.items()
            if f._type == 'dict'}

    @classmethod
    def _guard_partial_fields(cls, tokens):
        """The tokens (field names, Dict keys) hidden from the user on some
        of the records: those a step the user holds or held hides"""
        if set(tokens) <= NEVER_HIDDEN:
            return set()
        pool = Pool()
        Task = pool.get('egov.workflow.task')
        Instance = pool.get('egov.workflow.instance')
        Process = pool.get('egov.workflow.process')
        user = Transaction().user
        task = Task.__table__()
        instance = Instance.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*task.join(instance,
                condition=task.instance == instance.id).select(
                instance.process, task.step,
                where=((task.user == user) | (task.acting_for == user))
                & instance.record.like(cls.__name__ + ',%'),
                group_by=[instance.process, task.step]))
        hidden = set()
        with without_check_access():
            for process_id, step in cursor.fetchall():
                process = Process(process_id) if process_id else None
                try:
                    rules = cls.workflow_step_rules(process, step)
                except KeyError:
                    # A step no longer in the diagram
                    rules = {}
                hidden.update(n for n, r in rules.items() if r == 'hidden')
        refused = set()
        for name in hidden:
            refused |= cls._guard_field_tokens(name)
        return refused & set(tokens) | {t for t in refused
            if any(t.startswith(u + '.') for u in tokens)}

    @classmethod
    def _guard_hidden(cls, ids):
        "{record id: the tokens hidden from the user on the record}"
        result = {}
        for record_id, names in cls._workflow_hidden(ids).items():
            result[record_id] = set()
            for name in names:
                result[record_id] |= cls._guard_field_tokens(name)
        return result

    # Buttons

    @classmethod
    @ModelView.button
    def workflow_start(cls, records):
        pool = Pool()
        Instance = pool.get('egov.workflow.instance')
        # Buttons run without access checks: starting writes the record
        check_write_access(cls, records)
        starting = []
        for record in records:
            if record.workflow:
                raise TaskStateError(gettext(
                        'egov_workflow.msg_workflow_already_started',
                        record=record.rec_name))
            process = record.workflow_process()
            if not process:
                raise WorkflowError(gettext(
                        'egov_workflow.msg_workflow_no_process',
                        record=record.rec_name))
            starting.append((record, process))
        instances = Instance.start_many(starting)
        to_write = []
        for record, instance in zip(records, instances):
            to_write.extend(([record], {
                        'workflow': instance.id,
                        'workflow_state': instance.state,
                        }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    def workflow_urge(cls, records):
        "The initiator reminds the holders now (催办)"
        Instance = Pool().get('egov.workflow.instance')
        check_read_access(cls, records)
        Instance.urge([r.workflow for r in records if r.workflow])
