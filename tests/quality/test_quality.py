"""The harmful-content classifier: tokens, training sets, fastText training/scoring, verdicts, the filter job."""

import json
import random

import pytest

from xuanyuan.quality import Example, FastTextSettings, HarmClassifier, TrainingSetError, evaluate_classifier
from xuanyuan.quality import load_training_examples, split_heldout, train_classifier
from xuanyuan.quality.classifier import threshold_of, verdict
from xuanyuan.quality.filter import filter_shard
from xuanyuan.quality.keywords import KeywordMatcher, keyword_candidates
from xuanyuan.quality.tokens import fasttext_text
from xuanyuan.quality.training_set import read_training_file
from xuanyuan.shards import read_json, read_records, write_records

CATEGORIES = ["violence", "porn", "discrimination", "reactionary", "gambling", "wrong_values"]


def test_fasttext_text_splits_chinese_into_characters_and_keeps_words():
    assert fasttext_text("A股市场casino赌场 2024年涨了35%！Don't", 100) == "a 股 市 场 casino 赌 场 0 年 涨 了 0 % ！ don't"
    assert "\n" not in fasttext_text("第一行\n第二行", 100)
    assert fasttext_text("一二三四五", 3) == "一 二 三"


def _toy_examples(n=600, seed=0):
    # Separable by construction: harmful examples carry category words, all carry shared filler.
    rng = random.Random(seed)
    bad = {"gambling": "赌场 彩金 下注 百家乐 老虎机 casino bet".split(), "violence": "打断 砍死 弄死 报复 堵你 kill hurt".split()}
    filler = "今天 天气 公司 发布 年报 营业 收入 增长 市场 the market grew shares profit".split()
    examples = []
    for index in range(n):
        category = rng.choice(["gambling", "violence", None, None])
        words = rng.sample(filler, 5) + (rng.sample(bad[category], 3) if category else [])
        rng.shuffle(words)
        examples.append(Example(" ".join(words), (category,) if category else (), f"toy:{index}"))
    return examples


@pytest.fixture(scope="module")
def toy_classifier(tmp_path_factory):
    train, heldout = split_heldout(_toy_examples(), 0.2, seed=1)
    workdir = tmp_path_factory.mktemp("toy")
    model = train_classifier(train, workdir, FastTextSettings(epoch=10), seed=1)
    return HarmClassifier(model, ["gambling", "violence"], 4000), heldout, workdir


def test_training_and_held_out_evaluation_on_a_separable_set(toy_classifier):
    classifier, heldout, _ = toy_classifier
    result = evaluate_classifier(classifier, heldout, {"default": 0.5})
    for category in ("gambling", "violence"):
        assert result["per_category"][category]["recall"] >= 0.95
        assert result["per_category"][category]["precision"] >= 0.95
    assert result["harmful_vs_clean"]["accuracy"] >= 0.95


def test_training_is_reproducible_with_one_thread(toy_classifier, tmp_path):
    classifier, heldout, _ = toy_classifier
    train, _ = split_heldout(_toy_examples(), 0.2, seed=1)
    again = HarmClassifier(train_classifier(train, tmp_path, FastTextSettings(epoch=10), seed=1), ["gambling", "violence"], 4000)
    texts = [example.text for example in heldout[:50]]
    assert classifier.scores(texts) == again.scores(texts)


def test_saved_model_scores_the_same(toy_classifier, tmp_path):
    classifier, heldout, _ = toy_classifier
    classifier.save(tmp_path / "m.bin")
    loaded = HarmClassifier.load(tmp_path / "m.bin", ["gambling", "violence"], 4000)
    texts = [example.text for example in heldout[:20]]
    assert loaded.scores(texts) == classifier.scores(texts)


def test_a_category_without_training_examples_is_an_error(toy_classifier):
    classifier, _, _ = toy_classifier
    with pytest.raises(ValueError, match="reactionary"):
        HarmClassifier(classifier.model, ["gambling", "reactionary"], 4000)


