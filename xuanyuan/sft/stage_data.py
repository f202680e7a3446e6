"""One SFT stage's training rows: ingest -> tokenize (answer-only labels) -> mix -> pack -> write.

What the `sft_data` rule calls. Conversations that can't fit `max_length` are dropped before the
mix, so the target shares are met on data that is trained (long finance records dropped after the
mix would leave the stage short of finance while the report said 4:1). Everything that does not
become a trained conversation is accounted for in the stage's ledger (bad records, exact repeats,
over-long conversations), and the stats file holds the counts, the target vs trained shares and
the padding saved by packing, for results/sft.md.

Memory: a stage may be ~10M conversations (billions of tokens), so nothing holds the whole stage
as Python objects. Records are read in chunks and tokenized as they are read (`tokenize_stage`);
only the compact `TokenStore` (~3 bytes per token, see store.py) and per-conversation numbers stay.
The mix draws store indices, the packer plans from lengths, and rows are written a block at a time
(`write_stage_rows`). The rows are those an all-in-memory build gives, bit for bit
(tests/sft/test_stage_streaming.py); bench/sft_data_memory.py measures the difference.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from xuanyuan.errors import UserError
from xuanyuan.sft.conversation import Conversation
from xuanyuan.sft.ingest import IngestResult, InstructionFile, iter_conversations
from xuanyuan.sft.masking import TokenizeReport, tokenize_conversation
from xuanyuan.sft.mixture import MixResult, cell_of, mix
from xuanyuan.sft.packing import plan_rows
from xuanyuan.sft.rows import write_stage_rows
from xuanyuan.sft.segments import SegmentEncoder
from xuanyuan.sft.settings import SftSettings, check_max_length
from xuanyuan.sft.store import StoreViews, TokenStore
from xuanyuan.shards import write_json

log = logging.getLogger(__name__)

MIX_KEYS = {
    "lang": lambda c: c.lang or "unlabelled",
    "source": lambda c: c.source,
    "cell": cell_of,
}
SHARE_TOLERANCE = 0.01
"""Trained share vs target (absolute) beyond which the stage warns and records both."""


def _config_key(stage: str) -> str:
    return "stage1" if stage == "sft1" else "stage2"


def share_level(mix_by: str) -> tuple[str, Callable[[str], str]]:
    """The level shares are reported at, and the map from a mix key to it: domains for stage 2's cells."""
    if mix_by == "cell":
        return "domain", lambda cell: cell.split("/")[0]
    return mix_by, lambda key: key


def with_system(conversation: Conversation, system: str | None) -> Conversation:
    """The conversation with `system` when it has no system message of its own (None keeps the released one)."""
    if system is None or conversation.system is not None:
        return conversation
    return dataclasses.replace(conversation, system=system)


def tokenize_stage(conversations: Iterable[Conversation], encoder: SegmentEncoder, *, key: Callable[[Conversation], str],
                   system: str | None, max_length: int, overflow: str) -> tuple[TokenStore, TokenizeReport]:
    """Every conversation tokenized as it arrives into a compact store (one entry each, in input order; those
    that can't be trained at max_length without tokens), and the report of every drop and truncation."""
    store = TokenStore(encoder.vocab_size)
    report = TokenizeReport()
    for conversation in conversations:
        conversation = with_system(conversation, system)
        tokenized, overflowed = tokenize_conversation(conversation, encoder, max_length=max_length, overflow=overflow)
        report.add(tokenized, overflowed)
        store.add(tokenized, key(conversation))
    return store, report


def pools_of(views: StoreViews) -> dict[str, list[int]]:
    """Store indices of the conversations that fit, per mix key, in input order (keys by first appearance)."""
    fitting = np.flatnonzero(views.fits)
    keys = views.keys[fitting]
    codes, first = np.unique(keys, return_index=True)
    return {views.key_names[int(code)]: fitting[keys == code].tolist() for code in codes[np.argsort(first)]}


