"""How the filter decides: the window reader at the document thresholds, then the passage reader at its own.

One place for the decision, so that the filter jobs, the held-out evaluation and the report's
buried-passage test all drop exactly what the other does.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

from xuanyuan.quality.classifier import DocumentScores, HarmClassifier, threshold_of, verdict
from xuanyuan.quality.passages import DEFAULT_PASSAGE_THRESHOLD, PassageScores, PassageSettings, read_passages


@dataclasses.dataclass(frozen=True)
class Drop:
    """Why a document is dropped: the category, its score and threshold, which reader, where (character offsets)."""

    category: str
    score: float
    threshold: float
    reader: str  # "window" or "passage"
    start: int
    end: int


@dataclasses.dataclass(frozen=True)
class Reading:
    """One document as the filter read it."""

    windows: DocumentScores
    passages: PassageScores | None
    drop: Drop | None

    def flagged(self, category: str, thresholds: dict[str, float], passage_thresholds: dict[str, float]) -> bool:
        """Whether either reader reaches `category`'s threshold (per-category evaluation)."""
        if self.windows.scores[category] >= threshold_of(thresholds, category):
            return True
        return self.passages is not None and (
            self.passages.scores[category] >= threshold_of(passage_thresholds, category, DEFAULT_PASSAGE_THRESHOLD)
        )


class DocumentReader:
    """Reads documents with both readers and decides; `passages` None reads windows only."""

    def __init__(self, classifier: HarmClassifier, thresholds: dict[str, float], passages: PassageSettings | None = None):
        self.classifier = classifier
        self.thresholds = dict(thresholds)
        self.passages = (passages or PassageSettings(enabled=False)).check()
        self.passage_thresholds = dict(self.passages.thresholds)

    def read(self, texts: Sequence[str]) -> list[Reading]:
        windows = self.classifier.document_scores(texts)
        passages = read_passages(self.classifier, texts, self.passages)
        return [Reading(w, p, self._decide(w, p)) for w, p in zip(windows, passages)]

    def _decide(self, windows: DocumentScores, passages: PassageScores | None) -> Drop | None:
        decision = verdict(windows.scores, self.thresholds)
        if decision is not None:
            category, score = decision
            return Drop(category, score, threshold_of(self.thresholds, category), "window", *windows.windows[category])
        if passages is None:
            return None
        decision = verdict(passages.scores, self.passage_thresholds, DEFAULT_PASSAGE_THRESHOLD)
        if decision is None:
            return None
        category, score = decision
        threshold = threshold_of(self.passage_thresholds, category, DEFAULT_PASSAGE_THRESHOLD)
        return Drop(category, score, threshold, "passage", *passages.spans[category])