def test_a_category_without_training_examples_stops_before_training(tmp_path, monkeypatch):
    # A COLD-only set covers discrimination alone: the job must say so before minutes of fastText.
    import xuanyuan.quality.train as train_module

    cold = tmp_path / "cold.csv"
    cold.write_text(",split,topic,label,TEXT\n1,train,race,1,滚出去\n2,train,race,0,大家好\n", encoding="utf-8")
    trained = []
    monkeypatch.setattr(train_module, "train_classifier", lambda *args, **kwargs: trained.append(args))
    training = {"files": [{"path": str(cold), "format": "cold_csv", "category": "discrimination"}]}
    with pytest.raises(TrainingSetError) as error:
        train_module.build_classifier(
            training=training, categories=["discrimination", "gambling", "porn"], fasttext_settings={}, seed=1,
            model_path=str(tmp_path / "m" / "classifier.bin"), heldout_path=str(tmp_path / "m" / "heldout.jsonl.zst"),
            summary_path=str(tmp_path / "m" / "summary.json"))
    message = str(error.value)
    assert str(cold) in message and "no example labelled gambling, porn" in message
    assert "quality.training.files" in message and "quality.categories (categories: [discrimination])" in message
    assert trained == [] and not (tmp_path / "m").exists()


def test_verdict_picks_the_category_furthest_above_its_threshold():
    thresholds = {"default": 0.5, "gambling": 0.9}
    assert threshold_of(thresholds, "porn") == 0.5 and threshold_of({}, "porn") == 0.5
    assert verdict({"gambling": 0.8, "porn": 0.4}, thresholds) is None
    assert verdict({"gambling": 0.95, "porn": 0.9}, thresholds) == ("porn", 0.9)
    assert verdict({"gambling": 0.99, "porn": 0.55}, thresholds) == ("gambling", 0.99)


def test_split_is_deterministic_stratified_and_disjoint():
    examples = _toy_examples()
    train, heldout = split_heldout(examples, 0.2, seed=3)
    assert split_heldout(examples, 0.2, seed=3) == (train, heldout)
    assert not {e.origin for e in train} & {e.origin for e in heldout}
    assert len(train) + len(heldout) == len(examples)
    for labels in [(), ("gambling",), ("violence",)]:
        total = sum(e.labels == labels for e in examples)
        held = sum(e.labels == labels for e in heldout)
        assert abs(held - 0.2 * total) <= 1


