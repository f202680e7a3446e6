"""The generated corpus: determinism, shapes per source, plants and their ground truth."""

from __future__ import annotations

import html
import itertools
import json
import random
import re
from collections import Counter
from pathlib import Path

import pymupdf
import pytest

from xuanyuan.checksums import id_card_checksum_ok, luhn_ok
from xuanyuan.corpus import DEFAULT_PLANTS, generate_corpus
from xuanyuan.corpus.genres import en_web, zh_announcement, zh_encyclopedia, zh_exam, zh_finance_news, zh_forum, zh_news, zh_report
from xuanyuan.corpus.ground_truth import read_rows
from xuanyuan.corpus.plants.duplicates import jaccard
from xuanyuan.corpus.settings import SOURCES
from xuanyuan.sources import file_doc_id, record_doc_id

SMALL_DOCUMENTS = {source: 30 for source in SOURCES}
SMALL_PLANTS = {
    "exact_duplicate": {"byte_identical": 8, "new_boilerplate": 3},
    "near_duplicate": {"clusters": 4},
    "low_quality": {category: 2 for category in DEFAULT_PLANTS["low_quality"]},
    "boilerplate_line": 5,
    "pii": 8,
    "harmful": {category: 2 for category in DEFAULT_PLANTS["harmful"]},
    "bad_file": {category: 1 for category in DEFAULT_PLANTS["bad_file"]},
}
TINY_DOCUMENTS = {source: 4 for source in SOURCES}
TINY_PLANTS = {"exact_duplicate": {"byte_identical": 2, "new_boilerplate": 1}, "near_duplicate": {"clusters": 1}, "boilerplate_line": 1, "pii": 1,
               "low_quality": {c: 0 for c in DEFAULT_PLANTS["low_quality"]}, "harmful": {c: 0 for c in DEFAULT_PLANTS["harmful"]},
               "bad_file": {c: 1 for c in DEFAULT_PLANTS["bad_file"]}}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "raw"
    generate_corpus(str(out), SMALL_DOCUMENTS, SMALL_PLANTS, seed=7, huge_document_mb=0.2)
    return out


@pytest.fixture(scope="module")
def rows(corpus) -> list[dict]:
    return read_rows(corpus / "ground_truth.jsonl")


def page_text(corpus: Path, row: dict) -> str:
    """Decoded file content: HTML with entities resolved, PDF text layer, JSONL as stored."""
    path = corpus / row["path"]
    if path.suffix == ".html":
        return html.unescape(path.read_bytes().decode(row["detail"].get("charset", "utf-8")))
    if path.suffix == ".pdf":
        with pymupdf.open(path) as doc:
            return "".join(page.get_text() for page in doc)
    return path.read_text(encoding="utf-8")


# -- determinism ----------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path):
    first = generate_corpus(str(tmp_path / "a"), TINY_DOCUMENTS, TINY_PLANTS, seed=3, huge_document_mb=0.05)
    second = generate_corpus(str(tmp_path / "b"), TINY_DOCUMENTS, TINY_PLANTS, seed=3, huge_document_mb=0.05)
    other = generate_corpus(str(tmp_path / "c"), TINY_DOCUMENTS, TINY_PLANTS, seed=4, huge_document_mb=0.05)
    assert first["files"] == second["files"]
    assert (tmp_path / "a" / "MANIFEST.json").read_bytes() == (tmp_path / "b" / "MANIFEST.json").read_bytes()
    pdfs = [name for name in first["files"] if name.endswith(".pdf") and first["files"][name]["bytes"] > 0]
    assert pdfs, "PDFs are part of the determinism check"
    changed = [name for name in first["files"] if first["files"][name] != other["files"].get(name)]
    assert len(changed) > len(first["files"]) // 2


