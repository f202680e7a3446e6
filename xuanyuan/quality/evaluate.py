"""Precision and recall of the classifier per category on held-out examples."""

from __future__ import annotations

from typing import Any, Sequence

from xuanyuan.quality.classifier import HarmClassifier, threshold_of
from xuanyuan.quality.passages import PassageSettings
from xuanyuan.quality.reader import DocumentReader
from xuanyuan.quality.training_set import Example


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def evaluate_classifier(
    classifier: HarmClassifier, examples: Sequence[Example], thresholds: dict[str, float], batch: int = 512,
    passages: PassageSettings | None = None,
) -> dict[str, Any]:
    """Per category tp/fp/fn/precision/recall/F1 at the configured thresholds, plus harmful-vs-clean accuracy.

    Examples are read as the filter reads documents (reader.py: windows, then `passages`). Per
    category, an example counts as predicted positive when either reader reaches that category's
    threshold; "harmful vs clean" asks the filter's own question (dropped at all or not).
    """
    reader = DocumentReader(classifier, thresholds, passages)
    readings = []
    for start in range(0, len(examples), batch):
        readings.extend(reader.read([example.text for example in examples[start : start + batch]]))
    per_category = {}
    for category in classifier.categories:
        threshold = threshold_of(thresholds, category)
        tp = fp = fn = 0
        for example, reading in zip(examples, readings):
            predicted = reading.flagged(category, reader.thresholds, reader.passage_thresholds)
            actual = category in example.labels
            tp += predicted and actual
            fp += predicted and not actual
            fn += actual and not predicted
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else None
        per_category[category] = {
            "threshold": threshold, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1,
        }
    binary = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for example, reading in zip(examples, readings):
        dropped = reading.drop is not None
        binary[("t" if dropped != example.is_clean else "f") + ("p" if dropped else "n")] += 1
    total = sum(binary.values())
    binary.update(
        accuracy=_ratio(binary["tp"] + binary["tn"], total),
        precision=_ratio(binary["tp"], binary["tp"] + binary["fp"]),
        recall=_ratio(binary["tp"], binary["tp"] + binary["fn"]),
        clean_precision=_ratio(binary["tn"], binary["tn"] + binary["fn"]),
        clean_recall=_ratio(binary["tn"], binary["tn"] + binary["fp"]),
        clean_dropped=_ratio(binary["fp"], binary["fp"] + binary["tn"]),
    )
    return {"examples": len(examples), "per_category": per_category, "harmful_vs_clean": binary}
