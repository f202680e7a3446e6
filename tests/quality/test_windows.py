"""The classifier reads whole documents in overlapping windows: past 4,000 characters nothing gets through unread."""

import random

import pytest

from tests.quality.test_quality import toy_classifier  # noqa: F401  (the module-scoped fixture)
from xuanyuan.errors import UserError
from xuanyuan.quality import HarmClassifier
from xuanyuan.quality.filter import filter_shard
from xuanyuan.quality.keywords import KeywordMatcher, keyword_candidates
from xuanyuan.quality.windows import WindowSettings, document_windows
from xuanyuan.shards import read_json, read_records, write_records

FILLER = "今天 天气 公司 发布 年报 营业 收入 增长 市场 the market grew shares profit".split()
GAMBLING = "赌场 彩金 下注 百家乐 老虎机 casino bet".split()


def _words(pool, chars, seed):
    rng, out = random.Random(seed), []
    while sum(len(word) + 1 for word in out) < chars:
        out.append(rng.choice(pool))
    return " ".join(out)


def _doc(doc_id, text):
    return {"id": doc_id, "source": "s", "text": text, "lang": "zh", "domain": "general", "kind": "social", "meta": {}}


def test_a_short_document_is_one_window_and_a_long_one_is_covered_to_its_end():
    settings = WindowSettings(overlap=1000, max_per_document=256)
    assert document_windows(4000, 4000, settings).starts == (0,)
    assert document_windows(0, 4000, settings).starts == (0,)
    windows = document_windows(10_500, 4000, settings)
    assert windows.starts == (0, 3000, 6000, 6500)  # the last window ends at the end, full length
    assert [windows.span(i) for i in range(4)][-1] == (6500, 10_500)
    assert not windows.capped and windows.chars_unread == 0


@pytest.mark.parametrize("length", [4001, 7000, 9999, 23_456])
def test_every_passage_up_to_the_overlap_lies_whole_inside_a_window(length):
    size, overlap = 400, 100
    windows = document_windows(length, size, WindowSettings(overlap=overlap, max_per_document=10**6))
    spans = [windows.span(i) for i in range(len(windows.starts))]
    for start in range(0, length - overlap + 1, 7):
        assert any(a <= start and start + overlap <= b for a, b in spans), start


def test_the_window_cap_spreads_windows_over_the_document_and_counts_what_is_unread():
    windows = document_windows(100_000, 4000, WindowSettings(overlap=1000, max_per_document=5))
    assert windows.capped and len(windows.starts) == 5
    assert windows.starts[0] == 0 and windows.span(4)[1] == 100_000
    assert windows.chars_unread == 100_000 - 5 * 4000
    assert document_windows(100_000, 4000, WindowSettings(max_per_document=1)).starts == (0,)


def test_an_overlap_that_does_not_fit_the_window_names_the_keys():
    with pytest.raises(UserError, match="quality.windows.overlap.*quality.fasttext.max_chars"):
        WindowSettings(overlap=4000).check(4000)


