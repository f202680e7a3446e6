"""Each format parser, the ledger reasons, file reading and exact-repeat removal."""

from __future__ import annotations

import json

import pytest

from xuanyuan.errors import UserError
from xuanyuan.sft import InvalidRecord, InstructionFile, ingest, ingest_paths, record_format, to_conversation


def conv(record, **labels):
    return to_conversation(record, source="test", default_id="test:0", **labels)


def reason_of(record) -> str:
    with pytest.raises(InvalidRecord) as info:
        conv(record)
    return info.value.reason


def test_alpaca_joins_instruction_and_input_and_reads_history():
    c = conv({"instruction": " 翻译成英文 ", "input": "你好\n", "output": " Hello \n",
              "history": [["第一问", "第一答"]], "system": "SYS"})
    assert c.turns == (("第一问", "第一答"), ("翻译成英文\n你好", "Hello"))
    assert c.system == "SYS" and c.source == "test" and c.id == "test:0"


def test_alpaca_empty_input_and_empty_history():
    c = conv({"instruction": "Q", "input": "", "output": "A", "history": []})
    assert c.turns == (("Q", "A"),) and c.system is None


@pytest.mark.parametrize("keys", [("from", "value", "human", "gpt"), ("role", "content", "user", "assistant")])
def test_sharegpt_both_key_styles_multi_turn_and_system(keys):
    role, text, human, bot = keys
    record = {"conversations": [{role: "system", text: "S"}, {role: human, text: "q1"}, {role: bot, text: "a1"},
                                {role: human, text: "q2"}, {role: bot, text: "a2"}]}
    c = conv(record)
    assert c.system == "S" and c.turns == (("q1", "a1"), ("q2", "a2"))
    assert record_format(record) == "sharegpt"


@pytest.mark.parametrize("q_key,a_key", [("question", "answer"), ("prompt", "response"), ("instruction", "response")])
def test_question_answer_variants(q_key, a_key):
    record = {q_key: "Q?", a_key: "A.", "id": 7, "domain": "finance", "category": "risk", "lang": "en"}
    c = conv(record)
    assert record_format(record) == "qa" and c.turns == (("Q?", "A."),)
    assert (c.id, c.domain, c.category, c.lang) == ("7", "finance", "risk", "en")


def test_reader_labels_are_defaults_that_records_override():
    assert conv({"question": "q", "answer": "a"}, domain="general", category="math").category == "math"
    assert conv({"question": "q", "answer": "a", "category": "code"}, category="math").category == "code"


@pytest.mark.parametrize("record,reason", [
    ([1, 2], "not_an_object"),
    ({"text": "plain"}, "unknown_format"),
    ({"instruction": "q", "input": ""}, "missing_field"),
    ({"instruction": "q", "output": 3}, "wrong_type"),
    ({"instruction": 5, "output": "a"}, "wrong_type"),
    ({"instruction": " ", "input": "", "output": "a"}, "empty_question"),
    ({"instruction": "q", "output": "  "}, "empty_answer"),
    ({"instruction": "q", "output": "a", "history": [["only one"]]}, "bad_history"),
    ({"instruction": "q", "output": "a", "history": "q a"}, "bad_history"),
    ({"instruction": "q", "output": "a", "history": [["q", ""]]}, "bad_history"),
    ({"question": "", "answer": "a"}, "empty_question"),
    ({"question": "q"}, "missing_field"),
    ({"conversations": "hi"}, "wrong_type"),
    ({"conversations": [{"from": "human", "value": 1}]}, "wrong_type"),
    ({"conversations": [{"from": "human"}]}, "missing_field"),
    ({"conversations": [{"from": "gpt", "value": "a"}]}, "bad_roles"),
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "human", "value": "q"}]}, "bad_roles"),
    ({"conversations": [{"from": "alien", "value": "q"}]}, "bad_roles"),
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"},
                        {"from": "system", "value": "s"}]}, "bad_roles"),
    ({"conversations": [{"from": "human", "value": "q"}]}, "no_answer"),
    ({"conversations": []}, "no_answer"),
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": " "}]}, "empty_answer"),
    ({"question": "q", "answer": "a", "system": 3}, "wrong_type"),
])
def test_bad_records_get_a_reason(record, reason):
    assert reason_of(record) == reason


