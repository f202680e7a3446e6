"""The mix in token units: histograms, plan, apply stats and the tokenized .bin files all agree exactly."""

import csv
import itertools
from collections import defaultdict

import numpy as np
import pytest

from xuanyuan.mix import MixError, MixMismatch, apply_plan, histogram_shard, make_plan, read_plan, write_mix_report
from xuanyuan.shards import read_json, read_records, write_json

from tests.mix.helpers import run_mix, write_corpus

SPEC = {
    "zh_wiki": ("zh", "general", "knowledge", 200_000),
    "zh_news": ("zh", "general", "news", 250_000),
    "zh_fin_news": ("zh", "finance", "news", 200_000),
    "zh_report": ("zh", "finance", "report", 120_000),
    "en_web": ("en", "general", "web", 400_000),
    "en_fin": ("en", "finance", "news", 120_000),
}
PHASES = [
    {"name": "p1", "tokens": 300_000,
     "shares": {"lang": {"zh": 0.75, "en": 0.25}, "domain": {"finance": 0.15}, "kind": {"knowledge": 0.3}}},
    {"name": "p2", "tokens": 250_000,
     "shares": {"lang": {"zh": 0.7}, "domain": {"finance": 0.3}, "kind": {"knowledge": 0.15}}},
]


@pytest.fixture(scope="module")
def token_mix(tmp_path_factory, mix_tokenizer):
    root = tmp_path_factory.mktemp("token_mix")
    shards = write_corpus(root, SPEC, lo=150, hi=1500, shards_per_source=2)
    plan, outputs = run_mix(root, shards, PHASES, tokenizer=mix_tokenizer)
    return root, shards, plan, outputs


def stats_paths(root, plan):
    return {name: sorted((root / "out" / name).glob("*.stats.json")) for name in plan.phase_names}


def tokenize_phases(plan, outputs, tokenizer_dir, out_dir, bos=True):
    """What the tokenize stage does (tokenize.bos = `bos`), one pair per phase; returns phase -> its stats JSON."""
    from xuanyuan.tokdata import document_bos_id, tokenize_documents
    from xuanyuan.tokdata.encoding import load_tokenizer

    tokenizer = load_tokenizer(tokenizer_dir)
    paths = {}
    for name in plan.phase_names:
        records = itertools.chain.from_iterable(read_records(path) for path in outputs[name])
        stats = tokenize_documents(records, tokenizer, out_dir / name, batch_docs=64, eos_id=tokenizer.eos_token_id,
                                   bos_id=document_bos_id(tokenizer, bos))
        paths[name] = out_dir / f"{name}.stats.json"
        write_json(paths[name], stats)
    return paths


@pytest.fixture(scope="module")
def binary_stats(token_mix, mix_tokenizer, tmp_path_factory):
    root, _, plan, outputs = token_mix
    return tokenize_phases(plan, outputs, mix_tokenizer, tmp_path_factory.mktemp("tokenized"))


def test_plan_is_in_tokens_and_differs_from_a_character_plan(token_mix):
    root, _, plan, _ = token_mix
    assert plan.unit == "tokens" and plan.budgets == [300_000, 250_000]
    zh = [i for i, cell in enumerate(plan.cells) if cell.lang == "zh"]
    en = [i for i, cell in enumerate(plan.cells) if cell.lang == "en"]
    # Chinese ~1.1 tokens per character, English ~3.3 characters per token.
    assert 1.0 < plan.cell_amounts[zh].sum() / plan.cell_chars[zh].sum() < 1.25
    assert 2.8 < plan.cell_chars[en].sum() / plan.cell_amounts[en].sum() < 3.8
    # 25 % of the tokens is far more than 25 % of the characters in English.
    assert plan.planned_char_shares(0, "lang")["en"] > 0.5
    summary = read_json(root / "plan.json")
    assert summary["unit"] == "tokens" and summary["phases"][0]["tokens"] == 300_000
    assert summary["phases"][0]["planned_tokens"] == int(plan.amounts[:, 0].sum())
    assert {"tokens", "chars", "docs"} <= set(summary["cells"][0]) and "target_tokens" in summary["cells"][0]["phases"][0]
    back = read_plan(root / "plan.json", root / "plan.npz")
    assert back.unit == "tokens" and back.phases == plan.phases
    for field in ("cell_amounts", "cell_chars", "target", "amounts", "chars", "docs", "bounds"):
        assert np.array_equal(getattr(back, field), getattr(plan, field)), field


