"""Changing one's password, with its strength shown while typing."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.res.user import PasswordError
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import weak
from .lock import remote_address
from .exceptions import SecurityError
from .user import PASSWORD_MAX, strength

LEVELS = [
    'msg_security_level_very_weak',
    'msg_security_level_weak',
    'msg_security_level_fair',
    'msg_security_level_strong',
    'msg_security_level_very_strong',
    ]


class ChangeStart(ModelView):
    __name__ = 'egov.security.password.change.start'
    __string__ = "Change Password"

    current_password = fields.Char(
        "Current Password", required=True, strip=False)
    new_password = fields.Char(
        "New Password", required=True, strip=False,
        help="At least 8 characters mixing upper and lower case letters, "
        "digits and symbols; not your name, login or unit, nor one of "
        "your last passwords.")
    confirm_password = fields.Char(
        "Confirm New Password", required=True, strip=False)
    strength = fields.Float(
        "Strength", digits=(1, 2), readonly=True)
    strength_text = fields.Char("Assessment", readonly=True)

    @fields.depends('new_password')
    def on_change_new_password(self):
        self.strength, self.strength_text = assess(self.new_password)

    @fields.depends('new_password', 'confirm_password')
    def on_change_confirm_password(self):
        if (self.confirm_password and self.new_password
                and self.confirm_password != self.new_password):
            self.strength_text = gettext(
                'egov_base.msg_security_password_mismatch_form')
        else:
            self.strength, self.strength_text = assess(self.new_password)


def assess(password):
    "Return (strength from 0 to 1, text) of password for the current user"
    pool = Pool()
    User = pool.get('res.user')
    if not password:
        return 0.0, ''
    if len(password) > PASSWORD_MAX:
        return 0.0, gettext('egov_base.msg_security_password_too_long',
            length=PASSWORD_MAX)
    user_id = Transaction().user
    words = ()
    if user_id:
        with without_check_access():
            user = User(user_id)
            words = [w for w in [user.login, user.name,
                    *weak.user_words(user)[2]] if w]
    score, message = strength(password, words)
    text = gettext('egov_base.' + LEVELS[score])
    problem = None
    if user_id:
        try:
            with without_check_access():
                User._check_password_policy(password, [User(user_id)],
                    pool.get('egov.security.configuration').policy())
        except PasswordError as exception:
            problem = exception.message
    if problem:
        text = '%s: %s' % (text, problem)
        score = min(score, 1)
    elif message:
        text = '%s: %s' % (text, gettext('egov_base.' + message))
    return (score + 1) / 5, text


class Change(Wizard):
    "Change one's own password"
    __name__ = 'egov.security.password.change'

    start = StateView('egov.security.password.change.start',
        'egov_base.password_change_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Change", 'change', 'tryton-ok', default=True),
            ])
    change = StateTransition()

    def transition_change(self):
        pool = Pool()
        User = pool.get('res.user')
        Failure = pool.get('egov.security.login.failure')
        Lock = pool.get('egov.security.login.lock')
        user_id = Transaction().user
        with without_check_access():
            user = User(user_id)
            lock = Lock.active_for(user.login, remote_address())
            if lock:
                raise SecurityError(lock.message())
            current = self.start.current_password or ''
            hash_ = User._password_hashes([user_id])[user_id]
            valid = (len(current) <= PASSWORD_MAX and hash_
                and User.check_password(current, hash_)[0])
            if not valid:
                # Guessing the password through this form counts as much
                # as through the login
                Failure.add(user.login)
                Transaction().commit()
                raise SecurityError(gettext(
                        'egov_base.msg_security_password_current'))
            if self.start.new_password != self.start.confirm_password:
                raise SecurityError(gettext(
                        'egov_base.msg_security_password_mismatch_form'))
            User.write([user], {'password': self.start.new_password})
        return 'end'
