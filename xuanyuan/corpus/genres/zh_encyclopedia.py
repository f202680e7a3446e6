"""Chinese encyclopedia entries: people, companies, towns and finance terms, with infoboxes."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, Table, h, p, table, ul
from xuanyuan.corpus.genres.zh_common import GENERAL_METRICS, data_sentence
from xuanyuan.corpus.genres.zh_slots import base_slots, company_slots
from xuanyuan.corpus.templates import TemplateDeck, fill, fill_many

PROFESSIONS = {
    "经济学家": ("{university}经济学院", ["教授", "博士生导师", "院长"], "发表学术论文{num_mid}余篇"),
    "企业家": ("{company_any}", ["董事长", "总经理", "创始人"], "带领企业年营业收入突破{yi}"),
    "作家": ("{province}省作家协会", ["副主席", "会员", "签约作家"], "出版长篇小说{num_small}部"),
    "工程师": ("{company_any}", ["总工程师", "首席科学家", "技术总监"], "获得发明专利{num_mid}项"),
    "画家": ("{province}省美术家协会", ["理事", "副主席", "会员"], "作品入选全国美术作品展{num_small}次"),
    "医生": ("{city}市第一人民医院", ["主任医师", "科室主任", "副院长"], "完成各类手术{num_big}余例"),
    "教育家": ("{university}", ["校长", "教授", "名誉校长"], "培养研究生{num_mid}余名"),
    "建筑师": ("{city}市建筑设计研究院", ["总建筑师", "院长", "首席设计师"], "主持设计项目{num_mid}余项"),
    "运动员": ("{province}省体育局", ["运动员", "教练员", "领队"], "获得全国冠军{num_small}次"),
    "律师": ("{brand}律师事务所", ["主任", "高级合伙人", "执业律师"], "代理各类案件{num_mid}余件"),
}

PERSON_EARLY = [
    "{birth_year}年，{name}出生于{province}{city}的一个[普通工人|教师|农民|医生|商人]家庭，[自幼|从小]喜爱[读书|画画|运动|数学]。",
    "[少年时期|中学时代]，{name}就读于{city}第{ordinal}中学，[成绩优异|曾获全省{subject}竞赛一等奖]。",
    "{edu_year}年，{name}考入{university}{major}专业，[师从|受教于]{person}，[打下了扎实的专业基础|开始接触{field}研究]。",
    "[大学毕业后|获得{degree}后]，{name}[放弃了留校任教的机会|婉拒了多家单位的邀请]，[回到家乡|只身前往{other_city}][参加工作|创业]。",
    "[青年时期|求学期间]，{name}[曾在|先后在]{other_city}、{other_city}等地[游学|实习|工作]，[积累了丰富的实践经验|结识了许多志同道合的朋友]。",
]
PERSON_CAREER = [
    "{year1}年，{name}[加入|进入]{org}，[先后担任|历任]{pos1}、{pos2}等职务。",
    "{year2}年，{name}[牵头|主持]完成了[{field}领域的重点课题|一项省级重大项目]，[相关成果|该项目]获得{award}。",
    "{year3}年起，{name}[担任|出任]{org}{pos3}，[任内|在此期间]推动了[多项改革|一系列创新举措]。",
    "{year2}年至{year3}年，{name}[赴|在]{abroad}[访学|进修|工作]，[研究方向|主要关注]为{field}。",
    "[此后|在接下来的十余年里]，{name}[潜心|专注于]{field}，{achievement}。",
    "{year3}年，{name}[当选|被评为]{honor}，同年出版[专著|作品]{book}。",
]
PERSON_EVAL = [
    "[业内|同行]评价{name}“[严谨务实|勤奋执着|敢为人先]”，[是{field}领域的代表人物之一|对行业发展产生了重要影响]。",
    "{name}[常说|曾在采访中表示]：“[做事先做人|只有坚持，才能走得更远|认准的事就要干到底]。”",
    "[{media}|有评论]称，{name}的[作品|研究|经营理念][兼具|融合了][传统与现代|理论与实践]，[风格独特|富有启发性]。",
]

COMPANY_HISTORY = [
    "{founded}年，{company_full}在{hq_city}[成立|注册成立]，[最初|创立之初]主要从事{product}的[代理销售|来料加工|技术服务]。",
    "{h_year1}年，公司[完成股份制改造|引入战略投资者]，[注册资本增至{wan}|更名为现名]。",
    "{listed}年，公司[股票|A股]在{exchange}[上市|挂牌上市]，股票代码{code}。",
    "{h_year2}年，公司[投资建设|启动]{hq_province}[生产基地|研发中心]，[设计产能达到{num_big}吨|占地面积{num_big}平方米|总投资{yi_small}]。",
    "{h_year2}年，公司[发行可转换公司债券|完成非公开发行股票]，募集资金{yi_small}，[用于{product}扩产项目|投向智能化改造项目]。",
    "{h_year1}年，{chairman}[出任|接任]公司董事长，[公司|企业]开始[向{product2}领域转型|实施“{brand}”品牌战略]。",
    "{h_year3}年，公司[在{other_city}设立全资子公司|与{university}共建联合实验室]，[布局|加码]{product2}业务。",
    "{h_year3}年，公司[收购|控股]{peer}，[进一步完善了产业链布局|业务拓展至{product2}领域]。",
    "{h_year3}年，公司[入选|被认定为][国家级专精特新“小巨人”企业|高新技术企业|省级企业技术中心]。",
]
COMPANY_BUSINESS = [
    "公司主营业务为{product}、{product2}等产品的研发、生产和销售，产品广泛应用于[{industry_any}|工业制造|消费电子|基础设施]等领域。",
    "[截至|到]{prev_year}年末，公司拥有员工{employees}人，其中研发人员占比{rd_ratio}，[累计获得|拥有]专利{num_mid}项。",
    "公司在{hq_city}、{other_city}等地设有[生产基地|子公司|研发中心]，产品[销往|出口至]{num_small}个国家和地区。",
    "[公司|该企业]的主要原材料包括{input}等，[与多家供应商建立了长期合作关系|实行集中采购管理]。",
    "公司坚持“[质量为本、客户至上|创新驱动、稳健经营|专注主业、持续改进]”的经营理念，[先后|曾]获得{award}等荣誉。",
    "[按产品划分|从收入结构看]，{product}[贡献了|占]公司营业收入的{pct_big}，{product2}[业务|板块]增长[最快|较快]。",
    "公司[客户|下游客户]主要为[{industry_any}企业|大型国有企业|海外品牌商|各级经销商]，前五大客户销售额占比{pct_big}。",
    "[在技术方面|技术上]，公司[掌握了|拥有]{product}[核心工艺|关键零部件设计|智能制造]等技术，[参与制定|牵头起草]国家及行业标准{num_small}项。",
    "[受{driver}影响|得益于{driver}]，公司[近年|最近几年]业务[快速增长|稳步扩张]，[海外收入占比|出口占比]提升至{pct_big}。",
]
TOWN_SECTIONS = {
    "历史沿革": [
        "[明清时期|清代]，{town}[属|隶属]{city}府管辖，因[境内有{stem}而得名|早年{stem}一带商贾云集而得名]。",
        "{t_year1}年，[设立|成立]{town_short}[公社|乡]；{t_year2}年[撤乡建镇|撤社建乡]，[定名|改称]{town}。",
        "{t_year3}年，[原{stem2}乡并入{town}|{town}部分村划归{district}管辖]，行政区域[基本稳定至今|延续至今]。",
    ],
    "地理环境": [
        "{town}地处{city}{direction}，[东|西|南|北]与{neighbor}接壤，距{city}市区约{km}公里。",
        "境内[地势{terrain}|以{terrain2}为主]，[平均海拔|最高海拔]{alt}米，[{river}支流|{stem}河]自{direction2}向{direction3}流经全境。",
        "[属|该地属][亚热带季风气候|温带大陆性季风气候|暖温带半湿润气候]，年平均气温{temp}摄氏度，年降水量{rain}毫米。",
    ],
    "经济": [
        "{town}以农业为主，主要种植{crop}、{crop2}等作物，[是{city}重要的{crop}生产基地|{crop}种植面积约{num_big}亩]。",
        "[近年来|{prev_year}年]，{town}[大力|积极]发展[{industry_any}|农产品加工|乡村旅游]产业，[辖区内|全镇]共有[规模以上企业|工业企业]{num_small}家。",
        "{prev_year}年，{town}实现地区生产总值{yi_small}，农村居民人均可支配收入{income}元。",
    ],
    "交通": [
        "[{road}国道|{road}省道|{city}绕城高速]穿境而过，[距最近的高铁站|距{city}火车站]约{km2}公里。",
        "[镇区|乡政府驻地]开通了至{city}市区的[城乡公交|客运班车]，[每天|日均]发车{num_small}班。",
    ],
    "旅游景点": [
        "{landmark}位于{town}[中部|东部|北部]，[始建于{dynasty}|建于{dynasty}]，[是{province}省级文物保护单位|现存建筑{num_small}处]。",
        "[每年|每逢]{festival}前后，{town}都会举办[庙会|灯会|{crop}文化节|赛龙舟活动]，[吸引|迎来]大量游客。",
    ],
}
FIN_TERMS = {
    "市盈率": "市盈率是指股票价格除以每股收益的比率，是衡量股票估值水平最常用的指标之一。",
    "市净率": "市净率是指每股股价与每股净资产的比率，常用于评估银行、保险等重资产行业的估值。",
    "净资产收益率": "净资产收益率是净利润与平均股东权益的百分比，反映股东权益的收益水平。",
    "资产负债率": "资产负债率是期末负债总额除以资产总额的百分比，用于衡量企业的长期偿债能力。",
    "流动比率": "流动比率是流动资产与流动负债的比值，用来衡量企业流动资产在短期债务到期前可以变为现金用于偿还负债的能力。",
    "存款准备金率": "存款准备金率是指金融机构为保证客户提取存款和资金清算需要而准备的资金占其存款总额的比例。",
    "贷款市场报价利率": "贷款市场报价利率由具有代表性的报价行根据本行对最优质客户的贷款利率报价，经计算后得出。",
    "可转换债券": "可转换债券是债券持有人可按照发行时约定的价格将债券转换成公司普通股票的债券。",
    "融资融券": "融资融券是指投资者向具有资格的证券公司提供担保物，借入资金买入证券或借入证券并卖出的行为。",
    "国债逆回购": "国债逆回购是一种短期贷款，投资者通过交易所将资金借出，获得固定利息收益，借款方以国债作为抵押。",
    "市值": "市值是指一家上市公司的发行股份按市场价格计算出来的股票总价值。",
    "股息率": "股息率是一年的总派息额与当时市价的比例，是衡量企业是否具有投资价值的重要标尺之一。",
    "毛利率": "毛利率是毛利与销售收入的百分比，其中毛利是收入和与收入相对应的营业成本之间的差额。",
    "商誉": "商誉是企业合并成本大于合并中取得的被购买方可辨认净资产公允价值份额的差额。",
    "期权": "期权是一种合约，赋予持有人在某一特定日期或该日之前的任何时间以固定价格购进或售出一种资产的权利。",
    "通货膨胀": "通货膨胀是指在货币流通条件下，因货币供给大于货币实际需求而引起的一段时间内物价持续而普遍地上涨现象。",
    "国内生产总值": "国内生产总值是指一个国家或地区所有常住单位在一定时期内生产活动的最终成果。",
    "货币供应量": "货币供应量是指一国在某一时期内为社会经济运转服务的货币存量，通常分为M0、M1和M2等层次。",
    "资产证券化": "资产证券化是指以基础资产未来所产生的现金流为偿付支持，通过结构化设计进行信用增级，在此基础上发行资产支持证券的过程。",
    "基金净值": "基金净值是指在某一基金估值时点上，按照公允价格计算的基金资产的总市值扣除负债后的余额。",
    "北向资金": "北向资金一般指通过沪股通和深股通流入A股市场的香港及海外资金。",
    "注册制": "注册制是指发行人申请发行股票时，依法将公开的各种资料完全准确地向证券监管机构申报，由监管机构进行形式审查的制度。",
    "量化宽松": "量化宽松是一种货币政策，主要指中央银行在实行零利率或近似零利率政策后，通过购买国债等中长期债券，增加基础货币供给。",
    "信用评级": "信用评级是由专业机构对债务人按期足额偿还债务本息的能力和意愿进行评价，并用简单的符号表示其违约风险的大小。",
    "杠杆率": "杠杆率一般是指资产负债表中权益资本与总资产的比率，也用来描述总债务与国内生产总值之比。",
    "集合竞价": "集合竞价是指在规定时间内接受的买卖申报一次性集中撮合的竞价方式。",
    "分红送转": "分红送转是上市公司向股东分配利润的方式，包括现金分红、送红股和资本公积金转增股本。",
    "ETF": "ETF即交易型开放式指数基金，是一种在交易所上市交易的、基金份额可变的开放式基金。",
    "不良贷款率": "不良贷款率是指金融机构不良贷款占总贷款余额的比重，是评价金融机构信贷资产安全状况的重要指标。",
    "久期": "久期是以未来时间发生的现金流，按照目前的收益率折现成现值，再用每笔现值乘以距离该笔现金流发生时间点的年限进行加权平均。",
}
TERM_SECTIONS = [
    "[在实际应用中|在投资实践中]，{term}[需要|应当]结合[行业特点|企业所处发展阶段|宏观环境]进行分析，单独使用可能[产生误导|得出片面结论]。",
    "[一般而言|通常情况下]，{term}[越高|越低]，[说明|意味着]{meaning}，但不同行业之间[差异较大|不宜直接比较]。",
    "{term}这一概念[最早|较早]出现于[{century}的{country}|{century}的金融实践中]，[后来|随后]被[广泛引入|逐步应用到]{field2}领域。",
    "[我国|国内]对{term}的[相关规定|统计口径]由{regulator}[制定|发布]，[最近一次修订|最新版本]于{rev_year}年[完成|实施]。",
    "[在|从]{field2}[的角度看|领域]，{term}与[{other_term}|{other_term2}][密切相关|相互影响]，[二者|两者]常被放在一起分析。",
    "[有学者|{university}的研究者]{person}[指出|认为]，[使用|理解]{term}时应[关注|注意][数据质量|计算口径|会计政策差异]。",
]


def _person(rng: random.Random, year: int) -> Article:
    name = ent.person_name(rng)
    profession = rng.choice(list(PROFESSIONS))
    org_t, positions, achievement_t = PROFESSIONS[profession]
    birth = rng.randrange(1935, 1990)
    slots = {**base_slots(rng, year)}
    slots.update({
        "name": name, "birth_year": str(birth), "edu_year": str(birth + 18),
        "year1": str(birth + rng.randrange(22, 26)), "year2": str(birth + rng.randrange(27, 35)), "year3": str(min(year, birth + rng.randrange(36, 50))),
        "company_any": lambda: ent.company(rng).short, "major": rng.choice(zh.MAJORS), "degree": rng.choice(zh.DEGREES),
        "ordinal": rng.choice("一二三四五六七八九十"), "subject": rng.choice(["数学", "物理", "化学", "作文", "生物"]),
        "field": rng.choice(zh.MAJORS), "abroad": rng.choice(["美国", "英国", "德国", "日本", "法国", "新加坡", "加拿大", "澳大利亚"]),
        "award": lambda: rng.choice(["国家科学技术进步奖二等奖", f"{slots['province']}省科学技术奖一等奖", "全国五一劳动奖章", "孙冶方经济科学奖", "鲁迅文学奖提名", "全国优秀企业家称号"]),
        "honor": rng.choice(["全国劳动模范", "中国工程院院士", "全国人大代表", "全国政协委员", "省级有突出贡献专家", "全国三八红旗手"]),
        "book": lambda: ent.book_title(rng),
    })
    slots["org"] = fill(org_t, rng, slots)
    slots["pos1"], slots["pos2"], slots["pos3"] = positions[0], positions[1], positions[2]
    slots["achievement"] = fill(achievement_t, rng, slots)
    gender = rng.choice(["男", "女"])
    lead = fill("{name}，" + gender + "，[汉族，|]{birth_year}年{month}生于{province}{city}，[中国|我国][著名|知名|]" + profession + "，[现任|曾任]{org}{pos3}。", rng, slots)
    blocks = [p(lead), h("人物经历")]
    blocks.append(p("".join(fill_many(PERSON_EARLY, rng.randint(2, 4), rng, slots, ordered=True))))
    blocks.append(p("".join(fill_many(PERSON_CAREER, rng.randint(2, 4), rng, slots, ordered=True))))
    career = TemplateDeck(PERSON_CAREER, rng)
    if rng.random() < 0.7:
        blocks.append(h("主要成就"))
        blocks.append(p(fill("[截至{year}年|多年来]，{name}{achievement}，[其中|并]有{num_small}项成果[获得省部级以上奖励|被{media}报道]。", rng, slots) + "".join(career.sentences(1, slots))))
    blocks.append(h("代表作品" if profession in ("作家", "画家", "经济学家") else "获得荣誉"))
    years = sorted(rng.sample(range(birth + 25, min(year, birth + 70) + 1), k=min(rng.randint(3, 6), max(1, min(year, birth + 70) - birth - 24))))
    if profession in ("作家", "画家", "经济学家"):
        items = [f"{y}年 {ent.book_title(rng)}" for y in years]
    else:
        items = [f"{y}年 " + fill("[获得|荣获]{award}", rng, slots) for y in years]
    blocks.append(ul(items))
    blocks.append(h("人物评价"))
    blocks.append(p("".join(TemplateDeck(PERSON_EVAL, rng).sentences(rng.randint(1, 2), slots))))
    infobox = [("中文名", name), ("国籍", "中国"), ("出生日期", f"{birth}年"), ("出生地", slots["province"] + slots["city"]),
               ("毕业院校", slots["university"]()), ("职业", profession), ("代表作品" if profession == "作家" else "主要成就", slots["achievement"])]
    return Article(title=name, blocks=blocks, lang="zh", genre="encyclopedia", meta={"entry": "person"}, infobox=infobox)


def _company(rng: random.Random, year: int) -> Article:
    company = ent.company(rng)
    slots = {**base_slots(rng, year), **company_slots(rng, company, year)}
    span = max(1, year - company.founded)
    h_years = sorted(rng.sample(range(company.founded + 1, year + 1), k=min(3, span)))
    while len(h_years) < 3:
        h_years.append(h_years[-1] if h_years else year)
    slots.update({"h_year1": str(h_years[0]), "h_year2": str(h_years[1]), "h_year3": str(h_years[2]),
                  "award": lambda: rng.choice(["中国驰名商标", "省长质量奖", "全国质量标杆", "制造业单项冠军", "绿色工厂", "纳税信用A级企业"])})
    lead = fill("{company_full}（简称“{company}”）成立于{founded}年，总部位于{hq_province}{hq_city}，是一家[主要从事|专注于]{product}[研发、生产和销售|相关业务]的[企业|公司]，[于{listed}年在{exchange}上市，股票代码{code}|是{industry}行业的[骨干|代表性]企业之一]。", rng, slots)
    history = sorted(TemplateDeck(COMPANY_HISTORY, rng).sentences(rng.randint(3, 5), slots), key=lambda sentence: sentence[:4])
    blocks = [p(lead), h("发展历程"), p("".join(history)), h("主营业务"),
              p("".join(TemplateDeck(COMPANY_BUSINESS, rng).sentences(rng.randint(2, 4), slots)))]
    years = list(range(year - 3, year + 1))
    revenue = rng.uniform(5, 300)
    rows = []
    for y in years:
        revenue *= rng.uniform(0.9, 1.3)
        rows.append([f"{y}年", ent.fmt_num(revenue), ent.fmt_num(revenue * rng.uniform(0.04, 0.2)), f"{rng.uniform(10, 60):.2f}%"])
    blocks += [h("经营业绩"), p(fill("[近年来|近几年]，{company}[经营业绩稳步增长|营业收入保持增长]，主要财务数据如下：", rng, slots)),
               table(Table(["年份", "营业收入（亿元）", "净利润（亿元）", "毛利率"], rows, caption="主要财务数据"))]
    if rng.random() < 0.7:
        subsidiaries = sorted({(rng.choice([company.city, slots["other_city"](), ""]) + ent.brand_word(rng) + rng.choice(["科技", "贸易", "材料", "智能", "物流", "投资"]) + "有限公司") for _ in range(rng.randint(3, 6))})
        blocks += [h("主要子公司"), ul(subsidiaries)]
    if rng.random() < 0.6:
        honors = [f"{y}年 " + fill("[获评|荣获|入选]{award}", rng, slots) for y in sorted(rng.sample(range(company.founded + 1, year + 1), k=min(3, span)))]
        blocks += [h("企业荣誉"), ul(honors)]
    slots["donation"] = f"{rng.uniform(50, 9000):.0f}万元"
    blocks += [h("社会责任"), p(fill("[公司|{company}][积极|长期]参与[乡村振兴|助学|抗灾救灾|环境保护]等公益事业，[累计|近年来]捐款捐物{donation}，[先后在{other_city}等地设立助学基金|资助困难学生{num_big}名]。", rng, slots))]
    infobox = [("公司名称", company.name), ("成立时间", f"{company.founded}年"), ("总部地点", company.province + company.city), ("经营范围", "、".join(company.products)),
               ("公司类型", "股份有限公司"), ("董事长", company.chairman), ("员工数", f"{company.employees}人"), ("股票代码", company.code)]
    return Article(title=company.name, blocks=blocks, lang="zh", genre="encyclopedia", meta={"entry": "company", "code": company.code}, infobox=infobox)


def _town(rng: random.Random, year: int) -> Article:
    stem = rng.choice(zh.PLACE_STEMS)
    suffix = rng.choice(["镇", "乡", "镇"])
    town = stem + suffix
    slots = base_slots(rng, year)
    t1 = rng.randrange(1950, 1965)
    slots.update({
        "town": town, "town_short": stem, "stem": stem, "stem2": rng.choice(zh.PLACE_STEMS),
        "district": slots["city"] + rng.choice(["县", "区"]), "neighbor": lambda: ent.town_name(rng),
        "direction": rng.choice(["东部", "西部", "南部", "北部", "东南部", "西北部", "东北部", "西南部"]),
        "direction2": rng.choice(["西", "北", "西北"]), "direction3": rng.choice(["东", "南", "东南"]),
        "terrain": rng.choice(["西高东低", "北高南低", "平坦开阔", "起伏较大"]), "terrain2": rng.choice(["丘陵", "平原", "山地", "河谷盆地"]),
        "alt": str(rng.randrange(20, 2400)), "river": rng.choice(zh.RIVERS), "temp": f"{rng.uniform(4, 23):.1f}", "rain": str(rng.randrange(300, 2000)),
        "crop": rng.choice(zh.CROPS), "crop2": rng.choice(zh.CROPS), "income": ent.fmt_num(rng.randrange(11000, 36000), 0),
        "km": str(rng.randrange(8, 120)), "km2": str(rng.randrange(5, 80)), "road": str(rng.randrange(101, 330)),
        "dynasty": rng.choice(["唐代", "宋代", "元代", "明代", "清代", "明朝嘉靖年间", "清朝乾隆年间"]),
        "t_year1": str(t1), "t_year2": str(rng.randrange(1983, 1996)), "t_year3": str(rng.randrange(2000, year)),
    })
    area = rng.uniform(30, 400)
    population = rng.randrange(8000, 90000)
    lead = fill("{town}，隶属于{province}{district}，地处{district}{direction}，[距{city}市区约{km}公里|东距{city}市区{km}公里]，总面积" + f"{area:.2f}" + "平方千米，[户籍人口|常住人口]" + f"{population}" + "人（{prev_year}年）。", rng, slots)
    blocks = [p(lead)]
    for head, pool in TOWN_SECTIONS.items():
        if head != "历史沿革" and rng.random() < 0.2:
            continue
        blocks.append(h(head))
        sentences = fill_many(pool, rng.randint(2, len(pool)), rng, slots, ordered=True)
        if head == "经济" and rng.random() < 0.6:
            sentences.append(data_sentence(rng, {**slots, "subject_default": town}, [town, "全" + suffix], GENERAL_METRICS))
        blocks.append(p("".join(sentences)))
    villages = sorted({rng.choice(zh.PLACE_STEMS) + "村" for _ in range(rng.randint(5, 12))})
    blocks += [h("行政区划"), p(f"截至{year}年，{town}辖{len(villages)}个行政村：" + "、".join(villages) + "。")]
    infobox = [("中文名", town), ("行政区类别", suffix), ("所属地区", slots["province"] + slots["district"]), ("面积", f"{area:.2f}平方千米"),
               ("人口", f"{population}人"), ("特产", slots["crop"]), ("著名景点", ent.landmark(rng))]
    return Article(title=town, blocks=blocks, lang="zh", genre="encyclopedia", meta={"entry": "town"}, infobox=infobox)


def _term(rng: random.Random, year: int, term: str) -> Article:
    slots = base_slots(rng, year)
    others = [t for t in FIN_TERMS if t != term]
    slots.update({
        "term": term, "meaning": rng.choice(["企业的盈利能力越强", "市场对其未来增长的预期越高", "风险相对越大", "资金使用效率越高", "偿债压力越大"]),
        "century": rng.choice(["20世纪初", "20世纪30年代", "20世纪70年代", "19世纪末"]), "country": rng.choice(["美国", "英国", "德国", "荷兰"]),
        "field2": rng.choice(["证券投资", "公司财务", "宏观经济", "银行管理", "风险管理"]), "regulator": rng.choice(zh.REGULATORS),
        "rev_year": str(rng.randrange(2005, year + 1)), "other_term": rng.choice(others), "other_term2": rng.choice(others),
    })
    blocks = [p(FIN_TERMS[term] + fill("[该指标|这一概念][广泛应用于|常见于]{field2}[分析|实践]中。", rng, slots)), h("基本含义"),
              p("".join(TemplateDeck(TERM_SECTIONS, rng).sentences(3, slots))), h("应用与局限"),
              p("".join(TemplateDeck(TERM_SECTIONS, rng).sentences(2, slots)))]
    blocks += [h("相关词条"), ul(rng.sample(others, 5))]
    return Article(title=term, blocks=blocks, lang="zh", genre="encyclopedia", meta={"entry": "term"}, infobox=[("中文名", term), ("所属学科", slots["field2"]())] if callable(slots["field2"]) else [("中文名", term), ("所属学科", slots["field2"])])


ENTRY_KINDS = ("person", "company", "town", "term")


def compose(rng: random.Random, year: int, kind: str | None = None, used_terms: set[str] | None = None) -> Article:
    """One entry; finance terms are used once each (`used_terms` tracks them), then other kinds."""
    kind = kind or rng.choices(ENTRY_KINDS, weights=[35, 30, 25, 10])[0]
    if kind == "term":
        free = [t for t in FIN_TERMS if used_terms is None or t not in used_terms]
        if free:
            term = rng.choice(free)
            if used_terms is not None:
                used_terms.add(term)
            return _term(rng, year, term)
        kind = rng.choice(ENTRY_KINDS[:3])
    return {"person": _person, "company": _company, "town": _town}[kind](rng, year)


TOPICS = ENTRY_KINDS[:3]
