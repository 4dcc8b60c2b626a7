"""Load the demo organisation of Yichun into a database.

    python demo/load.py -c var/trytond-demo.conf -d egov

Idempotent: a database that already has the city is left as it is."""
import argparse
import contextlib
import datetime
import glob
import os
import random
import sys
import time

from yichun import (
    CITY_UNITS,
    COUNTY_UNITS,
    DEMO_PASSWORD,
    DEMO_USERS,
    DEPARTMENT_POSTS,
    DIVISIONS,
    GIVEN,
    OFFICE_POSTS,
    SURNAMES,
    UNIT_POSTS,
    ZONE_UNITS,
)

ROLE_GROUPS = {
    'org_admin': 'egov_base.group_org_admin',
    'org_admin_city': 'egov_base.group_org_admin_city',
    'app_admin': 'egov_base.group_app_admin',
    'secadmin': 'egov_base.group_secadmin',
    'auditor': 'egov_base.group_auditor',
    }
# Departments that receive documents get the office posts
OFFICE_DEPARTMENTS = {'文电科', '文电股', '办公室'}
# The 发文 approval drawn for the demo (outgoing_approval.bpmn and
# .form.json beside this file): the code of its process
OUTGOING_APPROVAL = 'outgoing_approval'
HERE = os.path.dirname(os.path.abspath(__file__))


def org_code_check(body):
    "GB 11714 check character of an 8-character organisation code body"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = [int(c, 36) for c in body]
    check = 11 - sum(v * w for v, w in zip(values, weights)) % 11
    return {10: 'X', 11: '0'}.get(check, str(check))


def uscc(region, number):
    "A well-formed unified social credit code of a government organ"
    from egov_base.org.codes import uscc_check_character
    body = '%08d' % number
    code17 = '11' + region + body + org_code_check(body)
    return code17 + uscc_check_character(code17)