def test_jsonl_training_file_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps({"text": "ok", "labels": []}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(TrainingSetError, match=rf"{path}:2: not valid JSON"):
        read_training_file({"path": str(path)}, CATEGORIES)
    path.write_text(json.dumps({"text": "x", "labels": ["spam"]}) + "\n", encoding="utf-8")
    with pytest.raises(TrainingSetError, match=r"train.jsonl:1: unknown label\(s\) spam; quality.categories has"):
        read_training_file({"path": str(path)}, CATEGORIES)
    with pytest.raises(TrainingSetError, match="does not exist"):
        read_training_file({"path": str(tmp_path / "nope.jsonl")}, CATEGORIES)


def test_training_files_are_merged_and_exact_duplicates_removed(tmp_path):
    path = tmp_path / "train.jsonl"
    rows = [{"text": "赌场 下注", "labels": ["gambling"]}, {"text": "赌场  下注", "labels": ["gambling"]}, {"text": "天气", "labels": []}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    examples, removed = load_training_examples({"files": [{"path": str(path)}]}, CATEGORIES, seed=1)
    assert removed == 1 and [e.labels for e in examples] == [("gambling",), ()]


def test_cold_csv_with_bom_maps_offensive_rows_to_a_category(tmp_path):
    path = tmp_path / "cold.csv"
    path.write_bytes("\ufeff,split,topic,label,TEXT\n1,train,race,1,滚出去\n2,train,race,0,大家好\n".encode("utf-8"))
    examples = read_training_file({"path": str(path), "format": "cold_csv", "category": "discrimination"}, CATEGORIES)
    assert [(e.text, e.labels) for e in examples] == [("滚出去", ("discrimination",)), ("大家好", ())]
    with pytest.raises(TrainingSetError, match="needs `category:`"):
        read_training_file({"path": str(path), "format": "cold_csv"}, CATEGORIES)


def test_keyword_matcher_counts_distinct_words_per_category():
    matcher = KeywordMatcher({"gambling": {"zh": ["百家乐", "彩金"], "en": ["casino", "bet"]}, "porn": {"zh": ["成人"], "en": []}})
    assert matcher.hits("注册送彩金，百家乐、百家乐！Casino bets") == {"gambling": ["casino", "彩金", "百家乐"]}
    docs = [{"id": "a", "source": "s", "text": "彩金 百家乐"}, {"id": "b", "source": "s", "text": "彩金"}]
    found = list(keyword_candidates(docs, matcher, min_hits=2))
    assert [(c["id"], c["category"], c["hits"]) for c in found] == [("a", "gambling", 2)]


def test_filter_shard_drops_with_category_and_score_and_adds_up(toy_classifier, tmp_path):
    classifier, _, _ = toy_classifier
    docs = [
        {"id": "d1", "source": "s", "text": "今天 天气 市场 增长", "lang": "zh", "domain": "general", "kind": "web", "meta": {}},
        {"id": "d2", "source": "s", "text": "赌场 彩金 下注 百家乐 今天", "lang": "zh", "domain": "general", "kind": "web", "meta": {}},
        {"id": "d3", "source": "s", "text": "打断 弄死 堵你 公司", "lang": "zh", "domain": "general", "kind": "web", "meta": {}},
    ]
    write_records(tmp_path / "in.jsonl.zst", docs)
    stats = filter_shard(
        str(tmp_path / "in.jsonl.zst"), classifier, {"default": 0.5}, source="s", shard="000",
        out_path=tmp_path / "out.jsonl.zst", ledger_path=tmp_path / "ledger.jsonl.zst", stats_path=tmp_path / "stats.json",
    )
    assert stats["input"] == 3 and stats["kept"] == 1 and stats["dropped"] == 2
    assert stats["dropped_by_rule"] == {"gambling": 1, "violence": 1}
    assert [d["id"] for d in read_records(tmp_path / "out.jsonl.zst")] == ["d1"]
    events = {e["id"]: e for e in read_records(tmp_path / "ledger.jsonl.zst")}
    assert events["d2"]["rule"] == "gambling" and events["d2"]["value"] >= 0.5 and events["d2"]["threshold"] == 0.5
    assert set(events["d2"]["scores"]) == {"gambling", "violence"}
    assert read_json(tmp_path / "stats.json")["stage"] == "quality"


def test_cold_accuracy_reaches_the_bar(shared_data, tmp_path):
    """Trained on COLD's training rows, tested on its test file: the issue's bar is accuracy >= 0.78 (BERT: 0.81)."""
    cold = shared_data / "toxicity_cold"
    spec = {"format": "cold_csv", "category": "discrimination"}
    train = read_training_file({**spec, "path": str(cold / "train_first12000.csv")}, CATEGORIES)
    test = read_training_file({**spec, "path": str(cold / "test.csv")}, CATEGORIES)
    model = train_classifier(train, tmp_path, FastTextSettings(), seed=1)
    result = evaluate_classifier(HarmClassifier(model, ["discrimination"], 4000), test, {"default": 0.5})
    binary = result["harmful_vs_clean"]
    print(json.dumps(result, indent=1))
    assert binary["accuracy"] >= 0.78, binary
    assert binary["recall"] >= 0.7 and binary["clean_recall"] >= 0.7, binary
