"""Sentence-level rewrites of markup residue."""

from __future__ import annotations

import pytest

from .helpers import rewrite


@pytest.mark.parametrize(
    "text,expected,lang",
    [
        ("This was first used in 1928.[1] Later", "This was first used in 1928. Later", "en"),
        ("anarchism[2][3-5] and socialism[6, 7].", "anarchism and socialism.", "en"),
        ("Paris[citation needed] is", "Paris is", "en"),
        ("历史[编辑]", "历史", "zh"),
        ("该理论由凯恩斯提出[1]，后来被广泛应用。", "该理论由凯恩斯提出，后来被广泛应用。", "zh"),
    ],
)
def test_citation_markers_removed(text, expected, lang):
    assert rewrite("citation_markers", text, lang)[0] == expected


@pytest.mark.parametrize(
    "text",
    ["函数在区间[1,2]上单调递增", "a[1] = 0", "x ∈ [2, 4]", "见表 [1] 所示数据", "[1] Smith, J. (2020). Finance."],
)
def test_citation_markers_leave_intervals_indexes_and_reference_lists(text):
    assert rewrite("citation_markers", text) == (text, 0)


@pytest.mark.parametrize(
    "text,expected,lang",
    [
        ("太好了！！！！", "太好了！", "zh"),
        ("真的吗？？？", "真的吗？", "zh"),
        ("然后.........", "然后……", "zh"),
        ("然后。。。", "然后……", "zh"),
        ("Wow!!!", "Wow!", "en"),
        ("and then.......", "and then...", "en"),
    ],
)
def test_repeated_punctuation_collapsed(text, expected, lang):
    assert rewrite("repeated_punctuation", text, lang)[0] == expected


@pytest.mark.parametrize("text,lang", [("他说……好。", "zh"), ("Wait... what?", "en"), ("a,,b", "en"), ("3.14", "en")])
def test_repeated_punctuation_leaves_normal_text(text, lang):
    assert rewrite("repeated_punctuation", text, lang) == (text, 0)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("后市仍有上涨空间。(XWT185)", "后市仍有上涨空间。"),
        ("业绩超预期。（责任编辑：张三）", "业绩超预期。"),
        ("本报讯（记者 王浩）近日，", "本报讯近日，"),
    ],
)
def test_editor_tags_removed(text, expected):
    assert rewrite("editor_tags", text)[0] == expected


@pytest.mark.parametrize("text", ["腾讯控股（00700）上涨", "合格境内机构投资者（QDII）业务", "贵州茅台(SH600519)"])
def test_editor_tags_leave_codes_and_abbreviations(text):
    assert rewrite("editor_tags", text) == (text, 0)
