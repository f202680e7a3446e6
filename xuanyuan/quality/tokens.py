"""The text a fastText model reads: one token per Chinese character, lowercased words, digit runs as 0.

fastText splits on whitespace, so Chinese needs segmenting first. Characters (with fastText's
word bigrams on top) need no segmenter and are what short toxic comments are made of; digit
runs collapse because amounts and phone numbers vary without changing what a text is.
"""

from __future__ import annotations

import regex

# Letters other than Han form words, so "A股" is "a" + "股", not one token.
_TOKEN = regex.compile(r"\p{Han}|[[\p{L}\p{M}']--\p{Han}]+|\p{N}+|[^\s\p{L}\p{M}\p{N}_]", regex.VERSION1)
_DIGITS = regex.compile(r"\p{N}+")


def fasttext_text(text: str, max_chars: int) -> str:
    """The first `max_chars` characters of `text` as space-separated tokens (never contains a newline)."""
    tokens = _TOKEN.findall(text[:max_chars].lower())
    return " ".join("0" if _DIGITS.fullmatch(token) else token for token in tokens)
