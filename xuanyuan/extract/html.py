"""Main text of a web page, without navigation, ads, footers, cookie banners or comments.

The default extractor, "hybrid", was chosen by `bench/extract.py` (numbers in
docs/extraction.md): it prunes boilerplate nodes from Resiliparse's DOM (by tag, ARIA role
and class/id words, sparing every ancestor of the densest text block so a page laid out in
a "sidebar-main" wrapper keeps its article), turns data tables into markdown, and lets
Resiliparse's main-content pass render the rest. It matches trafilatura's expectation
pass rate on the benchmark pages at several times its speed. "trafilatura", "resiliparse"
and "selectolax" are kept as alternatives for comparison and for config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from xuanyuan.extract.markdown import table_to_markdown

EXTRACTORS = ("hybrid", "resiliparse", "trafilatura", "selectolax")
DEFAULT_EXTRACTOR = "hybrid"

# Class/id words that mark boilerplate. Matched as whole words of the attribute after
# camelCase is split ("NewsletterModule" -> "newsletter-module"); a trailing digit is
# allowed ("comments18-wrapper"). Words that also name content ("header") are handled apart.
BOILERPLATE_WORDS = (
    "comment", "comments", "commentlist", "respond", "disqus",
    "related", "relacionadas", "verwandte", "recommended", "more-stories", "most-read", "trending", "popular-posts",
    "share", "shares", "sharing", "sharebar", "social", "socials", "sociable",
    "newsletter", "subscribe", "subscription", "signup",
    "cookie", "cookies", "consent", "gdpr", "cmp",
    "breadcrumb", "breadcrumbs", "pagination", "pager", "skip-link",
    "sidebar", "widget", "widgets",
    "gg", "guanggao",  # 广告 in the pinyin class names of Chinese portals
    "ad", "ads", "advert", "adverts", "advertisement", "advertising", "ad-unit", "adunit", "ad-container", "sponsored", "promo",
    "footer", "navbar", "nav", "navigation", "menu",
    "tags", "tag-list", "tagcloud", "topics",
    "author-bio", "authorbio", "bio", "credit", "credits",
    "cta", "popup", "modal", "banner",
    "edit-link", "editlink", "editsection", "mw-editsection",  # wiki/baike "[编辑]" links glued to headings
    "print-not", "noprint", "hidden", "sr-only", "visually-hidden",
)
HEADER_WORDS = ("header", "masthead", "topbar", "top-bar", "site-header")
# Elements that never hold a page's main text.
BOILERPLATE_SELECTOR = ", ".join(
    (
        "nav", "aside", "footer", "form", "button", "select", "iframe", "template", "dialog", "figcaption",
        "[role=navigation]", "[role=contentinfo]", "[role=complementary]", "[role=banner]", "[role=search]",
        "[aria-hidden=true]", "[hidden]",
    )
)
# "has-ads", "no-sidebar", "with-comments": modifiers describing a container, not the boilerplate itself.
_MODIFIER = re.compile(r"(?<![a-z0-9])(?:has|no|with|without|show|hide|is)[-_]+[a-z0-9]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_AD_LABEL = re.compile(
    r"^[ \t]*(?:advertisement|advertising|anzeige|werbung|publicidad|publicité|pubblicità|sponsored|广告|廣告)[ \t]*:?[ \t]*$\n?",
    re.I | re.M,
)
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0\u3000]+$", re.M)
# Indents made of no-break or ideographic spaces (Chinese paragraph indents); plain-space
# indents are left alone, they may belong to code in a <pre>.
_LEADING_WIDE_SPACE = re.compile(r"^[ \t]*[\u00a0\u3000][ \t\u00a0\u3000]*", re.M)
_BLOCK_TEXT_TAGS = "p, pre, blockquote"


def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(word) for word in words), key=len, reverse=True))
    return re.compile(r"(?:^|[\s_-])(?:" + alternatives + r")(?:$|[\s_\-\d])")


_BOILERPLATE = _word_pattern(BOILERPLATE_WORDS)
_HEADER = _word_pattern(HEADER_WORDS)


@dataclass
class ExtractedHtml:
    """Main text of one page, its title and what the extractor did."""

    text: str
    title: str
    extractor: str
    tables: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


# -- the hybrid extractor ------------------------------------------------------------------
def _attr_words(node) -> str:
    value = (node.getattr("class") or "") + " " + (node.getattr("id") or "")
    return _MODIFIER.sub(" ", _CAMEL.sub(r"\1-\2", value).lower())


def main_text_node(body):
    """The element that holds the densest paragraph text (a readability-style vote), or None.

    Each paragraph votes its length for its parent and half of it for its grandparent;
    a `<br>`-separated text block votes its own length.
    """
    scores: dict[int, float] = {}
    nodes: dict[int, Any] = {}

    def vote(node, weight: float) -> None:
        if node is None or node.tag in ("body", "html"):
            return
        key = hash(node)
        scores[key] = scores.get(key, 0.0) + weight
        nodes[key] = node

    # Collections are live in Resiliparse: index them once via a slice, never item by item.
    for block in body.query_selector_all(_BLOCK_TEXT_TAGS)[:]:
        length = len(block.text.strip())
        if length < 20:
            continue
        parent = block.parent
        vote(parent, length)
        if parent is not None:
            vote(parent.parent, length / 2)
    seen: set[int] = set()
    for br in body.query_selector_all("br")[:]:
        parent = br.parent
        if parent is None or hash(parent) in seen:
            continue
        seen.add(hash(parent))
        length = len(parent.text.strip())
        if length >= 20:
            vote(parent, length)
    if not scores:
        return None
    return nodes[max(scores, key=scores.get)]


def page_body(tree: HTMLTree):
    """The page's <body>, or None where it has none: for a frameset page Resiliparse gives an empty
    node without tag or text, which is as good as no body (the page has no main text)."""
    body = tree.body
    if body is None or body.tag is None or body.text is None:
        return None
    return body


def prune_boilerplate(tree: HTMLTree, *, protect_share: float = 0.5) -> dict[str, int]:
    """Remove boilerplate elements in place; returns counts of what was removed.

    A node that contains the main text node is never removed. When no main text node is
    found, a node holding more than `protect_share` of the page's text is kept instead.
    """
    body = page_body(tree)
    counts = {"by_tag": 0, "by_class": 0}
    if body is None:
        return counts
    main = main_text_node(body)
    total = len(body.text) or 1

    def removable(node) -> bool:
        if main is not None:
            return not node.contains(main)
        return len(node.text) <= protect_share * total

    for node in body.query_selector_all(BOILERPLATE_SELECTOR)[:]:
        if node.parent is not None and removable(node):
            node.decompose()
            counts["by_tag"] += 1
    for node in body.query_selector_all("[class], [id]")[:]:
        if node.parent is None:
            continue  # inside something already removed
        words = _attr_words(node)
        if _BOILERPLATE.search(words):
            if removable(node):
                node.decompose()
                counts["by_class"] += 1
        elif _HEADER.search(words) and node.closest("article, main, [role=main]") is None and removable(node):
            # A site header; the header *of an article* holds its headline and lede.
            node.decompose()
            counts["by_class"] += 1
    counts["by_link_density"] = prune_link_lists(body, main)
    return counts


def _link_density(node) -> tuple[float, int]:
    text = len("".join(node.text.split()))
    links = node.query_selector_all("a")[:]
    linked = sum(len("".join(link.text.split())) for link in links)
    return (linked / text if text else 0.0), len(links)


def prune_link_lists(body, main, *, min_links: int = 3, min_density: float = 0.8) -> int:
    """Remove lists and tables that are almost all link text (headline lists, "hot" boxes,
    menus without a class name): they are navigation wherever they sit. The main text
    node and what contains it are kept."""
    removed = 0
    for node in body.query_selector_all("ul, ol, table")[:]:
        if node.parent is None or (main is not None and (node.contains(main) or main.contains(node))):
            continue
        density, links = _link_density(node)
        if links >= min_links and density >= min_density:
            node.decompose()
            removed += 1
    return removed


def _cell_text(cell) -> str:
    return " ".join(cell.text.split())


def _innermost(tree: HTMLTree, tag: str) -> Iterator[Any]:
    """Elements `tag` of the body that hold no nested `tag` and are still in the tree (earlier
    rewrites of the same pass may have replaced their ancestors)."""
    body = page_body(tree)
    if body is None:
        return
    for node in body.query_selector_all(tag)[:]:
        if node.parent is not None and node.query_selector(tag) is None:
            yield node


def _span(cell, name: str, limit: int) -> int:
    """A cell's colspan or rowspan clipped to 1..limit; a missing or bad value ("abc", "-1") is 1.

    rowspan="0" means "to the end of the row group" in HTML: read as `limit`, the rows left.
    """
    value = (cell.getattr(name) or "1").strip()
    try:
        span = int(value)
    except ValueError:
        return 1
    if span == 0 and name == "rowspan":
        return max(limit, 1)
    return min(max(span, 1), max(limit, 1))


def _fill_covered(row: list[str], covered: dict[int, int]) -> None:
    """Empty cells for the columns at the row's end that a rowspan from a row above still covers."""
    while covered.get(len(row), 0) > 0:
        covered[len(row)] -= 1
        row.append("")


