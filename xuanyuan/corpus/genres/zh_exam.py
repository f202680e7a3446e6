"""Chinese exam questions (accounting, finance, economics, law, general knowledge) with answers.

Most questions are computed from random figures, so the answer is right by construction and
no two questions share their numbers; the fixed-fact questions are dealt once per corpus.
"""

from __future__ import annotations

import random
from typing import Callable

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, p
from xuanyuan.corpus.genres.zh_common import COMPANY_METRICS, data_sentence
from xuanyuan.corpus.genres.zh_slots import base_slots, company_slots
from xuanyuan.corpus.templates import TemplateDeck, fill

LETTERS = "ABCD"


def _options(rng: random.Random, right: str, wrong: list[str]) -> tuple[dict[str, str], str]:
    """Shuffle the right answer among three distinct distractors."""
    distractors = [w for w in dict.fromkeys(wrong) if w != right][:3]
    while len(distractors) < 3:
        distractors.append(f"以上都不对{len(distractors)}" if False else ["无法确定", "以上均不正确", "视具体情况而定"][len(distractors)])
    choices = distractors + [right]
    rng.shuffle(choices)
    return dict(zip(LETTERS, choices)), LETTERS[choices.index(right)]


def _scenario(rng: random.Random) -> dict[str, str]:
    company = ent.company(rng)
    province, city = ent.place(rng)
    return {"co": rng.choice(["甲公司", "乙公司", "丙公司", "A公司", "某公司", company.short]), "co_full": company.name, "city": city,
            "industry": company.industry, "year": str(rng.randrange(2015, 2025)), "person": ent.person_name(rng), "product": rng.choice(company.products)}


BACKGROUND = [
    "{company_full}成立于{founded}年，总部位于{hq_province}{hq_city}，主要从事{product}的生产和销售，现有员工{employees}人。",
    "[近年来|{prev_year}年以来]，受{driver}[等因素|]影响，{company}所在的{industry}行业[景气度回升|竞争加剧|需求波动较大]。",
    "{company}[计划|拟]在{other_city}投资{capex}新建{product}[生产线|项目]，[建设期|预计建设期]为{num_small}个月。",
    "{company}的主要原材料为{input}，[其价格|采购价格]在{prev_year}年[上涨|下跌]了{pct}。",
    "{company}董事长{chairman}[在年度会议上|在接受采访时]表示，公司将[继续|持续][聚焦|深耕]{product}业务，[力争|计划]营业收入达到{revenue}。",
    "{company}[目前|当前]的资产负债率为{pct_big}，[管理层|财务部门][正在|拟][评估|研究]新的融资方案。",
    "[财务经理|会计主管]{person}[负责|参与]{company}{year}年度财务报表的编制，[并向|需向]董事会[提交|汇报]分析报告。",
    "{company}{prev_year}年[综合毛利率|销售毛利率]为{gross_margin}，研发投入占营业收入的{rd_ratio}。",
]


def background(rng: random.Random, year: int) -> str:
    """Two or three sentences about a fictional company: the case a computed question sits in."""
    company = ent.company(rng)
    slots = {**base_slots(rng, year), **company_slots(rng, company, year)}
    deck = TemplateDeck(BACKGROUND, rng)
    sentences = deck.sentences(rng.randint(1, 2), slots)
    sentences.insert(rng.randrange(len(sentences) + 1), data_sentence(rng, slots, ["{company}"], COMPANY_METRICS))
    return "".join(sentences)


