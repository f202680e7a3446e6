"""Apply the plan to one shard: write each document's copies into the phases they fall in.

A document of bucket b in cell i has copy k at stream position ``k * 2**bits + b``; copy k goes to
phase p when that position lies in ``[bounds[i, p], bounds[i, p + 1])`` (plan.py, stream.py).
Each written record is the input record with ``meta["mix"] = {"phase": name, "copy": k}``.
Selection is by bucket only, so it does not depend on the plan's unit.

`mix_shard` (the apply job) reads its shard once per copy number, so that the copies of a
document end up a whole shard apart in the output instead of next to each other. Documents of
the tokenizer stage's held-out split go to no phase; given `heldout_path`, the job counts them
per cell there (heldout.py). Beside each output shard it writes a stats JSON::

    {"format": "xuanyuan.mix.stats/2", "input": <shard>, "phase": <name>, "unit": <plan unit>,
     "docs": n, "chars": n, "tokens": n,
     "cells": [{"source", "lang", "domain", "kind", "docs", "chars", "tokens"}, ...]}

(cells sorted, only those with something written; ``tokens`` only when a tokenizer is given,
which a token plan requires). The tokens are *measured* here, by re-tokenizing what is written
with the same encoder as the histogram jobs and the tokenize stage (measure.py), not copied from
the plan: the report then checks an independent count against the plan's, as it does for
documents and characters.
"""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping

from xuanyuan.mix.cells import Cell, bucket_of, cell_of, doc_id_and_text, trainable_records
from xuanyuan.mix.errors import MixError
from xuanyuan.mix.heldout import HeldOutCount
from xuanyuan.mix.measure import BATCH_DOCS, TOKENS, Measure, measure_for
from xuanyuan.mix.plan import Plan
from xuanyuan.mix.stream import copies_in
from xuanyuan.shards import ShardWriter, write_json

STATS_FORMAT = "xuanyuan.mix.stats/2"

Writer = Callable[[dict[str, Any]], None]


