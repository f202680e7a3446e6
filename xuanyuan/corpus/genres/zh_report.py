"""Chinese broker research reports on one listed company: views, forecast and valuation tables."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus.article import Article, Table, h, p, table, ul
from xuanyuan.corpus.genres.zh_common import COMPANY_METRICS, mixed_sentences
from xuanyuan.corpus.genres.zh_slots import base_slots, company_slots, market_slots
from xuanyuan.corpus.templates import TemplateDeck, fill

TITLES = [
    "{company}（{code}）{year}年{quarter}报点评：[业绩稳健增长|盈利能力持续提升|经营拐点已现]，[维持|首次覆盖给予]“{rating}”评级",
    "{company}（{code}）深度报告：[{product}龙头|{industry}领军者][行稳致远|迎来新一轮成长周期]",
    "{company}（{code}）：{driver}[驱动|助力]业绩[高增|修复]，[看好|关注]{product}[放量|盈利弹性]",
    "{company}（{code}）跟踪报告：[新产能投放在即|订单饱满]，[全年目标有望超额完成|{next_year}年成长可期]",
]
HIGHLIGHTS = [
    "事件：公司发布{year}年{quarter}报告，实现营业收入{revenue}，{rev_chg}；归母净利润{profit}，{profit_chg}。",
    "[毛利率|盈利能力][稳中有升|显著改善]：报告期内公司毛利率为{gross_margin}，[主要受益于{input}价格下行|产品结构优化贡献明显]。",
    "{product}[业务|板块][量价齐升|快速放量]，[收入占比提升至{pct_big}|成为第二增长曲线]。",
    "[费用管控良好|规模效应显现]，期间费用率同比下降{pp}个百分点。",
    "[产能建设有序推进|新项目进展顺利]，{next_year}年[有望|预计]新增产能{num_big}吨，[为后续增长奠定基础|打开成长空间]。",
    "投资建议：我们预计公司{next_year}—{year_plus2}年归母净利润分别为{np1}、{np2}，对应PE分别为{pe1}倍、{pe2}倍，[维持|给予]“{rating}”评级。",
]
ANALYSIS = [
    "[分产品看|从产品结构看]，公司{product}实现收入{yi_small}，同比增长{pct}，[毛利率|盈利水平]为{gross_margin}，[较上年提升{pp}个百分点|基本保持稳定]。",
    "[分区域看|从区域分布看]，[国内|华东地区]收入同比增长{pct}，[海外|境外]收入同比增长{pct}，[海外市场拓展成效显著|国内市场份额持续提升]。",
    "我们认为，{driver}是[驱动|支撑]公司[业绩增长|估值提升]的核心因素，[在行业集中度提升的背景下|随着需求逐步回暖]，公司的竞争优势[有望进一步巩固|将更加突出]。",
    "[从成本端看|成本方面]，{input}[价格|采购成本]同比下降{pct}，[公司单位成本下降明显|对毛利率形成正向贡献]。",
    "[从费用端看|费用方面]，公司销售费用率为{pct_small}，管理费用率为{pct_small}，研发费用率为{rd_ratio}，[整体控制良好|研发投入持续加大]。",
    "[现金流方面|从现金流看]，公司经营活动现金流量净额为{yi_small}，[同比大幅改善|与净利润匹配度较高]，[应收账款周转天数缩短|存货周转效率提升]。",
    "[行业层面|从行业格局看]，{industry}[行业集中度持续提升|竞争格局逐步优化]，[头部企业|龙头公司]凭借[规模|技术|渠道]优势[持续扩大市场份额|获得更高议价能力]。",
    "公司[公告|披露]拟投资{capex}建设[{product}扩产项目|智能制造基地|研发总部]，[项目达产后|预计投产后]可[新增年营业收入|贡献年利润]约{yi_small}。",
    "[我们注意到|值得关注的是]，公司{quarter}[合同负债|预收款项]较年初增长{pct}，[表明下游需求旺盛|在手订单较为充足]。",
    "[股权激励方面|此外]，公司[推出|实施]限制性股票激励计划，[考核目标|业绩考核要求]为{next_year}年营业收入增长率不低于{pct}，[彰显管理层信心|有助于绑定核心人才]。",
    "[我们|本文]以{peer}、{peer}等公司作为可比公司，{next_year}年[行业平均|可比公司平均]PE为{pe1}倍，公司估值[仍处于合理区间|具备一定安全边际]。",
    "[分季度看|单季度看]，公司第[二|三|四]季度实现营业收入{yi_small}，环比增长{pct}，单季度毛利率为{gross_margin}，[创近{num_small}个季度新高|环比有所回落]。",
]
RISKS = [
    "{input}价格大幅波动的风险；",
    "[下游需求|终端需求]不及预期的风险；",
    "[新产能投放|项目建设]进度不及预期的风险；",
    "[行业竞争加剧|价格战]导致盈利能力下降的风险；",
    "[海外贸易政策变化|汇率波动]带来的风险；",
    "[应收账款回收|坏账]风险；",
    "[技术迭代|产品研发]不及预期的风险。",
]
DISCLAIMER = (
    "本报告仅供{broker}股份有限公司（以下简称“本公司”）的客户使用。本公司不会因接收人收到本报告而视其为客户。"
    "本报告基于本公司认为可靠的、已公开的信息编制，但本公司对该等信息的准确性及完整性不作任何保证。"
    "本报告所载的意见、评估及预测仅反映报告发布当日的观点和判断。在不同时期，本公司可能会发出与本报告所载意见、评估及预测不一致的研究报告。"
    "市场有风险，投资需谨慎。在任何情况下，本报告中的信息或所表述的意见并不构成对任何人的投资建议。"
)
RATING_NOTE = "评级说明：以报告发布日后6至12个月内的相对市场表现为基准，“买入”指相对表现优于市场基准指数15%以上，“增持”指相对表现优于市场基准指数5%至15%。"


def _forecast_table(rng: random.Random, year: int) -> Table:
    years = [f"{year - 1}A", f"{year}A", f"{year + 1}E", f"{year + 2}E", f"{year + 3}E"]
    revenue = rng.uniform(2000, 400000)  # 百万元
    margin = rng.uniform(0.04, 0.25)
    shares = rng.uniform(3, 120)  # 亿股
    price = rng.uniform(5, 300)
    rows: dict[str, list[str]] = {key: [] for key in ("营业收入（百万元）", "增长率（%）", "归母净利润（百万元）", "增长率（%） ", "EPS（元/股）", "PE（倍）", "PB（倍）")}
    prev_rev = prev_np = None
    for _ in years:
        growth = rng.uniform(-0.08, 0.35)
        revenue *= 1 + growth
        np_ = revenue * margin * rng.uniform(0.85, 1.15)
        eps = np_ / (shares * 100)
        rows["营业收入（百万元）"].append(ent.fmt_num(revenue))
        rows["增长率（%）"].append(f"{(revenue / prev_rev - 1) * 100:.2f}" if prev_rev else f"{growth * 100:.2f}")
        rows["归母净利润（百万元）"].append(ent.fmt_num(np_))
        rows["增长率（%） "].append(f"{(np_ / prev_np - 1) * 100:.2f}" if prev_np else f"{growth * 100:.2f}")
        rows["EPS（元/股）"].append(f"{eps:.2f}")
        rows["PE（倍）"].append(f"{price / max(eps, 0.01):.2f}")
        rows["PB（倍）"].append(f"{rng.uniform(0.6, 9):.2f}")
        prev_rev, prev_np = revenue, np_
    body = [[name.strip()] + values for name, values in rows.items()]
    return Table(["指标"] + years, body, caption="盈利预测与估值", unit="单位：百万元")


def _balance_table(rng: random.Random, year: int) -> Table:
    items = ["货币资金", "应收账款", "存货", "固定资产", "资产总计", "短期借款", "应付账款", "负债合计", "归属于母公司股东权益"]
    years = [f"{year}A", f"{year + 1}E", f"{year + 2}E"]
    rows = []
    for item in items:
        base = rng.uniform(5000, 900000)
        rows.append([item] + [ent.fmt_num(base * rng.uniform(0.9, 1.3)) for _ in years])
    return Table(["项目"] + years, rows, caption="资产负债表摘要", unit="单位：万元")


def _peer_table(rng: random.Random, year: int, company: ent.Company) -> Table:
    rows = []
    for _ in range(rng.randint(3, 5)):
        peer = ent.company(rng, company.industry)
        price = rng.uniform(5, 200)
        eps = [rng.uniform(0.1, 5) for _ in range(3)]
        rows.append([peer.code, peer.short, f"{price:.2f}"] + [f"{e:.2f}" for e in eps] + [f"{price / e:.1f}" for e in eps])
    header = ["代码", "简称", "股价（元）", f"EPS {year}", f"EPS {year + 1}E", f"EPS {year + 2}E", f"PE {year}", f"PE {year + 1}E", f"PE {year + 2}E"]
    return Table(header, rows, caption="可比公司估值表", unit="")


def compose(rng: random.Random, year: int) -> Article:
    """One company research report; tables are real ruled tables when written as PDF."""
    company = ent.company(rng)
    slots = {**base_slots(rng, year), **market_slots(rng), **company_slots(rng, company, year)}
    broker = ent.broker(rng)
    analysts = [ent.person_name(rng) for _ in range(rng.randint(1, 3))]
    rating = rng.choice(["买入", "增持", "推荐", "强烈推荐"])
    slots.update({"rating": rating, "year_plus2": str(year + 2), "np1": ent.yi(rng, 1, 120), "np2": ent.yi(rng, 1, 150),
                  "pe1": f"{rng.uniform(8, 60):.1f}", "pe2": f"{rng.uniform(6, 50):.1f}", "sector": company.industry})
    analysis = TemplateDeck(ANALYSIS, rng)
    blocks = [h("投资要点"), ul([fill(t, rng, slots) for t in HIGHLIGHTS if rng.random() < 0.8])]
    heads = ["[业绩|收入]端：{driver}带动[营收|业绩]增长", "[盈利|利润]端：[毛利率|盈利能力][稳中有升|持续改善]", "[产能|业务]布局：{product}[打开成长空间|有望放量]", "[行业|竞争]格局：[龙头优势|集中度提升]"]
    for head in rng.sample(heads, rng.randint(2, 4)):
        blocks.append(h(fill(head, rng, slots)))
        for _ in range(rng.randint(1, 2)):
            blocks.append(p("".join(mixed_sentences(rng, analysis, rng.randint(2, 3), slots, ["{company}"], COMPANY_METRICS, 0.1))))
    blocks.append(h("盈利预测与投资建议"))
    blocks.append(p(fill("我们预计公司{next_year}—{year_plus2}年营业收入分别为{yi}、{yi}，归母净利润分别为{np1}、{np2}，对应当前股价PE分别为{pe1}倍和{pe2}倍。[考虑到|鉴于]公司[在{product}领域的龙头地位|成长性突出]，[维持|给予]“{rating}”评级。", rng, slots)))
    blocks.append(table(_forecast_table(rng, year)))
    blocks.append(table(_peer_table(rng, year, company)))
    if rng.random() < 0.6:
        blocks.append(table(_balance_table(rng, year)))
    blocks.append(h("风险提示"))
    blocks.append(p("".join(fill(t, rng, slots) for t in rng.sample(RISKS, rng.randint(3, 5)))))
    meta = {
        "broker": broker, "analysts": analysts, "rating": rating, "company": company.short, "code": company.code,
        "certificates": [f"S{rng.randrange(10**12, 10**13)}" for _ in analysts], "industry": company.industry,
        "disclaimer": fill(DISCLAIMER, rng, {"broker": broker}), "rating_note": RATING_NOTE,
        "date": ent.date_zh(*ent.random_date(rng, year + 1)),
    }
    return Article(title=fill(rng.choice(TITLES), rng, slots), blocks=blocks, lang="zh", genre="report", meta=meta)
