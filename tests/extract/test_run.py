"""extract_shard: every input is accounted for, reasons are right, output is deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import xuanyuan.extract.run as run_module
from xuanyuan.extract.run import extract_shard, resolve_extract_cfg
from xuanyuan.shards import read_records
from xuanyuan.sources import list_source_files

from .builders import make_image_only_pdf, make_report_pdf, make_truncated_pdf

ARTICLE = "".join(
    f"<p>第{i}段：中国人民银行宣布维持贷款市场报价利率不变，稳健的货币政策将保持流动性合理充裕，支持实体经济发展。</p>" for i in range(1, 6)
)
HTML_CFG = {"format": "html", "lang": "zh", "domain": "finance", "kind": "news"}


def html_page(title: str, body: str, charset: str = "utf-8") -> str:
    return f'<html><head><meta charset="{charset}"><title>{title}</title></head><body><nav><a href="/">首页</a></nav><article>{body}</article></body></html>'


def run_shard(tmp_path: Path, files, source_cfg, extract_cfg=None, tag="a"):
    out = tmp_path / f"out-{tag}" / "000.jsonl.zst"
    ledger = tmp_path / f"out-{tag}" / "000.ledger.jsonl.zst"
    stats_path = tmp_path / f"out-{tag}" / "000.stats.json"
    stats = extract_shard(
        files,
        source="news",
        source_cfg=source_cfg,
        # min_chars 50 so that the no_main_text path is exercised (the default only refuses empty text).
        extract_cfg={"min_chars": 50, **(extract_cfg or {})},
        out_path=out,
        ledger_path=ledger,
        stats_path=stats_path,
        shard="000",
    )
    return stats, list(read_records(out)), list(read_records(ledger)), out, ledger


@pytest.fixture
def html_source(tmp_path: Path) -> list[tuple[str, str]]:
    root = tmp_path / "raw" / "news"
    (root / "2024").mkdir(parents=True)
    (root / "2024" / "good.html").write_text(html_page("利率维持不变", ARTICLE), encoding="utf-8")
    # Declares UTF-8, is GBK: decoded right, kept, and the mismatch recorded.
    (root / "2024" / "gbk.html").write_bytes(html_page("国标编码页面", ARTICLE).encode("gbk"))
    (root / "empty.html").write_bytes(b"")
    (root / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (root / "huge.html").write_text(html_page("大文件", ARTICLE * 40), encoding="utf-8")
    (root / "navonly.html").write_text(html_page("导航", "<a href='/a'>首页</a>"), encoding="utf-8")
    (root / "boom.html").write_text(html_page("解析失败", ARTICLE), encoding="utf-8")
    return list_source_files(str(root / "**" / "*.html"))


def test_html_shard_accounts_for_every_file(tmp_path, html_source, monkeypatch):
    real_extract = run_module.extract_html

    def flaky_extract(text, **options):
        if "解析失败" in text:
            raise RuntimeError("parser exploded")
        return real_extract(text, **options)

    monkeypatch.setattr(run_module, "extract_html", flaky_extract)
    stats, docs, events, _, _ = run_shard(tmp_path, html_source, HTML_CFG, {"max_file_bytes": 20_000})

    assert stats["input"] == 7 == stats["kept"] + stats["dropped"]
    assert stats["kept"] == 2
    assert stats["dropped_by_rule"] == {
        "binary_file": 1,
        "empty_file": 1,
        "no_main_text": 1,
        "parse_error": 1,
        "too_large": 1,
    }
    assert stats["edits_by_rule"] == {"charset_mismatch": 1}

    by_id = {doc["id"]: doc for doc in docs}
    assert set(by_id) == {"news/2024/good.html", "news/2024/gbk.html"}
    gbk = by_id["news/2024/gbk.html"]
    assert "中国人民银行宣布维持贷款市场报价利率不变" in gbk["text"]
    assert gbk["meta"]["path"] == "2024/gbk.html"
    assert gbk["meta"]["title"] == "国标编码页面"
    assert gbk["meta"]["charset"] == "gb18030"
    assert (gbk["source"], gbk["lang"], gbk["domain"], gbk["kind"]) == ("news", "zh", "finance", "news")
    assert "首页" not in by_id["news/2024/good.html"]["text"]

    drops = {event["id"]: event for event in events if event["event"] == "drop"}
    assert drops["news/boom.html"]["rule"] == "parse_error"
    assert "parser exploded" in drops["news/boom.html"]["detail"]
    assert drops["news/huge.html"]["value"] > drops["news/huge.html"]["threshold"] == 20_000
    assert drops["news/empty.html"]["path"] == "empty.html"
    for event in drops.values():
        assert event["path"] in event["detail"]  # every message names its file
    edits = [event for event in events if event["event"] == "edit"]
    assert [(event["id"], event["rule"]) for event in edits] == [("news/2024/gbk.html", "charset_mismatch")]


def test_shard_output_is_byte_identical_across_runs(tmp_path, html_source):
    first = run_shard(tmp_path, html_source, HTML_CFG, tag="a")
    second = run_shard(tmp_path, html_source, HTML_CFG, tag="b")
    assert first[3].read_bytes() == second[3].read_bytes()
    assert first[4].read_bytes() == second[4].read_bytes()


def test_max_chars_drops_long_text(tmp_path, html_source):
    stats, docs, events, _, _ = run_shard(tmp_path, html_source[:1], HTML_CFG, {"max_chars": 100})
    assert stats["dropped_by_rule"] == {"too_large": 1}


def test_pdf_shard(tmp_path):
    root = tmp_path / "raw" / "reports"
    root.mkdir(parents=True)
    good = make_report_pdf(root / "good.pdf", pages=2)
    make_image_only_pdf(root / "scan.pdf")
    make_truncated_pdf(good, root / "cut.pdf")
    (root / "empty.pdf").write_bytes(b"")
    files = list_source_files(str(root / "*.pdf"))
    stats, docs, events, _, _ = run_shard(tmp_path, files, {"format": "pdf", "lang": "zh", "domain": "finance", "kind": "report"})
    assert stats["input"] == 4 == stats["kept"] + stats["dropped"]
    assert stats["dropped_by_rule"] == {"corrupt_pdf": 1, "empty_file": 1, "no_text_layer": 1}
    (doc,) = docs
    assert doc["id"] == "news/good.pdf"
    assert doc["meta"]["pages"] == 2 and doc["meta"]["tables"] == 1
    assert doc["meta"]["page_tables"] == [1, 0]
    assert "| 年份 | 评级 | 展望 |" in doc["text"]
    scan = next(event for event in events if event["rule"] == "no_text_layer")
    assert scan["path"] == "scan.pdf" and "OCR" in scan["detail"] and str(root) not in scan["detail"]


def test_text_shard(tmp_path):
    root = tmp_path / "raw" / "books"
    root.mkdir(parents=True)
    (root / "a.txt").write_bytes(("第一章 货币与信用。" * 20 + "\r\n第二章 银行。" * 5).encode("gbk"))
    (root / "b.txt").write_text("short", encoding="utf-8")
    files = list_source_files(str(root / "*.txt"))
    stats, docs, _, _, _ = run_shard(tmp_path, files, {"format": "text", "lang": "zh", "domain": "general", "kind": "book"})
    assert (stats["input"], stats["kept"], stats["dropped_by_rule"]) == (2, 1, {"no_main_text": 1})
    assert docs[0]["text"].startswith("第一章 货币与信用。") and "\r" not in docs[0]["text"]


def test_jsonl_shard_counts_every_line(tmp_path):
    root = tmp_path / "raw" / "qa"
    root.mkdir(parents=True)
    good_text = "问：什么是可转换公司债券？答：可转换公司债券是指发行人依法发行、在一定期间内依据约定的条件可以转换成股份的公司债券。"
    lines = [
        json.dumps({"text": good_text, "title": "可转债"}, ensure_ascii=False),
        json.dumps({"id": "faq-7", "text": good_text + "补充说明。", "meta": {"url": "https://example.com/7"}}, ensure_ascii=False),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"title": "no text here"}),
        json.dumps({"text": "   "}),
        "",
        json.dumps({"text": "too short"}),
    ]
    (root / "part-1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "part-2.jsonl").write_bytes(b'{"text": "\xff\xfe bad bytes"}\n')
    files = list_source_files(str(root / "*.jsonl"))
    stats, docs, events, _, _ = run_shard(tmp_path, files, {"format": "jsonl", "lang": "zh", "domain": "finance", "kind": "qa"})
    assert stats["input"] == 8 == stats["kept"] + stats["dropped"]  # the blank line is not a record
    assert stats["dropped_by_rule"] == {"bad_json": 2, "decode_error": 1, "missing_text": 2, "no_main_text": 1}
    assert [doc["id"] for doc in docs] == ["news/part-1.jsonl:1", "news/part-1.jsonl#faq-7"]
    assert docs[0]["meta"] == {"path": "part-1.jsonl", "line": 1, "title": "可转债"}
    assert docs[1]["meta"]["url"] == "https://example.com/7"
    bad = next(event for event in events if event["rule"] == "bad_json" and event["line_no"] == 3)
    assert bad["id"] == "news/part-1.jsonl:3" and "part-1.jsonl line 3" in bad["detail"]


def test_config_errors_name_the_key():
    with pytest.raises(ValueError, match="extract.html.extractr"):
        resolve_extract_cfg({"html": {"extractr": "hybrid"}})
    with pytest.raises(ValueError, match="extract.min_char"):
        resolve_extract_cfg({"min_char": 3})
    assert resolve_extract_cfg({"pdf": {"formulas": False}})["pdf"]["tables"] is True


def test_source_config_errors(tmp_path):
    with pytest.raises(ValueError, match="lacks lang"):
        run_shard(tmp_path, [], {"format": "html", "domain": "finance", "kind": "news"})
    with pytest.raises(ValueError, match="sources.news.format"):
        run_shard(tmp_path, [], {"format": "docx", "lang": "zh", "domain": "finance", "kind": "news"})


def test_compressed_jsonl_shards_are_read_and_a_truncated_one_is_recorded(tmp_path):
    import gzip

    import zstandard

    lines = "".join(json.dumps({"id": f"r{i}", "text": f"第{i}条记录的正文内容，足够长的一段中文文本用于测试。" * 3}, ensure_ascii=False) + "\n" for i in range(200))
    good = tmp_path / "good.jsonl.zst"
    good.write_bytes(zstandard.ZstdCompressor().compress(lines.encode()))
    gz = tmp_path / "more.jsonl.gz"
    gz.write_bytes(gzip.compress(lines.encode()))
    broken = tmp_path / "broken.jsonl.zst"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    files = [(str(p), p.name) for p in (good, gz, broken)]
    stats, docs, events, _, _ = run_shard(tmp_path, files, {"format": "jsonl", "lang": "zh", "domain": "general", "kind": "web"})
    assert stats["input"] == stats["kept"] + stats["dropped"]
    assert stats["dropped_by_rule"] == {"corrupt_file": 1}
    assert stats["kept"] == 400
    corrupt = next(e for e in events if e["rule"] == "corrupt_file")
    assert "broken.jsonl.zst" in corrupt["detail"] and "truncated" in corrupt["detail"]


def test_a_gzip_file_with_a_damaged_deflate_stream_is_recorded_and_keeps_what_was_read(tmp_path):
    import zlib

    # A deflate block of the reserved type 3 (the byte 0x07) after valid ones: zlib.error
    # ("invalid block type"), not an OSError, whatever the zlib build. It stopped the shard.
    lines = "".join(json.dumps({"id": f"r{i}", "text": LONG_TEXT.format(i) + hex(i * 7919) * 40}) + "\n" for i in range(3000))
    deflate = zlib.compressobj(wbits=31)  # 31: with a gzip header and trailer
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(deflate.compress(lines.encode()) + deflate.flush(zlib.Z_SYNC_FLUSH) + b"\x07" + bytes(64))
    stats, docs, events, _, _ = run_shard(tmp_path, [(str(damaged), damaged.name)], JSONL_CFG)
    assert stats["input"] == stats["kept"] + stats["dropped"]
    assert stats["dropped_by_rule"] == {"corrupt_file": 1}
    assert 0 < stats["kept"] < 3000 and [doc["meta"]["line"] for doc in docs] == list(range(1, stats["kept"] + 1))
    (corrupt,) = [event for event in events if event["event"] == "drop"]
    assert corrupt["path"] == "damaged.jsonl.gz" and f"after line {stats['kept']}" in corrupt["detail"]
    assert "invalid block type" in corrupt["detail"]


def test_a_plain_jsonl_file_cut_inside_a_record_is_recorded_as_truncated(tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text('{"id": "a", "text": "完整的第一条记录，内容足够长，可以通过抽取阶段的最小长度检查，这里再补充一些文字使它超过五十个字符的下限。"}\n{"id": "b", "te', encoding="utf-8")
    stats, docs, events, _, _ = run_shard(tmp_path, [(str(path), "cut.jsonl")], {"format": "jsonl", "lang": "zh", "domain": "general", "kind": "web"})
    assert stats["kept"] == 1 and stats["dropped_by_rule"] == {"truncated_file": 1}


JSONL_CFG = {"format": "jsonl", "lang": "zh", "domain": "general", "kind": "social"}
LONG_TEXT = "第{}条记录：可转换公司债券是指发行人依法发行、在一定期间内依据约定的条件可以转换成股份的公司债券，持有人可以选择转股或持有到期。"


def test_the_same_record_id_in_two_files_gives_two_ids(tmp_path):
    for name in ("part-0.jsonl", "part-1.jsonl"):
        (tmp_path / name).write_text(json.dumps({"id": "7", "text": LONG_TEXT.format(name)}, ensure_ascii=False) + "\n", encoding="utf-8")
    files = list_source_files(str(tmp_path / "*.jsonl"))
    stats, docs, _, _, _ = run_shard(tmp_path, files, JSONL_CFG)
    assert [doc["id"] for doc in docs] == ["news/part-0.jsonl#7", "news/part-1.jsonl#7"]


def test_a_record_id_repeated_in_one_file_is_a_user_error_naming_both_lines(tmp_path):
    from xuanyuan.errors import UserError

    lines = [{"id": "a", "text": LONG_TEXT.format(1)}, {"id": "b", "text": LONG_TEXT.format(2)}, {"id": "a", "title": "no text"}]
    (tmp_path / "dup.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    with pytest.raises(UserError, match=r"dup.jsonl line 1 and dup.jsonl line 3 both give the document id 'news/dup.jsonl#a'"):
        run_shard(tmp_path, [(str(tmp_path / "dup.jsonl"), "dup.jsonl")], JSONL_CFG)
    assert not (tmp_path / "out-a" / "000.jsonl.zst").exists()  # no half shard


def test_a_record_whose_id_looks_like_a_line_number_keeps_its_own_id(tmp_path):
    lines = [json.dumps({"text": LONG_TEXT.format(1)}, ensure_ascii=False), json.dumps({"id": "1", "text": LONG_TEXT.format(2)}, ensure_ascii=False)]
    (tmp_path / "p.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, docs, _, _, _ = run_shard(tmp_path, [(str(tmp_path / "p.jsonl"), "p.jsonl")], JSONL_CFG)
    assert [doc["id"] for doc in docs] == ["news/p.jsonl:1", "news/p.jsonl#1"]


def test_lone_surrogates_are_replaced_and_counted_and_a_record_made_of_them_is_dropped(tmp_path):
    text = LONG_TEXT.format(1)
    lines = [
        # json.dumps writes the lone surrogates as \ud800-style escapes, as a broken exporter would.
        json.dumps({"id": "s\ud83d", "text": text + "\ud83d", "title": "标题\udc00", "meta": {"k\ud800": ["v\udfff"]}}),
        json.dumps({"id": "bad", "text": "\ud800" * 80 + "正文"}),
        json.dumps({"id": "fine", "text": text + "😀"}),  # a surrogate *pair* is one character, untouched
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    files = [(str(path), "s.jsonl")]
    stats, docs, events, out, ledger = run_shard(tmp_path, files, JSONL_CFG)
    assert (stats["input"], stats["kept"], stats["dropped_by_rule"]) == (3, 2, {"decode_error": 1})
    assert stats["edits_by_rule"] == {"lone_surrogate": 5}  # id, text, title, meta key and value
    repaired, fine = docs
    assert repaired["id"] == "news/s.jsonl#s\ufffd"
    assert repaired["text"] == text + "\ufffd" and repaired["meta"]["title"] == "标题\ufffd"
    assert repaired["meta"]["k\ufffd"] == ["v\ufffd"]
    assert fine["text"] == text + "😀"
    drop = next(e for e in events if e["event"] == "drop")
    assert drop["id"] == "news/s.jsonl#bad" and drop["line_no"] == 2 and "s.jsonl line 2" in drop["detail"]
    assert "surrogate" in drop["detail"]
    edit = next(e for e in events if e["event"] == "edit")
    assert (edit["id"], edit["rule"], edit["count"]) == ("news/s.jsonl#s\ufffd", "lone_surrogate", 5)
    again = run_shard(tmp_path, files, JSONL_CFG, tag="b")
    assert (again[3].read_bytes(), again[4].read_bytes()) == (out.read_bytes(), ledger.read_bytes())


def test_stray_bytes_in_a_declared_gbk_page_are_an_edit_not_a_wrong_charset(tmp_path):
    raw = html_page("国标编码页面", ARTICLE, charset="gb2312").encode("gbk")
    cut = raw.index("稳健".encode("gbk"))
    (tmp_path / "onebad.html").write_bytes(raw[:cut] + b"\xff" + raw[cut:])
    (tmp_path / "truncated.html").write_bytes(raw[: raw.rindex("发展".encode("gbk")) + 1])  # cut inside 发
    (tmp_path / "clean.html").write_bytes(raw)
    stats, docs, events, _, _ = run_shard(tmp_path, list_source_files(str(tmp_path / "*.html")), HTML_CFG)
    assert stats["kept"] == 3
    assert {doc["meta"]["charset"] for doc in docs} == {"gb18030"}
    assert all("中国人民银行宣布维持贷款市场报价利率不变" in doc["text"] for doc in docs)
    assert stats["edits_by_rule"] == {"undecodable_bytes": 2}  # no charset_mismatch: the declaration was right
    edits = sorted((event["id"], event["count"]) for event in events if event["event"] == "edit")
    assert edits == [("news/onebad.html", 1), ("news/truncated.html", 1)]


def test_max_pages_is_recorded_in_meta_and_ledger(tmp_path):
    make_report_pdf(tmp_path / "long.pdf", pages=3)
    make_report_pdf(tmp_path / "short.pdf", pages=1)
    files = list_source_files(str(tmp_path / "*.pdf"))
    pdf_cfg = {"format": "pdf", "lang": "zh", "domain": "finance", "kind": "report"}
    stats, docs, events, _, _ = run_shard(tmp_path, files, pdf_cfg, {"pdf": {"max_pages": 2}})
    long, short = docs
    assert (long["meta"]["pages"], long["meta"]["pages_read"]) == (3, 2)
    assert "第3节" not in long["text"] and "第2节" in long["text"]
    assert short["meta"]["pages"] == 1 and "pages_read" not in short["meta"]  # read whole: meta as before
    assert stats["edits_by_rule"] == {"max_pages": 1}
    (edit,) = [event for event in events if event["event"] == "edit"]
    assert (edit["id"], edit["rule"], edit["count"]) == ("news/long.pdf", "max_pages", 1)  # count: pages left out


def test_chars_in_counts_characters_not_bytes(tmp_path):
    page = html_page("利率维持不变", ARTICLE)
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    (tmp_path / "b.html").write_bytes(b"")
    stats, _, _, _, _ = run_shard(tmp_path, list_source_files(str(tmp_path / "*.html")), HTML_CFG)
    assert stats["chars_in"] == len(page) < len(page.encode("utf-8"))
    line = json.dumps({"text": LONG_TEXT.format(1)}, ensure_ascii=False)
    (tmp_path / "c.jsonl").write_text(line + "\n" + "\n", encoding="utf-8")
    stats, _, _, _, _ = run_shard(tmp_path, [(str(tmp_path / "c.jsonl"), "c.jsonl")], JSONL_CFG, tag="j")
    assert stats["chars_in"] == len(line) + 1  # the line with its newline; the blank line is no record


def test_a_frameset_page_is_dropped_as_no_main_text(tmp_path):
    (tmp_path / "frames.html").write_text('<html><head><title>框架</title></head><frameset><frame src="a.html"></frameset></html>')
    stats, _, events, _, _ = run_shard(tmp_path, list_source_files(str(tmp_path / "*.html")), HTML_CFG)
    assert stats["dropped_by_rule"] == {"no_main_text": 1}
    assert events[0]["id"] == "news/frames.html"
