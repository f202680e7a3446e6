"""The plant evaluation counts hits, misses and false positives the way its tables say."""


from xuanyuan.ledger import StageLedger
from xuanyuan.plant_eval import LedgerIndex, evaluate_plants, score_snippets, score_tables


def _gt(doc_id, plant, category, rules=(), **detail):
    return {"id": doc_id, "plant": plant, "category": category, "expect_rules": list(rules), "detail": detail}


def _ledgers(tmp_path):
    extract = StageLedger("extract", "s", 0, tmp_path / "e.jsonl.zst")
    for _ in range(2):
        extract.saw()
    extract.drop(doc_id="s/empty", rule="empty_file")
    extract.edit(doc_id="s/gbk", rule="charset_mismatch", count=1)
    extract.keep({"id": "s/gbk", "text": "x"})
    extract.close(tmp_path / "e.json")
    clean = StageLedger("clean", "s", 0, tmp_path / "c.jsonl.zst")
    for _ in range(3):
        clean.saw()
    clean.drop(doc_id="s/short", rule="min_chars", value=3, threshold=">= 30")
    clean.drop(doc_id="s/good", rule="fineweb_line_punct", value=0.1, threshold=">= 0.12")
    clean.remove_line(doc_id="s/boiler", rule="boilerplate_lines", line="扫码关注我们", line_no=3)
    clean.keep({"id": "s/boiler", "text": "x"})
    clean.close(tmp_path / "c.json")
    return LedgerIndex([tmp_path / "e.jsonl.zst", tmp_path / "c.jsonl.zst"])


def test_counts_hits_misses_false_positives_and_bad_files(tmp_path):
    truth = [
        _gt("s/short", "low_quality", "too_short", ["min_chars"]),
        _gt("s/spam", "low_quality", "symbol_spam", ["symbol_spam"]),  # missed
        _gt("s/good", "clean", "clean"),  # dropped: a false positive
        _gt("s/boiler", "boilerplate_line", "boilerplate_line", ["boilerplate_lines"], lines=["扫码关注我们", "版权所有"]),
        _gt("s/pii", "pii", "pii", by_kind={"pii_mobile": ["13812345678"]}, negatives=["600519"]),
        _gt("s/empty", "bad_file", "empty_file", ["empty_file"]),
        _gt("s/gbk", "bad_file", "charset_mismatch", ["charset_mismatch"]),
    ]
    texts = {"s/boiler": "正文。版权所有", "s/pii": "电话[手机号]，代码600519"}
    sections = evaluate_plants(truth, _ledgers(tmp_path), texts)
    planted, caught, false_positives, reference, precision, recall = sections["documents_summary"][0]
    assert (planted, caught, false_positives) == (2, 1, 1)
    assert (precision, recall) == (0.5, 0.5)
    assert sections["false_positive_rules"] == [["fineweb_line_punct", 1]]
    assert sections["lines"] == [["boilerplate_line", 2, 1, 1, 0.5]]
    assert sections["pii"] == [["pii_mobile", 1, 1, 1.0]]
    assert sections["pii_negatives"] == [[1, 1, 1.0]]
    assert [row[-1] for row in sections["bad_files"]] == ["yes", "yes"]


def test_snippet_scoring_normalises_whitespace():
    score = score_snippets("正文 第一段\n\n 内容", {"with": ["正文 第一段 内容"], "without": ["首页 | 新闻"]})
    assert score == {"with_total": 1, "with_found": 1, "without_total": 1, "without_absent": 1}


def test_table_rows_count_only_as_whole_markdown_lines():
    text = "前言\n\n| 项目 | 2023A |\n|---|---|\n| 存货 |  50,157.03 |\n\n| 代码 | 简称 股价 |\n"
    tables = [["| 项目 | 2023A |", "| 存货 | 50,157.03 |"], ["| 代码 | 简称 | 股价 |"]]
    score = score_tables(text, tables)
    # whitespace inside a line is normalised; merged cells ("简称 股价") are a miss
    assert score == {"tables": 2, "rows": 3, "rows_found": 2, "tables_complete": 1}
