"""Where the classifier reads a document: overlapping windows of `fasttext.max_chars` characters.

fastText scores one line of text; a book or a long forum thread is far more than the length the
model was trained on, and reading only its start let everything after it through unchecked.
A document is read as windows of `size` characters that overlap by `overlap`, so a harmful
passage up to `overlap` characters long lies wholly inside some window wherever it sits. The
last window ends at the document's end (every window is full length: a short tail window would
be scored on a length the model never saw). Beyond `max_per_document` windows, that many are
spread evenly from the first to the last (both included), and the document is counted as capped.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from xuanyuan.errors import UserError


@dataclasses.dataclass(frozen=True)
class WindowSettings:
    """`quality.windows` of the config (the window size is `quality.fasttext.max_chars`)."""

    overlap: int = 1000
    max_per_document: int = 256

    @classmethod
    def from_config(cls, values: dict[str, Any] | None) -> "WindowSettings":
        values = values or {}
        return cls(**{field.name: values[field.name] for field in dataclasses.fields(cls) if field.name in values})

    def check(self, size: int) -> "WindowSettings":
        """These settings, if they fit windows of `size` characters; else a UserError naming the keys."""
        if not 0 <= self.overlap < size:
            raise UserError(
                f"quality.windows.overlap is {self.overlap}; it must be at least 0 and less than "
                f"quality.fasttext.max_chars ({size}), the window size"
            )
        if self.max_per_document < 1:
            raise UserError(f"quality.windows.max_per_document is {self.max_per_document}; it must be at least 1")
        return self


@dataclasses.dataclass(frozen=True)
class Windows:
    """The windows of one document: start offsets (each window is `size` characters or the whole text)."""

    starts: tuple[int, ...]
    size: int
    length: int
    capped: bool

    def span(self, index: int) -> tuple[int, int]:
        start = self.starts[index]
        return start, min(start + self.size, self.length)

    @property
    def chars_unread(self) -> int:
        """Characters no window covers (only a capped document has any)."""
        covered, end = 0, 0
        for start in self.starts:
            covered += max(0, min(start + self.size, self.length) - max(start, end))
            end = max(end, start + self.size)
        return self.length - covered


def document_windows(length: int, size: int, settings: WindowSettings) -> Windows:
    """The windows a text of `length` characters is read in."""
    if length <= size:
        return Windows((0,), size, length, False)
    last = length - size
    starts = list(range(0, last, size - settings.overlap)) + [last]
    if len(starts) <= settings.max_per_document:
        return Windows(tuple(starts), size, length, False)
    cap = settings.max_per_document
    if cap == 1:
        return Windows((0,), size, length, True)
    # Integer arithmetic: the same windows on every machine.
    return Windows(tuple(i * last // (cap - 1) for i in range(cap)), size, length, True)
