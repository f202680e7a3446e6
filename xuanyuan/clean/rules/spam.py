"""Document filters for machine-made and junk pages: keyword lists, bad words, symbol/digit/caps floods, code."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from xuanyuan.clean.base import DocumentFilter, Finding, RatioFilter, TextView
from xuanyuan.clean.lexicons import compile_terms_per_lang
from xuanyuan.clean.registry import register

_SENTENCE_END = re.compile(r"[。！？!?]|\.(?:\s|$)")


@register
class KeywordList(DocumentFilter):
    """Needs at least 20 items (split on spaces/commas/、/| for Chinese, punctuation and newlines for English),
    90% of them short, and at most one sentence end per 50 items: a market wrap listing 23 futures in one
    sentence is prose.
    """

    name = "keyword_list"
    measures = "SEO keyword lists: share of short items among many separated by spaces/commas/、/| with almost no sentence ends"
    defaults: ClassVar[dict[str, Any]] = {
        "min_items": 20,
        "max_item_chars": {"zh": 8, "en": 30},
        "min_short_share": 0.9,
        # sentence ends (。！？.!?) per item above this mean prose, whatever the item lengths
        # (a market wrap enumerating 23 futures with 、 in one sentence has 0.043 and is prose)
        "max_sentence_ends_per_item": 0.02,
    }

    # English items are separated by punctuation and newlines only: spaces separate words.
    _SPLIT = {"zh": re.compile(r"[\s,，、|｜;；/]+"), "en": re.compile(r"\s*[\n,|;/·•]+\s*")}

    def check(self, view: TextView) -> Finding | None:
        params = self.for_lang(view.lang)
        splitter = self._SPLIT.get(view.lang, self._SPLIT["en"])
        items = [item for item in splitter.split(view.text) if item]
        if len(items) < params["min_items"]:
            return None
        ends = len(_SENTENCE_END.findall(view.text))
        if ends / len(items) > params["max_sentence_ends_per_item"]:
            return None
        limit = params["max_item_chars"]
        short = sum(1 for item in items if len(item) <= limit) / len(items)
        if short >= params["min_short_share"]:
            return Finding(short, f"< {params['min_short_share']}", f"{len(items)} items, {ends} sentence ends")
        return None


@register
class BadWords(DocumentFilter):
    name = "bad_words"
    measures = "bad-word hits (gambling, porn, abuse lexicons) per word"
    defaults: ClassVar[dict[str, Any]] = {
        "lexicons": {"zh": "config/lexicons/badwords_zh.txt", "en": "config/lexicons/badwords_en.txt"},
        "max_ratio": {"zh": 0.005, "en": 0.01},
        "min_hits": 3,
    }

    def setup(self) -> None:
        self._patterns = compile_terms_per_lang(self)

    def check(self, view: TextView) -> Finding | None:
        pattern = self._patterns.get(view.lang)
        params = self.for_lang(view.lang)
        if pattern is None or params["max_ratio"] is None:
            return None
        hits = pattern.count(view.text)
        if hits < (params["min_hits"] or 1):
            return None
        ratio = hits / max(len(view.words), 1)
        if ratio > params["max_ratio"]:
            return Finding(ratio, f"<= {params['max_ratio']}", f"{hits} hits")
        return None


@register
class SymbolSpam(RatioFilter):
    name = "symbol_spam"
    measures = "share of non-space characters that are neither letters, CJK nor digits (punctuation and symbols)"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": {"zh": 0.35, "en": 0.25}, "min_chars": 20}

    def measure(self, view: TextView) -> float | None:
        counts = view.char_counts
        if counts.non_space < self.min_chars:
            return None
        return (counts.non_space - counts.alnum) / counts.non_space


@register
class DigitRatio(RatioFilter):
    """Off by default: financial statements are digit-heavy by nature."""

    name = "digit_ratio"
    measures = "share of non-space characters that are digits (off by default: finance tables are digit-heavy)"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.5, "min_chars": 20}
    enabled_by_default = False

    def measure(self, view: TextView) -> float | None:
        counts = view.char_counts
        if counts.non_space < self.min_chars:
            return None
        return counts.digits / counts.non_space


@register
class UppercaseRatio(RatioFilter):
    name = "uppercase_ratio"
    measures = "share of Latin letters that are upper case"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.5, "min_letters": 50}
    langs = ("en",)

    def measure(self, view: TextView) -> float | None:
        counts = view.char_counts
        if counts.latin < self.min_letters:
            return None
        return counts.latin_upper / counts.latin


@register
class CodeBraces(RatioFilter):
    """C4 drops any page with "{"; LaTeX formulas (PDF extraction writes them) are exempt. Disable for code
    sources.
    """

    name = "code_braces"
    measures = "curly braces outside LaTeX math (C4's code filter; disable for code sources)"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0}

    # LaTeX formulas (PDF extraction writes them) legitimately contain braces.
    _MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]|\\[A-Za-z]+\{[^{}]*\}", re.DOTALL)

    def measure(self, view: TextView) -> float | None:
        text = view.text
        if "{" not in text:
            return 0
        if "\\" in text or "$" in text:
            text = self._MATH.sub("", text)
        return text.count("{")
