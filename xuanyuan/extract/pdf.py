"""Text of a PDF in reading order, tables as markdown in their place, formulas as LaTeX.

PyMuPDF does the reading: `get_text("rawdict")` gives every glyph with its font, size,
flags and position, `find_tables()` the ruled tables. Glyphs inside a table go to its
cells (by their centre) and nowhere else, so a table's numbers are not repeated in the
prose. Lines that repeat in the top or bottom band of most pages (running headers,
footers) and bare page numbers there are removed. Formula recovery is in `pdf_math`.

A file that yields no document raises an `ExtractError` subclass whose `reason` is the
ledger rule: `corrupt_pdf`, `no_text_layer` (scans: OCR is out of scope here) or
`garbled_text_layer` (fonts whose text decodes to junk).
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pymupdf

from xuanyuan.extract.errors import CorruptPdf, GarbledTextLayer, NoTextLayer
from xuanyuan.extract.markdown import join_wrapped, table_to_markdown
from xuanyuan.extract.pdf_math import (
    MATH_FONT,
    WEAK_MATH_FONT,
    Span,
    base_font,
    math_share,
    render_display,
    render_line,
)

# Quiet MuPDF: its messages would go to stderr for every damaged file; we raise instead.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

# Ligatures expanded (no TEXT_PRESERVE_LIGATURES), whitespace kept, text clipped to the page,
# and glyphs without Unicode kept as their codes (TeX's CMEX delimiters are read from them).
TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_CID_FOR_UNKNOWN_UNICODE
TAIL_BYTES = 2048  # where a complete PDF has its %%EOF marker

CJK_FONT = re.compile(
    r"Song|Hei|Kai|Fang|Ming|SimSun|NSimSun|YaHei|DengXian|YouYuan|LiSu|STXihei|MSung|MHei|Gothic|Mincho|Batang|Gulim|"
    r"Dotum|Malgun|Meiryo|CJK|HanSans|HanSerif|PingFang|Hiragino|[宋黑楷仿明圆隶]",
    re.I,
)
CID_PLACEHOLDER = re.compile(r"\(cid:\d+\)")
PAGE_NUMBER = re.compile(
    r"^[\s\-–—·]*(?:(?:page|p\.|seite)\s*)?[0-9ivxlcdm]{1,5}(?:\s*(?:/|of|von)\s*[0-9]{1,5})?[\s\-–—·]*$"
    r"|^第\s*[0-9一二三四五六七八九十百零]+\s*页(?:\s*[,，/]?\s*共\s*[0-9]+\s*页)?$"
    r"|^-\s*[0-9]+\s*-$",
    re.I,
)
# A line that opens a list item or an article: 第十四条, （一）, 一、, 1., •, o.
LIST_ITEM = re.compile(
    r"^(?:第[0-9一二三四五六七八九十百零]+[条章节款项]|[（(][0-9一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、"
    r"|[0-9]{1,2}[、.．)](?!\d)|[•●▪◦■□◆➢►✓\-–o](?=\s))"
)
SENTENCE_END = tuple("。！？；：.!?;:”」』)）")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"\s+")


@dataclass
class ExtractedPdf:
    """Text of one PDF and what was found in it."""

    text: str
    pages: int
    tables: int = 0
    formulas: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Line:
    spans: list[Span]
    bbox: tuple[float, float, float, float]

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)


@dataclass
class _Block:
    lines: list[_Line]
    bbox: tuple[float, float, float, float]


@dataclass
class _Table:
    bbox: tuple[float, float, float, float]
    markdown: str
    rows: int
    cols: int


@dataclass
class _Page:
    number: int
    height: float
    blocks: list[_Block]
    tables: list[_Table]
    glyphs: int
    bad_glyphs: int
    table_error: str | None = None


# -- opening -------------------------------------------------------------------------------
def open_pdf(path: str | os.PathLike[str], *, reject_truncated: bool = True) -> pymupdf.Document:
    """Open a PDF or raise CorruptPdf saying what is wrong with the file."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
            handle.seek(max(0, os.path.getsize(path) - TAIL_BYTES))
            tail = handle.read()
    except OSError as exc:
        raise CorruptPdf(f"{path}: cannot be read ({exc.strerror})") from None
    if b"%PDF-" not in head:
        raise CorruptPdf(f"{path}: not a PDF (no %PDF- header in the first 1 KB); check the file or its extension")
    if reject_truncated and b"%%EOF" not in tail:
        raise CorruptPdf(
            f"{path}: truncated (no %%EOF marker at the end); download the file again "
            "or set extract.pdf.reject_truncated: false to read what MuPDF can repair"
        )
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types (FileDataError, RuntimeError, ValueError)
        raise CorruptPdf(f"{path}: MuPDF cannot open it ({exc}); the file is damaged") from None
    if doc.needs_pass:
        doc.close()
        raise CorruptPdf(f"{path}: password-protected; decrypt it before extraction")
    if doc.page_count == 0:
        doc.close()
        raise CorruptPdf(f"{path}: has no pages; the file is damaged")
    return doc


