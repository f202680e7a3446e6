"""Low-quality documents, one builder per category; each returns an `Article` in the source's language.

The clean stage should drop every one of them; `RULES` names the rules expected to fire.
"""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, p
from xuanyuan.corpus.genres import en_web, zh_news

RULES = {
    "too_short": ["min_chars", "gopher_word_count"],
    "repeated_lines": ["gopher_dup_lines", "gopher_dup_line_chars", "gopher_dup_paragraphs", "gopher_dup_paragraph_chars",
                       "fineweb_dup_line_chars", "gopher_top_ngram", "gopher_dup_ngram"],
    "symbol_spam": ["symbol_spam", "gopher_symbol_ratio", "cjk_ratio", "gopher_alpha_words"],
    "keyword_list": ["keyword_list", "fineweb_line_punct", "gopher_stopwords", "fineweb_short_lines"],
    "mojibake": ["mojibake"],
    "wrong_language": ["lang_mismatch", "cjk_ratio"],
}
CATEGORIES = tuple(RULES)

ZH_SHORT = ["顶", "沙发", "谢谢分享", "已阅", "路过", "好", "同意楼上", "mark", "收藏了", "厉害了", "学习了", "支持一下"]
EN_SHORT = ["Thanks!", "Coming soon.", "Page under construction.", "Nice post", "+1", "Loading...", "Test", "Hello world"]
ZH_KEYWORDS = [
    "股票", "股票推荐", "股票行情", "牛股", "涨停板", "炒股软件", "股票开户", "基金定投", "理财产品", "高收益理财", "期货配资", "外汇平台", "黄金投资",
    "贷款", "信用卡", "网贷", "低息贷款", "无抵押贷款", "房贷计算器", "二手房", "学区房", "装修公司", "减肥药", "祛斑", "招聘", "兼职", "日结",
    "代办", "注册公司", "代理记账", "股票入门", "k线图", "龙虎榜", "内幕消息", "主力资金", "短线技巧", "涨停密码", "牛市", "熊市", "抄底",
]
EN_KEYWORDS = ["cheap flights", "best loans", "payday loans", "crypto signals", "forex bonus", "weight loss pills", "seo services", "buy followers",
               "free movies", "casino bonus", "car insurance quotes", "cheap hotels", "work from home", "make money online", "best vpn", "credit repair"]
SYMBOL_RUNS = ["★☆★☆★☆", "【】【】【】", "###########", "@@@@@@", "※※※※※", "→→→→→", "▲▼▲▼▲▼", "◆◇◆◇◆◇", "■□■□■□", "$$$$$$", "~~~~~~~", "♥♡♥♡♥", "●○●○●○", "=====+=====", "|||||||||"]


def too_short(rng: random.Random, lang: str) -> Article:
    text = rng.choice(ZH_SHORT if lang == "zh" else EN_SHORT)
    return Article(title="", blocks=[p(text)], lang=lang, genre="low_quality")


def repeated_lines(rng: random.Random, lang: str, year: int) -> Article:
    source = zh_news.compose(rng, year) if lang == "zh" else en_web.compose(rng, year)
    sentences = [s for s in source.paragraphs() if len(s) > 10][:2] or [source.title]
    lines = [sentences[0][:40 if lang == "zh" else 90]]
    if len(sentences) > 1 and rng.random() < 0.5:
        lines.append(sentences[1][:40 if lang == "zh" else 90])
    repeats = rng.randint(12, 30)
    blocks = [p(lines[i % len(lines)]) for i in range(repeats)]
    return Article(title=source.title, blocks=blocks, lang=lang, genre="low_quality")


def symbol_spam(rng: random.Random, lang: str) -> Article:
    word = ent.brand_word(rng) if lang == "zh" else rng.choice(["SALE", "WIN", "FREE", "VIP", "HOT"])
    blocks = []
    for _ in range(rng.randint(6, 14)):
        left, right = rng.choice(SYMBOL_RUNS), rng.choice(SYMBOL_RUNS)
        blocks.append(p(f"{left}{rng.choice(SYMBOL_RUNS)}{word if rng.random() < 0.3 else ''}{right}{rng.choice(SYMBOL_RUNS)}"))
    return Article(title=rng.choice(SYMBOL_RUNS) + word + rng.choice(SYMBOL_RUNS), blocks=blocks, lang=lang, genre="low_quality")


def keyword_list(rng: random.Random, lang: str) -> Article:
    pool = ZH_KEYWORDS + [city + word for city in rng.sample(zh.CITIES, 6) for word in ("股票", "贷款", "房价", "招聘")] if lang == "zh" else EN_KEYWORDS + [f"{w} near me" for w in EN_KEYWORDS[:6]]
    sep = rng.choice([" ", "，", ",", " | ", "、"]) if lang == "zh" else rng.choice([" ", ", ", " | "])
    blocks = []
    for _ in range(rng.randint(5, 12)):
        blocks.append(p(sep.join(rng.sample(pool, rng.randint(6, 14)))))
    return Article(title=sep.join(rng.sample(pool, 4)), blocks=blocks, lang=lang, genre="low_quality")


def _garble(text: str, variant: str) -> str:
    if variant == "utf8_as_gbk_fffd":
        # GBK bytes read as UTF-8 give U+FFFD; writing those back as UTF-8 and reading them as
        # GBK again gives the notorious 锟斤拷.
        once = text.encode("gbk", errors="replace").decode("utf-8", errors="replace")
        return once.encode("utf-8").decode("gbk", errors="replace")
    if variant == "utf8_as_latin1":
        return text.encode("utf-8").decode("cp1252", errors="replace")
    raise ValueError(variant)


def mojibake(rng: random.Random, lang: str, year: int) -> tuple[Article, str]:
    source = zh_news.compose(rng, year) if lang == "zh" else en_web.compose(rng, year)
    if lang == "en":
        variant = "utf8_as_latin1"
        smart = {"'": "’", '"': "”"}
        fix = lambda t: _garble("".join(smart.get(c, c) for c in t).replace(" a ", " à ").replace("e ", "é ", 3), variant)  # noqa: E731
    else:
        variant = rng.choice(["utf8_as_gbk_fffd", "utf8_as_latin1"])
        fix = lambda t: _garble(t, variant)  # noqa: E731
    blocks = [p(fix(b.text)) for b in source.blocks if b.kind == "p"]
    return Article(title=fix(source.title), blocks=blocks, lang=lang, genre="low_quality"), variant


def wrong_language(rng: random.Random, year: int) -> Article:
    article = en_web.compose(rng, year)
    article.genre = "low_quality"
    return article


def make(category: str, rng: random.Random, lang: str, year: int) -> tuple[Article, dict]:
    """(article, detail) for one low-quality document of `category` in a `lang` source."""
    if category == "too_short":
        return too_short(rng, lang), {}
    if category == "repeated_lines":
        return repeated_lines(rng, lang, year), {}
    if category == "symbol_spam":
        return symbol_spam(rng, lang), {}
    if category == "keyword_list":
        return keyword_list(rng, lang), {}
    if category == "mojibake":
        article, variant = mojibake(rng, lang, year)
        return article, {"variant": variant}
    if category == "wrong_language":
        return wrong_language(rng, year), {"actual_lang": "en", "source_lang": lang}
    raise ValueError(f"unknown low_quality category {category!r}; known: {', '.join(CATEGORIES)}")
