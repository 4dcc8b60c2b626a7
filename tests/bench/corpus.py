"""The corpus of government phrasing the generators draw their text from:
titles like real 公文 titles (关于做好防汛抗旱工作的通知), sentences of
their bodies, the opinions written on them. Pools are drawn once with a
seeded random generator, so the same seed gives the same text."""
ACTIONS = ['做好', '加强', '印发', '开展', '进一步规范', '切实做好', '认真落实',
    '组织开展', '深入推进', '全面加强', '调整', '公布', '报送', '征求']
TOPICS = ['安全生产', '防汛抗旱', '森林防火', '政务公开', '信访维稳', '疫情防控',
    '营商环境', '乡村振兴', '招商引资', '项目建设', '财政预算', '国有资产管理',
    '公文处理', '督查督办', '机关作风建设', '节能减排', '生态环境保护',
    '城乡环境整治', '校园安全', '食品药品安全', '消防安全', '干部培训', '人才引进',
    '数字政府建设', '一网通办', '12345热线', '重点项目调度', '农村人居环境',
    '秋冬季火灾防控', '元旦春节期间', '年度工作目标考核', '统计数据', '保密工作',
    '档案管理', '政府采购', '债务风险防范', '就业创业', '养老服务', '医疗保障',
    '重庆银行贷款', '单位车辆管理', '公务接待', '会议费管理', '差旅费报销']
KINDS = ['通知', '请示', '批复', '报告', '函', '意见', '会议纪要', '实施方案',
    '工作要点', '管理办法', '通报', '决定']
SUBJECTS = ['各县（市、区）人民政府', '市政府各部门', '各有关单位', '各乡镇（街道）',
    '局机关各科室', '各直属单位', '市直各单位']
VERBS = ['高度重视', '认真研究', '统筹安排', '严格落实', '及时报送', '加强督查',
    '明确责任', '细化措施', '抓好落实', '广泛宣传', '做好衔接', '强化保障']
OBJECTS = ['工作方案', '责任清单', '检查记录', '统计报表', '整改措施', '应急预案',
    '经费预算', '人员名单', '进度安排', '考核办法', '信息报送', '材料归档']
TIMES = ['于每月5日前', '在本周内', '于年底前', '在规定时限内', '于下旬',
    '按季度', '每周一']


def title_pool(rng, size):
    titles = set()
    while len(titles) < size:
        titles.add('关于%s%s的%s' % (rng.choice(ACTIONS), rng.choice(TOPICS),
                rng.choice(KINDS)))
    return sorted(titles)


def sentence_pool(rng, size):
    sentences = set()
    while len(sentences) < size:
        form = rng.randrange(4)
        if form == 0:
            s = '%s要%s%s工作，%s%s。' % (rng.choice(SUBJECTS),
                rng.choice(VERBS), rng.choice(TOPICS), rng.choice(VERBS),
                rng.choice(OBJECTS))
        elif form == 1:
            s = '请%s将%s%s%s。' % (rng.choice(SUBJECTS), rng.choice(TOPICS),
                rng.choice(OBJECTS), rng.choice(TIMES) + '报送市政府办公室')
        elif form == 2:
            s = '围绕%s和%s，%s%s，确保各项任务%s。' % (rng.choice(TOPICS),
                rng.choice(TOPICS), rng.choice(VERBS), rng.choice(OBJECTS),
                rng.choice(['按期完成', '落到实处', '取得实效']))
        else:
            s = '经研究，同意%s%s，%s%s。' % (rng.choice(SUBJECTS),
                rng.choice(TOPICS), rng.choice(TIMES), rng.choice(VERBS))
        sentences.add(s)
    return sorted(sentences)


# What people write on a to-do (批示, 拟办, 核稿), by the step's kind
OPINIONS = ['同意。', '已阅。', '拟同意，请领导审定。', '请办公室牵头办理。',
    '请按文件要求抓好落实。', '请相关科室研究提出意见。', '同意，请抓紧办理。',
    '请分管领导阅示。', '按程序办理。', '请于本周内报送办理结果。',
    '已核，文字无误。', '同意印发。', '请各科室传阅。', '阅，按要求落实。']
