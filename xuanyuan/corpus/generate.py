"""Generate the default raw corpus: eight sources of HTML, PDF and JSONL with planted defects.

`generate_corpus` writes `out_dir/<source>/...`, `ground_truth.jsonl` (one row per document, with
the stage and rules expected to catch each plant), `extraction_expectations.json` and
`MANIFEST.json`. Everything is drawn from `random.Random` instances seeded from `seed` and the
source name, so a seed gives byte-identical files and each source is independent of the others'
sizes.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from xuanyuan.corpus import ground_truth as gt
from xuanyuan.corpus import html_pages, lexicon_en, lexicon_zh
from xuanyuan.corpus.article import Article
from xuanyuan.corpus.genres import en_web, zh_announcement, zh_encyclopedia, zh_exam, zh_finance_news, zh_forum, zh_news, zh_report
from xuanyuan.corpus.pdf_writer import article_pdf, image_only_pdf
from xuanyuan.corpus.plants import bad_files, boilerplate_lines, duplicates, harmful, low_quality, pii
from xuanyuan.corpus.settings import PLANT_SOURCES, SOURCES, SourceSpec, deal, resolve_documents, resolve_plants
from xuanyuan.sources import file_doc_id, record_doc_id

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
GBK_SHARE = 0.3  # of zh_news and zh_finance_news pages
RECORDS_PER_FILE = 100
EXPECTATION_PAGES_PER_SOURCE = 20


@dataclass
class Doc:
    """One document to write, with its plant; paths and ids are assigned after shuffling."""

    source: str
    article: Article | None
    plant: str = "clean"
    category: str | None = None
    expect_stage: str | None = None
    expect_rules: list[str] = field(default_factory=list)
    cluster_of: "Doc | None" = None
    detail: dict[str, Any] = field(default_factory=dict)
    copy_of: "Doc | None" = None  # byte-identical copy of another document
    force_new_page: "Doc | None" = None  # same text, different site/layout than this one
    raw: bytes | None = None  # prebuilt file bytes (bad files)
    raw_line: str | None = None  # prebuilt JSONL line (bad_json)
    drop_text: bool = False  # JSONL record without `text`
    declared_charset: str | None = None  # charset_mismatch: what the page claims
    page_lang: str | None = None
    # assigned later
    relpath: str = ""
    record_id: str | None = None
    line_no: int | None = None
    doc_id: str = ""
    site: str = ""
    layout: str = ""
    charset: str = "utf-8"
    data: bytes | None = None
    expectation: dict[str, Any] | None = None

    def mark(self, plant: str, category: str | None, stage: str | None, rules: list[str], **detail: Any) -> "Doc":
        self.plant, self.category, self.expect_stage, self.expect_rules = plant, category, stage, list(rules)
        self.detail.update(detail)
        return self


# -- composers ------------------------------------------------------------------------------

def _composer(spec: SourceSpec, rng: random.Random) -> Callable[[], Article]:
    used_terms: set[str] = set()
    used_facts: set[int] = set()

    def compose() -> Article:
        year = rng.choice(YEARS)
        if spec.genre == "zh_encyclopedia":
            return zh_encyclopedia.compose(rng, year, used_terms=used_terms)
        if spec.genre == "zh_exam":
            return zh_exam.compose(rng, year, used_facts=used_facts)
        module = {"zh_news": zh_news, "zh_finance_news": zh_finance_news, "zh_report": zh_report,
                  "zh_announcement": zh_announcement, "zh_forum": zh_forum, "en_web": en_web}[spec.genre]
        return module.compose(rng, year)

    return compose


def _sites(spec: SourceSpec) -> list[str]:
    if spec.name == "zh_encyclopedia":
        return list(lexicon_zh.ENCYC_SITES)
    if spec.name == "zh_finance_news":
        return list(lexicon_zh.MEDIA_NAMES[:6])
    if spec.name == "zh_news":
        return list(lexicon_zh.NEWS_SITES[:6])
    return list(lexicon_en.SITE_NAMES[:6])


def _layouts(spec: SourceSpec) -> tuple[str, ...]:
    if spec.name == "zh_encyclopedia":
        return html_pages.ENCYCLOPEDIA_LAYOUTS
    return html_pages.EN_LAYOUTS if spec.lang == "en" else html_pages.NEWS_LAYOUTS


# -- planning -------------------------------------------------------------------------------

def plan_plants(plants: dict[str, Any], documents: dict[str, int]) -> dict[str, dict[tuple[str, str], int]]:
    """(plant, category) -> count for every source. In-place plants and duplicate originals need
    clean documents of their own, so a source is never asked for more than it has."""
    quota: dict[str, dict[tuple[str, str], int]] = {source: {} for source in SOURCES}
    # Half of a source's documents may carry a plant; the rest stay clean.
    capacity = {source: documents[source] // 2 for source in SOURCES}
    unlimited = {source: 10**9 if documents[source] > 0 else 0 for source in SOURCES}

    def add(key: tuple[str, str], spread: dict[str, int]) -> None:
        for source, count in spread.items():
            if count:
                quota[source][key] = quota[source].get(key, 0) + count

    exact = plants["exact_duplicate"]
    add(("exact_duplicate", "byte_identical"), deal(exact["byte_identical"], PLANT_SOURCES["byte_identical"], capacity))
    add(("exact_duplicate", "same_text_new_boilerplate"), deal(exact["new_boilerplate"], PLANT_SOURCES["new_boilerplate"], capacity))
    add(("near_duplicate", "cluster"), deal(plants["near_duplicate"]["clusters"], PLANT_SOURCES["near_duplicate"], capacity))
    add(("boilerplate_line", "boilerplate_line"), deal(plants["boilerplate_line"], PLANT_SOURCES["boilerplate_line"], capacity))
    add(("pii", "pii"), deal(plants["pii"], PLANT_SOURCES["pii"], capacity))
    for category, count in plants["low_quality"].items():
        add(("low_quality", category), deal(count, PLANT_SOURCES[category], dict(unlimited)))
    harmful_capacity = dict(unlimited)
    for category, count in plants["harmful"].items():
        add(("harmful", category), deal(count, PLANT_SOURCES["harmful"], harmful_capacity))
    for category, count in plants["bad_file"].items():
        add(("bad_file", category), deal(count, PLANT_SOURCES[category], dict(unlimited)))
    return quota


# -- building one source --------------------------------------------------------------------

class _Pool:
    """Clean documents not yet used by a plant, dealt in a seeded order."""

    def __init__(self, docs: list[Doc], rng: random.Random):
        self._docs = docs[:]
        rng.shuffle(self._docs)

    def take(self) -> Doc | None:
        return self._docs.pop() if self._docs else None


def _build(spec: SourceSpec, count: int, quota: dict[tuple[str, str], int], plants: dict[str, Any], seed: int,
           huge_document_mb: float) -> list[Doc]:
    rng = random.Random(f"{seed}:{spec.name}")
    compose = _composer(spec, rng)
    docs = [Doc(spec.name, compose()) for _ in range(count)]
    prng = random.Random(f"{seed}:{spec.name}:plants")
    pool = _Pool(docs, prng)
    extra: list[Doc] = []

    for _ in range(quota.get(("boilerplate_line", "boilerplate_line"), 0)):
        doc = pool.take()
        lines = boilerplate_lines.plant_lines(doc.article, prng, boilerplate_lines.site_name(prng, spec.lang))
        doc.mark("boilerplate_line", "boilerplate_line", "clean", ["boilerplate_lines"], lines=lines, survives=True)

    pii_kinds = list(pii.KINDS)
    for index in range(quota.get(("pii", "pii"), 0)):
        doc = pool.take()
        # Every kind is covered in turn; each document carries two or three kinds.
        kinds = [pii_kinds[index % 4]] + prng.sample([k for k in pii_kinds if k != pii_kinds[index % 4]], prng.randint(1, 2))
        detail = pii.plant_pii(doc.article, prng, kinds)
        doc.mark("pii", "pii", "clean", sorted(set(kinds)), survives=True, **detail)

    for _ in range(quota.get(("exact_duplicate", "byte_identical"), 0)):
        original = pool.take()
        original.mark("exact_duplicate", "original", None, [])
        copy_doc = Doc(spec.name, original.article, copy_of=original, cluster_of=original)
        # A JSONL copy repeats the record under a new id: identical apart from `id`.
        same = "record except id" if spec.format == "jsonl" else "file bytes"
        extra.append(copy_doc.mark("exact_duplicate", "byte_identical", "dedup", ["exact_duplicate"], identical=same))

    for _ in range(quota.get(("exact_duplicate", "same_text_new_boilerplate"), 0)):
        original = pool.take()
        original.mark("exact_duplicate", "original", None, [])
        twin = Doc(spec.name, copy.deepcopy(original.article), cluster_of=original, force_new_page=original)
        extra.append(twin.mark("exact_duplicate", "same_text_new_boilerplate", "dedup", ["exact_duplicate"]))

    near = plants["near_duplicate"]
    variants = ("small_edit", "reordered_paragraphs", "new_template") if spec.format == "html" else ("small_edit", "reordered_paragraphs")
    for _ in range(quota.get(("near_duplicate", "cluster"), 0)):
        original = pool.take()
        size = prng.randint(near["min_size"], near["max_size"])
        original.mark("near_duplicate", "original", None, [], cluster_size=size)
        for member in range(size - 1):
            kind = variants[member % len(variants)]
            rate = prng.uniform(near["min_edit"], near["max_edit"])
            if kind == "reordered_paragraphs":
                article, ratio = duplicates.reorder_paragraphs(original.article, prng), 0.0
            else:
                article, ratio = duplicates.small_edit(original.article, prng, rate if kind == "small_edit" else rate / 2)
            variant = Doc(spec.name, article, cluster_of=original, force_new_page=original if kind == "new_template" else None)
            similarity = duplicates.jaccard(original.article.main_text(), article.main_text())
            extra.append(variant.mark("near_duplicate", kind, "dedup", ["near_duplicate"], edit_ratio=round(ratio, 4),
                                      jaccard_5gram=round(similarity, 4), cluster_size=size))

    year = prng.choice(YEARS)
    for (plant, category), n in sorted(quota.items()):
        for _ in range(n):
            if plant == "low_quality":
                article, detail = low_quality.make(category, prng, spec.lang, year)
                doc = Doc(spec.name, article, page_lang=spec.lang).mark("low_quality", category, "clean", low_quality.RULES[category], **detail)
                extra.append(doc)
            elif plant == "harmful":
                article = harmful.make(category, prng, spec.lang)
                extra.append(Doc(spec.name, article).mark("harmful", category, "quality", [category]))
            elif plant == "bad_file":
                extra.append(_bad_file(spec, category, prng, compose, huge_document_mb))
    return docs + [doc for doc in extra if doc is not None]


def _bad_file(spec: SourceSpec, category: str, rng: random.Random, compose: Callable[[], Article], huge_mb: float) -> Doc | None:
    rules = bad_files.RULES[category]
    doc = Doc(spec.name, None).mark("bad_file", category, "extract", rules)
    if category == "corrupt_pdf":
        doc.raw = bad_files.truncated(_pdf_bytes(spec, compose(), rng))
    elif category == "no_text_layer":
        doc.raw = image_only_pdf(_pdf_bytes(spec, compose(), rng))
    elif category == "binary_file":
        doc.raw = bad_files.binary_bytes(rng)
    elif category == "empty_file":
        doc.raw = b""
    elif category == "too_large":
        if huge_mb <= 0:
            return None
        article = en_web.compose(rng, 2024)
        doc.raw = bad_files.huge_single_line_html(article.paragraphs(), int(huge_mb * 1024 * 1024), article.title)
        doc.detail["bytes"] = len(doc.raw)
    elif category == "charset_mismatch":
        doc.article = compose()
        doc.declared_charset = "utf-8" if rng.random() < 0.5 else "gbk"
        doc.detail.update(declared=doc.declared_charset, actual="gbk" if doc.declared_charset == "utf-8" else "utf-8", survives=True)
    elif category == "bad_json":
        doc.article = compose()
        doc.raw_line = "pending"  # built when the record id is known
    elif category == "missing_text":
        doc.article = compose()
        doc.drop_text = True
    return doc


# -- rendering ------------------------------------------------------------------------------

def _pdf_bytes(spec: SourceSpec, article: Article, rng: random.Random) -> bytes:
    meta = article.meta
    date = meta.get("date") or f"{rng.choice(YEARS)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日"
    digits = date.replace("年", "-").replace("月", "-").replace("日", "").split("-")
    compact = f"{int(digits[0]):04d}{int(digits[1]):02d}{int(digits[2]):02d}"
    if spec.name == "zh_finance_report":
        front = [f"分析师：{name}（执业证书编号：{cert}）" for name, cert in zip(meta["analysts"], meta["certificates"])]
        front += [f"投资评级：{meta['rating']}（维持）", f"发布日期：{date}"]
        back = ["分析师声明", "作者具有中国证券业协会授予的证券投资咨询执业资格，保证报告所采用的数据均来自合规渠道，分析逻辑基于作者的职业理解，"
                "通过合理判断得出结论，力求客观、公正。", "免责声明", meta["disclaimer"], meta["rating_note"]]
        return article_pdf(article, header=f"{meta['broker']}｜公司研究｜{meta['industry']}", footer="请务必阅读正文之后的免责声明部分",
                           front_lines=front, back_matter=back, date_compact=compact)
    return article_pdf(article, header=f"{meta.get('company', '')}　{meta.get('type', '公告')}", footer="",
                       front_lines=[], back_matter=[], date_compact=compact)


def _encode_html(text: str, charset: str) -> bytes:
    # Characters a legacy charset lacks become numeric references, as legacy CMSs emit them.
    return text.encode(charset, errors="xmlcharrefreplace")


def _assign_paths(spec: SourceSpec, docs: list[Doc], rng: random.Random) -> None:
    """Shuffle (so names reveal nothing about plants), then name files and records."""
    rng.shuffle(docs)
    sites = _sites(spec)
    if spec.format == "html":
        for index, doc in enumerate(docs, start=1):
            site_index = rng.randrange(len(sites))
            doc.site = sites[site_index]
            doc.layout = rng.choice(_layouts(spec))
            if spec.name in ("zh_news", "zh_finance_news") and rng.random() < GBK_SHARE:
                doc.charset = rng.choice(["gbk", "gb2312"])
            doc.relpath = f"site{site_index + 1:02d}/{index:05d}.html"
    elif spec.format == "pdf":
        for index, doc in enumerate(docs, start=1):
            doc.relpath = f"{rng.choice(YEARS)}/{index:05d}.pdf"
    else:
        prefix = "t" if spec.name == "zh_forum" else "q"
        for index, doc in enumerate(docs):
            doc.relpath = f"part-{index // RECORDS_PER_FILE:03d}.jsonl"
            doc.line_no = index % RECORDS_PER_FILE + 1
            doc.record_id = f"{prefix}{index + 1:06d}"
    for doc in docs:
        if doc.copy_of is not None:  # a byte copy lives next to its original's site folder
            doc.site, doc.layout, doc.charset = doc.copy_of.site, doc.copy_of.layout, doc.copy_of.charset
            if spec.format == "html":
                doc.relpath = doc.copy_of.relpath.split("/")[0] + "/" + doc.relpath.split("/")[1]
        if doc.force_new_page is not None:
            other = doc.force_new_page
            doc.site = rng.choice([s for s in sites if s != other.site] or sites)
            doc.layout = rng.choice([layout for layout in _layouts(spec) if layout != other.layout] or list(_layouts(spec)))
            doc.relpath = f"site{sites.index(doc.site) + 1:02d}/" + doc.relpath.split("/")[1]
        if spec.format == "jsonl" and doc.raw_line is not None:
            doc.doc_id = record_doc_id(spec.name, doc.relpath, doc.line_no, None)
        elif spec.format == "jsonl":
            doc.doc_id = record_doc_id(spec.name, doc.relpath, doc.line_no, doc.record_id)
        else:
            doc.doc_id = file_doc_id(spec.name, doc.relpath)


def _render(spec: SourceSpec, docs: list[Doc], rng: random.Random) -> None:
    titles = [d.article.title for d in docs if d.article is not None and d.article.title and d.plant == "clean"]
    section = {"zh_encyclopedia": "词条", "zh_news": "社会", "zh_finance_news": "财经", "en_web": "Articles"}.get(spec.name, "")
    for doc in docs:
        if doc.copy_of is not None or doc.raw is not None:
            continue
        if spec.format == "html":
            related = rng.sample(titles, min(len(titles), rng.randint(3, 6))) if titles else []
            charset = doc.declared_charset or doc.charset
            page = html_pages.render_page(doc.article, rng, layout=doc.layout, site=doc.site, charset=charset,
                                          related_titles=related, section=section, page_lang=doc.page_lang or spec.lang)
            actual = charset
            if doc.declared_charset is not None:  # charset_mismatch: bytes in the other encoding
                actual = "gbk" if doc.declared_charset == "utf-8" else "utf-8"
            doc.data = _encode_html(page.html, actual)
            doc.detail.setdefault("charset", actual)
            doc.detail.setdefault("layout", doc.layout)
            doc.expectation = {"with": page.with_snippets, "without": page.without_snippets, "id": doc.doc_id,
                               "charset": actual, "declared_charset": charset, "layout": doc.layout, "site": doc.site}
        elif spec.format == "pdf":
            doc.data = _pdf_bytes(spec, doc.article, rng)
    for doc in docs:
        if doc.copy_of is not None:
            doc.data = doc.copy_of.data
            for key in ("charset", "layout"):
                if key in doc.copy_of.detail:
                    doc.detail.setdefault(key, doc.copy_of.detail[key])
        elif doc.raw is not None:
            doc.data = doc.raw


def _record(spec: SourceSpec, doc: Doc) -> str:
    """The JSONL line of one record (without newline)."""
    article = doc.article
    if spec.name == "zh_forum":
        record: dict[str, Any] = {"id": doc.record_id, "title": article.title, "text": "\n".join(article.paragraphs()), "meta": dict(article.meta)}
    else:
        record = {"id": doc.record_id, "text": "\n".join(article.paragraphs()), "meta": dict(article.meta)}
    if doc.drop_text:
        del record["text"]
    line = json.dumps(record, ensure_ascii=False)
    if doc.raw_line is not None:
        line = bad_files.broken_json_line(record)
    return line


# -- writing --------------------------------------------------------------------------------

def _write_source(out: Path, spec: SourceSpec, docs: list[Doc]) -> None:
    root = out / spec.name
    root.mkdir(parents=True, exist_ok=True)
    if spec.format == "jsonl":
        files: dict[str, list[str]] = {}
        for doc in sorted(docs, key=lambda d: (d.relpath, d.line_no)):
            files.setdefault(doc.relpath, []).append(_record(spec, doc))
        for relpath, lines in files.items():
            (root / relpath).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
        return
    for doc in docs:
        path = root / doc.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.data or b"")


def _row(spec: SourceSpec, doc: Doc) -> dict[str, Any]:
    cluster = twin = None
    if doc.cluster_of is not None:
        cluster = twin = doc.cluster_of.doc_id
    elif doc.category == "original":
        cluster = doc.doc_id
    detail = dict(doc.detail)
    if spec.format == "jsonl":
        detail["line"] = doc.line_no
    lang = doc.article.lang if doc.article is not None else spec.lang
    detail.setdefault("lang", lang)
    return gt.row(doc_id=doc.doc_id, source=spec.name, path=f"{spec.name}/{doc.relpath}", plant=doc.plant, category=doc.category,
                  expect_stage=doc.expect_stage, expect_rules=doc.expect_rules, cluster=cluster, twin=twin, detail=detail)


# Written first into every generated corpus: a workflow manager deletes a rule's declared
# outputs (the manifest) before rerunning it, so the manifest alone cannot prove the folder ours.
MARKER = ".xuanyuan-generated-corpus"


def _prepare(out: Path, overwrite: bool) -> None:
    if out.exists() and any(out.iterdir()):
        ours = (out / gt.MANIFEST).exists() or (out / MARKER).exists()
        if not overwrite or not ours:
            raise FileExistsError(
                f"{out} is not empty; choose an empty directory"
                + (" or pass overwrite=True (--overwrite) to replace the corpus generated there" if ours else " (it holds no generated corpus to replace)")
            )
        for name in list(SOURCES) + [gt.GROUND_TRUTH, gt.EXPECTATIONS, gt.MANIFEST]:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by xuanyuan.corpus.generate_corpus; the folder may be replaced by it\n")


def generate_corpus(out_dir: str, documents: dict[str, int] | None = None, plants: dict | None = None, seed: int = 0,
                    huge_document_mb: float = 20, *, overwrite: bool = False) -> dict:
    """Write the raw corpus, its ground truth, extraction expectations and manifest; return the manifest.

    `documents` maps source -> number of ordinary documents (None: defaults; an explicit dict
    generates only the sources it names). `plants` overrides plant counts (see
    settings.DEFAULT_PLANTS); duplicates, low-quality, harmful and bad files come on top of the
    ordinary documents, PII and boilerplate lines are planted inside ordinary ones.
    """
    documents = resolve_documents(documents)
    plants = resolve_plants(plants)
    out = Path(out_dir)
    _prepare(out, overwrite)
    quota = plan_plants(plants, documents)
    rows: list[dict[str, Any]] = []
    expectations: dict[str, Any] = {}
    source_info: dict[str, dict[str, Any]] = {}
    for name, spec in SOURCES.items():
        if documents[name] == 0 and not quota[name]:
            continue
        docs = _build(spec, documents[name], quota[name], plants, seed, huge_document_mb)
        layout_rng = random.Random(f"{seed}:{name}:layout")
        _assign_paths(spec, docs, layout_rng)
        _render(spec, docs, random.Random(f"{seed}:{name}:render"))
        _write_source(out, spec, docs)
        rows.extend(_row(spec, doc) for doc in sorted(docs, key=lambda d: (d.relpath, d.line_no or 0)))
        expectations.update(_expectations(spec, docs, random.Random(f"{seed}:{name}:expect")))
        source_info[name] = {"format": spec.format, "lang": spec.lang, "domain": spec.domain, "kind": spec.kind}
    gt.write_rows(out / gt.GROUND_TRUTH, rows)
    (out / gt.EXPECTATIONS).write_text(json.dumps(expectations, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    result = gt.manifest(out, seed=seed, documents=documents, plants=plants, huge_document_mb=huge_document_mb, sources=source_info, rows=rows)
    (out / gt.MANIFEST).write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return result


def markdown_row(cells: list[str]) -> str:
    """A table row as the extractor writes it (xuanyuan.extract.markdown): `| a | b |`."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _table_expectations(spec: SourceSpec, docs: list[Doc], rng: random.Random) -> dict[str, Any]:
    """The markdown rows of every ruled table in a sample of clean PDFs (header row first)."""
    with_tables = [d for d in docs if d.plant == "clean" and d.copy_of is None and d.article is not None
                   and any(b.kind == "table" and b.table is not None for b in d.article.blocks)]
    chosen = rng.sample(with_tables, min(EXPECTATION_PAGES_PER_SOURCE, len(with_tables)))
    out = {}
    for doc in sorted(chosen, key=lambda d: d.relpath):
        path = f"{spec.name}/{doc.relpath}"
        tables = [[markdown_row(b.table.header)] + [markdown_row(row) for row in b.table.rows]
                  for b in doc.article.blocks if b.kind == "table" and b.table is not None]
        out[path] = {"file": path, "id": doc.doc_id, "tables": tables}
    return out


def _expectations(spec: SourceSpec, docs: list[Doc], rng: random.Random) -> dict[str, Any]:
    """with/without snippets for a sample of clean pages (and every charset-mismatch page); table rows of
    a sample of clean PDFs."""
    if spec.format == "pdf":
        return _table_expectations(spec, docs, rng)
    if spec.format != "html":
        return {}
    clean = [d for d in docs if d.plant == "clean" and d.expectation and d.expectation["with"] and d.expectation["without"]]
    chosen = rng.sample(clean, min(EXPECTATION_PAGES_PER_SOURCE, len(clean)))
    chosen += [d for d in docs if d.category == "charset_mismatch" and d.expectation]
    out = {}
    for doc in sorted(chosen, key=lambda d: d.relpath):
        path = f"{spec.name}/{doc.relpath}"
        out[path] = {"file": path, **doc.expectation}
    return out