def test_apply_stats_meet_every_token_share_within_half_a_point(token_mix):
    root, _, plan, _ = token_mix
    for p, phase in enumerate(PHASES):
        by_attribute = defaultdict(lambda: defaultdict(int))
        total = 0
        for path in stats_paths(root, plan)[phase["name"]]:
            stats = read_json(path)
            assert stats["unit"] == "tokens" and stats["tokens"] == sum(cell["tokens"] for cell in stats["cells"])
            total += stats["tokens"]
            for cell in stats["cells"]:
                for attribute in ("lang", "domain", "kind"):
                    by_attribute[attribute][cell[attribute]] += cell["tokens"]
        assert total == plan.amounts[:, p].sum() and abs(total / phase["tokens"] - 1) < 0.01
        for attribute, listed in phase["shares"].items():
            for value, target in listed.items():
                assert abs(by_attribute[attribute][value] / total - target) <= 0.005, (phase["name"], attribute, value)


@pytest.fixture(scope="module", params=[True, False], ids=["bos", "eos_only"])
def mix_and_binary(request, token_mix, binary_stats, mix_tokenizer, tmp_path_factory):
    """(bos, plan, binary stats by phase) for tokenize.bos true (the module's mix) and false (a mix of its own)."""
    if request.param:
        return True, token_mix[2], binary_stats
    root = tmp_path_factory.mktemp("token_mix_eos_only")
    plan, outputs = run_mix(root, token_mix[1], PHASES, tokenizer=mix_tokenizer, bos=False)
    return False, plan, tokenize_phases(plan, outputs, mix_tokenizer, root / "tokenized", bos=False)


def test_tokenized_phases_hold_exactly_the_planned_tokens(mix_and_binary, mix_tokenizer):
    from xuanyuan.tokdata import IndexedDataset
    from xuanyuan.tokdata.encoding import load_tokenizer

    bos, plan, binary = mix_and_binary
    tokenizer = load_tokenizer(mix_tokenizer)
    for p, phase in enumerate(PHASES):
        stats = read_json(binary[phase["name"]])
        assert stats["tokens"] == int(plan.amounts[:, p].sum())
        assert stats["tokens"] - stats["text_tokens"] == (1 + bos) * stats["docs"]
        pair = IndexedDataset(binary[phase["name"]].parent / phase["name"])
        assert pair.num_tokens == stats["tokens"]
        assert (pair.doc(0)[0] == tokenizer.bos_token_id) == bos and pair.doc(0)[-1] == tokenizer.eos_token_id
        assert (stats["docs"], stats["chars"]) == (int(plan.docs[:, p].sum()), int(plan.chars[:, p].sum()))
        for value, target in phase["shares"]["lang"].items():
            assert abs(stats["by_lang"][value]["token_share"] - target) <= 0.005


