"""Sources of the generated corpus, default sizes, default plant counts, and their validation."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from xuanyuan.corpus.plants import harmful, low_quality


@dataclass(frozen=True)
class SourceSpec:
    name: str
    format: str  # html | pdf | jsonl
    lang: str
    domain: str
    kind: str
    genre: str  # composer in xuanyuan.corpus.genres


SOURCES: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec("zh_encyclopedia", "html", "zh", "general", "knowledge", "zh_encyclopedia"),
        SourceSpec("zh_news", "html", "zh", "general", "news", "zh_news"),
        SourceSpec("zh_finance_news", "html", "zh", "finance", "news", "zh_finance_news"),
        SourceSpec("zh_finance_report", "pdf", "zh", "finance", "report", "zh_report"),
        SourceSpec("zh_announcement", "pdf", "zh", "finance", "announcement", "zh_announcement"),
        SourceSpec("zh_forum", "jsonl", "zh", "general", "social", "zh_forum"),
        SourceSpec("zh_exam", "jsonl", "zh", "finance", "exam", "zh_exam"),  # 会计, 金融, 经济学 exams: finance text
        SourceSpec("en_web", "html", "en", "general", "web", "en_web"),
    )
}

DEFAULT_DOCUMENTS: dict[str, int] = {
    "zh_encyclopedia": 340,
    "zh_news": 440,
    "zh_finance_news": 440,
    "zh_finance_report": 120,
    "zh_announcement": 150,
    "zh_forum": 400,
    "zh_exam": 300,
    "en_web": 320,
}

DEFAULT_PLANTS: dict[str, Any] = {
    "exact_duplicate": {"byte_identical": 40, "new_boilerplate": 16},
    "near_duplicate": {"clusters": 24, "min_size": 3, "max_size": 5, "min_edit": 0.02, "max_edit": 0.04},
    "low_quality": {category: 12 for category in low_quality.CATEGORIES},
    "boilerplate_line": 40,
    "pii": 40,
    "harmful": {category: 8 for category in harmful.CATEGORIES},
    "bad_file": {"corrupt_pdf": 2, "binary_file": 2, "empty_file": 2, "charset_mismatch": 2, "too_large": 1,
                 "no_text_layer": 2, "bad_json": 2, "missing_text": 2},
}

# Where each plant may go (sources in preference order; counts are dealt round-robin).
PLANT_SOURCES: dict[str, tuple[str, ...]] = {
    "byte_identical": tuple(SOURCES),
    "new_boilerplate": ("zh_news", "zh_finance_news", "en_web", "zh_encyclopedia"),
    "near_duplicate": ("zh_news", "zh_finance_news", "en_web", "zh_encyclopedia", "zh_forum"),
    "boilerplate_line": ("zh_news", "zh_finance_news", "en_web", "zh_forum", "zh_encyclopedia"),
    "pii": ("zh_news", "zh_forum", "zh_finance_news", "en_web"),
    "too_short": ("zh_forum", "zh_exam", "zh_news", "en_web"),
    "repeated_lines": ("zh_news", "zh_forum", "en_web", "zh_finance_news"),
    "symbol_spam": ("zh_forum", "zh_news", "en_web"),
    "keyword_list": ("zh_finance_news", "zh_news", "zh_forum", "en_web"),
    "mojibake": ("zh_news", "zh_finance_news", "zh_forum", "en_web", "zh_encyclopedia"),
    "wrong_language": ("zh_news", "zh_forum", "zh_encyclopedia", "zh_finance_news"),
    "harmful": ("zh_forum", "zh_news", "en_web"),
    "corrupt_pdf": ("zh_finance_report", "zh_announcement"),
    "binary_file": ("zh_news", "en_web"),
    "empty_file": ("en_web", "zh_announcement", "zh_news"),
    "charset_mismatch": ("zh_news", "zh_finance_news"),
    "too_large": ("en_web",),
    "no_text_layer": ("zh_finance_report", "zh_announcement"),
    "bad_json": ("zh_forum", "zh_exam"),
    "missing_text": ("zh_forum", "zh_exam"),
}


def resolve_documents(documents: dict[str, int] | None) -> dict[str, int]:
    """The defaults, or exactly `documents` (sources it leaves out are not generated)."""
    if documents is None:
        return dict(DEFAULT_DOCUMENTS)
    for source, count in documents.items():
        if source not in SOURCES:
            raise ValueError(f"documents: unknown source {source!r}; known sources: {', '.join(SOURCES)}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"documents[{source!r}] must be a non-negative integer, got {count!r}")
    return {source: documents.get(source, 0) for source in SOURCES}


def resolve_plants(plants: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults deep-merged with `plants`; unknown plant or category names are errors naming them."""
    resolved = copy.deepcopy(DEFAULT_PLANTS)
    for key, value in (plants or {}).items():
        if key not in resolved:
            raise ValueError(f"plants: unknown plant {key!r}; known plants: {', '.join(resolved)}")
        default = resolved[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ValueError(f"plants[{key!r}] must be a mapping with keys {', '.join(default)}, got {value!r}")
            for category, count in value.items():
                if category not in default:
                    raise ValueError(f"plants[{key!r}]: unknown key {category!r}; known: {', '.join(default)}")
                default[category] = count
        else:
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"plants[{key!r}] must be a non-negative integer, got {value!r}")
            resolved[key] = value
    near = resolved["near_duplicate"]
    if not 2 <= near["min_size"] <= near["max_size"]:
        raise ValueError("plants['near_duplicate']: need 2 <= min_size <= max_size")
    return resolved


def deal(count: int, sources: tuple[str, ...], capacity: dict[str, int]) -> dict[str, int]:
    """Spread `count` items round-robin over `sources`, skipping sources with no capacity left."""
    out = {source: 0 for source in sources}
    available = [s for s in sources if capacity.get(s, 0) > 0]
    index = 0
    while count > 0 and available:
        source = available[index % len(available)]
        if capacity[source] > 0:
            out[source] += 1
            capacity[source] -= 1
            count -= 1
            index += 1
        else:
            available.remove(source)
    return out
