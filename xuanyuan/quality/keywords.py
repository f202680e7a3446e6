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
        return {category: words for category, (words, _) in self.hits_with_offsets(text).items()}

    def hits_with_offsets(self, text: str) -> dict[str, tuple[list[str], int]]:
        """Per category found: its distinct keywords, sorted, and the offset of the first match."""
        lowered = text.lower()
        found = {}
        for category, pattern in self.patterns.items():
            matches = list(pattern.finditer(lowered))
            if matches:
                found[category] = (sorted({match.group() for match in matches}), matches[0].start())
        return found


def keyword_candidates(docs: Iterable[dict[str, Any]], matcher: KeywordMatcher, min_hits: int, snippet_chars: int = 300) -> Iterator[dict[str, Any]]:
    """One candidate per (document, category) with at least `min_hits` distinct keywords.

    The whole document is searched, as the classifier reads it whole (windows.py); the snippet
    starts a little before the first keyword (`offset`), so a reviewer sees the passage even
    deep inside a long document.
    """
    for doc in docs:
        for category, (words, offset) in matcher.hits_with_offsets(doc["text"]).items():
            if len(words) >= min_hits:
                start = max(0, offset - snippet_chars // 3)
                yield {
                    "id": doc["id"], "source": doc["source"], "category": category, "hits": len(words),
                    "keywords": words, "offset": offset, "snippet": doc["text"][start : start + snippet_chars],
                }
