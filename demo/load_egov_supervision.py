"""The supervision of the demo (egov_supervision): 副市长 刘志强's
instruction on after-school services turned by the city's supervision
office (赵阳, 督查科) into a task split to 袁州区 and 樟树市; 袁州区 (谢娜)
reports and splits its part to 袁州区教育体育局, now overdue (red, reminded,
escalated to 宋涛); 樟树市 (韩梅) asks for an extension; a second task
closed and marked, for the assessment; the lights set by the nightly run."""
import datetime

from load import DocumentSamples


def load(loader):
    pool = loader.pool
    samples = DocumentSamples(pool)
    Post = pool.get('egov.org.post')
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    Task = pool.get('egov.supervision.task')
    Feedback = pool.get('egov.supervision.feedback')
    Extension = pool.get('egov.supervision.extension')
    Reminder = pool.get('egov.supervision.reminder')
    Date = pool.get('ir.date')

    officer = ModelData.get_id('egov_supervision', 'group_supervision_officer')
    city = ModelData.get_id('egov_supervision', 'group_supervision_city')
    Post.write([samples.user('zhaoyang').post],
        {'groups': [('add', [officer, city])]},
        [samples.user('xiena').post, samples.user('hanmei').post],
        {'groups': [('add', [officer])]})
    User.clear_org_caches()
    Unit = pool.get('egov.org.unit')
    city_unit, = Unit.search([('kind', '=', 'city')], limit=1)
    yuanzhou, = Unit.search([('code', '=', '360902')])
    zhangshu, = Unit.search([('code', '=', '360982')])
    edu = samples.unit('360902', '袁州区教育体育局')
    today = Date.today()

    def days(n):
        return today + datetime.timedelta(days=n)

    with samples.acting_as('zhaoyang'):
        root, done = Task.create([{
                    'title': '义务教育学校课后服务全覆盖',
                    'source': 'instruction',
                    'instruction': '请市政府办督促各县市区本学期内实现义务教育'
                    '学校课后服务全覆盖，每周报送进展。——刘志强',
                    'content': '各县市区制定课后服务实施方案，落实经费和师资，'
                    '本学期内实现全覆盖。',
                    'assigning_unit': city_unit.id, 'lead_unit': city_unit.id,
                    'leader': samples.user('liuzhiqiang').id,
                    'start': days(-20), 'deadline': days(30),
                    'milestones': [('create', [
                                {'name': '报送实施方案', 'date': days(-5)},
                                {'name': '全面开展', 'date': days(20)}])],
                    }, {
                    'title': '2026年度财政预算执行情况自查',
                    'source': 'plan', 'rhythm': 'monthly',
                    'content': '对照预算执行进度开展自查并报送自查报告。',
                    'assigning_unit': city_unit.id, 'lead_unit': zhangshu.id,
                    'leader': samples.user('chenhua').id,
                    'start': days(-40), 'deadline': days(-2),
                    }])
        Task.assign([root, done])
        Task.accept([root])
        yz, zs = Task.create_children(root, [
                {'unit': yuanzhou.id, 'deadline': days(20)},
                {'unit': zhangshu.id, 'deadline': days(25)}])
    with samples.acting_as('xiena'):
        Task.accept([yz])
        Feedback.create([{'task': yz.id, 'unit': yuanzhou.id,
                    'progress': 40,
                    'text': '已召开全区部署会，印发《袁州区课后服务实施方案》。'}])
        bureau, = Task.create_children(Task(yz.id), [
                {'unit': edu.id, 'deadline': days(-3),
                    'content': '全区中小学课后服务经费测算和师资安排。'}])
    with samples.acting_as('hanmei'):
        Task.accept([zs, done])
        Feedback.create([{'task': zs.id, 'unit': zhangshu.id,
                    'progress': 20, 'text': '已完成摸底调查，正在测算经费。'}])
        Extension.create([{'task': zs.id, 'new_deadline': days(29),
                    'reason': '等待省教育厅课后服务收费政策出台。'}])
        Feedback.create([{'task': done.id, 'unit': zhangshu.id,
                    'progress': 100, 'text': '自查完成，报告已上传。'}])
        Task.request_completion([done])
    with samples.acting_as('zhaoyang'):
        Task.write([Task(done.id)], {'quality': 92,
                'check_note': '自查全面，整改措施具体。'})
        Task.close([Task(done.id)])
    # The night's run: lights, then the reminders of the overdue task
    Reminder.run_nightly()
    with samples.acting_as('xiena'):
        Reminder.urge([Task(bureau.id)], '请于明天下班前报送经费测算结果。')
