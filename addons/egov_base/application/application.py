"""Applications (应用) and their per-county switches (按县区启用).

Every egov module registers itself as one or more applications: the roles
(groups) it owns and the models it holds. A city administrator switches
each application on or off for each county or zone; where it is off, its
roles are taken from that county's users (so its menus disappear) and every
call on its models is refused."""
from sql import Literal
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from ..exceptions import OrgError, OrgValidationError


class Application(ModelSQL, ModelView):
    __name__ = 'egov.application'
    __string__ = "Application"
    _egov_visibility = 'city'

    code = fields.Char("Code", required=True, readonly=True)
    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True)
    module = fields.Char("Module", readonly=True)
    core = fields.Boolean(
        "Core", readonly=True,
        help="A core application is always on and has no switches.")
    default_enabled = fields.Boolean(
        "On by Default",
        help="Whether a new county or zone gets the application switched on.")
    sequence = fields.Integer("Sequence")
    roles = fields.One2Many(
        'egov.application.role', 'application', "Roles")
    models = fields.One2Many(
        'egov.application.model', 'application', "Models", readonly=True)
    switches = fields.One2Many(
        'egov.application.switch', 'application', "Switches",
        states={
            'invisible': Eval('core', False),
            })
    enabled_count = fields.Function(
        fields.Char("Switched On"), 'get_enabled_count')
    _model_cache = Cache('egov_application.models', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'egov_base.msg_application_code_unique'),
            ]
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_default_enabled(cls):
        return True

    @classmethod
    def default_sequence(cls):
        return 100

    @classmethod
    def get_enabled_count(cls, applications, name):
        pool = Pool()
        Switch = pool.get('egov.application.switch')
        result = {}
        for application in applications:
            if application.core:
                result[application.id] = None
                continue
            total = Switch.search(
                [('application', '=', application.id)], count=True)
            enabled = Switch.search([
                    ('application', '=', application.id),
                    ('enabled', '=', True),
                    ], count=True)
            result[application.id] = '%s / %s' % (enabled, total)
        return result

    @classmethod
    def on_modification(cls, mode, applications, field_names=None):
        pool = Pool()
        Switch = pool.get('egov.application.switch')
        Unit = pool.get('egov.org.unit')
        super().on_modification(mode, applications, field_names=field_names)
        if mode == 'create':
            divisions = Unit.search([
                    ('kind', 'in', ['county', 'zone']),
                    ('active', 'in', [True, False]),
                    ])
            Switch.create_missing(divisions, applications)
        Switch.clear_caches()

    @classmethod
    def model_applications(cls):
        "Return a dict of model name to the id of the application holding it"
        mapping = cls._model_cache.get(None)
        if mapping is None:
            table = Pool().get('egov.application.model').__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.model, table.application))
            mapping = dict(cursor)
            cls._model_cache.set(None, mapping)
        return mapping

    @classmethod
    def disabled_for_model(cls, model_name):
        """Return the id of the application holding model_name if it is
        switched off for the current user, else None"""
        pool = Pool()
        User = pool.get('res.user')
        disabled = User.get_org_scope()['disabled_applications']
        if not disabled:
            return None
        application = cls.model_applications().get(model_name)
        if application in disabled:
            return application
        return None


class ApplicationRole(ModelSQL, ModelView):
    "Role of an application"
    __name__ = 'egov.application.role'
    __string__ = "Application Role"
    _egov_visibility = 'parent'

    application = fields.Many2One(
        'egov.application', "Application", required=True,
        ondelete='CASCADE')
    group = fields.Many2One(
        'res.group', "Group", required=True, ondelete='CASCADE')
    all_staff = fields.Boolean(
        "All Staff",
        help="Every employee has this role while the application is on.")
    _staff_cache = Cache('egov_application_role.staff', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')
        t = cls.__table__()
        cls._sql_constraints += [
            ('group_unique', Unique(t, t.application, t.group),
                'egov_base.msg_application_role_unique'),
            ]

    @classmethod
    def staff_groups(cls):
        "Return the ids of the groups every employee has"
        groups = cls._staff_cache.get(None)
        if groups is None:
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.group,
                    where=table.all_staff == Literal(True)))
            groups = tuple(sorted({g for g, in cursor}))
            cls._staff_cache.set(None, groups)
        return groups

    @classmethod
    def on_modification(cls, mode, roles, field_names=None):
        pool = Pool()
        Switch = pool.get('egov.application.switch')
        super().on_modification(mode, roles, field_names=field_names)
        cls._staff_cache.clear()
        Switch.clear_caches()


