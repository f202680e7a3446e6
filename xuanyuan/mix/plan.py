"""The mix plan: which part of every cell's document stream goes to which phase, known exactly.

The plan works in one *unit*, the phases' (``tokens`` or ``chars``, phases.py): budgets, target
shares, epochs, rounding and the repetition cap all count it. `make_plan` sums the shard
histograms (which must be in that unit), rakes each phase's cell weights to its target shares
(raking.py), turns them into target amounts per cell, and cuts each cell's unrolled stream
(stream.py) at bucket boundaries next to the cumulative targets (rounding.py): phase 1 takes the
first n_1 tokens, phase 2 the next n_2, and so on, wrapping around into copy 1, 2, ... when a cell
is repeated. Because buckets are atomic, the tokens (or characters), characters and documents
each phase gets from each cell are known here, before any document is written; the apply jobs
must reproduce them.

Files (`write_plan`); ``<unit>`` below is ``tokens`` or ``chars``:

- JSON (for people and the report): ``format``, ``unit``, ``seed``, ``bits``, ``max_epochs``,
  ``source_weights``; ``phases``: list of ``{name, <unit>, shares, planned_<unit>, planned_chars,
  planned_docs, raking: {rounds, deviation, constraints: [{attribute, listed, rest, rest_values}]},
  planned_shares: {attribute: {value: share of <unit>}}, planned_char_shares}``; ``cells``: list of
  ``{source, lang, domain, kind, <unit>, chars, docs, epochs, phases: [{target_<unit>, <unit>,
  chars, docs, epochs}]}`` (phases in order). With unit ``chars`` the ``chars`` keys are one.
- npz (for the apply jobs): ``format``, ``unit``, ``seed``, ``bits``, ``phases`` [P] names,
  ``cells`` [n, 4], ``bounds`` int64 [n, P + 1]: phase p of cell i is the stream interval
  ``[bounds[i, p], bounds[i, p + 1])`` in bucket-boundary positions (stream.py).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from xuanyuan.mix.cells import ATTRIBUTES, Cell, attribute_totals, cell_array
from xuanyuan.mix.errors import MixError
from xuanyuan.mix.histogram import sum_histograms
from xuanyuan.mix.measure import check_unit
from xuanyuan.mix.npz import save_npz
from xuanyuan.mix.phases import checked_phases
from xuanyuan.mix.raking import constraints_for, group_index, rake
from xuanyuan.mix.rounding import cut_streams
from xuanyuan.mix.stream import amount_before, prefix_sums
from xuanyuan.shards import read_json, write_json

PLAN_FORMAT = "xuanyuan.mix.plan/2"
EPOCH_SLACK = 1e-9  # relative float noise allowed above mix.max_epochs


@dataclass
class Plan:
    """Everything the apply jobs and the report need; arrays are [cells] or [cells, phases].

    `amounts`, `cell_amounts` and `target` count the plan's `unit`; `chars` and `docs` are
    kept in every unit (with unit chars, `amounts` equals `chars`).
    """

    seed: int
    bits: int
    unit: str  # "tokens" or "chars"
    max_epochs: float
    source_weights: dict[str, float]
    phases: list[dict[str, Any]]  # {name, <unit>, shares} as configured
    raking: list[dict[str, Any]]  # per phase: {rounds, deviation, constraints}
    cells: list[Cell]
    cell_amounts: np.ndarray  # int64 [n], in unit
    cell_chars: np.ndarray  # int64 [n]
    cell_docs: np.ndarray  # int64 [n]
    target: np.ndarray  # float64 [n, P], in unit
    amounts: np.ndarray  # int64 [n, P], in unit: what each phase takes from each cell
    chars: np.ndarray  # int64 [n, P], characters behind `amounts`
    docs: np.ndarray  # int64 [n, P], documents (copies included) behind `amounts`
    bounds: np.ndarray  # int64 [n, P + 1], stream positions

    @property
    def phase_names(self) -> list[str]:
        return [phase["name"] for phase in self.phases]

    @property
    def budgets(self) -> list[int]:
        """Each phase's configured budget, in unit."""
        return [phase[self.unit] for phase in self.phases]

    @property
    def n_buckets(self) -> int:
        return 1 << self.bits

    def epochs(self) -> np.ndarray:
        """[n, P] amount taken per phase / the cell's amount, in unit (0 for empty cells)."""
        return _ratio(self.amounts, self.cell_amounts[:, None])

    def total_epochs(self) -> np.ndarray:
        return _ratio(self.amounts.sum(axis=1), self.cell_amounts)

    def planned_shares(self, phase: int, attribute: str) -> dict[str, float]:
        """Realised share (of the unit) of each value of `attribute` in phase number `phase`."""
        return _shares(attribute_totals(self.cells, self.amounts[:, phase].tolist(), attribute))

    def planned_char_shares(self, phase: int, attribute: str) -> dict[str, float]:
        """Realised character share of each value of `attribute` in phase number `phase`."""
        return _shares(attribute_totals(self.cells, self.chars[:, phase].tolist(), attribute))