def test_files_json_array_and_jsonl_ledger_and_duplicates(tmp_path):
    array = tmp_path / "a.json"
    array.write_text(json.dumps([
        {"instruction": "q1", "input": "", "output": "a1"},
        {"instruction": "q2", "input": ""},                      # missing output
        {"instruction": "q1", "input": "", "output": "a1"},      # exact repeat
    ], ensure_ascii=False), encoding="utf-8")
    lines = tmp_path / "b.json"  # JSONL content under a .json name: read by content, not suffix
    lines.write_text("\n".join([
        json.dumps({"conversations": [{"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"}]}),
        "",
        "{not json",
        json.dumps({"question": "q3", "answer": "a3"}),
    ]) + "\n", encoding="utf-8")
    result = ingest([InstructionFile(array, "alpaca"), InstructionFile(lines, "mixed", domain="general")])
    assert [c.turns for c in result.conversations] == [(("q1", "a1"),), (("q3", "a3"),)]
    entries = [(e.file.split("/")[-1], e.index, e.reason) for e in result.ledger]
    assert entries == [("a.json", 1, "missing_field"), ("a.json", 2, "duplicate"), ("b.json", 0, "duplicate"),
                       ("b.json", 2, "invalid_json")]
    counts = result.counts
    assert counts["records"] == 6 == counts["kept"] + counts["invalid"] + counts["duplicates"]
    assert counts["files"] == 2 and counts["by_reason"]["duplicate"] == 2
    assert result.conversations[1].domain == "general" and result.conversations[1].id == "mixed:b:3"


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes("\ufeff".encode() + json.dumps({"question": "q", "answer": "a"}).encode() + b"\n")
    assert ingest_paths([path]).counts["kept"] == 1


def test_duplicates_ignore_source_and_id_but_not_system():
    a = conv({"question": "q", "answer": "a", "id": "x"})
    b = to_conversation({"question": "q", "answer": "a", "id": "y"}, source="other", default_id="o")
    c = conv({"question": "q", "answer": "a", "system": "S"})
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_pretty_printed_single_object_is_one_record(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"instruction": "什么是债券？", "output": "债券是一种债务凭证。"}, ensure_ascii=False,
                              indent=2), encoding="utf-8")
    result = ingest_paths([one])
    assert result.counts["records"] == 1 and result.counts["kept"] == 1 and result.ledger == []
    assert result.conversations[0].turns == (("什么是债券？", "债券是一种债务凭证。"),)


def test_broken_pretty_printed_object_is_an_error_naming_the_file_the_line_and_the_fix(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "instruction": "q",\n  "output": "a"\n', encoding="utf-8")  # the closing brace lost
    with pytest.raises(UserError, match=r"broken.json: line 4, column 1: neither JSONL .* nor one JSON object") as info:
        ingest_paths([broken])
    assert "JSONL" in str(info.value) and "fix the JSON there" in str(info.value)
    # JSONL whose lines partly fail is still JSONL: the bad lines are ledgered one by one.
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"question": "q", "answer": "a"}\n{oops\n', encoding="utf-8")
    assert ingest_paths([mixed]).counts["by_reason"] == {"invalid_json": 1}


def test_a_file_that_cannot_be_parsed_stops_ingestion_instead_of_vanishing(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"question": "q", "answer": "a"}) + "\n", encoding="utf-8")
    broken = tmp_path / "broken.json"  # a JSON array with a syntax error on its second line
    broken.write_text('[{"instruction": "q", "output": "a"},\n {"instruction": "q2" "output": "b"}]\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"broken.json: line 2, column 23: not a valid JSON array .*fix the JSON there"):
        ingest([InstructionFile(good, "good"), InstructionFile(broken, "broken")])
    gbk = tmp_path / "gbk.jsonl"  # a Chinese file saved in GBK: its second line is not UTF-8
    gbk.write_bytes(b'{"question": "q", "answer": "a"}\n' + json.dumps({"question": "市盈率", "answer": "a"},
                                                                        ensure_ascii=False).encode("gbk") + b"\n")
    with pytest.raises(UserError, match=r"gbk.jsonl: line 2, byte 15: not UTF-8 text .*re-save the file as UTF-8"):
        ingest([InstructionFile(good, "good"), InstructionFile(gbk, "gbk")])