class ApplicationModel(ModelSQL, ModelView):
    "Model of an application"
    __name__ = 'egov.application.model'
    __string__ = "Application Model"
    _egov_visibility = 'parent'

    application = fields.Many2One(
        'egov.application', "Application", required=True,
        ondelete='CASCADE')
    model = fields.Char("Model", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')
        t = cls.__table__()
        cls._sql_constraints += [
            ('model_unique', Unique(t, t.model),
                'egov_base.msg_application_model_unique'),
            ]

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        pool = Pool()
        for record in records:
            try:
                pool.get(record.model)
            except KeyError:
                raise OrgValidationError(gettext(
                        'egov_base.msg_application_model_unknown',
                        model=record.model))

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        pool = Pool()
        Application = pool.get('egov.application')
        super().on_modification(mode, records, field_names=field_names)
        Application._model_cache.clear()


class Switch(ModelSQL, ModelView):
    "Application switch of a county or zone"
    __name__ = 'egov.application.switch'
    __string__ = "Application Switch"
    _egov_visibility = 'admin'

    application = fields.Many2One(
        'egov.application', "Application", required=True, readonly=True,
        ondelete='CASCADE', domain=[('core', '=', False)])
    division = fields.Many2One(
        'egov.org.unit', "County or Zone", required=True, readonly=True,
        ondelete='CASCADE', domain=[('kind', 'in', ['county', 'zone'])])
    enabled = fields.Boolean("On")
    changed_by = fields.Function(
        fields.Many2One('res.user', "Changed By"), 'get_changed')
    changed_at = fields.Function(
        fields.DateTime("Changed At"), 'get_changed')
    _disabled_cache = Cache('egov_application_switch.disabled', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('division_unique', Unique(t, t.application, t.division),
                'egov_base.msg_application_switch_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.division, Index.Range())))
        cls._order = [
            ('division', 'ASC'),
            ('application', 'ASC'),
            ('id', 'ASC'),
            ]

    def get_rec_name(self, name):
        return '%s - %s' % (self.division.name, self.application.name)

    def get_changed(self, name):
        if name == 'changed_by':
            user = self.write_uid or self.create_uid
            return user.id if user else None
        changed = self.write_date or self.create_date
        # A DateTime holds whole seconds; timestamps carry microseconds
        return changed.replace(microsecond=0) if changed else None

    @classmethod
    def create_missing(cls, divisions, applications=None):
        "Create the switches the divisions lack, with the default state"
        pool = Pool()
        Application = pool.get('egov.application')
        if not divisions:
            return
        if applications is None:
            applications = Application.search([('core', '=', False)])
        applications = [a for a in applications if not a.core]
        existing = {(s.application.id, s.division.id) for s in cls.search([
                    ('division', 'in', [d.id for d in divisions]),
                    ])}
        to_create = [{
                'application': a.id,
                'division': d.id,
                'enabled': a.default_enabled,
                } for a in applications for d in divisions
            if (a.id, d.id) not in existing]
        if to_create:
            cls.create(to_create)

    @classmethod
    def disabled_for_division(cls, division_id):
        """Return the ids of the applications switched off for the division
        and of the roles they take away, as two tuples"""
        if not division_id:
            return (), ()
        result = cls._disabled_cache.get(division_id)
        if result is None:
            pool = Pool()
            Role = pool.get('egov.application.role')
            switch = cls.__table__()
            role = Role.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*switch.select(switch.application,
                    where=(switch.division == division_id)
                    & (switch.enabled == Literal(False))))
            applications = tuple(sorted(a for a, in cursor))
            groups = ()
            if applications:
                cursor.execute(*role.select(role.group,
                        where=role.application.in_(list(applications))))
                groups = tuple(sorted({g for g, in cursor}))
            result = (applications, groups)
            cls._disabled_cache.set(division_id, result)
        return result

    @classmethod
    def clear_caches(cls):
        pool = Pool()
        User = pool.get('res.user')
        cls._disabled_cache.clear()
        User.clear_org_caches()

    @classmethod
    def check_modification(cls, mode, switches, values=None, external=False):
        super().check_modification(
            mode, switches, values=values, external=external)
        if external and mode == 'delete':
            raise OrgError(gettext('egov_base.msg_application_switch_delete'))

    @classmethod
    def on_modification(cls, mode, switches, field_names=None):
        super().on_modification(mode, switches, field_names=field_names)
        cls.clear_caches()
