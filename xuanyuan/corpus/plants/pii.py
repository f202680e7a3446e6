"""Synthetic personal data with valid checksums, and look-alike numbers that must not be masked.

Chinese resident ID numbers follow GB 11643-1999 (ISO 7064 MOD 11-2 check character); bank card
numbers pass the Luhn check. Negatives are built to fail *both* checks, so a masking rule that
checks either one leaves them alone whatever order it applies its patterns in.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from xuanyuan.checksums import id_check_char, luhn_ok
from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_en as en
from xuanyuan.corpus.article import Article, p

REGION_CODES = ("110101", "110105", "110108", "120101", "310101", "310104", "310115", "320102", "330106", "340104", "350203",
                "370102", "410105", "420106", "430104", "440103", "440305", "500103", "510104", "610113", "210102", "230102")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158",
                   "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "193", "195", "198", "199")
EMAIL_DOMAINS = ("example.com", "example.cn", "mail.example.org", "example.net", "corp.example.com")


def _luhn_check_digit(body: str) -> str:
    for digit in "0123456789":
        if luhn_ok(body + digit):
            return digit
    raise AssertionError("unreachable")


def _id_body(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 16000))
    return rng.choice(REGION_CODES) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"


def id_number(rng: random.Random) -> str:
    """A valid 18-character ID; an all-digit one never also passes Luhn (no bank-card ambiguity)."""
    while True:
        body = _id_body(rng)
        number = body + id_check_char(body)
        if number[-1] == "X" or not luhn_ok(number):
            return number


def invalid_id_number(rng: random.Random) -> str:
    """18 digits shaped like an ID but with a wrong check digit, and failing Luhn too."""
    while True:
        body = _id_body(rng)
        right = id_check_char(body)
        wrong = rng.choice([d for d in "0123456789" if d != right])
        number = body + wrong
        if not luhn_ok(number):
            return number


def bank_card(rng: random.Random) -> str:
    """A UnionPay-style card number (16 or 19 digits) with a valid Luhn check digit."""
    length = rng.choice([16, 19])
    body = "62" + rng.choice(["2202", "2848", "1700", "2588", "1226", "2700"]) + "".join(str(rng.randrange(10)) for _ in range(length - 7))
    return body + _luhn_check_digit(body)


def order_number(rng: random.Random) -> str:
    """16 digits (date + serial) that fail Luhn: an order number, not a card."""
    while True:
        number = f"{rng.randrange(2019, 2025)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}" + "".join(str(rng.randrange(10)) for _ in range(8))
        if not luhn_ok(number):
            return number


def mobile(rng: random.Random) -> str:
    digits = rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))
    style = rng.randrange(5)
    if style == 0:
        return digits
    if style == 1:
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == 2:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == 3:
        return f"+86-{digits}"
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"


def email(rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    local = "".join(rng.choice(letters) for _ in range(rng.randint(3, 8)))
    if rng.random() < 0.5:
        local += rng.choice([".", "_", ""]) + "".join(rng.choice(letters) for _ in range(rng.randint(2, 5)))
    if rng.random() < 0.5:
        local += str(rng.randrange(10, 9999))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


KINDS = {"pii_id_card": id_number, "pii_mobile": mobile, "pii_bank_card": bank_card, "pii_email": email}

ZH_SENTENCES = {
    "pii_id_card": ["当事人{name}（身份证号：{value}）已到场说明情况。", "报名时需填写身份证号，例如{name}填写的是{value}。", "失主{name}的身份证（号码{value}）已由民警归还。"],
    "pii_mobile": ["如有疑问，可联系工作人员{name}，手机{value}。", "报名咨询请拨打{value}（{name}老师）。", "联系人：{name}，电话：{value}。"],
    "pii_bank_card": ["{name}称，其尾号被冻结的银行卡卡号为{value}。", "捐款可汇入指定账户，户名{name}，卡号{value}。", "退款将原路返回至{name}的银行卡{value}。"],
    "pii_email": ["简历请发送至{value}，邮件标题注明姓名和岗位。", "读者{name}来信（{value}）反映了这一问题。", "投稿邮箱：{value}。"],
}
EN_SENTENCES = {
    "pii_id_card": ["The form listed {name}'s Chinese ID number as {value}."],
    "pii_mobile": ["You can reach {name} on {value} for bookings.", "Call {value} and ask for {name}."],
    "pii_bank_card": ["Refunds went back to the card ending in the number {value}, {name} said."],
    "pii_email": ["Send questions to {value}.", "{name} can be contacted at {value}."],
}
ZH_NEGATIVES = ["据悉，该公司股票代码为{code}，当日成交金额{amount}元。", "订单编号{order}的商品已发货。", "系统生成的交易流水号为{bad_id}。"]
EN_NEGATIVES = ["The shares (ticker {code}) traded {amount} dollars in value.", "Order number {order} has shipped.", "The reference code on the receipt was {bad_id}."]


def plant_pii(article: Article, rng: random.Random, kinds: list[str]) -> dict:
    """Insert sentences carrying `kinds` of PII and the negatives into the article's paragraphs.

    Returns the ground-truth detail: exact planted values (by kind) and the negatives.
    """
    lang = article.lang
    name = ent.person_name(rng) if lang == "zh" else f"{rng.choice(en.FIRST_NAMES)} {rng.choice(en.LAST_NAMES)}"
    values: list[str] = []
    by_kind: dict[str, list[str]] = {}
    sentences: list[str] = []
    for kind in kinds:
        value = KINDS[kind](rng)
        values.append(value)
        by_kind.setdefault(kind, []).append(value)
        pool = (ZH_SENTENCES if lang == "zh" else EN_SENTENCES)[kind]
        sentences.append(rng.choice(pool).format(name=name, value=value))
    negatives = {"code": ent.stock_code(rng), "amount": ent.fmt_num(rng.uniform(1e4, 9e8)), "order": order_number(rng), "bad_id": invalid_id_number(rng)}
    negative_sentences = [t.format(**negatives) for t in (ZH_NEGATIVES if lang == "zh" else EN_NEGATIVES)]
    glue = "" if lang == "zh" else " "
    paragraphs = [b for b in article.blocks if b.kind == "p"]
    target = paragraphs[rng.randrange(len(paragraphs))] if paragraphs else None
    if target is None:
        article.blocks.append(p(glue.join(sentences)))
    else:
        target.text = target.text + glue + glue.join(sentences)
    neg_target = paragraphs[rng.randrange(len(paragraphs))] if paragraphs else article.blocks[-1]
    neg_target.text = neg_target.text + glue + glue.join(negative_sentences)
    return {"values": values, "by_kind": by_kind, "negatives": list(negatives.values()), "negative_kinds": list(negatives)}
