"""Char-level rewrites."""

from __future__ import annotations

import pytest

from .helpers import rewrite


def test_unicode_normalize_makes_fullwidth_ascii_halfwidth_but_keeps_chinese_punctuation():
    text, edits = rewrite("unicode_normalize", "ＡＢＣ公司２０２３年营收增长，利润（净额）下降！真的？是：否；好…～①")
    assert text == "ABC公司2023年营收增长，利润（净额）下降！真的？是：否；好…～①"
    assert edits >= 7


def test_unicode_normalize_leaves_normal_text_alone():
    assert rewrite("unicode_normalize", "平安银行，营收增长。Plain ASCII.") == ("平安银行，营收增长。Plain ASCII.", 0)
    assert rewrite("unicode_normalize", "plain ascii", "en") == ("plain ascii", 0)


def test_unicode_normalize_keep_is_configurable():
    assert rewrite("unicode_normalize", "①，", keep="")[0] == "1,"


def test_whitespace_normalize():
    text, edits = rewrite("whitespace_normalize", "\u3000\u3000第一段\u00a0内容\t结束  \r\n\r\n\r\n\r\n第二\u200b段 \n")
    assert text == "第一段 内容 结束\n\n第二段"
    assert edits > 0


def test_whitespace_normalize_keeps_clean_text():
    assert rewrite("whitespace_normalize", "a b\n\nc") == ("a b\n\nc", 0)


def test_whitespace_normalize_rejects_a_negative_blank_line_limit():
    with pytest.raises(ValueError, match="max_blank_lines"):
        rewrite("whitespace_normalize", "x", max_blank_lines=-1)


def test_control_chars_removed_and_form_feeds_become_newlines():
    text, edits = rewrite("control_chars", "第一页\x0c第二页\x00\x07软\u00ad连字\u202e")
    assert text == "第一页\n第二页软连字" and edits == 5
    assert rewrite("control_chars", "tab\tand\nnewline stay", "en") == ("tab\tand\nnewline stay", 0)


def test_punctuation_width_makes_ascii_marks_next_to_chinese_full_width():
    text, edits = rewrite("punctuation_width", "公司公告,本期营收增长(同比)20%;请注意:风险!真的?是")
    assert text == "公司公告，本期营收增长（同比）20%；请注意：风险！真的？是"
    assert edits == 6


def test_punctuation_width_leaves_numbers_and_latin_alone():
    for text in ("收盘价1,234.56点，时间10:30。", "Hello, world (really)!", "比分3:2"):
        assert rewrite("punctuation_width", text)[0] == text


def test_punctuation_width_is_chinese_only():
    from .helpers import rule, view

    assert not rule("punctuation_width").applies_to(view("a,b", "en"))


def test_traditional_to_simplified_is_off_by_default_and_converts():
    from .helpers import rule

    assert rule("traditional_to_simplified").enabled_by_default is False
    text, edits = rewrite("traditional_to_simplified", "臺灣銀行發佈財報")
    assert text == "台湾银行发布财报" and edits >= 4
    assert rewrite("traditional_to_simplified", "中国银行发布财报") == ("中国银行发布财报", 0)


def test_html_residue_strips_tags_scripts_comments_and_entities():
    text, edits = rewrite(
        "html_residue", "标题<br/>正文<b>加粗</b>&nbsp;内容&amp;更多<!-- ad --><script>var a=1;</script><p class=\"x\">段落</p>", "zh"
    )
    assert text == "标题\n正文加粗\u00a0内容&更多\n段落\n"
    assert edits > 0


def test_html_residue_keeps_tickers_comparisons_and_plain_text():
    for text in ("Inco <N> and Sun Co <SUN> rose", "if a<b and c>d then", "AT&T said"):
        assert rewrite("html_residue", text, "en") == (text, 0)