def mix_stage(views: StoreViews, stage: str, settings: SftSettings) -> MixResult[int]:
    """The stage's mix of store indices that fit; with no shares (stage 1's `shares: null`) every one once, shuffled."""
    data = settings.stages[stage]
    pools = pools_of(views)
    shares = data.shares
    if shares is None:
        shares = {cell: len(items) for cell, items in pools.items()}
    return mix(pools, shares, total=data.total, seed=settings.seed, upsample=data.upsample, what=f"sft {stage} mix")


def require_conversations(ingested: IngestResult, stage: str) -> None:
    """A UserError listing every file, its records and why they were ledgered, when nothing usable was read
    (otherwise the mix fails later with "at least one share must be positive; got {}")."""
    if ingested.kept:
        return
    files = "; ".join(ingested.by_file()) or "no file given"
    raise UserError(f"sft {stage}: no usable conversation in the instruction files ({files}); fix the files, or "
                    f"list others under sft.{_config_key(stage)}.files (formats: docs/sft.md)")


def require_fitting(fitting: int, report: TokenizeReport, stage: str, max_length: int) -> None:
    """A UserError when every conversation is longer than max_length (the mix would have nothing to draw from)."""
    if fitting:
        return
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(report.counts()["dropped_by_reason"].items()))
    raise UserError(f"sft {stage}: all {report.conversations} conversations are longer than max_length={max_length} "
                    f"tokens ({reasons}); raise sft.max_length (null: the stage's seq_length + 1) or "
                    f"sft.{_config_key(stage)}.train.seq_length, or use shorter conversations")


def trained_shares(counts: Mapping[str, int], mixed: MixResult, mix_by: str, stage: str = "sft") -> dict[str, Any]:
    """Target vs trained shares at the report's level (domain for stage 2); off-target levels warned about.

    `counts` are the conversations of the packed rows per mix key, so the shares are those of what the
    model sees, whatever happened between the mix and the rows.
    """
    level, to_level = share_level(mix_by)
    target: Counter[str] = Counter()
    for row in mixed.rows:
        target[to_level(row["cell"])] += row["target_share"]
    by_level: Counter[str] = Counter()
    for key, n in counts.items():
        by_level[to_level(key)] += n
    total = sum(by_level.values())
    trained_share = {key: round(by_level[key] / total, 6) if total else 0.0
                     for key in sorted(set(target) | set(by_level))}
    target_share = {key: round(target[key], 6) for key in trained_share}
    off = {key: {"target": target_share[key], "trained": share} for key, share in trained_share.items()
           if abs(share - target_share[key]) > SHARE_TOLERANCE}
    if off:
        log.warning("%s: trained %s shares are off target by more than %s: %s", stage, level, SHARE_TOLERANCE,
                    ", ".join(f"{k} {v['trained']:.3f} (target {v['target']:.3f})" for k, v in off.items()))
    return {"level": level, "target": target_share, "trained": trained_share,
            "trained_counts": dict(sorted(by_level.items())), "off_target": off}


def key_counts(views: StoreViews, indices: np.ndarray) -> Counter[str]:
    """Conversations per mix key among store `indices` (zero counts left out, as Counter arithmetic does)."""
    counts = np.bincount(views.keys[indices], minlength=len(views.key_names)) if len(indices) else []
    return Counter({views.key_names[code]: int(n) for code, n in enumerate(counts) if n})


def _ledger(path: str, stage: str, ingested: IngestResult, report: TokenizeReport, max_length: int) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as ledger:
        for entry in ingested.ledger:
            ledger.write(json.dumps({"stage": stage, "step": "ingest", **entry.to_record()}, ensure_ascii=False) + "\n")
        for overflowed in report.overflowed:
            ledger.write(json.dumps({"stage": stage, "step": "tokenize", "max_length": max_length,
                                     **overflowed.to_record()}, ensure_ascii=False) + "\n")