# -- one page ------------------------------------------------------------------------------
def _is_bad_glyph(ch: str, font: str) -> bool:
    """A glyph that shows the text layer is unusable (no or a wrong ToUnicode map)."""
    if ch == "\ufffd":
        return True
    if MATH_FONT.match(font) or WEAK_MATH_FONT.match(font):
        return False  # TeX math fonts carry glyph codes that pdf_math reads
    category = unicodedata.category(ch)
    if category in ("Co", "Cc", "Cn"):
        return True
    # A Chinese font whose "text" is Latin-1 letters: the classic missing-ToUnicode mojibake.
    return 0x80 <= ord(ch) < 0x250 and CJK_FONT.search(font) is not None


def _readable_font_name(name: str) -> str:
    """Font names are often UTF-8 read as Latin-1 ('å®\\x8bä½\\x93' is 宋体)."""
    try:
        return name.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _cell_text(glyphs: list[tuple[float, float, float, str]]) -> str:
    """Glyphs of one cell (baseline, x, size, char) as text: wrapped lines joined."""
    lines: list[list[tuple[float, float, float, str]]] = []
    for glyph in sorted(glyphs, key=lambda g: (g[0], g[1])):
        if lines and abs(glyph[0] - lines[-1][0][0]) <= 0.5 * max(glyph[2], 1.0):
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    texts = ["".join(g[3] for g in sorted(line, key=lambda g: g[1])) for line in lines]
    return " ".join(join_wrapped(texts).split())


def _find_tables(page: pymupdf.Page, *, strategy: str, layout: bool, min_rows: int, min_cols: int):
    if strategy == "lines" and sum(len(path.get("items", ())) for path in page.get_cdrawings()) < 4:
        return []  # no ruling to build a table from: skip the (slow) detector on prose pages
    found = page.find_tables(strategy=strategy, use_layout=layout)
    tables = []
    for table in found.tables:
        if table.row_count >= min_rows and table.col_count >= min_cols:
            tables.append(table)
    return tables


