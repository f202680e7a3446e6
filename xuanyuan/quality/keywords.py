"""Keyword sampling: documents that use several words of a harmful category, proposed for review.

Keywords alone are a noisy detector (a news report on a gambling raid uses gambling words); the
candidates are written out for people to read and are compared with the classifier's verdicts
in results/quality.md, never used to drop anything.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

import regex

from xuanyuan.clean.lexicons import resolve_lexicon


def load_keywords(path: str, categories: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """Keyword lists of `categories` from the YAML file named in quality.keywords."""
    from xuanyuan.corpus.labelled import load_harmful_keywords

    lists = load_harmful_keywords(str(resolve_lexicon(path)))
    missing = [category for category in categories if category not in lists]
    if missing:
        raise ValueError(f"{path}: no keyword list for {', '.join(missing)}; add one per category in quality.categories")
    return {category: lists[category] for category in categories}


def _alternation(words: Iterable[str], word_boundaries: bool) -> str | None:
    # Longest first so that a longer keyword wins over its own prefix at the same position.
    escaped = sorted({regex.escape(word.lower()) for word in words if word.strip()}, key=lambda w: (-len(w), w))
    if not escaped:
        return None
    body = "|".join(escaped)
    return rf"(?<![\p{{L}}\p{{N}}])(?:{body})(?![\p{{L}}\p{{N}}])" if word_boundaries else f"(?:{body})"


class KeywordMatcher:
    """Distinct keywords of each category found in a text (Chinese as substrings, English as words)."""

    def __init__(self, keywords: dict[str, dict[str, list[str]]]):
        self.patterns: dict[str, regex.Pattern] = {}
        for category, by_lang in keywords.items():
            parts = [
                part
                for part in (_alternation(by_lang.get("zh", []), False), _alternation(by_lang.get("en", []), True))
                if part
            ]
            if parts:
                self.patterns[category] = regex.compile("|".join(parts))

    def hits(self, text: str) -> dict[str, list[str]]:
        lowered = text.lower()
        found = {}
        for category, pattern in self.patterns.items():
            words = sorted(set(pattern.findall(lowered)))
            if words:
                found[category] = words
        return found


def keyword_candidates(docs: Iterable[dict[str, Any]], matcher: KeywordMatcher, min_hits: int, snippet_chars: int = 300) -> Iterator[dict[str, Any]]:
    """One candidate per (document, category) with at least `min_hits` distinct keywords."""
    for doc in docs:
        for category, words in matcher.hits(doc["text"]).items():
            if len(words) >= min_hits:
                yield {
                    "id": doc["id"], "source": doc["source"], "category": category, "hits": len(words),
                    "keywords": words, "snippet": doc["text"][:snippet_chars],
                }
