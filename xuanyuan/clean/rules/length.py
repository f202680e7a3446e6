"""Document length filters."""

from __future__ import annotations

from typing import Any, ClassVar

from xuanyuan.clean.base import RatioFilter, TextView
from xuanyuan.clean.registry import register


@register
class MinChars(RatioFilter):
    name = "min_chars"
    measures = "characters of the document after line cleaning"
    defaults: ClassVar[dict[str, Any]] = {"min": {"zh": 30, "en": 100}}

    def measure(self, view: TextView) -> float | None:
        return len(view.text)


@register
class MaxChars(RatioFilter):
    name = "max_chars"
    measures = "characters of the document (pathological dumps, whole-site concatenations)"
    defaults: ClassVar[dict[str, Any]] = {"max": 1_000_000}

    def measure(self, view: TextView) -> float | None:
        return len(view.text)
