"""Profiles, clean_document's ledger events, and clean_shard end to end."""

from __future__ import annotations

import pytest

from xuanyuan.clean.base import LEVEL_ORDER
from xuanyuan.clean.pipeline import EMPTY_RULE, build_rules, clean_document, clean_shard, validate_profile
from xuanyuan.clean.registry import RULES
from xuanyuan.shards import read_json, read_records, write_records

from .helpers import EN_NEWS, ZH_NEWS, RecordingLedger, doc, id_number

PHONE = "13812345678"
ID = id_number("11010519491231002")


# -- profiles ---------------------------------------------------------------------------


def test_build_rules_default_is_every_enabled_rule_in_level_order():
    rules = build_rules(None)
    names = [rule.name for rule in rules]
    assert names == [name for name, cls in RULES.items() if cls.enabled_by_default and name in names]
    levels = [LEVEL_ORDER.index(rule.level) for rule in rules]
    assert levels == sorted(levels)
    assert "traditional_to_simplified" not in names and "digit_ratio" not in names
    assert {rule.name for rule in rules} == {name for name, cls in RULES.items() if cls.enabled_by_default}


def test_build_rules_profile_disables_enables_and_overrides():
    rules = {rule.name: rule for rule in build_rules({"pii_url": False, "digit_ratio": True, "min_chars": {"min": {"zh": 80}}})}
    assert "pii_url" not in rules and "digit_ratio" in rules
    assert rules["min_chars"].for_lang("zh")["min"] == 80 and rules["min_chars"].for_lang("en")["min"] == 100
    enabled = {rule.name for rule in build_rules({"traditional_to_simplified": {"config": "t2s"}})}
    assert "traditional_to_simplified" in enabled


@pytest.mark.parametrize(
    "profile,message",
    [
        ({"gopher_wordcount": True}, "unknown cleaning rule 'gopher_wordcount' (did you mean 'gopher_word_count'?)"),
        ({"min_chars": {"minimum": 3}}, "cleaning rule 'min_chars' has no parameter 'minimum'; allowed: min"),
        ({"min_chars": {"min": "ten"}}, "parameter 'min' is 'ten'"),
        ({"min_chars": "yes"}, "use true, false or a mapping"),
        ({"cjk_ratio": {"min_letters": {"zh": 5}}}, "is the same for every language"),
        ({"min_chars": {"min": {"fr": 10}}}, "per-language keys ['fr']"),
        ({"pii_url": {"mode": "hide"}}, "mode is 'hide'; allowed: mask, remove, domain"),
        ({"boilerplate_lines": {"lexicons": {"zh": ["config/lexicons/missing.txt"]}}}, "lexicon 'config/lexicons/missing.txt' cannot be read"),
        ({"whitespace_normalize": {"strip_lines": 1}}, "must be true or false"),
    ],
)
def test_profile_errors_name_rule_and_fix(profile, message):
    problems = validate_profile(profile)
    assert len(problems) == 1 and message in problems[0], problems
    with pytest.raises(ValueError, match="invalid cleaning profile"):
        build_rules(profile)


def test_validate_profile_reports_every_problem_at_once():
    problems = validate_profile({"nope": True, "min_chars": {"x": 1}, "pii_url": False})
    assert len(problems) == 2
    assert problems[0].startswith("unknown cleaning rule 'nope'; known rules: control_chars, html_residue")
    assert problems[1] == "cleaning rule 'min_chars' has no parameter 'x'; allowed: min"
    assert validate_profile(None) == [] and validate_profile({}) == []
    assert "mapping" in validate_profile(["min_chars"])[0]


# -- documents --------------------------------------------------------------------------


def test_clean_document_records_removed_lines_edits_and_masks_pii_in_the_ledger():
    text = f"首页 | 新闻 | 财经 | 科技\n{ZH_NEWS}\n如有疑问请致电{PHONE}，身份证号{ID}。\n版权所有 © 2023 示例网，联系电话{PHONE}"
    ledger = RecordingLedger()
    cleaned = clean_document(doc(text), build_rules(), ledger)
    assert cleaned is not None
    assert "首页" not in cleaned["text"] and "版权所有" not in cleaned["text"]
    assert "[手机号]" in cleaned["text"] and "[身份证号]" in cleaned["text"] and PHONE not in cleaned["text"]
    assert [(event["rule"], event["line_no"]) for event in ledger.lines] == [("navigation_lines", 1), ("boilerplate_lines", 7)]
    # The removed copyright line carried a phone number: the ledger holds it masked.
    assert PHONE not in ledger.lines[1]["line"] and "[手机号]" in ledger.lines[1]["line"]
    assert {event["rule"] for event in ledger.edits} >= {"pii_mobile", "pii_id_card"}
    assert all("line" not in event and PHONE not in str(event) for event in ledger.edits)
    assert cleaned["meta"]["clean"]["lines_removed"] == 2
    assert ledger.drops == []