def _intro(rng: random.Random, s: dict[str, str]) -> str:
    return fill(rng.choice([
        "{co}为{city}一家{industry}企业，主要[生产|经营]{product}。",
        "{co_full}（以下简称“{co}”）[系|是]一家[增值税一般纳税人|上市公司|制造企业]。",
        "[已知|资料显示]：{co}{year}年度[相关|有关]财务数据如下。",
        "{person}是{co}的[财务经理|会计主管|投资分析师]，[正在|需要][编制|分析]{year}年的[报表|财务数据]。",
        "",
    ]), rng, s)


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def q_gross_margin(rng, s):
    revenue = rng.randrange(200, 9000) * 10
    cost = int(revenue * rng.uniform(0.35, 0.85))
    right = _pct((revenue - cost) / revenue)
    stem = _intro(rng, s) + fill(f"[该公司|{s['co']}]{s['year']}年实现营业收入{revenue}万元，[营业成本|销售成本]为{cost}万元，[则|那么]其[销售毛利率|毛利率]为（　　）。", rng, s)
    wrong = [_pct(cost / revenue), _pct((revenue - cost) / cost), _pct((revenue - cost) / revenue * 0.75)]
    why = fill(f"[毛利率|销售毛利率]=（营业收入－营业成本）÷营业收入=（{revenue}－{cost}）÷{revenue}≈{right}。[选项中|其他选项][混淆了分子分母|误用了营业成本作为分母]。", rng, s)
    return "会计", stem, right, wrong, why


def q_current_ratio(rng, s):
    ca = rng.randrange(300, 9000) * 10
    cl = rng.randrange(200, 6000) * 10
    right = f"{ca / cl:.2f}"
    stem = _intro(rng, s) + fill(f"[期末|{s['year']}年末]{s['co']}流动资产合计{ca}万元，流动负债合计{cl}万元，[该公司|其]流动比率为（　　）。", rng, s)
    wrong = [f"{cl / ca:.2f}", f"{(ca - cl) / cl:.2f}", f"{ca / cl * 1.1:.2f}"]
    why = f"流动比率=流动资产÷流动负债={ca}÷{cl}≈{right}。" + rng.choice(["流动比率越高，短期偿债能力通常越强。", "一般认为流动比率保持在2左右较为合理，但需结合行业特点判断。", ""])
    return "会计", stem, right, wrong, why


def q_depreciation(rng, s):
    cost = rng.randrange(20, 900) * 1000
    salvage = int(cost * rng.choice([0.02, 0.03, 0.04, 0.05, 0.1]))
    years = rng.choice([4, 5, 8, 10, 20])
    method = rng.choice(["年限平均法", "双倍余额递减法"])
    if method == "年限平均法":
        right = f"{(cost - salvage) / years:,.2f}元"
        wrong = [f"{cost / years:,.2f}元", f"{cost * 2 / years:,.2f}元", f"{(cost - salvage) / (years + 1):,.2f}元"]
        why = f"年限平均法下年折旧额=（原值－预计净残值）÷预计使用年限=（{cost:,}－{salvage:,}）÷{years}={right}。"
    else:
        right = f"{cost * 2 / years:,.2f}元"
        wrong = [f"{(cost - salvage) / years:,.2f}元", f"{(cost - salvage) * 2 / years:,.2f}元", f"{cost / years:,.2f}元"]
        why = f"双倍余额递减法首年不考虑净残值，年折旧率=2÷{years}，首年折旧额={cost:,}×2÷{years}={right}。"
    stem = _intro(rng, s) + fill(f"{s['co']}[于{s['year']}年初|{s['year']}年1月][购入|购置]一台[生产设备|专用设备|运输设备]，原价{cost:,}元，预计净残值{salvage:,}元，预计使用{years}年，[采用|按]{method}计提折旧，[第一年|首年]应计提折旧额为（　　）。", rng, s)
    return "会计", stem, right, wrong, why


def q_income_tax(rng, s):
    pretax = rng.randrange(100, 9000) * 10
    rate = rng.choice([0.25, 0.15, 0.2])
    right = f"{pretax * (1 - rate):,.2f}万元"
    wrong = [f"{pretax * rate:,.2f}万元", f"{pretax:,.2f}万元", f"{pretax * (1 - rate / 2):,.2f}万元"]
    stem = _intro(rng, s) + fill(f"{s['co']}{s['year']}年利润总额为{pretax:,}万元，[适用|执行]的企业所得税税率为{int(rate * 100)}%，[假定|假设]不存在纳税调整事项，[则|该公司]净利润为（　　）。", rng, s)
    why = f"净利润=利润总额×（1－所得税税率）={pretax:,}×（1－{int(rate * 100)}%）={right}。" + ("高新技术企业可享受15%的优惠税率。" if rate == 0.15 else "")
    return "会计", stem, right, wrong, why


