"""The passage reader: a short harmful passage in a long page is caught, at thresholds of its own."""

import dataclasses
import random

import pytest
import regex

from tests.quality.test_quality import toy_classifier  # noqa: F401  (the module-scoped fixture)
from tests.quality.test_windows import FILLER, GAMBLING, _doc, _words
from xuanyuan.errors import UserError
from xuanyuan.quality import Example, HarmClassifier, evaluate_classifier
from xuanyuan.quality.buried import bury, buried_recall
from xuanyuan.quality.filter import filter_shard
from xuanyuan.quality.passages import PassageSettings, read_passages
from xuanyuan.quality.reader import DocumentReader
from xuanyuan.quality.tokens import fasttext_text, token_spans
from xuanyuan.quality.windows import WindowSettings
from xuanyuan.shards import read_records, write_records

CATEGORIES = ["gambling", "violence"]
SPANS = PassageSettings(tokens=32, stride=8)


def _classifier(toy) -> HarmClassifier:
    return HarmClassifier(toy[0].model, CATEGORIES, 4000, WindowSettings(overlap=1000))


def _buried_page(seed: int = 1) -> tuple[str, str]:
    """A gambling passage of about 60 characters between 4,500 characters of ordinary words on each side."""
    passage = _words(GAMBLING, 60, seed=seed)
    return _words(FILLER, 4500, seed=seed + 1) + "\n" + passage + "\n" + _words(FILLER, 4500, seed=seed + 2), passage


@pytest.mark.parametrize("text", [
    "A股市场casino赌场 2024年涨了35%！Don't",
    "İstanbul ΣΑΣ 第一行\n第二行 Ⅻ ½ x² — done.",
    "| 指标 | 2023A |\n|---|---|\n| EPS | 1.20 |",
])
def test_token_spans_are_the_tokens_fasttext_reads_with_offsets_into_the_text(text):
    spans = token_spans(text)
    assert spans.line(0, len(spans.tokens)) == fasttext_text(text, len(text))
    for token, start, end in zip(*spans):
        piece = text[start:end].lower()
        assert token == ("0" if regex.fullmatch(r"\p{N}+", piece) else piece)


@pytest.mark.parametrize("n_tokens", [33, 100, 257, 1000])
def test_every_passage_of_tokens_minus_stride_lies_whole_inside_a_span(n_tokens):
    layout = SPANS.layout(n_tokens)
    spans = [layout.span(i) for i in range(len(layout.starts))]
    length = SPANS.tokens - SPANS.stride
    for start in range(n_tokens - length + 1):
        assert any(a <= start and start + length <= b for a, b in spans), start
    assert spans[-1][1] == n_tokens and not layout.capped


def test_the_span_cap_spreads_spans_and_counts_the_tokens_left_unread():
    layout = dataclasses.replace(SPANS, max_per_document=4).layout(10_000)
    assert layout.capped and len(layout.starts) == 4 and layout.chars_unread == 10_000 - 4 * 32


def test_settings_that_leave_tokens_unread_name_the_keys():
    with pytest.raises(UserError, match="quality.passages.stride.*quality.passages.tokens"):
        PassageSettings(tokens=16, stride=17).check()
    with pytest.raises(UserError, match="quality.passages.max_per_document"):
        PassageSettings(max_per_document=0).check()