def test_a_harmful_passage_after_4000_clean_characters_is_caught(toy_classifier, tmp_path):  # noqa: F811
    model = toy_classifier[0].model
    clean = _words(FILLER, 4200, seed=1)
    passage = _words(GAMBLING, 2500, seed=2)
    docs = [
        _doc("late", clean + "\n" + passage + "\n" + _words(FILLER, 300, seed=3)),
        _doc("long_clean", _words(FILLER, 30_000, seed=4)),
        _doc("short_clean", _words(FILLER, 300, seed=5)),
    ]
    first_window_only = HarmClassifier(model, ["gambling", "violence"], 4000, WindowSettings(max_per_document=1))
    assert first_window_only.scores([docs[0]["text"]])[0]["gambling"] < 0.5  # the defect: only the start was read

    write_records(tmp_path / "in.jsonl.zst", docs)
    classifier = HarmClassifier(model, ["gambling", "violence"], 4000, WindowSettings(overlap=1000, max_per_document=256))
    stats = filter_shard(
        str(tmp_path / "in.jsonl.zst"), classifier, {"default": 0.5}, source="s", shard="000",
        out_path=tmp_path / "out.jsonl.zst", ledger_path=tmp_path / "ledger.jsonl.zst", stats_path=tmp_path / "stats.json",
    )
    assert [d["id"] for d in read_records(tmp_path / "out.jsonl.zst")] == ["long_clean", "short_clean"]
    (event,) = read_records(tmp_path / "ledger.jsonl.zst")
    assert event["id"] == "late" and event["rule"] == "gambling" and event["value"] >= 0.5
    # The window that dropped it is not the first one, and holds the passage.
    passage_start = len(clean) + 1
    assert 0 < event["window_start"] <= passage_start and event["window_end"] >= passage_start + len(passage)
    assert event["windows"] == 3  # (0, 4000), (3000, 7000), (3003, 7003)
    read = sum(len(document_windows(len(d["text"]), 4000, classifier.windows).starts) for d in docs)
    assert stats["windows"] == {"windows_read": read, "docs_multi_window": 2, "docs_capped": 0, "chars_unread": 0}
    assert read_json(tmp_path / "stats.json") == stats


def test_a_passage_scores_the_same_at_the_start_and_at_the_end_of_a_long_document(toy_classifier):  # noqa: F811
    classifier = HarmClassifier(toy_classifier[0].model, ["gambling", "violence"], 4000, WindowSettings(overlap=1000))
    passage, clean = _words(GAMBLING, 1000, seed=6), _words(FILLER, 3000, seed=7)
    first, last = classifier.document_scores([passage + clean + clean, clean + clean + passage])
    assert first.windows["gambling"] == (0, 4000) and last.windows["gambling"][1] == len(clean + clean + passage)
    assert first.scores["gambling"] == pytest.approx(last.scores["gambling"], abs=0.05)


def test_capped_documents_are_counted_in_the_stats(toy_classifier, tmp_path):  # noqa: F811
    classifier = HarmClassifier(toy_classifier[0].model, ["gambling", "violence"], 4000, WindowSettings(max_per_document=2))
    text = _words(FILLER, 20_000, seed=8)
    write_records(tmp_path / "in.jsonl.zst", [_doc("book", text)])
    stats = filter_shard(
        str(tmp_path / "in.jsonl.zst"), classifier, {"default": 0.5}, source="s", shard="000",
        out_path=tmp_path / "out.jsonl.zst", ledger_path=tmp_path / "ledger.jsonl.zst", stats_path=tmp_path / "stats.json",
    )
    assert stats["kept"] == 1
    assert stats["windows"] == {"windows_read": 2, "docs_multi_window": 1, "docs_capped": 1, "chars_unread": len(text) - 8000}


def test_keyword_candidates_search_the_whole_document_and_show_the_passage():
    matcher = KeywordMatcher({"gambling": {"zh": ["百家乐", "彩金"], "en": []}})
    text = "市场" * 5000 + "注册送彩金，玩百家乐" + "市场" * 100
    (candidate,) = keyword_candidates([{"id": "a", "source": "s", "text": text}], matcher, min_hits=2)
    assert candidate["offset"] == 10_003
    assert "彩金" in candidate["snippet"] and "百家乐" in candidate["snippet"] and len(candidate["snippet"]) == 300


def test_window_defaults_equal_the_schema_defaults(repo):
    import dataclasses

    import yaml

    schema = yaml.safe_load((repo / "config" / "schema.yaml").read_text(encoding="utf-8"))
    properties = schema["properties"]["quality"]["properties"]["windows"]["properties"]
    assert dataclasses.asdict(WindowSettings()) == {key: value["default"] for key, value in properties.items()}
    assert WindowSettings.from_config({"overlap": 500}) == WindowSettings(overlap=500)
