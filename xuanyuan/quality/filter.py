"""One quality-stage job: score a shard's documents, keep the harmless, record the rest with category and score."""

from __future__ import annotations

from typing import Any, Iterator

from xuanyuan.ledger import StageShard
from xuanyuan.quality.classifier import HarmClassifier, threshold_of, verdict
from xuanyuan.shards import read_records


def _batches(path: str, size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in read_records(path):
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def filter_shard(
    docs_path: str,
    classifier: HarmClassifier,
    thresholds: dict[str, float],
    *,
    source: str,
    shard: str,
    out_path: str,
    ledger_path: str,
    stats_path: str,
    max_text_chars: int | None = None,
    batch_size: int = 256,
) -> dict[str, Any]:
    """Drop every document whose score reaches a category's threshold; the ledger keeps all its scores."""
    with StageShard(
        "quality", source, shard, out_path=out_path, ledger_path=ledger_path, stats_path=stats_path,
        max_text_chars=max_text_chars,
    ) as stage:
        for batch in _batches(docs_path, batch_size):
            for doc, scores in zip(batch, classifier.scores([doc["text"] for doc in batch])):
                stage.ledger.saw(len(doc["text"]))
                decision = verdict(scores, thresholds)
                if decision is None:
                    stage.keep(doc)
                    continue
                category, score = decision
                stage.ledger.drop(
                    doc_id=doc["id"], rule=category, value=round(score, 4),
                    threshold=threshold_of(thresholds, category), doc=doc,
                    scores={name: round(value, 4) for name, value in scores.items()},
                )
    return stage.stats