def read_page(
    page: pymupdf.Page,
    *,
    tables: bool = True,
    table_strategy: str = "lines",
    table_layout: bool = True,
    min_table_rows: int = 2,
    min_table_cols: int = 2,
) -> _Page:
    """Glyphs of one page grouped into prose blocks and tables."""
    raw = page.get_text("rawdict", flags=TEXT_FLAGS)
    table_error = None
    found = []
    if tables:
        try:
            found = _find_tables(
                page, strategy=table_strategy, layout=table_layout, min_rows=min_table_rows, min_cols=min_table_cols
            )
        except Exception as exc:  # table detection is best effort; the text is still there
            table_error = f"{type(exc).__name__}: {exc}"
    table_boxes = [tuple(table.bbox) for table in found]
    cell_glyphs: list[dict[tuple[int, int], list]] = [{} for _ in found]
    cell_grid = [[[tuple(cell) if cell is not None else None for cell in row.cells] for row in table.rows] for table in found]

    blocks: list[_Block] = []
    glyphs = 0
    bad = 0
    line_id = 0
    for block in raw["blocks"]:
        if block.get("type") != 0:
            continue
        lines: list[_Line] = []
        for line in block["lines"]:
            line_id += 1
            spans: list[Span] = []
            for span in line["spans"]:
                font = _readable_font_name(base_font(span["font"]))
                kept: list[dict] = []
                for char in span["chars"]:
                    ch = char["c"]
                    x0, y0, x1, y1 = char["bbox"]
                    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
                    if not ch.isspace():
                        glyphs += 1
                        bad += _is_bad_glyph(ch, font)
                    owner = next((index for index, box in enumerate(table_boxes) if _inside(centre, box)), None)
                    if owner is None:
                        kept.append(char)
                        continue
                    for r, row in enumerate(cell_grid[owner]):
                        for c, cell in enumerate(row):
                            if cell is not None and _inside(centre, cell):
                                cell_glyphs[owner].setdefault((r, c), []).append((char["origin"][1], x0, span["size"], ch))
                                break
                        else:
                            continue
                        break
                if not kept:
                    continue
                text = "".join(char["c"] for char in kept)
                spans.append(
                    Span(
                        text=text,
                        font=font,
                        size=span["size"],
                        flags=span["flags"],
                        x0=min(char["bbox"][0] for char in kept),
                        y0=min(char["bbox"][1] for char in kept),
                        x1=max(char["bbox"][2] for char in kept),
                        y1=max(char["bbox"][3] for char in kept),
                        baseline=kept[0]["origin"][1],
                        line_id=line_id,
                    )
                )
            if spans and "".join(span.text for span in spans).strip():
                bbox = (min(s.x0 for s in spans), min(s.y0 for s in spans), max(s.x1 for s in spans), max(s.y1 for s in spans))
                lines.append(_Line(spans=spans, bbox=bbox))
        if lines:
            bbox = (min(l.bbox[0] for l in lines), min(l.bbox[1] for l in lines), max(l.bbox[2] for l in lines), max(l.bbox[3] for l in lines))
            blocks.append(_Block(lines=lines, bbox=bbox))

    # Text layers re-made from pdfminer output carry its placeholders for unmapped glyphs.
    for block in blocks:
        for line in block.lines:
            bad += sum(len(match) for match in CID_PLACEHOLDER.findall(line.text))

    page_tables: list[_Table] = []
    for index, table in enumerate(found):
        grid = cell_grid[index]
        rows = [
            [_cell_text(cell_glyphs[index].get((r, c), [])) for c in range(len(grid[r]))]
            for r in range(len(grid))
        ]
        markdown = table_to_markdown(rows)
        if markdown:
            n_cols = markdown.split("\n", 2)[1].count("---")
            page_tables.append(_Table(bbox=table_boxes[index], markdown=markdown, rows=markdown.count("\n"), cols=n_cols))
    return _Page(
        number=page.number + 1,
        height=page.rect.height,
        blocks=blocks,
        tables=page_tables,
        glyphs=glyphs,
        bad_glyphs=bad,
        table_error=table_error,
    )


# -- running headers and footers -----------------------------------------------------------
def _margin_key(line: _Line, height: float, band: float) -> tuple[str, str] | None:
    if line.bbox[3] <= band * height:
        where = "top"
    elif line.bbox[1] >= (1 - band) * height:
        where = "bottom"
    else:
        return None
    return where, _DIGITS.sub("#", _NON_WORD.sub("", line.text))


def running_lines(pages: list[_Page], *, band: float, min_share: float) -> set[tuple[str, str]]:
    """Margin lines (digits ignored) seen on at least `min_share` of the pages, and on 2 or more."""
    if len(pages) < 2:
        return set()
    seen: Counter[tuple[str, str]] = Counter()
    for page in pages:
        keys = {key for block in page.blocks for line in block.lines if (key := _margin_key(line, page.height, band))}
        seen.update(keys)
    needed = max(2, math.ceil(min_share * len(pages)))
    return {key for key, count in seen.items() if count >= needed and key[1].strip("#")}


def drop_running_lines(page: _Page, running: set[tuple[str, str]], *, band: float) -> int:
    """Remove running headers/footers and bare page numbers from the page margins; returns how many."""
    removed = 0
    for block in page.blocks:
        kept = []
        for line in block.lines:
            key = _margin_key(line, page.height, band)
            if key is not None and (key in running or PAGE_NUMBER.match(line.text.strip())):
                removed += 1
                continue
            kept.append(line)
        block.lines = kept
    page.blocks = [block for block in page.blocks if block.lines]
    return removed


# -- composing -----------------------------------------------------------------------------
def _continues(previous: _Block, block: _Block, column_right: float) -> bool:
    """`block` is the next wrapped line(s) of `previous`'s paragraph, written as a block of its own.

    Writers that place every line separately (report generators, many converters) give one
    block per line; without this each wrapped line would become a paragraph of its own.
    """
    last, first = previous.lines[-1], block.lines[0]
    size = max(span.size for span in last.spans)
    if abs(size - max(span.size for span in first.spans)) > 0.5:
        return False
    gap = first.bbox[1] - last.bbox[3]
    aligned = abs(block.bbox[0] - previous.bbox[0]) < 2.5 * size
    full = last.bbox[2] >= column_right - 2 * size
    return -0.3 * size <= gap <= 0.6 * size and aligned and full


