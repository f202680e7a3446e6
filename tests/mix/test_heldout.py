"""Documents held out for evaluation leave the corpus at the mix: counted per cell, shown in mix.md, checked."""

import csv
from collections import Counter

import pytest

from xuanyuan.mix import MixMismatch, histogram_shard, make_plan, mix_shard, write_mix_report
from xuanyuan.shards import read_json, read_records, write_json
from xuanyuan.tokenizer.heldout import is_heldout

from tests.mix.helpers import write_corpus

SPEC = {
    "zh_news": ("zh", "general", "news", 60_000),
    "zh_fin": ("zh", "finance", "news", 40_000),
    "en_web": ("en", "general", "web", 50_000),
}
PHASES = [
    {"name": "p1", "chars": 60_000, "shares": {"lang": {"zh": 0.7, "en": 0.3}}},
    {"name": "p2", "chars": 60_000, "shares": {"domain": {"finance": 0.3}}},
]
FRACTION = 0.2


def _apply(root, shards, plan, fraction):
    stats, heldout = {p["name"]: [] for p in PHASES}, []
    for shard in shards:
        out = {name: root / "out" / name / shard.name for name in stats}
        st = {name: root / "out" / name / (shard.name + ".stats.json") for name in stats}
        heldout.append(root / "held-out" / (shard.name + ".json"))
        mix_shard(plan, shard, out, st, heldout_fraction=fraction, heldout_path=heldout[-1])
        for name in stats:
            stats[name].append(st[name])
    return stats, heldout


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("heldout")
    shards = write_corpus(root, SPEC, lo=200, hi=1500, shards_per_source=2)
    hists = []
    for shard in shards:
        hists.append(root / "hist" / (shard.name + ".npz"))
        histogram_shard(shard, hists[-1], seed=1, bits=12, heldout_fraction=FRACTION)
    plan = make_plan(hists, phases=PHASES, max_epochs=4, source_weights={}, seed=1, bits=12)
    stats, heldout = _apply(root, shards, plan, FRACTION)
    write_mix_report(plan, stats, root / "mix.md", root / "mix.csv", stamp="s", chash="c", version="v",
                     heldout_paths=heldout)
    return root, shards, plan, stats, heldout


def test_every_document_is_either_held_out_or_given_to_the_plan(mixed):
    _, shards, plan, _, heldout = mixed
    expected = Counter()
    for shard in shards:
        for doc in read_records(shard):
            held = is_heldout(doc["id"], FRACTION)
            expected[(doc["source"], "docs")] += 1
            expected[(doc["source"], "chars")] += len(doc["text"])
            expected[(doc["source"], "heldout_docs")] += held
            expected[(doc["source"], "heldout_chars")] += len(doc["text"]) * held
    counted = Counter()
    for path in heldout:
        stats = read_json(path)
        assert stats["heldout_fraction"] == FRACTION
        for cell in stats["cells"]:
            for key in ("docs", "chars", "heldout_docs", "heldout_chars"):
                counted[(cell["source"], key)] += cell[key]
    assert counted == expected and expected[("zh_news", "heldout_docs")] > 0
    planned = {cell.source: int(plan.cell_docs[i]) for i, cell in enumerate(plan.cells)}
    for source in SPEC:
        assert planned[source] == expected[(source, "docs")] - expected[(source, "heldout_docs")]


def test_mix_md_and_csv_show_the_held_out_documents_per_cell(mixed):
    root, _, _, _, heldout = mixed
    md = (root / "mix.md").read_text()
    assert "## Held out for evaluation" in md and "holds out 0.2 of the documents" in md
    total = sum(read_json(path)["heldout_docs"] for path in heldout)
    assert f"{total:,} documents (" in md and "go to no phase" in md
    with open(root / "mix.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["table"] == "cell" and r["metric"] == "heldout_docs"]
    assert sorted(r["source"] for r in rows) == sorted(SPEC)
    assert sum(int(r["amount"]) for r in rows) == total


def test_held_out_counts_that_do_not_fit_the_plan_are_refused(mixed, tmp_path):
    root, _, plan, stats, heldout = mixed
    tampered = tmp_path / "tampered.json"
    content = read_json(heldout[0])
    content["cells"][0]["heldout_docs"] -= 1
    write_json(tampered, content)
    with pytest.raises(MixMismatch, match="besides the held-out ones; the plan had"):
        write_mix_report(plan, stats, tmp_path / "m.md", tmp_path / "m.csv", stamp="s", chash="c", version="v",
                         heldout_paths=[tampered, *heldout[1:]])


def test_without_a_held_out_fraction_nothing_is_held_out(tmp_path):
    shards = write_corpus(tmp_path, {"zh_news": SPEC["zh_news"]}, lo=200, hi=1500, shards_per_source=1)
    histogram_shard(shards[0], tmp_path / "h.npz", seed=1, bits=12)
    plan = make_plan([tmp_path / "h.npz"], phases=[{"name": "p1", "chars": 30_000}], max_epochs=4,
                     source_weights={}, seed=1, bits=12)
    mix_shard(plan, shards[0], {"p1": tmp_path / "p1.jsonl.zst"}, {"p1": tmp_path / "p1.json"},
              heldout_path=tmp_path / "held.json")
    held = read_json(tmp_path / "held.json")
    assert held["heldout_docs"] == 0 and held["docs"] == int(plan.cell_docs.sum())