def test_refuses_a_non_empty_directory_and_replaces_its_own_corpus(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        generate_corpus(str(tmp_path / "x"), TINY_DOCUMENTS, TINY_PLANTS, seed=1, huge_document_mb=0)
    generate_corpus(str(tmp_path / "y"), TINY_DOCUMENTS, TINY_PLANTS, seed=1, huge_document_mb=0)
    again = generate_corpus(str(tmp_path / "y"), TINY_DOCUMENTS, TINY_PLANTS, seed=2, huge_document_mb=0, overwrite=True)
    assert again["seed"] == 2
    # Snakemake deletes a rule's declared outputs (the manifest) before rerunning it.
    (tmp_path / "y" / "MANIFEST.json").unlink()
    third = generate_corpus(str(tmp_path / "y"), TINY_DOCUMENTS, TINY_PLANTS, seed=3, huge_document_mb=0, overwrite=True)
    assert third["seed"] == 3


@pytest.mark.parametrize("documents, plants, message", [
    ({"zh_blog": 3}, None, "unknown source 'zh_blog'"),
    ({"zh_news": -1}, None, "non-negative"),
    (None, {"spam": 1}, "unknown plant 'spam'"),
    (None, {"harmful": {"fraud": 1}}, "unknown key 'fraud'"),
])
def test_config_mistakes_name_the_key(tmp_path, documents, plants, message):
    with pytest.raises(ValueError, match=message):
        generate_corpus(str(tmp_path / "z"), documents, plants, seed=0)


# -- shapes -----------------------------------------------------------------------------------

def test_files_per_source_have_the_source_format(corpus, rows):
    manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    suffix = {"html": ".html", "pdf": ".pdf", "jsonl": ".jsonl"}
    for source, spec in SOURCES.items():
        files = [p for p in (corpus / source).rglob("*") if p.is_file()]
        assert files and {p.suffix for p in files} == {suffix[spec.format]}, source
        source_rows = [r for r in rows if r["source"] == source]
        assert manifest["sources"][source]["documents"] == len(source_rows)
        # Ordinary documents are all there; plants only add to them.
        ordinary = [r for r in source_rows if r["plant"] in ("clean", "pii", "boilerplate_line") or r["category"] == "original"]
        assert len(ordinary) == SMALL_DOCUMENTS[source]
    for name, entry in manifest["files"].items():
        assert (corpus / name).stat().st_size == entry["bytes"]
    assert manifest["total_documents"] == len(rows)


def test_every_plant_category_is_present(rows):
    seen = Counter((r["plant"], r["category"]) for r in rows)
    expected = {("exact_duplicate", "byte_identical"), ("exact_duplicate", "same_text_new_boilerplate"), ("exact_duplicate", "original"),
                ("near_duplicate", "original"), ("near_duplicate", "small_edit"), ("near_duplicate", "reordered_paragraphs"),
                ("near_duplicate", "new_template"), ("boilerplate_line", "boilerplate_line"), ("pii", "pii"), ("clean", None)}
    expected |= {("low_quality", c) for c in DEFAULT_PLANTS["low_quality"]}
    expected |= {("harmful", c) for c in DEFAULT_PLANTS["harmful"]}
    expected |= {("bad_file", c) for c in DEFAULT_PLANTS["bad_file"]}
    assert expected <= set(seen), expected - set(seen)
    stages = {"exact_duplicate": "dedup", "near_duplicate": "dedup", "low_quality": "clean", "boilerplate_line": "clean", "pii": "clean",
              "harmful": "quality", "bad_file": "extract", "clean": None}
    for r in rows:
        want = None if r["category"] == "original" else stages[r["plant"]]
        assert r["expect_stage"] == want, r


def test_ground_truth_ids_are_the_extraction_ids(corpus, rows):
    by_path: dict[str, list[dict]] = {}
    for r in rows:
        by_path.setdefault(r["path"], []).append(r)
    assert len({r["id"] for r in rows}) == len(rows)
    for path, path_rows in by_path.items():
        source, relpath = path.split("/", 1)
        assert (corpus / path).is_file(), path
        if SOURCES[source].format != "jsonl":
            assert [r["id"] for r in path_rows] == [file_doc_id(source, relpath)]
            continue
        ids = []
        for line_no, line in enumerate((corpus / path).read_text(encoding="utf-8").splitlines(), start=1):
            try:
                record_id = json.loads(line).get("id")
            except json.JSONDecodeError:
                record_id = None
            ids.append(record_doc_id(source, relpath, line_no, record_id))
        assert sorted(ids) == sorted(r["id"] for r in path_rows)


def test_the_extract_stage_gives_every_ground_truth_id_and_no_other(tmp_path):
    # The evaluations (results/*_eval.md) join ground truth and ledgers by id: run the real listing
    # and extraction over the default config's globs and compare.
    import yaml

    from tests.conftest import REPO
    from xuanyuan.extract.run import extract_shard
    from xuanyuan.shards import read_records
    from xuanyuan.sources import list_source_files

    raw = tmp_path / "raw"
    generate_corpus(str(raw), TINY_DOCUMENTS, TINY_PLANTS, seed=5, huge_document_mb=0.05)
    sources = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["sources"]
    seen = []
    for name, source in sources.items():
        files = list_source_files(source["paths"].replace("work/raw", str(raw)))
        out = tmp_path / "out" / name
        extract_shard(files, source=name, source_cfg=source, extract_cfg={"pdf": {"table_layout": False}}, out_path=out / "docs.jsonl.zst",
                      ledger_path=out / "ledger.jsonl.zst", stats_path=out / "stats.json", shard=0)
        seen += [doc["id"] for doc in read_records(out / "docs.jsonl.zst")]
        seen += [event["id"] for event in read_records(out / "ledger.jsonl.zst") if event["event"] == "drop"]
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(row["id"] for row in read_rows(raw / "ground_truth.jsonl"))


def test_duplicate_rows_point_at_their_original(corpus, rows):
    ids = {r["id"]: r for r in rows}
    for r in rows:
        if r["plant"] in ("exact_duplicate", "near_duplicate") and r["category"] != "original":
            original = ids[r["twin"]]
            assert r["cluster"] == original["id"] == original["cluster"]
            assert original["category"] == "original"
        if r["category"] == "byte_identical":
            assert (corpus / r["path"]).read_bytes() == (corpus / ids[r["twin"]]["path"]).read_bytes() or r["path"].endswith(".jsonl")
        if r["plant"] == "near_duplicate" and r["category"] != "original":
            assert 0.6 <= r["detail"]["jaccard_5gram"] < 1.0


# -- encodings and file defects -------------------------------------------------------------

def test_gbk_pages_are_really_gbk(corpus, rows):
    legacy = [r for r in rows if r["source"] in ("zh_news", "zh_finance_news") and r["detail"].get("charset") in ("gbk", "gb2312")]
    assert legacy, "about 30% of zh news pages are GBK/GB2312"
    for r in legacy:
        data = (corpus / r["path"]).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        text = data.decode(r["detail"]["charset"])
        if r["plant"] != "bad_file":
            assert f'charset={r["detail"]["charset"]}' in text.replace('"', "").replace("charset=", "charset=")


def test_charset_mismatch_pages_declare_the_other_charset(corpus, rows):
    for r in (r for r in rows if r["category"] == "charset_mismatch"):
        data = (corpus / r["path"]).read_bytes()
        declared, actual = r["detail"]["declared"], r["detail"]["actual"]
        assert declared != actual and r["detail"]["survives"]
        assert re.search(rb"charset=\"?" + declared.encode(), data[:600])
        assert CJK.search(data.decode(actual))


def test_bad_files_are_bad_in_the_planted_way(corpus, rows):
    bad = {r["category"]: r for r in rows if r["plant"] == "bad_file"}
    assert (corpus / bad["empty_file"]["path"]).stat().st_size == 0
    assert b"\x00" in (corpus / bad["binary_file"]["path"]).read_bytes()
    huge = (corpus / bad["too_large"]["path"]).read_bytes()
    assert b"\n" not in huge and len(huge) == int(0.2 * 1024 * 1024)
    truncated = (corpus / bad["corrupt_pdf"]["path"]).read_bytes()
    assert truncated.startswith(b"%PDF") and b"%%EOF" not in truncated
    with pymupdf.open(corpus / bad["no_text_layer"]["path"]) as doc:
        assert doc.page_count == 1 and not doc[0].get_text().strip() and doc[0].get_images()
    lines = (corpus / bad["bad_json"]["path"]).read_text(encoding="utf-8").splitlines()
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[bad["bad_json"]["detail"]["line"] - 1])
    record = json.loads((corpus / bad["missing_text"]["path"]).read_text(encoding="utf-8").splitlines()[bad["missing_text"]["detail"]["line"] - 1])
    assert "text" not in record and record["id"]