def merge_wrapped_blocks(blocks: list[_Block], *, formulas: bool, display_min_math_share: float) -> list[_Block]:
    # The right edge of the text column: a line that reaches it was wrapped, not ended.
    column_right = max((block.bbox[2] for block in blocks), default=0.0)
    merged: list[_Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and _continues(previous, block, column_right)
            and not (formulas and any(
                _is_display_formula(b, [s for line in b.lines for s in line.spans], display_min_math_share)
                for b in (previous, block)
            ))
        ):
            box = previous.bbox
            merged[-1] = _Block(
                lines=previous.lines + block.lines,
                bbox=(min(box[0], block.bbox[0]), min(box[1], block.bbox[1]),
                      max(box[2], block.bbox[2]), max(box[3], block.bbox[3])),
            )
        else:
            merged.append(block)
    return merged


def split_paragraphs(block: _Block) -> list[list[_Line]]:
    """A PDF block often holds several paragraphs: cut after a short line that ends a
    sentence, and before a list item or article that starts on a new row."""
    paragraphs: list[list[_Line]] = [[block.lines[0]]]
    right = block.bbox[2]
    for previous, line in zip(block.lines, block.lines[1:]):
        size = max(span.size for span in previous.spans)
        new_row = line.bbox[1] >= previous.bbox[3] - 0.3 * (previous.bbox[3] - previous.bbox[1])
        prev_text = previous.text.rstrip()
        short = previous.bbox[2] < right - 2 * size
        ends = prev_text.endswith(SENTENCE_END)
        item = LIST_ITEM.match(line.text.lstrip()) is not None
        if new_row and ((short and ends) or (item and (short or ends or not prev_text))):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def render_page(page: _Page, *, formulas: bool, display_min_math_share: float) -> tuple[str, int]:
    """The page as text: blocks in reading order, tables in their place, display formulas in $$."""
    blocks = merge_wrapped_blocks(page.blocks, formulas=formulas, display_min_math_share=display_min_math_share)
    items: list[tuple[str, _Block | _Table]] = [("block", block) for block in blocks]
    for table in sorted(page.tables, key=lambda t: t.bbox[1]):
        position = len(items)
        for index, (kind, item) in enumerate(items):
            box = item.bbox
            overlaps = box[0] < table.bbox[2] and box[2] > table.bbox[0]
            if kind == "block" and overlaps and box[1] >= table.bbox[1] - 1:
                position = index
                break
        items.insert(position, ("table", table))

    parts: list[str] = []
    n_formulas = 0
    pending: list[_Block] = []  # consecutive display-formula blocks

    def flush() -> None:
        nonlocal n_formulas
        if pending:
            spans = [span for block in pending for line in block.lines for span in line.spans]
            try:
                latex = render_display(spans)
            except Exception:  # formula layout is best effort: never lose the text to it
                latex = join_wrapped([line.text for block in pending for line in block.lines])
            else:
                n_formulas += bool(latex)
            if latex:
                parts.append(latex)
            pending.clear()

    for kind, item in items:
        if kind == "table":
            flush()
            parts.append(item.markdown)
            continue
        block = item
        spans = [span for line in block.lines for span in line.spans]
        if formulas and _is_display_formula(block, spans, display_min_math_share):
            if pending and not _vertically_near(pending, block):
                flush()
            pending.append(block)
            continue
        flush()
        for paragraph in split_paragraphs(block):
            text = join_wrapped([_line_text(line, formulas) for line in paragraph])
            if text:
                parts.append(text)
    flush()
    return "\n\n".join(parts), n_formulas


def _line_text(line: _Line, formulas: bool) -> str:
    try:
        return render_line(line.spans, formulas=formulas)[0]
    except Exception:  # inline math is best effort: fall back to the glyphs as they are
        return line.text


def _is_display_formula(block: _Block, spans: list[Span], min_share: float) -> bool:
    glyphs = sum(len(span.text.strip()) for span in spans)
    return 0 < glyphs <= 400 and math_share(spans) >= min_share


def _vertically_near(pending: list[_Block], block: _Block) -> bool:
    """A block belongs to the formula being collected when it overlaps its rows or follows within a line."""
    top = min(b.bbox[1] for b in pending)
    bottom = max(b.bbox[3] for b in pending)
    size = max(span.size for b in pending for line in b.lines for span in line.spans)
    return block.bbox[1] < bottom + 1.2 * size and block.bbox[3] > top - 1.2 * size


def _pages_read(read: int, page_count: int) -> str:
    """The pages read, for messages: its 12 pages, or the first 5 of its 12 pages (max_pages)."""
    return f"its {page_count} pages" if read == page_count else f"the first {read} of its {page_count} pages"


