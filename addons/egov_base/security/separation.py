"""三员分立 kept apart in the accounts: nobody holding one of the three
administrator roles (system administrator, security administrator,
security auditor) changes the password, mobile, second factor, e-mail or
login of a holder of another of the three.

Such a reset follows a two-person procedure (账号重置申请): one
administrator files a request for a holder with a reason; a second person,
holding another of the three roles and neither the requester nor the
holder, approves it; only then is the holder's password replaced by a
one-time password sent by SMS to the holder's mobile (changed at the next
login) and, if asked, their second factor removed. Every step is a row of
the behaviour audit."""
import datetime
import logging
import secrets

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import SecurityError
from .roles import ROLES, Roles

logger = logging.getLogger(__name__)

# What makes an account: whoever changes one of these can log in as its
# holder (a password, a reset link to a new e-mail, SMS codes to a new
# mobile, no second factor) or take its login away
USER_FIELDS = {
    'password', 'password_hash', 'password_reset', 'password_reset_expire',
    'mobile', 'email', 'login', 'second_factor', 'password_must_change',
    }
# The employee's mobile receives SMS codes when the login has none
EMPLOYEE_FIELDS = {'mobile', 'user'}
ONE_TIME_DIGITS = 8


def roles_of_users(user_ids):
    "Return {user id: set of the three roles held}, none for the exempt"
    exempt = set(Roles.get()['exempt'])
    groups = Roles.users_groups([u for u in user_ids if u])
    return {u: (set() if u in exempt
            else set(Roles.roles_of_groups(g)))
        for u, g in groups.items()}


def role_names(roles):
    order = [r for r, _ in ROLES]
    return '、'.join(Roles.role_name(r)
        for r in sorted(roles, key=order.index))


def check_separation(user_ids, actor_id=None):
    """Refuse when the actor holds one of the three roles and one of the
    users holds another that the actor does not hold"""
    pool = Pool()
    User = pool.get('res.user')
    if actor_id is None:
        actor_id = Transaction().user
    if not actor_id or actor_id in Roles.get()['exempt']:
        return
    user_ids = {u for u in user_ids if u and u != actor_id}
    if not user_ids:
        return
    roles = roles_of_users(user_ids | {actor_id})
    mine = roles.pop(actor_id)
    if not mine:
        return
    for user_id, theirs in roles.items():
        other = theirs - mine
        if other:
            with without_check_access():
                name = User(user_id).rec_name
            raise AccessError(gettext(
                    'egov_base.msg_account_separation',
                    role=role_names(mine), user=name,
                    other=role_names(other)))


def record_audit(action, record, message, changes=None, result='success',
        apart=False):
    "A row of the behaviour audit through its public API"
    pool = Pool()
    Log = pool.get('egov.audit.log')
    values = dict(model=record.__name__, record_id=record.id,
        record_name=record.rec_name, result=result, message=message,
        method='%s.%s' % (record.__name__, action), changes=changes)
    if apart:
        Log.record_apart('button', **values)
    else:
        Log.record('button', **values)


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        super().check_modification(
            mode, users, values=values, external=external)
        if mode != 'write' or not external:
            return
        changed = set(values)
        if changed & USER_FIELDS:
            check_separation([u.id for u in users])
        actor = Transaction().user
        if any(u.id == actor for u in users):
            # One's own name, login, password and mobile are changed
            # through their own ways, which check who is asking
            if changed & {'name', 'login'}:
                raise AccessError(gettext('egov_base.msg_account_rename_self'))
            if changed & {'password', 'password_hash', 'password_reset'}:
                raise AccessError(gettext(
                        'egov_base.msg_account_password_self'))
            if 'mobile' in changed:
                raise AccessError(gettext(
                        'egov_base.msg_account_mobile_self'))

    @classmethod
    def reset_second_factor(cls, users):
        check_separation([u.id for u in users])
        super().reset_second_factor(users)

    @classmethod
    def reset_password(cls, users, length=8, from_=None):
        # Tryton's reset sends a password to the login's e-mail
        check_separation([u.id for u in users])
        super().reset_password(users, length=length, from_=from_)


