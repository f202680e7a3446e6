"""Extraction on the shared real pages and PDFs; skipped cleanly when shared/data is absent."""

from __future__ import annotations

import json
import re

import pytest

from xuanyuan.extract.encoding import decode_html
from xuanyuan.extract.errors import GarbledTextLayer, NoTextLayer
from xuanyuan.extract.html import extract_html
from xuanyuan.extract.pdf import extract_pdf
from xuanyuan.extract.run import extract_shard
from xuanyuan.shards import read_records
from xuanyuan.sources import list_source_files

GB2312_PAGE = "archive.org.he.xinhuanet.com.25340717.html"


def normalise(text: str) -> str:
    return " ".join(text.split())


def expectation_results(shared_data):
    folder = shared_data / "html_extraction"
    if not (folder / "expectations.json").is_file():
        pytest.skip(f"{folder}/expectations.json not found")
    expectations = json.loads((folder / "expectations.json").read_text(encoding="utf-8"))
    results = {}
    for entry in expectations.values():
        text = normalise(extract_html(decode_html((folder / "pages" / entry["file"]).read_bytes()).text).text)
        found = [normalise(s) in text for s in entry["with"]]
        leaked = [normalise(s) in text for s in entry["without"]]
        results[entry["file"]] = (entry, found, leaked)
    return results


def test_html_pages_meet_expectations(shared_data):
    results = expectation_results(shared_data)
    passed = sum(sum(found) + sum(not leak for leak in leaked) for _, found, leaked in results.values())
    total = sum(len(found) + len(leaked) for _, found, leaked in results.values())
    assert passed / total >= 0.90, f"pass rate {passed}/{total}"


def test_gb2312_page_is_decoded(shared_data):
    raw = (shared_data / "html_extraction" / "pages" / GB2312_PAGE).read_bytes()
    decoded = decode_html(raw)
    assert decoded.declared == "gb2312" and decoded.encoding == "gb18030" and not decoded.mismatch
    entry, found, _ = expectation_results(shared_data)[GB2312_PAGE]
    assert all(found), [s for s, ok in zip(entry["with"], found) if not ok]
    assert any(re.search(r"[\u4e00-\u9fff]", s) for s in entry["with"])


@pytest.mark.parametrize("damage", ["one_bad_byte", "cut_inside_a_char"])
def test_damaged_gb2312_page_keeps_its_declared_charset(shared_data, damage):
    # A stray byte or a download cut inside a character sent this page to detection: cp874 or utf-8 mojibake.
    raw = (shared_data / "html_extraction" / "pages" / GB2312_PAGE).read_bytes()
    cut = len(raw) // 2
    while not (raw[cut] >= 0x81 and raw[cut + 1] >= 0x40 and raw[cut - 1] < 0x80):
        cut += 1  # the lead byte of a two-byte character
    raw = raw[:cut] + b"\xff" + raw[cut:] if damage == "one_bad_byte" else raw[: cut + 1]
    decoded = decode_html(raw)
    assert (decoded.encoding, decoded.method, decoded.mismatch, decoded.replaced) == ("gb18030", "declared", False, 1)
    clean = decode_html((shared_data / "html_extraction" / "pages" / GB2312_PAGE).read_bytes())
    assert decoded.text[: cut // 2] == clean.text[: cut // 2]


def markdown_tables(text: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def columns(row: str) -> int:
    return len(re.split(r"(?<!\\)\|", row.strip())) - 2


def test_bond_prospectus_tables(shared_data):
    result = extract_pdf(shared_data / "pdf_extraction" / "zh_bond_prospectus_rating_tables.pdf")
    tables = markdown_tables(result.text)
    assert result.tables == 2 and len(tables) == 2
    # Both tables have five columns on the page: 年份/主体信用评级/涵义/评级机构/评级展望 and
    # 序号/金融机构名称/授信总额/已使用情况/剩余额度; 4 and 11 data rows.
    for table, data_rows in zip(tables, (4, 11)):
        assert {columns(row) for row in table} == {5}
        assert len(table) == 2 + data_rows
    assert tables[0][0] == "| 年份 | 主体信用评级 | 涵义 | 评级机构 | 评级展望 |"
    assert tables[1][0] == "| 序号 | 金融机构名称 | 授信总额 | 已使用情况 | 剩余额度 |"
    assert "| 1 | 工商银行 | 330,435.30 | 234,850.00 | 95,585.30 |" in tables[1]
    # Cell text is not repeated in the prose around the tables.
    assert result.text.count("330,435.30") == 2
    assert "本次发行不引用主体评级" in result.text


def test_union_rules_table(shared_data):
    result = extract_pdf(shared_data / "pdf_extraction" / "zh_union_rules_list_table.pdf")
    (table,) = markdown_tables(result.text)
    assert table[0] == "| 职位 | 人数 | 工作职责 |"
    assert len(table) == 2 + 7


def test_scanned_pdf_has_no_text_layer(shared_data, tmp_path):
    path = shared_data / "pdf_extraction" / "zh_scanned_economics_textbook_no_text_layer.pdf"
    with pytest.raises(NoTextLayer):
        extract_pdf(path)
    files = list_source_files(str(path))
    stats = extract_shard(
        files,
        source="books",
        source_cfg={"format": "pdf", "lang": "zh", "domain": "general", "kind": "book"},
        extract_cfg={},
        out_path=tmp_path / "out.jsonl.zst",
        ledger_path=tmp_path / "ledger.jsonl.zst",
        stats_path=tmp_path / "stats.json",
        shard=0,
    )
    assert stats["dropped_by_rule"] == {"no_text_layer": 1}
    (event,) = list(read_records(tmp_path / "ledger.jsonl.zst"))
    assert event["rule"] == "no_text_layer" and event["path"] == path.name


def test_garbled_font_pdf_is_reported(shared_data):
    with pytest.raises(GarbledTextLayer):
        extract_pdf(shared_data / "pdf_extraction" / "zh_math_garbled_font_formula.pdf")


def test_academic_paper_formulas(shared_data):
    result = extract_pdf(shared_data / "pdf_extraction" / "en_academic_paper_formula.pdf")
    assert r"$\mathcal{O}(\omega^{2})$" in result.text
    assert r"\frac{\Delta_{c}(p, p_{t-1})}{\gamma_{t}}" in result.text
    assert r"\tag{9}" in result.text
    assert result.formulas >= 5


def test_running_header_removed_from_annual_report(shared_data):
    result = extract_pdf(shared_data / "pdf_extraction" / "en_alphabet_2022_annual_report_p56-59.pdf")
    assert "ALPHABET INC. ● ANNUAL REPORT" not in result.text
    assert result.pages == 4
