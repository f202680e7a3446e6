"""Main-text extraction from small handwritten pages."""

from __future__ import annotations

import pytest

from xuanyuan.extract.html import EXTRACTORS, extract_html

PARAGRAPHS = [
    "The central bank kept its benchmark lending rate unchanged on Monday, citing stable inflation and steady credit growth across the economy.",
    "Analysts had expected the decision, although several brokers argued that a small cut would support property developers facing tight funding.",
    "Bond yields fell slightly after the announcement, while the yuan held steady against the dollar in afternoon trading in Shanghai.",
]

PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Central bank holds rates | Example News</title></head>
<body>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience. Accept all cookies or manage settings.</p><button>Accept</button></div>
<header class="site-header"><a href="/">Example News</a><nav><ul><li><a href="/markets">Markets</a></li><li><a href="/economy">Economy</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
<div class="layout has-sidebar">
  <main>
    <article>
      <h1>Central bank holds rates</h1>
      <div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
      <p>{PARAGRAPHS[0]}</p>
      <p>{PARAGRAPHS[1]}</p>
      <table>
        <tr><th>Year</th><th>Rating</th><th>Outlook</th></tr>
        <tr><td>2023</td><td>AA+</td><td>Stable</td></tr>
        <tr><td>2022</td><td>AA</td><td>Positive</td></tr>
      </table>
      <p>{PARAGRAPHS[2]}</p>
      <div class="advertisement ad-slot"><p>Advertisement</p><p>Open a brokerage account today and trade with zero fees!</p></div>
    </article>
    <section id="comments" class="comments"><h3>3 comments</h3><p>Great article, thanks for writing this up, I learned a lot today!</p></section>
    <div class="related-articles"><h3>Related stories</h3><ul><li><a href="/a">Stocks rally as rate cut hopes grow among traders</a></li></ul></div>
  </main>
  <aside class="sidebar"><h3>Most read</h3><ul><li><a href="/b">Ten tips for saving money this winter season</a></li></ul></aside>
</div>
<footer><p>Copyright 2024 Example News Ltd. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""

BOILERPLATE = [
    "We use cookies",
    "Markets",
    "Share on Facebook",
    "Open a brokerage account",
    "Great article, thanks",
    "Stocks rally as rate cut hopes",
    "Ten tips for saving money",
    "Copyright 2024",
    "Privacy policy",
]


def test_hybrid_keeps_main_text_and_drops_boilerplate():
    result = extract_html(PAGE)
    assert result.extractor == "hybrid"
    for paragraph in PARAGRAPHS:
        assert paragraph in result.text
    for snippet in BOILERPLATE:
        assert snippet not in result.text, snippet
    assert result.title == "Central bank holds rates | Example News"


def test_paragraphs_are_separated_by_newlines():
    text = extract_html(PAGE).text
    assert f"{PARAGRAPHS[0]}\n" in text
    assert f"{PARAGRAPHS[0]} {PARAGRAPHS[1]}" not in text


def test_table_becomes_markdown():
    result = extract_html(PAGE)
    assert result.tables == 1
    assert "| Year | Rating | Outlook |\n|---|---|---|\n| 2023 | AA+ | Stable |\n| 2022 | AA | Positive |" in result.text


def table_markdown(rows_html: str) -> str:
    html = f"<html><body><article><p>{PARAGRAPHS[0]}</p><table>{rows_html}</table><p>{PARAGRAPHS[1]}</p></article></body></html>"
    return next(block for block in extract_html(html).text.split("\n\n") if block.startswith("|"))


def test_rowspan_keeps_the_cells_below_it_in_their_columns():
    markdown = table_markdown(
        "<tr><th>项目</th><th>期间</th><th>金额</th></tr>"
        "<tr><td rowspan='2'>营业收入</td><td>2023年</td><td>1,200.50</td></tr>"
        "<tr><td>2022年</td><td>1,100.00</td></tr>"
        "<tr><td>净利润</td><td>2023年</td><td rowspan='2'>300.00</td></tr>"
        "<tr><td></td><td>2022年</td></tr>"
    )
    # The covered slot is an empty cell, as colspan padding and PDF merged cells are.
    assert markdown.splitlines()[2:] == [
        "| 营业收入 | 2023年 | 1,200.50 |",
        "|  | 2022年 | 1,100.00 |",
        "| 净利润 | 2023年 | 300.00 |",
        "|  | 2022年 |  |",
    ]


def test_rowspan_with_colspan_covers_a_block():
    markdown = table_markdown(
        "<tr><th>a</th><th>b</th><th>c</th></tr><tr><td colspan='2' rowspan='2'>x</td><td>1</td></tr><tr><td>2</td></tr>"
    )
    assert markdown.splitlines()[2:] == ["| x |  | 1 |", "|  |  | 2 |"]


@pytest.mark.parametrize(
    "rowspan, rows",
    [
        ("abc", ["| x | 1 | 2 |", "| 3 | 4 |  |", "| 6 | 7 |  |"]),  # not a number: 1
        ("-3", ["| x | 1 | 2 |", "| 3 | 4 |  |", "| 6 | 7 |  |"]),
        ("0", ["| x | 1 | 2 |", "|  | 3 | 4 |", "|  | 6 | 7 |"]),  # HTML: to the end of the table
        ("99999999999999", ["| x | 1 | 2 |", "|  | 3 | 4 |", "|  | 6 | 7 |"]),  # capped at the rows left
    ],
)
def test_bad_rowspan_values_are_safe(rowspan, rows):
    markdown = table_markdown(
        "<tr><th>a</th><th>b</th><th>c</th></tr>"
        f"<tr><td rowspan='{rowspan}'>x</td><td>1</td><td>2</td></tr>"
        "<tr><td>3</td><td>4</td></tr><tr><td>6</td><td>7</td></tr>"
    )
    assert markdown.splitlines()[2:] == rows


