"""每周督查工作进展情况: the weekly progress report of the key tasks a
person sees, rendered to Word by docxtpl from a template the administrator
may replace by uploading another on the report action (the default is
templates/weekly_report.docx, written by templates/weekly_source.py).

The names a template may use:
    title, unit, period, printed, more (a note when the list is cut)
    counts.total / .green / .yellow / .red / .done
    tasks: number, title, lead_unit, deadline, light, feedback
    overdue: number, title, lead_unit, deadline, days, owner
    reminders: date, task, level, recipients, note

Every search runs with the person's record rules: a county's report holds
its tasks and their children, never another county's."""
import datetime
import io

from jinja2.sandbox import SandboxedEnvironment

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateReport, StateView, Wizard

from .exceptions import SupervisionError
from .task import OPEN_STATES

# A report for a city government fits on a few pages: beyond this the
# list is cut and says so
MAX_TASKS = 500
MAX_REMINDERS = 500
FEEDBACK_CHARS = 200
# A user template larger than this is not a weekly report
MAX_TEMPLATE = 10 * 1024 * 1024


def chinese_date(value):
    return '%d年%d月%d日' % (value.year, value.month, value.day) if value else ''


def week_of(date):
    "Monday and Sunday of the week of date"
    monday = date - datetime.timedelta(days=date.weekday())
    return monday, monday + datetime.timedelta(days=6)


def short(text, size=FEEDBACK_CHARS):
    text = ' '.join((text or '').split())
    return text if len(text) <= size else text[:size - 1] + '…'


class ActionReport(metaclass=PoolMeta):
    __name__ = 'ir.action.report'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The weekly report's template is a Word file (docxtpl), rendered
        # by WeeklyReport itself
        docx = ('docx', 'Microsoft Word')
        if docx not in cls.template_extension.selection:
            cls.template_extension.selection.append(docx)


class TranslationSet(metaclass=PoolMeta):
    __name__ = 'ir.translation.set'

    def extract_report_docx(self, content):
        "The Word template is written in Chinese: nothing to translate"
        return []