def q_compound(rng, s):
    principal = rng.randrange(1, 200) * 1000
    rate = rng.choice([0.02, 0.03, 0.035, 0.04, 0.05, 0.06, 0.08])
    years = rng.randrange(2, 8)
    right = f"{principal * (1 + rate) ** years:,.2f}元"
    wrong = [f"{principal * (1 + rate * years):,.2f}元", f"{principal * rate * years:,.2f}元", f"{principal * (1 + rate) ** (years - 1):,.2f}元"]
    stem = fill(f"{s['person']}[将|把]{principal:,}元存入银行，年利率为{rate * 100:.1f}%，按年复利计息，{years}年后的本利和为（　　）。", rng, s)
    why = f"复利终值=本金×（1+利率）^期数={principal:,}×（1+{rate * 100:.1f}%）^{years}≈{right}。若按单利计算则为{wrong[0]}，[注意区分|不要混淆]。"
    return "金融", stem, right, wrong, why


def q_current_yield(rng, s):
    face = 100
    coupon = rng.choice([2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0])
    price = round(rng.uniform(85, 115), 2)
    right = _pct(coupon / price)
    wrong = [_pct(coupon / face), _pct((coupon + face - price) / price), _pct(coupon / price * 1.2)]
    stem = fill(f"某[公司|企业]债券面值{face}元，票面利率{coupon}%，每年付息一次，当前市场价格为{price}元，该债券的当期收益率为（　　）。", rng, s)
    why = f"当期收益率=年利息÷市场价格={coupon}÷{price}≈{right}。票面利率{coupon}%是按面值计算的，[与当期收益率不同|不能直接作为答案]。"
    return "金融", stem, right, wrong, why


def q_pe(rng, s):
    price = round(rng.uniform(5, 200), 2)
    eps = round(rng.uniform(0.1, 8), 2)
    right = f"{price / eps:.2f}倍"
    wrong = [f"{eps / price:.2f}倍", f"{price * eps:.2f}倍", f"{price / eps * 0.8:.2f}倍"]
    stem = fill(f"{s['co']}股票[当前|最新]价格为{price}元，[最近一个会计年度|上一年度]每股收益为{eps}元，[则其|该股票的]市盈率为（　　）。", rng, s)
    why = f"市盈率=每股市价÷每股收益={price}÷{eps}≈{right}。"
    return "金融", stem, right, wrong, why


def q_holding_return(rng, s):
    buy = round(rng.uniform(5, 80), 2)
    sell = round(buy * rng.uniform(0.8, 1.5), 2)
    div = round(rng.uniform(0.1, 2), 2)
    right = _pct((sell - buy + div) / buy)
    wrong = [_pct((sell - buy) / buy), _pct((sell - buy + div) / sell), _pct(div / buy)]
    stem = fill(f"投资者{s['person']}以每股{buy}元买入{s['co']}股票，持有期间[获得|收到]现金股利每股{div}元，[一年后|之后]以每股{sell}元卖出，持有期收益率为（　　）。", rng, s)
    why = f"持有期收益率=（卖出价－买入价+现金股利）÷买入价=（{sell}－{buy}+{div}）÷{buy}≈{right}。"
    return "金融", stem, right, wrong, why


