"""Text normalisation and shingle hashes for MinHash.

Normalisation (both languages): lowercase, every Unicode punctuation character (category
P*) removed, NFKC (full-width -> half-width; then lowercase and punctuation removal again,
since NFKC can produce both), whitespace runs collapsed to one space. NFKC runs only on
text that is not NFKC already after punctuation removal (it is the slow step, and most
Chinese text passes the quick check once its full-width punctuation is gone).
Chinese then drops the spaces too: Chinese does not separate words, so a re-wrapped copy
of an article must shingle the same as the original.

Shingles: character n-grams for `zh`, word n-grams (words split on whitespace) for `en`.

Shingle hash (32 bits, the input of datasketch's permutations): each shingle is a tuple
of n tokens, a token being a code point (zh) or the 64-bit BLAKE2b digest of a word (en);
the tuple is folded as a polynomial mod 2^64, mixed with the MurmurHash3 64-bit finaliser,
and its upper 32 bits are kept. It is computed for all shingles of a document at once with
numpy; `shingle_hash32` computes the same value for one shingle, so that datasketch's own
`MinHash(hashfunc=shingle_hash32)` can check our signatures bit for bit.
"""

from __future__ import annotations

import hashlib
import unicodedata

import numpy as np
import regex

_M64 = (1 << 64) - 1
# An odd 64-bit multiplier (the golden-ratio constant) for the polynomial fold.
_POLY = 0x9E3779B97F4A7C15
_FMIX64 = (33, 0xFF51AFD7ED558CCD, 33, 0xC4CEB9FE1A85EC53, 33)


_PUNCT = regex.compile(r"\p{P}+")


def normalise(text: str, lang: str) -> str:
    """Lowercase, punctuation removed, NFKC, whitespace collapsed (zh: removed)."""
    text = _PUNCT.sub("", text.lower())
    if not unicodedata.is_normalized("NFKC", text):
        text = _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())
    if lang == "zh":
        return "".join(text.split())
    return " ".join(text.split())


def word_hash64(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def tokens(normalised: str, lang: str) -> np.ndarray:
    """The token stream (uint64) that shingles are cut from."""
    if lang == "zh":
        return np.frombuffer(normalised.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    cache: dict[str, int] = {}
    out = []
    for word in normalised.split(" ") if normalised else []:
        value = cache.get(word)
        if value is None:
            value = cache[word] = word_hash64(word)
        out.append(value)
    return np.array(out, dtype=np.uint64)


def _fmix64_array(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX64
    h = h ^ (h >> np.uint64(s1))
    h = h * np.uint64(m1)
    h = h ^ (h >> np.uint64(s2))
    h = h * np.uint64(m2)
    return h ^ (h >> np.uint64(s3))


def shingle_hashes(toks: np.ndarray, n: int) -> np.ndarray:
    """32-bit hashes of all n-token shingles of `toks` (empty when fewer than n tokens)."""
    count = len(toks) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    poly = np.uint64(_POLY)
    with np.errstate(over="ignore"):
        h = toks[:count].copy()
        for k in range(1, n):
            h *= poly
            h += toks[k : k + count]
        h = _fmix64_array(h)
    return (h >> np.uint64(32)).astype(np.uint32)


def shingle_hash32(shingle: str | tuple[str, ...]) -> int:
    """The hash of one shingle (a string of n characters, or a tuple of n words), scalar."""
    if isinstance(shingle, str):
        values = [ord(ch) for ch in shingle]
    else:
        values = [word_hash64(word) for word in shingle]
    h = values[0]
    for value in values[1:]:
        h = (h * _POLY + value) & _M64
    s1, m1, s2, m2, s3 = _FMIX64
    h ^= h >> s1
    h = (h * m1) & _M64
    h ^= h >> s2
    h = (h * m2) & _M64
    h ^= h >> s3
    return h >> 32


def shingles(normalised: str, lang: str, n: int) -> list:
    """The shingles themselves (for tests and the reference implementation), in text order."""
    if lang == "zh":
        return [normalised[i : i + n] for i in range(len(normalised) - n + 1)]
    words = normalised.split(" ") if normalised else []
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
