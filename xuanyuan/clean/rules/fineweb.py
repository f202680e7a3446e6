"""Document filters of FineWeb (Penedo et al. 2024): line punctuation, short lines, duplicated lines, lists.

FineWeb's values are for English web text; Chinese lines carry about twice the content per
character, so the short-line length is halved for Chinese, and newlines are counted per
character-level word. Markdown table rows (PDF tables) are not prose lines and are ignored.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from xuanyuan.clean.base import RatioFilter, TextView
from xuanyuan.clean.registry import register
from xuanyuan.clean.repetition import line_duplicates
from xuanyuan.clean.rules.lines import table_lines
from xuanyuan.clean.text_stats import ends_with_terminal_punct


# Answer options and numbered items ("A. 杜甫", "（2）", "一、") are structure, not a list of links.
_ENUMERATED = re.compile(r"^(?:[A-Ha-h]|\d{1,2}|[一二三四五六七八九十]{1,3}|[①-⑳])[.．、:：)）]|^[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]")


def prose_lines(view: TextView) -> list[str]:
    """Lines that are not table rows."""

    def build() -> list[str]:
        rows = table_lines(view)
        return [line for line in view.lines if line not in rows] if rows else view.lines

    return view.memo("prose_lines", build)


@register
class FinewebLinePunct(RatioFilter):
    """FineWeb's 0.12. A short bracketed credit after the last sentence ("。（央视新闻）") is looked through, markdown
    table rows are ignored, and documents of one line (articles stored without line breaks) are skipped.
    """

    name = "fineweb_line_punct"
    measures = "fraction of lines ending in terminal punctuation (。！？…；」』” . ! ? \" ')"
    # FineWeb's web pages have many lines; on a one-line document (a news article stored
    # without line breaks) the fraction is 0 or 1 and says nothing, so it needs min_lines.
    defaults: ClassVar[dict[str, Any]] = {"min": 0.12, "max": None, "min_lines": 2}

    def measure(self, view: TextView) -> float | None:
        lines = prose_lines(view)
        if not lines or len(lines) < (self.min_lines or 1):
            return None
        return sum(map(ends_with_terminal_punct, lines)) / len(lines)


@register
class FinewebShortLines(RatioFilter):
    """FineWeb: at most 67% of lines of <= 30 characters. A Chinese line carries about twice the content per
    character, so its limit is 15. Unlike FineWeb, answer options and numbered items ("A. 杜甫", "（2）") do
    not count as short, and the short lines must also hold 35% of the characters: headings and list items of
    a structured text (encyclopedia entry, exam question) are short lines among long ones.
    """

    name = "fineweb_short_lines"
    measures = "fraction of lines of at most `line_chars` characters"
    defaults: ClassVar[dict[str, Any]] = {
        "min": None,
        "max": 0.67,
        "line_chars": {"zh": 15, "en": 30},
        "min_lines": 3,
        # Headings, list items and answer options are short lines inside long structured texts;
        # only when short lines also carry this share of the characters is the page list-like.
        "min_short_char_share": 0.35,
    }

    def measure(self, view: TextView) -> float | None:
        params = self.for_lang(view.lang)
        lines = prose_lines(view)
        if not lines or len(lines) < (params["min_lines"] or 0) or params["line_chars"] is None:
            return None
        limit = params["line_chars"]
        short = [line for line in lines if len(line) <= limit and not _ENUMERATED.match(line)]
        share = params["min_short_char_share"]
        if share and sum(map(len, short)) < share * sum(map(len, lines)):
            return 0.0
        return len(short) / len(lines)


@register
class FinewebDupLineChars(RatioFilter):
    """FineWeb used 0.01; 0.1 here, as a real page repeating a short table header or a byline is not junk."""

    name = "fineweb_dup_line_chars"
    measures = "characters in lines repeating an earlier line / all characters (newlines excluded)"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.1}

    def measure(self, view: TextView) -> float | None:
        stats = line_duplicates(view)
        total = len(view.text) - view.text.count("\n")
        return stats.duplicate_chars / total if total else None


@register
class FinewebListRatio(RatioFilter):
    """FineWeb's 0.3 newlines per word for English; Chinese words are characters, so 0.15."""

    name = "fineweb_list_ratio"
    measures = "newlines per word (list-like documents)"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": {"zh": 0.15, "en": 0.3}}

    def measure(self, view: TextView) -> float | None:
        words = view.words
        if not words:
            return None
        return view.text.count("\n") / len(words)
