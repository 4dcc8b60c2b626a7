"""The columns of the organisation's Excel files, shared by the exports and
the imports so that an exported file can be edited and imported again."""
from trytond.i18n import gettext

from ..excel.reader import Column


def unit_columns():
    return [
        Column('code', gettext('egov_base.msg_column_code'),
            required=True, max_length=32),
        Column('name', gettext('egov_base.msg_column_name'),
            required=True, max_length=100),
        Column('kind', gettext('egov_base.msg_column_kind'),
            required=True, max_length=20),
        Column('parent', gettext('egov_base.msg_column_parent_code'),
            max_length=32),
        Column('short_name', gettext('egov_base.msg_column_short_name'),
            max_length=50),
        Column('uscc', gettext('egov_base.msg_column_uscc'), max_length=30),
        Column('sequence', gettext('egov_base.msg_column_sequence'),
            kind='integer'),
        Column('phone', gettext('egov_base.msg_column_phone'),
            max_length=30),
        Column('address', gettext('egov_base.msg_column_address'),
            max_length=200),
        ]


def employee_columns():
    return [
        Column('number', gettext('egov_base.msg_column_number'),
            required=True, max_length=32),
        Column('name', gettext('egov_base.msg_column_person_name'),
            required=True, max_length=50),
        Column('gender', gettext('egov_base.msg_column_gender'),
            max_length=10),
        Column('unit', gettext('egov_base.msg_column_unit_code'),
            required=True, max_length=32),
        Column('department',
            gettext('egov_base.msg_column_department_code'), max_length=32),
        Column('title', gettext('egov_base.msg_column_title'),
            max_length=50),
        Column('posts', gettext('egov_base.msg_column_posts'),
            max_length=200),
        Column('mobile', gettext('egov_base.msg_column_mobile'),
            max_length=20),
        Column('phone', gettext('egov_base.msg_column_office_phone'),
            max_length=30),
        Column('email', gettext('egov_base.msg_column_email'),
            max_length=100),
        Column('login', gettext('egov_base.msg_column_login'),
            max_length=64),
        Column('sequence', gettext('egov_base.msg_column_sequence'),
            kind='integer'),
        ]


def split_list(value):
    "Split a cell listing several values (、，,；; or new lines)"
    if not value:
        return []
    for separator in '、，,；;\n':
        value = value.replace(separator, '\n')
    return [v.strip() for v in value.split('\n') if v.strip()]
