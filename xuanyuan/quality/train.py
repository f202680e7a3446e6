"""The quality_classifier job: load the annotated set, split, train, evaluate on the held-out part, save."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from xuanyuan.quality.classifier import FastTextSettings, HarmClassifier, train_classifier
from xuanyuan.quality.evaluate import evaluate_classifier
from xuanyuan.quality.passages import PassageSettings
from xuanyuan.quality.training_set import (
    Example,
    check_categories_covered,
    load_training_examples,
    split_heldout,
    with_context,
)
from xuanyuan.shards import read_json, read_records, write_json, write_records

log = logging.getLogger(__name__)


def _composition(examples: Sequence[Example]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for example in examples:
        for label in example.labels or ("clean",):
            counts[label] += 1
        if example.group:
            counts[f"group:{example.group}"] += 1
    return dict(sorted(counts.items()))


def build_classifier(
    *,
    training: dict[str, Any],
    categories: Sequence[str],
    fasttext_settings: dict[str, Any],
    seed: int,
    model_path: str,
    heldout_path: str,
    summary_path: str,
) -> dict[str, Any]:
    """Train on the training split; write the model, the held-out examples and a summary of the set.

    Evaluation happens in the report (evaluate_heldout), so that changing a threshold re-evaluates
    and re-filters without retraining.
    """
    settings = FastTextSettings.from_config(fasttext_settings)
    examples, duplicates = load_training_examples(training, categories, seed)
    # Before the split and the (minutes-long) training: every category must have examples to learn from.
    check_categories_covered(examples, categories, training)
    train, heldout = split_heldout(examples, training.get("heldout_fraction", 0.2), seed)
    # Only the training side gets context copies: the held-out examples stay as annotated.
    train = with_context(train, training.get("context_augmentation", 0.0), seed)
    log.info("training set: %d examples (%d exact duplicates removed): %d train, %d held out",
             len(examples), duplicates, len(train), len(heldout))
    model = train_classifier(train, Path(model_path).parent, settings, seed)
    classifier = HarmClassifier(model, categories, settings.max_chars)
    classifier.save(model_path)
    write_records(heldout_path, ({"text": e.text, "labels": list(e.labels), "origin": e.origin, "group": e.group} for e in heldout))
    summary = dict(
        training_files=[spec["path"] for spec in training.get("files") or []] or ["generated (xuanyuan.corpus.labelled)"],
        duplicates_removed=duplicates,
        train=_composition(train),
        heldout=_composition(heldout),
        settings=settings.__dict__,
        seed=seed,
    )
    write_json(summary_path, summary)
    return summary


def evaluate_heldout(
    *,
    classifier: HarmClassifier,
    heldout_path: str,
    summary_path: str,
    thresholds: dict[str, float],
    passages: PassageSettings | None = None,
) -> dict[str, Any]:
    """The held-out evaluation at the configured thresholds (read as the filter reads), with the training summary merged in."""
    summary = read_json(summary_path)
    heldout = [Example(r["text"], tuple(r["labels"]), r["origin"], r["group"]) for r in read_records(heldout_path)]
    return {**summary, **evaluate_classifier(classifier, heldout, thresholds, passages=passages),
            "windows": dataclasses.asdict(classifier.windows),
            "passages": dataclasses.asdict(passages) if passages else None}
