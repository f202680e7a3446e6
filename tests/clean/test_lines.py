"""Line-level filters: each catches its lines and leaves prose, tables and tickers alone."""

from __future__ import annotations

import pytest

from .helpers import line_finding

BOILERPLATE = [
    ("zh", "版权所有 © 2008-2024 财新网 保留所有权利"),
    ("zh", "本文版权归新浪财经所有，未经授权不得转载。"),
    ("zh", "未经本网书面授权，不得转载、摘编或以其他方式使用"),
    ("zh", "扫码关注我们的微信公众号"),
    ("zh", "关注公众号，获取更多资讯"),
    ("zh", "点击这里查看更多"),
    ("zh", "责任编辑：张伟"),
    ("zh", "免责声明：本文仅代表作者个人观点，与本网站无关。"),
    ("zh", "分享到：微信 微博 QQ空间"),
    ("zh", "本网站使用Cookie以提升您的浏览体验。"),
    ("zh", "原标题：央行开展逆回购操作"),
    ("zh", "All Rights Reserved."),  # English notices on Chinese pages
    ("en", "Copyright 2023 Example Media. All rights reserved."),
    ("en", "Click here to subscribe"),
    ("en", "We use cookies to improve your experience on our site."),
    ("en", "Share this article with your friends."),
    ("en", "Follow us on Twitter for more updates."),
    ("en", "Reuter"),
]


@pytest.mark.parametrize("lang,line", BOILERPLATE)
def test_boilerplate_lines_caught(lang, line):
    finding = line_finding("boilerplate_lines", line, lang)
    assert finding is not None, line


@pytest.mark.parametrize(
    "lang,line",
    [
        ("zh", "公司本期营业收入同比增长12%，净利润创历史新高。"),
        ("zh", "记者从中国人民银行获悉，本周公开市场将有800亿元逆回购到期。"),
        ("en", "The company said it would click into a higher gear after the merger."),
        ("en", "Reuters reported that the bank had raised its forecast for the year."),
    ],
)
def test_boilerplate_lines_leave_prose(lang, line):
    assert line_finding("boilerplate_lines", line, lang) is None


def test_boilerplate_lines_leave_long_paragraphs_that_mention_copyright():
    line = "版权所有" + "，该公司在知识产权领域的诉讼持续多年，法院最终判决被告赔偿经济损失并停止侵权行为" * 3
    assert line_finding("boilerplate_lines", line) is None
    assert line_finding("boilerplate_lines", line, max_chars={"zh": 1000}) is not None


@pytest.mark.parametrize(
    "lang,line",
    [
        ("zh", "首页 | 新闻 | 财经 | 科技 | 体育"),
        ("zh", "首页 > 财经 > 正文"),
        ("zh", "新闻 财经 科技 体育 娱乐 汽车"),
        ("en", "Home | News | Markets | Tech | Opinion"),
        ("en", "Home » Business » Markets"),
    ],
)
def test_navigation_lines_caught(lang, line):
    assert line_finding("navigation_lines", line, lang) is not None


@pytest.mark.parametrize(
    "lang,line",
    [
        ("zh", "安德鲁·拜纳姆在比赛中受伤，随后接受了核磁共振检查。"),
        ("zh", "床前明月光 疑是地上霜 举头望明月 低头思故乡"),
        ("en", "Sun Co <SUN>, Phillips Petroleum <P> and Exxon <XON> raised prices"),
        ("en", "Fees total 1-3/4 pct, with 1-1/8 pct for selling, 3/8 pct"),
        ("zh", "| 项目 | 2023年 | 2022年 | 同比变动 |"),
    ],
)
def test_navigation_lines_leave_prose_names_tickers_and_tables(lang, line):
    assert line_finding("navigation_lines", line, lang) is None


def test_navigation_lines_keep_tables_written_without_outer_pipes():
    table = "项目 | 本期 | 上期 | 变动\n营业收入 | 52.36 | 46.58 | 12.4%\n净利润 | 6.81 | 6.25 | 8.9%"
    for line in table.split("\n"):
        assert line_finding("navigation_lines", line, "zh", text=table) is None


@pytest.mark.parametrize(
    "line", ["Please enable JavaScript to view the comments.", "请开启JavaScript以获得最佳浏览体验", "document.write('<div>')", "var x = 1;"]
)
def test_javascript_lines_caught(line):
    assert line_finding("javascript_lines", line, "en") is not None


def test_javascript_lines_leave_prose():
    assert line_finding("javascript_lines", "The variance of returns is a function of risk.", "en") is None


@pytest.mark.parametrize("line", ["https://www.example.com/news/2023/01/a.html", "原文链接：http://finance.example.cn/a.shtml", "www.example.com"])
def test_url_only_lines_caught(line):
    assert line_finding("url_only_lines", line) is not None


def test_url_only_lines_leave_sentences_with_urls():
    assert line_finding("url_only_lines", "详情请见公司官网 http://www.example.com 上发布的年度报告全文及摘要。") is None


@pytest.mark.parametrize("line", ["***", "------", "。。。", "★☆★☆", "……"])
def test_symbol_only_lines_caught(line):
    assert line_finding("symbol_only_lines", line) is not None


@pytest.mark.parametrize("line", ["|---|---|", "```", "$$", "A", "1."])
def test_symbol_only_lines_keep_markup_letters_and_digits(line):
    assert line_finding("symbol_only_lines", line) is None


@pytest.mark.parametrize(
    "lang,line",
    [("zh", "阅读(123) 评论(4) 点赞"), ("zh", "浏览次数：1.2万"), ("en", "Share 12 Tweet"), ("en", "1.2k views 34 comments")],
)
def test_counter_lines_caught(lang, line):
    assert line_finding("counter_lines", line, lang) is not None


@pytest.mark.parametrize(
    "lang,line",
    [
        ("zh", "本文阅读量超过10万。"),
        ("en", "Shares 3,456,000 vs 3,200,000"),
        ("en", "The video had 1,000 views in its first hour, the company said."),
    ],
)
def test_counter_lines_leave_sentences_and_share_counts(lang, line):
    assert line_finding("counter_lines", line, lang) is None
