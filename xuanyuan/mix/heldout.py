"""The documents the mix leaves out for evaluation, counted per cell so every one is accounted for.

The tokenizer stage holds out `tokenizer.heldout_fraction` of the documents by id hash
(xuanyuan.tokenizer.heldout); they feed its compression table and the perplexity table, and no
phase may train on them (cells.trainable_records). The apply job counts, per cell of its shard,
the documents and characters it read and those it held out, and writes them beside its phase
stats::

    {"format": "xuanyuan.mix.heldout/1", "input": <shard>, "heldout_fraction": f,
     "docs": n, "chars": n, "heldout_docs": n, "heldout_chars": n,
     "cells": [{"source", "lang", "domain", "kind", "docs", "chars", "heldout_docs", "heldout_chars"}, ...]}

`docs`/`chars` are everything the shard held (the quality stage's kept documents); the rest,
``docs - heldout_docs``, is what the plan divides among the phases. The mix report and the data
funnel read these files.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any, Iterable

from xuanyuan.mix.cells import ATTRIBUTES, Cell
from xuanyuan.mix.errors import MixMismatch
from xuanyuan.shards import read_json

HELDOUT_FORMAT = "xuanyuan.mix.heldout/1"
FIELDS = ("docs", "chars", "heldout_docs", "heldout_chars")


class HeldOutCount:
    """Per cell: documents and characters read, and those held out for evaluation."""

    def __init__(self) -> None:
        self.cells: dict[Cell, list[int]] = defaultdict(lambda: [0] * len(FIELDS))

    def add(self, cell: Cell, chars: int, held_out: bool) -> None:
        entry = self.cells[cell]
        entry[0] += 1
        entry[1] += chars
        if held_out:
            entry[2] += 1
            entry[3] += chars

    def stats(self, in_path: str | os.PathLike[str], heldout_fraction: float) -> dict[str, Any]:
        cells = [{**cell._asdict(), **dict(zip(FIELDS, counts))} for cell, counts in sorted(self.cells.items())]
        return {
            "format": HELDOUT_FORMAT,
            "input": str(in_path),
            "heldout_fraction": heldout_fraction,
            **{field: sum(entry[field] for entry in cells) for field in FIELDS},
            "cells": cells,
        }


def read_heldout(path: str | os.PathLike[str]) -> dict[str, Any]:
    """One apply job's held-out counts; another file is a MixMismatch naming it."""
    stats = read_json(path)
    if stats.get("format") != HELDOUT_FORMAT:
        raise MixMismatch(f"{path}: not the mix stage's held-out counts ({HELDOUT_FORMAT}); rerun the mix apply jobs")
    return stats


def heldout_totals(paths: Iterable[str | os.PathLike[str]]) -> tuple[dict[Cell, dict[str, int]], float | None]:
    """The held-out counts summed per cell (cells sorted), and the held-out fraction they were made with."""
    totals: dict[Cell, dict[str, int]] = {}
    fractions = set()
    for path in paths:
        stats = read_heldout(path)
        fractions.add(stats["heldout_fraction"])
        for entry in stats["cells"]:
            cell = Cell(*(entry[attribute] for attribute in ATTRIBUTES))
            total = totals.setdefault(cell, dict.fromkeys(FIELDS, 0))
            for field in FIELDS:
                total[field] += entry[field]
    if len(fractions) > 1:
        raise MixMismatch(
            f"the mix apply jobs held out different fractions {sorted(fractions)}; rerun them with one "
            "tokenizer.heldout_fraction"
        )
    return dict(sorted(totals.items())), next(iter(fractions), None)