class Loader:

    def __init__(self, pool):
        self.pool = pool
        self.random = random.Random(2026)
        self.employee_number = 0
        # Generated names never repeat a named demo user's
        self.used_names = {u[1] for u in DEMO_USERS}

    def load(self):
        Unit = self.pool.get('egov.org.unit')
        if Unit.search([('code', '=', '360900')], limit=1):
            print("The demo organisation is already loaded.")
            return False
        started = time.monotonic()
        divisions = self.create_divisions()
        units = self.create_units(divisions)
        departments = self.create_departments(units)
        posts = self.create_posts(units, departments)
        count = self.create_staff(units, departments, posts)
        self.create_demo_users(divisions)
        self.configure_admin()
        self.create_workflow_samples()
        if self.has_module('egov_document'):
            self.create_document_samples()
        self.load_module_samples()
        print("Demo organisation: %s divisions, %s units, %s departments, "
            "%s posts, %s employees in %.0f s." % (
                len(divisions), len(units), len(departments),
                len(posts), count, time.monotonic() - started))
        return True

    def load_module_samples(self):
        "Each business module's samples: demo/load_<module>.py load(loader)"
        import importlib
        for path in sorted(glob.glob(os.path.join(HERE, 'load_egov_*.py'))):
            name = os.path.basename(path)[len('load_'):-len('.py')]
            if self.has_module(name):
                importlib.import_module('load_' + name).load(self)

    def create_divisions(self):
        Unit = self.pool.get('egov.org.unit')
        city_code, city_name, _, _ = DIVISIONS[0]
        city, = Unit.create([{
                    'code': city_code, 'name': city_name, 'kind': 'city',
                    'sequence': 1}])
        others = Unit.create([{
                    'code': code, 'name': name, 'kind': kind,
                    'division_type': division_type, 'parent': city.id,
                    'sequence': i}
                for i, (code, name, kind, division_type)
                in enumerate(DIVISIONS[1:], 1)])
        return [city] + others

    def create_units(self, divisions):
        Unit = self.pool.get('egov.org.unit')
        values = []
        number = 0
        for division in divisions:
            if division.kind == 'city':
                plan = [(n, s, d) for n, s, d in CITY_UNITS]
                prefix = ''
            else:
                plan = COUNTY_UNITS if division.kind == 'county' else (
                    ZONE_UNITS)
                prefix = division.name
            region = (division.code if division.code.isdigit()
                else '360900')
            for i, (name, short_name, _) in enumerate(plan, 1):
                number += 1
                values.append({
                        'code': '%s-%03d' % (division.code, i),
                        'name': prefix + name,
                        'short_name': (short_name if division.kind == 'city'
                            else division.name[:2] + short_name),
                        'kind': 'unit',
                        'parent': division.id,
                        'uscc': uscc(region, 14500000 + number),
                        # The city's own units after its counties and zones
                        'sequence': i + (100 if division.kind == 'city'
                            else 0),
                        'phone': '0795-%07d' % (3200000 + number),
                        })
        return Unit.create(values)

    def create_departments(self, units):
        Unit = self.pool.get('egov.org.unit')
        plans = {
            kind: {name: departments for name, _, departments in plan}
            for kind, plan in [
                ('city', CITY_UNITS),
                ('county', COUNTY_UNITS),
                ('zone', ZONE_UNITS)]}
        values = []
        for unit in units:
            division = unit.division
            suffix = (unit.name if division.kind == 'city'
                else unit.name[len(division.name):])
            for i, name in enumerate(
                    plans[division.kind].get(suffix, []), 1):
                values.append({
                        'code': '%s-%02d' % (unit.code, i),
                        'name': name,
                        'kind': 'department',
                        'parent': unit.id,
                        'sequence': i,
                        })
        return Unit.create(values)

    def create_posts(self, units, departments):
        Post = self.pool.get('egov.org.post')
        values = []
        for unit in units:
            for i, (_, name, head) in enumerate(UNIT_POSTS, 1):
                values.append({
                        'unit': unit.id, 'name': name, 'head': head,
                        'sequence': i})
        for department in departments:
            for i, (_, name, head) in enumerate(DEPARTMENT_POSTS, 1):
                values.append({
                        'unit': department.id, 'name': name, 'head': head,
                        'sequence': i})
            if department.name in OFFICE_DEPARTMENTS:
                for i, name in enumerate(OFFICE_POSTS, 10):
                    values.append({
                            'unit': department.id, 'name': name,
                            'sequence': i})
        return Post.create(values)

    def person_name(self):
        while True:
            name = self.random.choice(SURNAMES) + ''.join(
                self.random.choice(GIVEN)
                for _ in range(self.random.choice((1, 2, 2))))
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def next_number(self):
        self.employee_number += 1
        return 'YC%06d' % self.employee_number

    def create_staff(self, units, departments, posts):
        """Fill the posts with people, except those of the named users.
        Everybody can log in (login: their employee number in lower case,
        the demo password), so that every process finds its people."""
        Employee = self.pool.get('egov.org.employee')
        Assignment = self.pool.get('egov.org.assignment')
        User = self.pool.get('res.user')
        Lang = self.pool.get('ir.lang')
        zh_cn, = Lang.search([('code', '=', 'zh_CN')])
        # One hash for all: hashing 1,400 passwords would take minutes
        password_hash = User.hash_password(DEMO_PASSWORD)
        reserved = {(d[3], d[4], d[5]) for d in DEMO_USERS}
        employees, holdings = [], []
        for post in posts:
            node = post.unit
            unit = node.unit
            key = (unit.division.code, unit.name,
                (node.name if node.kind == 'department' else None, post.name))
            if key in reserved:
                continue
            if (node.kind == 'unit' and not post.head
                    and self.random.random() < 0.5):
                continue
            holders = 1 if post.head or post.name in OFFICE_POSTS else (
                self.random.choice((1, 2)))
            for _ in range(holders):
                employees.append({
                        'name': self.person_name(),
                        'number': self.next_number(),
                        'gender': self.random.choice(('male', 'female')),
                        'unit': unit.id,
                        'department': (node.id if node.kind == 'department'
                            else None),
                        'title': (node.name + post.name
                            if node.kind == 'department' else post.name),
                        'mobile': '13%09d' % self.random.randrange(10 ** 9),
                        'phone': unit.phone,
                        })
                holdings.append(post.id)
        users = User.create([{
                    'login': e['number'].lower(), 'name': e['name'],
                    'password_hash': password_hash, 'language': zh_cn.id,
                    } for e in employees])
        for employee, user in zip(employees, users):
            employee['user'] = user.id
        created = Employee.create(employees)
        Assignment.create([{
                    'employee': e.id, 'post': p, 'primary': True,
                    'start_date': None}
                for e, p in zip(created, holdings)])
        return len(created)

    def find_post(self, unit, department_name, post_name):
        Unit = self.pool.get('egov.org.unit')
        Post = self.pool.get('egov.org.post')
        node = unit
        if department_name:
            node, = Unit.search([
                    ('parent', '=', unit.id), ('name', '=', department_name)])
        posts = Post.search([('unit', '=', node.id), ('name', '=', post_name)])
        if posts:
            return posts[0]
        post, = Post.create([{
                    'unit': node.id, 'name': post_name,
                    'head': post_name in {'主要负责人', '负责人'}}])
        return post

    def create_demo_users(self, divisions):
        pool = self.pool
        Unit = pool.get('egov.org.unit')
        User = pool.get('res.user')
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        Leadership = pool.get('egov.org.leadership')
        Post = pool.get('egov.org.post')
        ModelData = pool.get('ir.model.data')
        Lang = pool.get('ir.lang')
        zh_cn, = Lang.search([('code', '=', 'zh_CN')])
        by_code = {d.code: d for d in divisions}
        for (login, name, gender, division_code, unit_name, (department,
                    post_name), roles, extra_posts, in_charge) in DEMO_USERS:
            division = by_code[division_code]
            unit, = Unit.search([
                    ('division', '=', division.id), ('name', '=', unit_name),
                    ('kind', '=', 'unit')])
            post = self.find_post(unit, department, post_name)
            if roles:
                Post.write([post], {'groups': [('add', [
                                    ModelData.get_id(*ROLE_GROUPS[r].split('.'))
                                    for r in roles])]})
            user, = User.create([{
                        'login': login, 'name': name,
                        'password': DEMO_PASSWORD,
                        'language': zh_cn.id,
                        }])
            department_node = (
                post.unit if post.unit.kind == 'department' else None)
            employee, = Employee.create([{
                        'name': name,
                        'number': self.next_number(),
                        'gender': gender,
                        'unit': unit.id,
                        'department': (department_node.id
                            if department_node else None),
                        'title': post_name,
                        'user': user.id,
                        'mobile': '139%08d' % self.random.randrange(10 ** 8),
                        'phone': unit.phone,
                        'email': '%s@yichun.gov.cn' % login,
                        }])
            assignments = [{
                    'employee': employee.id, 'post': post.id,
                    'primary': True}]
            for extra_department, extra_post in extra_posts:
                extra = self.find_post(unit, extra_department, extra_post)
                assignments.append({
                        'employee': employee.id, 'post': extra.id,
                        'primary': False})
            Assignment.create(assignments)
            User.write([user], {'post': post.id})
            for charged in in_charge:
                charged_unit, = Unit.search([
                        ('name', '=', charged), ('kind', '=', 'unit')])
                Leadership.create([{
                            'leader': employee.id, 'unit': charged_unit.id}])

    def configure_admin(self):
        pool = self.pool
        User = pool.get('res.user')
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        zh_cn, = Lang.search([('code', '=', 'zh_CN')])
        admin = User(ModelData.get_id('res', 'user_admin'))
        User.write([admin], {
                'language': zh_cn.id,
                'name': '系统管理员',
                'password': DEMO_PASSWORD,
                })

    def has_module(self, name):
        Module = self.pool.get('ir.module')
        return bool(Module.search([
                    ('name', '=', name), ('state', '=', 'activated')]))

    def create_document_samples(self):
        DocumentSamples(self.pool).load()

    def create_outgoing_approval(self):
        """The 发文 approval a process administrator of the city draws
        without code, as an example: an approval request on its form,
        拟稿 → 核稿 → 会签 by the departments picked → 签发 → 编号 →
        分发 to the recipients' 收发员 (the 公文 themselves, with their
        own models and processes, are egov_document's)"""
        pool = self.pool
        Form = pool.get('egov.workflow.form')
        Process = pool.get('egov.workflow.process')
        path = os.path.join(HERE, OUTGOING_APPROVAL)
        with open(path + '.form.json', encoding='utf-8') as file:
            schema = file.read()
        with open(path + '.bpmn', encoding='utf-8') as file:
            bpmn = file.read()
        form, = Form.create([{
                    'name': '发文审批单（示例）', 'code': OUTGOING_APPROVAL,
                    'kind': 'approval', 'schema': schema}])
        process, = Process.create([{
                    'name': '发文审批（示例）', 'code': OUTGOING_APPROVAL,
                    'model': 'egov.workflow.request', 'form': form.id,
                    'bpmn': bpmn}])
        # Activated, it gets its menu under 审批
        Process.activate([process])
        return process

    def create_workflow_samples(self):
        """Work in progress, so that the to-do lists are not empty: 胡军's
        leave request and his 发文 draft, both waiting for 朱婷"""
        from trytond.transaction import Transaction
        pool = self.pool
        User = pool.get('res.user')
        Unit = pool.get('egov.org.unit')
        Process = pool.get('egov.workflow.process')
        Request = pool.get('egov.workflow.request')
        Task = pool.get('egov.workflow.task')
        hujun, = User.search([('login', '=', 'hujun')])
        leave, = Process.search([
                ('code', '=', 'leave'), ('state', '=', 'active')])
        outgoing = self.create_outgoing_approval()
        cosign = Unit.search([
                ('name', 'in', ['基础教育科', '预算科']),
                ('parent.name', 'in', ['宜春市教育局', '宜春市财政局'])])
        recipients = Unit.search([('name', '=', '袁州区教育体育局')])
        transaction = Transaction()
        with transaction.set_user(hujun.id):
            context = User.get_preferences(context_only=True)
        with transaction.set_user(hujun.id), \
                transaction.set_context(context):
            requests = Request.create([{
                        'title': '胡军年休假申请',
                        'process': leave.id,
                        'values': {
                            'leave_type': '年休假',
                            'start_date': datetime.date(2026, 12, 14),
                            'end_date': datetime.date(2026, 12, 18),
                            'days': 5,
                            'reason': '年度休假',
                            },
                        }, {
                        'title': '关于做好2027年元旦春节期间校园安全工作的通知',
                        'process': outgoing.id,
                        'values': {
                            'doc_type': '通知',
                            'urgency': '急件',
                            'summary': '部署两节期间校园安全检查',
                            },
                        'picked_units': [('create', [
                                    {'key': 'cosign_units', 'unit': u.id}
                                    for u in cosign] + [
                                    {'key': 'recipients', 'unit': u.id}
                                    for u in recipients])],
                        }])
            Request.workflow_start(requests)
            for task in Task.search([
                        ('user', '=', hujun.id), ('state', '=', 'open')]):
                task.decide('approve', '请审批。')


