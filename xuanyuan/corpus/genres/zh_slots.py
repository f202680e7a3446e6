"""Slot values shared by the Chinese composers: people, places, dates, amounts, one company's facts."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.templates import Slot

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五")
QUARTERS = ("一季度", "上半年", "前三季度", "全年")


def base_slots(rng: random.Random, year: int) -> dict[str, Slot]:
    """Slots every Chinese genre can use; callables draw a fresh value at each use."""
    province, city = ent.place(rng)

    def month_day() -> str:
        return f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日"

    return {
        "year": str(year),
        "prev_year": str(year - 1),
        "next_year": str(year + 1),
        "city": city,
        "province": province,
        "other_city": lambda: rng.choice(zh.CITIES),
        "other_province": lambda: rng.choice(zh.PROVINCES),
        "person": lambda: ent.person_name(rng),
        "person2": lambda: ent.person_name(rng),
        "reporter": lambda: ent.person_name(rng),
        "town": lambda: ent.town_name(rng),
        "month_day": month_day,
        "month": lambda: f"{rng.randrange(1, 13)}月",
        "weekday": lambda: rng.choice(WEEKDAYS),
        "pct": lambda: ent.pct(rng, 0.5, 40),
        "pct_small": lambda: ent.pct(rng, 0.05, 3),
        "pct_big": lambda: ent.pct(rng, 20, 95),
        "yi": lambda: ent.yi(rng, 0.5, 800),
        "yi_small": lambda: ent.yi(rng, 0.1, 30),
        "wan": lambda: ent.wan(rng, 50, 900000),
        "num_small": lambda: str(rng.randrange(2, 30)),
        "months_n": lambda: str(rng.randrange(2, 12)),
        "pp": lambda: f"{rng.uniform(0.1, 6):.2f}",
        "num_mid": lambda: str(rng.randrange(30, 600)),
        "num_big": lambda: ent.fmt_num(rng.randrange(1200, 98000), 0),
        "wan_people": lambda: f"{rng.uniform(1.2, 480):.1f}万人次",
        "industry_any": lambda: rng.choice(zh.INDUSTRY_NAMES),
        "agency": lambda: city + "市" + rng.choice(zh.AGENCIES),
        "official_title": lambda: rng.choice(zh.OFFICIAL_TITLES),
        "role": lambda: rng.choice(zh.ROLES),
        "university": lambda: rng.choice(zh.UNIVERSITIES),
        "festival": lambda: rng.choice(zh.FESTIVALS),
        "landmark": lambda: ent.landmark(rng),
        "media": lambda: rng.choice(zh.MEDIA_NAMES),
        "brand": lambda: ent.brand_word(rng),
    }


def company_slots(rng: random.Random, company: ent.Company, year: int) -> dict[str, Slot]:
    """One company's facts, fixed for the document so that sentences agree with each other."""
    revenue = rng.uniform(3, 1500)
    profit = revenue * rng.uniform(0.03, 0.28)
    rev_dir, rev_pct = ent.growth(rng)
    pro_dir, pro_pct = ent.growth(rng)
    return {
        "company": company.short,
        "company_full": company.name,
        "code": company.code,
        "exchange": company.exchange,
        "board": company.board,
        "industry": company.industry,
        "hq_city": company.city,
        "hq_province": company.province,
        "chairman": company.chairman,
        "secretary": company.secretary,
        "founded": str(company.founded),
        "listed": str(company.listed),
        "employees": ent.fmt_num(company.employees, 0),
        "product": lambda: rng.choice(company.products),
        "product2": company.products[-1],
        "input": lambda: rng.choice(company.inputs),
        "driver": lambda: rng.choice(company.drivers),
        "revenue": f"{revenue:.2f}亿元",
        "profit": f"{profit:.2f}亿元",
        "rev_chg": f"同比{rev_dir}{rev_pct}",
        "profit_chg": f"同比{pro_dir}{pro_pct}",
        "gross_margin": ent.pct(rng, 12, 75),
        "quarter": rng.choice(QUARTERS),
        "eps": f"{rng.uniform(0.05, 6):.2f}元",
        "dividend": f"{rng.uniform(0.5, 30):.2f}元",
        "capex": f"{rng.uniform(0.5, 80):.2f}亿元",
        "rd_ratio": ent.pct(rng, 1.5, 18),
        "peer": lambda: ent.company(rng, company.industry).short,
        "broker": lambda: ent.broker(rng),
        "analyst": lambda: ent.person_name(rng),
        "analyst_title": lambda: rng.choice(zh.ANALYST_TITLES),
        "rating": lambda: rng.choice(zh.RATINGS),
    }


def market_slots(rng: random.Random) -> dict[str, Slot]:
    """Index levels, yields and policy words for market and macro stories."""
    return {
        "index": lambda: rng.choice(zh.INDICES),
        "index2": lambda: rng.choice(zh.INDICES),
        "index_level": lambda: ent.fmt_num(rng.uniform(900, 12000)) + "点",
        "index_move": lambda: rng.choice(["上涨", "下跌", "微涨", "微跌", "收涨", "收跌"]) + ent.pct(rng, 0.05, 3.2),
        "turnover": lambda: f"{rng.uniform(5200, 15800):.0f}亿元",
        "north_flow": lambda: f"{rng.uniform(5, 180):.2f}亿元",
        "regulator": lambda: rng.choice(zh.REGULATORS),
        "policy_tool": lambda: rng.choice(zh.POLICY_TOOLS),
        "bp": lambda: ent.bp(rng),
        "bond": lambda: rng.choice(zh.BOND_TYPES),
        "yield_": lambda: f"{rng.uniform(1.4, 3.4):.2f}%",
        "fund_type": lambda: rng.choice(zh.FUND_TYPES),
        "fund_name": lambda: ent.brand_word(rng) + rng.choice(["成长", "价值", "精选", "优势", "稳健", "红利"]) + rng.choice(["混合", "股票", "债券", "灵活配置"]),
        "sector": lambda: rng.choice(zh.INDUSTRY_NAMES),
        "sector2": lambda: rng.choice(zh.INDUSTRY_NAMES),
        "margin_balance": lambda: f"{rng.uniform(14000, 19000):,.2f}亿元",
        "cny": lambda: f"{rng.uniform(6.7, 7.35):.4f}",
        "commodity": lambda: rng.choice(["黄金", "白银", "原油", "铜", "铝", "螺纹钢", "铁矿石", "碳酸锂", "大豆", "棉花", "焦煤", "天然气"]),
        "lpr": lambda: f"{rng.uniform(3.0, 4.35):.2f}%",
    }
