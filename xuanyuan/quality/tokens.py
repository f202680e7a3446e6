"""The text a fastText model reads: one token per Chinese character, lowercased words, digit runs as 0.

fastText splits on whitespace, so Chinese needs segmenting first. Characters (with fastText's
word bigrams on top) need no segmenter and are what short toxic comments are made of; digit
runs collapse because amounts and phone numbers vary without changing what a text is.
"""

from __future__ import annotations

from typing import NamedTuple

import regex

# Letters other than Han form words, so "A股" is "a" + "股", not one token.
_TOKEN = regex.compile(r"\p{Han}|[[\p{L}\p{M}']--\p{Han}]+|\p{N}+|[^\s\p{L}\p{M}\p{N}_]", regex.VERSION1)
_DIGITS = regex.compile(r"\p{N}+")


def _normalised(token: str) -> str:
    return "0" if _DIGITS.fullmatch(token) else token


def fasttext_text(text: str, max_chars: int) -> str:
    """The first `max_chars` characters of `text` as space-separated tokens (never contains a newline)."""
    return " ".join(_normalised(token) for token in _TOKEN.findall(text[:max_chars].lower()))


class TokenSpans(NamedTuple):
    """A text's fastText tokens and where each lies in it (character offsets into the original text)."""

    tokens: list[str]
    starts: list[int]
    ends: list[int]

    def line(self, first: int, stop: int) -> str:
        """Tokens first..stop-1 as one fastText line."""
        return " ".join(self.tokens[first:stop])


def token_spans(text: str) -> TokenSpans:
    """The tokens fasttext_text reads, with offsets: matched on the text as written, each lowercased.

    Lowercasing the whole text first (as fasttext_text does) can change its length ('İ' becomes two
    characters), which would shift every offset after it; lowercasing token by token gives the same
    tokens with offsets that slice the original text.
    """
    tokens, starts, ends = [], [], []
    for match in _TOKEN.finditer(text):
        tokens.append(_normalised(match.group().lower()))
        starts.append(match.start())
        ends.append(match.end())
    return TokenSpans(tokens, starts, ends)
