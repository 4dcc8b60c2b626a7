"""Word lists for the generated organisation: people's names, Yichun's
divisions, the bureaus, towns, schools and departments of a Chinese
prefecture-level city. Real enough that pinyin searches meet the spread of
syllables and initials they meet in production."""

# Surnames in rough order of frequency (Jiangxi leans to 刘, 李, 王, 张,
# 陈, 黄, 吴, 胡); picked with a Zipf-like weight by rank.
SURNAMES = (
    '刘李王张陈黄吴胡杨周徐罗曾朱邓彭熊肖万何赵钟谢郭易龚袁付宋邹涂'
    '余聂廖简汪卢邱叶程饶徐林高晏江魏游蔡漆喻钱孙马于梁冯许丁姚夏'
    '潘蒋卢范金石贾韦方白孟秦尹薛段雷侯龙史陶黎贺顾毛郝邵严戴莫孔'
    '向汤欧温左兰甘况冷敖幸辛危')
COMPOUND_SURNAMES = ('欧阳', '司马', '诸葛', '上官')

# Characters of given names, common ones first.
GIVEN = (
    '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉燕建'
    '国文斌宇浩凯俊帅欣婷雪琳晨旭阳晶慧颖倩亮成志新海峰林波宁飞鑫龙'
    '云春梅兰金荣东宏立兵彬健丹蕾萱怡佳嘉思雨子梓涵轩睿博泽晓小一家'
    '永德庆福祥发生水根清秋冬菊凤莲琴琼妍薇露莉洁瑶璐蓉茜维泉松岩锋'
    '铭哲翔昊天源诚钧毅达安鸿晖耀卫民珍琪璇皓然振兴盛长远')

# The city, its ten counties, districts and county-level cities, and three
# zones: (name, short name, code prefix, region code, division type,
# weight). The weights share the units and people out, by population.
CITY = ('宜春市', '宜春', 'YC', '360900')
COUNTIES = [
    ('袁州区', '袁州', 'YZ', '360902', 'district', 110),
    ('奉新县', '奉新', 'FX', '360921', 'county', 33),
    ('万载县', '万载', 'WZ', '360922', 'county', 58),
    ('上高县', '上高', 'SG', '360923', 'county', 36),
    ('宜丰县', '宜丰', 'YF', '360924', 'county', 30),
    ('靖安县', '靖安', 'JA', '360925', 'county', 15),
    ('铜鼓县', '铜鼓', 'TG', '360926', 'county', 14),
    ('丰城市', '丰城', 'FC', '360981', 'county_city', 135),
    ('樟树市', '樟树', 'ZS', '360982', 'county_city', 55),
    ('高安市', '高安', 'GA', '360983', 'county_city', 85),
    ]
ZONES = [
    ('宜春经济技术开发区', '经开区', 'JK', '360971', None, 12),
    ('宜阳新区', '宜阳新区', 'YX', '360972', None, 8),
    ('明月山温泉风景名胜区', '明月山', 'MY', '360973', None, 8),
    ]

# (bureau, head title, kind of unit): the government of a city or county.
# The kind picks the departments and the kind of staff.
BUREAUS = [
    ('人民政府', None, 'gov'),
    ('人民政府办公室', '主任', 'gov'),
    ('发展和改革委员会', '主任', 'gov'),
    ('教育体育局', '局长', 'gov'),
    ('科学技术局', '局长', 'gov'),
    ('工业和信息化局', '局长', 'gov'),
    ('公安局', '局长', 'gov'),
    ('民政局', '局长', 'gov'),
    ('司法局', '局长', 'gov'),
    ('财政局', '局长', 'gov'),
    ('人力资源和社会保障局', '局长', 'gov'),
    ('自然资源局', '局长', 'gov'),
    ('生态环境局', '局长', 'gov'),
    ('住房和城乡建设局', '局长', 'gov'),
    ('交通运输局', '局长', 'gov'),
    ('水利局', '局长', 'gov'),
    ('农业农村局', '局长', 'gov'),
    ('商务局', '局长', 'gov'),
    ('文化广电新闻出版旅游局', '局长', 'gov'),
    ('卫生健康委员会', '主任', 'gov'),
    ('退役军人事务局', '局长', 'gov'),
    ('应急管理局', '局长', 'gov'),
    ('审计局', '局长', 'gov'),
    ('市场监督管理局', '局长', 'gov'),
    ('统计局', '局长', 'gov'),
    ('医疗保障局', '局长', 'gov'),
    ('林业局', '局长', 'gov'),
    ('城市管理局', '局长', 'gov'),
    ('行政审批局', '局长', 'gov'),
    ('信访局', '局长', 'gov'),
    ('机关事务管理局', '局长', 'gov'),
    ('政务服务数据管理局', '局长', 'gov'),
    ('国有资产监督管理委员会', '主任', 'gov'),
    ('乡村振兴局', '局长', 'gov'),
    ('社会保险事业管理局', '局长', 'gov'),
    ('公共资源交易中心', '主任', 'gov'),
    ('不动产登记中心', '主任', 'gov'),
    ('住房公积金管理中心', '主任', 'gov'),
    ('档案馆', '馆长', 'gov'),
    ('图书馆', '馆长', 'gov'),
    ('融媒体中心', '主任', 'gov'),
    ('总工会', '主席', 'gov'),
    ('妇女联合会', '主席', 'gov'),
    ('科学技术协会', '主席', 'gov'),
    ('党校', '校长', 'school'),
    ('疾病预防控制中心', '主任', 'hospital'),
    ('人民医院', '院长', 'hospital'),
    ('中医院', '院长', 'hospital'),
    ('妇幼保健院', '院长', 'hospital'),
    ('职业技术学校', '校长', 'school'),
    ('实验小学', '校长', 'school'),
    ('实验中学', '校长', 'school'),
    ]
