"""The verification for auditors, as a wizard; the same check runs as a
command: python -m egov_base.audit -c CONF -d DB verify"""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateView, Wizard


class AuditVerifyResult(ModelView):
    __name__ = 'egov.audit.verify.result'
    __string__ = "Audit Verification"

    ok = fields.Boolean("Intact", readonly=True)
    report = fields.Text("Report", readonly=True)


class AuditVerify(Wizard):
    __name__ = 'egov.audit.verify'
    start_state = 'result'
    result = StateView('egov.audit.verify.result',
        'egov_base.audit_verify_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_result(self, fields):
        ok, text = run_verify()
        return {'ok': ok, 'report': text}


def run_verify(seal=True):
    """Verify the chain and every archive file; record that it was done.
    Return (ok, report text)"""
    pool = Pool()
    Log = pool.get('egov.audit.log')
    Archive = pool.get('egov.audit.archive')
    report = Log.verify(seal=seal)
    lines = [Log.describe(report)]
    archive_problems = []
    for archive in Archive.search([]):
        archive_problems.extend(archive.verify_file())
    lines.extend(archive_problems)
    ok = report['ok'] and not archive_problems
    text = '\n'.join(lines)
    Log.record('verify', model='egov.audit.log',
        result='success' if ok else 'failed', message=text,
        changes={'checked': report['checked'],
            'problems': report['problem_count'] + len(archive_problems),
            'head': list(report['head'])})
    return ok, text

