"""The organisation of the supervision tests: egov_document's (袁州区 and
樟树市 with their units and people) with the supervision roles given:

    赵阳 city_clerk   市政府办秘书科: officer of the city's supervision office
    谢娜 yz_clerk     袁州区教育体育局: officer, acts for 袁州区
    韩梅 zs_clerk     樟树市财政局: officer, acts for 樟树市
    宋涛 bureau_head  局长 of 袁州区教育体育局 (its head post)
    郑伟 leader       the leader in charge (分管领导)
"""
import datetime

from trytond.pool import Pool

from egov_base.tests.tools import EgovTestCase, acting_as  # noqa: F401
from egov_document.tests.tools import document_org

# A month without public holidays: the working days are the weekdays
MONDAY = datetime.date(2027, 3, 1)


def day(n):
    "The date n calendar days after Monday 1 March 2027"
    return MONDAY + datetime.timedelta(days=n)


class SupervisionTestCase(EgovTestCase):
    "A database with egov_supervision and egov_document in Chinese"
    modules = ['egov_supervision', 'egov_document']


def supervision_org():
    pool = Pool()
    Post = pool.get('egov.org.post')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    org = document_org()
    officer = ModelData.get_id('egov_supervision', 'group_supervision_officer')
    city = ModelData.get_id('egov_supervision', 'group_supervision_city')
    Post.write([org.post_secretary], {'groups': [('add', [officer, city])]},
        [org.post_yz_clerk, org.post_zs_clerk],
        {'groups': [('add', [officer])]})
    User.clear_org_caches()
    return org


def instruction_task(org, **values):
    "The city office's task from a leader's instruction, as root"
    Task = Pool().get('egov.supervision.task')
    defaults = {
        'title': '推进城乡生活垃圾分类工作',
        'source': 'instruction',
        'instruction': '请市政府办督促各县市区于3月底前拿出实施方案。',
        'content': '各县市区制定垃圾分类实施方案并报送进展。',
        'assigning_unit': org.city.id,
        'lead_unit': org.city.id,
        'leader': org.leader.id,
        'start': day(0),
        'deadline': day(30),
        }
    defaults.update(values)
    with acting_as(org.city_clerk):
        task, = Task.create([defaults])
    return Task(task.id)
