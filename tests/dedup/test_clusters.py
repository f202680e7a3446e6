import logging
import random

import pytest

from tests.dedup.helpers import THRESHOLD, doc, en_text, mutate, run_stage, write_shards, zh_text
from xuanyuan.dedup import apply_dedup
from xuanyuan.dedup.clusters import UnionFind, large_clusters, read_dropped
from xuanyuan.shards import read_json, read_records


def corpus(rng):
    """Two sources; planted clusters within each source, one twin across sources, short dups."""
    base_zh = zh_text(rng)
    base_en = en_text(rng)
    cross = zh_text(rng)
    a = [
        doc("a/zh0", base_zh, "zh", "a"),
        doc("a/zh1", mutate(rng, base_zh, "zh", 4), "zh", "a"),
        doc("a/zh2", mutate(rng, base_zh, "zh", 4) + "尾", "zh", "a"),  # longest: the survivor
        doc("a/en0", base_en, "en", "a"),
        doc("a/en1", mutate(rng, base_en, "en", 2), "en", "a"),
        doc("a/short1", "Blah blah.", "en", "a"),
        doc("a/short2", "***blah BLAH", "en", "a"),
        doc("a/cross", cross, "zh", "a"),
    ] + [doc(f"a/u{i}", zh_text(rng), "zh", "a") for i in range(10)]
    b = [
        doc("b/cross", mutate(rng, cross, "zh", 3), "zh", "b"),
        doc("b/short", "blah blah", "en", "b"),
    ] + [doc(f"b/u{i}", en_text(rng), "en", "b") for i in range(10)]
    return {"a": a, "b": b}


@pytest.fixture
def stage1(tmp_path):
    prefixes = write_shards(tmp_path, corpus(random.Random(11)))
    dropped, summary = run_stage(tmp_path, prefixes, stage="dedup_local", group_key="source")
    return tmp_path, prefixes, dropped, summary


def test_stage1_finds_near_and_exact_duplicates_within_category(stage1):
    _, _, dropped, summary = stage1
    got = read_dropped([dropped])
    assert {"a/zh0", "a/zh1", "a/short1"} < set(got) and len(got) == 4
    assert len({"a/en0", "a/en1"} & set(got)) == 1
    assert got["a/zh0"]["kept_twin"] == "a/zh2" and got["a/zh1"]["kept_twin"] == "a/zh2"
    assert got["a/zh0"]["cluster"] == "dedup_local:a/zh2" and got["a/zh0"]["rule"] == "near_duplicate"
    assert got["a/zh0"]["jaccard"] >= THRESHOLD
    short = [d for d in got.values() if d["rule"] == "exact_duplicate"]
    assert len(short) == 1 and short[0]["jaccard"] == 1.0
    # Cross-source twins and the cross-source short duplicate survive stage 1.
    assert not {"a/cross", "b/cross", "b/short"} & set(got)
    assert summary["dropped_by_rule"] == {"exact_duplicate": 1, "near_duplicate": 3}


def test_survivor_rule_longest_then_smallest_id(stage1):
    tmp, _, dropped, _ = stage1
    got = read_dropped([dropped])
    length = {r["id"]: len(r["text"]) for r in read_records(tmp / "a.jsonl.zst")}
    en_kept = min(["a/en0", "a/en1"], key=lambda i: (-length[i], i))
    assert en_kept not in got and got[({"a/en0", "a/en1"} - {en_kept}).pop()]["kept_twin"] == en_kept
    # "***blah BLAH" (12 characters) outlives "Blah blah." (10): same normalised text, longer record.
    assert got["a/short1"]["kept_twin"] == "a/short2"


def test_equal_length_survivor_is_the_smallest_id(tmp_path):
    rng = random.Random(9)
    base = zh_text(rng)
    twin = mutate(rng, base, "zh", 3)
    prefixes = write_shards(tmp_path, {"s": [doc("s/b", base, "zh", "s"), doc("s/a", twin, "zh", "s")]})
    dropped, _ = run_stage(tmp_path, prefixes, stage="dedup_local", group_key="source")
    assert read_dropped([dropped])["s/b"]["kept_twin"] == "s/a"


