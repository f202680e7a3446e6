"""The default run's own multiple-choice benchmarks, in the C-Eval, CMMLU and MMLU release layouts.

So the whole evaluation path (CSV checks, task YAMLs, lm-eval, tables) runs on a fresh machine
without downloads. Questions are built from facts the project's generator owns: city -> province
from the corpus lexicon, the exchange and board a stock code belongs to (the rule the generated
announcements follow), finance terms and their definitions, and computed arithmetic and interest.
Every answer is computed, so the sets are right by construction; options are shuffled so the
answer letters are balanced. The same seed gives byte-identical files.

Layout written under `out_dir`:
  ceval/{dev,val}/{subject}_{split}.csv  + subject_mapping.json (C-Eval's format)
  cmmlu/{dev,test}/{subject}.csv         + subject_mapping.json (CMMLU's format)
  mmlu/{dev,test}/{subject}_{split}.csv  (no header) + subject_mapping.json (C-Eval's format)
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_zh as zh

LETTERS = "ABCD"
Item = tuple[str, str, list[str]]  # question, correct option, three wrong options
Maker = Callable[[random.Random], Item]


@dataclass(frozen=True)
class BenchmarkSettings:
    questions_per_subject: int = 30   # in the scored split (C-Eval val, CMMLU test, MMLU test)
    dev_per_subject: int = 5          # few-shot examples, as in the releases
    seed: int = 0


# -- makers: each returns (question, right option, three wrong options) -------------------------

def _city_province_zh(rng: random.Random) -> Item:
    city = rng.choice(zh.CITIES)
    right = zh.CITY_PROVINCE[city]
    wrong = rng.sample([p for p in zh.PROVINCE_CITIES if p != right], 3)
    return f"{city}位于哪个省级行政区？", right, wrong


def _province_city_zh(rng: random.Random) -> Item:
    if rng.random() < 0.5:  # one stem per province would give only 31 distinct questions
        question, right, wrong = _city_province_zh(rng)
        return question.replace("位于哪个省级行政区？", "所在的省级行政区是____。"), right, wrong
    # Municipalities (上海 in 上海) would make the question answer itself.
    province = rng.choice([p for p, cities in zh.PROVINCE_CITIES.items() if any(c != p for c in cities)])
    right = rng.choice([c for c in zh.PROVINCE_CITIES[province] if c != province])
    wrong = rng.sample([c for c in zh.CITIES if zh.CITY_PROVINCE[c] != province], 3)
    return f"下列城市中，位于{province}的是____。", right, wrong


_EXCHANGES = ("上海证券交易所", "深圳证券交易所", "北京证券交易所", "香港联合交易所")
_BOARDS = ("上交所主板", "科创板", "深交所主板", "创业板", "北交所")


def _stock_exchange(rng: random.Random) -> Item:
    code = ent.stock_code(rng)
    right = ent.exchange_of(code)
    return f"股票代码为{code}的A股在哪个交易所上市？", right, [e for e in _EXCHANGES if e != right]


def _stock_board(rng: random.Random) -> Item:
    code = ent.stock_code(rng)
    right = ent.board_of(code)
    return f"股票代码{code}属于____。", right, rng.sample([b for b in _BOARDS if b != right], 3)


_TERMS = (  # (Chinese term, English term, Chinese definition, English definition)
    ("市盈率", "price-to-earnings ratio", "股价除以每股收益", "the share price divided by earnings per share"),
    ("市净率", "price-to-book ratio", "股价除以每股净资产", "the share price divided by book value per share"),
    ("净资产收益率", "return on equity", "净利润除以平均净资产", "net profit divided by average shareholders' equity"),
    ("资产负债率", "debt-to-asset ratio", "总负债除以总资产", "total liabilities divided by total assets"),
    ("毛利率", "gross margin", "毛利润除以营业收入", "gross profit divided by revenue"),
    ("流动比率", "current ratio", "流动资产除以流动负债", "current assets divided by current liabilities"),
    ("股息率", "dividend yield", "每股股息除以股价", "the dividend per share divided by the share price"),
    ("存款准备金率", "reserve requirement ratio", "银行存放在央行的准备金占存款的比例",
     "the share of deposits banks must hold at the central bank"),
)


def _ratio(rng: random.Random, lang: str) -> Item:
    """A valuation ratio computed from a price and a per-share figure (many distinct questions)."""
    price, per_share = rng.randrange(6, 120), rng.choice((0.5, 0.8, 1.2, 1.5, 2.0, 2.4, 3.0, 4.0))
    fmt = (lambda v: f"{v:.1f}")
    if rng.random() < 0.5:
        right = price / per_share
        wrong = _distinct_wrong(rng, right, [price * per_share, per_share / price * 100, right * 2], fmt)
        if lang == "zh":
            return f"某股票股价为{price}元，每股收益为{per_share}元，其市盈率为多少倍？", fmt(right), wrong
        return (f"A share trades at {price} and earns {per_share} per share. What is its price-to-earnings ratio?",
                fmt(right), wrong)
    right = per_share / price * 100
    wrong = _distinct_wrong(rng, right, [price / per_share, right * 10, right / 2], fmt)
    if lang == "zh":
        return f"某股票股价为{price}元，每股股息为{per_share}元，其股息率为百分之多少？", fmt(right), wrong
    return (f"A share trades at {price} and pays a dividend of {per_share} per share. What is its dividend yield "
            "in percent?", fmt(right), wrong)


def _term_definition_zh(rng: random.Random) -> Item:
    # Definitions give only 16 distinct stems; computed ratios supply the rest.
    if rng.random() < 0.4:
        return _ratio(rng, "zh")
    right, *wrong = rng.sample(_TERMS, 4)
    if rng.random() < 0.5:
        return f"{right[0]}的计算方法是____。", right[2], [w[2] for w in wrong]
    return f"“{right[2]}”得到的指标是____。", right[0], [w[0] for w in wrong]


def _term_definition_en(rng: random.Random) -> Item:
    if rng.random() < 0.4:
        return _ratio(rng, "en")
    right, *wrong = rng.sample(_TERMS, 4)
    if rng.random() < 0.5:
        return f"How is the {right[1]} calculated?", right[3], [w[3] for w in wrong]
    return f"Which measure is {right[3]}?", f"The {right[1]}", [f"The {w[1]}" for w in wrong]


def _distinct_wrong(rng: random.Random, right: float | int, candidates: list, fmt: Callable) -> list[str]:
    """Three wrong options from `candidates` (plausible mistakes), topped up with nearby numbers."""
    text_right = fmt(right)
    out: list[str] = []
    for value in candidates + [right + d for d in rng.sample(range(-20, 21), 41) if d]:
        text = fmt(value)
        if text != text_right and text not in out:
            out.append(text)
        if len(out) == 3:
            return out
    raise AssertionError("not enough distinct options")


def _arithmetic(rng: random.Random, lang: str) -> Item:
    a, b, c = rng.randrange(10, 99), rng.randrange(10, 99), rng.randrange(2, 9)
    right = a + b * c
    wrong = _distinct_wrong(rng, right, [(a + b) * c, a * b + c, a + b + c], str)
    if lang == "zh":
        return f"计算：{a} + {b} × {c} = ____", str(right), wrong
    return f"What is {a} + {b} * {c}?", str(right), wrong


def _compound_interest(rng: random.Random, lang: str) -> Item:
    principal, rate, years = rng.randrange(1, 20) * 1000, rng.choice((2, 3, 4, 5, 6)), rng.randrange(2, 5)
    right = principal * (1 + rate / 100) ** years
    simple = principal * (1 + rate / 100 * years)
    fmt = (lambda v: f"{v:.2f}")
    wrong = _distinct_wrong(rng, right, [simple, principal * rate / 100 * years, right - principal], fmt)
    if lang == "zh":
        return f"本金{principal}元，年利率{rate}%，按年复利，{years}年后本息合计约为多少元？", fmt(right), wrong
    return (f"{principal} dollars are invested at {rate}% a year, compounded yearly. What is the total after "
            f"{years} years?"), fmt(right), wrong


# (subject id, English name, Chinese name, category, maker). Categories follow the benchmarks' own
# schemes: economics-type subjects are Social Science, arithmetic is STEM.
CEVAL_SUBJECTS = (
    ("china_geography", "China Geography", "中国地理", "Social Science", _city_province_zh),
    ("securities_market", "Securities Market", "证券市场", "Other", _stock_exchange),
    ("financial_calculation", "Financial Calculation", "金融计算", "STEM", lambda r: _compound_interest(r, "zh")),
)
CMMLU_SUBJECTS = (  # subcategories map to CMMLU's categories (its categories.py)
    ("chinese_cities", "中国城市", ["geography", "china specific"], _province_city_zh),
    ("stock_boards", "股票板块", ["business", "china specific"], _stock_board),
    ("finance_terms", "金融术语", ["economics"], _term_definition_zh),
    ("mental_arithmetic", "速算", ["math"], lambda r: _arithmetic(r, "zh")),
)
MMLU_SUBJECTS = (
    ("finance_terms", "Finance Terms", "金融术语", "Social Science", _term_definition_en),
    ("arithmetic", "Arithmetic", "算术", "STEM", lambda r: _arithmetic(r, "en")),
    ("compound_interest", "Compound Interest", "复利计算", "STEM", lambda r: _compound_interest(r, "en")),
)
CMMLU_CATEGORIES = {  # CMMLU's category -> subcategories, the part our subjects use
    "STEM": ["math"], "Social Science": ["geography", "business", "economics"], "China specific": ["china specific"],
}


def _questions(rng: random.Random, maker: Maker, n: int) -> list[tuple[str, list[str], str]]:
    """n distinct questions, each (question, options A-D, answer letter), letters balanced by rotation."""
    out, seen = [], set()
    for attempt in range(n * 50):
        question, right, wrong = maker(rng)
        if question in seen:
            continue
        seen.add(question)
        slot = len(out) % 4  # rotate the right answer through A-D, then shuffle which question gets which
        options = list(wrong)
        rng.shuffle(options)
        options.insert(slot, right)
        out.append((question, options, LETTERS[slot]))
        if len(out) == n:
            rng.shuffle(out)
            return out
    raise ValueError(f"{maker}: only {len(out)} distinct questions; lower questions_per_subject")


def _csv_text(header: list[str] | None, rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _split_items(rng: random.Random, maker: Maker, settings: BenchmarkSettings) -> tuple[list, list]:
    # One draw for both splits so that no dev example repeats a scored question.
    items = _questions(rng, maker, settings.dev_per_subject + settings.questions_per_subject)
    return items[: settings.dev_per_subject], items[settings.dev_per_subject:]


def write_benchmarks(out_dir: str | os.PathLike[str], settings: BenchmarkSettings = BenchmarkSettings()) -> dict:
    """Write the three benchmark folders; returns a manifest {benchmark: {path, split, subjects: {name: n}}}."""
    out = Path(out_dir)
    manifest: dict = {}

    rng = random.Random(f"ceval-{settings.seed}")
    subjects = {}
    for subject, en_name, zh_name, _, maker in CEVAL_SUBJECTS:
        dev, val = _split_items(rng, maker, settings)
        for split, items in (("dev", dev), ("val", val)):
            header = ["id", "question", "A", "B", "C", "D", "answer"] + (["explanation"] if split == "dev" else [])
            rows = [[i, q, *opts, a] + ([""] if split == "dev" else []) for i, (q, opts, a) in enumerate(items)]
            _write(out / "ceval" / split / f"{subject}_{split}.csv", _csv_text(header, rows))
        subjects[subject] = len(val)
    _write(out / "ceval" / "subject_mapping.json", json.dumps(
        {s: [en, zh_, cat] for s, en, zh_, cat, _ in CEVAL_SUBJECTS}, ensure_ascii=False, indent=1) + "\n")
    manifest["ceval"] = {"path": str(out / "ceval"), "layout": "ceval", "split": "val", "subjects": subjects}

    rng = random.Random(f"cmmlu-{settings.seed}")
    subjects = {}
    for subject, _, _, maker in CMMLU_SUBJECTS:
        dev, test = _split_items(rng, maker, settings)
        for split, items in (("dev", dev), ("test", test)):
            rows = [[i, q, *opts, a] for i, (q, opts, a) in enumerate(items)]
            _write(out / "cmmlu" / split / f"{subject}.csv", _csv_text(["", "Question", "A", "B", "C", "D", "Answer"], rows))
        subjects[subject] = len(test)
    _write(out / "cmmlu" / "subject_mapping.json", json.dumps({
        "name_en2zh": {s: name for s, name, _, _ in CMMLU_SUBJECTS},
        "subcategories": {s: subs for s, _, subs, _ in CMMLU_SUBJECTS},
        "categories": CMMLU_CATEGORIES,
    }, ensure_ascii=False, indent=1) + "\n")
    manifest["cmmlu"] = {"path": str(out / "cmmlu"), "layout": "cmmlu", "split": "test", "subjects": subjects}

    rng = random.Random(f"mmlu-{settings.seed}")
    subjects = {}
    for subject, _, _, _, maker in MMLU_SUBJECTS:
        dev, test = _split_items(rng, maker, settings)
        for split, items in (("dev", dev), ("test", test)):
            _write(out / "mmlu" / split / f"{subject}_{split}.csv", _csv_text(None, [[q, *opts, a] for q, opts, a in items]))
        subjects[subject] = len(test)
    _write(out / "mmlu" / "subject_mapping.json", json.dumps(
        {s: [en, zh_, cat] for s, en, zh_, cat, _ in MMLU_SUBJECTS}, ensure_ascii=False, indent=1) + "\n")
    manifest["mmlu"] = {"path": str(out / "mmlu"), "layout": "mmlu", "split": "test", "subjects": subjects}
    return manifest
