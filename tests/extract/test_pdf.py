"""PDF extraction on PDFs built in the test: CJK text, ruled tables, scans, damaged files, formulas."""

from __future__ import annotations

import pytest

from xuanyuan.extract.errors import CorruptPdf, GarbledTextLayer, NoTextLayer
from xuanyuan.extract.pdf import extract_pdf
from xuanyuan.extract.pdf_math import Span, glyph_to_latex, math_share, render_display, render_line

from .builders import RATING_ROWS, make_image_only_pdf, make_report_pdf, make_truncated_pdf, make_unmapped_font_pdf


def test_cjk_text_and_ruled_table(tmp_path):
    result = extract_pdf(make_report_pdf(tmp_path / "report.pdf"))
    assert "公司主营业务为金融服务，注册资本十亿元。" in result.text
    assert "表格之后的正文段落，说明授信情况与风险管理。" in result.text
    assert result.tables == 1
    table = [line for line in result.text.splitlines() if line.startswith("|")]
    assert table[0] == "| 年份 | 评级 | 展望 |"
    assert table[1] == "|---|---|---|"
    assert len(table) == len(RATING_ROWS) + 1
    assert all(line.count(" | ") == 2 for line in table if line != "|---|---|---|")
    # The table's cells are not repeated in the prose.
    assert result.text.count("AA+") == 1
    assert result.text.count("正面") == 1


def test_table_sits_between_the_paragraphs_around_it(tmp_path):
    text = extract_pdf(make_report_pdf(tmp_path / "report.pdf")).text
    assert text.index("注册资本十亿元") < text.index("| 年份 |") < text.index("表格之后的正文段落")


def test_tables_off_leaves_cell_text_in_the_prose(tmp_path):
    result = extract_pdf(make_report_pdf(tmp_path / "report.pdf"), tables=False)
    assert result.tables == 0
    assert "|---|" not in result.text
    assert "AA+" in result.text


def test_running_header_and_page_numbers_are_removed(tmp_path):
    result = extract_pdf(make_report_pdf(tmp_path / "report.pdf", pages=3, table=False))
    assert "示例银行股份有限公司2023年度报告" not in result.text
    assert result.meta["running_lines_removed"] >= 6
    assert [line for line in result.text.splitlines() if line.strip().isdigit()] == []
    for number in (1, 2, 3):
        assert f"第{number}节 公司主营业务为金融服务" in result.text


def test_headers_kept_when_asked(tmp_path):
    result = extract_pdf(make_report_pdf(tmp_path / "report.pdf", pages=3, table=False), strip_headers=False)
    assert result.text.count("示例银行股份有限公司2023年度报告") == 3


def test_meta_counts_pages_and_tables(tmp_path):
    result = extract_pdf(make_report_pdf(tmp_path / "report.pdf", pages=2))
    assert result.pages == 2
    assert [page["tables"] for page in result.meta["page_meta"]] == [1, 0]


def test_max_pages_reads_the_first_pages_and_says_so(tmp_path):
    result = extract_pdf(make_report_pdf(tmp_path / "report.pdf", pages=3), max_pages=2)
    assert result.pages == 3 and result.meta["pages_read"] == 2  # pages stays the file's count
    assert len(result.meta["page_meta"]) == 2 and "第3节" not in result.text
    assert extract_pdf(tmp_path / "report.pdf").meta["pages_read"] == 3


def test_image_only_pdf_has_no_text_layer(tmp_path):
    with pytest.raises(NoTextLayer) as info:
        extract_pdf(make_image_only_pdf(tmp_path / "scan.pdf"))
    assert info.value.reason == "no_text_layer"
    assert "OCR" in str(info.value)


def test_truncated_pdf_is_corrupt(tmp_path):
    source = make_report_pdf(tmp_path / "report.pdf")
    with pytest.raises(CorruptPdf) as info:
        extract_pdf(make_truncated_pdf(source, tmp_path / "cut.pdf"))
    assert info.value.reason == "corrupt_pdf"
    assert "truncated" in str(info.value)


def test_not_a_pdf_is_corrupt(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"<html>this is not a pdf</html>")
    with pytest.raises(CorruptPdf, match="not a PDF"):
        extract_pdf(path)


def test_damaged_body_is_corrupt(tmp_path):
    data = make_report_pdf(tmp_path / "report.pdf").read_bytes()
    path = tmp_path / "damaged.pdf"
    path.write_bytes(data[:20] + b"\x00garbage" * 200 + b"\n%%EOF\n")
    with pytest.raises(CorruptPdf):
        extract_pdf(path)


def test_font_without_tounicode_is_garbled(tmp_path):
    path = make_unmapped_font_pdf(tmp_path / "garbled.pdf", list(range(0xE001, 0xE020)))
    with pytest.raises(GarbledTextLayer) as info:
        extract_pdf(path)
    assert info.value.reason == "garbled_text_layer"
    assert info.value.value > 0.05


