"""Small inline corpora and settings for the tokenizer tests."""

from __future__ import annotations

import random

import yaml

from tests.conftest import REPO

_WORDS = (
    "the bank market rate interest price stock bond fund investor trade company share profit loss "
    "quarter year growth inflation policy central government economy dollar yuan index report analyst "
    "revenue earnings debt credit loan risk capital asset value cash flow dividend merger deal billion "
    "million percent rise fall higher lower strong weak said expected announced reported increased "
    "decreased according sources officials markets trading session close open week month customers "
    "products services technology energy oil gas gold silver exchange currency federal reserve board"
).split()

# Chinese sentences of a finance-news register; a handful of characters repeat a lot, many occur once.
ZH_SENTENCES = (
    "中国人民银行今天宣布下调存款准备金率零点五个百分点。",
    "沪深股市周二小幅上涨，银行板块表现强势，成交金额有所放大。",
    "公司发布年度报告，营业收入同比增长百分之十二，净利润创历史新高。",
    "分析人士认为，货币政策仍将保持稳健，市场流动性合理充裕。",
    "国家统计局数据显示，居民消费价格指数同比上涨，涨幅比上月回落。",
    "基金经理表示，看好新能源和高端制造行业的长期投资价值。",
    "债券市场收益率下行，投资者风险偏好有所回升。",
    "保险公司加大对科技创新企业的支持力度，服务实体经济发展。",
)

SAMPLES = (
    "The bank raised interest rates by 0.25 percent on Tuesday.",
    "中国人民银行今天宣布下调存款准备金率。",
    "沪深300指数上涨1.5%，成交额达到8000亿元！",
    "Apple公司发布了新的 iPhone 15 Pro，售价7999元。",
    "",
    " ",
    "  two leading spaces",
    "trailing spaces   ",
    "tabs\tand\nnewlines\r\n\n",
    "multiple    inner   spaces",
    "1234567890 3.14159 2,718,281",
    "emoji 😀🚀 and rare 𠀀𪚥龘 characters",
    "é ü ß ñ — “quotes” … ¥€£",
    "\u00a0no-break space and \u3000ideographic space",
    "a literal \u2581 lower block",
    "control \x00 null \x07 bell",
    "한국어 日本語 ひらがな カタカナ",
    "ﾊﾝｶｸ full-width ＡＢＣ１２３",
    "《金融时报》：“市场”波动加剧；",
)


def english_docs(n_docs: int = 300, seed: int = 0) -> list[str]:
    """Deterministic English-like documents (lines of word salad with numbers and punctuation)."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n_docs):
        lines = []
        for _ in range(rng.randint(2, 6)):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 18))]
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), str(rng.randint(1, 99999)))
            lines.append(" ".join(words).capitalize() + rng.choice(".,;!?"))
        docs.append("\n".join(lines))
    return docs


def chinese_docs() -> list[str]:
    return ["".join(ZH_SENTENCES[i:] + ZH_SENTENCES[:i]) for i in range(len(ZH_SENTENCES))]


def schema_defaults(section: str = "tokenizer") -> dict:
    """The defaults config/schema.yaml gives a config section (what validation fills in)."""

    def fill(schema: dict):
        if schema.get("type") == "object" and "properties" in schema:
            return {key: fill(sub) for key, sub in schema["properties"].items()}
        return schema.get("default")

    schema = yaml.safe_load((REPO / "config" / "schema.yaml").read_text(encoding="utf-8"))
    return fill(schema["properties"][section])
