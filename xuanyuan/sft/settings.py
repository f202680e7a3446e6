"""SFT settings from the validated `sft` config section (defaults in config/schema.yaml).

Two stages, as in the recipe: stage 1 on a large open multilingual mix (shares by language or
source), stage 2 on the in-house set (domain shares, general:finance = 4:1, times category shares
within each domain). `files: null` uses the instruction sets the pipeline generates itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from xuanyuan.errors import UserError
from xuanyuan.train.job import SFT_STAGE_KEYS
from xuanyuan.sft.ingest import InstructionFile

SFT_STAGES = ("sft1", "sft2")
GENERATED_SETS = {"sft1": "open", "sft2": "inhouse"}


@dataclass(frozen=True)
class GeneratedSettings:
    """The default run's own instruction sets (xuanyuan/corpus/instructions.py), one per stage."""

    per_cell: dict[str, int] = field(default_factory=lambda: {"open": 30, "inhouse": 20})
    multi_turn_share: float = 0.3
    seed: int = 0


@dataclass(frozen=True)
class StageData:
    """Where one stage's conversations come from and how they are mixed."""

    files: tuple[InstructionFile, ...] | None
    """None = the generated set of this stage."""
    mix_by: str
    """sft1: lang | source (one level); sft2: cell (domain/category, two levels)."""
    shares: dict[str, float] | None
    """sft1: shares per mix_by value (None = everything as ingested); sft2: flat cell shares."""
    total: int | None
    """conversations to draw; None = the largest mix that needs no repeats."""
    upsample: bool


@dataclass(frozen=True)
class SftSettings:
    stages: dict[str, StageData]
    generated: GeneratedSettings
    max_length: int | None
    """tokens per conversation; None = the stage's seq_length + 1 (what fits one packed row)."""
    overflow: str
    system: str | None
    seed: int


def _files(entries: list[Mapping[str, Any]] | None) -> tuple[InstructionFile, ...] | None:
    if entries is None:
        return None
    return tuple(
        InstructionFile(Path(entry["path"]), entry.get("source") or Path(entry["path"]).stem,
                        domain=entry.get("domain"), category=entry.get("category"), lang=entry.get("lang"))
        for entry in entries
    )


def check_max_length(max_length: int | None, stage: str, seq_length: int) -> None:
    """A UserError naming the keys when sft.max_length is longer than one packed row of the stage holds."""
    if max_length is not None and max_length > seq_length + 1:
        key = SFT_STAGE_KEYS[stage]
        raise UserError(
            f"sft.max_length: {max_length} tokens per conversation, but stage {stage} packs rows of "
            f"sft.{key}.train.seq_length={seq_length} positions, which hold at most {seq_length + 1} tokens; "
            f"set sft.max_length to at most {seq_length + 1}, or null (the stage's seq_length + 1)")


def sft_settings(section: Mapping[str, Any]) -> SftSettings:
    """Settings from the `sft` section as validated (every key present, schema defaults filled)."""
    from xuanyuan.sft.mixture import stage2_shares

    first, second = section["stage1"], section["stage2"]
    for stage, key in (("sft1", "stage1"), ("sft2", "stage2")):
        seq_length = (section[key].get("train") or {}).get("seq_length")
        if seq_length is not None:
            check_max_length(section.get("max_length"), stage, seq_length)
    stages = {
        "sft1": StageData(files=_files(first["files"]), mix_by=first["mix_by"],
                          shares=dict(first["shares"]) if first["shares"] is not None else None,
                          total=first["total"], upsample=first["upsample"]),
        "sft2": StageData(files=_files(second["files"]), mix_by="cell",
                          shares=stage2_shares(second["domains"], second["categories"]),
                          total=second["total"], upsample=second["upsample"]),
    }
    generated = section["generated"]
    return SftSettings(
        stages=stages,
        generated=GeneratedSettings(per_cell=dict(generated["per_cell"]), multi_turn_share=generated["multi_turn_share"],
                                    seed=generated["seed"]),
        max_length=section["max_length"], overflow=section["overflow"], system=section["system"], seed=section["seed"],
    )
