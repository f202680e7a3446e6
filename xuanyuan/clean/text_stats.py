"""Text statistics shared by the cleaning rules: words, paragraphs, character classes.

Words. English words are runs of letters/digits (inner apostrophes, hyphens and dots kept:
"don't", "non-bank", "U.S.", "2.5"); punctuation-only tokens are not words. Chinese has no
spaces, and a segmenter (jieba, pkuseg) would add a dependency, a dictionary and ~50x the
cost, so for `lang="zh"` every CJK ideograph is one token and Latin words / numbers between
them are tokens as well. Rules whose thresholds come from word-based papers therefore carry
separate per-language thresholds (a Chinese "word" here is ~0.6 of a segmented word).

Characters. `count_chars` classifies every code point once through a lookup table over the
Basic Multilingual Plane (numpy), so a document costs one vectorised pass however many rules
read its counts.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# CJK ideographs without config: Unified Ideographs, Extension A, Compatibility Ideographs,
# and the supplementary-plane extensions B-F plus compatibility supplement.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
_CJK_CLASS = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002fa1f"
CJK_CHAR_RE = re.compile(f"[{_CJK_CLASS}]")
CJK_CLASS = _CJK_CLASS  # for rules that build their own character classes

# Sentence-final punctuation. Chinese marks are first-class: a line ending in 。 or 」 is as
# finished as one ending in ".".
ZH_TERMINAL_PUNCT = "。！？…；」』”"
EN_TERMINAL_PUNCT = ".!?\"'’"
TERMINAL_PUNCT = frozenset(ZH_TERMINAL_PUNCT + EN_TERMINAL_PUNCT + "；")
# Full-width and CJK punctuation (category P*), listed for rules that need the literal set.
ZH_PUNCT = "，。、；：？！…—·「」『』“”‘’（）【】《》〈〉〔〕～"
ASCII_PUNCT = frozenset(string.punctuation)

_EN_WORD_RE = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_ZH_WORD_RE = re.compile(rf"[{_CJK_CLASS}]|[^\W_{_CJK_CLASS}]+(?:['’.\-][^\W_{_CJK_CLASS}]+)*")
# A word made only of digits (and inner joiners): the complement of "words with a letter",
# counted without visiting each word. Boundaries mirror the word patterns above.
_EN_NUMBER_RE = re.compile(r"(?<![^\W_])(?<![^\W_]['’.\-])\d+(?:['’.\-]\d+)*(?![^\W_])(?!['’.\-][^\W_])")
_ZH_WORDCHAR = rf"[^\W_{_CJK_CLASS}]"
_ZH_NUMBER_RE = re.compile(
    rf"(?<!{_ZH_WORDCHAR})(?<!{_ZH_WORDCHAR}['’.\-])\d+(?:['’.\-]\d+)*(?!{_ZH_WORDCHAR})(?!['’.\-]{_ZH_WORDCHAR})"
)
_PARAGRAPH_SPLIT_RE = re.compile(r"\n[ \t\u3000\u00a0]*\n\s*")


def is_cjk(char: str) -> bool:
    """True for one CJK ideograph (not CJK punctuation, not kana or hangul)."""
    code = ord(char)
    return any(low <= code <= high for low, high in CJK_RANGES)


def has_cjk(text: str) -> bool:
    return CJK_CHAR_RE.search(text) is not None


# A short bracketed tail after the last sentence: a source credit "（央视新闻）", "(完)", "(Reuters)".
_TRAILING_BRACKETS = re.compile(r"\s*[（(\[【][^（）()\[\]【】]{1,20}[）)\]】]\s*$")


# Social-media sentence ends: a wave dash closes a sentence ("mark了，回头细看～"), and emoji or
# other symbols after the sentence end are looked through ("……各位怎么看？📈").
_SOCIAL_TERMINAL = frozenset("～~")
_TRAILING_SYMBOLS = re.compile(r"[\s\u200d\ufe0e\ufe0f\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]+$")


def ends_with_terminal_punct(line: str) -> bool:
    """Whether a (stripped) line ends like a finished sentence, Chinese or English.

    A short bracketed credit after the sentence end ("……增长35.6%。（央视新闻）") and trailing
    emoji are looked through; a closing wave dash (～) counts as a sentence end.
    """
    if line and _TRAILING_SYMBOLS.search(line):
        line = _TRAILING_SYMBOLS.sub("", line)
        if not line:
            return False
    if not line:
        return False
    if line[-1] in TERMINAL_PUNCT or line[-1] in _SOCIAL_TERMINAL:
        return True
    if line[-1] in ")）]】":
        body = _TRAILING_BRACKETS.sub("", line)
        return bool(body) and body != line and body[-1] in TERMINAL_PUNCT
    return False


def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, stripped, empty ones dropped."""
    return [block.strip() for block in _PARAGRAPH_SPLIT_RE.split(text) if block.strip()]


