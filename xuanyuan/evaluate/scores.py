"""Micro, macro and per-category accuracy from per-subject results."""

from __future__ import annotations

from typing import Mapping

from xuanyuan.evaluate.subjects import CATEGORIES, CHINA_SPECIFIC

CHANCE = 0.25  # four options, one right


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(subjects: Mapping[str, Mapping]) -> dict:
    """`subjects`: name -> {n, acc, categories}. Micro averages over questions, macro over subjects.

    A category's score is over the questions of its subjects (lm-eval's MMLU groups weight by size
    too); a CMMLU subject can count for a category and for China specific.
    """
    total = sum(s["n"] for s in subjects.values())
    micro = sum(s["n"] * s["acc"] for s in subjects.values()) / total if total else None
    categories: dict[str, dict] = {}
    for name in (*CATEGORIES, CHINA_SPECIFIC):
        members = [s for s in subjects.values() if name in s["categories"]]
        n = sum(s["n"] for s in members)
        if n:
            categories[name] = {"n": n, "subjects": len(members), "acc": sum(s["n"] * s["acc"] for s in members) / n}
    return {"n_questions": total, "n_subjects": len(subjects), "micro": micro,
            "macro": _mean([s["acc"] for s in subjects.values() if s["n"]]), "categories": categories}
