"""Line-level filters: boilerplate, navigation menus, script residue, bare URLs, symbol rows, counters.

A line rule sees one stripped, non-empty line; a Finding removes the line (never the document).
Markdown table rows (`| a | b |`) and their separators are content in this project (PDF tables
are extracted as markdown), so line rules leave them alone.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from xuanyuan.clean.base import Finding, LineFilter, TextView, per_lang
from xuanyuan.clean.lexicons import compile_patterns
from xuanyuan.clean.registry import register
from xuanyuan.clean.text_stats import CJK_CLASS, TERMINAL_PUNCT
from xuanyuan.records import LANGS

_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?$|^\|\s*:?-{3,}:?\s*\|$")
_WORD_CHAR = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
URL_RE = re.compile(r"(?<![A-Za-z0-9@.])(?:(?:https?|ftp)://|www\.)[^\s<>\"'，。！？；、（）【】《》「」“”‘’]+", re.IGNORECASE)


def is_table_row(line: str) -> bool:
    return bool(_TABLE_ROW.match(line)) or bool(_TABLE_SEPARATOR.match(line))


def table_lines(view: TextView) -> frozenset[str]:
    """Lines of the view that are table rows: markdown rows, or runs of adjacent lines with equally many `|`.

    A menu row is a single line; a table written "项目 | 2022年 | 2021年" (no outer pipes) has
    neighbours with the same number of cells, and numbers in them.
    """

    def build() -> frozenset[str]:
        lines = view.lines
        rows = {line for line in lines if is_table_row(line)}
        index = 0
        while index < len(lines):
            pipes = lines[index].count("|")
            end = index + 1
            while pipes and end < len(lines) and lines[end].count("|") == pipes:
                end += 1
            run = lines[index:end]
            # A run of rows with the same cells is a table if it holds numbers; a keyword spam block
            # ("股票开户 | 期货配资 | …" on several lines) holds none.
            if len(run) >= 2 and any(_DIGIT.search(line) for line in run):
                rows.update(run)
            index = end
        return frozenset(rows)

    return view.memo("table_lines", build)


@register
class BoilerplateLines(LineFilter):
    name = "boilerplate_lines"
    measures = "short lines matching a boilerplate pattern (copyright, reprint notice, editor, share/follow, cookies)"
    defaults: ClassVar[dict[str, Any]] = {
        "lexicons": {
            "zh": ["config/lexicons/boilerplate_zh.txt", "config/lexicons/boilerplate_en.txt"],
            "en": ["config/lexicons/boilerplate_en.txt"],
        },
        "max_chars": {"zh": 80, "en": 200},
    }

    def setup(self) -> None:
        self._patterns = {}
        for lang in LANGS:
            paths = per_lang(self.lexicons, lang) or []
            self._patterns[lang] = compile_patterns(tuple([paths] if isinstance(paths, str) else paths))

    def check_line(self, line: str, view: TextView) -> Finding | None:
        pattern = self._patterns.get(view.lang)
        max_chars = self.for_lang(view.lang)["max_chars"]
        if pattern is None or (max_chars is not None and len(line) > max_chars):
            return None
        match = pattern.search(line)
        if match:
            return Finding(match.group(0)[:40], f"line <= {max_chars} chars matching a boilerplate pattern")
        return None


@register
class NavigationLines(LineFilter):
    name = "navigation_lines"
    measures = "menu and breadcrumb rows: many short items joined by | > » / · or (Chinese) spaces"
    defaults: ClassVar[dict[str, Any]] = {
        "min_items": 4,
        "min_breadcrumb_items": 3,
        "max_item_chars": {"zh": 8, "en": 25},
        "max_line_chars": 200,
    }

    # A bare ">" separates only with spaces around it: "<RTN>" is a ticker, "a>b" a comparison.
    _SEPARATORS = re.compile(r"\s*(?:\||｜|»|›|＞|→|/|·|•|・)\s*|\s+(?:>>?|-)\s+|\s{2,}")
    # The same separators without surrounding space, for counting (a leading \s* is slow to search).
    _SEPARATOR_MARKS = re.compile(r"[|｜»›＞→/·•・]|\s>>?\s|\s-\s|\s\s")
    _BREADCRUMB = re.compile(r"\s>>?\s|»|›|＞|→")
    _CLAUSE = re.compile(r"[,，。;；:：]")  # menu entries are names, not clauses
    # Menu entries are 1-4 characters (首页 新闻 国际财经); 5- and 7-character items are verse.
    _SPACE_ITEM = re.compile(rf"^(?:[{CJK_CLASS}]{{1,4}}|[A-Za-z]{{1,12}})$")

    def check_line(self, line: str, view: TextView) -> Finding | None:
        if len(line) > self.max_line_chars or line[-1] in "。！？.!?" or ("|" in line and line in table_lines(view)):
            return None
        separators = len(self._SEPARATOR_MARKS.findall(line))
        if separators >= 2:
            items = [item for item in self._SEPARATORS.split(line) if item]
            max_item = self.for_lang(view.lang)["max_item_chars"] or 0
            needed = self.min_breadcrumb_items if self._BREADCRUMB.search(line) else self.min_items
        if separators >= 2 and len(items) >= needed:
            if all(len(item) <= 2 * max_item and _LETTER.search(item) and not self._CLAUSE.search(item) for item in items) and (
                sum(map(len, items)) / len(items) <= max_item
            ):
                return Finding(len(items), f"items >= {needed}, mean item <= {max_item} chars")
        if view.lang == "zh" and " " in line and len(line) <= 60:
            # Chinese prose has no spaces between words: a row of short space-separated words is a menu.
            words = line.split()
            if len(words) >= self.min_items and all(self._SPACE_ITEM.match(word) for word in words):
                if any(re.match(f"[{CJK_CLASS}]", word) for word in words):
                    return Finding(len(words), f"space-separated short items >= {self.min_items}")
        return None


@register
class JavascriptLines(LineFilter):
    name = "javascript_lines"
    measures = "lines mentioning JavaScript or carrying script code (C4)"
    defaults: ClassVar[dict[str, Any]] = {"max_chars": None}

    _PATTERN = re.compile(
        r"javascript|document\.(?:write|getElementById|cookie)|window\.(?:location|open|onload)"
        r"|function\s*\w*\s*\([^)]*\)\s*\{|\$\(\s*(?:document|window|['\"])|\bvar\s+\w+\s*=\s*[^=]",
        re.IGNORECASE,
    )

    _GATE = ("javascript", "document.", "window.", "function", "$(", "var ")

    def check_line(self, line: str, view: TextView) -> Finding | None:
        if self.max_chars is not None and len(line) > self.max_chars:
            return None
        lowered = line.lower()
        if not any(gate in lowered for gate in self._GATE):
            return None
        match = self._PATTERN.search(line)
        return Finding(match.group(0)[:40], "no script text") if match else None


@register
class UrlOnlyLines(LineFilter):
    name = "url_only_lines"
    measures = "lines that are URLs with at most a short label around them"
    defaults: ClassVar[dict[str, Any]] = {"max_other_chars": 10}

    def check_line(self, line: str, view: TextView) -> Finding | None:
        if "://" not in line and "www." not in line.lower():
            return None
        rest = URL_RE.sub("", line)
        if rest == line:
            return None
        other = len(_WORD_CHAR.findall(rest))
        if other <= self.max_other_chars:
            return Finding(other, f"<= {self.max_other_chars} other word chars beside URLs")
        return None


@register
class SymbolOnlyLines(LineFilter):
    name = "symbol_only_lines"
    measures = "lines without any letter, CJK character or digit (rules, dingbats, stray punctuation)"
    defaults: ClassVar[dict[str, Any]] = {"keep_markup": True}

    _MARKUP = re.compile(r"^(?:```.*|~~~.*|\$\$|\\\[|\\\])$")  # code fences and display-math delimiters

    def check_line(self, line: str, view: TextView) -> Finding | None:
        if _WORD_CHAR.search(line):
            return None
        if self.keep_markup and (_TABLE_SEPARATOR.match(line) or self._MARKUP.match(line)):
            return None
        return Finding(0, "letters+digits > 0")


_ZH_COUNTER_WORDS = "阅读|浏览|评论|点赞|收藏|转发|分享|回复|查看|人气|点击|播放|围观|喜欢|赞"
_EN_COUNTER_WORDS = r"views?|comments?|likes?|replies|reads|retweets?|tweets?|pins?|followers|hits|upvotes?|claps"


@register
class CounterLines(LineFilter):
    name = "counter_lines"
    measures = "short rows of view/comment/like counters (阅读(123) 评论(4) 点赞, Share 12 Tweet, 1.2k views)"
    defaults: ClassVar[dict[str, Any]] = {"max_chars": {"zh": 60, "en": 100}, "max_other_chars": {"zh": 20, "en": 40}}

    _NUMBER = r"\d[\d,.]*\s*[万千kKwWmM+]?"
    _COUNTER = re.compile(
        rf"(?:{_ZH_COUNTER_WORDS})(?:数|量|次数|人数)?\s*[:：]?\s*[(（\[【]?\s*{_NUMBER}\s*[)）\]】]?"
        rf"|{_NUMBER}\s*(?:人|次|条)?\s*(?:{_ZH_COUNTER_WORDS})"
        rf"|\b(?:{_EN_COUNTER_WORDS})\s*[:(]?\s*{_NUMBER}\)?"
        rf"|{_NUMBER}\s+(?:{_EN_COUNTER_WORDS})\b"
        rf"|\bshare\s*{_NUMBER}\s+(?:tweet|pin|email|like)",
        re.IGNORECASE,
    )

    _DIGIT = re.compile(r"\d")
    _GATE = tuple(_ZH_COUNTER_WORDS.split("|")) + (
        "view", "comment", "like", "repl", "read", "tweet", "pin", "follower", "hit", "vote", "clap", "share"
    )

    def check_line(self, line: str, view: TextView) -> Finding | None:
        params = self.for_lang(view.lang)
        max_chars = params["max_chars"]
        if (max_chars is not None and len(line) > max_chars) or line[-1] in TERMINAL_PUNCT or not self._DIGIT.search(line):
            return None
        lowered = line.lower()
        if not any(word in lowered for word in self._GATE):
            return None
        counters = self._COUNTER.findall(line)
        if not counters:
            return None
        other = len(_WORD_CHAR.findall(self._COUNTER.sub("", line)))
        max_other = params["max_other_chars"]
        if max_other is None or other <= max_other:
            return Finding(len(counters), f"counters >= 1, other word chars <= {max_other}")
        return None