def test_a_buried_harmful_passage_is_dropped_by_the_passage_reader_only(toy_classifier, tmp_path):  # noqa: F811
    classifier = _classifier(toy_classifier)
    page, passage = _buried_page()
    (windows_only,) = DocumentReader(classifier, {"default": 0.5}).read([page])
    assert windows_only.drop is None and windows_only.windows.scores["gambling"] < 0.5  # diluted by the page

    docs = [_doc("buried", page), _doc("clean_long", _words(FILLER, 9000, seed=9)), _doc("short", passage)]
    write_records(tmp_path / "in.jsonl.zst", docs)
    stats = filter_shard(
        str(tmp_path / "in.jsonl.zst"), classifier, {"default": 0.5}, source="s", shard="000",
        out_path=tmp_path / "out.jsonl.zst", ledger_path=tmp_path / "ledger.jsonl.zst", stats_path=tmp_path / "stats.json",
        passages=SPANS,
    )
    assert [d["id"] for d in read_records(tmp_path / "out.jsonl.zst")] == ["clean_long"]
    events = {event["id"]: event for event in read_records(tmp_path / "ledger.jsonl.zst")}
    buried, short = events["buried"], events["short"]
    # The short page is its own window: the window reader drops it at the document threshold.
    assert short["reader"] == "window" and short["threshold"] == 0.5 and "passages" not in short
    assert buried["reader"] == "passage" and buried["rule"] == "gambling" and buried["threshold"] == 0.95
    assert buried["value"] >= 0.95 and buried["passage_scores"]["gambling"] == buried["value"]
    assert buried["scores"]["gambling"] < 0.5  # the window scores, as the window reader saw them
    # The span that dropped it lies on the passage.
    start, end = buried["passage_start"], buried["passage_end"]
    assert any(word in page[start:end] for word in GAMBLING) and buried["passage_text"] == page[start:end]
    assert page.index(passage) - 100 < start < page.index(passage) + len(passage)
    assert stats["passages"]["dropped"] == 1 and stats["passages"]["docs_read"] == 2  # the short page is one span
    clean_spans = len(SPANS.layout(len(token_spans(docs[1]["text"]).tokens)).starts)
    assert stats["passages"]["passages_read"] == buried["passages"] + clean_spans


def test_a_short_document_is_not_read_again_in_passages(toy_classifier):  # noqa: F811
    classifier = _classifier(toy_classifier)
    short, long = _words(FILLER, 40, seed=3), _words(FILLER, 3000, seed=4)
    assert len(token_spans(short).tokens) <= SPANS.tokens
    first, second = read_passages(classifier, [short, long], SPANS)
    assert first is None and second.read == len(SPANS.layout(len(token_spans(long).tokens)).starts)
    assert read_passages(classifier, [long], dataclasses.replace(SPANS, enabled=False)) == [None]


def test_passage_thresholds_are_their_own(toy_classifier):  # noqa: F811
    classifier = _classifier(toy_classifier)
    # A passage half ordinary words: its best span scores about 0.6 for gambling.
    passage = _words(GAMBLING + FILLER * 3, 60, seed=4)
    page = _words(FILLER, 4500, seed=5) + "\n" + passage + "\n" + _words(FILLER, 4500, seed=6)

    def drop(passage_thresholds, thresholds=None):
        settings = dataclasses.replace(SPANS, thresholds=passage_thresholds)
        return DocumentReader(classifier, thresholds or {"default": 0.5}, settings).read([page])[0].drop

    (reading,) = DocumentReader(classifier, {"default": 0.5}, SPANS).read([page])
    assert 0.55 < reading.passages.scores["gambling"] < 0.65 and reading.windows.scores["gambling"] < 0.5
    assert drop({"default": 0.95}) is None  # the document threshold (0.5) does not apply to spans
    assert drop({"default": 0.55}).reader == "passage"
    assert drop({"default": 0.55, "gambling": 0.65}) is None  # a category's own threshold wins over `default`
    assert drop({}) is None  # neither named nor `default`: 0.95
    # Where both readers flag a document, the window reader's verdict is recorded.
    assert drop({"default": 0.55}, {"gambling": reading.windows.scores["gambling"]}).reader == "window"


