"""Char-level rewrites: control characters, HTML residue, Unicode and whitespace normalisation."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any, ClassVar

from xuanyuan.clean.base import Level, Rewrite, TextView
from xuanyuan.clean.registry import register
from xuanyuan.clean.text_stats import CJK_CLASS


class CharRewrite(Rewrite):
    level: ClassVar[Level] = "char"


@register
class ControlChars(CharRewrite):
    name = "control_chars"
    measures = "C0/C1 control, bidi and soft-hyphen characters (removed; form feed and line separators become newlines)"
    defaults: ClassVar[dict[str, Any]] = {}

    _NEWLINE_LIKE = re.compile("[\x0b\x0c\x85\u2028\u2029]")
    # Tab, newline and carriage return are whitespace, handled by whitespace_normalize.
    _CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]")

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        text, newlines = self._NEWLINE_LIKE.subn("\n", text)
        text, removed = self._CONTROL.subn("", text)
        return text, newlines + removed


# Tags whose leftover markup means "line break here"; others are removed in place.
_BLOCK_TAGS = (
    "br|p|div|li|ul|ol|tr|table|tbody|thead|h[1-6]|section|article|header|footer|nav|blockquote|pre|hr|dl|dt|dd"
    "|figure|figcaption|form|center"
)
_INLINE_TAGS = (
    "a|abbr|b|i|u|s|em|strong|span|font|img|sup|sub|small|big|code|td|th|label|input|button|select|option|iframe"
    "|meta|link|source|video|audio|embed|object|param|wbr|ins|del|mark|cite|q|time|noscript|svg|path"
)
# Attributes must carry a value: "<b and c>" in "a<b and c>d" is a comparison, not a tag.
_ATTRS = r"""(?:\s+[\w:-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>]+))*"""


@register
class HtmlResidue(CharRewrite):
    """Removes tags of known HTML elements only, and never bare upper-case tags such as `<RTN>`: newswire copy
    writes stock tickers that way.
    """

    name = "html_residue"
    measures = "leftover HTML: script/style blocks, comments, tags of known HTML elements, character entities"
    defaults: ClassVar[dict[str, Any]] = {"decode_entities": True}

    _BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
    # Bare upper-case tags without attributes (<RTN>, <B>) are left alone: in wire copy they are
    # stock tickers. <BR> is the exception, being nothing else.
    _BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})\b{_ATTRS}\s*/?>", re.IGNORECASE)
    _INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS})\b{_ATTRS}\s*/?>", re.IGNORECASE)
    _TICKER_LIKE = re.compile(r"<[A-Z]+>")
    _ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")

    def _tag(self, replacement: str):
        def replace(match: re.Match[str]) -> str:
            tag = match.group(0)
            if self._TICKER_LIKE.fullmatch(tag) and tag.upper() not in ("<BR>", "<HR>"):
                return tag
            return replacement

        return replace

    def setup(self) -> None:
        self._block_replace = self._tag("\n")
        self._inline_replace = self._tag("")

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if "<" not in text and "&" not in text:
            return text, 0
        edits = 0
        if "<" in text:
            text, n = self._BLOCKS.subn("", text)
            edits += n
            new = self._BLOCK_TAG.sub(self._block_replace, text)
            new = self._INLINE_TAG.sub(self._inline_replace, new)
            if new != text:
                edits += max(1, text.count("<") - new.count("<"))
                text = new
        if self.decode_entities and "&" in text:

            def unescape(match: re.Match[str]) -> str:
                decoded = html.unescape(match.group(0))
                return decoded if decoded != match.group(0) else match.group(0)

            new, n = self._ENTITY.subn(unescape, text)
            if new != text:
                edits += n
                text = new
        return text, edits


@register
class UnicodeNormalize(CharRewrite):
    """NFKC, except for the characters in `keep` (Chinese full-width punctuation, ①-⑳, ² ³), which NFKC would
    turn into ASCII or plain digits.
    """

    name = "unicode_normalize"
    measures = "characters NFKC changes (full-width letters/digits, compatibility forms), keeping Chinese punctuation"
    # NFKC would turn ，！？：；（）… into ASCII and ①② into digits; Chinese text keeps them.
    defaults: ClassVar[dict[str, Any]] = {"keep": "，；：？！…（）～￥①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳²³"}

    def setup(self) -> None:
        self._keep = frozenset(self.keep)
        # Protected characters travel through a full NFKC pass as noncharacters U+FDD0.., which NFKC keeps.
        keep = list(dict.fromkeys(self.keep))
        if len(keep) > 32:
            raise ValueError(f"cleaning rule '{self.name}': `keep` lists {len(keep)} characters; at most 32")
        self._protect = {ord(char): chr(0xFDD0 + i) for i, char in enumerate(keep)}
        self._restore = {0xFDD0 + i: char for i, char in enumerate(keep)}
        self._status: dict[str, int] = {}

    def _char_status(self, char: str) -> int:
        """0: NFKC keeps it; 1: NFKC maps it on its own; 2: it may compose with a neighbour."""
        status = self._status.get(char)
        if status is None:
            decomposed = unicodedata.normalize("NFKD", char)
            code = ord(char)
            if any(unicodedata.combining(part) for part in decomposed) or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
                status = 2
            else:
                status = int(unicodedata.normalize("NFKC", char) != char)
            if len(self._status) < 200_000:
                self._status[char] = status
        return status

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if text.isascii():
            return text, 0
        chars = set(text)
        statuses = {char: self._char_status(char) for char in chars if char not in self._keep}
        changed = [char for char, status in statuses.items() if status]
        if not changed:
            return text, 0
        if 2 not in statuses.values():
            # No character can compose with another: NFKC is a per-character mapping here.
            mapping = {ord(char): unicodedata.normalize("NFKC", char) for char in changed}
            return text.translate(mapping), sum(text.count(char) for char in changed)
        protected = text.translate(self._protect)
        normalized = unicodedata.normalize("NFKC", protected).translate(self._restore)
        if normalized == text:
            return text, 0
        return normalized, max(1, sum(text.count(char) for char in changed if statuses[char] == 1))


@register
class WhitespaceNormalize(CharRewrite):
    name = "whitespace_normalize"
    measures = "odd whitespace: no-break/ideographic/zero-width spaces, tabs, CR, runs of spaces, blank-line runs"
    defaults: ClassVar[dict[str, Any]] = {"max_blank_lines": 1, "strip_lines": True}

    _CR = re.compile(r"\r\n?")
    _ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
    _SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
    _RUNS = re.compile(" {2,}")
    _LINE_EDGES = re.compile(r" +\n *|\n +")

    def setup(self) -> None:
        if not isinstance(self.max_blank_lines, int) or self.max_blank_lines < 0:
            raise ValueError(f"cleaning rule '{self.name}': max_blank_lines must be an integer >= 0")
        self._blank_runs = re.compile("\n{%d,}" % (self.max_blank_lines + 2))
        self._blank_replacement = "\n" * (self.max_blank_lines + 1)

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        edits = 0
        for pattern, replacement in ((self._CR, "\n"), (self._ZERO_WIDTH, ""), (self._SPACES, " ")):
            text, n = pattern.subn(replacement, text)
            edits += n
        text, n = self._RUNS.subn(" ", text)
        edits += n
        if self.strip_lines:
            text, n = self._LINE_EDGES.subn("\n", text)
            edits += n
            stripped = text.strip()
            edits += stripped != text
            text = stripped
        text, n = self._blank_runs.subn(self._blank_replacement, text)
        return text, edits + n


_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


@register
class PunctuationWidth(CharRewrite):
    name = "punctuation_width"
    measures = "ASCII , ; : ? ! ( ) next to Chinese characters (made full-width)"
    defaults: ClassVar[dict[str, Any]] = {}
    langs = ("zh",)

    # A mark right after a CJK character or closing mark, or right before a CJK character;
    # digits on both sides (1,000 / 10:30) never qualify because one side must be CJK.
    _MARK = re.compile(
        rf"(?<=[{CJK_CLASS}」』”）】》])([,;:?!])[ \t]*|([,;:?!])[ \t]*(?=[{CJK_CLASS}「『“（【《])"
    )
    _PARENS = re.compile(r"\(([^()\n]{0,200})\)")
    _CJK = re.compile(f"[{CJK_CLASS}]")

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if not any(mark in text for mark in ",;:?!()"):
            return text, 0
        text, edits = self._MARK.subn(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
        count = 0

        def parens(match: re.Match[str]) -> str:
            nonlocal count
            start, end = match.span()
            inner = match.group(1)
            around = text[start - 1 : start] + text[end : end + 1]
            if self._CJK.search(around) or (inner and (self._CJK.match(inner[0]) or self._CJK.match(inner[-1]))):
                count += 1
                return f"（{inner}）"
            return match.group(0)

        if "(" in text:
            text = self._PARENS.sub(parens, text)
        return text, edits + count


@register
class TraditionalToSimplified(CharRewrite):
    name = "traditional_to_simplified"
    measures = "traditional Chinese characters and phrases (converted with OpenCC t2s)"
    defaults: ClassVar[dict[str, Any]] = {"config": "t2s"}
    enabled_by_default = False
    langs = ("zh",)

    def setup(self) -> None:
        from opencc import OpenCC  # imported here: only profiles that enable the rule pay for it

        self._converter = OpenCC(self.config)

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        converted = self._converter.convert(text)
        if converted == text:
            return text, 0
        if len(converted) == len(text):
            return converted, sum(a != b for a, b in zip(text, converted))
        return converted, 1
