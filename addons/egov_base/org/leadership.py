"""Leaders in charge (分管领导): the units a leader is responsible for."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool

from ..exceptions import OrgValidationError
from . import scope
from .assignment import DatedMixin


class Leadership(DatedMixin, ModelSQL, ModelView):
    __name__ = 'egov.org.leadership'
    __string__ = "Leader in Charge"
    _egov_visibility = 'parent'

    leader = fields.Many2One(
        'egov.org.employee', "Leader", required=True, ondelete='CASCADE')
    unit = fields.Many2One(
        'egov.org.unit', "Unit in Charge", required=True,
        ondelete='RESTRICT', domain=[('kind', '=', 'unit')])
    note = fields.Char("Note", strip=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('leader')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.leader, Index.Range())),
                Index(t, (t.unit, Index.Range())),
                })
        cls._order = [
            ('start_date', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]

    def get_rec_name(self, name):
        return '%s → %s' % (self.leader.name, self.unit.name)

    @classmethod
    def validate_fields(cls, leaderships, field_names):
        super().validate_fields(leaderships, field_names)
        cls.check_unique(leaderships, field_names)

    @classmethod
    def check_unique(cls, leaderships, field_names=None):
        if field_names and not {
                'leader', 'unit', 'start_date', 'end_date'
                } & set(field_names):
            return
        for leadership in leaderships:
            if not leadership.current:
                continue
            others = cls.search([
                    ('leader', '=', leadership.leader.id),
                    ('unit', '=', leadership.unit.id),
                    ('current', '=', True),
                    ('id', '!=', leadership.id),
                    ], limit=1)
            if others:
                raise OrgValidationError(gettext(
                        'egov_base.msg_leadership_duplicate',
                        leader=leadership.leader.name,
                        unit=leadership.unit.name))

    @classmethod
    def create(cls, vlist):
        scope.check_create(cls, vlist)
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, leaderships, values=None,
            external=False):
        super().check_modification(
            mode, leaderships, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            before = [{'leader': l.leader.id, 'unit': l.unit.id}
                for l in leaderships]
            cls.check_scope(before, own=mode == 'delete')
            if mode == 'write':
                cls.check_scope([{**b, **values} for b in before])

    @classmethod
    def check_scope(cls, rows, own=False):
        """Refuse a leader or a unit outside the organisation of the
        administrator: the units one leads open their records to him; and
        nobody makes himself the leader of a unit (but to end it: own)"""
        division = scope.administered_division()
        for row in rows:
            scope.check([
                    ('egov.org.employee', row.get('leader')),
                    ('egov.org.unit', row.get('unit')),
                    ], division)
            if not own:
                scope.check_not_self(employee_ids=[row.get('leader')],
                    record=scope.rec_name('egov.org.unit', row.get('unit')))

    @classmethod
    def on_modification(cls, mode, leaderships, field_names=None):
        pool = Pool()
        User = pool.get('res.user')
        super().on_modification(mode, leaderships, field_names=field_names)
        User.clear_org_caches()
