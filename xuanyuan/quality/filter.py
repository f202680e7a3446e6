"""One quality-stage job: score a shard's documents, keep the harmless, record the rest with category and score."""

from __future__ import annotations

from typing import Any, Iterator

from xuanyuan.ledger import StageShard
from xuanyuan.quality.classifier import HarmClassifier
from xuanyuan.quality.passages import PassageSettings
from xuanyuan.quality.reader import DocumentReader
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
    passages: PassageSettings | None = None,
) -> dict[str, Any]:
    """Drop every document a reader flags (reader.py); the ledger keeps all its scores.

    Each document is read in windows (windows.py) at `thresholds`, then in passages (passages.py)
    at the passages' thresholds. A dropped document's ledger event says which `reader` dropped it
    and where: `window_start`/`window_end` or `passage_start`/`passage_end` (character offsets, and
    the span as `passage_text`), with how many windows (and passages) were read. The stats add
    `windows` (windows read, documents longer than one window, documents at
    `quality.windows.max_per_document`, characters those left unread) and `passages` (spans read,
    documents read in spans, documents at the span cap, tokens unread, documents dropped by the
    passage reader).
    """
    reader = DocumentReader(classifier, thresholds, passages)
    reading = {"windows_read": 0, "docs_multi_window": 0, "docs_capped": 0, "chars_unread": 0}
    spans = {"passages_read": 0, "docs_read": 0, "docs_capped": 0, "tokens_unread": 0, "dropped": 0}
    with StageShard(
        "quality", source, shard, out_path=out_path, ledger_path=ledger_path, stats_path=stats_path,
        max_text_chars=max_text_chars,
    ) as stage:
        for batch in _batches(docs_path, batch_size):
            for doc, result in zip(batch, reader.read([doc["text"] for doc in batch])):
                stage.ledger.saw(len(doc["text"]))
                windows, passage = result.windows, result.passages
                reading["windows_read"] += windows.windows_read
                reading["docs_multi_window"] += windows.windows_read > 1
                reading["docs_capped"] += windows.capped
                reading["chars_unread"] += windows.chars_unread
                if passage is not None:
                    spans["passages_read"] += passage.read
                    spans["docs_read"] += 1
                    spans["docs_capped"] += passage.capped
                    spans["tokens_unread"] += passage.tokens_unread
                drop = result.drop
                if drop is None:
                    stage.keep(doc)
                    continue
                where = {f"{drop.reader}_start": drop.start, f"{drop.reader}_end": drop.end}
                if drop.reader == "passage":
                    # The span itself, a few hundred characters: readable even where the ledger cuts the text.
                    where["passage_text"] = doc["text"][drop.start:drop.end]
                if passage is not None:
                    where.update(passages=passage.read,
                                 passage_scores={name: round(value, 4) for name, value in passage.scores.items()})
                spans["dropped"] += drop.reader == "passage"
                stage.ledger.drop(
                    doc_id=doc["id"], rule=drop.category, value=round(drop.score, 4), threshold=drop.threshold, doc=doc,
                    scores={name: round(value, 4) for name, value in windows.scores.items()},
                    reader=drop.reader, windows=windows.windows_read, **where,
                )
    # The ledger's stats are checked and written on closing; the reading counts join them after.
    stats = {**stage.stats, "windows": reading, "passages": spans}
    write_json(stats_path, stats)
    return stats
