"""The streaming stage build gives the rows, stats and ledger of the all-in-memory build it replaced, bit for bit.

`reference_build` below is the old path kept as a small reference: every conversation held, two int
lists per tokenized conversation, a mix of (conversation, tokens) pairs, dense int64 rows
(`pack_conversations`). The stage now keeps ~3 bytes per token (store.py) and writes compact dtypes.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import numpy as np
import pytest

from tests.sft.test_stage_data import _long_finance, _settings
from xuanyuan.corpus.instructions import InstructionSettings, write_instruction_files
from xuanyuan.sft import SegmentEncoder, ingest, mix, pack_conversations, tokenize_conversation
from xuanyuan.sft.masking import IGNORE_INDEX
from xuanyuan.sft.mixture import group_by, stage2_shares
from xuanyuan.sft.rows import ARRAYS, SftRows
from xuanyuan.sft.settings import GeneratedSettings, SftSettings, StageData
from xuanyuan.sft.stage_data import MIX_KEYS, build_stage_rows, generated_files

SEQ = 256


def reference_build(files, stage, settings, encoder, seq_length):
    """The previous build_stage_rows, everything in memory: (packed rows, member ids, trained, tokenize report)."""
    conversations = ingest(files).conversations
    if settings.system is not None:
        conversations = [c if c.system is not None else dataclasses.replace(c, system=settings.system)
                         for c in conversations]
    max_length = settings.max_length or seq_length + 1
    fitting = []
    for conversation in conversations:
        tokenized, _ = tokenize_conversation(conversation, encoder, max_length=max_length, overflow=settings.overflow)
        if tokenized is not None:
            fitting.append((conversation, tokenized))
    data = settings.stages[stage]
    key = MIX_KEYS[data.mix_by]
    pools = group_by(fitting, lambda item: key(item[0]))
    shares = data.shares if data.shares is not None else {cell: len(items) for cell, items in pools.items()}
    mixed = mix(pools, shares, total=data.total, seed=settings.seed, upsample=data.upsample)
    packed = pack_conversations([t for _, t in mixed.items], seq_length, encoder.pad_id)
    members = [[mixed.items[i][1].id for i in row] for row in packed.members]
    trained = Counter(key(mixed.items[i][0]) for row in packed.members for i in row)
    return packed, members, trained, mixed


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("instructions_streaming")
    write_instruction_files(root, InstructionSettings(per_cell=4, seed=3))
    return root


def _upsampled() -> SftSettings:
    stage = StageData(files=None, mix_by="cell", shares=stage2_shares({"general": 4, "finance": 1},
                                                                      {"general": {"x": 1}, "finance": {"y": 1}}),
                      total=70, upsample=True)  # more than the pools hold: whole copies plus a sample
    return SftSettings(stages={"sft2": stage}, generated=GeneratedSettings(), max_length=None, overflow="truncate",
                       system="", seed=5)


CASES = {
    "sft1_lang": lambda g, t: (generated_files(g), "sft1", _settings()),
    "sft1_drop": lambda g, t: (generated_files(g), "sft1",
                               dataclasses.replace(_settings(system="", overflow="drop"), max_length=120)),
    "sft2_long_finance_upsampled": lambda g, t: (_long_finance(t), "sft2", _upsampled()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_streamed_rows_equal_the_in_memory_build(case, generated, tokenizer_dir, tmp_path):
    files, stage, settings = CASES[case](generated, tmp_path)
    stats = build_stage_rows(files, stage, settings, tokenizer_dir=str(tokenizer_dir), seq_length=SEQ,
                             out_dir=str(tmp_path / "rows"), ledger_path=str(tmp_path / "ledger.jsonl"),
                             stats_path=str(tmp_path / "stats.json"))
    packed, members, trained, mixed = reference_build(files, stage, settings, SegmentEncoder(str(tokenizer_dir)), SEQ)
    assert len(packed) > 1
    if case == "sft1_drop":
        assert 0 < stats["tokenize"]["dropped"] < stats["tokenize"]["conversations"]
    for name in ARRAYS:
        on_disk = np.load(tmp_path / "rows" / f"{name}.npy")
        assert on_disk.dtype != np.int64 and on_disk.shape == (len(packed), SEQ)
        assert np.array_equal(on_disk.astype(np.int64), getattr(packed, name)), name
    meta = json.loads((tmp_path / "rows" / "rows.json").read_text(encoding="utf-8"))
    assert meta == {"seq_length": SEQ, "rows": len(packed), "members": members}
    # rows.json is written row by row; its bytes are those of one json.dumps.
    assert (tmp_path / "rows" / "rows.json").read_text(encoding="utf-8") == json.dumps(meta, ensure_ascii=False) + "\n"
    assert stats["packing"] == packed.stats.to_record()
    assert stats["trained"] == {"conversations": sum(trained.values()), "tokens": sum(len(t) for _, t in mixed.items),
                                "learned_tokens": sum(t.learned for _, t in mixed.items)}
    assert [{k: v for k, v in row.items() if k != "too_long"} for row in stats["mix"]["rows"]] == mixed.rows
    # The trainer gets int64 samples, equal to the dense rows.
    rows = SftRows(tmp_path / "rows", SEQ, seed=1)
    order = np.random.RandomState(1).permutation(len(packed))
    for i in range(len(rows)):
        sample = rows[i]
        for name in ARRAYS:
            assert sample[name].dtype == np.int64
            assert np.array_equal(sample[name], getattr(packed, name)[order[i]])


def test_on_disk_dtypes_hold_the_ids_labels_and_positions(generated, tokenizer_dir, tmp_path):
    build_stage_rows(generated_files(generated), "sft1", _settings(), tokenizer_dir=str(tokenizer_dir), seq_length=SEQ,
                     out_dir=str(tmp_path / "rows"), ledger_path=str(tmp_path / "l.jsonl"),
                     stats_path=str(tmp_path / "s.json"))
    arrays = {name: np.load(tmp_path / "rows" / f"{name}.npy") for name in ARRAYS}
    # The test vocabulary is < 65,536 ids and rows are < 65,536 positions: uint16; labels need -100.
    assert {name: a.dtype for name, a in arrays.items()} == {"input_ids": np.uint16, "labels": np.int32,
                                                             "position_ids": np.uint16}
    assert (arrays["labels"] == IGNORE_INDEX).any() and arrays["labels"].min() == IGNORE_INDEX
