"""Records of a JSON array or JSONL file, read in chunks: no file is ever held whole.

A stage reads millions of instructions; `json.loads` of a file would hold its text and every
record at once. Here bytes are decoded in chunks (a non-UTF-8 byte is a UserError naming the
line and the byte in it, as for the whole file), JSONL is split into lines as it arrives, and a
JSON array is decoded one element at a time with `json.JSONDecoder.raw_decode` over a buffer
that drops what was decoded. Syntax errors of an array carry the line, column and message that
`json.loads` of the whole text would give (the checks between elements mirror its scanner).
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Iterator

from xuanyuan.errors import UserError

CHUNK = 1 << 20  # bytes per read: large enough for speed, small next to any corpus
BOM = codecs.BOM_UTF8
JSON_WHITESPACE = " \t\n\r"  # what json skips between tokens (narrower than str.isspace)

_decoder = json.JSONDecoder()


class TextChunks:
    """The UTF-8 text of a file in chunks (a leading BOM dropped); a UserError at the first non-UTF-8 byte."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = newlines = 0  # bytes read before this chunk, and the b"\n" among them
        last_newline = -1  # absolute offset of the last b"\n" read
        try:
            handle = open(self.path, "rb")
        except OSError as exc:
            raise UserError(f"{self.path}: can't read the instruction file ({exc.strerror or exc}); check the path "
                            "in sft.stageN.files") from None
        with handle:
            while True:
                chunk = handle.read(CHUNK)
                start = 0
                if offset == 0 and chunk.startswith(BOM):
                    start = len(BOM)  # -sig: a BOM would break json
                pending = len(decoder.getstate()[0])
                try:
                    text = decoder.decode(chunk[start:] if start else chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    # exc.start counts from the bytes the decoder held back (never a newline) plus this chunk.
                    at = offset - pending + start + exc.start
                    in_chunk = max(at - offset, 0)
                    line = newlines + chunk.count(b"\n", 0, in_chunk) + 1
                    found = chunk.rfind(b"\n", 0, in_chunk)
                    line_start = offset + found + 1 if found >= 0 else last_newline + 1
                    bad = exc.object[exc.start]
                    raise UserError(f"{self.path}: line {line}, byte {at - line_start + 1}: not UTF-8 text (byte "
                                    f"0x{bad:02x}: {exc.reason}); re-save the file as UTF-8, e.g. iconv -f GBK -t "
                                    "UTF-8 (or -f UTF-16)") from None
                if text:
                    yield text
                if not chunk:
                    return
                newlines += chunk.count(b"\n")
                found = chunk.rfind(b"\n")
                if found >= 0:
                    last_newline = offset + found
                offset += len(chunk)


def exhaust(chunks: Iterator[str]) -> None:
    """Read the rest of the file: a non-UTF-8 byte anywhere is reported before a JSON error (as a whole-file read did)."""
    for _ in chunks:
        pass


def first_char(path: Path) -> str:
    """The file's first non-blank character ('' for a blank file), reading no further than it."""
    for text in TextChunks(path):
        stripped = text.lstrip()
        if stripped:
            return stripped[0]
    return ""


def text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) as `str.splitlines` numbers the whole text, one "\\n"-line in memory at a time."""
    number, rest = 0, ""
    for text in TextChunks(path):
        text = rest + text
        cut = text.rfind("\n") + 1
        rest = text[cut:]
        for line in text[:cut].splitlines():  # splitlines of "\n"-ended pieces == splitlines of the whole text
            yield number, line
            number += 1
    for line in rest.splitlines():
        yield number, line
        number += 1


class ArrayError(ValueError):
    """A syntax error of a streamed JSON array, placed as json.loads places it (1-based line and column)."""

    def __init__(self, msg: str, lineno: int, colno: int):
        super().__init__(f"{msg}: line {lineno} column {colno}")
        self.msg, self.lineno, self.colno = msg, lineno, colno


class _Buffer:
    """Decoded text not yet consumed, and where its first character sits in the file (line, column)."""

    def __init__(self, chunks: Iterator[str]):
        self.chunks = chunks
        self.text = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # of text[0]
        self.column = 0  # 0-based column of text[0] in its line

    def more(self) -> bool:
        """Append the next chunk (dropping the consumed text first); False at the end of the file."""
        if self.eof:
            return False
        self.drop_consumed()
        try:
            self.text += next(self.chunks)
        except StopIteration:
            self.eof = True
            return False
        return True

    def drop_consumed(self) -> None:
        consumed = self.text[: self.pos]
        breaks = consumed.count("\n")
        if breaks:
            self.line += breaks
            self.column = len(consumed) - consumed.rfind("\n") - 1
        else:
            self.column += len(consumed)
        self.text, self.pos = self.text[self.pos:], 0

    def skip_whitespace(self) -> str:
        """The next character after JSON whitespace ('' at the end of the file), not consumed."""
        while True:
            text = self.text
            while self.pos < len(text) and text[self.pos] in JSON_WHITESPACE:
                self.pos += 1
            if self.pos < len(text):
                return text[self.pos]
            if not self.more():
                return ""

    def error(self, msg: str, at: int) -> ArrayError:
        """The error at buffer position `at`, with the file's line and column (json's colno: 1-based)."""
        before = self.text[:at]
        breaks = before.count("\n")
        if breaks:
            return ArrayError(msg, self.line + breaks, at - before.rfind("\n"))
        return ArrayError(msg, self.line, self.column + at + 1)


def array_items(path: Path) -> Iterator[tuple[int, object]]:
    """(index, element) of the JSON array that fills the file; ArrayError where json.loads would fail."""
    chunks = iter(TextChunks(path))
    buffer = _Buffer(chunks)
    try:
        yield from _elements(buffer)
    except ArrayError:
        exhaust(chunks)
        raise


def _elements(buffer: _Buffer) -> Iterator[tuple[int, object]]:
    if buffer.skip_whitespace() != "[":
        raise buffer.error("Expecting value", buffer.pos)
    buffer.pos += 1
    index = 0
    if buffer.skip_whitespace() == "]":
        buffer.pos += 1
    else:
        while True:
            if not buffer.skip_whitespace():
                raise buffer.error("Expecting value", buffer.pos)
            yield index, _value(buffer)
            index += 1
            follow = buffer.skip_whitespace()
            if follow == "]":
                buffer.pos += 1
                break
            if follow != ",":
                raise buffer.error("Expecting ',' delimiter", buffer.pos)
            buffer.pos += 1
    if buffer.skip_whitespace():
        raise buffer.error("Extra data", buffer.pos)


def _value(buffer: _Buffer) -> object:
    """One JSON value at the buffer position, reading more while it may run past the buffer."""
    while True:
        try:
            value, end = _decoder.raw_decode(buffer.text, buffer.pos)
        except json.JSONDecodeError as exc:
            if buffer.eof:
                raise buffer.error(exc.msg, exc.pos) from None
            buffer.more()  # the value may only be cut off by the chunk boundary: decode again with more
            continue
        # A number whose characters run to the buffer's end may go on ("-1." of "-1.5e3" decodes as -1):
        # decode again with more. Other values end at a closing character and can't be cut short.
        if not buffer.eof and _number_runs_to_end(value, buffer.text, end):
            buffer.more()
            continue
        buffer.pos = end
        return value


NUMBER_CHARS = frozenset("0123456789.eE+-")


def _number_runs_to_end(value: object, text: str, end: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    while end < len(text) and text[end] in NUMBER_CHARS:
        end += 1
    return end == len(text)
