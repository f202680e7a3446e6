"""PII masks: checksums, Luhn, context, and the look-alike numbers of a finance corpus."""

from __future__ import annotations

import pytest

from xuanyuan.checksums import id_card_checksum_ok, luhn_ok

from .helpers import id_number, luhn_complete, rewrite

VALID_ID = id_number("11010519491231002")  # Beijing Chaoyang, born 1949-12-31
VALID_ID_X = "11010519491231002X"


def test_id_checksum_helpers():
    assert VALID_ID == VALID_ID_X and id_card_checksum_ok(VALID_ID_X) and id_card_checksum_ok(VALID_ID_X.lower())
    assert not id_card_checksum_ok("110105194912310021")
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


@pytest.mark.parametrize(
    "text,expected",
    [
        (f"身份证号{VALID_ID_X}，请核对。", "身份证号[身份证号]，请核对。"),
        (f"ID: {id_number('44030519850607123')}", "ID: [身份证号]"),
    ],
)
def test_pii_id_card_masks_valid_numbers(text, expected):
    assert rewrite("pii_id_card", text) == (expected, 1)


@pytest.mark.parametrize(
    "text",
    [
        "身份证号110105194912310021。",  # wrong check digit
        f"流水号{VALID_ID_X[:17]}9{VALID_ID_X[17]}。",  # 19 characters: inside a longer run
        f"订单1{VALID_ID_X}号",  # preceded by a digit
        id_number("11010519491331002"),  # month 13
        id_number("99010519491231002"),  # no such province
        id_number("11010518001231002"),  # born 1800
        "成交金额123456789012345678元",
    ],
)
def test_pii_id_card_leaves_invalid_or_embedded_numbers(text):
    assert rewrite("pii_id_card", text) == (text, 0)


def test_pii_id_card_old_format_is_optional():
    text = "旧证号110105491231002"
    assert rewrite("pii_id_card", text) == (text, 0)
    assert rewrite("pii_id_card", text, old_format=True) == ("旧证号[身份证号]", 1)


def test_pii_id_card_placeholder_per_language():
    assert rewrite("pii_id_card", f"id {VALID_ID_X}", "en")[0] == "id [ID_NUMBER]"
    assert rewrite("pii_id_card", f"号{VALID_ID_X}", placeholder="<ID>")[0] == "号<ID>"


@pytest.mark.parametrize(
    "number",
    ["13812345678", "+86 138 1234 5678", "+8613812345678", "86-138-1234-5678", "0086 13812345678", "199-8765-4321", "138 1234 5678"],
)
def test_pii_mobile_masks_mainland_numbers(number):
    assert rewrite("pii_mobile", f"联系电话：{number}，欢迎来电。") == ("联系电话：[手机号]，欢迎来电。", 1)


@pytest.mark.parametrize(
    "text",
    [
        "订单号138123456789",  # 12 digits
        "编号2138123456789",  # inside a longer run
        "营业收入13500000000元",  # an amount
        "营收13812345678元",  # an amount with a unit
        "报价1.3812345678元",  # a decimal
        "电话12812345678",  # 12x is no mobile prefix
        "股票代码600519，收盘价1881.00元",
        "日期20230115123",
        "13888888888",  # filler digits
    ],
)
def test_pii_mobile_leaves_amounts_codes_and_long_runs(text):
    assert rewrite("pii_mobile", text) == (text, 0)


CARD = luhn_complete("622202123456789012")  # 19-digit UnionPay-style
VISA = "4111111111111111"


@pytest.mark.parametrize(
    "text",
    [f"卡号{CARD}", f"卡号 {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:16]} {CARD[16:]}", f"card {VISA}", "card 4111-1111-1111-1111"],
)
def test_pii_bank_card_masks_luhn_valid_numbers(text):
    masked, count = rewrite("pii_bank_card", text)
    assert count == 1 and masked.endswith("[银行卡号]")


@pytest.mark.parametrize(
    "text",
    [
        "card 4111111111111112",  # Luhn fails
        f"流水{CARD}1",  # 20 digits
        f"流水9{VISA}",  # inside a longer run
        "金额1234567890123456.78元",  # a decimal
        "编号1111111111111111111111",
        luhn_complete("211111111111111"),  # Luhn-valid, but no card network starts with 2
        "交易号 1234 5678 9012 3456 7890",  # five groups
    ],
)
def test_pii_bank_card_leaves_invalid_and_embedded_numbers(text):
    assert rewrite("pii_bank_card", text) == (text, 0)


def test_pii_bank_card_respects_first_digits():
    number = luhn_complete("123456789012345")
    assert rewrite("pii_bank_card", f"no {number}") == (f"no {number}", 0)
    assert rewrite("pii_bank_card", f"no {number}", first_digits="1")[1] == 1


@pytest.mark.parametrize("address", ["zhang.san@example.com", "kefu+vip@mail.example.com.cn", "a_b-c@sub.example.org"])
def test_pii_email_masks_addresses(address):
    assert rewrite("pii_email", f"邮箱：{address}。") == ("邮箱：[邮箱]。", 1)
    assert rewrite("pii_email", f"write to {address}.", "en") == ("write to [EMAIL].", 1)


@pytest.mark.parametrize("text", ["@某用户 说得好", "价格为10@2.5元", "user@localhost", "twitter @handle"])
def test_pii_email_leaves_non_addresses(text):
    assert rewrite("pii_email", text) == (text, 0)


def test_pii_url_modes():
    text = "详见 https://www.example.com/a/b.html。"
    assert rewrite("pii_url", text) == ("详见 [网址]。", 1)
    assert rewrite("pii_url", text, mode="remove") == ("详见 。", 1)
    assert rewrite("pii_url", text, mode="domain") == ("详见 www.example.com。", 1)
    assert rewrite("pii_url", "see http://example.com/x).", "en") == ("see [URL]).", 1)


def test_pii_url_leaves_text_without_urls_and_rejects_bad_modes():
    assert rewrite("pii_url", "example dot com, www dot") == ("example dot com, www dot", 0)
    with pytest.raises(ValueError, match="mode"):
        rewrite("pii_url", "x", mode="hide")


def test_stock_codes_amounts_and_dates_survive_all_pii_rules():
    text = "贵州茅台(600519)于2023年12月31日公告，营业收入1505.60亿元，同比增长18.04%，每股派现30.876元，代码SH600519。"
    for name in ("pii_id_card", "pii_mobile", "pii_bank_card", "pii_email", "pii_url"):
        assert rewrite(name, text) == (text, 0), name