class WeeklyStart(ModelView):
    __name__ = 'egov.supervision.weekly.start'
    __string__ = "Weekly Progress Report"

    date = fields.Date("Week Of", required=True,
        help="Any day of the week to report on.")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class Weekly(Wizard):
    "Weekly Progress Report"
    __name__ = 'egov.supervision.weekly'
    start = StateView('egov.supervision.weekly.start',
        'egov_supervision.weekly_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('egov.supervision.weekly.report')

    def do_print_(self, action):
        return action, {'date': self.start.date}

    def transition_print_(self):
        return 'end'


class WeeklyReport(Report):
    __name__ = 'egov.supervision.weekly.report'

    @classmethod
    def _execute(cls, records, header, data, action):
        ActionReport = Pool().get('ir.action.report')
        # The template is the action's, whoever prints
        with without_check_access():
            template = ActionReport(action.id).report_content
        return 'docx', render(template, cls.values(data))

    @classmethod
    def values(cls, data):
        pool = Pool()
        Date = pool.get('ir.date')
        User = pool.get('res.user')
        Unit = pool.get('egov.org.unit')
        today = Date.today()
        date = data.get('date') or today
        if isinstance(date, str):
            date = datetime.date.fromisoformat(date)
        monday, sunday = week_of(date)
        tasks = cls.tasks(monday, sunday)
        # Days overdue as of today, the week's last day for a past week, or
        # the day chosen for a week still to come
        as_of = min(today, sunday) if today >= monday else date
        unit_id = User.get_org_scope(Transaction().user)['unit']
        with without_check_access():
            unit = Unit(unit_id) if unit_id else None
        values = {
            'title': gettext('egov_supervision.msg_weekly_title'),
            'unit': unit.name if unit else '',
            'period': '%s—%s' % (chinese_date(monday), chinese_date(sunday)),
            'printed': gettext('egov_supervision.msg_weekly_printed',
                date=chinese_date(today)),
            'counts': cls.counts(monday, sunday),
            'tasks': cls.task_rows(tasks),
            'overdue': cls.overdue_rows(tasks, as_of),
            'reminders': cls.reminder_rows(monday, sunday),
            'more': '',
            }
        if values['counts']['total'] > len(tasks):
            values['more'] = gettext('egov_supervision.msg_weekly_more',
                shown=len(tasks), total=values['counts']['total'])
        return values

    @staticmethod
    def domain(monday, sunday):
        "Open now, or closed in the week"
        return ['OR',
            ('state', 'in', list(OPEN_STATES)),
            [('state', '=', 'closed'),
                ('closed_date', '>=', monday),
                ('closed_date', '<=', sunday)],
            ]

    @classmethod
    def tasks(cls, monday, sunday):
        Task = Pool().get('egov.supervision.task')
        tasks = Task.search(cls.domain(monday, sunday),
            order=[('deadline', 'ASC'), ('id', 'ASC')], limit=MAX_TASKS)
        # Red first, then yellow, green and the closed ones
        rank = {'red': 0, 'yellow': 1, 'green': 2, '': 3, 'done': 4}
        return sorted(tasks, key=lambda t: rank.get(t.light or '', 3))

    @classmethod
    def counts(cls, monday, sunday):
        Task = Pool().get('egov.supervision.task')
        domain = cls.domain(monday, sunday)
        counts = {'total': Task.search_count(domain)}
        for light in ['green', 'yellow', 'red']:
            counts[light] = Task.search_count([domain,
                    ('state', '!=', 'closed'), ('light', '=', light)])
        counts['done'] = Task.search_count([domain,
                ('state', '=', 'closed')])
        return counts

    @staticmethod
    def labels(Model, name):
        return dict(Model.fields_get([name])[name]['selection'])

    @classmethod
    def task_rows(cls, tasks):
        pool = Pool()
        Task = pool.get('egov.supervision.task')
        Feedback = pool.get('egov.supervision.feedback')
        lights = cls.labels(Task, 'light')
        latest = {}
        if tasks:
            # The feedback of each task on its last day of feedback
            days = {t.last_feedback for t in tasks if t.last_feedback}
            if days:
                for feedback in Feedback.search([
                            ('task', 'in', [t.id for t in tasks]),
                            ('date', '>=', min(days)),
                            ], order=[('date', 'ASC'), ('id', 'ASC')]):
                    latest[feedback.task.id] = feedback
        rows = []
        for number, task in enumerate(tasks, 1):
            feedback = latest.get(task.id)
            text = ''
            if feedback:
                text = '%s（%s，%s）' % (short(feedback.text),
                    feedback.unit.name, chinese_date(feedback.date))
            light = 'done' if task.state == 'closed' else task.light
            rows.append({
                    'number': number,
                    'title': task.title,
                    'lead_unit': task.lead_unit.name,
                    'deadline': chinese_date(task.deadline),
                    'light': lights.get(light or '', ''),
                    'feedback': text,
                    })
        return rows

    @classmethod
    def overdue_rows(cls, tasks, date):
        rows = []
        for task in tasks:
            if task.state == 'closed' or task.light != 'red':
                continue
            rows.append({
                    'number': len(rows) + 1,
                    'title': task.title,
                    'lead_unit': task.lead_unit.name,
                    'deadline': chinese_date(task.deadline),
                    'days': max((date - task.deadline).days, 0),
                    'owner': task.owner.rec_name if task.owner else '',
                    })
        return rows

    @classmethod
    def reminder_rows(cls, monday, sunday):
        Reminder = Pool().get('egov.supervision.reminder')
        levels = cls.labels(Reminder, 'level')
        return [{
                'date': chinese_date(r.date),
                'task': r.task.title,
                'level': levels.get(r.level, r.level),
                'recipients': short(r.recipients, 100),
                'note': short(r.note, 100),
                } for r in Reminder.search([
                    ('date', '>=', monday),
                    ('date', '<=', sunday),
                    ], order=[('date', 'ASC'), ('id', 'ASC')],
                limit=MAX_REMINDERS)]


def render(template, values):
    """The .docx of values filled into template, or a clear error naming
    what is wrong with the template"""
    from docxtpl import DocxTemplate
    if not template:
        raise SupervisionError(gettext(
                'egov_supervision.msg_weekly_no_template'))
    if len(template) > MAX_TEMPLATE:
        raise SupervisionError(gettext(
                'egov_supervision.msg_weekly_template_broken',
                error=gettext('egov_supervision.msg_weekly_template_size',
                    size=MAX_TEMPLATE // (1024 * 1024))))
    try:
        document = DocxTemplate(io.BytesIO(bytes(template)))
        # Sandboxed: a template is text an administrator uploads; escaped:
        # a task's title must not break the document's XML
        document.render(values, jinja_env=SandboxedEnvironment(),
            autoescape=True)
        output = io.BytesIO()
        document.save(output)
    except Exception as exception:
        raise SupervisionError(gettext(
                'egov_supervision.msg_weekly_template_broken',
                error=short(str(exception), 200))) from exception
    return output.getvalue()
