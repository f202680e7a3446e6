"""Document filters of Gopher / MassiveText (Rae et al. 2021, appendix A), with Chinese thresholds.

English thresholds are the paper's. Chinese words are single characters here
(xuanyuan.clean.text_stats.words), so counts are larger and n-grams need a larger n for the
same amount of text: those thresholds were set on real Chinese news (THUCNews, FinNA) so
that clean articles pass, and are documented per rule in docs/cleaning_rules.md.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from xuanyuan.clean.base import DocumentFilter, Finding, RatioFilter, TextView
from xuanyuan.clean.lexicons import compile_terms_per_lang
from xuanyuan.clean.registry import register
from xuanyuan.clean.repetition import (
    duplicate_ngram_fraction,
    line_duplicates,
    paragraph_duplicates,
    top_ngram_fraction,
)
from xuanyuan.clean.text_stats import count_number_words


class _DuplicateFraction(RatioFilter):
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.3}
    of_chars: ClassVar[bool] = False

    def stats(self, view: TextView):  # pragma: no cover - abstract
        raise NotImplementedError

    def measure(self, view: TextView) -> float | None:
        stats = self.stats(view)
        if self.of_chars:
            return stats.duplicate_chars / stats.chars if stats.chars else None
        return stats.duplicates / stats.items if stats.items else None


@register
class GopherDupLines(_DuplicateFraction):
    name = "gopher_dup_lines"
    measures = "fraction of lines that repeat an earlier line"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.3}

    def stats(self, view: TextView):
        return line_duplicates(view)


@register
class GopherDupLineChars(_DuplicateFraction):
    name = "gopher_dup_line_chars"
    measures = "fraction of line characters in lines that repeat an earlier line"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.2}
    of_chars = True

    def stats(self, view: TextView):
        return line_duplicates(view)


@register
class GopherDupParagraphs(_DuplicateFraction):
    name = "gopher_dup_paragraphs"
    measures = "fraction of paragraphs that repeat an earlier paragraph"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.3}

    def stats(self, view: TextView):
        return paragraph_duplicates(view)


@register
class GopherDupParagraphChars(_DuplicateFraction):
    name = "gopher_dup_paragraph_chars"
    measures = "fraction of paragraph characters in paragraphs that repeat an earlier paragraph"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.2}
    of_chars = True

    def stats(self, view: TextView):
        return paragraph_duplicates(view)


def _check_thresholds(name: str, value: Any) -> None:
    for lang_value in value.values() if isinstance(value, dict) else [value]:
        if lang_value is None:
            continue
        if not isinstance(lang_value, list) or not all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], int) and pair[0] >= 1
            for pair in lang_value
        ):
            raise ValueError(f"cleaning rule '{name}': thresholds must be lists of [n, max_fraction] pairs, e.g. [[2, 0.2]]")


@register
class GopherTopNgram(DocumentFilter):
    """English: Gopher's 2/3/4-gram limits 0.20/0.18/0.16. Chinese n-grams are of characters, and Chinese text
    repeats its subject (a company name, "万亿日元", the stem shared by four answer options), so n is 4/6/8 with
    limits 0.30/0.25/0.22. Both languages are checked only from 100 (zh) / 50 (en) words on. Occurrences of the
    top n-gram are counted without overlap.
    """

    name = "gopher_top_ngram"
    measures = "share of word characters covered by the most frequent n-gram, per n (Chinese: character n-grams)"
    defaults: ClassVar[dict[str, Any]] = {
        "thresholds": {"en": [[2, 0.20], [3, 0.18], [4, 0.16]], "zh": [[4, 0.30], [6, 0.25], [8, 0.22]]},
        # Short texts repeat their subject by nature ("万亿日元" five times in a 60-character brief);
        # Gopher's documents had at least 50 words.
        "min_words": {"zh": 100, "en": 50},
    }

    def setup(self) -> None:
        _check_thresholds(self.name, self.thresholds)

    def check(self, view: TextView) -> Finding | None:
        params = self.for_lang(view.lang)
        if len(view.words) < (params["min_words"] or 0):
            return None
        for n, limit in params["thresholds"] or []:
            value = top_ngram_fraction(view, n)
            if value > limit:
                return Finding(value, f"<= {limit}", f"n={n}")
        return None


@register
class GopherDupNgram(DocumentFilter):
    """Characters covered by n-gram occurrences that repeat an earlier occurrence, over all word characters.
    English: Gopher's 5..10-gram limits 0.15..0.10. Chinese character n-grams use n = 10..20 and limits
    0.30..0.22: entity names of 6-10 characters recur in any article, and announcements repeat their
    resolution and vote formulas; an article stored twice scores ~0.5 and is still caught.
    """

    name = "gopher_dup_ngram"
    measures = "share of word characters in repeated n-grams, n = 5..10 (Chinese: character n-grams, larger n)"
    defaults: ClassVar[dict[str, Any]] = {
        "thresholds": {
            "en": [[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.10]],
            "zh": [[10, 0.30], [12, 0.28], [14, 0.26], [16, 0.24], [18, 0.23], [20, 0.22]],
        },
        "min_words": {"zh": 100, "en": 50},
    }

    def setup(self) -> None:
        _check_thresholds(self.name, self.thresholds)

    def check(self, view: TextView) -> Finding | None:
        params = self.for_lang(view.lang)
        if len(view.words) < (params["min_words"] or 0):
            return None
        for n, limit in sorted(params["thresholds"] or []):
            value = duplicate_ngram_fraction(view, n)
            if value > limit:
                return Finding(value, f"<= {limit}", f"n={n}")
            if value == 0.0:
                break  # no repeated n-gram means no repeated longer one
        return None



@register
class GopherWordCount(RatioFilter):
    """Gopher keeps 50-100,000 words; English min is 25 here so that one-paragraph news briefs (a tenth of
    Reuters stories have 25-49 words) survive. Chinese counts characters: 30 keeps two-sentence finance
    briefs.
    """

    name = "gopher_word_count"
    measures = "number of words (Chinese: CJK characters + Latin words)"
    defaults: ClassVar[dict[str, Any]] = {"min": {"zh": 30, "en": 25}, "max": {"zh": 300_000, "en": 100_000}}

    def measure(self, view: TextView) -> float | None:
        return len(view.words)


@register
class GopherMeanWordLength(RatioFilter):
    name = "gopher_mean_word_length"
    measures = "mean word length in characters"
    defaults: ClassVar[dict[str, Any]] = {"min": 3, "max": 10}
    langs = ("en",)

    def measure(self, view: TextView) -> float | None:
        words = view.words
        return sum(map(len, words)) / len(words) if words else None


@register
class GopherSymbolRatio(RatioFilter):
    name = "gopher_symbol_ratio"
    measures = "hash marks and ellipses (# ... …) per word"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": {"zh": 0.05, "en": 0.1}}

    _SYMBOLS = re.compile(r"#|\.{3,}|…+")

    def measure(self, view: TextView) -> float | None:
        words = view.words
        if not words:
            return None
        text = view.text
        if "#" not in text and "…" not in text and "..." not in text:
            return 0.0
        return len(self._SYMBOLS.findall(text)) / len(words)


# "-", "*" and "+" are bullets only before a space: "*ST海航" is a stock name, "-5%" a number.
_BULLETS = tuple("•●○◦■□▪▫◆◇★☆►▶▸‣⁃→✓✔➢➤·") + ("- ", "* ", "+ ")


@register
class GopherBulletLines(RatioFilter):
    """"-", "*" and "+" count as bullets only before a space ("*ST海航" is a stock name); one-line documents are
    skipped.
    """

    name = "gopher_bullet_lines"
    measures = "fraction of lines starting with a bullet point"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.9, "min_lines": 2}

    def measure(self, view: TextView) -> float | None:
        lines = view.lines
        if not lines or len(lines) < (self.min_lines or 1):
            return None
        return sum(line.startswith(_BULLETS) for line in lines) / len(lines)


@register
class GopherEllipsisLines(RatioFilter):
    name = "gopher_ellipsis_lines"
    measures = "fraction of lines ending with an ellipsis (... or …)"
    # A one-line document ending in "……" is a cut-off teaser at worst; the rule is about pages of them.
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.3, "min_lines": 2}

    def measure(self, view: TextView) -> float | None:
        lines = view.lines
        if not lines or len(lines) < (self.min_lines or 1):
            return None
        return sum(line.endswith(("...", "…")) for line in lines) / len(lines)


@register
class GopherAlphaWords(RatioFilter):
    """Gopher asks 80% of words to have a letter; 0.7 here because finance prose is number-dense ("fell to 7.9
    pct from 8.2 pct") while earnings tables still fall below it. Chinese: a CJK character counts as a letter
    word, so only digit tokens lower the share.
    """

    name = "gopher_alpha_words"
    measures = "fraction of words with a letter (Chinese: CJK characters and words with a letter, i.e. not bare numbers)"
    defaults: ClassVar[dict[str, Any]] = {"min": {"zh": 0.6, "en": 0.7}, "max": None}

    def measure(self, view: TextView) -> float | None:
        words = view.words
        if not words:
            return None
        return (len(words) - count_number_words(view.text, view.lang)) / len(words)


@register
class GopherStopwords(DocumentFilter):
    """English: two of Gopher's eight words. Chinese: two function characters from
    config/lexicons/stopwords_zh.txt, checked only on documents of at least 150 characters, since terse
    finance briefs may have none.
    """

    name = "gopher_stopwords"
    measures = "occurrences of the language's stop words (Chinese: function characters, matched as substrings)"
    defaults: ClassVar[dict[str, Any]] = {
        "min_count": 2,
        # Telegraphic Chinese finance briefs ("华阳股份公告，预计2021年净利润33.05亿元…") can have no
        # function word at all; below this many words the check says nothing.
        "min_words": {"zh": 150, "en": 0},
        "lexicons": {"zh": "config/lexicons/stopwords_zh.txt", "en": "config/lexicons/stopwords_en.txt"},
    }

    def setup(self) -> None:
        self._patterns = compile_terms_per_lang(self)

    def check(self, view: TextView) -> Finding | None:
        pattern = self._patterns.get(view.lang)
        params = self.for_lang(view.lang)
        needed = params["min_count"]
        if pattern is None or not needed or len(view.words) < (params["min_words"] or 0):
            return None
        found = pattern.count(view.text, stop_at=needed)
        return None if found >= needed else Finding(found, f">= {needed}")