def make_plan(
    histogram_paths: Sequence[str | os.PathLike[str]],
    *,
    phases: Sequence[Mapping[str, Any]],
    max_epochs: float,
    source_weights: Mapping[str, float] | None,
    seed: int,
    bits: int,
) -> Plan:
    """Plan all phases, in their unit, from the shard histograms; a MixError when the config cannot be met."""
    phases, unit = checked_phases(phases)
    if not max_epochs > 0:
        raise MixError(f"mix.max_epochs is {max_epochs!r}; it must be above 0")
    totals = sum_histograms(histogram_paths, seed=seed, bits=bits, unit=unit)
    if not totals:
        raise MixError(f"the {len(histogram_paths)} mix histograms hold no document; nothing reached the mix stage")
    cells = list(totals)
    prefix = [prefix_sums(total.amounts) for total in totals.values()]
    char_prefix = [prefix_sums(total.chars) for total in totals.values()]
    doc_prefix = [prefix_sums(total.docs) for total in totals.values()]
    cell_amounts, cell_chars, cell_docs = (
        np.array([int(p[-1]) for p in prefixes], dtype=np.int64) for prefixes in (prefix, char_prefix, doc_prefix)
    )
    weights = _checked_source_weights(source_weights or {}, cells)
    prior = cell_amounts * np.array([weights.get(cell.source, 1.0) for cell in cells])
    budgets = [phase[unit] for phase in phases]

    target = np.zeros((len(cells), len(phases)))
    raking, groups = [], []
    for p, phase in enumerate(phases):
        constraints = constraints_for(phase["name"], phase["shares"], cells, prior)
        fit = rake(cells, prior, constraints, phase=phase["name"])
        groups.append([group_index(cells, constraint) for constraint in constraints])
        target[:, p] = budgets[p] * fit.weights
        raking.append({
            "rounds": fit.rounds,
            "deviation": fit.deviation,
            "constraints": [
                {"attribute": c.attribute, "listed": dict(c.listed), "rest": c.rest, "rest_values": list(c.rest_values)}
                for c in constraints
            ],
        })
    _check_repetition(phases, unit, cells, cell_amounts, target, max_epochs)

    bounds = cut_streams(prefix, target, groups, budgets, max_epochs)
    return Plan(
        seed=seed,
        bits=bits,
        unit=unit,
        max_epochs=max_epochs,
        source_weights=dict(sorted(weights.items())),
        phases=phases,
        raking=raking,
        cells=cells,
        cell_amounts=cell_amounts,
        cell_chars=cell_chars,
        cell_docs=cell_docs,
        target=target,
        amounts=_amounts(prefix, bounds),
        chars=_amounts(char_prefix, bounds),
        docs=_amounts(doc_prefix, bounds),
        bounds=bounds,
    )


def write_plan(plan: Plan, json_path: str | os.PathLike[str], npz_path: str | os.PathLike[str]) -> None:
    """Save the plan: JSON for people and the report, npz for the apply jobs (module docstring)."""
    unit = plan.unit
    epochs = plan.epochs()
    total_epochs = plan.total_epochs()
    summary = {
        "format": PLAN_FORMAT,
        "unit": unit,
        "seed": plan.seed,
        "bits": plan.bits,
        "max_epochs": plan.max_epochs,
        "source_weights": plan.source_weights,
        "phases": [
            {
                **phase,
                f"planned_{unit}": int(plan.amounts[:, p].sum()),
                "planned_chars": int(plan.chars[:, p].sum()),
                "planned_docs": int(plan.docs[:, p].sum()),
                "raking": plan.raking[p],
                "planned_shares": {attribute: plan.planned_shares(p, attribute) for attribute in ATTRIBUTES},
                "planned_char_shares": {attribute: plan.planned_char_shares(p, attribute) for attribute in ATTRIBUTES},
            }
            for p, phase in enumerate(plan.phases)
        ],
        "cells": [
            {
                **cell._asdict(),
                unit: int(plan.cell_amounts[i]),
                "chars": int(plan.cell_chars[i]),
                "docs": int(plan.cell_docs[i]),
                "epochs": float(total_epochs[i]),
                "phases": [
                    {
                        f"target_{unit}": float(plan.target[i, p]),
                        unit: int(plan.amounts[i, p]),
                        "chars": int(plan.chars[i, p]),
                        "docs": int(plan.docs[i, p]),
                        "epochs": float(epochs[i, p]),
                    }
                    for p in range(len(plan.phases))
                ],
            }
            for i, cell in enumerate(plan.cells)
        ],
    }
    write_json(json_path, summary)
    save_npz(
        npz_path,
        format=np.array(PLAN_FORMAT),
        unit=np.array(unit),
        seed=np.int64(plan.seed),
        bits=np.int64(plan.bits),
        phases=np.array(plan.phase_names, dtype=str),
        cells=cell_array(plan.cells),
        bounds=plan.bounds,
    )


