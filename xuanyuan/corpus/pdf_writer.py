"""Write an `Article` as a real multi-page PDF with PyMuPDF: CJK text, ruled tables, page footers.

Byte-determinism: no timestamps (metadata dates are set explicitly), no new /ID on save, and the
CJK font is MuPDF's built-in `china-s` (not embedded, so no random subset prefix). The same
article therefore always gives the same bytes.
"""

from __future__ import annotations

import pymupdf

from xuanyuan.corpus.article import Article, Table

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56, 64, 70
FONT = "china-s"
BODY_SIZE, HEAD_SIZE, TITLE_SIZE = 10.5, 13, 16
LINE_GAP = 1.55


def _width(text: str, size: float) -> float:
    # china-s is not embedded and has no width table in the file, so viewers and MuPDF give
    # every glyph one em; measuring the same way keeps wrapped lines inside the margins.
    return len(text) * size


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break text into lines of at most `width` points (character-level, as CJK typesetting does)."""
    per_line = max(1, int(width // size))
    return [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]


class _Writer:
    """Lays blocks out top to bottom; one Shape per page, committed when the page is full.

    (A Shape per drawing call costs a content-stream rewrite each time: 20x slower.)
    """

    def __init__(self, header: str, footer: str):
        self.doc = pymupdf.open()
        self.header, self.footer = header, footer
        self.page: pymupdf.Page | None = None
        self.shape: pymupdf.Shape | None = None
        self.y = 0.0
        self._new_page()

    def _commit(self) -> None:
        if self.shape is not None:
            self.shape.commit()
            self.shape = None

    def _new_page(self) -> None:
        self._commit()
        self.page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        self.shape = self.page.new_shape()
        if self.header:
            self.shape.insert_text((MARGIN_X, 40), self.header, fontname=FONT, fontsize=8)
            self.shape.draw_line((MARGIN_X, 46), (PAGE_W - MARGIN_X, 46))
            self.shape.finish(color=(0.3, 0.3, 0.5), width=0.6)
        self.y = MARGIN_TOP + 8

    def _ensure(self, height: float) -> None:
        if self.y + height > PAGE_H - MARGIN_BOTTOM:
            self._new_page()

    def text(self, text: str, size: float = BODY_SIZE, indent: float = 0.0, gap_after: float = 4.0) -> None:
        for line in wrap(text, size, PAGE_W - 2 * MARGIN_X - indent):
            self._ensure(size * LINE_GAP)
            self.y += size * LINE_GAP
            self.shape.insert_text((MARGIN_X + indent, self.y), line, fontname=FONT, fontsize=size)
        self.y += gap_after

    def table(self, table: Table) -> None:
        size = 8.5
        usable = PAGE_W - 2 * MARGIN_X
        n_cols = len(table.header)
        longest = [max(len(str(row[c])) for row in [table.header] + table.rows) for c in range(n_cols)]
        size = min(size, usable / max(1, sum(longest) + n_cols))  # shrink the font until the widest row fits
        size = max(size, 5.0)
        col_w = [usable * (length + 1) / (sum(longest) + n_cols) for length in longest]
        row_h = size * 2.0
        if table.caption:
            self._ensure(row_h * 2)
            self.text(table.caption + (f"（{table.unit}）" if table.unit else ""), size=9, gap_after=2)
        for index, row in enumerate([table.header] + table.rows):
            if self.y + row_h > PAGE_H - MARGIN_BOTTOM:
                self._new_page()
            x = MARGIN_X
            for c, cell in enumerate(row):
                rect = pymupdf.Rect(x, self.y, x + col_w[c], self.y + row_h)
                fill = (0.88, 0.9, 0.96) if index == 0 else None
                self.shape.draw_rect(rect)
                self.shape.finish(color=(0, 0, 0), fill=fill, width=0.5)
                cell = str(cell)
                max_chars = max(1, int((col_w[c] - 3) // size))
                self.shape.insert_text((x + 2, self.y + row_h - size * 0.6), cell[:max_chars], fontname=FONT, fontsize=size)
                x += col_w[c]
            self.y += row_h
        self.y += 8

    def finish(self, metadata: dict[str, str]) -> bytes:
        self._commit()
        total = self.doc.page_count
        for number, page in enumerate(self.doc, start=1):
            shape = page.new_shape()
            if self.footer:
                shape.draw_line((MARGIN_X, PAGE_H - 50), (PAGE_W - MARGIN_X, PAGE_H - 50))
                shape.finish(color=(0.6, 0.6, 0.6), width=0.4)
                shape.insert_text((MARGIN_X, PAGE_H - 36), self.footer, fontname=FONT, fontsize=7.5)
            shape.insert_text((PAGE_W - MARGIN_X - 60, PAGE_H - 36), f"{number} / {total}", fontname=FONT, fontsize=7.5)
            shape.commit()
        self.doc.set_metadata(metadata)
        data = self.doc.tobytes(garbage=3, deflate=True, no_new_id=True)
        self.doc.close()
        return data


def pdf_metadata(title: str, author: str, date_compact: str) -> dict[str, str]:
    """Fixed dates (`D:YYYYMMDD000000`) so that saving never stamps the wall clock."""
    stamp = f"D:{date_compact}000000"
    return {"title": title, "author": author, "subject": "", "keywords": "", "creator": "xuanyuan corpus generator",
            "producer": "PyMuPDF", "creationDate": stamp, "modDate": stamp, "trapped": "", "format": "PDF 1.7", "encryption": None}


def article_pdf(article: Article, *, header: str, footer: str, front_lines: list[str], back_matter: list[str], date_compact: str) -> bytes:
    """The article as PDF bytes: title, front lines (analysts, ratings), blocks, back matter (disclaimers)."""
    writer = _Writer(header, footer)
    writer.text(article.title, size=TITLE_SIZE, gap_after=8)
    for line in front_lines:
        writer.text(line, size=9, gap_after=1)
    writer.y += 6
    for block in article.blocks:
        if block.kind == "h":
            writer._ensure(HEAD_SIZE * 3)
            writer.y += 4
            writer.text(block.text, size=HEAD_SIZE if block.level <= 2 else BODY_SIZE + 0.5, gap_after=3)
        elif block.kind in ("p", "quote"):
            writer.text("　　" + block.text)
        elif block.kind == "list":
            for item in block.items:
                writer.text("■ " + item, indent=8, gap_after=2)
            writer.y += 3
        elif block.kind == "table" and block.table is not None:
            writer.table(block.table)
    if back_matter:
        writer._new_page()
        for index, text in enumerate(back_matter):
            writer.text(text, size=HEAD_SIZE if index == 0 else 9, gap_after=6)
    return writer.finish(pdf_metadata(article.title, article.meta.get("broker", article.meta.get("company", "")), date_compact))


def image_only_pdf(pdf_bytes: bytes, dpi: int = 72) -> bytes:
    """The first page of a PDF rendered to an image and placed on a page with no text layer."""
    source = pymupdf.open(stream=pdf_bytes, filetype="pdf")
    pixmap = source[0].get_pixmap(dpi=dpi)
    source.close()
    doc = pymupdf.open()
    page = doc.new_page(width=PAGE_W, height=PAGE_H)
    page.insert_image(page.rect, pixmap=pixmap)
    doc.set_metadata(pdf_metadata("scan", "", "20240101"))
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return data
