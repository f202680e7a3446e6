"""What the apply jobs wrote (their stats files), summed and checked against the plan.

The apply jobs count documents, characters and, for a token plan, tokens of what they really
wrote (apply.py). Before the report shows any of it, every phase and cell must match the plan
exactly; a difference is a MixMismatch (a bug, or shards that changed between plan and apply).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from xuanyuan.mix.apply import STATS_FORMAT
from xuanyuan.mix.cells import ATTRIBUTES, Cell
from xuanyuan.mix.errors import MixMismatch
from xuanyuan.mix.measure import TOKENS
from xuanyuan.mix.plan import Plan
from xuanyuan.shards import read_json

MAX_LISTED_MISMATCHES = 20  # enough to see a pattern without drowning the message


@dataclass(frozen=True)
class Written:
    """[cells, phases] totals over the apply jobs' stats; `amounts` in the plan's unit."""

    amounts: np.ndarray
    chars: np.ndarray
    docs: np.ndarray


def written_totals(plan: Plan, stats_paths_by_phase: Mapping[str, Sequence[str | os.PathLike[str]]]) -> Written:
    """Sum the apply jobs' stats files per cell and phase (tokens only for a token plan)."""
    if set(stats_paths_by_phase) != set(plan.phase_names):
        raise ValueError(
            f"stats_paths_by_phase must have one entry per phase {plan.phase_names}, got {sorted(stats_paths_by_phase)}"
        )
    index = {cell: i for i, cell in enumerate(plan.cells)}
    totals = {field: np.zeros(plan.docs.shape, dtype=np.int64) for field in ("docs", "chars", plan.unit)}
    for p, name in enumerate(plan.phase_names):
        for path in stats_paths_by_phase[name]:
            stats = read_json(path)
            if (stats.get("format"), stats.get("phase"), stats.get("unit")) != (STATS_FORMAT, name, plan.unit):
                raise MixMismatch(
                    f"{path}: not the mix stats of phase {name!r} in {plan.unit} (format {stats.get('format')!r}, "
                    f"phase {stats.get('phase')!r}, unit {stats.get('unit')!r}); rerun the mix apply jobs"
                )
            if plan.unit == TOKENS and TOKENS not in stats:
                raise MixMismatch(f"{path}: the plan is in tokens but these stats count none (no tokenizer given?)")
            for entry in stats["cells"]:
                cell = Cell(*(entry[attribute] for attribute in ATTRIBUTES))
                if cell not in index:
                    raise MixMismatch(f"{path}: cell {'/'.join(cell)} is not in the mix plan")
                for field, total in totals.items():
                    total[index[cell], p] += entry[field]
    return Written(amounts=totals[plan.unit], chars=totals["chars"], docs=totals["docs"])


def check_against_plan(plan: Plan, written: Written) -> None:
    """MixMismatch unless every phase got from every cell exactly what the plan said."""
    unit = plan.unit
    differs = (written.amounts != plan.amounts) | (written.chars != plan.chars) | (written.docs != plan.docs)
    problems = []
    for i, p in zip(*np.nonzero(differs)):
        said = [f"{written.docs[i, p]:,} docs", f"{written.chars[i, p]:,} chars"]
        planned = [f"{plan.docs[i, p]:,} docs", f"{plan.chars[i, p]:,} chars"]
        if unit == TOKENS:
            said.append(f"{written.amounts[i, p]:,} tokens")
            planned.append(f"{plan.amounts[i, p]:,} tokens")
        problems.append(
            f"{plan.phase_names[p]} {'/'.join(plan.cells[i])}: wrote {', '.join(said)}, planned {', '.join(planned)}"
        )
    if problems:
        shown = problems[:MAX_LISTED_MISMATCHES]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise MixMismatch(
            "the mix apply jobs wrote other amounts than the plan computed (a bug in xuanyuan.mix, shards that "
            "changed between plan and apply, or another tokenizer; rerun the mix stage from its histograms):\n  "
            + "\n  ".join(shown) + more
        )
