"""Document filters: each drops its kind of junk (asserting the rule's Finding) and passes clean text."""

from __future__ import annotations

import pytest

from xuanyuan.clean.base import DocumentFilter
from xuanyuan.clean.pipeline import build_rules

from .helpers import EN_NEWS, ZH_EXAM, ZH_NEWS, ZH_REPORT, doc_finding

CLEAN = [("zh", ZH_NEWS), ("en", EN_NEWS), ("zh", ZH_EXAM), ("zh", ZH_REPORT)]
DOCUMENT_RULES = [rule for rule in build_rules({"digit_ratio": True}) if isinstance(rule, DocumentFilter)]


@pytest.mark.parametrize("lang,text", CLEAN, ids=["zh_news", "en_news", "zh_exam", "zh_report"])
@pytest.mark.parametrize("rule", DOCUMENT_RULES, ids=lambda rule: rule.name)
def test_every_document_rule_passes_clean_text(rule, lang, text):
    from .helpers import view

    doc_view = view(text, lang)
    if rule.applies_to(doc_view):
        assert rule.check(doc_view) is None


ZH_FILLER = "公司发布公告称，本期经营情况良好，各项业务稳步推进，市场份额持续提升。"
EN_FILLER = "The company said that sales rose in the quarter and that it expects growth to continue with the new plant."

# (rule, lang, junk text, params)
JUNK = [
    ("min_chars", "zh", "顶", {}),
    ("min_chars", "en", "Nice post", {}),
    ("max_chars", "zh", ZH_FILLER * 10, {"max": 100}),
    ("mojibake", "zh", "锟斤拷锟斤拷" + ZH_FILLER + "烫烫烫", {}),
    ("mojibake", "en", EN_FILLER.replace("'", "â€™") + " Ã©tÃ© cafÃ© rÃ©sumÃ© (cid:12)(cid:13)", {}),
    ("lorem_ipsum", "en", "Lorem ipsum dolor sit amet, " + EN_FILLER, {}),
    ("lang_mismatch", "zh", EN_NEWS, {}),
    ("lang_mismatch", "en", ZH_NEWS, {}),
    ("lang_mismatch", "zh", "東京の株式市場では、日経平均株価が上昇しました。投資家は企業の決算発表に注目しています。", {}),
    ("cjk_ratio", "zh", "公司 " + EN_NEWS, {}),
    ("gopher_word_count", "en", "Shares rose sharply on Monday after the results.", {}),
    ("gopher_word_count", "zh", "今日股市大涨。", {"min": {"zh": 30}}),
    ("gopher_mean_word_length", "en", "a b c d e f g h i j " * 6, {}),
    ("gopher_mean_word_length", "en", ("Supercalifragilisticexpialidocious " * 60), {}),
    ("gopher_symbol_ratio", "en", "#finance #stocks #money #invest #trading " * 12, {}),
    ("gopher_symbol_ratio", "zh", "精彩内容……" * 40, {}),
    ("gopher_bullet_lines", "zh", "\n".join(f"• 第{i}条要点内容" for i in range(10)), {}),
    ("gopher_ellipsis_lines", "en", "\n".join(f"Read the story number {i} here..." for i in range(10)), {}),
    ("gopher_alpha_words", "en", " ".join(str(1000 + i) for i in range(60)) + " shares", {}),
    ("gopher_alpha_words", "zh", " ".join(str(1000 + i) for i in range(60)) + "股票", {}),
    ("gopher_stopwords", "en", "Quarterly revenue increased strongly; margins expanded; guidance raised; shares jumped. " * 4, {}),
    ("gopher_stopwords", "zh", "股票推荐牛股涨停板炒股软件股票开户基金定投理财产品高收益理财期货配资外汇平台黄金投资" * 5, {}),
    ("gopher_dup_lines", "zh", "\n".join(["今日大盘走势分析。"] * 6 + [ZH_FILLER]), {}),
    ("gopher_dup_line_chars", "zh", "\n".join([ZH_FILLER, ZH_FILLER, "另一行完全不同的内容，讲述公司治理与风险控制。" * 3]), {}),
    ("gopher_dup_paragraphs", "en", "\n\n".join([EN_FILLER, EN_FILLER, "A different paragraph about bonds and yields."]), {}),
    ("gopher_dup_paragraph_chars", "en", "\n\n".join([EN_FILLER, EN_FILLER, "Yields fell again on Tuesday as investors sought safety."]), {}),
    ("gopher_top_ngram", "en", "buy cheap shoes " * 40, {}),
    ("gopher_top_ngram", "zh", "买房" * 80, {}),
    ("gopher_dup_ngram", "en", EN_NEWS + " " + EN_NEWS, {}),
    ("gopher_dup_ngram", "zh", ZH_NEWS + ZH_NEWS, {}),
    ("fineweb_line_punct", "zh", "\n".join(f"{word}板块今日表现强势资金持续流入个股普遍上涨成交量明显放大" for word in "金融地产医药科技消费能源"), {}),
    ("fineweb_short_lines", "en", "\n".join([*"Home News Sports Weather Markets Opinion Video Podcasts Careers Travel Style Health".split(), EN_FILLER]), {}),
    ("fineweb_short_lines", "zh", "\n".join(["首页", "新闻中心", "财经频道", "股票行情", "基金净值", "理财产品", "联系我们", ZH_FILLER]), {}),
    ("fineweb_dup_line_chars", "en", "\n".join([EN_FILLER, "Subscribe to our newsletter today", "Subscribe to our newsletter today", EN_FILLER]), {"max": 0.1}),
    ("fineweb_list_ratio", "en", "\n".join(f"item {i}" for i in range(40)), {}),
    ("keyword_list", "zh", " ".join(["股票开户", "基金定投", "理财产品", "期货配资", "外汇平台", "黄金投资", "低息贷款"] * 4), {}),
    ("keyword_list", "en", ", ".join(["cheap flights", "best loans", "payday loans", "crypto signals", "free movies"] * 5), {}),
    ("bad_words", "zh", ZH_FILLER + "网上赌场百家乐时时彩真人荷官在线博彩", {}),
    ("bad_words", "en", EN_FILLER + " online casino free spins porn xxx nude escorts", {}),
    ("symbol_spam", "zh", "★☆★☆【】【】###@@@※※※→→→" * 5 + "特价", {}),
    ("digit_ratio", "en", "1234567890 " * 10 + "abc", {}),
    ("uppercase_ratio", "en", "BEAUTIFUL IMMACULATE CAPE COD! 3 BEDROOM, 2 BATH, SPACIOUS FAMILY ROOM WITH STONE GAS FIREPLACE", {}),
    ("code_braces", "en", EN_FILLER + " function f() { return 1; }", {}),
]