def read_plan(json_path: str | os.PathLike[str], npz_path: str | os.PathLike[str]) -> Plan:
    """Load a plan written by `write_plan`; the two files must belong together."""
    summary = read_json(json_path)
    if summary.get("format") != PLAN_FORMAT:
        raise MixError(f"{json_path} is not a mix plan ({PLAN_FORMAT}); rerun the mix plan job")
    unit = check_unit(summary["unit"], str(json_path))
    with np.load(npz_path, allow_pickle=False) as data:
        if "format" not in data or str(data["format"]) != PLAN_FORMAT:
            raise MixError(f"{npz_path} is not a mix plan ({PLAN_FORMAT}); rerun the mix plan job")
        cells = [Cell(*row) for row in data["cells"].tolist()]
        bounds = data["bounds"].astype(np.int64)
        same = (
            cells == [Cell(*(entry[a] for a in ATTRIBUTES)) for entry in summary["cells"]]
            and data["phases"].tolist() == [phase["name"] for phase in summary["phases"]]
            and (str(data["unit"]), int(data["seed"]), int(data["bits"])) == (unit, summary["seed"], summary["bits"])
        )
    if not same:
        raise MixError(f"{json_path} and {npz_path} come from different mix plans; rerun the mix plan job")
    entries = summary["cells"]

    def per_phase(key: str, dtype) -> np.ndarray:
        return np.array([[phase[key] for phase in entry["phases"]] for entry in entries], dtype=dtype).reshape(
            len(entries), len(summary["phases"])
        )

    def per_cell(key: str) -> np.ndarray:
        return np.array([entry[key] for entry in entries], dtype=np.int64)

    configured = ("name", unit, "shares")  # the rest of a phase entry is derived by make_plan
    return Plan(
        seed=summary["seed"],
        bits=summary["bits"],
        unit=unit,
        max_epochs=summary["max_epochs"],
        source_weights=summary["source_weights"],
        phases=[{key: phase[key] for key in configured} for phase in summary["phases"]],
        raking=[phase["raking"] for phase in summary["phases"]],
        cells=cells,
        cell_amounts=per_cell(unit),
        cell_chars=per_cell("chars"),
        cell_docs=per_cell("docs"),
        target=per_phase(f"target_{unit}", np.float64),
        amounts=per_phase(unit, np.int64),
        chars=per_phase("chars", np.int64),
        docs=per_phase("docs", np.int64),
        bounds=bounds,
    )


def _checked_source_weights(weights: Mapping[str, float], cells: Sequence[Cell]) -> dict[str, float]:
    sources = {cell.source for cell in cells}
    for source, weight in weights.items():
        if source not in sources:
            raise MixError(
                f"mix.source_weights names {source!r} but no document has source {source!r} "
                f"(sources: {', '.join(sorted(sources))}); fix the name or remove it"
            )
        if not weight > 0:
            raise MixError(f"mix.source_weights.{source} is {weight!r}; a weight must be above 0")
    return {source: float(weight) for source, weight in weights.items()}


def _check_repetition(phases, unit, cells, cell_amounts, target, max_epochs) -> None:
    """A MixError naming every cell that the phases would repeat more than max_epochs times."""
    needed = target.sum(axis=1)
    problems = []
    for i in np.flatnonzero(needed > max_epochs * cell_amounts * (1 + EPOCH_SLACK)):
        cell, have, need = cells[i], int(cell_amounts[i]), float(needed[i])
        cap = max_epochs * have
        per_phase = ", ".join(f"{phase['name']} {target[i, p]:,.0f}" for p, phase in enumerate(phases))
        problems.append(
            f"source {cell.source!r} ({cell.lang}/{cell.domain}/{cell.kind}) has {have:,} {unit} but the phases need "
            f"{need:,.0f} ({per_phase}), {need / have:.3g} epochs; at mix.max_epochs {max_epochs:g} it can give "
            f"{cap:,.0f}, {need - cap:,.0f} {unit} short. Lower those phases' {unit} or the shares that draw on it, "
            f"add at least {math.ceil(need / max_epochs - have):,} {unit} of such documents, "
            f"or raise mix.max_epochs to {math.ceil(100 * need / have) / 100:g}"
        )
    if problems:
        raise MixError(
            "the mix repeats some documents more often than mix.max_epochs allows:\n  " + "\n  ".join(problems)
        )


def _amounts(prefixes: Sequence[np.ndarray], bounds: np.ndarray) -> np.ndarray:
    """[n, P] amount between consecutive bounds of each cell."""
    before = np.array(
        [[amount_before(prefix, int(u)) for u in row] for prefix, row in zip(prefixes, bounds)], dtype=np.int64
    )
    return np.diff(before, axis=1)


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros(np.broadcast(part, whole).shape), where=whole > 0)


def _shares(totals: Mapping[str, float]) -> dict[str, float]:
    whole = sum(totals.values())
    return {value: (amount / whole if whole else 0.0) for value, amount in totals.items()}