# The administration of a zone.
ZONE_BUREAUS = [
    ('管理委员会', '主任', 'gov'),
    ('党政办公室', '主任', 'gov'),
    ('经济发展局', '局长', 'gov'),
    ('财政局', '局长', 'gov'),
    ('规划建设局', '局长', 'gov'),
    ('社会事务局', '局长', 'gov'),
    ('招商局', '局长', 'gov'),
    ('应急管理局', '局长', 'gov'),
    ('城市管理局', '局长', 'gov'),
    ('自然资源分局', '局长', 'gov'),
    ('生态环境分局', '局长', 'gov'),
    ('市场监督管理分局', '局长', 'gov'),
    ('公安分局', '局长', 'gov'),
    ('行政审批局', '局长', 'gov'),
    ('政务服务数据管理局', '局长', 'gov'),
    ]
# Units that hang under a bureau (a few units are nested).
SUB_UNITS = [
    ('综合行政执法大队', '大队长'),
    ('信息中心', '主任'),
    ('服务中心', '主任'),
    ('监测中心', '主任'),
    ('培训中心', '主任'),
    ('稽查支队', '支队长'),
    ('管理所', '所长'),
    ]
# Each town has its government and a few institutions of its own.
TOWN_UNITS = [
    ('人民政府', None, 'town'),
    ('中心小学', '校长', 'school'),
    ('卫生院', '院长', 'clinic'),
    ('派出所', '所长', 'station'),
    ]
TOWN_CHARACTERS = (
    '新石桥塘田坊江湖山岭溪源口下上东西南北龙凤金银花竹桃柏松杨梅潭'
    '洲坪岗陂圳铺港渡村庄埠店水清白黄高大小古平安宁丰泉灵仙云天罗洪'
    '三双湘槎芦荷莲樟枫桐茶斜洞院观寺堡城关')
# Filler institutions when the bureaus and towns do not reach the quota.
FILLERS = [
    ('第{n}中学', '校长', 'school'),
    ('第{n}小学', '校长', 'school'),
    ('第{n}幼儿园', '园长', 'school'),
    ('第{n}社区卫生服务中心', '主任', 'clinic'),
    ('第{n}社区居民委员会', '主任', 'station'),
    ]

# Departments of each kind of unit; a few departments have sections (股).
DEPARTMENTS = {
    'gov': ['办公室', '组织人事科', '财务审计科', '政策法规科', '综合规划科',
        '行政审批科', '监督检查科', '信息中心', '安全生产科', '宣传教育科',
        '机关党委', '纪检监察室'],
    'town': ['党政综合办公室', '经济发展办公室', '社会事务办公室', '综治中心',
        '便民服务中心', '农业综合服务中心', '财政所', '自然资源所'],
    'school': ['办公室', '教务处', '政教处', '总务处', '教研室'],
    'hospital': ['办公室', '医务科', '护理部', '内科', '外科', '儿科',
        '妇产科', '急诊科', '药剂科', '检验科'],
    'clinic': ['综合办公室', '门诊部', '公共卫生科'],
    'station': ['综合室', '业务室'],
    'sub': ['综合科', '业务科', '执法一队', '执法二队'],
    }
# How many departments each kind has, as (fewest, most).
DEPARTMENT_RANGE = {
    'gov': (4, 10), 'town': (5, 8), 'school': (3, 5), 'hospital': (5, 10),
    'clinic': (2, 3), 'station': (2, 2), 'sub': (2, 4),
    }
SECTIONS = ['秘书股', '文书股', '档案股', '督查股']
# The staff post of a department and the job title of its people.
STAFF_TITLE = {
    'gov': '科员', 'town': '干事', 'school': '教师', 'hospital': '医师',
    'clinic': '医师', 'station': '工作人员', 'sub': '工作人员',
    }
# How many people a unit of each kind has, relative to the others.
PEOPLE_WEIGHT = {
    'gov': 1.0, 'town': 1.1, 'school': 1.6, 'hospital': 2.6, 'clinic': 0.7,
    'station': 0.6, 'sub': 0.6,
    }
# The head of a division's government.
GOVERNMENT_HEAD = {
    'city': '市长', 'county_city': '市长', 'district': '区长',
    'county': '县长', None: '主任',
    }
# Contacts that users keep in their own address book.
CONTACT_ORGANISATIONS = [
    '江西省人民政府办公厅', '宜春学院', '宜春职业技术学院', '国网宜春供电公司',
    '中国移动宜春分公司', '中国电信宜春分公司', '宜春市自来水公司',
    '江西银行宜春分行', '宜春日报社', '宜春汽车站']
CONTACT_CATEGORIES = ['同事', '上级单位', '合作单位', '供应商', None]


def department_head_title(name):
    "The title of the person heading a department, after its name"
    for suffix, title in [('股', '股长'), ('科', '科长'), ('所', '所长'),
            ('队', '队长'), ('处', '主任'), ('部', '主任'), ('室', '主任'),
            ('中心', '主任'), ('委', '书记')]:
        if name.endswith(suffix):
            return title
    return '负责人'


def deputy_title(title):
    return '副' + title
