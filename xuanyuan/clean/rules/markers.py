"""Sentence-level rewrites that remove markup residue inside sentences: citations, editor tags, !!!!."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from xuanyuan.clean.base import Level, Rewrite, TextView
from xuanyuan.clean.registry import register
from xuanyuan.clean.text_stats import CJK_CLASS


class SentenceRewrite(Rewrite):
    level: ClassVar[Level] = "sentence"


@register
class CitationMarkers(SentenceRewrite):
    """A numeric marker must follow text directly and must not look like an interval or index (区间[1,2]上, a[1] =
    0), which exam and code text contain.
    """

    name = "citation_markers"
    measures = "wiki-style citation and edit markers: [1], [2-4], [3, 5], [编辑], [citation needed]"
    defaults: ClassVar[dict[str, Any]] = {}

    # A numeric marker must sit right after text (no space: "century.[1]", "历史[2]") and must not
    # be an interval or an index: not after 区间/∈/=/(, not before = [ ( (a[1] = 0, [1, 2]上单调).
    _NUMERIC = re.compile(
        rf"(?<=[A-Za-z{CJK_CLASS}.,;:!?。，；：！？\"”’)）\]])(?<![=∈(（间])"
        r"(?:\[\s*\d{1,3}(?:\s*[-–—~]\s*\d{1,3})?(?:\s*[,，]\s*\d{1,3}(?:\s*[-–—~]\s*\d{1,3})?)*\s*\])+"
        rf"(?!\s*[=\[(（]|\s*(?:上|内|中|时|的|之间)|[A-Za-z0-9])"
    )
    _WORDS = re.compile(
        r"\[\s*(?:编辑|编辑本段|来源请求|需要引用|需要来源|失效链接|原始研究|谁？|何时？|edit|citation needed|"
        r"clarification needed|dead link|who\?|when\?|according to whom\?|by whom\?|better source needed|"
        r"verification needed|page needed|not in citation given|original research\??)\s*\]",
        re.IGNORECASE,
    )

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if "[" not in text:
            return text, 0
        text, words = self._WORDS.subn("", text)
        text, numbers = self._NUMERIC.subn("", text)
        return text, words + numbers


@register
class RepeatedPunctuation(SentenceRewrite):
    name = "repeated_punctuation"
    measures = "runs of repeated punctuation (！！！！ -> ！, ????? -> ?, ......... -> ……)"
    defaults: ClassVar[dict[str, Any]] = {"min_run": 2}

    # Commas are left alone: ",," is an empty CSV field, not emphasis.
    _ZH_ELLIPSIS = re.compile(r"\.{3,}|。{3,}|…{3,}|(?:·){4,}")
    _EN_ELLIPSIS = re.compile(r"\.{4,}|…{2,}")

    def setup(self) -> None:
        if not isinstance(self.min_run, int) or self.min_run < 2:
            raise ValueError(f"cleaning rule '{self.name}': min_run must be an integer >= 2")
        self._runs = re.compile(r"([！？!?。，；、～~])\1{%d,}" % (self.min_run - 1))

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if view.lang == "zh":
            text, dots = self._ZH_ELLIPSIS.subn("……", text)
        else:
            text, dots = self._EN_ELLIPSIS.subn(lambda m: "..." if m.group(0)[0] == "." else "…", text)
        text, runs = self._runs.subn(r"\1", text)
        return text, dots + runs


@register
class EditorTags(SentenceRewrite):
    name = "editor_tags"
    measures = "inline editor/byline tags: （责任编辑：张三）, (编辑 李四), (XWT185)-style desk codes"
    defaults: ClassVar[dict[str, Any]] = {}

    _TAGS = re.compile(
        r"[（(【\[]\s*(?:责任编辑|编辑|责编|校对|审核|实习编辑|作者|记者|编译)\s*[:：]?\s*[^（()）【】\[\]\n]{1,20}[）)】\]]"
        r"|[（(][A-Z]{2,5}\d{2,4}[）)]"
    )

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if "(" not in text and "（" not in text and "【" not in text and "[" not in text:
            return text, 0
        return self._TAGS.subn("", text)
