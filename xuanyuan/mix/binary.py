"""Token shares in the binary data: the tokenize stage's per-phase stats, checked against the plan.

The tokenize stage writes, per phase, a stats JSON (`xuanyuan.tokdata.stats.TokenStats.as_dict`:
``docs``, ``tokens``, ``chars`` and groups ``by_lang``, ``by_domain``, ``by_source``, ... of
``{docs, tokens, chars, ...}``). Those are the numbers of the ``.bin`` files the model trains on,
counted by another stage with its own code: the end-to-end test of the mix.

Every phase's documents and characters, in total and per lang, domain and source, must be the
plan's; for a token plan its tokens too (the plan counted ids + EOS with the same encoder).
Anything else is a MixMismatch: a bug, a tokenizer that changed after the histograms were made,
or a tokenize stage that adds tokens the plan does not know of (a BOS).
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from xuanyuan.mix.cells import attribute_totals
from xuanyuan.mix.errors import MixMismatch
from xuanyuan.mix.measure import TOKENS
from xuanyuan.mix.plan import Plan
from xuanyuan.mix.shares import ShareRow, share_layout
from xuanyuan.shards import read_json

# Attributes the tokenize stats group by (they have no kind) -> their group in the stats.
GROUPS = {"lang": "by_lang", "domain": "by_domain", "source": "by_source"}
MAX_LISTED_MISMATCHES = 20


def read_binary_stats(
    plan: Plan, token_stats_by_phase: Mapping[str, str | os.PathLike[str]]
) -> dict[str, dict[str, Any]]:
    """phase -> the tokenize stage's stats of that phase, one file per phase."""
    if set(token_stats_by_phase) != set(plan.phase_names):
        raise ValueError(
            f"token_stats_by_phase must have one entry per phase {plan.phase_names}, got {sorted(token_stats_by_phase)}"
        )
    out = {}
    for name in plan.phase_names:
        stats = read_json(token_stats_by_phase[name])
        missing = [key for key in ("docs", "tokens", "chars", *GROUPS.values()) if key not in stats]
        if missing:
            raise ValueError(f"{token_stats_by_phase[name]}: not tokenize stats (no {', '.join(missing)})")
        out[name] = stats
    return out


def check_binary(plan: Plan, binary: Mapping[str, Mapping[str, Any]]) -> None:
    """MixMismatch unless the binary data holds what the plan put in each phase (module docstring)."""
    fields = ("docs", "chars", TOKENS) if plan.unit == TOKENS else ("docs", "chars")
    planned = {"docs": plan.docs, "chars": plan.chars, TOKENS: plan.amounts}
    problems = []
    for p, name in enumerate(plan.phase_names):
        stats = binary[name]
        for field in fields:
            want = int(planned[field][:, p].sum())
            if int(stats[field]) != want:
                problems.append(f"{name}: {int(stats[field]):,} {field} in the binary data, planned {want:,}")
            for attribute, group in GROUPS.items():
                plan_totals = attribute_totals(plan.cells, planned[field][:, p].tolist(), attribute)
                got = {value: int(cell[field]) for value, cell in stats[group].items()}
                for value in sorted(set(plan_totals) | set(got)):
                    if got.get(value, 0) != int(plan_totals.get(value, 0)):
                        problems.append(
                            f"{name} {attribute} {value}: {got.get(value, 0):,} {field} in the binary data, "
                            f"planned {int(plan_totals.get(value, 0)):,}"
                        )
    if problems:
        shown = problems[:MAX_LISTED_MISMATCHES]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise MixMismatch(
            "the tokenized (.bin) data holds other amounts than the mix plan computed (a bug; or the tokenizer "
            "changed after the mix histograms were made, or the tokenize stage adds a BOS the plan does not count: "
            "rerun the mix stage):\n  " + "\n  ".join(shown) + more
        )


def binary_share_rows(plan: Plan, binary: Mapping[str, Mapping[str, Any]]) -> list[tuple[ShareRow, float, float]]:
    """Per phase, attribute (lang, domain, source) and value: (row, the plan's share, the binary token share)."""
    rows = []
    for p, name in enumerate(plan.phase_names):
        stats = binary[name]
        planned = {a: attribute_totals(plan.cells, plan.amounts[:, p].tolist(), a) for a in GROUPS}
        tokens = {a: {value: cell["tokens"] for value, cell in stats[group].items()} for a, group in GROUPS.items()}
        values_of = {a: set(planned[a]) | set(tokens[a]) for a in GROUPS}
        for row in share_layout(plan, p, values_of, tuple(GROUPS)):
            rows.append((row, row.share(planned[row.attribute]), row.share(tokens[row.attribute])))
    return rows