def q_elasticity(rng, s):
    dp = round(rng.uniform(2, 25), 1)
    dq = round(rng.uniform(1, 40), 1)
    e = dq / dp
    kind = "富有弹性" if e > 1 else ("单位弹性" if e == 1 else "缺乏弹性")
    right = f"{e:.2f}，{kind}"
    wrong = [f"{dp / dq:.2f}，{'缺乏弹性' if dp / dq < 1 else '富有弹性'}", f"{e:.2f}，{'缺乏弹性' if e > 1 else '富有弹性'}", f"{e + 0.5:.2f}，富有弹性"]
    good = rng.choice(zh.CROPS + zh.PRODUCTS_CONSUMER)
    dp, dq = f"{dp:g}", f"{dq:g}"
    stem = fill(f"某地{good}价格上涨{dp}%，[导致|使得]其需求量下降{dq}%，[则|那么]该商品的需求价格弹性系数及其类型为（　　）。", rng, s)
    why = f"需求价格弹性=需求量变动百分比÷价格变动百分比={dq}%÷{dp}%={e:.2f}，" + ("大于1，属于富有弹性。" if e > 1 else ("等于1，属于单位弹性。" if e == 1 else "小于1，属于缺乏弹性。"))
    return "经济学", stem, right, wrong, why


def q_multiplier(rng, s):
    mpc = rng.choice([0.5, 0.6, 0.75, 0.8, 0.9])
    invest = rng.randrange(10, 900)
    right = f"{invest / (1 - mpc):,.0f}亿元"
    wrong = [f"{invest * mpc:,.0f}亿元", f"{invest / mpc:,.0f}亿元", f"{invest:,.0f}亿元"]
    stem = fill(f"[在|假定]两部门经济中，边际消费倾向为{mpc}，[政府|企业]投资增加{invest}亿元，[则|在其他条件不变时]国民收入[将|最终]增加（　　）。", rng, s)
    why = f"投资乘数=1÷（1－边际消费倾向）=1÷（1－{mpc}）={1 / (1 - mpc):.0f}，国民收入增加={invest}×{1 / (1 - mpc):.0f}={right}。"
    return "经济学", stem, right, wrong, why


def q_money_multiplier(rng, s):
    rr = rng.choice([0.05, 0.08, 0.1, 0.125, 0.2, 0.25])
    base = rng.randrange(10, 500)
    right = f"{base / rr:,.0f}亿元"
    wrong = [f"{base * rr:,.0f}亿元", f"{base / rr / 2:,.0f}亿元", f"{base * (1 + rr):,.0f}亿元"]
    stem = fill(f"[假设|若]法定存款准备金率为{rr * 100:g}%，不考虑现金漏损和超额准备金，[中央银行|央行]新增基础货币{base}亿元，[则|理论上]存款货币最多可扩张至（　　）。", rng, s)
    why = f"简单存款乘数=1÷法定存款准备金率=1÷{rr * 100:g}%={1 / rr:g}，存款总额={base}×{1 / rr:g}={right}。"
    return "经济学", stem, right, wrong, why


def q_gdp_deflator(rng, s):
    real = rng.randrange(300, 9000) * 10
    deflator = rng.choice([102, 104, 105, 108, 110, 112, 115])
    right = f"{real * deflator / 100:,.0f}亿元"
    wrong = [f"{real * 100 / deflator:,.0f}亿元", f"{real:,.0f}亿元", f"{real * (deflator - 100) / 100:,.0f}亿元"]
    stem = fill(f"[某国|某地区]{s['year']}年[实际GDP|按基期价格计算的GDP]为{real:,}亿元，GDP平减指数为{deflator}，[则|该年]名义GDP为（　　）。", rng, s)
    why = f"GDP平减指数=名义GDP÷实际GDP×100，故名义GDP={real:,}×{deflator}÷100={right}。"
    return "经济学", stem, right, wrong, why