class Employee(metaclass=PoolMeta):
    __name__ = 'egov.org.employee'

    @classmethod
    def check_modification(cls, mode, employees, values=None,
            external=False):
        super().check_modification(
            mode, employees, values=values, external=external)
        if mode == 'write' and external and set(values) & EMPLOYEE_FIELDS:
            users = {e.user.id for e in employees if e.user}
            if values.get('user'):
                users.add(values['user'])
            check_separation(users)


class AccountReset(Workflow, ModelSQL, ModelView):
    "A reset of an administrator's account, approved by a second person"
    __name__ = 'egov.security.account.reset'
    __string__ = "Account Reset Request"
    _egov_visibility = 'admin'

    _draft = {'readonly': Eval('state') != 'draft'}

    user = fields.Many2One(
        'res.user', "Account", required=True, ondelete='CASCADE',
        states=_draft,
        help="The account to reset.")
    reason = fields.Text("Reason", required=True, states=_draft)
    reset_password = fields.Boolean(
        "Reset Password", states=_draft,
        help="Replace the password by a one-time password sent by SMS; "
        "it is changed at the next login.")
    reset_second_factor = fields.Boolean(
        "Reset Second Factor", states=_draft,
        help="Remove the authenticator app: it is set up anew.")
    new_mobile = fields.Char(
        "New Mobile", states=_draft, size=20,
        help="Set only when the holder has a new number: the one-time "
        "password is sent to it.")
    requested_by = fields.Many2One(
        'res.user', "Requested By", readonly=True, ondelete='RESTRICT')
    requested_at = fields.DateTime("Requested At", readonly=True)
    decided_by = fields.Many2One(
        'res.user', "Decided By", readonly=True, ondelete='RESTRICT')
    decided_at = fields.DateTime("Decided At", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('requested', "Waiting for Approval"),
            ('done', "Done"),
            ('refused', "Refused"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'requested'),
            ('draft', 'cancelled'),
            ('requested', 'done'),
            ('requested', 'refused'),
            ('requested', 'cancelled'),
            }
        cls._buttons.update({
                'request': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'requested']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_reset_password(cls):
        return True

    @classmethod
    def default_reset_second_factor(cls):
        return False

    def get_rec_name(self, name):
        return '%s (%s)' % (self.user.rec_name, self.id)

    @classmethod
    def validate_fields(cls, requests, field_names):
        super().validate_fields(requests, field_names)
        for request in requests:
            if not (request.reset_password or request.reset_second_factor
                    or request.new_mobile):
                raise SecurityError(gettext(
                        'egov_base.msg_account_reset_nothing'))
            if request.new_mobile and not (
                    request.new_mobile.isdigit()
                    and len(request.new_mobile) == 11
                    and request.new_mobile.startswith('1')):
                raise SecurityError(gettext(
                        'egov_base.msg_account_mobile_invalid'))

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        # Only a draft is changed or deleted; the rest is evidence
        if external and mode in {'write', 'delete'}:
            allowed = {'state', 'requested_by', 'requested_at',
                'decided_by', 'decided_at'}
            if any(r.state != 'draft' for r in requests) and (
                    mode == 'delete' or set(values) - allowed):
                raise AccessError(gettext(
                        'egov_base.msg_account_reset_frozen'))

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    def request(cls, requests):
        actor = Transaction().user
        if not roles_of_users([actor])[actor]:
            raise AccessError(gettext('egov_base.msg_account_reset_role'))
        for request in requests:
            if request.user.id == actor:
                raise AccessError(gettext(
                        'egov_base.msg_account_reset_own'))
            request.requested_by = actor
            request.requested_at = _now()
        cls.save(requests)
        for request in requests:
            record_audit('request', request, gettext(
                    'egov_base.msg_account_reset_audit_request',
                    user=request.user.rec_name, reason=request.reason),
                changes=request._audit_changes())

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, requests):
        actor = Transaction().user
        for request in requests:
            if request.requested_by and request.requested_by.id != actor:
                raise AccessError(gettext(
                        'egov_base.msg_account_reset_cancel_other'))
        for request in requests:
            record_audit('cancel', request, gettext(
                    'egov_base.msg_account_reset_audit_cancel',
                    user=request.user.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, requests):
        for request in requests:
            request._check_approver()
            request.decided_by = Transaction().user
            request.decided_at = _now()
        cls.save(requests)
        for request in requests:
            record_audit('refuse', request, gettext(
                    'egov_base.msg_account_reset_audit_refuse',
                    user=request.user.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def approve(cls, requests):
        for request in requests:
            request._check_approver()
        for request in requests:
            request.decided_by = Transaction().user
            request.decided_at = _now()
            sent_to = request._apply()
            record_audit('approve', request, gettext(
                    'egov_base.msg_account_reset_audit_approve',
                    user=request.user.rec_name,
                    requester=request.requested_by.rec_name,
                    mobile=_mask(sent_to)),
                changes=request._audit_changes())
        cls.save(requests)

    def _audit_changes(self):
        "What the request changes, never a secret"
        return {
            'user': self.user.id,
            'reset_password': bool(self.reset_password),
            'reset_second_factor': bool(self.reset_second_factor),
            'new_mobile': _mask(self.new_mobile) if self.new_mobile else None,
            }

    def _check_approver(self):
        "The approver is a second person, of another of the three roles"
        actor = Transaction().user
        requester = self.requested_by.id if self.requested_by else None
        roles = roles_of_users([actor, requester])
        if (actor in {requester, self.user.id}
                or not roles[actor]
                or not (roles[actor] - roles.get(requester, set()))):
            record_audit('approve', self, gettext(
                    'egov_base.msg_account_reset_approver'),
                result='refused', apart=True)
            raise AccessError(gettext(
                    'egov_base.msg_account_reset_approver'))

    def _apply(self):
        """Reset the account as asked; return the number the one-time
        password went to"""
        pool = Pool()
        User = pool.get('res.user')
        TOTP = pool.get('egov.security.totp')
        Session = pool.get('ir.session')
        user = self.user
        with without_check_access():
            if self.new_mobile:
                User.write([user], {'mobile': self.new_mobile})
            mobile = User._sms_mobile(user.id) if hasattr(
                User, '_sms_mobile') else None
            if self.reset_password:
                if not mobile:
                    raise SecurityError(gettext(
                            'egov_base.msg_account_reset_no_mobile',
                            user=user.rec_name))
                one_time = ''.join(secrets.choice('0123456789')
                    for _ in range(ONE_TIME_DIGITS))
                table = User.__table__()
                cursor = Transaction().connection.cursor()
                # Written as a hash directly: a one-time password is not
                # held to the policy, it is changed at the next login
                cursor.execute(*table.update(
                        [table.password_hash, table.password_reset],
                        [User.hash_password(one_time), None],
                        where=table.id == user.id))
                User.write([user], {
                        'password_date': datetime.datetime.now(),
                        'password_must_change': True,
                        'password_change_reason': 'reset',
                        })
                _send_one_time(user, mobile, one_time)
            if self.reset_second_factor:
                TOTP.remove([user.id])
                User.write([user], {'second_factor': None})
            # Whoever used the account until now is out
            Session.delete(Session.search([('create_uid', '=', user.id)]))
        return mobile if self.reset_password else None


def _send_one_time(user, mobile, code):
    from .sms import send_notice
    with Transaction().set_context(language=(
                user.language.code if user.language else None)):
        text = gettext('egov_base.msg_account_reset_sms', code=code)
    send_notice(text, mobile)


def _mask(number):
    from .sms import _mask
    return _mask(number) if number else ''


def _now():
    return datetime.datetime.now().replace(microsecond=0)
