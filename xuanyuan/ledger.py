"""The drop ledger: what a filtering stage removed from one shard, why, and the counts.

Every data stage writes three things per shard (DESIGN.md): the kept records, the ledger
(`*.ledger.jsonl.zst`, one event per dropped document, removed line or edit) and the stats
(`*.stats.json`). `input == kept + dropped` is checked when a ledger closes and again,
across stages, by `xuanyuan.funnel`.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from xuanyuan.shards import ShardWriter, write_json

# A dropped document is kept in the ledger for review; a pathological one (the 20 MB
# single-line page) would bloat it, so its text is cut here and the cut is recorded.
DEFAULT_MAX_LEDGER_TEXT = 20_000
MAX_LEDGER_LINE = 500


class LedgerMismatch(RuntimeError):
    """input != kept + dropped: a document vanished, which must never happen silently."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    return value


class StageLedger:
    """Counts and records what one stage did to one shard of one source."""

    def __init__(
        self,
        stage: str,
        source: str,
        shard: str | int,
        ledger_path: str | os.PathLike[str],
        *,
        max_text_chars: int | None = None,
    ):
        self.stage = stage
        self.source = source
        self.shard = str(shard)
        self.max_text_chars = DEFAULT_MAX_LEDGER_TEXT if max_text_chars is None else max_text_chars
        self._writer = ShardWriter(ledger_path)
        self.input = 0
        self.kept = 0
        self.dropped = 0
        self.chars_in = 0
        self.chars_out = 0
        self.dropped_by_rule: Counter[str] = Counter()
        self.lines_removed_by_rule: Counter[str] = Counter()
        self.chars_removed_by_rule: Counter[str] = Counter()
        self.edits_by_rule: Counter[str] = Counter()
        self.docs_edited_by_rule: Counter[str] = Counter()

    # -- counting -------------------------------------------------------------------------
    def saw(self, chars: int = 0) -> None:
        """One input unit (a raw file, a raw record or an upstream document) arrived."""
        self.input += 1
        self.chars_in += chars

    def keep(self, doc: dict[str, Any]) -> None:
        self.kept += 1
        self.chars_out += len(doc["text"])

    # -- events ---------------------------------------------------------------------------
    def drop(
        self,
        *,
        doc_id: str,
        rule: str,
        value: Any = None,
        threshold: Any = None,
        detail: str = "",
        doc: dict[str, Any] | None = None,
        path: str | None = None,
        **extra: Any,
    ) -> None:
        """Record a dropped document (or an unreadable input file, with `path` and no `doc`)."""
        self.dropped += 1
        self.dropped_by_rule[rule] += 1
        event: dict[str, Any] = {
            "event": "drop",
            "id": doc_id,
            "source": self.source,
            "stage": self.stage,
            "rule": rule,
            "value": _jsonable(value),
            "threshold": _jsonable(threshold),
            "detail": detail,
        }
        if path is not None:
            event["path"] = path
        event.update({key: _jsonable(val) for key, val in extra.items()})
        if doc is not None:
            kept_doc = dict(doc)
            text = kept_doc.get("text", "")
            if len(text) > self.max_text_chars:
                kept_doc["text"] = text[: self.max_text_chars]
                event["text_truncated_from"] = len(text)
            event["doc"] = kept_doc
        self._writer.write(event)

    def remove_line(self, *, doc_id: str, rule: str, line: str, line_no: int, value: Any = None, threshold: Any = None) -> None:
        """Record one line removed from a kept-or-later-dropped document."""
        self.lines_removed_by_rule[rule] += 1
        self.chars_removed_by_rule[rule] += len(line)
        self._writer.write(
            {
                "event": "line",
                "id": doc_id,
                "source": self.source,
                "stage": self.stage,
                "rule": rule,
                "value": _jsonable(value),
                "threshold": _jsonable(threshold),
                "line_no": line_no,
                "line": line[:MAX_LEDGER_LINE],
            }
        )

    def edit(self, *, doc_id: str, rule: str, count: int, chars_delta: int = 0) -> None:
        """Record in-place edits (normalisation, PII masks); the edited values are never logged."""
        if count <= 0:
            return
        self.edits_by_rule[rule] += count
        self.docs_edited_by_rule[rule] += 1
        self._writer.write(
            {
                "event": "edit",
                "id": doc_id,
                "source": self.source,
                "stage": self.stage,
                "rule": rule,
                "count": count,
                "chars_delta": chars_delta,
            }
        )

    # -- closing --------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "source": self.source,
            "shard": self.shard,
            "input": self.input,
            "kept": self.kept,
            "dropped": self.dropped,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "dropped_by_rule": dict(sorted(self.dropped_by_rule.items())),
            "lines_removed_by_rule": dict(sorted(self.lines_removed_by_rule.items())),
            "chars_removed_by_rule": dict(sorted(self.chars_removed_by_rule.items())),
            "edits_by_rule": dict(sorted(self.edits_by_rule.items())),
            "docs_edited_by_rule": dict(sorted(self.docs_edited_by_rule.items())),
        }

    def close(self, stats_path: str | os.PathLike[str]) -> dict[str, Any]:
        """Finish the ledger file and write the stats; a count mismatch is an error, not a warning."""
        self._writer.close()
        stats = self.stats()
        if stats["input"] != stats["kept"] + stats["dropped"]:
            raise LedgerMismatch(
                f"{self.stage}/{self.source}/shard {self.shard}: input {stats['input']} != "
                f"kept {stats['kept']} + dropped {stats['dropped']}; a document was lost without a record"
            )
        write_json(stats_path, stats)
        return stats

    def abort(self) -> None:
        self._writer.abort()


class StageShard:
    """The three outputs of one data-stage job, written together or not at all.

    `with StageShard(...) as shard:` gives `shard.ledger` for counts and drops and `shard.keep(doc)`
    for kept records; on success the shard and ledger are closed and `shard.stats` holds the
    checked stats, on an exception both are discarded so no half-written output survives.
    """

    def __init__(
        self,
        stage: str,
        source: str,
        shard: str | int,
        *,
        out_path: str | os.PathLike[str],
        ledger_path: str | os.PathLike[str],
        stats_path: str | os.PathLike[str],
        max_text_chars: int | None = None,
    ):
        self.ledger = StageLedger(stage, source, shard, ledger_path, max_text_chars=max_text_chars)
        self.writer = ShardWriter(out_path)
        self.stats_path = stats_path
        self.stats: dict[str, Any] = {}

    def keep(self, doc: dict[str, Any]) -> None:
        self.writer.write(doc)
        self.ledger.keep(doc)

    def __enter__(self) -> "StageShard":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.writer.abort()
            self.ledger.abort()
            return
        self.writer.close()
        self.stats = self.ledger.close(self.stats_path)
