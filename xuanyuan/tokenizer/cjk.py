"""Which characters count as Chinese, and how often each occurs in a corpus."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

CodePointRange = tuple[int, int]


def parse_cjk_ranges(pairs: Sequence[Sequence[str | int]]) -> tuple[CodePointRange, ...]:
    """Inclusive code point ranges from the config's hex pairs (`[["4E00", "9FFF"], ...]`)."""
    ranges = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"tokenizer.cjk_ranges: {pair!r} is not a [first, last] pair of hex code points")
        try:
            first, last = (value if isinstance(value, int) else int(value, 16) for value in pair)
        except ValueError:
            raise ValueError(
                f"tokenizer.cjk_ranges: {pair!r} is not a pair of hex code points like ['4E00', '9FFF']"
            ) from None
        if not 0 <= first <= last <= 0x10FFFF:
            raise ValueError(
                f"tokenizer.cjk_ranges: {pair!r} is empty or outside Unicode; write [first, last] with first <= last"
            )
        ranges.append((first, last))
    return tuple(ranges)


def format_cjk_ranges(ranges: Iterable[CodePointRange]) -> list[list[str]]:
    """The inverse of `parse_cjk_ranges`, for metadata and reports."""
    return [[f"{first:04X}", f"{last:04X}"] for first, last in ranges]


def cjk_pattern(ranges: Iterable[CodePointRange]) -> re.Pattern[str]:
    """A regex matching one Chinese character; `findall` keeps the per-character loop in C."""
    ranges = list(ranges)
    if not ranges:
        # An empty character class is a syntax error; a pattern that never matches is what "no ranges" means.
        return re.compile(r"(?!x)x")
    body = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in ranges)
    return re.compile(f"[{body}]")


def count_cjk_chars(texts: Iterable[str], ranges: Iterable[CodePointRange]) -> Counter[str]:
    """How often each Chinese character (code point inside `ranges`) occurs in `texts`."""
    pattern = cjk_pattern(ranges)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(pattern.findall(text))
    return counts