def _table_rows(table, *, max_cell_chars: int, max_colspan: int) -> list[list[str]] | None:
    """Cell texts row by row, spans laid out; None for a layout table (a cell with an article in it).

    A spanning cell's text goes to its first column and row and the other slots it covers get
    empty cells, like PDF merged cells: without them, the cells under a rowspan shift one
    column left.
    """
    trs = table.query_selector_all("tr")[:]
    covered: dict[int, int] = {}  # column -> rows below still covered by a rowspan
    rows: list[list[str]] = []
    for index, tr in enumerate(trs):
        row: list[str] = []
        for cell in tr.query_selector_all("th, td")[:]:
            text = _cell_text(cell)
            if len(text) > max_cell_chars:
                return None
            _fill_covered(row, covered)
            colspan = _span(cell, "colspan", max_colspan)
            rowspan = _span(cell, "rowspan", len(trs) - index)
            for column in range(len(row), len(row) + colspan):
                covered[column] = rowspan - 1
            row.append(text)
            row.extend([""] * (colspan - 1))
        # A short row still uses up one row of the spans covering columns past its last cell.
        while any(left > 0 and column >= len(row) for column, left in covered.items()):
            if covered.get(len(row), 0) > 0:
                _fill_covered(row, covered)
            else:
                row.append("")
        if row:
            rows.append(row)
    return rows


