"""The passage reader: short spans of a long document, each scored alone, with thresholds of their own.

fastText scores the mean of a text's token and bigram vectors, so a short harmful passage inside a
long window of ordinary text is diluted: a 150-character threat between 4,000 characters of news
scores as news (docs/quality.md). The window reader cannot fix that; this reader scores every span
of `tokens` consecutive tokens, `stride` tokens apart, as a text of its own. A harmful passage of
at least `tokens - stride` tokens then fills one span whole, wherever it sits.

Short spans of ordinary text score less reliably than whole documents (fewer tokens, and a long
document has many spans), so spans have their own, higher thresholds (`thresholds`, default 0.95).
The classifier must have seen short ordinary spans of every kind, tables included, as clean: the
generated training set gives it those (xuanyuan.corpus.labelled); an annotated set should too.

Documents of at most `tokens` tokens are not read again: their one span is the text the window
reader already scored whole, at the document threshold. Past `max_per_document` spans, that
many are spread evenly over the document, as windows are (windows.py), and the tokens no span
covers are counted.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

from xuanyuan.errors import UserError
from xuanyuan.quality.classifier import HarmClassifier, keep_highest
from xuanyuan.quality.tokens import token_spans
from xuanyuan.quality.windows import Windows, WindowSettings, document_windows

# A span's threshold when `thresholds` names neither its category nor `default`.
DEFAULT_PASSAGE_THRESHOLD = 0.95
# Span lines per fastText call: bounds memory however long the documents of a batch are.
_PREDICT_CHUNK = 4096


@dataclasses.dataclass(frozen=True)
class PassageSettings:
    """`quality.passages` of the config."""

    enabled: bool = True
    tokens: int = 96
    stride: int = 24
    max_per_document: int = 16384
    thresholds: Mapping[str, float] = dataclasses.field(default_factory=lambda: {"default": DEFAULT_PASSAGE_THRESHOLD})

    @classmethod
    def from_config(cls, values: Mapping[str, Any] | None) -> "PassageSettings":
        values = dict(values or {})
        if "thresholds" in values:
            values["thresholds"] = dict(values["thresholds"])
        return cls(**{field.name: values[field.name] for field in dataclasses.fields(cls) if field.name in values})

    def check(self) -> "PassageSettings":
        """These settings, if they make sense; else a UserError naming the keys."""
        if self.tokens < 1 or not 1 <= self.stride <= self.tokens:
            raise UserError(
                f"quality.passages.stride is {self.stride} and quality.passages.tokens {self.tokens}; the stride must "
                "be at least 1 and at most the span length, or some tokens would never be read"
            )
        if self.max_per_document < 1:
            raise UserError(f"quality.passages.max_per_document is {self.max_per_document}; it must be at least 1")
        return self

    def layout(self, n_tokens: int) -> Windows:
        """Start tokens of the spans a document of `n_tokens` tokens is read in (windows.Windows, in tokens)."""
        return document_windows(
            n_tokens, self.tokens, WindowSettings(overlap=self.tokens - self.stride, max_per_document=self.max_per_document)
        )


@dataclasses.dataclass(frozen=True)
class PassageScores:
    """One document's spans: per category the highest span score and that span's character offsets."""

    scores: dict[str, float]
    spans: dict[str, tuple[int, int]]
    read: int
    capped: bool
    tokens_unread: int


def read_passages(classifier: HarmClassifier, texts: Sequence[str],
                  settings: PassageSettings) -> list[PassageScores | None]:
    """Per text, its span scores; None for a text of at most one span (the window reader read it whole).

    Spans are scored in chunks of `_PREDICT_CHUNK` lines across documents, and a document's tokens
    are held only while its spans are being cut, so memory stays bounded by one document and one
    chunk however long the documents of a batch are.
    """
    if not settings.enabled:
        return [None] * len(texts)
    best: list[dict[str, float] | None] = [None] * len(texts)
    where: list[dict[str, tuple[int, int]]] = [{} for _ in texts]
    layouts: list[Windows | None] = [None] * len(texts)
    pending: list[tuple[int, tuple[int, int], str]] = []

    def flush() -> None:
        for (index, span, _), row in zip(pending, classifier.predict_lines([line for _, _, line in pending])):
            keep_highest(best[index], where[index], row, span)
        pending.clear()

    for index, text in enumerate(texts):
        spans = token_spans(text)
        if len(spans.tokens) <= settings.tokens:
            continue
        layout = layouts[index] = settings.layout(len(spans.tokens))
        best[index] = {category: -1.0 for category in classifier.categories}
        for start in layout.starts:
            stop = min(start + settings.tokens, len(spans.tokens))
            pending.append((index, (spans.starts[start], spans.ends[stop - 1]), spans.line(start, stop)))
            if len(pending) >= _PREDICT_CHUNK:
                flush()
    flush()
    return [
        None if layout is None else PassageScores(
            scores=best[index], spans=where[index], read=len(layout.starts), capped=layout.capped,
            tokens_unread=layout.chars_unread,  # the layout counts in tokens here
        )
        for index, layout in enumerate(layouts)
    ]