def build_stage_rows(files: Sequence[InstructionFile], stage: str, settings: SftSettings, *, tokenizer_dir: str,
                     seq_length: int, out_dir: str, ledger_path: str, stats_path: str) -> dict[str, Any]:
    """Write the stage's packed rows to `out_dir`, its ledger and its stats; returns the stats."""
    check_max_length(settings.max_length, stage, seq_length)
    missing = [str(f.path) for f in files if not Path(f.path).is_file()]
    if missing:
        raise UserError(f"sft {stage}: instruction file(s) not found: {', '.join(missing)}; fix sft.{_config_key(stage)}.files")
    data = settings.stages[stage]
    encoder = SegmentEncoder(tokenizer_dir)
    max_length = settings.max_length or seq_length + 1
    ingested = IngestResult()
    store, report = tokenize_stage(iter_conversations(files, ingested), encoder, key=MIX_KEYS[data.mix_by],
                                   system=settings.system, max_length=max_length, overflow=settings.overflow)
    ingested.check()
    require_conversations(ingested, stage)
    views = store.views()
    require_fitting(int(views.fits.sum()), report, stage, max_length)
    mixed = mix_stage(views, stage, settings)
    order = np.asarray(mixed.items, dtype=np.int64)
    plan = plan_rows(views.lengths(order) - 1, seq_length)
    packing = write_stage_rows(views, order, plan, seq_length, encoder.pad_id, out_dir, ingested.ids.__getitem__)
    _ledger(ledger_path, stage, ingested, report, max_length)

    trained = order[np.fromiter((i for row in plan for i in row), dtype=np.int64, count=len(order))]
    shares = trained_shares(key_counts(views, trained), mixed, data.mix_by, stage)
    too_long = key_counts(views, np.flatnonzero(~views.fits))
    stats = {
        "stage": stage,
        "files": [str(f.path) for f in files],
        "ingest": ingested.counts,
        # Every ingested conversation, before the mix: the ones that can't fit are not mixed.
        "tokenize": {"max_length": max_length, "overflow": settings.overflow, **report.counts()},
        "mix": {"by": data.mix_by,
                # pool: conversations that fit max_length; too_long: the cell's conversations dropped before the mix
                "rows": [{**row, "too_long": too_long.get(row["cell"], 0)} for row in mixed.rows],
                "taken": len(mixed.items),
                "shares": shares,
                # the trained shares per domain (stage 2), kept under the name the report and tests read
                "realised_by_domain": shares["trained"] if shares["level"] == "domain" else None},
        "trained": {"conversations": len(trained), "tokens": int(views.lengths(order).sum()),
                    "learned_tokens": int(views.learned[order].sum())},
        "packing": packing.to_record(),
    }
    write_json(stats_path, stats)
    return stats


def summary_line(stats: dict[str, Any]) -> str:
    """The stage's log line: files, records, what was ledgered and dropped, trained shares, rows."""
    ingest_counts, tok, pack, shares = stats["ingest"], stats["tokenize"], stats["packing"], stats["mix"]["shares"]
    ledgered = ingest_counts["records"] - ingest_counts["kept"]
    reasons = ", ".join(f"{r} {n}" for r, n in ingest_counts["by_reason"].items()) or "none"
    dropped = ", ".join(f"{r} {n}" for r, n in tok["dropped_by_reason"].items()) or "none"
    trained = ", ".join(f"{k} {v:.3f}" for k, v in shares["trained"].items())
    off = " OFF TARGET" if shares["off_target"] else ""
    return (f"{stats['stage']}: {ingest_counts['files']} files read (none unreadable), {ingest_counts['records']} records: "
            f"{ingest_counts['kept']} kept, {ledgered} ledgered ({reasons}); {tok['dropped']} too long for max_length "
            f"{tok['max_length']} ({dropped}), {tok['truncated']} truncated; {stats['trained']['conversations']} trained, "
            f"{shares['level']} shares {trained}{off}; {pack['rows']} rows (fill {pack['fill']:.3f})")


def generated_files(directory: str | Path) -> list[InstructionFile]:
    """The generated set's three files (labels come from the records themselves)."""
    from xuanyuan.corpus.instructions import ALPACA_FILE, QA_FILE, SHAREGPT_FILE

    directory = Path(directory)
    return [InstructionFile(directory / name, f"generated_{Path(name).stem.split('_')[-1]}")
            for name in (ALPACA_FILE, SHAREGPT_FILE, QA_FILE)]
