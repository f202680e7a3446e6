"""Decoding web-page bytes: BOM, declared charset (checked against the bytes), detection."""

from __future__ import annotations

import codecs

import pytest

from xuanyuan.extract.encoding import canonical_encoding, declared_charset, decode_html, looks_binary

ARTICLE = (
    "发行人历史信用评级情况：中诚信国际信用评级有限责任公司评定主体信用等级为AA+，评级展望稳定。"
    "截至2023年3月末，发行人各类授信额度总额达372.53亿元，其中已使用额度252.06亿元，"
    "尚未使用的授信额度为120.47亿元。公司将继续加强风险管理，提升经营效率，保障债券本息按期兑付。"
) * 3

TRADITIONAL = (
    "中國人民銀行今日宣佈下調存款準備金率零點五個百分點，釋放長期資金約一萬億元。"
    "市場分析人士認為，此舉有助於穩定經濟增長，降低實體經濟融資成本，並支持銀行擴大信貸投放。"
) * 3


def page(body: str, charset: str | None = None, *, http_equiv: bool = False, title: str = "债券") -> str:
    if charset is None:
        meta = ""
    elif http_equiv:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}"/>'
    else:
        meta = f'<meta charset="{charset}">'
    return f"<html><head>{meta}<title>{title}</title></head><body><p>{body}</p></body></html>"


def test_gbk_page_with_correct_meta():
    raw = page(ARTICLE, "gb2312", http_equiv=True).encode("gbk")
    decoded = decode_html(raw)
    assert ARTICLE in decoded.text
    assert decoded.encoding == "gb18030"  # gb2312 widened to its superset
    assert decoded.declared == "gb2312"
    assert not decoded.mismatch


def test_gbk_page_without_meta_is_detected():
    decoded = decode_html(page(ARTICLE).encode("gbk"))
    assert ARTICLE in decoded.text
    assert decoded.method == "detected"
    assert not decoded.mismatch


def test_page_declaring_utf8_but_gbk_is_flagged():
    decoded = decode_html(page(ARTICLE, "utf-8").encode("gbk"))
    assert ARTICLE in decoded.text
    assert decoded.mismatch
    assert decoded.declared == "utf-8"


def test_page_declaring_gbk_but_utf8_is_flagged():
    # UTF-8 Chinese also decodes "cleanly" as GBK pairs: only the UTF-8 check catches it.
    decoded = decode_html(page(ARTICLE, "gbk").encode("utf-8"))
    assert ARTICLE in decoded.text
    assert decoded.encoding == "utf-8"
    assert decoded.mismatch


def test_page_declaring_latin1_but_gbk_is_flagged():
    decoded = decode_html(page(ARTICLE, "iso-8859-1").encode("gbk"))
    assert ARTICLE in decoded.text
    assert decoded.mismatch


def test_latin1_page_keeps_its_declared_charset():
    text = "Größere Änderungen für die Straße; élève, café, naïve. " * 5
    decoded = decode_html(page(text, "iso-8859-1", title="Straße").encode("cp1252"))
    assert text in decoded.text
    assert decoded.encoding == "cp1252"
    assert not decoded.mismatch


def test_boms_win_over_declarations():
    utf8 = decode_html(codecs.BOM_UTF8 + page(ARTICLE, "gbk").encode("utf-8"))
    assert ARTICLE in utf8.text and utf8.method == "bom" and not utf8.text.startswith("\ufeff")
    utf16 = decode_html(codecs.BOM_UTF16_LE + page(ARTICLE).encode("utf-16-le"))
    assert ARTICLE in utf16.text and utf16.encoding == "utf-16-le"


def test_nearly_utf8_page_keeps_utf8():
    raw = page(ARTICLE, "utf-8").encode("utf-8")[:-40] + b"\xe4\xb8"  # cut inside a character
    decoded = decode_html(raw)
    assert decoded.encoding == "utf-8"
    assert not decoded.mismatch
    assert ARTICLE[:100] in decoded.text


def test_declared_charset_ignores_script_charset_attributes():
    raw = b'<head><script src="x.js" charset="utf-8"></script><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
    assert declared_charset(raw) == "gb2312"


def test_canonical_encoding():
    assert canonical_encoding("GB2312") == "gb18030"
    assert canonical_encoding("x-gbk") == "gb18030"
    assert canonical_encoding("ISO-8859-1") == "cp1252"
    assert canonical_encoding("UTF8") == "utf-8"
    assert canonical_encoding("no-such-charset") is None


def test_looks_binary():
    assert looks_binary(b"<html>\x00\x00\x00\x01\x02") is True
    assert looks_binary(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20) is True
    assert looks_binary(b"\x1f\x8b\x08\x00gzipped") is True
    assert looks_binary(bytes(range(1, 32)) * 20) is True
    assert looks_binary(page(ARTICLE).encode("gbk")) is False
    assert looks_binary(codecs.BOM_UTF16_LE + page(ARTICLE).encode("utf-16-le")) is False
    assert looks_binary(b"") is False


@pytest.mark.parametrize("charset, codec", [("gb2312", "gbk"), ("gbk", "gbk"), ("gb18030", "gb18030"), ("big5", "big5")])
@pytest.mark.parametrize("damage", ["one_bad_byte", "cut_inside_last_char"])
def test_declared_cjk_page_with_a_stray_byte_keeps_its_charset(charset, codec, damage):
    # Strictly undecodable, these used to go to detection, which read them as Thai (cp874) or Urdu (cp1006).
    article, title = (TRADITIONAL, "債券") if codec == "big5" else (ARTICLE, "债券")
    raw = page(article, charset, title=title).encode(codec)
    if damage == "one_bad_byte":
        cut = raw.index(article[50:52].encode(codec))
        raw = raw[:cut] + b"\xff" + raw[cut:]
    else:
        raw = raw[: raw.index(b"</p>")] + article[-1].encode(codec)[:1]
    decoded = decode_html(raw)
    assert decoded.encoding == canonical_encoding(charset) and decoded.method == "declared"
    assert not decoded.mismatch
    assert decoded.replaced == 1 and decoded.text.count("\ufffd") == 1
    assert article[:50] in decoded.text and article[60:150] in decoded.text


def test_badly_wrong_cjk_declaration_still_goes_to_detection():
    # Declared Big5, is GBK: far more than a few undecodable bytes, so the declaration is not trusted.
    decoded = decode_html(page(ARTICLE, "big5").encode("gbk"))
    assert decoded.method == "detected" and decoded.mismatch
    assert ARTICLE in decoded.text


def test_clean_pages_report_no_replacements():
    for raw in (page(ARTICLE, "gbk").encode("gbk"), page(ARTICLE).encode("utf-8"), page("Ein \ufffd im Text").encode("utf-8")):
        assert decode_html(raw).replaced == 0
    nearly = decode_html(page(ARTICLE, "utf-8").encode("utf-8")[:-40] + b"\xe4\xb8")
    assert nearly.method == "declared" and nearly.replaced == nearly.text.count("\ufffd") > 0
