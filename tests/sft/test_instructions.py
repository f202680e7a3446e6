"""The project's own instruction sets: coverage, determinism, three formats, bad records ledgered."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from xuanyuan.corpus.instructions import (
    BAD_RECORDS,
    FINANCE_CATEGORIES,
    GENERAL_CATEGORIES,
    InstructionSettings,
    write_instruction_files,
)
from xuanyuan.sft import ingest_paths


def test_generated_sets_cover_every_cell_and_are_deterministic(tmp_path):
    settings = InstructionSettings(per_cell=4, multi_turn_share=0.3, seed=1)
    first = write_instruction_files(tmp_path / "a", settings)
    second = write_instruction_files(tmp_path / "b", settings)
    for a, b in zip(first["files"], second["files"]):
        assert Path(a).read_bytes() == Path(b).read_bytes()
    expected = {f"general/{c}/{lang}" for c in GENERAL_CATEGORIES for lang in ("zh", "en")}
    expected |= {f"finance/{c}/{lang}" for c in FINANCE_CATEGORIES for lang in ("zh", "en")}
    assert set(first["cells"]) == expected and set(first["cells"].values()) == {4}
    assert first["multi_turn"] > 0


def test_ingestion_reads_all_three_formats_and_ledgers_every_bad_record(tmp_path):
    manifest = write_instruction_files(tmp_path, InstructionSettings(per_cell=3, seed=0))
    result = ingest_paths(manifest["files"])
    counts = result.counts
    assert counts["kept"] == manifest["examples"]
    assert len(counts["kept_by_source"]) == 3 and counts["multi_turn"] == manifest["multi_turn"]
    bad = Counter((Path(e.file).name, e.reason) for e in result.ledger if e.id is None or not e.id.startswith("gen-"))
    assert bad == Counter(BAD_RECORDS)
    assert counts["records"] == counts["kept"] + counts["invalid"] + counts["duplicates"]
    labelled = Counter((c.domain, c.category, c.lang) for c in result.conversations)
    assert len(labelled) == (len(GENERAL_CATEGORIES) + len(FINANCE_CATEGORIES)) * 2