def words(text: str, lang: str) -> list[str]:
    """Word tokens: Latin words/numbers; for Chinese additionally one token per CJK ideograph."""
    if lang == "zh":
        return _ZH_WORD_RE.findall(text)
    return _EN_WORD_RE.findall(text)


def count_number_words(text: str, lang: str) -> int:
    """How many of `words(text, lang)` have no letter (bare numbers such as 2023, 15.74, 1-3)."""
    return len((_ZH_NUMBER_RE if lang == "zh" else _EN_NUMBER_RE).findall(text))


# --------------------------------------------------------------------------------------
# Character classes

# Category codes of the lookup table; order is the order of CharCounts' counted fields.
_CLASSES = (
    "cjk",
    "latin_lower",
    "latin_upper",
    "kana",
    "hangul",
    "other_letters",
    "digits",
    "whitespace",
    "punctuation",
    "symbols",
    "replacement",
    "control",
    "marks",
    "other",
)
_CODE = {name: index for index, name in enumerate(_CLASSES)}


@dataclass(frozen=True)
class CharCounts:
    """How many characters of each class a text has (each character in exactly one class)."""

    total: int = 0
    cjk: int = 0
    latin_lower: int = 0
    latin_upper: int = 0
    kana: int = 0
    hangul: int = 0
    other_letters: int = 0  # letters that are neither CJK nor Latin (kana and hangul included)
    digits: int = 0
    whitespace: int = 0
    punctuation: int = 0  # ASCII punctuation and symbols of string.punctuation, CJK / full-width punctuation
    symbols: int = 0  # other symbols: ©, €, ■, →, emoji ...
    replacement: int = 0  # U+FFFD, the mark of a failed decode
    control: int = 0  # control and format characters (zero-width, bidi)
    marks: int = 0  # combining marks
    other: int = 0  # private use, unassigned, surrogates

    @property
    def latin(self) -> int:
        return self.latin_lower + self.latin_upper

    @property
    def letters(self) -> int:
        return self.cjk + self.latin + self.other_letters

    @property
    def alnum(self) -> int:
        return self.letters + self.digits

    @property
    def non_space(self) -> int:
        return self.total - self.whitespace


def _classify(code: int) -> int:
    char = chr(code)
    if any(low <= code <= high for low, high in CJK_RANGES):
        return _CODE["cjk"]
    if code == 0xFFFD:
        return _CODE["replacement"]
    if char.isspace():
        return _CODE["whitespace"]
    category = unicodedata.category(char)
    if char.isalpha():
        if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D:
            return _CODE["kana"]
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            return _CODE["hangul"]
        if "LATIN" in unicodedata.name(char, ""):
            return _CODE["latin_upper"] if char.isupper() else _CODE["latin_lower"]
        return _CODE["other_letters"]
    if char.isdigit() or category == "Nd":
        return _CODE["digits"]
    if category.startswith("P") or char in ASCII_PUNCT:
        return _CODE["punctuation"]
    if category.startswith("S") or category in ("No", "Nl"):
        return _CODE["symbols"]
    if category in ("Cc", "Cf"):
        return _CODE["control"]
    if category.startswith("M"):
        return _CODE["marks"]
    return _CODE["other"]


@lru_cache(maxsize=1)
def _bmp_table() -> np.ndarray:
    """Class code of every Basic Multilingual Plane code point (built once, ~0.2 s)."""
    return np.fromiter((_classify(code) for code in range(0x10000)), dtype=np.uint8, count=0x10000)


def count_chars(text: str) -> CharCounts:
    """Count the characters of `text` by class."""
    if not text:
        return CharCounts()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _bmp_table()
    astral = codes > 0xFFFF
    if astral.any():
        counts = np.bincount(table[codes[~astral]], minlength=len(_CLASSES))
        for code in codes[astral].tolist():
            counts[_classify(code)] += 1
    else:
        counts = np.bincount(table[codes], minlength=len(_CLASSES))
    values = dict(zip(_CLASSES, counts.tolist()))
    values["other_letters"] += values["kana"] + values["hangul"]
    return CharCounts(total=len(text), **values)
