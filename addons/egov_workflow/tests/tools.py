"""The base of the engine's tests: a database with egov_workflow, and the
approvals a county draws without code."""
import os

from trytond.pool import Pool

from egov_base.tests.tools import EgovTestCase

DIAGRAMS = os.path.join(os.path.dirname(__file__), 'diagrams')

# Approval requests (审批单) of the shape of 发文 and 收文, drawn as a
# process administrator draws them: a form whose fields pick units (会签单位,
# 主送单位, 承办部门) and a diagram with 会签 and 分发 over those lists. The
# 公文 themselves are egov_document's; these test the engine.
# {code: (process name, form name)}; the files are diagrams/request_<code>.*
REQUEST_PROCESSES = {
    'outgoing': ('发文办理', '发文单'),
    'incoming': ('收文办理', '收文单'),
    }


def request_form(code):
    "Create the form of the approval code (a form-js schema); return it"
    Form = Pool().get('egov.workflow.form')
    with open(os.path.join(DIAGRAMS, 'request_%s.form.json' % code),
            encoding='utf-8') as file:
        schema = file.read()
    form, = Form.create([{
                'name': REQUEST_PROCESSES[code][1], 'code': code,
                'kind': 'approval', 'schema': schema}])
    return form


def request_processes(*codes):
    """Create and activate, for the whole city, the approvals codes (all
    of REQUEST_PROCESSES by default) with their forms; return
    {code: process}"""
    Process = Pool().get('egov.workflow.process')
    processes = {}
    for code in codes or REQUEST_PROCESSES:
        with open(os.path.join(DIAGRAMS, 'request_%s.bpmn' % code),
                encoding='utf-8') as file:
            bpmn = file.read()
        processes[code], = Process.create([{
                    'name': REQUEST_PROCESSES[code][0], 'code': code,
                    'model': 'egov.workflow.request',
                    'form': request_form(code).id, 'bpmn': bpmn}])
    Process.activate(list(processes.values()))
    return processes


class EgovWorkflowTestCase(EgovTestCase):
    "A database with egov_workflow in Chinese, dropped after the class"
    modules = ['egov_workflow']
