import pytest

from xuanyuan.ledger import LedgerMismatch, StageLedger
from xuanyuan.shards import read_json, read_records


def test_counts_events_and_stats(tmp_path):
    ledger = StageLedger("clean", "src", 0, tmp_path / "l.jsonl.zst", max_text_chars=5)
    doc = {"id": "src/a", "text": "0123456789"}
    ledger.saw(10)
    ledger.drop(doc_id="src/a", rule="min_chars", value=10, threshold=">= 50", doc=doc)
    ledger.saw(3)
    ledger.remove_line(doc_id="src/b", rule="boilerplate_lines", line="版权所有", line_no=3)
    ledger.edit(doc_id="src/b", rule="pii_mobile", count=2)
    ledger.keep({"id": "src/b", "text": "abc"})
    stats = ledger.close(tmp_path / "s.json")
    assert stats == read_json(tmp_path / "s.json")
    assert (stats["input"], stats["kept"], stats["dropped"]) == (2, 1, 1)
    assert stats["dropped_by_rule"] == {"min_chars": 1}
    assert stats["lines_removed_by_rule"] == {"boilerplate_lines": 1}
    assert stats["edits_by_rule"] == {"pii_mobile": 2}
    events = list(read_records(tmp_path / "l.jsonl.zst"))
    assert [e["event"] for e in events] == ["drop", "line", "edit"]
    assert events[0]["doc"]["text"] == "01234" and events[0]["text_truncated_from"] == 10
    assert events[0]["threshold"] == ">= 50"


def test_lost_document_fails_on_close(tmp_path):
    ledger = StageLedger("clean", "src", 0, tmp_path / "l.jsonl.zst")
    ledger.saw()
    ledger.saw()
    ledger.keep({"id": "x", "text": ""})
    with pytest.raises(LedgerMismatch, match="input 2 != kept 1 \\+ dropped 0"):
        ledger.close(tmp_path / "s.json")
