"""The report's test of reading long pages: planted harmful documents buried inside ordinary text.

A planted harmful document reaches the filter as a page of its own, 80-600 characters; on the web
the same passage more often sits in a long page (a forum thread, a comment section). Each planted
document that reached the stage is laid between ordinary documents of the run, at least one
window (`fasttext.max_chars`) of them before and one after, and read as the filter reads: once
with the window reader alone and once with windows and passages. Which ordinary documents
surround it follows the run's seed and the plant's id, so the table is the same on every rerun.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Mapping, Sequence

from xuanyuan.quality.reader import DocumentReader

SEPARATOR = "\n\n"


def bury(text: str, ordinary: Sequence[str], rng: random.Random, chars: int) -> str:
    """`text` between ordinary texts drawn by `rng`, at least `chars` characters of them on each side."""
    def surround() -> list[str]:
        drawn, total = [], 0
        while total < chars:
            drawn.append(rng.choice(ordinary))
            total += len(drawn[-1])
        return drawn

    return SEPARATOR.join([*surround(), text, *surround()])


def buried_recall(
    plants: Sequence[Mapping[str, str]], ordinary: Mapping[str, Sequence[str]], *, windows_only: DocumentReader,
    both: DocumentReader, chars: int, seed: int,
) -> list[list]:
    """Per category: plants buried, caught by the window reader alone, caught by windows and passages.

    `plants`: {id, category, lang, text} of the planted documents that reached the stage;
    `ordinary`: texts of the ordinary documents by language (a language with none borrows all).
    """
    everyone = [text for texts in ordinary.values() for text in texts]
    if not plants or not everyone:
        return []
    pages, categories = [], []
    for plant in plants:
        rng = random.Random(f"{seed}:buried:{plant['id']}")
        pages.append(bury(plant["text"], ordinary.get(plant["lang"]) or everyone, rng, chars))
        categories.append(plant["category"])
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for category, alone, read in zip(categories, windows_only.read(pages), both.read(pages)):
        counts[category]["buried"] += 1
        counts[category]["windows"] += alone.drop is not None
        counts[category]["both"] += read.drop is not None
        counts[category]["by_passage"] += read.drop is not None and read.drop.reader == "passage"
    return [
        [category, c["buried"], c["windows"], round(c["windows"] / c["buried"], 4), c["both"],
         round(c["both"] / c["buried"], 4), c["by_passage"]]
        for category, c in sorted(counts.items())
    ]
