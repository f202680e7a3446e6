"""Chinese finance news: earnings, markets, policy, bonds, IPOs, industries, funds, commodities."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, h, p
from xuanyuan.corpus.genres.zh_common import FINANCE_METRICS, mixed_sentences
from xuanyuan.corpus.genres.zh_slots import base_slots, company_slots, market_slots
from xuanyuan.corpus.templates import TemplateDeck, fill

TITLES = {
    "earnings": [
        "{company}{quarter}营收{revenue}，净利润{profit_chg}",
        "{company}发布{year}年{quarter}业绩：{product}业务[表现亮眼|成为增长引擎|承压明显]",
        "[业绩快报|财报速递]｜{company}{quarter}归母净利润{profit}",
        "{company}：{driver}带动{quarter}业绩{rev_chg}",
        "{industry}龙头{company}披露{quarter}报告，[毛利率提升至{gross_margin}|拟每10股派{dividend}]",
    ],
    "market": [
        "A股{weekday}[震荡|分化|回暖]：{index}{index_move}，{sector}板块领涨",
        "两市成交额{turnover}，{sector}与{sector2}[轮番走强|表现分化]",
        "{index}{index_move}[收于|报收]{index_level}，北向资金净[买入|卖出]{north_flow}",
        "[午评|收评]：{sector}板块[异动拉升|集体回调]，{index}[站上|失守]{index_level}",
    ],
    "policy": [
        "{regulator}[发布|出台]新规，[支持|规范]{sector}[企业融资|行业发展]",
        "{regulator}开展{policy_tool}操作，[市场流动性保持合理充裕|释放稳增长信号]",
        "{month}LPR[出炉|公布]：1年期报{lpr}，[保持不变|下调{bp}]",
        "[多部门|{regulator}]发文：加大对{sector}领域的金融支持力度",
    ],
    "bonds": [
        "债市[走强|调整]：{bond}收益率[下行|上行]{bp}",
        "{bond}发行提速，{month}累计发行规模达{yi}",
        "[资金面|利率债]观察：{bond}收益率报{yield_}，[机构配置需求旺盛|短端利率波动加大]",
    ],
    "ipo": [
        "{company}[科创板|创业板|主板]IPO[获受理|过会|注册生效]，拟募资{yi_small}",
        "{company}今日[上市|申购]，发行价{eps}，[首日表现受关注|募资投向{product}]",
        "{company}拟定增募资{yi_small}，[投向{product}扩产项目|补充流动资金]",
    ],
    "industry": [
        "{industry}行业景气度[回升|分化]，{product}价格[持续上涨|企稳回升|承压下行]",
        "[调研|探访]{hq_city}{industry}产业链：{driver}[成关键词|带来新机遇]",
        "{industry}行业{quarter}数据出炉：龙头企业{company}市场份额[提升|稳固]",
    ],
    "fund": [
        "{fund_type}{quarter}[业绩|规模]排行出炉，{fund_name}[居前|表现突出]",
        "新发基金[回暖|遇冷]：{month}{fund_type}[募集|发行]规模{yi}",
        "[公募|私募]{quarter}调仓路线曝光，[加仓|减持]{sector}板块",
    ],
    "commodity": [
        "{commodity}价格[大涨|回落|高位震荡]，[机构|分析师]提示{sector}[投资机会|成本压力]",
        "国际{commodity}期货[收涨|收跌]，人民币对美元中间价报{cny}",
        "[大宗商品|期货市场]周报：{commodity}[领涨|领跌]，{sector}[企业|产业链]受影响",
    ],
}

LEADS = {
    "earnings": [
        "{month_day}晚间，{company}（{code}）发布{year}年{quarter}报告。报告期内，公司实现营业收入{revenue}，{rev_chg}；实现归属于上市公司股东的净利润{profit}，{profit_chg}。",
        "[记者|本报记者]从{company}获悉，公司{year}年{quarter}实现营收{revenue}，{rev_chg}，归母净利润{profit}，{profit_chg}，基本每股收益{eps}。",
        "{company}（{code}）{month_day}披露的[业绩报告|财务报告]显示，公司{quarter}营业收入为{revenue}，净利润{profit}，[业绩表现好于市场预期|业绩基本符合市场预期|业绩低于部分机构此前预期]。",
    ],
    "market": [
        "{month_day}，A股三大指数[集体|小幅|震荡]{index_move}。截至收盘，{index}报{index_level}，沪深两市合计成交额{turnover}[，较前一交易日有所放大|，量能有所萎缩|]。",
        "{weekday}，A股市场[全天震荡整理|早盘冲高后回落|午后逐步走强]，{index}{index_move}，{index2}{index_move}，两市超过{num_big}只个股[上涨|下跌]。",
    ],
    "policy": [
        "{month_day}，{regulator}[发布|印发]《关于[进一步|持续]加强{sector}领域金融服务的通知》，从{num_small}个方面提出具体措施。",
        "据{regulator}[网站|消息]，{month_day}开展{yi}{policy_tool}操作，中标利率[维持不变|较上期下降{bp}]，[当日|本周]实现净投放{yi_small}。",
        "{month_day}，全国银行间同业拆借中心公布[最新一期|本月]贷款市场报价利率（LPR）：1年期LPR为{lpr}，5年期以上LPR[维持不变|下调{bp}]。",
    ],
    "bonds": [
        "{month_day}，债券市场[整体走强|小幅调整|窄幅震荡]，{bond}收益率[下行|上行]{bp}至{yield_}。[资金面保持宽松|跨月资金需求上升]。",
        "[Wind|机构]数据显示，{month}以来{bond}累计发行{yi}，同比{month}增长{pct}，发行节奏明显[加快|放缓]。",
    ],
    "ipo": [
        "{month_day}，{company}首次公开发行股票的申请[获得受理|获上市委审议通过|获准注册]，公司拟在{board}上市，计划募集资金{yi_small}。",
        "{company}（{code}）{month_day}[正式登陆{board}|开启申购]。公司主要从事{product}的研发、生产和销售，本次发行募集资金将主要用于{product2}项目。",
    ],
    "industry": [
        "[近期|今年以来]，{industry}行业[景气度持续回升|出现明显分化|迎来新一轮调整]。[记者|本报记者]在{hq_city}等地调研发现，{product}的[订单|出货量|价格]较年初[明显增加|有所回落|基本持平]。",
        "{industry}是{hq_province}的重要支柱产业之一。据[行业协会|相关统计]数据，{quarter}全行业实现营业收入{yi}，{rev_chg}。",
    ],
    "fund": [
        "[基金|公募]{quarter}报告[披露完毕|陆续披露]。数据显示，{fund_type}[平均收益率为{pct}|整体规模增加{yi}]，其中{fund_name}[业绩居前|规模增长最快]。",
        "{month}新发基金市场[有所回暖|热度不减|仍显冷清]，共有{num_mid}只基金成立，合计募集{yi}，{fund_type}占比[超过|接近]{pct_big}。",
    ],
    "commodity": [
        "{month_day}，{commodity}[期货主力合约|现货价格]{index_move}，[创近{num_small}个月新高|回落至年内低位|延续震荡走势]。",
        "[受海外需求变化影响|在供给收缩预期推动下]，{commodity}价格{month}以来[累计上涨|累计下跌]{pct}，对{sector}产业链[形成支撑|带来成本压力]。",
    ],
}

BODY = {
    "earnings": [
        "分业务来看，{product}业务实现收入{yi_small}，占营业收入的比重为{pct_big}，较上年同期[提升|下降]{pp}个百分点。",
        "报告期内，公司综合毛利率为{gross_margin}，[主要得益于{input}价格回落|主要受{input}成本上升影响|与上年同期基本持平]。",
        "公司表示，业绩变动主要源于{driver}，同时[产品结构持续优化|海外市场拓展顺利|费用管控成效显现]。",
        "从费用端看，公司销售费用率和管理费用率分别为{pct_small}和{pct_small}，研发投入占营收比重达到{rd_ratio}。",
        "[截至报告期末|报告期末]，公司货币资金余额为{yi_small}，资产负债率为{pct_big}，经营活动产生的现金流量净额为{yi_small}。",
        "公司拟向全体股东每10股派发现金红利{dividend}（含税），[合计派发现金红利{yi_small}|现金分红比例超过{pct_big}]。",
        "{company}在[{hq_city}|华东|西南|海外]的新建产能已[进入试生产阶段|陆续投产|完成设备调试]，预计将在{next_year}年[贡献增量收入|释放规模效应]。",
        "[单季度看|分季度看]，公司第[二|三|四]季度实现营收{yi_small}，环比[增长|下降]{pct}，[盈利能力逐季改善|利润率有所承压]。",
        "对于[下半年|{next_year}年]的经营计划，公司董事会秘书{secretary}表示，将继续聚焦{product}主业，[稳步推进|加快推进]产能建设与渠道下沉。",
        "公司同时披露，{quarter}新签订单金额约{yi_small}，[在手订单充足|订单同比明显增长]，为后续业绩增长提供了保障。",
        "值得注意的是，公司应收账款余额较年初[增加|减少]{pct}，[存货周转天数有所上升|存货规模控制在合理水平]。",
        "[二级市场上|股价方面]，{company}[当日|{month_day}]收报{eps}，[年内累计上涨|年内累计下跌]{pct}，最新总市值约{yi}。",
    ],
    "market": [
        "[盘面上|从盘面看]，{sector}、{sector2}等板块[涨幅居前|表现活跃]，而[{sector}|部分高位题材股]则[出现回调|跌幅较大]。",
        "资金面上，北向资金全天净[买入|卖出]{north_flow}，[连续{num_small}个交易日净流入|结束此前连续净流入态势]。",
        "[个股方面|具体来看]，[{sector}龙头|多只{sector}概念股]盘中[涨停|大幅拉升]，市场[赚钱效应|情绪]有所[回升|降温]。",
        "两融数据显示，截至{month_day}，沪深两市融资余额为{margin_balance}，较前一交易日[增加|减少]{yi_small}。",
        "港股方面，恒生指数{index_move}，[科技股|内房股|金融股]表现[强势|低迷]，南向资金净[流入|流出]{yi_small}。",
        "从估值来看，{index}当前市盈率约为{num_small}倍，处于近{num_small}年来的[较低|中等|偏高]分位水平。",
        "[板块轮动速度加快|市场热点快速切换]，{sector}与{sector2}之间的[跷跷板效应|资金博弈]较为明显。",
        "[期指方面|衍生品市场上]，沪深300股指期货主力合约{index_move}，[升水|贴水]幅度[有所收窄|略有扩大]。",
        "[当天|{weekday}]共有{num_mid}只个股涨停，{num_small}只个股跌停，[连板高度|涨停家数]较前一交易日[有所提升|明显下降]。",
    ],
    "policy": [
        "《通知》明确，[鼓励|支持]金融机构加大对{sector}[中小企业|科技型企业|产业链上下游]的信贷投放，[合理|适度]降低融资成本。",
        "[业内人士|市场人士]认为，此次[政策|操作]释放了[稳增长|稳预期|稳就业]的明确信号，有助于[提振市场信心|稳定实体经济融资需求]。",
        "从{policy_tool}到期情况看，本月共有{yi}到期，[央行|监管部门]的操作实现了[全额续作|超额续作|小幅缩量]。",
        "[数据显示|统计数据显示]，{month}末广义货币（M2）余额同比增长{pct_small}，人民币贷款余额同比增长{pct_small}。",
        "{regulator}[有关负责人|新闻发言人]表示，下一步将[继续|持续]做好{sector}领域的风险[监测|防范]，[压实机构主体责任|完善长效监管机制]。",
        "[新规|政策]设置了{num_small}个月的过渡期，[存量业务|现有产品]可在过渡期内逐步完成整改。",
        "[5年期以上LPR|中长期贷款利率]的变化直接影响房贷利率，以{num_mid}万元、{num_small}年期等额本息贷款计算，月供将[减少|增加]约{num_mid}元。",
        "[市场普遍预期|多家机构预计]，[年内|后续]仍有[降准|降息|结构性工具加码]的空间，但[节奏|力度]将更加注重[精准|平衡]。",
    ],
    "bonds": [
        "[从期限结构看|分期限看]，[短端|中长端]收益率下行幅度[更大|相对有限]，收益率曲线[趋于平坦|有所陡峭化]。",
        "[一级市场上|发行方面]，{bond}认购倍数达到{num_small}倍，中标利率低于[二级市场估值|市场预期]{bp}。",
        "[资金面上|流动性方面]，DR007加权平均利率报{yield_}，[隔夜资金利率|七天资金利率]较上一交易日[下行|上行]{bp}。",
        "[城投债|信用债]方面，[高等级品种|中短久期品种]受到[银行理财|保险机构|公募基金]的[积极配置|持续增持]。",
        "[机构人士|一位债券交易员]表示，[经济数据|通胀数据|政府债供给]仍是影响债市走势的关键变量，[短期内|后续]收益率或维持[区间震荡|低位运行]。",
        "{month}以来，[地方政府|各地]已发行{bond}{yi}，资金主要投向[交通基础设施|保障性安居工程|产业园区|城市更新]等领域。",
    ],
    "ipo": [
        "招股书显示，{company}{prev_year}年实现营业收入{revenue}，净利润{profit}，[近三年营收复合增速超过{pct}|报告期内业绩稳步增长]。",
        "本次发行的保荐机构为{broker}，发行市盈率约为{num_small}倍，[低于|略高于]行业平均市盈率。",
        "{company}的控股股东为{chairman}，[直接和间接合计持有|合计控制]公司{pct_big}的股份。",
        "[审核问询中|上市委会议上]，监管部门重点关注了公司[收入确认|关联交易|毛利率波动|客户集中度]等问题。",
        "公司表示，募集资金到位后将主要用于{product}产能扩建、研发中心建设以及补充流动资金。",
        "[按发行价计算|以发行价计]，公司总市值约为{yi}，[首日|上市首日]换手率达到{pct_big}。",
    ],
    "industry": [
        "[一家|某]{industry}企业负责人{person}告诉记者，[今年以来|最近几个月]{product}的订单[排到了{month}|明显增加|有所减少]，[工厂|生产线]开工率维持在{pct_big}左右。",
        "[上游|成本端]方面，{input}价格较年初[下跌|上涨]{pct}，[企业利润空间有所修复|挤压了中游企业的利润]。",
        "[需求端|从需求侧看]，{driver}[成为拉动行业增长的主要因素|对行业景气形成支撑]。",
        "行业集中度[持续提升|仍然较低]，前五大企业的市场份额合计约为{pct_big}。",
        "[多家机构|业内]预计，{next_year}年{industry}行业规模有望达到{yi}，[年均|复合]增速保持在{pct}左右。",
        "在{hq_city}的一处产业园区，[数十家|{num_small}家]{industry}[配套企业|上下游企业]集聚，[形成了较为完整的产业链|年产值超过{yi}]。",
        "[政策层面|近期]，[有关部门|地方政府]出台了[专项扶持资金|税收优惠|用地保障]等措施，支持{industry}企业[技术改造|扩大产能|开拓海外市场]。",
    ],
    "fund": [
        "[从持仓来看|重仓股方面]，{fund_type}[增持|减持]了{sector}和{sector2}板块，[前十大重仓股|重仓股]集中度为{pct_big}。",
        "[某|一位]基金经理{person}表示，[当前市场估值处于历史较低水平|市场情绪已逐步修复]，[将继续|会]关注{sector}领域的[结构性机会|优质企业]。",
        "[数据显示|统计显示]，{quarter}{fund_type}份额净[增加|减少]{yi}份，[机构投资者|个人投资者]持有比例为{pct_big}。",
        "[费率改革|降费]持续推进，[主动权益类基金|新发产品]管理费率[普遍|多数]降至{pct_small}。",
        "[业内人士|第三方研究机构]提醒，投资者应[根据自身风险承受能力|结合投资期限]选择产品，[避免追涨杀跌|不宜盲目追逐短期业绩]。",
    ],
    "commodity": [
        "[供给端|从供给看]，[主要产区|海外矿山]{month}[产量|开工率]同比{month}[下降|增长]{pct}，[库存|社会库存]降至{num_mid}万吨。",
        "[需求端|从需求看]，{sector}企业[采购意愿|补库需求][明显增强|依然偏弱]，现货成交[活跃|清淡]。",
        "[期货公司|研究机构]分析师{analyst}认为，{commodity}价格短期内将[维持高位震荡|面临回调压力|延续反弹]，[建议|可]关注[库存|美元指数|宏观政策]变化。",
        "外汇市场上，在岸人民币对美元[收报|报]{cny}，较前一交易日[升值|贬值]{bp}。",
        "[下游|相关]企业表示，{commodity}价格波动[加大了成本管理难度|对利润影响有限]，[部分企业|公司]已通过套期保值[锁定成本|对冲风险]。",
    ],
}

QUOTES = [
    "{broker}{analyst_title}{analyst}[表示|认为|指出]，[从中长期看|短期来看]，{sector}[仍具备配置价值|估值已回到合理区间|需要关注业绩兑现情况]。",
    "“[当前|眼下]市场最关心的是[业绩能否持续|政策落地节奏|需求修复力度]。”{broker}{analyst_title}{analyst}在接受记者采访时说。",
    "[在|据]{broker}[研报|分析]看来，[随着{driver}的推进|在{driver}背景下]，[相关公司|行业龙头]的[盈利|估值]有望[进一步修复|持续提升]。",
    "{analyst}提醒，[投资者|市场]需关注[海外加息|汇率波动|原材料价格|行业竞争加剧]带来的不确定性，[谨慎|理性]看待短期波动。",
    "[有|也有][市场人士|私募人士]持[不同|谨慎]看法。{person}认为，[当前|短期]{sector}[涨幅较大|拥挤度偏高]，[追高需谨慎|需警惕回调风险]。",
    "“[我们|公司]对{next_year}年的[发展|经营]保持信心。”{company}董事长{chairman}[在业绩说明会上|在股东大会上]表示。",
]

CLOSINGS = [
    "[业内人士|分析人士]提醒，[市场有风险，投资需谨慎|投资者应理性看待市场波动，注意防范风险]。",
    "[后续|下一步]，{regulator}[还将|将]根据形势变化[适时|灵活]调整[政策力度|操作节奏]，[保持流动性合理充裕|促进资本市场平稳健康发展]。",
    "[展望|对于]{next_year}年，多家机构[预计|认为]{sector}[景气度有望延续|仍将面临一定压力]，[结构性机会|分化行情]值得关注。",
    "[截至发稿|截至记者发稿时]，[公司|相关方面]尚未就[上述|相关]问题作出进一步回应。",
]

SUBJECTS = ["{company}", "{sector}行业", "全国", "{hq_province}", "{hq_city}市", "沪深两市", "[银行业|保险业|证券业]", "{sector}板块", "[民营企业|外资企业|国有企业]", "[长三角|珠三角|京津冀|成渝]地区"]
SECTION_HEADS = ["[业绩|经营]亮点", "市场[表现|观察]", "机构观点", "[后市|未来]展望", "[数据|行业]透视", "[风险|专家]提示"]
TOPICS = tuple(TITLES)
# Topics about one company share sentences with each other, and so do the market-wide ones;
# mixing across the two groups would make a policy story talk about "the company's" dividend.
GROUPS = {"company": ("earnings", "ipo", "industry"), "macro": ("market", "policy", "bonds", "fund", "commodity")}


def _group_of(topic: str) -> tuple[str, ...]:
    return next(topics for topics in GROUPS.values() if topic in topics)


def compose(rng: random.Random, year: int, topic: str | None = None) -> Article:
    """One finance news article; `topic` fixes the subject (else drawn)."""
    topic = topic or rng.choice(TOPICS)
    company = ent.company(rng)
    slots = {**base_slots(rng, year), **market_slots(rng), **company_slots(rng, company, year)}
    sector = company.industry if topic in GROUPS["company"] else rng.choice(zh.INDUSTRY_NAMES)
    slots["sector"] = sector
    slots["sector2"] = lambda: rng.choice([name for name in zh.INDUSTRY_NAMES if name != sector])
    other = TemplateDeck([t for key in _group_of(topic) if key != topic for t in BODY[key]], rng)
    body = TemplateDeck(BODY[topic], rng, fallback=other)
    quotes = TemplateDeck(QUOTES, rng)

    blocks = [p(fill(rng.choice(LEADS[topic]), rng, slots))]
    n_paragraphs = rng.randint(4, 8)
    heads = rng.random() < 0.35
    for index in range(n_paragraphs):
        if heads and index in (1, n_paragraphs // 2 + 1):
            blocks.append(h(fill(rng.choice(SECTION_HEADS), rng, slots)))
        if rng.random() < 0.25 and len(quotes):
            sentences = quotes.sentences(1, slots) + mixed_sentences(rng, body, rng.randint(0, 1), slots, SUBJECTS, FINANCE_METRICS)
        else:
            sentences = mixed_sentences(rng, body, rng.randint(1, 3), slots, SUBJECTS, FINANCE_METRICS)
        blocks.append(p("".join(sentences)))
    blocks.append(p(fill(rng.choice(CLOSINGS), rng, slots)))
    meta = {"topic": topic, "company": company.short, "code": company.code}
    return Article(title=fill(rng.choice(TITLES[topic]), rng, slots), blocks=blocks, lang="zh", genre="finance_news", meta=meta)