def test_report_shows_binary_token_shares(token_mix, binary_stats, tmp_path):
    root, _, plan, _ = token_mix
    write_mix_report(plan, stats_paths(root, plan), tmp_path / "m.md", tmp_path / "m.csv", stamp="s", chash="c",
                     version="v", token_stats_by_phase=binary_stats)
    md = (tmp_path / "m.md").read_text()
    assert "## Phases (tokens)" in md and "| phase | budget tokens | written tokens | written chars |" in md
    assert "## Token shares in the binary data" in md and "| p1 | lang | zh | 75.00% |" in md
    with open(tmp_path / "m.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    binary = {(r["phase"], r["attribute"], r["value"]): float(r["amount"]) for r in rows if r["metric"] == "binary_token_share"}
    p1 = read_json(binary_stats["p1"])
    assert binary[("p1", "lang", "en")] == pytest.approx(p1["by_lang"]["en"]["token_share"])
    assert binary[("p2", "source", "en_fin")] == pytest.approx(read_json(binary_stats["p2"])["by_source"]["en_fin"]["token_share"])
    assert {r["metric"] for r in rows if r["table"] == "phase"} == {
        "tokens_budget", "tokens", "chars", "docs", "raking_rounds", "binary_tokens", "binary_docs"}
    assert {r["metric"] for r in rows if r["table"] == "share"} == {"target", "share", "char_share", "binary_token_share"}
    assert {"available_tokens", "available_chars", "target_tokens", "tokens", "epochs"} <= {
        r["metric"] for r in rows if r["table"] == "cell"}


def test_binary_tokens_other_than_planned_are_a_mismatch(token_mix, binary_stats, tmp_path):
    root, _, plan, _ = token_mix
    stats = read_json(binary_stats["p2"])
    stats["tokens"] += stats["docs"]  # as if the tokenize stage added a BOS to every document the mix did not count
    write_json(tmp_path / "p2.json", stats)
    with pytest.raises(MixMismatch, match=r"(?s)adds a BOS.*p2: [\d,]+ tokens in the binary data, planned [\d,]+"):
        write_mix_report(plan, stats_paths(root, plan), tmp_path / "m.md", tmp_path / "m.csv", stamp="s",
                         chash="c", version="v", token_stats_by_phase={**binary_stats, "p2": tmp_path / "p2.json"})


def test_apply_stats_with_other_tokens_are_a_mismatch(token_mix, tmp_path):
    root, _, plan, _ = token_mix
    paths = stats_paths(root, plan)
    content = read_json(paths["p1"][0])
    content["cells"][0]["tokens"] += 1
    write_json(tmp_path / "t.stats.json", content)
    paths["p1"][0] = tmp_path / "t.stats.json"
    with pytest.raises(MixMismatch, match=r"p1 .*wrote [\d,]+ docs, [\d,]+ chars, [\d,]+ tokens, planned"):
        write_mix_report(plan, paths, tmp_path / "m.md", tmp_path / "m.csv", stamp="s", chash="c", version="v")


def test_a_token_plan_needs_the_tokenizer_to_apply(token_mix):
    _, shards, plan, _ = token_mix
    with pytest.raises(ValueError, match="the mix plan is in tokens: pass the tokenizer"):
        apply_plan(plan, read_records(shards[0]), {name: lambda r: None for name in plan.phase_names})


def test_character_histograms_are_refused_by_token_phases(token_mix, tmp_path):
    _, shards, _, _ = token_mix
    histogram_shard(shards[0], tmp_path / "h.npz", seed=1, bits=16)
    with pytest.raises(MixError, match=r"h.npz: histograms count chars but mix.phases are in tokens; rerun mix_histogram"):
        make_plan([tmp_path / "h.npz"], phases=PHASES, max_epochs=4, source_weights={}, seed=1, bits=16)


def test_repetition_cap_counts_tokens(token_mix):
    root, _, _, _ = token_mix
    with pytest.raises(MixError, match=r"source 'zh_wiki' \(zh/general/knowledge\) has [\d,]+ tokens but the phases "
                       r"need [\d,]+ .*[\d,]+ tokens short. Lower those phases' tokens"):
        make_plan(sorted((root / "hist").glob("*.npz")), phases=PHASES, max_epochs=0.3, source_weights={}, seed=1, bits=16)


@pytest.mark.parametrize("phases, message", [
    ([{"name": "a", "tokens": 10}, {"name": "b", "chars": 10}, {"name": "c", "chars": 10}],
     r"mix.phases mix units: a gives tokens but b, c give chars; all phases must use one unit"),
    ([{"name": "a", "tokens": 10, "chars": 10}], r"phase 'a' gives tokens and chars; give exactly one budget"),
    ([{"name": "a"}], r"phase 'a' gives neither tokens nor chars"),
    ([{"name": "a", "tokens": 0}], r"phase 'a': tokens is 0; it must be a positive integer"),
])
def test_phases_use_one_unit(token_mix, phases, message):
    root, _, _, _ = token_mix
    with pytest.raises(MixError, match=message):
        make_plan(sorted((root / "hist").glob("*.npz")), phases=phases, max_epochs=4, source_weights={}, seed=1, bits=16)


def test_a_character_plan_reports_binary_token_shares_for_information(token_mix, mix_tokenizer, tmp_path):
    _, shards, _, _ = token_mix
    phases = [{"name": name, "chars": 400_000, "shares": phase["shares"]} for name, phase in
              (("p1", PHASES[0]), ("p2", PHASES[1]))]
    plan, outputs = run_mix(tmp_path, shards, phases)
    assert plan.unit == "chars"
    binary = tokenize_phases(plan, outputs, mix_tokenizer, tmp_path / "tokenized")
    write_mix_report(plan, stats_paths(tmp_path, plan), tmp_path / "m.md", tmp_path / "m.csv", stamp="s", chash="c",
                     version="v", token_stats_by_phase=binary)
    md = (tmp_path / "m.md").read_text()
    assert "## Shares per phase (chars)" in md and "| phase | attribute | value | target | plan (chars) |" in md
    # Characters hold the 75 % target; in tokens the English share is far below 25 %.
    en_tokens = read_json(binary["p1"])["by_lang"]["en"]["token_share"]
    assert abs(plan.planned_shares(0, "lang")["en"] - 0.25) <= 0.005 and en_tokens < 0.15
