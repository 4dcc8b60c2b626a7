"""Common phrases (常用语) to pick when writing an opinion: a person's own,
their unit's (kept by the organisation administrators of its county) and
the platform's (shipped in data.xml, for everybody). Shown in that order:
one's own first."""
from sql import Literal, Null
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import WorkflowError

SCOPES = [
    ('personal', "Mine"),
    ('unit', "My Unit"),
    ('common', "Everyone"),
    ]


class Phrase(ModelSQL, ModelView):
    "Common phrase"
    __name__ = 'egov.workflow.phrase'
    __string__ = "Common Phrase"
    _egov_visibility = 'unit'

    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='CASCADE',
        help="Whose own phrase it is; empty for a unit's or everybody's.")
    unit = fields.Many2One(
        'egov.org.unit', "Unit", ondelete='CASCADE',
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="Shared with all the people of the unit; kept by the "
        "organisation administrators of its county. Leave empty for a "
        "phrase of one's own.")
    scope = fields.Function(
        fields.Selection(SCOPES, "For"), 'get_scope')
    editable = fields.Function(
        fields.Boolean("Editable"), 'get_editable')
    usable = fields.Function(
        fields.Boolean("Usable"), 'get_usable', searcher='search_usable')
    text = fields.Char("Phrase", required=True, strip=True, size=200,
        states={
            'readonly': ~Eval('editable', True),
            })
    sequence = fields.Integer("Sequence",
        states={
            'readonly': ~Eval('editable', True),
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.user, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                })
        cls._order = [
            ('scope', 'ASC'), ('sequence', 'ASC NULLS LAST'), ('id', 'ASC')]

    @classmethod
    def order_scope(cls, tables):
        table, _ = tables[None]
        return [Case(
                (table.user != Null, Literal(0)),
                (table.unit != Null, Literal(1)),
                else_=Literal(2))]

    @classmethod
    def default_editable(cls):
        return True

    def get_scope(self, name):
        if self.user:
            return 'personal'
        return 'unit' if self.unit else 'common'

    @classmethod
    def get_editable(cls, phrases, name):
        return {p.id: cls._may_change(p.user, p.unit) for p in phrases}

    @classmethod
    def get_usable(cls, phrases, name):
        found = {p.id for p in cls.search([
                    ('id', 'in', [p.id for p in phrases]),
                    ('usable', '=', True)])}
        return {p.id: p.id in found for p in phrases}

    @classmethod
    def search_usable(cls, name, clause):
        "One's own, those of one's units and everybody's"
        User = Pool().get('res.user')
        scope = User.get_org_scope()
        units = set(scope['units']) | {
            scope[k] for k in ['unit', 'department'] if scope[k]}
        domain = ['OR',
            ('user', '=', Transaction().user),
            ('unit', 'in', list(units)),
            [('user', '=', None), ('unit', '=', None)],
            ]
        _, operator, value = clause
        if (operator == '=') != bool(value):
            domain = ['NOT', domain]
        return [domain]

    @staticmethod
    def _admin_groups():
        "The ids of the organisation administrators' groups: (county, city)"
        ModelData = Pool().get('ir.model.data')
        return (ModelData.get_id('egov_base', 'group_org_admin'),
            ModelData.get_id('egov_base', 'group_org_admin_city'))

    @classmethod
    def _may_change(cls, user, unit):
        """Whether the current user may change a phrase of user (one's own)
        or of unit (its county's organisation administrators) or, neither
        given, everybody's (the city's)"""
        pool = Pool()
        User = pool.get('res.user')
        current = Transaction().user
        if not current:
            return True
        if user:
            return user.id == current
        groups = set(User.get_groups())
        county, city = cls._admin_groups()
        if city in groups:
            return True
        if unit and county in groups:
            return unit.division.id == User.get_org_scope()['division']
        return False

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        values = super().preprocess_values(mode, values)
        transaction = Transaction()
        if mode == 'create' and transaction.user:
            # One's own unless it is given to a unit
            values['user'] = (None if values.get('unit')
                else transaction.user)
            # Said in words before the record rules refuse in theirs
            if values.get('unit'):
                unit = Unit(values['unit'])
                if not cls._may_change(None, unit):
                    raise WorkflowError(gettext(
                            'egov_workflow.msg_act_phrase_unit_admin',
                            unit=unit.rec_name))
        return values

    @classmethod
    def check_modification(cls, mode, phrases, values=None, external=False):
        pool = Pool()
        Unit = pool.get('egov.org.unit')
        super().check_modification(
            mode, phrases, values=values, external=external)
        if not external:
            return
        # Said in words before the record rules refuse in theirs
        for phrase in phrases:
            if not cls._may_change(phrase.user, phrase.unit):
                if phrase.unit:
                    raise WorkflowError(gettext(
                            'egov_workflow.msg_act_phrase_unit_admin',
                            unit=phrase.unit.rec_name))
                raise WorkflowError(gettext(
                        'egov_workflow.msg_act_phrase_not_yours',
                        phrase=phrase.text))
        if mode == 'write' and values and values.get('unit'):
            unit = Unit(values['unit'])
            if not cls._may_change(None, unit):
                raise WorkflowError(gettext(
                        'egov_workflow.msg_act_phrase_unit_admin',
                        unit=unit.rec_name))

    def get_rec_name(self, name):
        return self.text
