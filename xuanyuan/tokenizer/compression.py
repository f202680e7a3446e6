"""How compactly a tokenizer encodes text: the numbers of results/tokenizer.md.

- `chars_per_token`: characters of the whole text per token (higher = shorter sequences).
- `tokens_per_zh_char`: tokens spent on Chinese characters per Chinese character. Each text's
  Chinese characters (code points in the configured ranges) are joined in order, other
  characters dropped, and that string is encoded; so punctuation, digits and Latin letters,
  which the expansion does not touch, do not blur the number. A character that is a piece
  costs 1 token, one left to byte fallback 3 (4 outside the BMP); the dummy prefix adds one
  "▁" token per text that has Chinese characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, Callable, Iterable, Mapping, Sequence

from xuanyuan.tables import markdown_table
from xuanyuan.tokenizer.cjk import CodePointRange, cjk_pattern

Encode = Callable[[str], list[int]]


@dataclass
class CompressionCounts:
    """Running sums over texts; `add` one text at a time so a corpus never sits in memory."""

    docs: int = 0
    chars: int = 0
    tokens: int = 0
    zh_chars: int = 0
    zh_tokens: int = 0

    def add(self, encode: Encode, text: str, pattern: re.Pattern[str]) -> None:
        """Count one text; `pattern` matches one Chinese character (`cjk.cjk_pattern`)."""
        zh = "".join(pattern.findall(text))
        self.docs += 1
        self.chars += len(text)
        self.tokens += len(encode(text))
        self.zh_chars += len(zh)
        self.zh_tokens += len(encode(zh)) if zh else 0

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {field.name: getattr(self, field.name) for field in fields(self)}
        out["chars_per_token"] = self.chars / self.tokens if self.tokens else None
        out["tokens_per_zh_char"] = self.zh_tokens / self.zh_chars if self.zh_chars else None
        return out


def compression_stats(encode: Encode, texts: Iterable[str], ranges: Iterable[CodePointRange]) -> dict[str, Any]:
    """docs, chars, tokens, zh_chars, zh_tokens, chars_per_token, tokens_per_zh_char of `texts` under `encode`.

    `encode` maps a text to ids without special tokens (BOS would count as text).
    """
    pattern = cjk_pattern(ranges)
    counts = CompressionCounts()
    for text in texts:
        counts.add(encode, text, pattern)
    return counts.stats()


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _change(before: int, after: int) -> str:
    return f"{100.0 * (after - before) / before:+.1f}%" if before else "-"


def compression_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Markdown: one line per text set, before vs after expansion.

    Each row is `{"set": name, "before": stats, "after": stats}` with stats from `compression_stats`.
    """
    header = [
        "set", "docs", "chars", "Chinese chars",
        "tokens before", "tokens after", "change",
        "chars/token before", "chars/token after",
        "tokens/Chinese char before", "tokens/Chinese char after",
    ]
    lines = []
    for row in rows:
        before, after = row["before"], row["after"]
        lines.append([
            row["set"], before["docs"], before["chars"], before["zh_chars"],
            before["tokens"], after["tokens"], _change(before["tokens"], after["tokens"]),
            _ratio(before["chars_per_token"]), _ratio(after["chars_per_token"]),
            _ratio(before["tokens_per_zh_char"]), _ratio(after["tokens_per_zh_char"]),
        ])
    return markdown_table(header, lines)