def tables_to_markdown(tree: HTMLTree, *, max_cell_chars: int = 400, max_colspan: int = 20) -> int:
    """Replace data tables with `<pre>` blocks holding markdown; returns how many were replaced.

    Layout tables (a table inside, fewer than 2 rows or columns, or a cell with a whole
    article in it) are left alone so their text flows as paragraphs.
    """
    replaced = 0
    for table in _innermost(tree, "table"):
        rows = _table_rows(table, max_cell_chars=max_cell_chars, max_colspan=max_colspan)
        if rows is None or len(rows) < 2 or max(len(row) for row in rows) < 2:
            continue
        markdown = table_to_markdown(rows)
        if not markdown:
            continue
        pre = tree.create_element("pre")
        pre.append_child(tree.create_text_node(markdown))
        table.parent.replace_child(pre, table)
        replaced += 1
    return replaced


def _pair_separator(term: str) -> str:
    return "：" if term and "\u2e80" <= term[-1] <= "\u9fff" else ": "


def definition_lists_to_lines(tree: HTMLTree, *, max_term_chars: int = 40) -> int:
    """Turn `<dl>` term/definition pairs (infoboxes, fact sheets) into one "term：definition" line each.

    Rendered as they are, a term and its value land on separate lines ("成立时间" / "1994年"),
    which reads as a list of fragments to line-level quality rules and loses the pairing.
    Returns how many lists were rewritten.
    """
    rewritten = 0
    for dl in _innermost(tree, "dl"):
        lines: list[str] = []
        term = ""
        for child in dl.child_nodes:
            tag = (child.tag or "").lower()
            text = _cell_text(child)
            if tag == "dt":
                if term:
                    lines.append(term)
                term = text if len(text) <= max_term_chars else ""
                if not term and text:
                    lines.append(text)
            elif tag == "dd":
                lines.append(f"{term}{_pair_separator(term)}{text}" if term and text else (term or text))
                term = ""
        if term:
            lines.append(term)
        lines = [line for line in lines if line]
        if not lines:
            continue
        block = tree.create_element("div")
        for line in lines:
            paragraph = tree.create_element("p")
            paragraph.append_child(tree.create_text_node(line))
            block.append_child(paragraph)
        dl.parent.replace_child(block, dl)
        rewritten += 1
    return rewritten


def page_title(tree: HTMLTree) -> str:
    """`<title>`, else og:title, else the first `<h1>`."""
    title = " ".join((tree.title or "").split())
    if title:
        return title
    head = tree.head
    if head is not None:
        meta = head.query_selector('meta[property="og:title"], meta[name="twitter:title"]')
        if meta is not None:
            title = " ".join((meta.getattr("content") or "").split())
            if title:
                return title
    body = page_body(tree)
    if body is not None:
        h1 = body.query_selector("h1")
        if h1 is not None:
            return " ".join(h1.text.split())
    return ""


