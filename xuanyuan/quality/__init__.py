"""Harmful-content filter: keyword sampling for review, a fastText classifier, the per-shard filter.

docs/quality.md describes the stage; the modules:
- tokens: the text a fastText model reads (Chinese characters, lowercased words)
- training_set: annotated examples from files (JSONL, COLD CSV) or the project's generator
- classifier: training, saving and scoring with fastText (one-vs-all, one score per category)
- windows / passages: the two readers (whole documents in windows; short spans, own thresholds)
- reader: the filter's decision from both readers, shared by the filter, evaluation and report
- buried: the report's test of planted documents buried in long pages
- evaluate: precision/recall per category on a held-out split
- keywords: keyword lists per category and the candidate sampler
- filter: one data-stage job (kept shard, ledger with category and score, stats)
- report: results/quality.md
"""

from xuanyuan.quality.classifier import FastTextSettings, HarmClassifier, train_classifier
from xuanyuan.quality.evaluate import evaluate_classifier
from xuanyuan.quality.keywords import KeywordMatcher
from xuanyuan.quality.training_set import Example, TrainingSetError, load_training_examples, split_heldout

__all__ = [
    "Example",
    "FastTextSettings",
    "HarmClassifier",
    "KeywordMatcher",
    "TrainingSetError",
    "evaluate_classifier",
    "load_training_examples",
    "split_heldout",
    "train_classifier",
]
