"""One quality-stage job: score a shard's documents, keep the harmless, record the rest with category and score."""

from __future__ import annotations

from typing import Any, Iterator

from xuanyuan.ledger import StageShard
from xuanyuan.quality.classifier import HarmClassifier, threshold_of, verdict
from xuanyuan.shards import read_records, write_json


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
    """Drop every document whose score reaches a category's threshold; the ledger keeps all its scores.

    Each document is read in windows (windows.py); a dropped document's ledger event names the window
    (`window_start`, `window_end`, character offsets) that gave the dropping score and how many
    windows were read. The stats add `windows`: windows read, documents longer than one window,
    documents that hit `quality.windows.max_per_document` and the characters those left unread.
    """
    reading = {"windows_read": 0, "docs_multi_window": 0, "docs_capped": 0, "chars_unread": 0}
    with StageShard(
        "quality", source, shard, out_path=out_path, ledger_path=ledger_path, stats_path=stats_path,
        max_text_chars=max_text_chars,
    ) as stage:
        for batch in _batches(docs_path, batch_size):
            for doc, result in zip(batch, classifier.document_scores([doc["text"] for doc in batch])):
                stage.ledger.saw(len(doc["text"]))
                reading["windows_read"] += result.windows_read
                reading["docs_multi_window"] += result.windows_read > 1
                reading["docs_capped"] += result.capped
                reading["chars_unread"] += result.chars_unread
                decision = verdict(result.scores, thresholds)
                if decision is None:
                    stage.keep(doc)
                    continue
                category, score = decision
                start, end = result.windows[category]
                stage.ledger.drop(
                    doc_id=doc["id"], rule=category, value=round(score, 4),
                    threshold=threshold_of(thresholds, category), doc=doc,
                    scores={name: round(value, 4) for name, value in result.scores.items()},
                    window_start=start, window_end=end, windows=result.windows_read,
                )
    # The ledger's stats are checked and written on closing; the reading counts join them after.
    stats = {**stage.stats, "windows": reading}
    write_json(stats_path, stats)
    return stats