def extract_pdf(
    path: str | os.PathLike[str],
    *,
    tables: bool = True,
    formulas: bool = True,
    strip_headers: bool = True,
    header_band: float = 0.1,
    header_min_share: float = 0.5,
    table_strategy: str = "lines",
    table_layout: bool = True,
    min_table_rows: int = 2,
    min_table_cols: int = 2,
    garbled_max_share: float = 0.05,
    display_min_math_share: float = 0.6,
    reject_truncated: bool = True,
    max_pages: int | None = None,
) -> ExtractedPdf:
    """Text of a PDF (tables as markdown, formulas as LaTeX) or an ExtractError with the drop reason.

    table_layout: let PyMuPDF's layout model (package pymupdf_layout) confirm ruled tables;
    slower (about 0.3 s a page with ruling) but it rejects boxes and rules that are not tables.
    garbled_max_share: a page whose share of junk glyphs (U+FFFD, private-use, control
    characters, Latin-1 letters in a Chinese font, "(cid:N)") is above it is garbled; its
    text is left out, and when garbled pages hold most of the glyphs the file is dropped.
    max_pages: read only the first pages; `pages` stays the file's page count and
    `meta["pages_read"]` says how many were read.
    """
    name = os.fspath(path)
    doc = open_pdf(name, reject_truncated=reject_truncated)
    try:
        pages: list[_Page] = []
        for page in doc:
            if max_pages is not None and page.number >= max_pages:
                break
            try:
                pages.append(
                    read_page(
                        page,
                        tables=tables,
                        table_strategy=table_strategy,
                        table_layout=table_layout,
                        min_table_rows=min_table_rows,
                        min_table_cols=min_table_cols,
                    )
                )
            except Exception as exc:
                raise CorruptPdf(f"{name}: page {page.number + 1} cannot be read ({exc}); the file is damaged") from None
        page_count = doc.page_count
        title = " ".join(str((doc.metadata or {}).get("title") or "").split())
    finally:
        doc.close()

    total_glyphs = sum(page.glyphs for page in pages)
    if total_glyphs == 0:
        raise NoTextLayer(
            f"{name}: none of {_pages_read(len(pages), page_count)} has a text layer (a scan or images only); "
            "it needs OCR, which this stage does not do",
            value=0,
            threshold=1,
        )
    garbled_pages = [page for page in pages if page.glyphs and page.bad_glyphs / page.glyphs > garbled_max_share]
    garbled_glyphs = sum(page.glyphs for page in garbled_pages)
    bad_share = sum(page.bad_glyphs for page in pages) / total_glyphs
    if garbled_glyphs * 2 >= total_glyphs:
        raise GarbledTextLayer(
            f"{name}: {len(garbled_pages)} of {len(pages)} pages have an unusable text layer "
            f"({bad_share:.1%} junk glyphs: fonts without a working ToUnicode map); it needs OCR",
            value=round(bad_share, 4),
            threshold=garbled_max_share,
        )

    removed = 0
    if strip_headers:
        running = running_lines(pages, band=header_band, min_share=header_min_share)
        for page in pages:
            removed += drop_running_lines(page, running, band=header_band)

    texts: list[str] = []
    n_formulas = 0
    page_meta: list[dict[str, Any]] = []
    garbled_numbers = {page.number for page in garbled_pages}
    for page in pages:
        entry: dict[str, Any] = {"page": page.number, "chars": page.glyphs, "tables": len(page.tables)}
        if page.table_error:
            entry["table_error"] = page.table_error
        if page.number in garbled_numbers:
            entry["garbled"] = True
            page_meta.append(entry)
            continue
        text, count = render_page(page, formulas=formulas, display_min_math_share=display_min_math_share)
        n_formulas += count
        if text:
            texts.append(text)
        page_meta.append(entry)

    n_tables = sum(len(page.tables) for page in pages if page.number not in garbled_numbers)
    meta: dict[str, Any] = {
        "title": title,
        "pages": page_count,
        "pages_read": len(pages),  # fewer than `pages` when max_pages stopped the reading
        "tables": n_tables,
        "formulas": n_formulas,
        "pages_without_text": sum(1 for page in pages if page.glyphs == 0),
        "garbled_pages": sorted(garbled_numbers),
        "junk_glyph_share": round(bad_share, 4),
        "running_lines_removed": removed,
        "page_meta": page_meta,
    }
    return ExtractedPdf(text="\n\n".join(texts), pages=page_count, tables=n_tables, formulas=n_formulas, meta=meta)

