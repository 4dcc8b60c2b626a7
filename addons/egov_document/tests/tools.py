"""The organisation of the document tests and what they do again and again.

document_org() is the workflow tests' organisation (袁州区教育体育局 with
its office head 朱婷, bureau head 宋涛, 文书 胡军, 收发员 谢娜, leader 郑伟)
with the document roles given to posts, and a receiving unit with the
people its 收文 process needs:

    袁州区教育体育局  谢娜 (收发员: document clerk)
    樟树市财政局      韩梅 (收发员: clerk), 孙丽 (办公室主任), 钱峰 (局长)
    宜春市人民政府办公室 赵阳 (科员 in 秘书科: clerk)
"""
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.tests.test_tryton import with_transaction  # noqa: F401

from egov_base.tests.tools import EgovTestCase, acting_as
from egov_workflow.tests.test_workflow import workflow_org


class EgovDocumentTestCase(EgovTestCase):
    "A database with egov_document in Chinese, dropped after the class"
    modules = ['egov_document']


def document_org():
    pool = Pool()
    Post = pool.get('egov.org.post')
    Employee = pool.get('egov.org.employee')
    Assignment = pool.get('egov.org.assignment')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    org = workflow_org()
    clerk = ModelData.get_id('egov_document', 'group_document_clerk')
    Post.write([org.post_yz_clerk, org.post_zs_clerk, org.post_secretary],
        {'groups': [('add', [clerk])]})
    zs_office_head, zs_head = Post.create([{
                'name': '办公室主任', 'unit': org.zs_finance_office.id,
                'head': True,
                }, {
                'name': '局长', 'unit': org.zs_finance.id, 'head': True,
                }])
    for login, name, post, department in [
            ('zs_office_head', '孙丽', zs_office_head,
                org.zs_finance_office),
            ('zs_head', '钱峰', zs_head, None)]:
        user, = User.create([{'login': login, 'name': name}])
        employee, = Employee.create([{
                    'name': name, 'number': 'D-' + login,
                    'unit': org.zs_finance.id,
                    'department': department.id if department else None,
                    'user': user.id}])
        Assignment.create([{
                    'employee': employee.id, 'post': post.id,
                    'primary': True}])
        setattr(org, login, user)
        setattr(org, login + '_employee', employee)
    User.clear_org_caches()
    return org


def numbering_rule(unit, prefix, mode='auto', kinds=()):
    Numbering = Pool().get('egov.document.numbering')
    rule, = Numbering.create([{
                'name': prefix, 'unit': unit.id, 'prefix': prefix,
                'mode': mode,
                'kinds': [('add', [k.id for k in kinds])] if kinds else [],
                }])
    return rule


def kind(code):
    Kind = Pool().get('egov.document.kind')
    found, = Kind.search([('code', '=', code)])
    return found


class DocumentHelpers:

    def open_tasks(self, user, document=None):
        Task = Pool().get('egov.workflow.task')
        domain = [('user', '=', user.id), ('state', '=', 'open'),
            ('kind', '=', 'todo')]
        if document is not None:
            domain.append(('instance', '=', document.workflow.id))
        return Task.search(domain)

    def act(self, user, document, decision='approve', text=None, data=None,
            confirm=False, copy_to=None):
        """user does their open to-do of document; confirm: they confirm
        the warnings (the format findings at 签发); copy_to: user ids who
        get a copy (抄送)"""
        document = document.__class__(document.id)
        with acting_as(user), Transaction().set_context(
                _skip_warnings=confirm):
            tasks = self.open_tasks(user, document)
            self.assertEqual(len(tasks), 1, msg=[
                    (t.step, t.user.rec_name) for t in tasks])
            task, = tasks
            task.decide(decision, text, data=data, copy_to=copy_to)
        return task

    def outgoing(self, org, **values):
        "胡军 drafts a 通知 of 袁州区教育体育局 to 樟树市财政局 and the city office"
        Outgoing = Pool().get('egov.document.outgoing')
        defaults = {
            'title': '关于开展2027年春季校园安全检查的通知',
            'kind': kind('notice').id,
            'main_recipients': [('add', [org.zs_finance.id])],
            'copy_recipients': [('add', [org.city_office.id])],
            'summary': '各单位于3月底前完成自查。',
            }
        defaults.update(values)
        with acting_as(org.secretary):
            document, = Outgoing.create([defaults])
        return Outgoing(document.id)
