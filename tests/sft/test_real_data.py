"""The shared real instruction samples (Alpaca zh/en, DISC-Fin-SFT with history): every record kept or ledgered."""

from __future__ import annotations

from xuanyuan.sft import InstructionFile, ingest


def test_shared_instruction_data_is_ingested(shared_data, encoder):
    root = shared_data / "instruction_sft"
    files = [InstructionFile(root / "alpaca_zh_demo.json", "alpaca_zh", domain="general", lang="zh"),
             InstructionFile(root / "alpaca_en_demo.json", "alpaca_en", domain="general", lang="en")]
    files += [InstructionFile(path, f"disc_fin_{path.stem}", domain="finance", category=path.stem.replace("_part", ""),
                              lang="zh")
              for path in sorted((root / "disc_fin_sft_sample").glob("*.json"))]
    result = ingest(files)
    counts = result.counts
    print("instruction_sft:", counts)
    for entry in result.ledger:
        print("  ledger:", entry.to_record())
    assert counts["records"] == 1000 + 999 + 4 * 100  # the README's record counts
    assert counts["files"] == 6  # every file read (an unreadable one is an error, not a ledger entry)
    assert counts["records"] == counts["kept"] + counts["invalid"] + counts["duplicates"]
    assert all(entry.reason and entry.index is not None for entry in result.ledger)
    assert counts["kept"] > 0.95 * counts["records"]
    multi = [c for c in result.conversations if c.source == "disc_fin_consulting_part" and len(c.turns) > 1]
    assert len(multi) == 18, "consulting_part has 18 multi-turn records (README)"


def test_shared_instruction_data_tokenizes_and_packs(shared_data, encoder):
    from xuanyuan.sft import IGNORE_INDEX, ingest_paths, pack_conversations, tokenize_conversations

    root = shared_data / "instruction_sft"
    conversations = ingest_paths(sorted((root / "disc_fin_sft_sample").glob("*.json"))).conversations
    seq_length = 2048
    kept, report = tokenize_conversations(conversations, encoder, max_length=seq_length + 1, overflow="truncate")
    packed = pack_conversations(kept, seq_length=seq_length, pad_id=encoder.pad_id)
    print("disc_fin tokenize:", report.counts(), "packing:", packed.stats.to_record())
    assert report.conversations == report.kept + report.dropped
    assert all(k.labels[-1] == encoder.eos_id for k in kept)  # every kept conversation ends in a learned EOS
    # The BOS is never learned and is the only token with no input before it, so shifting loses no label.
    assert packed.stats.learned == sum(k.learned for k in kept)
    assert packed.stats.padding_saved > 0 and (packed.labels != IGNORE_INDEX).sum() == packed.stats.learned