def test_pdfs_open_with_cjk_text_and_ruled_tables(corpus, rows):
    pdfs = [r for r in rows if r["path"].endswith(".pdf") and r["plant"] == "clean"]
    for r in pdfs:
        with pymupdf.open(corpus / r["path"]) as doc:
            assert doc.page_count >= 2 or r["source"] == "zh_announcement"
            assert len(CJK.findall("".join(page.get_text() for page in doc))) > 300
            assert doc.metadata["creationDate"].startswith("D:")
    # Table detection is slow (about a second a page): a few documents of each kind.
    for source in ("zh_finance_report", "zh_announcement"):
        for r in random.Random(0).sample([r for r in pdfs if r["source"] == source], 2):
            with pymupdf.open(corpus / r["path"]) as doc:
                found = next((tables for page in doc if (tables := page.find_tables().tables)), [])
                assert found, r["path"]
                grid = found[0].extract()
                assert len(grid) >= 2 and len(grid[0]) >= 3 and all(cell for cell in grid[0])


# -- plants inside documents -------------------------------------------------------------------

def test_pii_values_are_valid_and_negatives_are_not(corpus, rows):
    planted = [r for r in rows if r["plant"] == "pii"]
    kinds = set()
    for r in planted:
        text = page_text(corpus, r)
        for value in r["detail"]["values"] + r["detail"]["negatives"]:
            assert value in text, (r["id"], value)
        by_kind = r["detail"]["by_kind"]
        kinds |= set(by_kind)
        assert sorted(by_kind) == r["expect_rules"]
        for value in by_kind.get("pii_id_card", []):
            assert id_card_checksum_ok(value)
        for value in by_kind.get("pii_bank_card", []):
            assert luhn_ok(value) and len(value) in range(16, 20)
        for value in by_kind.get("pii_mobile", []):
            digits = re.sub(r"\D", "", value).removeprefix("86")
            assert re.fullmatch(r"1[3-9]\d{9}", digits)
        negatives = dict(zip(r["detail"]["negative_kinds"], r["detail"]["negatives"]))
        assert len(negatives["bad_id"]) == 18 and not id_card_checksum_ok(negatives["bad_id"]) and not luhn_ok(negatives["bad_id"])
        assert len(negatives["order"]) == 16 and not luhn_ok(negatives["order"])
        assert re.fullmatch(r"\d{6}", negatives["code"])
    assert kinds == {"pii_id_card", "pii_mobile", "pii_bank_card", "pii_email"}