# Numbering rules (机关代字) of the units that send the demo's 公文
NUMBERING = [
    ('360900', '宜春市人民政府办公室', '宜府办字'),
    ('360900', '宜春市教育局', '宜教字'),
    ('360902', '袁州区人民政府办公室', '袁府办字'),
    ('360902', '袁州区教育体育局', '袁教体字'),
    ('360982', '樟树市人民政府办公室', '樟府办字'),
    ]
# Who may read and receive 机密 documents: a few people and the offices
CLEARED_PEOPLE = ['zhoumin', 'huanglei', 'sunli']
CLEARED_UNITS = [
    ('360900', '宜春市人民政府办公室'),
    ('360902', '袁州区人民政府办公室'),
    ('360982', '樟树市人民政府办公室'),
    ]
# The posts whose holders register, number, seal and dispatch 公文
CLERK_POSTS = ('收发员', '文书')


class DocumentSamples:
    """The 公文 of the demo (egov_document): what the flows need, and a
    handful of documents in several states, made by their people through
    the model API as they would in the client."""

    def __init__(self, pool):
        self.pool = pool
        self.users = {}

    def load(self):
        self.give_roles()
        self.create_numbering()
        self.clear_for_secrets()
        self.create_timestamp_authority()
        self.create_documents()

    def create_timestamp_authority(self):
        """The platform's own time-stamping authority, its SM2 key made
        here: the demo's 收文 get their 时间戳 as they are signed for (a
        city that has a national TSA names it instead, by URL)"""
        Authority = self.pool.get('egov.document.tsa')
        if Authority.search([]):
            return
        authority, = Authority.create([{
                    'name': '宜春市智慧办公平台时间戳服务（演示）',
                    'kind': 'own',
                    'algorithm': 'sm2',
                    }])
        Authority.generate_certificate([authority])

    def unit(self, division_code, name):
        Unit = self.pool.get('egov.org.unit')
        unit, = Unit.search([
                ('division.code', '=', division_code), ('name', '=', name),
                ('kind', '=', 'unit')])
        return unit

    def user(self, login):
        if login not in self.users:
            User = self.pool.get('res.user')
            self.users[login], = User.search([('login', '=', login)])
        return self.users[login]

    def give_roles(self):
        """The document clerk role on the 收发员 and 文书 posts of every
        unit; the right to sign for 袁州区人民政府办公室 to its 副主任 梁艳"""
        pool = self.pool
        Post = pool.get('egov.org.post')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        clerk = ModelData.get_id('egov_document', 'group_document_clerk')
        signer = ModelData.get_id('egov_document', 'group_document_signer')
        posts = Post.search([('name', 'in', CLERK_POSTS)])
        Post.write(posts, {'groups': [('add', [clerk])]})
        Post.write([self.user('liangyan').post],
            {'groups': [('add', [signer])]})
        User.clear_org_caches()

    def create_numbering(self):
        Numbering = self.pool.get('egov.document.numbering')
        Numbering.create([{
                    'name': prefix, 'prefix': prefix, 'mode': 'auto',
                    'unit': self.unit(code, name).id}
                for code, name, prefix in NUMBERING])

    def clear_for_secrets(self):
        """机密 for the head of the city office, her 秘书科 head and the
        people who number and dispatch its documents; most have none"""
        pool = self.pool
        Unit = pool.get('egov.org.unit')
        Employee = pool.get('egov.org.employee')
        Assignment = pool.get('egov.org.assignment')
        office = self.unit('360900', '宜春市人民政府办公室')
        clerks = Assignment.search([
                ('post.unit', 'child_of', [office.id], 'parent'),
                ('post.name', 'in', CLERK_POSTS)])
        employees = Employee.search([
                ('user.login', 'in', CLEARED_PEOPLE)])
        employees += [a.employee for a in clerks]
        Employee.write(list(set(employees)),
            {'secrecy_clearance': 'confidential'})
        Unit.write([self.unit(c, n) for c, n in CLEARED_UNITS],
            {'secrecy_clearance': 'confidential'})

    @contextlib.contextmanager
    def acting_as(self, login):
        from trytond.transaction import Transaction
        User = self.pool.get('res.user')
        user = self.user(login)
        transaction = Transaction()
        with transaction.set_user(user.id):
            context = User.get_preferences(context_only=True)
        with transaction.set_user(user.id), \
                transaction.set_context(context):
            yield user

    def act(self, login, document, text=None, data=None):
        """login does their to-do of document"""
        from trytond.transaction import Transaction
        Task = self.pool.get('egov.workflow.task')
        document = document.__class__(document.id)
        with self.acting_as(login) as user:
            task, = Task.search([
                    ('user', '=', user.id), ('state', '=', 'open'),
                    ('kind', '=', 'todo'),
                    ('instance', '=', document.workflow.id)])
            # The demo's bodies are short drafts: at 签发 the signer
            # confirms the format findings, as a person may
            with Transaction().set_context(_skip_warnings=True):
                task.decide('approve', text, data=data)
        return document.__class__(document.id)

    def kind(self, code):
        Kind = self.pool.get('egov.document.kind')
        kind, = Kind.search([('code', '=', code)])
        return kind.id

    def outgoing(self, login, title, kind, main, copy=(), **values):
        """login drafts a 发文 and submits it (the 拟稿 step is theirs)"""
        Outgoing = self.pool.get('egov.document.outgoing')
        values.update({
                'title': title, 'kind': self.kind(kind),
                'main_recipients': [('add', [u.id for u in main])],
                'copy_recipients': [('add', [u.id for u in copy])],
                })
        submit = values.pop('submit', True)
        with self.acting_as(login):
            document, = Outgoing.create([values])
            if submit:
                Outgoing.workflow_start([document])
        return Outgoing(document.id)

    def create_documents(self):
        pool = self.pool
        Incoming = pool.get('egov.document.incoming')
        Record = pool.get('egov.document.archive.record')
        yz_office = self.unit('360902', '袁州区人民政府办公室')
        zs_office = self.unit('360982', '樟树市人民政府办公室')
        Unit = pool.get('egov.org.unit')
        wendian, = Unit.search([
                ('parent', '=', yz_office.id), ('name', '=', '文电股')])
        zonghe, = Unit.search([
                ('parent', '=', yz_office.id), ('name', '=', '综合股')])

        # 1. A draft of 唐雪 (袁州区教育体育局), not submitted yet
        self.outgoing('tangxue',
            '关于2026年秋季学期义务教育阶段学生资助工作情况的报告',
            'report', [yz_office], submit=False,
            summary='全区秋季学期资助家庭经济困难学生情况汇总。')

        # 2. 唐雪's 请示, waiting at 核稿 for 陈霞 (her office's head)
        request = self.outgoing('tangxue',
            '关于申请2027年农村义务教育学校校舍维修改造资金的请示',
            'request', [yz_office], urgency='urgent',
            summary='申请区级财政安排校舍维修改造专项资金。')
        self.act('tangxue', request, '请审核。')

        # 3. The city office's 通知, dispatched: a 收文 waits to be signed
        # for (签收) at 袁州区 (谢娜) and 樟树市 (韩梅)
        notice = self.outgoing('huanglei',
            '关于做好2027年元旦春节期间安全生产工作的通知', 'notice',
            [yz_office, zs_office], body=word_body(
                '各县（市、区）人民政府办公室：元旦春节将至，请切实做好'
                '节日期间安全生产工作。'),
            body_name='关于做好2027年元旦春节期间安全生产工作的通知.docx',
            summary='部署两节期间安全生产大检查。', copies=20)
        self.act('huanglei', notice)                        # 拟稿
        self.act('zhoumin', notice, '同意。')                # 核稿
        self.act('zhoumin', notice, '同意印发。')            # 签发
        self.act('sunli', notice)                           # 编号
        self.act('sunli', notice)                           # 用印
        self.act('sunli', notice)                           # 分发

        # 4. 袁州区教育体育局's 报告 to 袁州区人民政府办公室, from 拟稿 to
        # the receiver's 办结, then marked for archiving by both clerks
        report = self.outgoing('tangxue',
            '关于2026年全区中小学食品安全专项检查情况的报告', 'report',
            [yz_office], body=word_body(
                '区人民政府办公室：现将我局2026年全区中小学食品安全专项'
                '检查情况报告如下。'),
            body_name='食品安全专项检查情况的报告.docx',
            summary='检查学校86所，发现问题12处，均已整改。')
        self.act('tangxue', report)                          # 拟稿
        self.act('chenxia', report, '已核。')                # 核稿
        self.act('songtao', report, '同意。')                # 签发
        self.act('liuyang', report)                         # 编号
        self.act('liuyang', report)                         # 用印
        self.act('liuyang', report)                         # 分发
        received, = Incoming.search([('outgoing', '=', report.id)])
        with self.acting_as('xiena'):
            Incoming.sign_for([received])
            Incoming.workflow_start([received])
        self.act('xiena', received)                         # 登记
        self.act('yuanfang', received, '拟请彭主任阅示。')   # 拟办
        self.act('pengtao', received, '请文电股存档备查。',  # 批办
            data={'handlers': [wendian.id]})
        self.act('yuanfang', received, '已阅存。')           # 承办
        self.act('xiena', received)                         # 办结
        for login, document in [('liuyang', report), ('xiena', received)]:
            with self.acting_as(login):
                Record.mark([document.__class__(document.id)])

        # 5. A paper 收文 of 袁州区人民政府办公室, waiting at 批办 for 彭涛
        with self.acting_as('xiena'):
            paper, = Incoming.create([{
                        'title': '江西省人民政府办公厅关于进一步加强冬春季'
                        '森林防灭火工作的通知',
                        'source_name': '江西省人民政府办公厅',
                        'source_number': '赣府厅字〔2026〕88号',
                        'category': 'superior',
                        'urgency': 'urgent',
                        'deadline': datetime.date(2026, 12, 31),
                        }])
            Incoming.workflow_start([paper])
        self.act('xiena', paper)                            # 登记
        self.act('yuanfang', paper,
            '拟请彭主任阅示，转综合股牵头落实。',
            data={'handlers': [zonghe.id]})                 # 拟办

        # 6. A 机密 通知 of the city office, waiting at 签发 for 周敏:
        # only the cleared see it
        secret = self.outgoing('huanglei',
            '关于调整全市防汛抗旱应急物资储备点布局的通知', 'notice',
            [yz_office], secrecy='confidential', secrecy_years=10,
            summary='调整市级应急物资储备点布局及调运方案。')
        self.act('huanglei', secret)                        # 拟稿
        self.act('zhoumin', secret, '同意。')                # 核稿


def word_body(text):
    "A .docx 正文 of one paragraph"
    import io

    import docx
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def demo_logins():
    "Return the rows of the table of demo logins"
    return [(login, name, division_code, unit_name,
            '/'.join(p for p in post if p), roles, in_charge)
        for (login, name, _, division_code, unit_name, post, roles, _,
            in_charge) in DEMO_USERS]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    args = parser.parse_args(argv)

    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(
            args.database, 0, context={'language': 'zh_CN'}) as transaction:
        if Loader(pool).load():
            transaction.commit()
    return 0


if __name__ == '__main__':
    sys.exit(main())
