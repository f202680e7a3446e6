"""Word lists of the cleaning rules: plain text files, one entry per line, `#` starts a comment.

Paths in rule parameters are relative to the repository root (so a profile reads the same
on a laptop and on a cluster node whatever the working directory); absolute paths are used
as given. Each file is read once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve_lexicon(path: str) -> Path:
    """The file a lexicon parameter names: absolute, else under the repository root, else under the cwd."""
    candidate = Path(path)
    if candidate.is_absolute():
        return candidate
    for base in (REPO_ROOT, Path.cwd()):
        if (base / candidate).is_file():
            return base / candidate
    return REPO_ROOT / candidate


@lru_cache(maxsize=None)
def load_lexicon(path: str) -> tuple[str, ...]:
    """Entries of one lexicon file, in file order, without comments, blank lines or duplicates."""
    file = resolve_lexicon(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(
            f"lexicon '{path}' cannot be read ({exc.strerror}: {file}); "
            "lexicon paths are relative to the repository root, see config/lexicons/"
        ) from None
    entries: dict[str, None] = {}
    for line in text.splitlines():
        # A '#' starts a comment only at the start of a line or after whitespace, so that
        # patterns such as "C#" or "&#" survive.
        entry = re.sub(r"(^|\s)#.*$", "", line).strip()
        if entry:
            entries.setdefault(entry, None)
    return tuple(entries)


def load_lexicons(paths: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Entries of several lexicon files, concatenated (None or [] gives none)."""
    if not paths:
        return ()
    if isinstance(paths, str):
        paths = [paths]
    merged: dict[str, None] = {}
    for path in paths:
        for entry in load_lexicon(path):
            merged.setdefault(entry, None)
    return tuple(merged)


def _required_literal(pattern: str) -> str:
    """The longest run of literal characters every match of `pattern` must contain ("" if none is known).

    Read from the parsed top-level sequence: literals in a row, broken by anything else
    (groups, alternations, classes, repeats, anchors), so the answer is always safe.
    """
    try:
        from re import _parser as parser  # Python >= 3.11
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse as parser  # type: ignore[no-redef]
    try:
        parsed = parser.parse(pattern)
    except Exception:  # pragma: no cover - invalid patterns are reported by compile_patterns
        return ""
    literal = getattr(parser, "LITERAL", None)
    best, run = "", []
    for op, argument in list(parsed) + [(None, None)]:
        if op is literal and argument is not None:
            run.append(chr(argument))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best.lower() if len(best) >= 2 else ""


class PatternSet:
    """Many regular expressions searched case-insensitively, each gated by a literal it requires.

    One alternation of dozens of patterns costs ~20 us per short line in Python's `re` (every
    branch is tried at every position); testing a required literal with `in` first skips
    almost every pattern on almost every line, ~10x faster.
    """

    def __init__(self, patterns: list[str], flags: int = re.IGNORECASE):
        self.gated: list[tuple[str, re.Pattern[str]]] = []
        self.always: list[re.Pattern[str]] = []
        for pattern in patterns:
            compiled = re.compile(pattern, flags)
            literal = _required_literal(pattern)
            if literal:
                self.gated.append((literal, compiled))
            else:
                self.always.append(compiled)

    def search(self, text: str) -> re.Match[str] | None:
        lowered = text.lower()
        for literal, pattern in self.gated:
            if literal in lowered:
                match = pattern.search(text)
                if match:
                    return match
        for pattern in self.always:
            match = pattern.search(text)
            if match:
                return match
        return None

    def __bool__(self) -> bool:
        return bool(self.gated or self.always)


@lru_cache(maxsize=None)
def compile_patterns(paths: tuple[str, ...], flags: int = re.IGNORECASE) -> PatternSet | None:
    """The regular expressions listed in lexicon files, as one PatternSet; a bad pattern names its file."""
    patterns = []
    for path in paths:
        for entry in load_lexicon(path):
            try:
                re.compile(entry, flags)
            except re.error as exc:
                raise ValueError(f"lexicon '{path}': pattern {entry!r} is not a valid regular expression ({exc})") from None
            patterns.append(entry)
    return PatternSet(patterns, flags) if patterns else None


class TermSet:
    """Literal terms counted case-insensitively: as substrings (Chinese) or as whole words (English).

    Each term is first looked for with `in` on the lowercased text; the (slower) word-boundary
    regex is built only over the terms present, so a clean document costs a few substring scans.
    """

    def __init__(self, terms: tuple[str, ...], word_boundaries: bool):
        self.terms = tuple(dict.fromkeys(term.lower() for term in terms))
        self.word_boundaries = word_boundaries

    def count(self, text: str, stop_at: int | None = None) -> int:
        """Occurrences of the terms in `text` (counting stops once `stop_at` is reached)."""
        lowered = text.lower()
        present = tuple(term for term in self.terms if term in lowered)
        if not present:
            return 0
        if not self.word_boundaries:
            total = 0
            for term in present:
                total += lowered.count(term)
                if stop_at is not None and total >= stop_at:
                    break
            return total
        total = 0
        for _ in _word_pattern(present).finditer(lowered):
            total += 1
            if stop_at is not None and total >= stop_at:
                break
        return total

    def __bool__(self) -> bool:
        return bool(self.terms)


@lru_cache(maxsize=4096)
def _word_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])")


@lru_cache(maxsize=None)
def compile_terms(paths: tuple[str, ...], word_boundaries: bool) -> TermSet | None:
    """The literal terms of lexicon files as a TermSet (None when there are none)."""
    terms = load_lexicons(list(paths))
    return TermSet(terms, word_boundaries) if terms else None


def compile_terms_per_lang(rule: Any) -> dict[str, TermSet | None]:
    """A rule's `lexicons` parameter compiled per language: Chinese terms match as substrings
    (Chinese has no spaces to bound a word), English terms as whole words."""
    from xuanyuan.records import LANGS

    compiled = {}
    for lang in LANGS:
        path = rule.for_lang(lang)["lexicons"]
        paths = tuple([path] if isinstance(path, str) else path or ())
        compiled[lang] = compile_terms(paths, word_boundaries=lang != "zh")
    return compiled
