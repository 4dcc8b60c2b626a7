"""The security policy, set by the security administrator. The defaults
come from the server configuration ([egov] …) and follow GB/T 22239-2019
level 3."""
from types import SimpleNamespace

from trytond import config
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.transaction import without_check_access

DEFAULTS = {
    'password_length': 8,
    'password_classes': 3,
    'password_history': 5,
    'password_max_age': 90,
    'password_min_score': 3,
    'lockout_attempts': 5,
    'lockout_address_attempts': 20,
    'lockout_minutes': 15,
    'weak_scan_candidates': 40,
    }


def default(name):
    return config.getint('egov', name, default=DEFAULTS[name])


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'egov.security.configuration'
    __string__ = "Security Policy"
    _egov_visibility = 'admin'

    password_length = fields.Integer(
        "Minimum Password Length", required=True,
        domain=[('password_length', '>=', 8), ('password_length', '<=', 64)])
    password_classes = fields.Integer(
        "Character Classes", required=True,
        domain=[('password_classes', '>=', 2), ('password_classes', '<=', 4)],
        help="How many of upper case, lower case, digits and symbols "
        "a password must mix.")
    password_history = fields.Integer(
        "Password History", required=True,
        domain=[('password_history', '>=', 0),
            ('password_history', '<=', 24)],
        help="A new password may not be one of this many last passwords.")
    password_max_age = fields.Integer(
        "Password Maximum Age", required=True,
        domain=[('password_max_age', '>=', 0),
            ('password_max_age', '<=', 365)],
        help="In days; after it the password must be changed at login. "
        "0 means never.")
    password_min_score = fields.Integer(
        "Minimum Strength", required=True,
        domain=[('password_min_score', '>=', 0),
            ('password_min_score', '<=', 4)],
        help="From 0 (very weak) to 4 (very strong), as the strength "
        "meter shows it.")
    lockout_attempts = fields.Integer(
        "Failures Before Lock", required=True,
        domain=[('lockout_attempts', '>=', 3),
            ('lockout_attempts', '<=', 10)],
        help="Failed logins of one account within the lock duration "
        "that lock it.")
    lockout_address_attempts = fields.Integer(
        "Failures Before Locking an Address", required=True,
        domain=[('lockout_address_attempts', '>=', 5),
            ('lockout_address_attempts', '<=', 1000)],
        help="Failed logins from one network address (of any account) "
        "within the lock duration that lock the address. Offices reach "
        "the platform through shared addresses: keep it above the "
        "failures of one account.")
    lockout_minutes = fields.Integer(
        "Lock Duration", required=True,
        domain=[('lockout_minutes', '>=', 1),
            ('lockout_minutes', '<=', 1440)],
        help="In minutes.")
    weak_scan_candidates = fields.Integer(
        "Weak Passwords Tried per Account", required=True,
        domain=[('weak_scan_candidates', '>=', 1),
            ('weak_scan_candidates', '<=', 500)],
        help="Passwords are stored as slow hashes: each candidate costs "
        "about 0.1 second of server time per account.")

    @classmethod
    def default_password_length(cls):
        return max(default('password_length'),
            config.getint('password', 'length', default=0))

    @classmethod
    def default_password_classes(cls):
        return default('password_classes')

    @classmethod
    def default_password_history(cls):
        return default('password_history')

    @classmethod
    def default_password_max_age(cls):
        return default('password_max_age')

    @classmethod
    def default_password_min_score(cls):
        return default('password_min_score')

    @classmethod
    def default_lockout_attempts(cls):
        return default('lockout_attempts')

    @classmethod
    def default_lockout_address_attempts(cls):
        return default('lockout_address_attempts')

    @classmethod
    def default_lockout_minutes(cls):
        return default('lockout_minutes')

    @classmethod
    def default_weak_scan_candidates(cls):
        return default('weak_scan_candidates')

    @classmethod
    def policy(cls):
        "Return the policy as a plain namespace, whoever asks"
        with without_check_access():
            values, = cls.read([1], list(DEFAULTS))
        return SimpleNamespace(**{k: values[k] for k in DEFAULTS})