class _Tally:
    """Documents, characters and (when measured) tokens written per phase and cell."""

    def __init__(self, plan: Plan, count_tokens: bool):
        self.plan = plan
        self.fields = ("docs", "chars", "tokens") if count_tokens else ("docs", "chars")
        self.counts: dict[str, dict[Cell, list[int]]] = {
            name: defaultdict(lambda: [0] * len(self.fields)) for name in plan.phase_names
        }

    def add(self, phase: str, cell: Cell, chars: int, tokens: int | None) -> None:
        entry = self.counts[phase][cell]
        entry[0] += 1
        entry[1] += chars
        if tokens is not None:
            entry[2] += tokens

    def stats(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name in self.plan.phase_names:
            cells = [
                {**cell._asdict(), **dict(zip(self.fields, counts))}
                for cell, counts in sorted(self.counts[name].items())
            ]
            out[name] = {
                "format": STATS_FORMAT,
                "phase": name,
                "unit": self.plan.unit,
                **{field: sum(entry[field] for entry in cells) for field in self.fields},
                "cells": cells,
            }
        return out


def apply_plan(
    plan: Plan,
    docs: Iterable[dict[str, Any]],
    writers: Mapping[str, Writer],
    *,
    copy: int | None = None,
    tokenizer: str | os.PathLike[str] | Any | None = None,
    bos: bool = True,
) -> dict[str, dict[str, Any]]:
    """Write every copy (or only copy number `copy`) of `docs` that the plan puts in a phase.

    `writers` maps each phase name to a callable taking a record. `tokenizer` (directory or
    fast tokenizer) counts the tokens written, with a BOS per document when `bos` (tokenize.bos);
    a token plan needs it. Returns phase -> stats (the stats JSON of the module docstring,
    without "input").
    """
    measure = _token_measure(plan, tokenizer, bos)
    tally = _Tally(plan, measure is not None)
    _apply(plan, docs, writers, tally, copy, measure)
    return tally.stats()


def mix_shard(
    plan: Plan,
    in_path: str | os.PathLike[str],
    out_paths: Mapping[str, str | os.PathLike[str]],
    stats_paths: Mapping[str, str | os.PathLike[str]],
    *,
    tokenizer: str | os.PathLike[str] | Any | None = None,
    heldout_fraction: float = 0.0,
    heldout_path: str | os.PathLike[str] | None = None,
    bos: bool = True,
) -> dict[str, dict[str, Any]]:
    """The apply job: one input shard -> one output shard and one stats JSON per phase.

    Give `tokenizer` (the directory the tokenize stage uses) and `bos` (tokenize.bos) when
    ``plan.unit == "tokens"``, and the same `heldout_fraction` as the histogram jobs (held-out
    documents are left out of every phase); `heldout_path` gets the per-cell counts of what was
    read and held out (heldout.py).
    """
    _check_phase_keys(plan, out_paths, "out_paths")
    _check_phase_keys(plan, stats_paths, "stats_paths")
    measure = _token_measure(plan, tokenizer, bos)  # loaded once for all passes
    tally = _Tally(plan, measure is not None)
    with contextlib.ExitStack() as stack:
        writers = {name: stack.enter_context(ShardWriter(out_paths[name])).write for name in plan.phase_names}
        try:
            # Copy 0's pass learns how many copies this shard's documents reach at most.
            count = HeldOutCount()
            reach = _apply(plan, trainable_records(in_path, heldout_fraction, count), writers, tally, 0, measure)
            for copy in range(1, reach):
                _apply(plan, trainable_records(in_path, heldout_fraction), writers, tally, copy, measure)
        except MixError as exc:
            raise MixError(f"{in_path}: {exc}") from None
    written = {name: {**stats, "input": str(in_path)} for name, stats in tally.stats().items()}
    for name, stats in written.items():
        write_json(stats_paths[name], stats)
    if heldout_path is not None:
        write_json(heldout_path, count.stats(in_path, heldout_fraction))
    return written


def _token_measure(plan: Plan, tokenizer: Any, bos: bool) -> Measure | None:
    """The token measure when a tokenizer is given; a token plan without one is a wiring error."""
    if tokenizer is None:
        if plan.unit == TOKENS:
            raise ValueError("the mix plan is in tokens: pass the tokenizer so the apply job counts what it writes")
        return None
    return measure_for(tokenizer, bos=bos)


def _apply(
    plan: Plan,
    docs: Iterable[dict[str, Any]],
    writers: Mapping[str, Writer],
    tally: _Tally,
    copy: int | None,
    measure: Measure | None,
) -> int:
    """Write the selected copies; return how many copies the documents reach (highest copy + 1).

    Selected documents wait in a batch of BATCH_DOCS so the tokenizer (if any) encodes them
    together; each writer still gets its records in input order.
    """
    _check_phase_keys(plan, writers, "writers")
    index = {cell: i for i, cell in enumerate(plan.cells)}
    bounds = plan.bounds.tolist()  # Python ints: faster per document than numpy scalars
    names = plan.phase_names
    n_buckets = plan.n_buckets
    reach = 0
    pending: list[tuple[dict[str, Any], Cell, str, list[tuple[str, int]]]] = []

    def flush() -> None:
        texts = [text for _, _, text, _ in pending]
        tokens = measure(texts) if measure is not None else [None] * len(texts)
        for (doc, cell, text, picks), n_tokens in zip(pending, tokens):
            for name, k in picks:
                writers[name](_with_mix(doc, name, k))
                tally.add(name, cell, len(text), n_tokens)
        pending.clear()

    for doc in docs:
        doc_id, text = doc_id_and_text(doc)
        cell = cell_of(doc)
        i = index.get(cell)
        if i is None:
            raise MixError(
                f"document {doc_id!r} has source/lang/domain/kind {'/'.join(cell)}, which the mix plan does not "
                "know: the plan was made from other histograms than this shard's; rerun the mix histogram and plan jobs"
            )
        bucket = bucket_of(doc_id, seed=plan.seed, bits=plan.bits)
        row = bounds[i]
        picks = []
        for p, name in enumerate(names):
            copies = copies_in(bucket, row[p], row[p + 1], n_buckets)
            if copies:
                reach = max(reach, copies.stop)
            picks += [(name, k) for k in (copies if copy is None else (copy,) if copy in copies else ())]
        if picks:
            pending.append((doc, cell, text, picks))
            if len(pending) >= BATCH_DOCS:
                flush()
    flush()
    return reach


def _with_mix(doc: dict[str, Any], phase: str, copy: int) -> dict[str, Any]:
    """A copy of the record with meta.mix set; the input record is left as it was."""
    record = dict(doc)
    record["meta"] = {**(doc.get("meta") or {}), "mix": {"phase": phase, "copy": copy}}
    return record


def _check_phase_keys(plan: Plan, mapping: Mapping[str, Any], what: str) -> None:
    if set(mapping) != set(plan.phase_names):
        raise ValueError(f"{what} must have one entry per phase {plan.phase_names}, got {sorted(mapping)}")
