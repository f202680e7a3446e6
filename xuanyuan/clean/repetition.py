"""Repetition statistics of a document (Gopher's and FineWeb's repetition filters), memoised on its view.

Two exact-equivalent ways to compare word n-grams, picked by document size:
- short documents (most of a corpus): every distinct word becomes one character of a "token
  string", so an n-gram is a plain substring and Python's dicts do the counting;
- long documents: 64-bit polynomial hashes of the words, built and sorted with numpy, a few
  vectorised passes per n instead of millions of Python objects (a false match would need a
  64-bit collision between two n-grams of one document).
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate
from typing import NamedTuple

import numpy as np

from xuanyuan.clean.base import TextView

_SMALL = 500  # below this many words, plain Python beats numpy
_MIX = np.uint64(0x9E3779B97F4A7C15)
_BASE = np.uint64(0x100000001B3)


class DuplicateStats(NamedTuple):
    items: int
    duplicates: int  # items equal to an earlier item
    chars: int
    duplicate_chars: int


def duplicate_stats(items: list[str]) -> DuplicateStats:
    """How many items (lines, paragraphs) repeat an earlier one, and their characters."""
    seen: set[str] = set()
    duplicates = duplicate_chars = chars = 0
    for item in items:
        chars += len(item)
        if item in seen:
            duplicates += 1
            duplicate_chars += len(item)
        else:
            seen.add(item)
    return DuplicateStats(len(items), duplicates, chars, duplicate_chars)


def line_duplicates(view: TextView) -> DuplicateStats:
    return view.memo("dup_lines", lambda: duplicate_stats(view.lines))


def paragraph_duplicates(view: TextView) -> DuplicateStats:
    return view.memo("dup_paragraphs", lambda: duplicate_stats(view.paragraphs))


class _Tokens(NamedTuple):
    count: int
    offsets: list[int]  # offsets[i] = characters of the first i words
    string: str | None  # one character per word (short documents), else None


# Words of more than one character get a character of Supplementary Private Use Area-B: such
# characters are never word characters themselves, so they cannot clash with one-character words.
_PRIVATE_BASE = 0x100000


def _tokens(view: TextView) -> _Tokens:
    def build() -> _Tokens:
        words = view.words
        offsets = list(accumulate(map(len, words), initial=0))
        string = None
        if len(words) < _SMALL:
            codes: dict[str, str] = {}
            chars = []
            for word in words:
                if len(word) == 1:
                    chars.append(word)
                    continue
                code = codes.get(word)
                if code is None:
                    code = codes[word] = chr(_PRIVATE_BASE + len(codes))
                chars.append(code)
            string = "".join(chars)
        return _Tokens(len(words), offsets, string)

    return view.memo("tokens", build)


def _word_hashes(view: TextView) -> np.ndarray:
    def build() -> np.ndarray:
        words = view.words
        # Python's string hash, mapped in C: equal words get equal ids within a process.
        ids = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
        return ids * _MIX

    return view.memo("word_hashes", build)


def ngram_hashes(view: TextView, n: int) -> np.ndarray:
    """Hash of every word n-gram of the view, in order (empty when the text has fewer than n words)."""

    def build() -> np.ndarray:
        ids = _word_hashes(view)
        if n <= 1:
            return ids
        if len(ids) < n:
            return np.empty(0, dtype=np.uint64)
        return ngram_hashes(view, n - 1)[:-1] * _BASE + ids[n - 1 :]

    return view.memo(("ngram", n), build)


def _covered_chars(offsets: list[int], starts: list[int], n: int) -> int:
    """Characters of the words covered by n-grams starting at the (ascending) `starts`; overlaps count once."""
    covered = 0
    run_start = run_end = -1
    for start in starts:
        if start > run_end:
            if run_end > run_start:
                covered += offsets[run_end] - offsets[run_start]
            run_start = start
        run_end = max(run_end, start + n)
    if run_end > run_start:
        covered += offsets[run_end] - offsets[run_start]
    return covered


def _non_overlapping(positions: list[int], n: int) -> list[int]:
    """Greedy left-to-right choice of occurrences, so that "哈哈哈哈" is not counted three times over."""
    chosen = []
    end = -1
    for position in positions:
        if position >= end:
            chosen.append(position)
            end = position + n
    return chosen


def top_ngram_fraction(view: TextView, n: int) -> float:
    """Characters covered by the most frequent n-gram (non-overlapping occurrences) / all word characters.

    Among equally frequent n-grams the one covering the most characters counts.
    """
    tokens = _tokens(view)
    total = tokens.offsets[-1]
    if tokens.count - n + 1 < 2 or total == 0:
        return 0.0
    if tokens.string is not None:
        string = tokens.string
        grams = [string[i : i + n] for i in range(len(string) - n + 1)]
        counts = Counter(grams)
        best = max(counts.values())
        if best < 2:
            return 0.0
        tops = {gram for gram, count in counts.items() if count == best}
        positions: dict[object, list[int]] = {gram: [] for gram in tops}
        for index, gram in enumerate(grams):
            if gram in tops:
                positions[gram].append(index)
    else:
        hashes = ngram_hashes(view, n)
        ordered = np.sort(hashes)
        boundaries = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        run_starts = np.concatenate(([0], boundaries))
        run_lengths = np.diff(np.concatenate((run_starts, [len(ordered)])))
        best = int(run_lengths.max())
        if best < 2:
            return 0.0
        tops_hashes = ordered[run_starts[run_lengths == best]]
        positions = {int(value): np.flatnonzero(hashes == value).tolist() for value in tops_hashes}
    covered = max(_covered_chars(tokens.offsets, _non_overlapping(found, n), n) for found in positions.values())
    return covered / total


def duplicate_ngram_fraction(view: TextView, n: int) -> float:
    """Characters covered by n-gram occurrences that repeat an earlier occurrence / all word characters."""
    tokens = _tokens(view)
    total = tokens.offsets[-1]
    if tokens.count - n + 1 < 2 or total == 0:
        return 0.0
    if tokens.string is not None:
        string = tokens.string
        seen: set[str] = set()
        later = []
        for index in range(len(string) - n + 1):
            gram = string[index : index + n]
            if gram in seen:
                later.append(index)
            else:
                seen.add(gram)
        if not later:
            return 0.0
    else:
        hashes = ngram_hashes(view, n)
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        repeats_previous = ordered[1:] == ordered[:-1]
        if not repeats_previous.any():
            return 0.0
        # In stable sorted order, an element equal to its predecessor is a later occurrence.
        later = np.sort(order[1:][repeats_previous]).tolist()
    return _covered_chars(tokens.offsets, later, n) / total
