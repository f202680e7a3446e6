"""Sentences composed from independent parts, shared by the Chinese genres.

A template shares all of its fixed wording with every other document that uses it; a sentence
assembled from four or five independently drawn parts shares only short pieces. Mixing these
into every genre is what keeps unrelated documents far apart by char n-gram Jaccard.
"""

from __future__ import annotations

import random
from typing import Callable, Sequence

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus.templates import Slots, fill

Metric = tuple[str, Callable[[random.Random], str]]


def _amount(unit: str, low: float, high: float, decimals: int = 2) -> Callable[[random.Random], str]:
    return lambda rng: f"{ent.fmt_num(rng.uniform(low, high), decimals)}{unit}"


FINANCE_METRICS: list[Metric] = [
    ("营业收入", _amount("亿元", 1, 900)), ("归母净利润", _amount("亿元", 0.1, 120)), ("出口额", _amount("亿美元", 10, 3000)),
    ("社会消费品零售总额", _amount("亿元", 300, 40000)), ("成交额", _amount("亿元", 50, 15000)), ("发行规模", _amount("亿元", 20, 9000)),
    ("新增人民币贷款", _amount("亿元", 500, 30000)), ("保费收入", _amount("亿元", 10, 3000)), ("产量", _amount("万吨", 1, 9000)),
    ("销量", _amount("万辆", 0.5, 300)), ("全社会用电量", _amount("亿千瓦时", 100, 9000)), ("固定资产投资", _amount("亿元", 100, 50000)),
    ("税收收入", _amount("亿元", 100, 20000)), ("进出口总值", _amount("亿元", 500, 40000)), ("实际使用外资", _amount("亿元", 10, 5000)),
    ("规模以上工业增加值", _amount("亿元", 100, 9000)), ("融资余额", _amount("亿元", 5000, 18000)), ("理财产品存续规模", _amount("万亿元", 20, 30)),
    ("基金发行份额", _amount("亿份", 10, 2000)), ("跨境人民币结算量", _amount("亿元", 100, 9000)), ("期货成交量", _amount("万手", 100, 90000, 0)),
]
# What a single company reports: for sentences whose subject is a company.
COMPANY_METRICS: list[Metric] = [
    ("营业收入", _amount("亿元", 1, 900)), ("归母净利润", _amount("亿元", 0.1, 120)), ("扣非净利润", _amount("亿元", 0.1, 100)),
    ("出口收入", _amount("亿元", 0.5, 300)), ("产量", _amount("万吨", 1, 900)), ("销量", _amount("万台", 1, 900)),
    ("研发投入", _amount("亿元", 0.1, 60)), ("经营活动现金流量净额", _amount("亿元", 0.1, 200)), ("新签订单金额", _amount("亿元", 1, 500)),
]
GENERAL_METRICS: list[Metric] = [
    ("游客接待量", _amount("万人次", 1, 900, 1)), ("旅游收入", _amount("亿元", 0.5, 900)), ("地铁客流量", _amount("万人次", 10, 1200, 1)),
    ("粮食产量", _amount("万吨", 5, 900, 1)), ("城镇新增就业人数", _amount("万人", 0.5, 90, 1)), ("新建改建公园数量", _amount("个", 3, 90, 0)),
    ("新增学位数", _amount("个", 500, 60000, 0)), ("门诊量", _amount("万人次", 1, 900, 1)), ("植树造林面积", _amount("万亩", 0.5, 80, 1)),
    ("新能源汽车保有量", _amount("万辆", 1, 300, 1)), ("空气质量优良天数", _amount("天", 180, 350, 0)), ("快递业务量", _amount("亿件", 0.5, 90)),
    ("新增充电桩数量", _amount("个", 200, 90000, 0)), ("志愿服务时长", _amount("万小时", 1, 500, 1)), ("图书馆借阅量", _amount("万册次", 1, 600, 1)),
    ("签约项目投资额", _amount("亿元", 5, 900)), ("农村居民人均可支配收入", _amount("元", 12000, 39000, 0)), ("高铁旅客发送量", _amount("万人次", 5, 900, 1)),
]

