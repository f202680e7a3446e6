from __future__ import annotations

from xuanyuan.clean import text_stats as ts


def test_english_words_keep_inner_apostrophes_hyphens_and_decimals():
    assert ts.words("Don't sell non-bank shares at 2.5 dlrs -- U.S. rules!", "en") == [
        "Don't", "sell", "non-bank", "shares", "at", "2.5", "dlrs", "U.S", "rules",
    ]


def test_chinese_words_are_ideographs_plus_latin_words_and_numbers():
    assert ts.words("央行投放1200亿元，CPI上涨2.1%。", "zh") == ["央", "行", "投", "放", "1200", "亿", "元", "CPI", "上", "涨", "2.1"]


def test_paragraphs_split_on_blank_lines():
    assert ts.paragraphs("第一段\n续行\n\n \n第二段\n\n\n") == ["第一段\n续行", "第二段"]


def test_count_chars_classifies_every_character_once():
    counts = ts.count_chars("Ab 中文，１２！©\ufffd\u200bア한")
    assert (counts.latin_upper, counts.latin_lower, counts.cjk) == (1, 1, 2)
    assert counts.digits == 2  # full-width digits are digits
    assert counts.punctuation == 2  # ，and ！
    assert counts.symbols == 1 and counts.replacement == 1 and counts.control == 1
    assert counts.kana == 1 and counts.hangul == 1 and counts.other_letters == 2
    assert counts.whitespace == 1
    assert counts.total == len("Ab 中文，１２！©\ufffd\u200bア한")
    assert counts.letters == 2 + 2 + 2 and counts.non_space == counts.total - 1


def test_count_chars_of_empty_and_astral_text():
    assert ts.count_chars("").total == 0
    assert ts.count_chars("𠀀😀").cjk == 1  # Extension B ideograph; the emoji is a symbol
    assert ts.count_chars("𠀀😀").symbols == 1


def test_cjk_helpers():
    assert ts.is_cjk("中") and ts.is_cjk("\u3400") and ts.is_cjk("\uf900")
    assert not ts.is_cjk("，") and not ts.is_cjk("ア") and not ts.is_cjk("a")
    assert ts.has_cjk("abc中") and not ts.has_cjk("abc，")


def test_terminal_punctuation_is_chinese_aware():
    for line in ("完成了。", "真的吗？", "他说：“好。”", "且看下文……", "End.", "增长35.6%。（央视新闻）", "Done. (Reuters)"):
        assert ts.ends_with_terminal_punct(line), line
    for line in ("首页 | 新闻", "公司简介", "Read more", "腾讯控股（00700）", ""):
        assert not ts.ends_with_terminal_punct(line), line
