"""Histogram -> plan -> apply -> report on a ~2,000-document synthetic corpus."""

import csv
import shutil
from collections import defaultdict

import numpy as np
import pytest

from xuanyuan.mix import ATTRIBUTES, MixError, MixMismatch, apply_plan, make_plan, read_plan, write_mix_report
from xuanyuan.shards import read_json, read_records, write_json

from tests.mix.helpers import run_mix, write_corpus

SPEC = {
    "zh_wiki": ("zh", "general", "knowledge", 400_000),
    "zh_baike": ("zh", "general", "knowledge", 200_000),
    "zh_news_a": ("zh", "general", "news", 500_000),
    "zh_news_b": ("zh", "general", "news", 300_000),
    "zh_fin_news": ("zh", "finance", "news", 500_000),
    "zh_report": ("zh", "finance", "report", 300_000),
    "zh_exam": ("zh", "general", "exam", 150_000),
    "en_web": ("en", "general", "web", 700_000),
    "en_fin": ("en", "finance", "news", 200_000),
}
PHASES = [
    {"name": "p1", "chars": 1_200_000,
     "shares": {"lang": {"zh": 0.7, "en": 0.3}, "domain": {"finance": 0.15}, "kind": {"knowledge": 0.3}}},
    {"name": "p2", "chars": 1_200_000,
     "shares": {"lang": {"zh": 0.75}, "domain": {"finance": 0.25}, "kind": {"knowledge": 0.2, "exam": 0.1}}},
    {"name": "p3", "chars": 1_000_000,
     "shares": {"lang": {"zh": 0.8}, "domain": {"finance": 0.3}, "kind": {"knowledge": 0.25}}},
]
WEIGHTS = {"zh_baike": 2.0}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("mix")
    shards = write_corpus(root, SPEC, lo=200, hi=3000, shards_per_source=2)
    plan, outputs = run_mix(root, shards, PHASES, source_weights=WEIGHTS)
    return root, shards, plan, outputs


def written(outputs):
    """phase -> list of output records."""
    return {phase: [r for path in paths for r in read_records(path)] for phase, paths in outputs.items()}


def test_corpus_has_the_intended_size(mixed):
    _, shards, plan, _ = mixed
    assert 1_500 <= int(plan.cell_docs.sum()) <= 2_500
    assert len(plan.cells) == len(SPEC)


def test_written_shares_meet_every_target_within_half_a_point(mixed):
    _, _, plan, outputs = mixed
    for phase in PHASES:
        records = written(outputs)[phase["name"]]
        total = sum(len(r["text"]) for r in records)
        assert abs(total / phase["chars"] - 1) < 0.01
        for attribute, listed in phase["shares"].items():
            by_value = defaultdict(int)
            for r in records:
                by_value[r[attribute]] += len(r["text"])
            for value, target in listed.items():
                assert abs(by_value[value] / total - target) <= 0.005, (phase["name"], attribute, value)
            rest = sum(amount for value, amount in by_value.items() if value not in listed) / total
            assert abs(rest - (1 - sum(listed.values()))) <= 0.005


def test_written_chars_and_docs_equal_the_plan_exactly(mixed):
    _, _, plan, outputs = mixed
    index = {cell: i for i, cell in enumerate(plan.cells)}
    for p, (phase, records) in enumerate(written(outputs).items()):
        chars, docs = np.zeros(len(plan.cells), np.int64), np.zeros(len(plan.cells), np.int64)
        for r in records:
            i = index[tuple(r[a] for a in ATTRIBUTES)]
            chars[i] += len(r["text"])
            docs[i] += 1
        assert np.array_equal(chars, plan.chars[:, p]) and np.array_equal(docs, plan.docs[:, p])
        assert np.array_equal(plan.amounts, plan.chars)  # a character plan's unit is its characters


def test_epochs_are_reported_and_repeated_copies_are_numbered(mixed):
    root, _, plan, outputs = mixed
    epochs = plan.total_epochs()
    assert np.allclose(epochs, plan.chars.sum(axis=1) / plan.cell_chars)
    assert epochs.max() > 1.2 and epochs.max() <= 4  # knowledge is upsampled
    summary = read_json(root / "plan.json")
    assert [cell["epochs"] for cell in summary["cells"]] == pytest.approx(epochs.tolist())
    # Each document's copies 0, 1, ... appear exactly once each, in phase order.
    seen = defaultdict(list)
    for p, records in enumerate(written(outputs).values()):
        for r in records:
            assert r["meta"]["origin"] == "test"  # the input meta is kept
            seen[r["id"]].append((p, r["meta"]["mix"]["copy"]))
    assert max(copy for copies in seen.values() for _, copy in copies) >= 1
    for copies in seen.values():
        assert sorted(copy for _, copy in copies) == list(range(len(copies)))
        assert sorted(copies) == sorted(copies, key=lambda item: item[1])
    # Inside one output shard the copies come in passes, not next to each other.
    for paths in outputs.values():
        for path in paths:
            numbers = [r["meta"]["mix"]["copy"] for r in read_records(path)]
            assert numbers == sorted(numbers)


def test_same_lang_domain_kind_and_weight_means_same_epochs(mixed):
    _, _, plan, _ = mixed
    names = [cell.source for cell in plan.cells]
    epochs = plan.target.sum(axis=1) / plan.cell_chars
    a, b = names.index("zh_news_a"), names.index("zh_news_b")
    assert epochs[a] == pytest.approx(epochs[b], rel=1e-9)
    wiki, baike = names.index("zh_wiki"), names.index("zh_baike")
    assert epochs[baike] == pytest.approx(2 * epochs[wiki], rel=1e-9)  # source_weights zh_baike: 2


