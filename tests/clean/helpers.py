"""Small builders shared by the cleaning tests: rule instances, views, and clean sample texts."""

from __future__ import annotations

from typing import Any

from xuanyuan.clean.base import Finding, TextView
from xuanyuan.clean.registry import RULES, ordered_rules

ordered_rules()  # registers every rule

# Clean texts that every default document rule must let through (multi-line, realistic).
ZH_NEWS = (
    "央行开展逆回购操作 维护流动性合理充裕\n"
    "中国人民银行今日开展了1200亿元7天期逆回购操作，中标利率为1.80%，与此前持平。由于当日有800亿元逆回购到期，"
    "央行实现净投放400亿元。\n"
    "分析人士指出，临近季末，银行体系的流动性需求有所上升，央行加大公开市场操作力度，有助于平抑资金面波动。"
    "从市场利率看，隔夜上海银行间同业拆放利率下行5个基点，报1.62%。\n"
    "业内人士预计，后续货币政策将继续保持稳健，并更加注重跨周期调节，为实体经济发展营造适宜的货币金融环境。"
)
EN_NEWS = (
    "Central bank holds rates steady as inflation cools\n"
    "The central bank kept its benchmark interest rate unchanged on Wednesday, saying that inflation had eased "
    "in recent months but that the labour market remained tight.\n"
    "Policymakers voted seven to two to hold the rate at 4.5 percent. Two members preferred a cut of a quarter "
    "point, arguing that the economy was slowing faster than expected and that high borrowing costs were "
    "weighing on investment.\n"
    "Analysts said the decision was in line with expectations and that the first cut would probably come in the "
    "spring, once wage growth had slowed further."
)
ZH_EXAM = (
    "【注册会计师·会计】企业的现金流量表将现金流量分为三类，不包括（ ）。\n"
    "A. 经营活动现金流量\nB. 筹资活动现金流量\nC. 分配活动现金流量\nD. 投资活动现金流量\n"
    "答案：C\n解析：现金流量分为经营、投资和筹资三类活动，分配活动不是单独的一类。本题考查现金流量表的基本结构。"
)
ZH_REPORT = (
    "第三节 管理层讨论与分析\n"
    "报告期内，公司实现营业收入52.36亿元，同比增长12.4%；归属于上市公司股东的净利润6.81亿元，同比增长8.9%。"
    "公司持续加大研发投入，全年研发费用达到3.05亿元，占营业收入的5.8%。\n"
    "| 项目 | 2023年 | 2022年 | 同比变动 |\n|---|---|---|---|\n"
    "| 营业收入（亿元） | 52.36 | 46.58 | 12.4% |\n| 净利润（亿元） | 6.81 | 6.25 | 8.9% |\n"
    "| 研发费用（亿元） | 3.05 | 2.71 | 12.5% |\n"
    "公司主营业务毛利率为31.2%，较上年下降0.6个百分点，主要是原材料价格上涨所致。"
)


def rule(name: str, **params: Any):
    """An instance of the registered rule `name`."""
    return RULES[name](**params)


def view(text: str, lang: str = "zh") -> TextView:
    return TextView(text, lang)


def rewrite(name: str, text: str, lang: str = "zh", **params: Any) -> tuple[str, int]:
    return rule(name, **params).rewrite(text, view(text, lang))


def line_finding(name: str, line: str, lang: str = "zh", text: str | None = None, **params: Any) -> Finding | None:
    return rule(name, **params).check_line(line, view(text if text is not None else line, lang))


def doc_finding(name: str, text: str, lang: str = "zh", **params: Any) -> Finding | None:
    instance = rule(name, **params)
    doc_view = view(text, lang)
    assert instance.applies_to(doc_view), f"{name} does not apply to {lang}"
    return instance.check(doc_view)


def doc(text: str, lang: str = "zh", doc_id: str = "d1", **extra: Any) -> dict[str, Any]:
    record = {"id": doc_id, "text": text, "source": "test", "lang": lang, "domain": "finance", "kind": "news", "meta": {}}
    record.update(extra)
    return record


def id_number(first17: str) -> str:
    """An 18-character resident ID with its GB 11643 check character (written out here, not imported)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def luhn_complete(body: str) -> str:
    """`body` plus the digit that makes it pass the Luhn check."""
    for digit in "0123456789":
        number = body + digit
        total = 0
        for index, char in enumerate(reversed(number)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


class RecordingLedger:
    """Collects ledger events in memory, with the StageLedger keyword interface."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.drops: list[dict[str, Any]] = []

    def remove_line(self, **event: Any) -> None:
        self.lines.append(event)

    def edit(self, **event: Any) -> None:
        self.edits.append(event)

    def drop(self, **event: Any) -> None:
        self.drops.append(event)
