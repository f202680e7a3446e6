"""Interchangeable words, swapped at random inside template text (never inside slot values).

Templates share their fixed wording across documents; swapping common words breaks those shared
runs of characters, which is what keeps two unrelated documents of the same genre far apart by
char n-gram Jaccard (the dedup stage must not see them as near-duplicates). Every group lists
words that can replace each other in all the templates that use them.
"""

from __future__ import annotations

import random
import re

ZH_GROUPS = [
    "表示 称* 指出 介绍*",
    "认为 指出 判断",
    "目前 当前 眼下 现阶段",
    "明显 显著",
    "有所 略有",
    "较为 比较 相对",
    "据悉 据了解 记者了解到",
    "此外 另外 与此同时",
    "因此 因而 所以",
    "能够 可以",
    "提升 提高",
    "相关 有关",
    "推动 带动 促进",
    "加快 加速",
    "积极 主动",
    "逐步 逐渐 稳步",
    "有望 可望 或将",
    "不断 一再",
    "很多 不少 许多",
    "非常 十分 特别",
    "告诉记者 对记者表示 向记者介绍",
    "今年以来 年初以来",
    "近期 最近 近来",
    "随后 之后",
    "保持 维持",
    "显现 显露",
    "覆盖 涵盖",
    "情况 状况",
    "举办 举行",
    "居民 市民 群众",
    "得到 获得",
    "成为 变成",
    "希望 期望 盼望",
    "觉得 感觉*",
    "其实 实际上",
    "特别是 尤其是",
    "大约 约莫 差不多",
    "马上 立刻 立即",
    "由于 因为",
    "并且 而且",
    "虽然 尽管",
    "如果 假如 若*",
]

EN_GROUPS = [
    "said noted explained added",
    "about around roughly",
    "big large major",
    "small modest minor",
    "important key crucial",
    "often frequently",
    "quickly rapidly",
    "however though",
    "also additionally",
    "help assist",
    "start begin",
    "show indicate suggest",
    "buy purchase",
    "choose pick select",
    "many numerous",
    "usually typically generally",
    "recently lately",
    "people folks",
    "expect anticipate",
    "increase rise",
    "improve boost",
    "simple easy straightforward",
    "plan intend",
    "whole entire",
    "maybe perhaps",
]


def _table(groups: list[str], first_only: bool) -> dict[str, tuple[str, ...]]:
    """word -> its group. A word marked `*` (or, with `first_only`, any but the first) is only
    ever a replacement, never replaced: 称 must not be touched inside 名称."""
    table: dict[str, tuple[str, ...]] = {}
    for group in groups:
        marked = group.split()
        words = tuple(dict.fromkeys(word.rstrip("*") for word in marked))
        for index, word in enumerate(marked):
            if word.endswith("*") or (first_only and index > 0):
                continue
            table.setdefault(word, words)
    return table


ZH = _table(ZH_GROUPS, first_only=False)
EN = _table(EN_GROUPS, first_only=True)
# Longest first so that "告诉记者" wins over shorter overlaps.
_ZH_PATTERN = re.compile("|".join(sorted(map(re.escape, ZH), key=len, reverse=True)))
_EN_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, EN), key=len, reverse=True)) + r")\b")


def vary(text: str, rng: random.Random, lang: str) -> str:
    """Swap each listed word for a random member of its group (the word itself included)."""
    if lang == "zh":
        return _ZH_PATTERN.sub(lambda m: rng.choice(ZH[m.group(0)]), text)
    return _EN_PATTERN.sub(lambda m: rng.choice(EN[m.group(0)]), text)
