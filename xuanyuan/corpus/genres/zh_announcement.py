"""Chinese listed-company announcements: board resolutions, annual report summaries, dividends."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus.article import Article, Table, h, p, table
from xuanyuan.corpus.genres.zh_common import COMPANY_METRICS, mixed_sentences
from xuanyuan.corpus.genres.zh_slots import base_slots, company_slots, market_slots
from xuanyuan.corpus.templates import TemplateDeck, fill

PLEDGE = "本公司董事会及全体董事保证本公告内容不存在任何虚假记载、误导性陈述或者重大遗漏，并对其内容的真实性、准确性和完整性承担法律责任。"
PLEDGE_ALT2 = "本公司董事会及全体董事保证本公告所载资料不存在任何虚假记载、误导性陈述或者重大遗漏，并对其内容的真实性、准确性和完整性承担个别及连带责任。"
PLEDGE_ALT3 = "本公司及全体董事会成员保证公告内容真实、准确和完整，对公告的虚假记载、误导性陈述或者重大遗漏负连带责任。"
PLEDGE_ALT4 = "{company}董事会及全体董事保证本公告内容真实、准确、完整，不存在虚假记载、误导性陈述或者重大遗漏。"
PLEDGE_ALT = "本公司及董事会全体成员保证信息披露的内容真实、准确、完整，没有虚假记载、误导性陈述或重大遗漏。"
PLEDGES = (PLEDGE, PLEDGE_ALT, PLEDGE_ALT2, PLEDGE_ALT3, PLEDGE_ALT4)

MOTIONS = [
    ("关于《{year}年年度报告》及其摘要的议案", "[董事会认为|经审核，董事会认为|董事会经审议认为]，公司《{year}年年度报告》[的编制和审议程序符合法律法规的规定|及其摘要的编制程序合法合规]，[报告内容真实、准确、完整地反映了公司的实际情况|所载信息能够客观反映公司{year}年度的财务状况和经营成果]。"),
    ("关于{year}年度利润分配预案的议案", "[公司拟以实施权益分派股权登记日登记的总股本为基数|以未来实施分配方案时股权登记日的总股本为基数|拟以公司现有总股本为基数]，[向全体股东每10股派发现金红利{dividend}（含税）|每10股派{dividend}现金（含税）]，[不送红股|不以资本公积金转增股本|剩余未分配利润结转以后年度]。"),
    ("关于{year}年度董事会工作报告的议案", "{year}年，公司董事会[严格按照|依照|遵照]《公司法》《公司章程》等规定，[认真履行职责|勤勉尽责|切实履行股东大会赋予的职责]，[共召开董事会会议{num_small}次|全年召开董事会{num_small}次，审议议案{num_mid}项]。"),
    ("关于续聘{year_next}年度审计机构的议案", "[同意续聘|董事会同意继续聘请]{auditor}为公司{year_next}年度[财务报告及内部控制审计机构|审计机构]，[聘期一年|聘期自股东大会通过之日起一年]，[审计费用为{fee}|年度审计费用合计{fee}]。"),
    ("关于向银行申请综合授信额度的议案", "[为满足生产经营需要|根据{year_next}年经营计划|为保障日常资金周转]，公司及[子公司|下属子公司]拟向{bank}等[金融机构|银行]申请[总额不超过{yi}的综合授信额度|不超过{yi}的授信额度]，[授信期限为{num_small}个月|期限{num_small}个月]。"),
    ("关于使用闲置自有资金进行现金管理的议案", "[在确保不影响正常经营的前提下|在保证资金安全的前提下]，同意公司使用不超过{yi_small}的闲置自有资金购买[安全性高、流动性好的理财产品|银行结构性存款等低风险产品]，[额度内资金可以滚动使用|使用期限不超过十二个月]。"),
    ("关于{year}年度日常关联交易执行情况及{year_next}年度预计的议案", "[预计|公司预计]{year_next}年度[公司与关联方|公司及子公司与{peer}等关联方]发生的日常关联交易总金额不超过{wan}，[关联董事{person}已回避表决|定价遵循市场公允原则|不会影响公司的独立性]。"),
    ("关于补选第{term}届董事会非独立董事的议案", "[经董事会提名委员会审核|经公司控股股东推荐]，同意提名{person}为公司第{term}届董事会非独立董事候选人，[任期自股东大会审议通过之日起至本届董事会届满之日止|任期与本届董事会一致]。"),
    ("关于召开{year}年年度股东大会的议案", "[公司定于|董事会决定于]{meeting_date}[下午14:30|上午9:30|下午15:00]在{hq_city}[公司会议室|公司总部{street}]召开{year}年年度股东大会，[会议采用现场投票与网络投票相结合的方式|股权登记日为{record_date}]。"),
    ("关于会计政策变更的议案", "本次会计政策变更是公司根据财政部发布的[相关规定|《企业会计准则解释第{num_small}号》]进行的合理变更，[不会对公司财务状况、经营成果和现金流量产生重大影响|不存在损害公司及股东利益的情形]。"),
    ("关于投资建设{product}项目的议案", "同意公司在{hq_city}[投资建设|扩建]{product}[生产线|项目]，项目总投资约{capex}，[建设周期|建设期]为{num_small}个月，资金来源为[自有资金|自筹资金及银行贷款]。"),
    ("关于对外投资设立全资子公司的议案", "为[完善产业布局|拓展{product2}业务]，同意公司以自有资金{wan}在{other_city}投资设立全资子公司{subsidiary}（暂定名，以工商登记为准）。"),
    ("关于{year}年度计提资产减值准备的议案", "根据《企业会计准则》的相关规定，公司对截至{year}年12月31日的[应收账款|存货|长期股权投资]等资产进行了减值测试，计提各项减值准备合计{wan}。"),
    ("关于回购公司股份方案的议案", "基于对公司[未来发展前景的信心|价值的认可]，同意公司以集中竞价交易方式回购公司股份，回购资金总额不低于{yi_small}，回购价格不超过每股{price}元。"),
    ("关于{year_next}年度对外担保额度预计的议案", "为满足子公司[日常经营|项目建设]的资金需求，同意公司为{subsidiary}等子公司提供总额不超过{yi_small}的担保，担保期限[以实际签署的合同为准|自股东大会审议通过之日起十二个月]。"),
    ("关于聘任公司副总经理的议案", "经总经理提名，同意聘任{person}为公司副总经理，[负责{product}事业部的经营管理工作|分管市场营销工作]，任期与本届董事会一致。"),
    ("关于开展外汇套期保值业务的议案", "为[降低汇率波动对公司经营的影响|规避外汇市场风险]，同意公司及子公司开展外汇套期保值业务，[任一时点|最高]余额不超过{usd}。"),
    ("关于修订《公司章程》的议案", "根据《上市公司章程指引》等规定，[结合公司实际情况|因注册资本变更]，公司拟对《公司章程》第{num_small}条、第{num_mid}条等条款进行修订。"),
    ("关于{year}年度募集资金存放与实际使用情况专项报告的议案", "截至{year}年12月31日，公司累计使用募集资金{yi_small}，尚未使用的募集资金余额为{wan}（含利息收入），[存放于募集资金专户|部分用于现金管理]。"),
]
# The company's own voice, as in the management discussion of an annual report.
DISCUSSION = [
    "报告期内，公司[围绕|聚焦]{product}主业，[持续推进|深入推进][降本增效|精益管理|数字化转型]，[主营业务|核心业务]保持[稳定增长|平稳运行]。",
    "[{year}年|报告期内]，[受{driver}等因素影响|面对复杂多变的外部环境]，{industry}行业[整体|总体]呈现[稳中有进|结构分化]的态势，公司[积极应对|主动作为]，[经营业绩保持稳定|市场份额进一步提升]。",
    "[在市场开拓方面|市场方面]，公司[新开发客户|新增经销商]{num_mid}家，[海外销售收入|出口收入]同比增长{pct}，[产品已进入{num_small}个国家和地区|海外布局持续完善]。",
    "[在研发创新方面|研发方面]，公司全年研发投入{yi_small}，占营业收入的{rd_ratio}，[新获授权发明专利{num_small}项|完成{num_small}项新产品开发]。",
    "[在产能建设方面|产能方面]，{hq_city}[生产基地|新厂区]{product}项目[顺利投产|完成主体工程建设]，[新增产能|设计年产能]{num_big}吨。",
    "[在公司治理方面|治理方面]，公司[进一步完善|持续健全]内部控制体系，[全年召开股东大会{num_small}次|修订完善{num_small}项管理制度]。",
    "[报告期内|{year}年]，公司{input}[采购成本|价格][同比下降{pct}|同比上涨{pct}]，[综合毛利率为{gross_margin}|对毛利率产生一定影响]。",
    "[报告期内|{year}年度]，公司经营活动产生的现金流量净额为{yi_small}，[资产负债率为{pct_big}|财务结构保持稳健]。",
    "[展望{year_next}年|{year_next}年]，公司将[继续|持续]深耕{product}领域，[加快|稳步推进]{product2}业务布局，[力争|努力实现]经营业绩[稳步增长|再上新台阶]。",
    "[人才方面|在人力资源方面]，公司[截至报告期末|期末]在职员工{employees}人，[全年开展各类培训{num_mid}场|引进高层次人才{num_small}名]。",
    "[在安全环保方面|安全环保方面]，公司[全年未发生重大安全生产事故|持续加大环保投入]，[通过了ISO14001环境管理体系认证|单位产品能耗同比下降{pct}]。",
    "[子公司方面|报告期内]，公司[完成对{subsidiary}的增资|新设子公司{subsidiary}]，[进一步完善了产业布局|业务协同效应逐步显现]。",
    "[从产品结构看|分产品看]，{product}实现销售收入{yi_small}，[占营业收入的{pct_big}|同比增长{pct}]；{product2}[业务|产品][实现收入{yi_small}|销量同比增长{pct}]。",
    "[从区域结构看|分地区看]，[华东|华南|华北|西南]地区收入占比{pct_big}，[境外收入|海外业务]同比[增长|下降]{pct}，[主要受{driver}影响|与行业趋势基本一致]。",
    "[报告期内|{year}年]，公司[获评|入选]“{honor_company}”，[品牌影响力|行业地位]进一步提升。",
    "[在数字化建设方面|信息化方面]，公司[上线|升级]了[ERP系统|MES系统|供应链协同平台|客户管理系统]，[生产效率提升{pct}|订单交付周期缩短{num_small}天]。",
    "[在供应链管理方面|采购方面]，公司与{num_small}家[核心供应商|主要供应商]签订[长期协议|战略合作协议]，[保障了{input}的稳定供应|有效平抑了原材料价格波动]。",
    "[在质量管理方面|质量方面]，公司[产品合格率保持在{pct_big}以上|全年客户投诉率同比下降{pct}]，[顺利通过{num_small}家客户的年度审核|获得IATF16949认证]。",
    "[报告期内|{year}年]，公司[销售费用|管理费用|财务费用]为{yi_small}，同比[增长|下降]{pct}，[主要系{fee_reason}所致|变动幅度处于合理范围]。",
    "[公司|本公司]所处的{industry}行业[具有一定的周期性|与宏观经济关联度较高]，[{driver}|下游需求]的变化将[直接影响|影响]公司的[订单|产品价格|盈利水平]。",
    "[截至报告期末|期末]，公司[在手订单|已签约未执行合同]金额约{yi_small}，[较年初增长{pct}|为{year_next}年业绩提供了支撑]。",
    "[报告期内|{year}年]，公司[实施|推出]了[员工持股计划|限制性股票激励计划]，[覆盖核心骨干{num_mid}人|授予股份{num_big}万股]。",
    "[在社会责任方面|公司积极履行社会责任]，[全年|报告期内][纳税总额|缴纳各项税费]{yi_small}，[带动就业{num_big}人|向{other_city}等地捐赠{wan}]。",
    "[面对|针对]{input}价格[高位波动|持续上涨]，公司通过[优化采购节奏|工艺改进|产品提价]等措施[消化成本压力|稳定毛利水平]。",
]
# One or two of these follow a motion: why the board wants it, in the company's own words.
MOTION_DETAILS = [
    "[此举|该事项]有利于[优化公司资本结构|提高资金使用效率|增强公司核心竞争力|完善{product2}业务布局]，[符合公司长远发展战略|符合全体股东的利益]。",
    "[截至本公告披露日|截至目前]，[公司|公司及子公司]{detail_metric}为{yi_small}，占最近一期经审计净资产的{pct}。",
    "[本次|该项]事项[所需资金|涉及金额]将[以自有资金解决|通过自筹方式解决]，不会对公司{year_next}年度[经营业绩|现金流]产生重大不利影响。",
    "[董事会|公司管理层]将[根据市场情况|视{product}需求变化][分阶段|择机]实施，[并及时履行信息披露义务|具体进展以后续公告为准]。",
    "[公司|董事会]授权{manager_title}{person}在上述额度内[签署相关合同|办理具体事宜]，授权期限为{num_small}个月。",
    "[该项目|本次投资]预计[达产后|完全投产后]每年可实现[营业收入|销售收入]约{yi_small}，[投资回收期|静态投资回收期]约为{payback}年。",
    "[本次|该事项]已充分考虑[行业周期|{input}价格波动|汇率变化]等因素，[风险总体可控|公司已制定相应的风险控制措施]。",
    "[根据|按照]{regulator_law}的规定，[该事项|本事项]在董事会审批权限范围内，[无需提交股东大会审议|需提交股东大会审议]。",
    "{person}[先生|女士]，{birth}年出生，[研究生学历|大学本科学历|博士研究生学历]，[曾任|历任]{other_company}[财务总监|副总经理|生产总监]，[未持有公司股份|持有公司股份{num_big}股]。",
    "公司{year}年度[内部控制|募集资金使用|关联交易]情况已经{auditor}[审计|鉴证]，并出具了[标准无保留意见的报告|鉴证报告]。",
]
RATIONALES = [
    "[独立董事|董事会审计委员会]对该事项发表了[明确同意的意见|同意的独立意见]。",
    "具体内容详见公司同日[披露|刊登]于[{exchange}网站|巨潮资讯网]的[相关公告|《关于该事项的公告》]。",
    "[该事项|本事项]已经公司[董事会审计委员会|战略委员会|薪酬与考核委员会]审议通过。",
    "[保荐机构|持续督导机构]{broker}对该事项出具了[无异议的核查意见|专项核查意见]。",
    "[本次交易|该事项]不构成关联交易，也不构成《上市公司重大资产重组管理办法》规定的重大资产重组。",
    "",
]


def _header(rng: random.Random, company: ent.Company, year: int) -> list:
    number = f"{year + 1}-{rng.randrange(1, 80):03d}"
    return [p(f"证券代码：{company.code}　　证券简称：{company.short}　　公告编号：{number}")]


VOTE_FORMATS = (
    "表决结果：同意{yes}票，反对{no}票，弃权{abstain}票。",
    "表决情况：{yes}票同意，{no}票反对，{abstain}票弃权。",
    "表决结果：{yes}票赞成，{no}票反对，{abstain}票弃权，审议通过。",
    "同意票{yes}票，反对票{no}票，弃权票{abstain}票。",
)
SHAREHOLDER_NOTES = ("本议案尚需提交公司股东大会审议。", "该议案需提交股东大会审议。", "此项议案尚须获得股东大会批准。", "本议案需提交{year}年年度股东大会审议。")


def _votes(rng: random.Random, directors: int, vote_format: str) -> str:
    against = 1 if rng.random() < 0.08 else 0
    abstain = 1 if rng.random() < 0.08 else 0
    return vote_format.format(yes=directors - against - abstain, no=against, abstain=abstain)


def _board_resolution(rng: random.Random, company: ent.Company, slots: dict, year: int) -> Article:
    directors = rng.choice([5, 7, 9, 11])
    term = rng.choice("三四五六七八九")
    session = rng.randrange(1, 30)
    slots.update({"term": term, "directors": str(directors)})
    title = f"{company.name}第{term}届董事会第{session}次会议决议公告"
    blocks = _header(rng, company, year) + [p(fill(rng.choice(PLEDGES), rng, slots)),
                                            h(rng.choice(["一、董事会会议召开情况", "一、会议召开情况", "一、董事会会议召开基本情况"]))]
    intro = [
        "{company_full}（以下简称“公司”）第" + term + "届董事会第" + str(session) + "次会议[通知|会议通知]于{notice_date}以[电子邮件|书面送达|电话及专人送达]方式发出",
        "[会议|本次会议]于{meeting_date0}在[公司会议室|{hq_city}公司总部|公司{street}办公楼]以[现场结合通讯表决|现场表决|通讯表决]方式召开",
        "[会议应出席董事{directors}名，实际出席董事{directors}名|本次会议应参加表决董事{directors}人，实际参加表决董事{directors}人]",
        "[会议由董事长{chairman}主持|会议由公司董事长{chairman}先生召集并主持|董事长{chairman}主持了本次会议]",
        "[公司监事和高级管理人员列席了会议|监事及高级管理人员列席|部分监事、高级管理人员列席会议]",
        "[本次会议的召集、召开符合《公司法》和《公司章程》的有关规定|会议的召开程序符合法律法规及《公司章程》的规定，会议合法有效]",
    ]
    blocks.append(p(fill("，".join(intro[:2]) + "。" + "，".join(intro[2:5]) + "。" + intro[5] + "。", rng, slots)))
    blocks.append(h(rng.choice(["二、董事会会议审议情况", "二、议案审议情况", "二、会议审议情况"])))
    motions = rng.sample(MOTIONS, rng.randint(4, 7))
    vote_format = rng.choice(VOTE_FORMATS)
    verb = rng.choice(["审议通过", "审议并通过", "会议审议通过了", "以投票表决方式通过"])
    note = rng.choice(SHAREHOLDER_NOTES)
    for index, (name_t, body_t) in enumerate(motions, start=1):
        name = fill(name_t, rng, slots)
        blocks.append(h(f"（{'一二三四五六七'[index - 1]}）{verb}《{name}》", level=3))
        votes = _votes(rng, directors, vote_format)
        details = "".join(fill(t, rng, slots) for t in rng.sample(MOTION_DETAILS, rng.randint(1, 2)))
        blocks.append(p(fill(body_t, rng, slots) + details + fill(rng.choice(RATIONALES), rng, slots) + votes + (fill(note, rng, slots) if rng.random() < 0.5 else "")))
    # The attendance table names every director: a table each announcement has, and
    # content no other announcement shares.
    titles = ["董事长", "副董事长"] + [rng.choice(["董事", "董事、总经理", "董事、财务总监", "职工代表董事", "董事、副总经理"]) for _ in range(directors - 5)] + ["独立董事"] * 3
    rows = []
    for title_ in titles[:directors]:
        absent = rng.random() < 0.1
        rows.append([ent.person_name(rng), title_, "1", "0" if absent else "1", "委托出席" if absent else rng.choice(["现场", "通讯"])])
    rows[0][0] = company.chairman
    blocks.append(h(rng.choice(["三、董事出席会议情况", "三、董事出席情况", "附：董事出席情况统计"])))
    blocks.append(table(Table(["董事姓名", "职务", "应出席次数", "亲自出席次数", "出席方式"], rows, caption="董事出席情况")))
    blocks.append(p("特此公告。"))
    blocks.append(p(f"{company.name}董事会"))
    blocks.append(p(slots["announce_date"]))
    return Article(title=title, blocks=blocks, lang="zh", genre="announcement", meta={"type": "董事会决议", "code": company.code, "company": company.short})


def _annual_summary(rng: random.Random, company: ent.Company, slots: dict, year: int) -> Article:
    title = f"{company.name}{year}年年度报告摘要"
    blocks = _header(rng, company, year) + [h("第一节 重要提示"),
        p(fill("本年度报告摘要来自年度报告全文，为全面了解本公司的经营成果、财务状况及未来发展规划，投资者应当到[{exchange}网站|证监会指定媒体]仔细阅读年度报告全文。", rng, slots)),
        p(fill(rng.choice(PLEDGES), rng, slots)),
        p(fill("{auditor}为本公司出具了标准无保留意见的审计报告。", rng, slots)),
        h("第二节 公司基本情况"),
        p(fill("公司股票简称{company}，股票代码{code}，上市交易所为{exchange}。董事会秘书为{secretary}，办公地址为{hq_province}{hq_city}{street}。", rng, slots)),
        p(fill("报告期内，公司主要从事{product}、{product2}等产品的研发、生产和销售。[公司所处的|]{industry}行业[受{driver}等因素影响，整体呈现稳中向好的态势|竞争较为激烈，行业集中度进一步提升]。", rng, slots)),
        h("第三节 主要会计数据和财务指标")]
    rows = []
    for item, unit_range in (("总资产", (5e4, 9e6)), ("归属于上市公司股东的净资产", (2e4, 5e6)), ("营业收入", (1e4, 5e6)),
                             ("归属于上市公司股东的净利润", (1e3, 8e5)), ("归属于上市公司股东的扣除非经常性损益的净利润", (1e3, 7e5)),
                             ("经营活动产生的现金流量净额", (1e3, 9e5))):
        current = rng.uniform(*unit_range)
        previous = current / rng.uniform(0.8, 1.35)
        rows.append([item, ent.fmt_num(current), ent.fmt_num(previous), f"{(current / previous - 1) * 100:.2f}"])
    rows.append(["基本每股收益（元/股）", f"{rng.uniform(0.05, 5):.2f}", f"{rng.uniform(0.05, 5):.2f}", f"{rng.uniform(-30, 60):.2f}"])
    rows.append(["加权平均净资产收益率（%）", f"{rng.uniform(1, 25):.2f}", f"{rng.uniform(1, 25):.2f}", f"减少{rng.uniform(0.1, 3):.2f}个百分点"])
    blocks.append(table(Table(["项目", f"{year}年", f"{year - 1}年", "本年比上年增减（%）"], rows, caption="近两年主要会计数据和财务指标", unit="单位：万元　币种：人民币")))
    blocks.append(h("第四节 股东情况"))
    holders = []
    for rank in range(1, rng.randint(5, 8)):
        holder = rng.choice([f"{ent.brand_word(rng)}投资控股有限公司", ent.person_name(rng), "香港中央结算有限公司", f"{ent.broker(rng)}股份有限公司", f"{ent.brand_word(rng)}资产管理计划"])
        holders.append([str(rank), holder, ent.fmt_num(rng.uniform(1e6, 9e8), 0), f"{rng.uniform(0.5, 40):.2f}"])
    blocks.append(table(Table(["序号", "股东名称", "持股数量（股）", "持股比例（%）"], holders, caption="前十名股东持股情况")))
    blocks.append(h("第五节 经营情况讨论与分析"))
    analysis = TemplateDeck(DISCUSSION, rng)
    for _ in range(rng.randint(3, 4)):
        blocks.append(p("".join(mixed_sentences(rng, analysis, rng.randint(2, 4), slots, ["公司"], COMPANY_METRICS, 0.15))))
    blocks.append(h("第六节 重要事项"))
    blocks.append(p(fill("报告期内，公司实现营业收入{revenue}，{rev_chg}；实现归属于上市公司股东的净利润{profit}，{profit_chg}。[公司持续推进降本增效，盈利能力稳步提升|受{input}价格波动影响，毛利率有所下降]。", rng, slots)))
    blocks.append(p(f"{company.name}董事会"))
    blocks.append(p(slots["announce_date"]))
    return Article(title=title, blocks=blocks, lang="zh", genre="announcement", meta={"type": "年度报告摘要", "code": company.code, "company": company.short})


def _dividend(rng: random.Random, company: ent.Company, slots: dict, year: int) -> Article:
    title = f"{company.name}{year}年年度权益分派实施公告"
    per_share = rng.uniform(0.02, 3)
    record = ent.random_date(rng, year + 1)
    total_shares = rng.uniform(1e8, 9e9)
    slots.update({"per_share": f"{per_share:.4f}", "per_share_qfii": f"{per_share * 0.9:.4f}", "total_shares": ent.fmt_num(total_shares, 0),
                  "total_cash": ent.fmt_num(total_shares * per_share), "payout": f"{rng.uniform(10, 60):.2f}%",
                  "holder1": ent.brand_word(rng) + "投资控股有限公司", "holder2": ent.person_name(rng)})
    blocks = _header(rng, company, year) + [p(fill(rng.choice(PLEDGES), rng, slots)), h(rng.choice(["重要内容提示：", "重要提示："]))]
    blocks.append(p(fill("[每股分配比例|本次分配比例]：[A股每股现金红利{per_share}元（含税）|每股派发现金红利{per_share}元（含税）|每10股派发现金红利" + f"{per_share * 10:.2f}" + "元（含税）]。", rng, slots)))
    blocks.append(h(rng.choice(["一、通过分配方案的股东大会届次和日期", "一、股东大会审议通过利润分配方案的情况", "一、权益分派方案的审议情况"])))
    blocks.append(p(fill("[本次利润分配方案|公司{year}年度利润分配方案|本次权益分派方案]经公司{meeting_date}[召开的|]{year}年年度股东大会审议通过，[股东大会决议公告已于次日披露|具体内容详见公司同日披露的股东大会决议公告|本次实施的方案与股东大会审议通过的方案一致]。", rng, slots)))
    blocks.append(h(rng.choice(["二、分配方案", "二、权益分派方案", "二、本次利润分配方案"])))
    blocks.append(p(fill("[本次利润分配|本次权益分派]以[方案实施前的公司总股本|截至股权登记日的总股本|公司现有总股本]{total_shares}股为基数，[每股派发现金红利{per_share}元（含税）|向全体股东每股派发现金红利{per_share}元（含税）]，[共计|合计]派发现金红利{total_cash}元。", rng, slots)))
    discussion = TemplateDeck(DISCUSSION, rng)
    blocks.append(h(rng.choice(["（一）经营概况与分红说明", "（一）本年度现金分红比例的说明", "（一）公司经营情况"])))
    blocks.append(p(fill("[{year}年度|报告期内]，公司实现归属于上市公司股东的净利润{profit}，{profit_chg}，本次现金分红[总额|金额]占当年归母净利润的{payout}。", rng, slots)
                    + "".join(mixed_sentences(rng, discussion, rng.randint(3, 5), slots, ["公司"], COMPANY_METRICS, 0.25))))
    blocks.append(p("".join(mixed_sentences(rng, discussion, rng.randint(3, 5), slots, ["公司"], COMPANY_METRICS, 0.25))))
    blocks.append(p(fill("[公司留存未分配利润|留存收益|剩余未分配利润]将主要用于[{product}产能建设|研发投入|补充营运资金|偿还银行借款]，[以保障公司持续稳定发展|为股东创造更大价值|满足公司日常经营的资金需求]。", rng, slots)))
    blocks.append(h(rng.choice(["三、相关日期", "三、股权登记日、除权除息日和现金红利发放日"])))
    rows = [["A股", f"{record[0]}/{record[1]}/{record[2]}", f"{record[0]}/{record[1]}/{record[2] + 1}", "－", f"{record[0]}/{record[1]}/{record[2] + 1}"]]
    blocks.append(table(Table(["股份类别", "股权登记日", "除权（息）日", "最后交易日", "现金红利发放日"], rows, caption="相关日期")))
    blocks.append(h(rng.choice(["四、分配实施办法", "四、权益分派实施办法"])))
    blocks.append(p(fill("[公司股东|股东]{holder1}、{holder2}的现金红利由公司[自行发放|直接发放]。[除公司自行发放对象外|其余股东]的[红利|现金红利][委托|由]中国证券登记结算有限责任公司[上海分公司|深圳分公司][通过其资金清算系统|]向股权登记日[下午收市后|收市后]登记在册的股东派发。", rng, slots)))
    if rng.random() < 0.35:
        blocks.append(h(rng.choice(["五、扣税说明", "五、关于代扣代缴所得税的说明"])))
        blocks.append(p(fill("[对于|针对]持有公司无限售条件流通股的自然人股东[及证券投资基金|]，[持股期限超过1年的|持股超过一年的]，[其股息红利所得暂免征收个人所得税|股息红利所得暂免征收个人所得税]，每股实际派发现金红利{per_share}元。", rng, slots)))
        blocks.append(p(fill("[对于|针对]合格境外机构投资者（QFII）股东，公司[按照10%的税率|按10%的税率]代扣代缴企业所得税，[扣税后|税后]每股实际派发现金红利{per_share_qfii}元。", rng, slots)))
    blocks.append(h(rng.choice(["六、有关咨询办法", "六、咨询方式", "六、联系方式"])))
    blocks.append(p(fill("[关于本次权益分派如有疑问|对本次权益分派事项如有疑问]，[请按以下联系方式咨询|可通过以下方式联系公司]：[联系部门|联系人]：[公司董事会办公室|证券事务部|董事会秘书{secretary}]。", rng, slots)))
    blocks.append(p("特此公告。"))
    blocks.append(p(f"{company.name}董事会"))
    blocks.append(p(slots["announce_date"]))
    return Article(title=title, blocks=blocks, lang="zh", genre="announcement", meta={"type": "分红", "code": company.code, "company": company.short})


KINDS = {"董事会决议": _board_resolution, "年度报告摘要": _annual_summary, "分红": _dividend}


def compose(rng: random.Random, year: int, kind: str | None = None) -> Article:
    """One announcement; every kind carries at least one table."""
    kind = kind or rng.choice(list(KINDS))
    company = ent.company(rng)
    slots = {**base_slots(rng, year), **market_slots(rng), **company_slots(rng, company, year)}
    slots["broker"] = ent.broker(rng)
    date = lambda y=year + 1: ent.date_zh(*ent.random_date(rng, y))  # noqa: E731
    slots.update({
        "year_next": str(year + 1), "auditor": rng.choice(["天健", "立信", "大华", "信永中和", "容诚", "致同", "中汇", "天职国际"]) + "会计师事务所（特殊普通合伙）",
        "fee": f"{rng.randrange(40, 400)}万元", "bank": rng.choice(["中国工商银行", "中国建设银行", "中国银行", "招商银行", "兴业银行", "中国农业银行"]),
        "meeting_date": date(), "meeting_date0": date(), "notice_date": date(), "record_date": date(), "announce_date": date(),
        "honor_company": lambda: rng.choice(["专精特新小巨人", "国家级绿色工厂", "省级智能制造示范工厂", "制造业单项冠军示范企业", "高新技术企业", "AAA级信用企业"]),
        "fee_reason": lambda: rng.choice(["职工薪酬增加", "市场推广投入加大", "汇兑损益变动", "贷款利息减少", "股份支付费用增加", "运输费用上升"]),
        "detail_metric": lambda: rng.choice(["对外担保余额", "理财产品余额", "银行授信余额", "累计回购金额", "募集资金余额", "关联交易发生额"]),
        "manager_title": lambda: rng.choice(["董事长", "总经理", "财务负责人", "董事会秘书"]),
        "payback": f"{rng.uniform(3, 9):.1f}", "birth": str(rng.randrange(1962, 1990)),
        "other_company": lambda: ent.company(rng).short,
        "regulator_law": lambda: rng.choice(["《上海证券交易所股票上市规则》", "《深圳证券交易所股票上市规则》", "《公司章程》", "《上市公司监管指引》"]),
        "subsidiary": company.city + ent.brand_word(rng) + rng.choice(["科技", "新材料", "智能装备", "贸易"]) + "有限公司",
        "price": f"{rng.uniform(5, 120):.2f}", "usd": f"{rng.randrange(1000, 90000)}万美元",
        "street": rng.choice(["高新区", "经济开发区", "工业园区", "新区"]) + ent.brand_word(rng) + "路" + str(rng.randrange(1, 999)) + "号",
    })
    return KINDS[kind](rng, company, slots, year)
