"""HTML page templates: an `Article` inside a site's navigation, ads, sidebars, footer and cookie banner.

Several layouts per language (HTML5 semantic, div soup, an old table layout, an encyclopedia
page) so that an extractor cannot key on one structure. `render_page` also returns snippets of
the main text and of the furniture, the per-page expectations the extraction stage is scored on.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field

from xuanyuan.corpus import boilerplate as bp
from xuanyuan.corpus.article import Article, Block

NEWS_LAYOUTS = ("html5", "divs", "table", "portal")
ENCYCLOPEDIA_LAYOUTS = ("wiki", "baike")
EN_LAYOUTS = ("html5", "divs", "blog")


@dataclass
class RenderedPage:
    html: str
    with_snippets: list[str]
    without_snippets: list[str]
    layout: str
    site: str


@dataclass
class _Furniture:
    nav: list[str]
    ads: list[str]
    hot: list[str]
    related: list[str]
    cookie: str
    share: list[str]
    footer: list[str]
    breadcrumb: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        return self.nav + self.ads + self.hot + self.related + [self.cookie] + self.footer


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _block_html(block: Block, lang: str, edit_links: bool, refs: dict[int, int]) -> str:
    if block.kind == "h":
        level = min(max(block.level, 2), 4)
        edit = '<a class="edit-link" href="#edit">编辑</a>' if edit_links and lang == "zh" else ""
        return f"<h{level}>{_e(block.text)}{edit}</h{level}>"
    if block.kind in ("p", "quote"):
        tag = "blockquote" if block.kind == "quote" else "p"
        ref = refs.get(id(block))
        sup = f'<sup class="reference">[{ref}]</sup>' if ref else ""
        return f"<{tag}>{_e(block.text)}{sup}</{tag}>"
    if block.kind == "list":
        return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in block.items) + "</ul>"
    if block.kind == "table" and block.table is not None:
        t = block.table
        caption = f"<caption>{_e(t.caption)}</caption>" if t.caption else ""
        head = "<tr>" + "".join(f"<th>{_e(c)}</th>" for c in t.header) + "</tr>"
        rows = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in t.rows)
        return f'<table class="data-table">{caption}<thead>{head}</thead><tbody>{rows}</tbody></table>'
    return ""


def _links(items: list[str], cls: str) -> str:
    return f'<ul class="{cls}">' + "".join(f'<li><a href="/{cls}/{i}.html">{_e(t)}</a></li>' for i, t in enumerate(items)) + "</ul>"


def _head(title: str, site: str, charset: str, lang: str, rng: random.Random) -> str:
    meta = f'<meta charset="{charset}">' if rng.random() < 0.6 else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    script = "<script>var _hmt = _hmt || []; (function(){var s=document.createElement('script');s.async=true;})();</script>"
    style = "<style>.nav li{display:inline-block}.cookie-banner{position:fixed;bottom:0}</style>"
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n{meta}\n'
            f'<title>{_e(title)}_{_e(site)}</title>\n<meta name="viewport" content="width=device-width, initial-scale=1">\n{style}\n{script}\n</head>\n')


def _cookie(f: _Furniture, lang: str) -> str:
    accept, reject = ("接受", "拒绝") if lang == "zh" else ("Accept", "Reject")
    return f'<div class="cookie-banner" id="cookie-consent"><p>{_e(f.cookie)}</p><button>{accept}</button><button>{reject}</button></div>'


def _footer(f: _Furniture, tag: str = "footer") -> str:
    inner = "".join(f"<p>{_e(line)}</p>" for line in f.footer)
    return f'<{tag} class="site-footer" id="footer">{inner}</{tag}>' if tag == "footer" else f'<div class="footer" id="footer">{inner}</div>'


def _byline(article: Article, lang: str, site: str, rng: random.Random) -> str:
    date = f"{rng.randrange(2019, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} {rng.randrange(6, 23):02d}:{rng.randrange(60):02d}"
    if lang == "zh":
        return f'<div class="article-info"><span class="time">{date}</span><span class="source">来源：{_e(site)}</span><span class="views">阅读 {rng.randrange(100, 99999)}</span></div>'
    return f'<div class="byline"><span class="author">By {_e(article.meta.get("author", "Staff"))}</span> <time>{date}</time></div>'


def _body(article: Article, lang: str, edit_links: bool, refs: dict[int, int]) -> str:
    return "\n".join(_block_html(b, lang, edit_links, refs) for b in article.blocks)


def _infobox(article: Article) -> str:
    if not article.infobox:
        return ""
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in article.infobox)
    return f'<dl class="basic-info infobox">{rows}</dl>'


def _layout_html5(article, f, lang, site, rng, refs):
    nav = _links(f.nav, "nav")
    aside = f'<aside class="sidebar"><h3>{"热点排行" if lang == "zh" else "Most read"}</h3>{_links(f.hot, "hot")}<div class="ad">{_e(f.ads[0])}</div></aside>'
    share = '<div class="share-bar">' + " ".join(f"<span>{_e(s)}</span>" for s in f.share) + "</div>"
    related = f'<section class="related"><h3>{"相关阅读" if lang == "zh" else "Related stories"}</h3>{_links(f.related, "related")}</section>'
    return (f'<body>\n<header class="site-header"><div class="logo">{_e(site)}</div><nav>{nav}</nav></header>\n'
            f'<div class="ad-banner">{_e(f.ads[1])}</div>\n<main>\n<article>\n<h1>{_e(article.title)}</h1>\n{_byline(article, lang, site, rng)}\n'
            f'<div class="article-content">\n{_body(article, lang, False, refs)}\n</div>\n{share}\n</article>\n{related}\n{aside}\n</main>\n'
            f'{_footer(f)}\n{_cookie(f, lang)}\n</body>\n</html>\n')


def _layout_divs(article, f, lang, site, rng, refs):
    nav = _links(f.nav, "menu")
    crumbs = " &gt; ".join(_e(c) for c in f.breadcrumb)
    return (f'<body>\n<div id="top-bar"><div class="wrap"><span class="site-name">{_e(site)}</span>{nav}</div></div>\n'
            f'<div class="breadcrumb">{crumbs}</div>\n<div class="wrap clearfix">\n<div class="main-col">\n'
            f'<div class="post"><div class="post-title"><h1>{_e(article.title)}</h1></div>{_byline(article, lang, site, rng)}\n'
            f'<div id="post-body" class="post-body">\n{_body(article, lang, False, refs)}\n</div>\n'
            f'<div class="post-share">' + " | ".join(_e(s) for s in f.share) + '</div></div>\n'
            f'<div class="recommend"><div class="rec-title">{"推荐阅读" if lang == "zh" else "You may also like"}</div>{_links(f.related, "rec")}</div>\n'
            f'</div>\n<div class="side-col"><div class="side-ad">{_e(f.ads[0])}</div><div class="side-box">{_links(f.hot, "side-hot")}</div>'
            f'<div class="side-ad">{_e(f.ads[1])}</div></div>\n</div>\n{_footer(f, "div")}\n{_cookie(f, lang)}\n</body>\n</html>\n')


def _layout_table(article, f, lang, site, rng, refs):
    nav = " | ".join(f'<a href="/c/{i}/">{_e(n)}</a>' for i, n in enumerate(f.nav))
    hot = "".join(f'<tr><td class="hot-item"><a href="/h/{i}.htm">{_e(t)}</a></td></tr>' for i, t in enumerate(f.hot))
    return (f'<body bgcolor="#ffffff">\n<table width="960" align="center" cellpadding="0" cellspacing="0"><tr><td class="logo">{_e(site)}</td><td class="top-nav">{nav}</td></tr></table>\n'
            f'<table width="960" align="center"><tr><td width="680" valign="top">\n<h1 class="title">{_e(article.title)}</h1>\n{_byline(article, lang, site, rng)}\n'
            f'<div id="content" class="content">\n{_body(article, lang, False, refs)}\n</div>\n'
            f'<div class="xgxw"><b>{"相关新闻" if lang == "zh" else "Related"}</b>{_links(f.related, "xgxw")}</div>\n'
            f'</td><td width="260" valign="top" class="right"><div class="gg">{_e(f.ads[0])}</div><table class="hot">{hot}</table><div class="gg">{_e(f.ads[1])}</div></td></tr></table>\n'
            f'{_footer(f, "div")}\n{_cookie(f, lang)}\n</body>\n</html>\n')


def _layout_portal(article, f, lang, site, rng, refs):
    nav = _links(f.nav, "channel-nav")
    return (f'<body>\n<div class="topbar">{_e(site)} · {"登录 注册 | 手机版" if lang == "zh" else "Sign in | Subscribe"}</div>\n<div class="header">{nav}</div>\n'
            f'<div class="ad-top" data-ad="banner">{_e(f.ads[0])}</div>\n<div class="container">\n<div class="left">\n'
            f'<div class="article" id="article"><h1 class="main-title">{_e(article.title)}</h1>{_byline(article, lang, site, rng)}\n'
            f'<div class="article-body">\n{_body(article, lang, False, refs)}\n</div></div>\n'
            f'<div class="share">' + " ".join(f"<a>{_e(s)}</a>" for s in f.share) + '</div>\n'
            f'<div class="comment-box">{"网友评论" if lang == "zh" else "Comments"}：{rng.randrange(0, 900)}{"条" if lang == "zh" else ""}</div>\n'
            f'<div class="more-news">{_links(f.related, "more")}</div>\n</div>\n<div class="right">{_links(f.hot, "rank")}<div class="ad-side">{_e(f.ads[1])}</div></div>\n</div>\n'
            f'{_footer(f)}\n{_cookie(f, lang)}\n</body>\n</html>\n')


def _layout_wiki(article, f, lang, site, rng, refs):
    nav = _links(f.nav, "portal-nav")
    references = "".join(f"<li>[{n}] {_e(text)}</li>" for n, text in enumerate(article.meta.get("references", []), start=1))
    return (f'<body>\n<div id="head">{_e(site)}<form class="search"><input name="q"><button>{"搜索词条" if lang == "zh" else "Search"}</button></form>{nav}</div>\n'
            f'<div id="content">\n<div class="lemma"><h1 class="lemma-title">{_e(article.title)}</h1>'
            f'<div class="lemma-tools"><a href="#">编辑</a> <a href="#">讨论</a> <a href="#">收藏</a></div>\n'
            f'{_infobox(article)}\n<div class="lemma-summary">\n{_body(article, lang, True, refs)}\n</div>\n'
            f'<div class="references"><h2>参考资料</h2><ul class="reference-list">{references}</ul></div>\n</div>\n'
            f'<div class="side-content"><h3>相关词条</h3>{_links(f.related, "lemma-related")}<div class="side-ad">{_e(f.ads[0])}</div></div>\n</div>\n'
            f'{_footer(f)}\n{_cookie(f, lang)}\n</body>\n</html>\n')


def _layout_baike(article, f, lang, site, rng, refs):
    nav = _links(f.nav, "top-links")
    infobox = ""
    if article.infobox:
        infobox = '<table class="infobox">' + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in article.infobox) + "</table>"
    references = "".join(f'<li><span class="ref-index">{n}.</span> {_e(text)}</li>' for n, text in enumerate(article.meta.get("references", []), start=1))
    return (f'<body>\n<div class="header">{_e(site)} {nav}</div>\n<div class="body-wrapper">\n<div class="catalog">目录</div>\n'
            f'<div class="main-content"><h1>{_e(article.title)}</h1><span class="edit-lemma"><a href="#">编辑</a></span>\n{infobox}\n'
            f'{_body(article, lang, True, refs)}\n<dl class="lemma-reference"><dt>参考资料</dt><dd><ul>{references}</ul></dd></dl>\n</div>\n'
            f'<div class="side">{_links(f.hot, "hot-lemma")}<div class="ad">{_e(f.ads[0])}</div><div class="ad">{_e(f.ads[1])}</div></div>\n</div>\n'
            f'{_footer(f, "div")}\n{_cookie(f, lang)}\n</body>\n</html>\n')


def _layout_blog(article, f, lang, site, rng, refs):
    nav = _links(f.nav, "menu")
    return (f'<body class="single-post">\n<div class="site-header"><span class="site-title">{_e(site)}</span>{nav}</div>\n'
            f'<div class="content-area"><div class="entry"><h1 class="entry-title">{_e(article.title)}</h1>{_byline(article, lang, site, rng)}\n'
            f'<div class="entry-content">\n{_body(article, lang, False, refs)}\n</div>\n'
            f'<div class="newsletter-signup">{_e(f.ads[0])} <a href="/subscribe">{"Click here to subscribe" if rng.random() < 0.5 else "Sign up now"}</a></div>\n'
            f'<div class="sharedaddy">' + " ".join(_e(s) for s in f.share) + '</div></div>\n'
            f'<div class="widget-area"><h3>Popular posts</h3>{_links(f.hot, "popular")}<div class="sponsored">{_e(f.ads[1])}</div></div></div>\n'
            f'<div class="related-posts"><h3>Related posts</h3>{_links(f.related, "related-post")}</div>\n'
            f'{_footer(f)}\n{_cookie(f, lang)}\n</body>\n</html>\n')


LAYOUTS = {"html5": _layout_html5, "divs": _layout_divs, "table": _layout_table, "portal": _layout_portal,
           "wiki": _layout_wiki, "baike": _layout_baike, "blog": _layout_blog}

_SENTENCE_END = re.compile(r"(?<=[。！？!?.])\s*")


def _snippet(text: str, rng: random.Random, lang: str) -> str:
    """About 14 characters of Chinese, or six whole words of English, from `text`."""
    if lang == "en":
        words = text.split()
        if len(words) <= 6:
            return text.strip()
        start = rng.randrange(0, len(words) - 6)
        return " ".join(words[start:start + 6])
    if len(text) <= 14:
        return text
    start = rng.randrange(0, len(text) - 14)
    return text[start:start + 14].strip()


def _snippets(texts: list[str], rng: random.Random, k: int, lang: str, avoid: str, page: str) -> list[str]:
    """Up to `k` short spans from different texts that occur in `page` and not in `avoid`."""
    out: list[str] = []
    candidates = [t for t in texts if len(t) >= 12]
    rng.shuffle(candidates)
    for text in candidates:
        snippet = _snippet(text, rng, lang)
        if snippet and snippet in page and snippet not in avoid and snippet not in out:
            out.append(snippet)
        if len(out) == k:
            break
    return out


def furniture(rng: random.Random, lang: str, site: str, related_titles: list[str], section: str) -> _Furniture:
    nav_rng = random.Random(f"nav:{site}")  # menus are per site, not per page
    return _Furniture(
        nav=bp.site_nav(nav_rng, lang), ads=bp.ads(rng, lang, site, 2), hot=bp.hot_titles(rng, lang, site, rng.randint(5, 8)),
        related=related_titles, cookie=bp.cookie_text(rng, lang), share=bp.share_items(lang), footer=bp.footer_lines(rng, lang, site),
        breadcrumb=[("首页" if lang == "zh" else "Home"), section],
    )


def render_page(article: Article, rng: random.Random, *, layout: str, site: str, charset: str, related_titles: list[str],
                section: str, page_lang: str | None = None) -> RenderedPage:
    """The page's HTML (a str; the caller encodes it) plus with/without expectation snippets.

    `page_lang` is the language of the site around the article (an English article planted in a
    Chinese site keeps Chinese menus).
    """
    page_lang = page_lang or article.lang
    f = furniture(rng, page_lang, site, related_titles, section)
    refs: dict[int, int] = {}
    if article.genre == "encyclopedia":
        # Footnote marks go on real paragraphs only, never on a short planted boilerplate line.
        paragraphs = [b for b in article.blocks if b.kind == "p" and len(b.text) >= 40]
        chosen = sorted(rng.sample(range(len(paragraphs)), min(len(paragraphs), rng.randint(1, 4))))
        for n, index in enumerate(chosen, start=1):
            refs[id(paragraphs[index])] = n
        article.meta.setdefault("references", [f"{bp._fill('{brand}', rng, 'zh', site)}：《{article.title}相关资料》，{rng.randrange(2005, 2024)}年" for _ in chosen])
    body = LAYOUTS[layout](article, f, page_lang, site, rng, refs)
    page = _head(article.title, site, charset, page_lang, rng) + body
    main_texts = [b.text for b in article.blocks if b.kind == "p"]
    furniture_text = "\n".join(f.texts())
    plain_page = html.unescape(page)
    with_ = _snippets(main_texts, rng, 3, article.lang, furniture_text, plain_page)
    without = _snippets(f.ads + f.footer[1:3] + [f.cookie] + f.hot[:2] + f.related[:1], rng, 3, page_lang, article.main_text(), plain_page)
    return RenderedPage(page, with_, without, layout, site)