# -- formulas from positioned glyphs ---------------------------------------------------------
def span(text, font="CMMI10", size=10.0, x0=0.0, baseline=100.0, line_id=1, flags=0):
    width = 5.0 * max(len(text), 1)
    return Span(text=text, font=font, size=size, flags=flags, x0=x0, y0=baseline - size, x1=x0 + width, y1=baseline + 2, baseline=baseline, line_id=line_id)


def test_inline_math_with_scripts():
    spans = [
        span("the cost ", font="Times-Roman", x0=0),
        span("w", x0=45),
        span("t", size=7, x0=50, baseline=101.5),
        span("(", font="CMR10", x0=54),
        span("p", x0=58),
        span(")", font="CMR10", x0=63),
        span(" is ", font="Times-Roman", x0=68),
        span("O", font="CMSY10", x0=90),
        span("(", font="CMR10", x0=96),
        span("ω", x0=100),
        span("2", font="CMR7", size=7, x0=106, baseline=96.4, flags=1),
        span(")", font="CMR10", x0=110),
    ]
    text, glyphs = render_line(spans)
    assert text == r"the cost $w_{t}(p)$ is $\mathcal{O}(\omega^{2})$"
    assert glyphs > 0


def test_latex_typeset_prose_stays_prose():
    # LaTeX documents set their prose in the same roman font (CMR) as the digits of formulas.
    spans = [span("where the feedback ", font="CMR10", x0=0), span("λ", x0=80), span(" controls the cost", font="CMR10", x0=86)]
    assert render_line(spans)[0] == r"where the feedback $\lambda$ controls the cost"
    assert math_share(spans) < 0.2


def test_prose_line_is_untouched():
    spans = [span("Revenue grew 12% to $4.2 billion (see Table 1).", font="Arial")]
    assert render_line(spans) == ("Revenue grew 12% to $4.2 billion (see Table 1).", 0)


def test_display_fraction_and_equation_number():
    spans = [
        span("y", x0=50, baseline=100, line_id=1),
        span(" =", font="CMR10", x0=55, baseline=100, line_id=1),
        span("a", x0=75, baseline=93, line_id=2),
        span("+", font="CMR10", x0=80, baseline=93, line_id=2),
        span("b", x0=85, baseline=93, line_id=2),
        span("c", x0=78, baseline=107, line_id=3),
        span(",", x0=95, baseline=100, line_id=1),
        span("(3)", font="Times-Roman", x0=200, baseline=100, line_id=4),
    ]
    assert render_display(spans) == r"$$y = \frac{a+b}{c} , \tag{3}$$"


def test_big_operator_takes_its_limits():
    spans = [
        span("S", x0=40, baseline=100, line_id=1),
        span(" =", font="CMR10", x0=45, baseline=100, line_id=1),
        span("X", font="CMEX10", x0=62, baseline=92, line_id=2),  # cmex10 'X' is the display sum
        span("n", size=7, x0=64, baseline=88, line_id=3),
        span("i=1", size=7, x0=61, baseline=112, line_id=4),
        span("x", x0=78, baseline=100, line_id=5),
        span("i", size=7, x0=83, baseline=101.5, line_id=5),
    ]
    assert render_display(spans) == r"$$S = \sum_{i=1}^{n} x_{i}$$"


def test_glyph_mapping():
    assert glyph_to_latex("α", "Times") == r"\alpha"
    assert glyph_to_latex("≤", "CMSY10") == r"\leq"
    assert glyph_to_latex("P", "CMEX10") == r"\sum"
    assert glyph_to_latex("\x12", "CMEX10") == "("
    assert glyph_to_latex("%", "CMR10") == r"\%"


def test_lines_written_one_by_one_are_joined_into_paragraphs(tmp_path):
    """Report generators place every wrapped line separately; the paragraph must come back whole."""
    import pymupdf

    first = "公司全年实现营业收入三百八十一亿元，同比增长百分之十六，在手订单较为充足，分季度看，公司第四"
    second = "季度实现营业收入二十八亿元，回购资金总额不低于13.0"
    third = "0亿元。"
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for row, line in enumerate([first, second, third]):
        page.insert_text((72, 100 + 16 * row), line, fontname="china-s", fontsize=11)
    page.insert_text((72, 200), "新的段落从这里开始，与上文之间有空行。", fontname="china-s", fontsize=11)
    path = tmp_path / "wrapped.pdf"
    doc.save(path)
    text = extract_pdf(path, tables=False).text
    assert "公司第四季度实现营业收入" in text
    assert "不低于13.00亿元。" in text
    assert "\n\n新的段落从这里开始" in text
