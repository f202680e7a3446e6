"""One SFT stage's training rows: ingest -> mix -> tokenize (answer-only labels) -> pack -> write.

What the `sft_data` rule calls. Everything that does not become a trained conversation is
accounted for in the stage's ledger (bad records, exact repeats, over-long conversations), and
the stats file holds the counts, the realised mix and the padding saved by packing, for
results/sft.md.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from xuanyuan.errors import UserError
from xuanyuan.sft.conversation import Conversation
from xuanyuan.sft.ingest import IngestResult, InstructionFile, ingest
from xuanyuan.sft.masking import tokenize_conversations
from xuanyuan.sft.mixture import MixResult, cell_of, group_by, mix
from xuanyuan.sft.packing import pack_conversations
from xuanyuan.sft.rows import write_rows
from xuanyuan.sft.segments import SegmentEncoder
from xuanyuan.sft.settings import SftSettings, check_max_length
from xuanyuan.shards import write_json

MIX_KEYS = {
    "lang": lambda c: c.lang or "unlabelled",
    "source": lambda c: c.source,
    "cell": cell_of,
}


def mix_stage(conversations: Sequence[Conversation], stage: str, settings: SftSettings) -> MixResult[Conversation]:
    """The stage's mix; with no shares (stage 1's `shares: null`) every conversation once, shuffled."""
    data = settings.stages[stage]
    pools = group_by(conversations, MIX_KEYS[data.mix_by])
    shares = data.shares
    if shares is None:
        shares = {key: len(items) for key, items in pools.items()}
    return mix(pools, shares, total=data.total, seed=settings.seed, upsample=data.upsample, what=f"sft {stage} mix")


def with_system(conversations: Sequence[Conversation], system: str | None) -> list[Conversation]:
    """Conversations without their own system message get `system` (None keeps the released one)."""
    if system is None:
        return list(conversations)
    return [c if c.system is not None else dataclasses.replace(c, system=system) for c in conversations]


def build_stage_rows(files: Sequence[InstructionFile], stage: str, settings: SftSettings, *, tokenizer_dir: str,
                     seq_length: int, out_dir: str, ledger_path: str, stats_path: str) -> dict[str, Any]:
    """Write the stage's packed rows to `out_dir`, its ledger and its stats; returns the stats."""
    check_max_length(settings.max_length, stage, seq_length)
    missing = [str(f.path) for f in files if not Path(f.path).is_file()]
    if missing:
        raise UserError(f"sft {stage}: instruction file(s) not found: {', '.join(missing)}; fix sft.{'stage1' if stage == 'sft1' else 'stage2'}.files")
    ingested: IngestResult = ingest(files)
    mixed = mix_stage(with_system(ingested.conversations, settings.system), stage, settings)
    encoder = SegmentEncoder(tokenizer_dir)
    max_length = settings.max_length or seq_length + 1
    tokenized, report = tokenize_conversations(mixed.items, encoder, max_length=max_length, overflow=settings.overflow)
    packed = pack_conversations(tokenized, seq_length, encoder.pad_id)
    write_rows(packed, out_dir, [c.id for c in tokenized])

    Path(ledger_path).parent.mkdir(parents=True, exist_ok=True)
    with open(ledger_path, "w", encoding="utf-8") as ledger:
        for entry in ingested.ledger:
            ledger.write(json.dumps({"stage": stage, "step": "ingest", **entry.to_record()}, ensure_ascii=False) + "\n")
        for overflowed in report.overflowed:
            ledger.write(json.dumps({"stage": stage, "step": "tokenize", "max_length": max_length,
                                     **overflowed.to_record()}, ensure_ascii=False) + "\n")

    trained = Counter()
    for conversation in mixed.items:
        trained[conversation.domain or "unlabelled"] += 1
    stats = {
        "stage": stage,
        "files": [str(f.path) for f in files],
        "ingest": ingested.counts,
        "mix": {"by": settings.stages[stage].mix_by, "rows": mixed.rows,
                "realised_by_domain": mixed.realised_shares(lambda cell: cell.split("/")[0]) if settings.stages[stage].mix_by == "cell" else None,
                "taken": len(mixed.items)},
        "tokenize": {"max_length": max_length, "overflow": settings.overflow, **report.counts()},
        "packing": packed.stats.to_record(),
    }
    write_json(stats_path, stats)
    return stats


def generated_files(directory: str | Path) -> list[InstructionFile]:
    """The generated set's three files (labels come from the records themselves)."""
    from xuanyuan.corpus.instructions import ALPACA_FILE, QA_FILE, SHAREGPT_FILE

    directory = Path(directory)
    return [InstructionFile(directory / name, f"generated_{Path(name).stem.split('_')[-1]}")
            for name in (ALPACA_FILE, SHAREGPT_FILE, QA_FILE)]