TIMES = [
    "{month_day}", "截至{month}末", "今年前{months_n}个月", "上半年", "前三季度", "一季度", "去年全年", "上周", "本月上旬",
    "近{months_n}个月来", "{year}年以来", "{festival}假期期间", "第[一|二|三|四]季度", "过去一年",
]
VERBS = ["实现", "达到", "录得", "完成", "累计实现", "共计完成", "合计达到"]
# (comparison, direction): comments must agree with the direction of the change.
COMPARISONS = [
    ("同比增长{pct}", "up"), ("较上年同期增加{pct}", "up"), ("环比上升{pct}", "up"), ("增速较上月加快{pp}个百分点", "up"),
    ("较年初增长{pct}", "up"), ("比[上年|去年]同期提高{pct}", "up"), ("两年平均增长{pct}", "up"),
    ("同比下降{pct}", "down"), ("比上月减少{pct}", "down"), ("较上年同期回落{pct}", "down"),
    ("与去年同期基本持平", "flat"),
]
COMMENTS = {
    "up": ["，创[历史|近年]同期新高", "，增速连续{months_n}个月保持两位数", "，延续了[回升|向好]态势", "，为近{num_small}年来的最高水平", "，显示出较强的韧性"],
    "down": ["，降幅较上月收窄{pp}个百分点", "，[主要|部分]受[基数较高|季节性因素|需求偏弱]影响", "，[短期|阶段性]压力有所显现"],
    "flat": ["，[总体|整体]符合季节性规律", "，继续[保持|运行]在合理区间"],
    "any": ["", "", "", "，占全年目标的{pct_big}"],
    "finance": ["，[高于|略低于]市场此前预期", "，好于[机构|分析师]此前预测"],
    "general": ["，提前完成年度任务", "，[群众|市民]获得感持续增强"],
}
SHAPES = [
    "{time}，{subject}{metric}{verb}{value}，{comparison}{comment}。",
    "{subject}{time}{verb}{metric}{value}，{comparison}{comment}。",
    "[数据显示|统计显示|记者从相关部门获悉]，{time}{subject}{metric}为{value}，{comparison}{comment}。",
    "{time}{subject}的{metric}达到{value}，{comparison}{comment}。",
    "从{metric}看，{subject}{time}{verb}{value}，{comparison}{comment}。",
    "{subject}{metric}{time}[共计|累计|合计]{value}，{comparison}{comment}。",
]
CONNECTORS = ["与此同时，", "值得一提的是，", "另一方面，", "从数据上看，", "总体来看，", "具体而言，", "不仅如此，", "相比之下，", "另据了解，", "事实上，"]
# A template that already opens with a connective or an attribution gets no second one.
_OPENERS = ("与此同时", "值得", "另一方面", "从", "总体", "具体", "此外", "另外", "截至", "据", "数据", "统计", "记者", "在", "“", "对于", "展望", "后续", "下一步")


def data_sentence(rng: random.Random, slots: Slots, subjects: Sequence[str], metrics: Sequence[Metric]) -> str:
    """A statistic: time, subject, metric, value, comparison and a comment, each drawn separately."""
    metric, value_of = rng.choice(metrics)
    comparison, direction = rng.choice(COMPARISONS)
    domain = "general" if metrics is GENERAL_METRICS else "finance"
    comments = COMMENTS[direction] + COMMENTS["any"] + COMMENTS[domain]
    parts = {
        **slots,
        "time": fill(rng.choice(TIMES), rng, slots),
        "subject": fill(rng.choice(subjects), rng, slots),
        "metric": metric,
        "verb": rng.choice(VERBS),
        "value": value_of(rng),
        "comparison": fill(comparison, rng, slots),
        "comment": fill(rng.choice(comments), rng, slots),
    }
    return fill(rng.choice(SHAPES), rng, parts)


def connect(rng: random.Random, sentence: str) -> str:
    """Sometimes open a sentence with a connective, as running prose does."""
    if rng.random() < 0.18 and not sentence.startswith(_OPENERS):
        return rng.choice(CONNECTORS) + sentence
    return sentence


def mixed_sentences(rng: random.Random, deck, k: int, slots: Slots, subjects: Sequence[str], metrics: Sequence[Metric], data_share: float = 0.35) -> list[str]:
    """`k` sentences: template sentences from `deck`, with about `data_share` of them statistics."""
    out = []
    for _ in range(k):
        if rng.random() < data_share:
            out.append(connect(rng, data_sentence(rng, slots, subjects, metrics)))
        else:
            out.append(connect(rng, fill(deck.draw(), rng, slots)))
    return out