FACTS: list[tuple[str, str, str, list[str], str]] = [
    ("法律", "根据《公司法》，有限责任公司由（　　）以下股东出资设立。", "五十个", ["二百个", "一百个", "三十个"], "《公司法》规定有限责任公司由五十个以下股东出资设立。"),
    ("法律", "根据《公司法》，设立股份有限公司，应当有（　　）发起人。", "一人以上二百人以下", ["二人以上五十人以下", "五人以上", "十人以上二百人以下"], "现行《公司法》规定设立股份有限公司应当有一人以上二百人以下为发起人。"),
    ("法律", "根据《民法典》，向人民法院请求保护民事权利的诉讼时效期间一般为（　　）。", "三年", ["一年", "二年", "五年"], "《民法典》将普通诉讼时效期间规定为三年。"),
    ("法律", "根据《证券法》，上市公司董事、监事、高级管理人员及持股5%以上股东，将其持有的股票在买入后（　　）内卖出，所得收益归公司所有。", "六个月", ["三个月", "一年", "一个月"], "这一规定即短线交易归入权制度，期限为六个月。"),
    ("法律", "根据《劳动合同法》，劳动合同期限三个月以上不满一年的，试用期不得超过（　　）。", "一个月", ["两个月", "三个月", "六个月"], "劳动合同期限三个月以上不满一年的，试用期不得超过一个月。"),
    ("法律", "根据《商业银行法》，商业银行贷款应当实行（　　）分离、分级审批的制度。", "审贷", ["存贷", "借贷", "内外"], "《商业银行法》规定商业银行贷款应当实行审贷分离、分级审批的制度。"),
    ("金融", "我国的中央银行是（　　）。", "中国人民银行", ["中国银行", "国家开发银行", "中国工商银行"], "中国人民银行是我国的中央银行，负责制定和执行货币政策。"),
    ("金融", "下列货币政策工具中，属于一般性货币政策工具的是（　　）。", "再贴现", ["消费者信用控制", "证券市场信用控制", "窗口指导"], "一般性货币政策工具包括法定存款准备金率、再贴现和公开市场业务。"),
    ("金融", "A股市场股票的涨跌幅限制，主板一般为（　　）。", "10%", ["5%", "20%", "30%"], "主板股票涨跌幅限制一般为10%，风险警示股票为5%，创业板和科创板为20%。"),
    ("金融", "我国A股市场实行的交收制度是（　　）。", "T+1", ["T+0", "T+2", "T+3"], "A股当日买入的股票需下一个交易日才能卖出，即T+1制度。"),
    ("金融", "衡量商业银行资本充足程度的核心指标是（　　）。", "资本充足率", ["存贷比", "流动性比例", "拨备覆盖率"], "资本充足率是资本与风险加权资产的比率，反映银行抵御风险的能力。"),
    ("金融", "下列金融工具中，属于衍生金融工具的是（　　）。", "股指期货", ["国债", "股票", "银行承兑汇票"], "股指期货的价值取决于标的股票指数，属于衍生金融工具。"),
    ("经济学", "在完全竞争市场中，厂商短期均衡的条件是（　　）。", "边际收益等于边际成本", ["平均收益等于平均成本", "价格等于平均可变成本", "总收益等于总成本"], "利润最大化的条件是MR=MC，完全竞争市场中价格等于边际收益。"),
    ("经济学", "菲利普斯曲线描述的是（　　）之间的关系。", "失业率与通货膨胀率", ["利率与投资", "收入与消费", "汇率与进出口"], "菲利普斯曲线表明失业率与通货膨胀率之间存在此消彼长的关系。"),
    ("经济学", "下列属于政府转移支付的是（　　）。", "失业救济金", ["政府购买办公用品", "公务员工资", "修建公路支出"], "转移支付不以换取商品和劳务为目的，失业救济金属于典型的转移支付。"),
    ("经济学", "当一国出现恶性通货膨胀时，中央银行最可能采取的措施是（　　）。", "提高法定存款准备金率", ["降低再贴现率", "在公开市场买入国债", "扩大财政支出"], "提高准备金率会收缩货币供应量，有助于抑制通货膨胀。"),
    ("会计", "下列各项中，属于会计基本假设的是（　　）。", "持续经营", ["历史成本", "权责发生制", "谨慎性"], "会计基本假设包括会计主体、持续经营、会计分期和货币计量。"),
    ("会计", "企业的资产负债表是反映企业（　　）财务状况的报表。", "某一特定日期", ["一定期间", "某一会计年度", "某一经营周期"], "资产负债表是静态报表，反映某一特定日期的财务状况。"),
    ("会计", "下列各项中，应计入管理费用的是（　　）。", "行政管理部门人员的薪酬", ["销售人员的工资", "生产车间的水电费", "短期借款的利息"], "行政管理部门发生的费用计入管理费用。"),
    ("会计", "企业的现金流量表将现金流量分为三类，不包括（　　）。", "分配活动现金流量", ["经营活动现金流量", "投资活动现金流量", "筹资活动现金流量"], "现金流量分为经营、投资和筹资三类活动。"),
    ("常识", "我国的最高国家权力机关是（　　）。", "全国人民代表大会", ["国务院", "最高人民法院", "中国人民政治协商会议"], "全国人民代表大会是最高国家权力机关。"),
    ("常识", "“丝绸之路”一词最早由（　　）提出。", "李希霍芬", ["马可·波罗", "张骞", "斯坦因"], "德国地理学家李希霍芬在19世纪提出了“丝绸之路”的概念。"),
    ("常识", "我国第一部纪传体通史是（　　）。", "《史记》", ["《汉书》", "《资治通鉴》", "《春秋》"], "司马迁所著《史记》是我国第一部纪传体通史。"),
    ("常识", "下列节气中，位于夏季的是（　　）。", "芒种", ["惊蛰", "白露", "小雪"], "芒种是夏季的第三个节气，惊蛰在春季，白露在秋季，小雪在冬季。"),
    ("常识", "我国面积最大的省级行政区是（　　）。", "新疆维吾尔自治区", ["西藏自治区", "内蒙古自治区", "青海省"], "新疆维吾尔自治区面积约166万平方千米，居全国首位。"),
    ("常识", "被称为“诗圣”的唐代诗人是（　　）。", "杜甫", ["李白", "白居易", "王维"], "杜甫被后世尊称为“诗圣”，李白被称为“诗仙”。"),
]