def test_boilerplate_lines_sit_in_the_main_text(corpus, rows):
    for r in (r for r in rows if r["plant"] == "boilerplate_line"):
        text = page_text(corpus, r)
        assert r["detail"]["lines"] and r["expect_rules"] == ["boilerplate_lines"]
        for line in r["detail"]["lines"]:
            if r["path"].endswith(".html"):
                assert f"<p>{html.escape(line, quote=False)}</p>" in (corpus / r["path"]).read_bytes().decode(r["detail"]["charset"])
            else:
                assert line in text


def test_low_quality_rules_use_the_agreed_names(rows):
    names = {"min_chars", "gopher_word_count", "gopher_dup_lines", "gopher_dup_line_chars", "gopher_dup_paragraphs", "gopher_dup_paragraph_chars",
             "fineweb_dup_line_chars", "gopher_top_ngram", "gopher_dup_ngram", "symbol_spam", "gopher_symbol_ratio", "cjk_ratio",
             "gopher_alpha_words", "keyword_list", "fineweb_line_punct", "gopher_stopwords", "fineweb_short_lines", "mojibake", "lang_mismatch"}
    for r in (r for r in rows if r["plant"] == "low_quality"):
        assert r["expect_rules"] and set(r["expect_rules"]) <= names


def test_extraction_expectations_match_the_pages(corpus):
    import pymupdf

    expectations = json.loads((corpus / "extraction_expectations.json").read_text(encoding="utf-8"))
    pages = {path: entry for path, entry in expectations.items() if "tables" not in entry}
    pdfs = {path: entry for path, entry in expectations.items() if "tables" in entry}
    assert len(pages) >= 40 and pdfs
    for path, entry in pages.items():
        page = html.unescape((corpus / path).read_bytes().decode(entry["charset"]))
        assert entry["with"] and entry["without"]
        for snippet in entry["with"] + entry["without"]:
            assert snippet in page, (path, snippet)
    for path, entry in pdfs.items():
        # every expected cell is in the PDF's text layer
        with pymupdf.open(corpus / path) as doc:
            layer = "".join(page.get_text() for page in doc).replace(" ", "").replace("\n", "")
        assert entry["tables"] and all(rows[0].startswith("| ") for rows in entry["tables"])
        for rows in entry["tables"]:
            for row in rows:
                for cell in row.strip("| ").split(" | "):
                    assert cell.replace(" ", "") in layer, (path, cell)