def test_clusters_are_deterministic_and_split_bands_agree(stage1, tmp_path_factory):
    tmp, prefixes, dropped, _ = stage1
    other = tmp_path_factory.mktemp("split")
    dropped3, _ = run_stage(other, prefixes, stage="dedup_local", group_key="source", jobs=3)
    assert dropped3.read_bytes() == dropped.read_bytes()
    again, _ = run_stage(tmp_path_factory.mktemp("again"), prefixes, stage="dedup_local", group_key="source")
    assert again.read_bytes() == dropped.read_bytes()


def test_stage2_reuses_stage1_signatures(stage1, monkeypatch):
    tmp, prefixes, dropped1, _ = stage1

    def forbidden(*args, **kwargs):
        raise AssertionError("stage 2 must not compute signatures")

    import xuanyuan.dedup.signatures as signatures

    monkeypatch.setattr(signatures, "minhash", forbidden)
    monkeypatch.setattr(signatures, "document_signature", forbidden)
    monkeypatch.setattr(signatures, "compute_signatures", forbidden)
    dropped2, summary = run_stage(tmp, prefixes, stage="dedup_global", group_key=None, exclude=[dropped1])
    got = read_dropped([dropped2])
    assert set(got) == {"a/cross", "b/short"} or set(got) == {"b/cross", "b/short"}
    assert got["b/short"]["rule"] == "exact_duplicate"
    assert summary["documents"] == 30 - 4  # stage-1 drops are not seen again


def test_large_clusters_are_flagged(tmp_path, caplog):
    rng = random.Random(5)
    base = zh_text(rng)
    prefixes = write_shards(tmp_path, {"a": [doc(f"a/{i:02d}", mutate(rng, base, "zh", 2), "zh", "a") for i in range(6)]})
    with caplog.at_level(logging.WARNING):
        _, summary = run_stage(tmp_path, prefixes, stage="dedup_local", group_key="kind", max_cluster_size=4)
    assert summary["largest_clusters"][0]["size"] == 6
    assert "6 members" in caplog.text
    # The bound is the report's: the summary lists the largest clusters whatever it is.
    assert large_clusters(summary, 4) == ([summary["largest_clusters"][0]], 1)
    assert large_clusters(summary, 6) == ([], 0)


def test_union_find_is_order_independent():
    edges = [(5, 3), (3, 9), (1, 2), (9, 4)]
    results = []
    for order in (edges, edges[::-1]):
        uf = UnionFind()
        for a, b in order:
            uf.union(a, b)
        results.append(sorted(uf.groups()))
    assert results[0] == results[1] == [[1, 2], [3, 4, 5, 9]]


def test_apply_writes_kept_and_ledger_adds_up(stage1):
    tmp, _, dropped, _ = stage1
    stats = apply_dedup(tmp / "a.jsonl.zst", tmp / "out" / "a.jsonl.zst", tmp / "out" / "a.ledger.jsonl.zst",
                        tmp / "out" / "a.stats.json", [dropped], stage="dedup_local", source="a", shard="000",
                        threshold=THRESHOLD)
    assert stats["input"] == 18 and stats["dropped"] == 4 and stats["kept"] == 14
    assert stats["dropped_by_rule"] == {"exact_duplicate": 1, "near_duplicate": 3}
    assert read_json(tmp / "out" / "a.stats.json") == stats
    kept = [r["id"] for r in read_records(tmp / "out" / "a.jsonl.zst")]
    events = list(read_records(tmp / "out" / "a.ledger.jsonl.zst"))
    assert len(kept) + len(events) == 18
    zh0 = next(e for e in events if e["id"] == "a/zh0")
    assert zh0["stage"] == "dedup_local" and zh0["kept_twin"] == "a/zh2" and zh0["cluster"] == "dedup_local:a/zh2"
    assert zh0["threshold"] == THRESHOLD and zh0["value"] >= THRESHOLD and zh0["doc"]["id"] == "a/zh0"
