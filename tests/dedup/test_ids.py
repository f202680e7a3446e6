"""Dedup looks drops up by id: records that share a raw id in two files must stay two documents."""

import json
import random

from tests.dedup.helpers import PARAMS, mutate, run_stage, zh_text
from xuanyuan.dedup import apply_dedup, compute_signatures
from xuanyuan.extract.run import extract_shard
from xuanyuan.shards import read_records
from xuanyuan.sources import list_source_files


def test_a_near_duplicate_sharing_its_raw_id_with_an_unrelated_record_drops_only_itself(tmp_path):
    rng = random.Random(3)
    base = zh_text(rng, 400)
    raw = tmp_path / "raw"
    raw.mkdir()
    records = {"a.jsonl": [{"id": "42", "text": base}, {"id": "7", "text": mutate(rng, base, "zh", 3)}],
               "b.jsonl": [{"id": "7", "text": zh_text(rng, 400)}]}  # unrelated, same raw id as the near duplicate
    for name, rows in records.items():
        (raw / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    extracted = tmp_path / "e.jsonl.zst"
    extract_shard(list_source_files(str(raw / "*.jsonl")), source="s",
                  source_cfg={"format": "jsonl", "lang": "zh", "domain": "general", "kind": "social"}, extract_cfg=None,
                  out_path=extracted, ledger_path=tmp_path / "e.ledger.jsonl.zst", stats_path=tmp_path / "e.stats.json", shard=0)
    compute_signatures(extracted, tmp_path / "sig" / "s", **PARAMS)
    dropped, summary = run_stage(tmp_path, [str(tmp_path / "sig" / "s")], stage="dedup_local", group_key="source")
    stats = apply_dedup(extracted, tmp_path / "d.jsonl.zst", tmp_path / "d.ledger.jsonl.zst", tmp_path / "d.stats.json",
                        [dropped], stage="dedup_local", source="s", shard=0, threshold=0.7)
    assert (stats["input"], stats["kept"], stats["dropped"]) == (3, 2, 1)
    (drop,) = [event for event in read_records(tmp_path / "d.ledger.jsonl.zst") if event["event"] == "drop"]
    assert (drop["id"], drop["kept_twin"]) == ("s/a.jsonl#7", "s/a.jsonl#42")
    assert [r["id"] for r in read_records(tmp_path / "d.jsonl.zst")] == ["s/a.jsonl#42", "s/b.jsonl#7"]