def test_same_inputs_give_byte_identical_outputs(mixed, tmp_path):
    root, shards, _, _ = mixed
    copies = []
    for shard in shards:
        copies.append(tmp_path / "in" / shard.name)
        copies[-1].parent.mkdir(exist_ok=True)
        shutil.copy(shard, copies[-1])
    run_mix(tmp_path, copies, PHASES, source_weights=WEIGHTS)
    files = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and "in" not in p.parts)
    assert len(files) > 50
    for name in files:
        if name.name.endswith(".stats.json"):  # these name their input shard, which moved
            a, b = read_json(root / name), read_json(tmp_path / name)
            assert {**a, "input": ""} == {**b, "input": ""}, name
        else:
            assert (root / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_plan_round_trip(mixed):
    root, _, plan, _ = mixed
    back = read_plan(root / "plan.json", root / "plan.npz")
    for field in ("seed", "bits", "unit", "max_epochs", "source_weights", "phases", "raking", "cells"):
        assert getattr(back, field) == getattr(plan, field), field
    for field in ("cell_amounts", "cell_chars", "cell_docs", "target", "amounts", "chars", "docs", "bounds"):
        got, want = getattr(back, field), getattr(plan, field)
        assert got.dtype == want.dtype and np.array_equal(got, want), field


def test_single_pass_apply_writes_the_same_records(mixed):
    _, shards, plan, outputs = mixed
    got = defaultdict(list)
    stats = apply_plan(plan, read_records(shards[0]), {name: got[name].append for name in plan.phase_names})
    for name in plan.phase_names:
        expected = list(read_records(outputs[name][0]))
        key = lambda r: (r["id"], r["meta"]["mix"]["copy"])  # noqa: E731
        assert sorted(got[name], key=key) == sorted(expected, key=key)
        assert stats[name]["chars"] == sum(len(r["text"]) for r in expected)


def test_repetition_cap_names_the_source_and_the_shortfall(mixed):
    root, _, _, _ = mixed
    hists = sorted((root / "hist").glob("*.npz"))
    with pytest.raises(MixError, match=r"source 'zh_baike' \(zh/general/knowledge\) has [\d,]+ chars but the phases need "
                       r"[\d,]+ .* at mix.max_epochs 1 it can give [\d,]+, [\d,]+ chars short.*raise mix.max_epochs"):
        make_plan(hists, phases=PHASES, max_epochs=1, source_weights=WEIGHTS, seed=1, bits=16)


def test_unknown_source_weight_is_an_error(mixed):
    root, _, _, _ = mixed
    with pytest.raises(MixError, match=r"mix.source_weights names 'zh_wikii' but no document has source 'zh_wikii'"):
        make_plan(sorted((root / "hist").glob("*.npz")), phases=PHASES, max_epochs=4, source_weights={"zh_wikii": 2}, seed=1, bits=16)


def test_report_tables_and_stamp(mixed):
    root, _, plan, _ = mixed
    md = (root / "mix.md").read_text()
    assert "config `c` · code `v`" in md and "| p1 | lang | zh | 70.00% |" in md
    assert "## Shares per phase (chars)" in md and "Token shares in the binary data" not in md
    with open(root / "mix.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["config_hash"] == "c" and row["code_version"] == "v" for row in rows)
    targets = {(r["phase"], r["attribute"], r["value"]): float(r["amount"]) for r in rows if r["table"] == "share" and r["metric"] == "target"}
    assert targets[("p2", "kind", "exam")] == 0.1 and targets[("p2", "kind", "(rest)")] == pytest.approx(0.7)
    epochs = {r["source"]: float(r["amount"]) for r in rows if r["table"] == "cell" and r["phase"] == "all" and r["metric"] == "epochs"}
    assert epochs["zh_baike"] == pytest.approx(plan.total_epochs()[[c.source for c in plan.cells].index("zh_baike")])


def test_report_refuses_stats_that_differ_from_the_plan(mixed, tmp_path):
    root, _, plan, _ = mixed
    stats = {name: sorted((root / "out" / name).glob("*.stats.json")) for name in plan.phase_names}
    tampered = tmp_path / "tampered.stats.json"
    content = read_json(stats["p2"][0])
    content["cells"][0]["chars"] += 1
    write_json(tampered, content)
    stats["p2"][0] = tampered
    with pytest.raises(MixMismatch, match=r"p2 .*wrote [\d,]+ docs, [\d,]+ chars, planned"):
        write_mix_report(plan, stats, tmp_path / "m.md", tmp_path / "m.csv", stamp="s", chash="c", version="v")


def test_a_phase_without_shares_takes_cells_in_proportion_to_their_size(mixed):
    root, _, _, _ = mixed
    hists = sorted((root / "hist").glob("*.npz"))
    plan = make_plan(hists, phases=[{"name": "only", "chars": 1_000_000}], max_epochs=4, source_weights={}, seed=1, bits=16)
    assert plan.phases[0]["shares"] == {} and plan.raking[0]["rounds"] == 0
    assert np.allclose(plan.target[:, 0] / plan.cell_chars, 1_000_000 / plan.cell_chars.sum())


def test_a_document_outside_the_plan_is_an_error(mixed):
    _, _, plan, _ = mixed
    stranger = {"id": "x", "text": "abc", "source": "zh_new", "lang": "zh", "domain": "general", "kind": "news", "meta": {}}
    with pytest.raises(MixError, match=r"document 'x' has source/lang/domain/kind zh_new/zh/general/news, which the mix plan does not know"):
        apply_plan(plan, [stranger], {name: lambda r: None for name in plan.phase_names})