def test_tables_can_be_left_as_text():
    result = extract_html(PAGE, tables=False)
    assert result.tables == 0
    assert "|---|" not in result.text
    assert "AA+" in result.text


def test_layout_tables_are_not_converted():
    body = " ".join(PARAGRAPHS * 3)
    html = f"<html><body><table><tr><td><a href='/'>Home</a></td><td><p>{body}</p></td></tr></table></body></html>"
    result = extract_html(html)
    assert result.tables == 0
    assert PARAGRAPHS[0] in result.text


def test_main_text_inside_a_sidebar_named_wrapper_survives():
    # Class words like "sidebar" also name layout wrappers around the article itself.
    html = f"""<html><body><div class="st-sidebar__container"><div class="st-sidebar__main">
    <p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p></div>
    <div class="st-sidebar__aside"><a href="/x">Other news</a></div></div></body></html>"""
    text = extract_html(html).text
    for paragraph in PARAGRAPHS:
        assert paragraph in text


def test_chinese_page():
    paragraphs = ["中国人民银行周一宣布维持贷款市场报价利率不变，一年期利率为百分之三点四五，五年期以上为百分之四点二。", "分析人士认为，稳健的货币政策将继续保持流动性合理充裕，支持实体经济发展和金融市场平稳运行。"]
    html = (
        "<html><head><title>央行维持利率不变</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/news'>新闻</a> <a href='/finance'>财经</a></div>"
        f"<div class='article'><h1>央行维持利率不变</h1><p>{paragraphs[0]}</p><p>{paragraphs[1]}</p></div>"
        "<div class='footer'>版权所有 ©2024 示例财经网 京ICP备12345678号</div></body></html>"
    )
    result = extract_html(html)
    for paragraph in paragraphs:
        assert paragraph in result.text
    assert "京ICP备" not in result.text
    assert result.title == "央行维持利率不变"


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_every_extractor_finds_the_article(extractor):
    result = extract_html(PAGE, extractor=extractor)
    assert result.extractor == extractor
    assert PARAGRAPHS[1] in " ".join(result.text.split())


def test_unknown_extractor_names_the_config_key():
    with pytest.raises(ValueError, match="extract.html.extractor"):
        extract_html(PAGE, extractor="readability")


def test_empty_and_bodyless_pages():
    assert extract_html("").text == ""
    assert extract_html("<html><head><title>t</title></head></html>").text == ""


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_a_frameset_page_has_no_body_and_no_text(extractor):
    # Resiliparse gives a frameset page a body node without tag or text; it used to crash the pruning.
    page = '<html><head><title>框架页</title></head><frameset cols="30%,70%"><frame src="menu.html"><frame src="main.html"></frameset></html>'
    assert extract_html(page, extractor=extractor).text == ""
    assert extract_html('<frameset><frame src="a.html"></frameset>', extractor=extractor).text == ""


def test_definition_list_pairs_become_one_line_each():
    html = (
        "<html><body><article><h1>宏钧投资股份有限公司</h1>"
        "<dl class='basic-info'><dt>成立时间</dt><dd>1994年</dd><dt>总部地点</dt><dd>辽宁大连</dd></dl>"
        "<p>宏钧投资股份有限公司成立于1994年，总部位于辽宁大连，是一家主要从事经纪业务的企业，业务覆盖全国多个省份。</p>"
        "<dl><dt>Founded</dt><dd>1994</dd></dl>"
        "</article></body></html>"
    )
    text = extract_html(html).text
    assert "成立时间：1994年" in text and "总部地点：辽宁大连" in text
    assert "Founded: 1994" in text


def test_link_lists_outside_the_article_are_removed_but_article_lists_kept():
    hot = "".join(f"<tr><td><a href='/h/{i}'>热点新闻标题第{i}条，点击查看详情</a></td></tr>" for i in range(5))
    steps = "".join(f"<li>第{i}步：准备材料并提交审核，等待结果通知。</li>" for i in range(3))
    html = (
        "<html><body><table><tr><td><div class='content'>"
        + "".join(f"<p>这是正文第{i}段，介绍公司经营情况与行业发展趋势，内容较为详细，篇幅足够长。</p>" for i in range(4))
        + f"<ul>{steps}</ul></div></td><td class='right'><table class='hot'>{hot}</table></td></tr></table></body></html>"
    )
    text = extract_html(html).text
    assert "这是正文第3段" in text
    assert "第2步：准备材料" in text
    assert "热点新闻标题" not in text


def test_wiki_edit_links_are_not_glued_to_headings():
    html = (
        "<html><body><article><h2>发展历程<a class='edit-link' href='#edit'>编辑</a></h2>"
        "<p>2013年，公司发行可转换公司债券，募集资金18.05亿元，投向智能化改造项目，进展顺利。</p></article></body></html>"
    )
    text = extract_html(html).text
    assert "发展历程" in text and "发展历程编辑" not in text