# -- text quality -------------------------------------------------------------------------------

COMPOSERS = {
    "zh_encyclopedia": lambda rng: zh_encyclopedia.compose(rng, 2023, used_terms=set()),
    "zh_news": lambda rng: zh_news.compose(rng, 2023),
    "zh_finance_news": lambda rng: zh_finance_news.compose(rng, 2023),
    "zh_finance_report": lambda rng: zh_report.compose(rng, 2023),
    "zh_announcement": lambda rng: zh_announcement.compose(rng, 2023),
    "zh_forum": lambda rng: zh_forum.compose(rng, 2023),
    "zh_exam": lambda rng: zh_exam.compose(rng, 2023, used_facts=set()),
    "en_web": lambda rng: en_web.compose(rng, 2023),
}


@pytest.mark.parametrize("source", list(COMPOSERS))
def test_unrelated_documents_are_not_near_duplicates(source):
    rng = random.Random(f"near-dup:{source}")
    texts = [COMPOSERS[source](rng).main_text() for _ in range(30)]
    scores = sorted(jaccard(a, b) for a, b in itertools.combinations(texts, 2))
    assert scores[-1] < 0.3, f"{source}: max char 5-gram Jaccard {scores[-1]:.3f}"
    assert sum(scores) / len(scores) < 0.15, f"{source}: mean {sum(scores) / len(scores):.3f}"


def test_unrelated_records_in_the_corpus_are_not_near_duplicates(corpus, rows):
    clean = [r for r in rows if r["plant"] == "clean" and r["path"].endswith(".jsonl")]
    texts = {}
    for path in {r["path"] for r in clean}:
        for line in (corpus / path).read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # the bad_json plant
            texts[record["id"]] = record.get("text", "")
    sample = [texts[r["id"].split("#", 1)[1]] for r in clean[:60]]
    worst = max(jaccard(a, b) for a, b in itertools.combinations(sample, 2))
    assert worst < 0.3


def test_chinese_text_uses_a_broad_character_set(corpus, rows):
    chars: set[str] = set()
    for r in rows:
        if r["plant"] != "bad_file" and r["detail"].get("lang") == "zh":
            chars |= set(CJK.findall(page_text(corpus, r)))
    assert len(chars) >= 1500, len(chars)


def test_chinese_sentences_end_with_chinese_punctuation():
    rng = random.Random(5)
    for source in ("zh_news", "zh_finance_news", "zh_encyclopedia"):
        article = COMPOSERS[source](rng)
        for paragraph in article.paragraphs():
            assert paragraph[-1] in "。！？”）", (source, paragraph[-20:])