def test_clean_document_returns_a_new_record_and_keeps_the_input():
    record = doc(ZH_NEWS + "\n\n\n\n", meta={"source_file": "a.html"})
    cleaned = clean_document(record, build_rules())
    assert cleaned is not record and record["text"].endswith("\n\n\n\n")
    assert list(cleaned) == list(record) and cleaned["meta"]["source_file"] == "a.html"


def test_clean_document_drops_with_the_first_failing_rule():
    ledger = RecordingLedger()
    assert clean_document(doc("锟斤拷锟斤拷顶"), build_rules(), ledger) is None
    (drop,) = ledger.drops
    assert drop["rule"] == "mojibake" and drop["doc_id"] == "d1" and drop["threshold"] == "<= 0.002"
    assert drop["doc"]["text"] == "锟斤拷锟斤拷顶"


def test_clean_document_drops_documents_emptied_by_line_removal():
    ledger = RecordingLedger()
    assert clean_document(doc("首页 | 新闻 | 财经 | 科技\n版权所有 © 2023 示例网"), build_rules(), ledger) is None
    assert [drop["rule"] for drop in ledger.drops] == [EMPTY_RULE]
    assert len(ledger.lines) == 2


def test_clean_document_skips_rules_of_other_languages():
    rules = build_rules({"punctuation_width": True})
    cleaned = clean_document(doc(EN_NEWS.replace("unchanged on", "unchanged(really)on"), "en"), rules)
    assert cleaned is not None and "unchanged(really)on" in cleaned["text"]


def test_clean_document_without_rules_changes_nothing():
    record = doc(ZH_NEWS)
    assert clean_document(record, [])["text"] == ZH_NEWS


# -- shards -----------------------------------------------------------------------------


def test_clean_shard_end_to_end(tmp_path):
    records = [
        doc(ZH_NEWS, doc_id="keep-zh"),
        doc(EN_NEWS + "\nAll rights reserved.", "en", doc_id="keep-en-with-boilerplate"),
        doc("顶", doc_id="drop-short"),
        doc("首页 | 新闻 | 财经 | 科技", doc_id="drop-empty"),
        doc(ZH_NEWS.replace("\n", "") * 2, doc_id="drop-duplicated"),  # an article stored twice in one line
    ]
    source = tmp_path / "in.jsonl.zst"
    write_records(source, records)
    out, ledger_path, stats_path = tmp_path / "out.jsonl.zst", tmp_path / "ledger.jsonl.zst", tmp_path / "stats.json"
    stats = clean_shard(source, out, ledger_path, stats_path, source="test", shard="000", profile={"pii_url": False})

    kept = list(read_records(out))
    assert [record["id"] for record in kept] == ["keep-zh", "keep-en-with-boilerplate"]
    assert "All rights reserved" not in kept[1]["text"]
    assert stats["input"] == 5 == stats["kept"] + stats["dropped"]
    assert stats["dropped_by_rule"] == {"empty_after_cleaning": 1, "gopher_dup_ngram": 1, "min_chars": 1}
    assert stats["lines_removed_by_rule"] == {"boilerplate_lines": 1, "navigation_lines": 1}
    assert read_json(stats_path) == stats
    events = list(read_records(ledger_path))
    assert {event["event"] for event in events} >= {"drop", "line"}
    line_events = [event for event in events if event["event"] == "line"]
    assert {(event["id"], event["line_no"]) for event in line_events} == {("keep-en-with-boilerplate", 5), ("drop-empty", 1)}


def test_clean_shard_rejects_bad_records_and_profiles(tmp_path):
    source = tmp_path / "in.jsonl"
    write_records(source, [{"id": "x", "lang": "zh"}])
    with pytest.raises(ValueError, match="record 1 .*lacks text"):
        clean_shard(source, tmp_path / "o.jsonl", tmp_path / "l.jsonl", tmp_path / "s.json", source="s", shard=0)
    assert not (tmp_path / "o.jsonl").exists() and not (tmp_path / "s.json").exists()
    with pytest.raises(ValueError, match="unknown cleaning rule"):
        clean_shard(source, tmp_path / "o.jsonl", tmp_path / "l.jsonl", tmp_path / "s.json", source="s", shard=0, profile={"x": True})
