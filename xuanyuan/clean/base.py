"""The cleaning-rule contract: a rule is a small named class with parameters from config.

Levels, applied in this order to each document (xuanyuan.clean.pipeline):
  char      -> rewrite the whole text (normalisation)          `rewrite(text, view) -> (text, n_edits)`
  line      -> drop whole lines (boilerplate, navigation)       `check_line(line, view) -> Finding | None`
  sentence  -> rewrite spans inside lines (PII masks, markers)  `rewrite(text, view) -> (text, n_edits)`
  document  -> drop the document (Gopher, FineWeb, ratios)      `check(view) -> Finding | None`

Line and sentence rules edit a document; only document rules drop one. Each rule declares
`defaults` (its parameters and their default values); config overrides them per source
profile, and an unknown parameter is a config error, never silently ignored.

A parameter may differ by language: its value is then a dict keyed by language,
`{"zh": 0.05, "en": 0.1}`; a rule reads the value for the document's language through
`self.for_lang(lang)`. A per-language override is merged into the per-language default, so
a profile can change the Chinese threshold alone (the same holds for RatioFilter's min/max
with a single default); a language mapped to None switches the check off for that language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, ClassVar, Literal

from xuanyuan.clean import text_stats
from xuanyuan.records import LANGS

Level = Literal["char", "line", "sentence", "document"]
LEVEL_ORDER: tuple[Level, ...] = ("char", "line", "sentence", "document")


def is_per_lang(value: Any) -> bool:
    """A parameter value given per language: a non-empty dict whose keys are all languages."""
    return isinstance(value, dict) and bool(value) and all(key in LANGS for key in value)


def per_lang(value: Any, lang: str) -> Any:
    """The value of a (possibly per-language) parameter for one language."""
    return value.get(lang) if is_per_lang(value) else value


@dataclass(frozen=True)
class Finding:
    """Why a document or line fails a rule: the measured value and the threshold it broke."""

    value: Any
    threshold: Any
    detail: str = ""


class TextView:
    """A document's text with lazily computed statistics shared by all rules of one pass.

    Rules must treat it as read-only; the pipeline builds a new view after every edit.
    """

    def __init__(self, text: str, lang: str, source: str = "", kind: str = "", domain: str = ""):
        self.text = text
        self.lang = lang
        self.source = source
        self.kind = kind
        self.domain = domain

    @cached_property
    def lines(self) -> list[str]:
        """Non-empty lines, stripped."""
        return [line.strip() for line in self.text.split("\n") if line.strip()]

    @cached_property
    def paragraphs(self) -> list[str]:
        return text_stats.paragraphs(self.text)

    @cached_property
    def words(self) -> list[str]:
        """Word tokens: whitespace words for English, CJK ideographs + Latin words for Chinese."""
        return text_stats.words(self.text, self.lang)

    @cached_property
    def char_counts(self) -> text_stats.CharCounts:
        return text_stats.count_chars(self.text)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A derived statistic shared by several rules (duplicate lines, n-gram counts), computed once."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]


class CleaningRule:
    """Base of every rule: a registry name, a level, what it measures, and its parameters."""

    name: ClassVar[str]
    level: ClassVar[Level]
    measures: ClassVar[str]
    defaults: ClassVar[dict[str, Any]] = {}
    enabled_by_default: ClassVar[bool] = True
    # Restrict a rule to one language ("zh"/"en") when it is meaningless for the other.
    langs: ClassVar[tuple[str, ...]] = ("zh", "en")

    def __init__(self, **params: Any):
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise ValueError(
                f"cleaning rule '{self.name}' has no parameter {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(sorted(self.defaults)) or '(none)'}"
            )
        merged = dict(self.defaults)
        for key, value in params.items():
            default = self.defaults[key]
            if is_per_lang(value):
                # A per-language override keeps the default of the languages it does not name.
                value = {**(default if is_per_lang(default) else {lang: default for lang in LANGS}), **value}
            merged[key] = value
        self.params = merged
        for key, value in self.params.items():
            setattr(self, key, value)
        self._lang_params: dict[str, dict[str, Any]] = {}
        self.setup()

    def setup(self) -> None:
        """Compile patterns and load lexicons once, after parameters are set (override as needed)."""

    def for_lang(self, lang: str) -> dict[str, Any]:
        """The parameters with per-language values resolved for `lang` (cached)."""
        resolved = self._lang_params.get(lang)
        if resolved is None:
            resolved = {key: per_lang(value, lang) for key, value in self.params.items()}
            self._lang_params[lang] = resolved
        return resolved

    def applies_to(self, view: TextView) -> bool:
        return view.lang in self.langs

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "measures": self.measures, "params": dict(self.params)}


class Rewrite(CleaningRule):
    """A char- or sentence-level rule that edits text in place."""

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:  # pragma: no cover - abstract
        raise NotImplementedError


class LineFilter(CleaningRule):
    """A line-level rule: lines for which `check_line` returns a Finding are removed."""

    level: ClassVar[Level] = "line"

    def check_line(self, line: str, view: TextView) -> Finding | None:  # pragma: no cover - abstract
        raise NotImplementedError


class DocumentFilter(CleaningRule):
    """A document-level rule: a Finding drops the document."""

    level: ClassVar[Level] = "document"

    def check(self, view: TextView) -> Finding | None:  # pragma: no cover - abstract
        raise NotImplementedError


class RatioFilter(DocumentFilter):
    """The common case: measure one number, drop when it falls outside [min, max]."""

    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": None}

    def measure(self, view: TextView) -> float | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, view: TextView) -> Finding | None:
        value = self.measure(view)
        if value is None:
            return None
        params = self.for_lang(view.lang)
        low, high = params.get("min"), params.get("max")
        if low is not None and value < low:
            return Finding(value, f">= {low}")
        if high is not None and value > high:
            return Finding(value, f"<= {high}")
        return None