def tidy_text(text: str, *, drop_ad_labels: bool = True) -> str:
    """Strip line ends and wide-space indents, drop lone "Advertisement" labels, keep at most one blank line."""
    text = _LEADING_WIDE_SPACE.sub("", _TRAILING_SPACE.sub("", text))
    if drop_ad_labels:
        text = _AD_LABEL.sub("", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _resiliparse_text(tree_or_html, *, main_content: bool, comments: bool, post_meta: bool, alt_texts: bool) -> str:
    return extract_plain_text(
        tree_or_html,
        preserve_formatting=True,
        main_content=main_content,
        comments=comments,
        post_meta=post_meta,
        alt_texts=alt_texts,
        links=False,
        list_bullets=True,
    )


def _extract_hybrid(
    html_text: str,
    *,
    main_content: bool,
    prune: bool,
    tables: bool,
    comments: bool,
    post_meta: bool,
    alt_texts: bool,
    drop_ad_labels: bool,
    protect_share: float,
    rescue_min_chars: int,
) -> ExtractedHtml:
    tree = HTMLTree.parse(html_text)
    title = page_title(tree)
    meta: dict[str, Any] = {}
    if prune:
        meta["pruned"] = prune_boilerplate(tree, protect_share=protect_share)
    n_tables = tables_to_markdown(tree) if tables else 0
    meta["definition_lists"] = definition_lists_to_lines(tree)
    text = tidy_text(
        _resiliparse_text(tree, main_content=main_content, comments=comments, post_meta=post_meta, alt_texts=alt_texts),
        drop_ad_labels=drop_ad_labels,
    )
    if prune and len(text) < rescue_min_chars:
        # Pruning should never be what empties a page: retry on the untouched DOM.
        plain = tidy_text(
            _resiliparse_text(
                HTMLTree.parse(html_text), main_content=main_content, comments=comments, post_meta=post_meta, alt_texts=alt_texts
            ),
            drop_ad_labels=drop_ad_labels,
        )
        if len(plain) > len(text):
            text, n_tables = plain, 0
            meta["rescued"] = True
    return ExtractedHtml(text=text, title=title, extractor="hybrid", tables=n_tables, meta=meta)


# -- the alternatives ----------------------------------------------------------------------
def _extract_trafilatura(html_text: str, *, fast: bool, favor_precision: bool, favor_recall: bool, tables: bool) -> ExtractedHtml:
    import trafilatura  # imported here: slow to import and only needed when chosen

    text = trafilatura.extract(
        html_text,
        fast=fast,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
        include_tables=tables,
        include_comments=False,
        deduplicate=False,
    )
    tree = HTMLTree.parse(html_text)
    return ExtractedHtml(text=tidy_text(text or "", drop_ad_labels=False), title=page_title(tree), extractor="trafilatura")


_SELECTOLAX_DROP = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button"


def _extract_selectolax(html_text: str) -> ExtractedHtml:
    """Tag-level stripping only: the floor every smarter extractor has to beat."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html_text)
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node is not None else ""
    for node in tree.css(_SELECTOLAX_DROP):
        node.decompose()
    body = tree.body
    text = body.text(separator="\n") if body is not None else ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return ExtractedHtml(text="\n".join(line for line in lines if line), title=title, extractor="selectolax")


def extract_html(
    html_text: str,
    *,
    extractor: str = DEFAULT_EXTRACTOR,
    main_content: bool = True,
    prune: bool = True,
    tables: bool = True,
    comments: bool = False,
    post_meta: bool = True,
    alt_texts: bool = False,
    drop_ad_labels: bool = True,
    protect_share: float = 0.5,
    rescue_min_chars: int = 50,
    fast: bool = False,
    favor_precision: bool = False,
    favor_recall: bool = False,
) -> ExtractedHtml:
    """Main text (paragraphs separated by blank lines, tables as markdown) and title of a page.

    extractor: hybrid (default) | resiliparse | trafilatura | selectolax.
    hybrid/resiliparse options: main_content, tables (markdown), comments (keep comment
    sections), post_meta, alt_texts, drop_ad_labels; hybrid only: prune, protect_share,
    rescue_min_chars (below it, retry without pruning). trafilatura options: fast,
    favor_precision, favor_recall, tables.
    """
    if extractor == "hybrid":
        return _extract_hybrid(
            html_text,
            main_content=main_content,
            prune=prune,
            tables=tables,
            comments=comments,
            post_meta=post_meta,
            alt_texts=alt_texts,
            drop_ad_labels=drop_ad_labels,
            protect_share=protect_share,
            rescue_min_chars=rescue_min_chars,
        )
    if extractor == "resiliparse":
        result = _extract_hybrid(
            html_text,
            main_content=main_content,
            prune=False,
            tables=tables,
            comments=comments,
            post_meta=post_meta,
            alt_texts=alt_texts,
            drop_ad_labels=drop_ad_labels,
            protect_share=protect_share,
            rescue_min_chars=0,
        )
        result.extractor = "resiliparse"
        return result
    if extractor == "trafilatura":
        return _extract_trafilatura(html_text, fast=fast, favor_precision=favor_precision, favor_recall=favor_recall, tables=tables)
    if extractor == "selectolax":
        return _extract_selectolax(html_text)
    raise ValueError(f"unknown HTML extractor {extractor!r}; choose one of {', '.join(EXTRACTORS)} (config key extract.html.extractor)")
