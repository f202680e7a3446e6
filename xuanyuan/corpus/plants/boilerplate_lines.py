"""Boilerplate lines planted inside the main text (where no extractor removes them): the clean
stage's line rule must drop exactly these lines and keep the rest of the document."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_en as en
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, p

ZH_TOP = ["点击上方蓝字关注我们", "点击上方“{site}”，关注更多精彩内容", "原标题：{title}", "来源：{site}"]
ZH_BOTTOM = [
    "扫码关注我们的微信公众号", "扫描下方二维码，关注{site}官方微信", "本文版权归{site}所有，未经授权不得转载。", "点击这里查看更多",
    "责任编辑：{name}", "（责任编辑：{name}）", "免责声明：本文仅代表作者个人观点，与本网站无关。", "声明：本文内容仅供参考，不构成任何投资建议。",
    "更多精彩内容，请下载{site}客户端", "编辑：{name}　审核：{name2}", "觉得文章不错？点个“在看”再走吧", "本文来源于网络，如有侵权请联系删除。",
]
EN_TOP = ["Advertisement", "Originally published on {site}."]
EN_BOTTOM = [
    "Click here to subscribe", "All rights reserved.", "Follow us on social media for more updates.", "Share this article with your friends.",
    "Sign up for our daily newsletter.", "This article was originally published on {site}.", "Copyright {site}. All rights reserved.", "Click here to read more.",
]


def plant_lines(article: Article, rng: random.Random, site: str) -> list[str]:
    """Add 1-3 boilerplate lines as their own paragraphs at the top and/or bottom; return them."""
    lang = article.lang
    values = {"site": site, "title": article.title,
              "name": ent.person_name(rng) if lang == "zh" else rng.choice(en.FIRST_NAMES), "name2": ent.person_name(rng)}
    top_pool, bottom_pool = (ZH_TOP, ZH_BOTTOM) if lang == "zh" else (EN_TOP, EN_BOTTOM)
    lines: list[str] = []
    if rng.random() < 0.35:
        line = rng.choice(top_pool).format(**values)
        article.blocks.insert(0, p(line))
        lines.append(line)
    for template in rng.sample(bottom_pool, rng.randint(1, 2)):
        line = template.format(**values)
        article.blocks.append(p(line))
        lines.append(line)
    return lines


def site_name(rng: random.Random, lang: str) -> str:
    return rng.choice(zh.NEWS_SITES) if lang == "zh" else rng.choice(en.SITE_NAMES)
