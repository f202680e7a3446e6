"""Fictional Chinese entities and the numbers that go with them: people, companies, dates, amounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.phrases import name_words, phrase_words


def person_name(rng: random.Random) -> str:
    """A plausible Chinese name: one- or two-character surname, one or two given characters."""
    surname = rng.choice(zh.COMPOUND_SURNAMES) if rng.random() < 0.03 else rng.choice(zh.SURNAMES)
    given = "".join(rng.choice(zh.GIVEN_NAME_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
    return surname + given


def place(rng: random.Random) -> tuple[str, str]:
    """(province, city) that belong together."""
    city = rng.choice(zh.CITIES)
    return zh.CITY_PROVINCE[city], city


def town_name(rng: random.Random) -> str:
    return rng.choice(zh.PLACE_STEMS) + rng.choice(zh.PLACE_SUFFIXES)


def brand_word(rng: random.Random) -> str:
    """A two-character word from the real-phrase dictionary, used for brands, landmarks and titles."""
    words = name_words()
    return rng.choice(words) if words else rng.choice(zh.PLACE_STEMS)


def landmark(rng: random.Random) -> str:
    return brand_word(rng) + rng.choice(zh.LANDMARK_SUFFIXES)


def book_title(rng: random.Random) -> str:
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"《{brand_word(rng)}{rng.choice(['论', '史话', '札记', '研究', '概论'])}》"
    if pattern == 1:
        return f"《{brand_word(rng)}与{brand_word(rng)}》"
    if pattern == 2:
        return f"《{rng.choice(zh.INDUSTRY_NAMES)}{rng.choice(['产业', '市场', '行业'])}{rng.choice(['发展报告', '投资逻辑', '周期研究', '竞争格局分析'])}》"
    return f"《{phrase_words(4) and rng.choice(phrase_words(4)) or brand_word(rng)}》"


def stock_code(rng: random.Random, board: str | None = None) -> str:
    board = board or rng.choice(["60", "60", "60", "00", "00", "30", "68", "8"])
    if board == "60":
        return rng.choice(["600", "601", "603", "605"]) + f"{rng.randrange(1000):03d}"
    if board == "00":
        return rng.choice(["000", "001", "002", "003"]) + f"{rng.randrange(1000):03d}"
    if board == "30":
        return rng.choice(["300", "301"]) + f"{rng.randrange(1000):03d}"
    if board == "68":
        return "688" + f"{rng.randrange(1000):03d}"
    return rng.choice(["830", "831", "832", "833", "835", "836", "838", "839", "870", "871", "872", "873"]) + f"{rng.randrange(1000):03d}"


def exchange_of(code: str) -> str:
    return zh.EXCHANGES.get(code[0], "深圳证券交易所")


def board_of(code: str) -> str:
    return zh.BOARDS.get(code[:2], zh.BOARDS.get(code[0], "主板"))


@dataclass
class Company:
    name: str
    short: str
    code: str
    industry: str
    province: str
    city: str
    founded: int
    listed: int
    chairman: str
    secretary: str
    products: tuple[str, ...]
    inputs: tuple[str, ...]
    drivers: tuple[str, ...]
    employees: int
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def exchange(self) -> str:
        return exchange_of(self.code)

    @property
    def board(self) -> str:
        return board_of(self.code)


def company(rng: random.Random, industry: str | None = None) -> Company:
    industry = industry or rng.choice(zh.INDUSTRY_NAMES)
    info = zh.INDUSTRIES[industry]
    stem = rng.choice(zh.COMPANY_FIRST) + rng.choice(zh.COMPANY_SECOND)
    if rng.random() < 0.1:
        stem = brand_word(rng)
    word = rng.choice(info["word"])
    province, city = place(rng)
    short = stem + word
    prefix = city if rng.random() < 0.35 else ""
    name = prefix + short + rng.choice(zh.COMPANY_LEGAL)
    founded = rng.randrange(1985, 2016)
    return Company(
        name=name,
        short=short,
        code=stock_code(rng),
        industry=industry,
        province=province,
        city=city,
        founded=founded,
        listed=min(2023, founded + rng.randrange(3, 18)),
        chairman=person_name(rng),
        secretary=person_name(rng),
        products=tuple(rng.sample(info["products"], min(3, len(info["products"])))),
        inputs=info["inputs"],
        drivers=info["drivers"],
        employees=rng.randrange(300, 60000),
    )


def broker(rng: random.Random) -> str:
    return rng.choice(zh.BROKER_STEMS) + "证券"


# -- numbers ------------------------------------------------------------------------------

def fmt_num(value: float, decimals: int = 2) -> str:
    """Thousands separators as in Chinese financial documents: 330,435.30."""
    return f"{value:,.{decimals}f}"


def wan(rng: random.Random, low: float = 500, high: float = 900000) -> str:
    return fmt_num(rng.uniform(low, high)) + "万元"


def yi(rng: random.Random, low: float = 0.5, high: float = 900) -> str:
    return f"{rng.uniform(low, high):.2f}亿元"


def pct(rng: random.Random, low: float = 0.5, high: float = 45) -> str:
    return f"{rng.uniform(low, high):.2f}%"


def bp(rng: random.Random, low: int = 1, high: int = 35) -> str:
    return f"{rng.randrange(low, high)}个基点"


def date_zh(year: int, month: int, day: int) -> str:
    return f"{year}年{month}月{day}日"


def random_date(rng: random.Random, year: int) -> tuple[int, int, int]:
    month = rng.randrange(1, 13)
    return year, month, rng.randrange(1, 29)


def growth(rng: random.Random) -> tuple[str, str]:
    """(direction word, percentage): mostly growth, sometimes decline."""
    if rng.random() < 0.72:
        return rng.choice(["增长", "上升", "增加", "提升"]), pct(rng, 0.8, 68)
    return rng.choice(["下降", "下滑", "减少", "回落"]), pct(rng, 0.5, 35)