def test_held_out_evaluation_reads_as_the_filter_does(toy_classifier):  # noqa: F811
    classifier = _classifier(toy_classifier)
    page, _ = _buried_page(seed=7)
    examples = [Example(page, ("gambling",), "buried"), Example(_words(FILLER, 9000, seed=8), (), "clean")]
    without = evaluate_classifier(classifier, examples, {"default": 0.5})
    with_passages = evaluate_classifier(classifier, examples, {"default": 0.5}, passages=SPANS)
    assert without["per_category"]["gambling"]["tp"] == 0 and with_passages["per_category"]["gambling"]["tp"] == 1
    assert with_passages["harmful_vs_clean"]["recall"] == 1 and with_passages["harmful_vs_clean"]["fp"] == 0


def test_buried_recall_counts_per_category_and_is_the_same_on_a_rerun(toy_classifier):  # noqa: F811
    classifier = _classifier(toy_classifier)
    plants = [{"id": f"p{i}", "category": "gambling", "lang": "zh", "text": _words(GAMBLING, 60, seed=20 + i)}
              for i in range(3)]
    ordinary = {"zh": [_words(FILLER, 700, seed=30 + i) for i in range(6)]}
    readers = dict(windows_only=DocumentReader(classifier, {"default": 0.5}),
                   both=DocumentReader(classifier, {"default": 0.5}, SPANS))
    rows = buried_recall(plants, ordinary, chars=4000, seed=1, **readers)
    assert rows == [["gambling", 3, 0, 0.0, 3, 1.0, 3]]
    assert buried_recall(plants, ordinary, chars=4000, seed=1, **readers) == rows
    assert buried_recall([], ordinary, chars=4000, seed=1, **readers) == []
    page = bury("X", ordinary["zh"], random.Random(0), 4000)
    before, after = page.split("\n\nX\n\n")
    assert len(before) >= 4000 and len(after) >= 4000


def test_passage_defaults_equal_the_schema_defaults(repo):
    import yaml

    schema = yaml.safe_load((repo / "config" / "schema.yaml").read_text(encoding="utf-8"))
    properties = schema["properties"]["quality"]["properties"]["passages"]["properties"]
    assert dataclasses.asdict(PassageSettings()) == {key: value["default"] for key, value in properties.items()}
    assert PassageSettings.from_config({"tokens": 64, "thresholds": {"porn": 0.95}}) == PassageSettings(
        tokens=64, thresholds={"porn": 0.95})


def test_generated_clean_examples_include_tables_lists_and_headings():
    from xuanyuan.corpus.labelled import labelled_examples

    clean = [e["text"] for e in labelled_examples(1234, per_category=1, clean=400, hard_negative=0) if e["group"] == "clean"]
    assert sum("|---|" in text for text in clean) >= 10


def test_scores_do_not_depend_on_how_spans_are_chunked(toy_classifier, monkeypatch):  # noqa: F811
    import xuanyuan.quality.passages as passages

    classifier = _classifier(toy_classifier)
    texts = [_buried_page(seed)[0] for seed in (11, 12)] + [_words(FILLER, 40, seed=13), _words(FILLER, 2000, seed=14)]
    whole = read_passages(classifier, texts, SPANS)
    monkeypatch.setattr(passages, "_PREDICT_CHUNK", 3)
    assert read_passages(classifier, texts, SPANS) == whole
    assert whole[2] is None and all(result.read > 3 for i, result in enumerate(whole) if i != 2)


def test_the_report_lists_passage_drops_with_their_span_highest_score_first():
    from xuanyuan.quality.report import _passage_review_section

    drops = {
        "a": {"category": "porn", "score": 0.96, "source": "s", "reader": "passage", "span": "line one\nline | two"},
        "b": {"category": "gambling", "score": 0.99, "source": "s", "reader": "passage", "span": "赌场 彩金"},
        "c": {"category": "gambling", "score": 0.999, "source": "s", "reader": "window", "span": ""},
    }
    text = "".join(_passage_review_section(drops))
    assert "2 documents in all" in text
    assert text.index("| s | b | gambling | 0.99 | 赌场 彩金 |") < text.index("| s | a | porn | 0.96 | line one line \\| two |")
    assert "| c |" not in text
    assert _passage_review_section({"c": drops["c"]}) == []
