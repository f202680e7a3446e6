"""Small PDFs built with PyMuPDF for the extraction tests."""

from __future__ import annotations

from pathlib import Path

import pymupdf

RATING_ROWS = [["年份", "评级", "展望"], ["2023", "AA+", "稳定"], ["2022", "AA", "稳定"], ["2021", "AA-", "正面"]]


def draw_ruled_table(page: pymupdf.Page, rows: list[list[str]], *, x0: float = 72, y0: float = 140, col_width: float = 150, row_height: float = 24) -> None:
    """Cell texts inside a full grid of ruling lines, as a typeset table would be."""
    n_cols = len(rows[0])
    for r in range(len(rows) + 1):
        page.draw_line((x0, y0 + r * row_height), (x0 + n_cols * col_width, y0 + r * row_height))
    for c in range(n_cols + 1):
        page.draw_line((x0 + c * col_width, y0), (x0 + c * col_width, y0 + len(rows) * row_height))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            page.insert_text((x0 + c * col_width + 5, y0 + r * row_height + 16), cell, fontname="china-s", fontsize=10)


def make_report_pdf(path: Path, *, pages: int = 1, table: bool = True) -> Path:
    """A small Chinese report: running header, body text, a ruled table, page numbers."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 50), "示例银行股份有限公司2023年度报告", fontname="china-s", fontsize=9)
        page.insert_text((72, 100), f"第{number}节 公司主营业务为金融服务，注册资本十亿元。", fontname="china-s", fontsize=11)
        if table and number == 1:
            draw_ruled_table(page, RATING_ROWS)
        page.insert_text((72, 300), "表格之后的正文段落，说明授信情况与风险管理。", fontname="china-s", fontsize=11)
        page.insert_text((290, 820), str(number), fontname="helv", fontsize=9)
    doc.save(path)
    doc.close()
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A 'scan': one page holding only an image."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 64), False)
    pixmap.set_rect(pixmap.irect, (200, 200, 200))
    page.insert_image(pymupdf.Rect(72, 72, 520, 770), pixmap=pixmap)
    doc.save(path)
    doc.close()
    return path


def make_truncated_pdf(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_unmapped_font_pdf(path: Path, cids: list[int]) -> Path:
    """A page set in a CID font (named SimSun) with no ToUnicode map: its text extracts as the raw CIDs.

    Written by hand because PyMuPDF's own text insertion always adds a ToUnicode map.
    """
    content = ("BT /F1 12 Tf 72 700 Td <" + "".join(f"{cid:04X}" for cid in cids) + "> Tj ET").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity)"
        b" /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800"
        b" /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path