@pytest.mark.parametrize("name,lang,text,params", JUNK, ids=[f"{name}-{lang}-{i}" for i, (name, lang, _, _) in enumerate(JUNK)])
def test_document_rule_catches_junk(name, lang, text, params):
    finding = doc_finding(name, text, lang, **params)
    assert finding is not None, f"{name} let junk through"
    assert finding.threshold is not None


def test_code_braces_exempts_latex():
    text = EN_FILLER + r" The ratio is $\frac{a}{b}$ and $$x^{2}$$ as shown."
    assert doc_finding("code_braces", text, "en") is None


def test_lang_mismatch_keeps_bilingual_study_material():
    text = "四级高频短语：abide by 遵守；be absent from 缺席；at will 随心所欲；as a whole 就整体而论；in general 总的来说。" * 3
    assert doc_finding("lang_mismatch", text, "zh") is None


def test_keyword_list_leaves_enumerating_prose():
    text = (
        "国内商品期货多数收涨，LPG、豆粕主力合约涨停，菜粕涨超8%，豆二、低硫燃料油、PTA、PVC、沥青、玻璃、动力煤涨超5%，"
        "塑料、硅铁、苹果、原油、尿素、纯碱、甲醇、棉花、白糖涨超3%。"
    )
    assert doc_finding("keyword_list", text, "zh") is None


def test_bad_words_needs_several_hits():
    assert doc_finding("bad_words", ZH_FILLER * 3 + "警方打击网络赌博。", "zh") is None


def test_short_structured_lines_are_not_a_list():
    assert doc_finding("fineweb_short_lines", ZH_EXAM, "zh") is None


def test_one_line_documents_skip_line_ratio_rules():
    text = "中银基金获QDII资格记者从中银基金管理公司获悉，公司已正式获得合格境内机构投资者业务资格" * 3
    for name in ("fineweb_line_punct", "gopher_ellipsis_lines", "gopher_bullet_lines"):
        assert doc_finding(name, text + "……", "zh") is None, name


def test_stock_name_with_star_is_not_a_bullet():
    assert doc_finding("gopher_bullet_lines", "*ST海航：因个人原因，董事长申请辞职。\n*ST天首公告，拟出售股权。", "zh") is None


def test_per_language_threshold_override_keeps_the_other_language_default():
    from .helpers import rule

    instance = rule("gopher_word_count", min={"zh": 5})
    assert instance.for_lang("zh")["min"] == 5 and instance.for_lang("en")["min"] == 25
    scalar = rule("max_chars", max={"zh": 10})
    assert scalar.for_lang("zh")["max"] == 10 and scalar.for_lang("en")["max"] == 1_000_000


def test_repetition_paths_agree(monkeypatch):
    """Short documents use substring counting, long ones numpy hashes: the numbers must be the same."""
    from xuanyuan.clean import repetition

    from .helpers import view

    texts = [(EN_NEWS + " " + EN_NEWS, "en"), (ZH_NEWS * 2, "zh"), ("哈" * 50, "zh"), ("buy cheap shoes " * 40, "en"), (ZH_REPORT, "zh")]
    results = []
    for small in (10**9, 0):
        monkeypatch.setattr(repetition, "_SMALL", small)
        results.append(
            [
                [repetition.top_ngram_fraction(view(text, lang), n) for n in (2, 3, 4, 8)]
                + [repetition.duplicate_ngram_fraction(view(text, lang), n) for n in (5, 10, 20)]
                for text, lang in texts
            ]
        )
    assert results[0] == results[1]
    assert results[0][2][0] == 1.0  # "哈哈…": the top 2-gram covers every character, counted once