COMPUTED: list[Callable] = [q_gross_margin, q_current_ratio, q_depreciation, q_income_tax, q_compound, q_current_yield, q_pe,
                            q_holding_return, q_elasticity, q_multiplier, q_money_multiplier, q_gdp_deflator]
EXPLAIN_TAILS = ["", "", "[本题|此题]考查[基本概念|计算公式]的[理解|运用]，[难度不大|属于常考题型]。", "[考生|同学们]应[熟记|牢记][相关公式|该知识点]。",
                 "[做题时|解题时][需|要]注意[单位换算|计算口径|题干条件]。", "[该知识点|此考点]在[历年|近年]考试中[多次出现|频繁考查]。"]
SOURCES = ["初级会计职称", "中级会计职称", "注册会计师", "证券从业资格", "基金从业资格", "银行从业资格", "经济师", "公务员行测", "研究生入学考试", "期末考试"]


def compose(rng: random.Random, year: int, used_facts: set[int] | None = None) -> Article:
    """One single-choice question; fixed-fact questions at most once per `used_facts` set."""
    free = [i for i in range(len(FACTS)) if used_facts is None or i not in used_facts]
    if free and rng.random() < 0.15:
        index = rng.choice(free)
        if used_facts is not None:
            used_facts.add(index)
        subject, stem, right, wrong, why = FACTS[index]
    else:
        subject, stem, right, wrong, why = rng.choice(COMPUTED)(rng, _scenario(rng))
        stem = fill("[阅读以下材料，回答问题。|【材料】|【背景资料】|]", rng, {}) + background(rng, year) + stem
    options, answer = _options(rng, right, wrong)
    why = fill(why, rng, {}) + fill(rng.choice(EXPLAIN_TAILS), rng, {})
    source = rng.choice(SOURCES)
    exam_year = rng.randrange(year - 6, year + 1)
    lines = [f"【{source}·{subject}】" + stem if rng.random() < 0.5 else stem]
    lines += [f"{letter}. {text}" for letter, text in options.items()]
    lines += [f"答案：{answer}", f"解析：{why}"]
    meta = {"subject": subject, "type": "single_choice", "question": stem, "options": options, "answer": answer,
            "explanation": why, "exam": source, "year": exam_year, "difficulty": rng.choice(["easy", "medium", "medium", "hard"])}
    return Article(title="", blocks=[p(line) for line in lines], lang="zh", genre="exam", meta=meta)
