"""Read instruction files (JSON arrays or JSONL) into conversations, a ledger and counts.

Nothing is skipped silently: a record that fails validation, a JSONL line that is not JSON and
an exact repeat of an earlier conversation each get a ledger entry (file, index, reason, detail),
and `IngestResult.check()` holds records = kept + ledgered. A file that can't be read at all (not
UTF-8, a broken JSON array) is a UserError naming the file, the line and column, and the fix: a
ledger entry would let the job succeed without the whole source.
Exact repeats are judged on content alone (system + turns), across all files of one call; the
first occurrence is kept, so the result depends on the order of the files.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from xuanyuan.errors import UserError
from xuanyuan.sft.columns import StringColumn
from xuanyuan.sft.conversation import Conversation
from xuanyuan.sft.formats import InvalidRecord, to_conversation
from xuanyuan.sft.jsonstream import ArrayError, TextChunks, array_items, first_char, text_lines

INVALID_JSON = "invalid_json"
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class LedgerEntry:
    """One record that did not become a kept conversation."""

    file: str
    index: int  # position in the JSON array, or line number (0-based) in a JSONL file
    reason: str
    detail: str = ""
    id: str | None = None

    def to_record(self) -> dict:
        return {"file": self.file, "index": self.index, "reason": self.reason, "detail": self.detail, "id": self.id}


@dataclass(frozen=True)
class InstructionFile:
    """A file to read and the labels its records get unless a record carries its own."""

    path: Path
    source: str
    domain: str | None = None
    category: str | None = None
    lang: str | None = None


@dataclass
class IngestResult:
    """What ingestion read: counts, ledger and the ids of the kept conversations (the conversations themselves
    only when `ingest` collected them; a stage streams them, see `iter_conversations`)."""

    conversations: list[Conversation] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    records: int = 0  # records seen (array items / non-blank lines)
    records_by_file: dict[str, int] = field(default_factory=dict)  # every file read, in order, even with 0 records
    ids: StringColumn = field(default_factory=StringColumn)  # of the kept conversations, in order
    turns: int = 0
    multi_turn: int = 0
    kept_by_source: Counter = field(default_factory=Counter)

    @property
    def kept(self) -> int:
        return len(self.ids)

    def keep(self, conversation: Conversation) -> int:
        """Count a kept conversation; its position among the kept ones."""
        self.turns += len(conversation.turns)
        self.multi_turn += len(conversation.turns) > 1
        self.kept_by_source[conversation.source] += 1
        return self.ids.append(conversation.id)

    @property
    def counts(self) -> dict[str, Any]:
        """Files read, records in, kept, refused by reason, duplicates, and kept per source."""
        by_reason = Counter(entry.reason for entry in self.ledger)
        return {
            "files": len(self.records_by_file),
            "records": self.records,
            "kept": self.kept,
            "duplicates": by_reason.get(DUPLICATE, 0),
            "invalid": sum(n for reason, n in by_reason.items() if reason != DUPLICATE),
            "by_reason": dict(sorted(by_reason.items())),
            "turns": self.turns,
            "multi_turn": self.multi_turn,
            "kept_by_source": dict(sorted(self.kept_by_source.items())),
        }

    def by_file(self) -> list[str]:
        """Per file read: its record count and why its records were ledgered, e.g. 'a.jsonl: 3 records, ledgered 3
        (invalid_json 3; line 1: Expecting value at column 1)'. For errors that must say where the data went."""
        described = []
        for name, records in self.records_by_file.items():
            entries = [entry for entry in self.ledger if entry.file == name]
            line = f"{name}: {records} record{'s' if records != 1 else ''}"
            if not records:
                line += " (no record: an empty file?)"
            elif entries:
                reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(Counter(e.reason for e in entries).items()))
                first = f"; {entries[0].detail}" if entries[0].detail else ""
                line += f", ledgered {len(entries)} ({reasons}{first})"
            described.append(line)
        return described

    def check(self) -> None:
        """Raise when a record vanished without a ledger entry (a bug, never a user mistake)."""
        ledgered = len(self.ledger)
        if self.records != self.kept + ledgered:
            raise RuntimeError(
                f"instruction ingestion lost records: {self.records} read != {self.kept} kept "
                f"+ {ledgered} ledgered"
            )


def read_records(path: str | os.PathLike[str]) -> Iterator[tuple[int, Any | InvalidRecord]]:
    """(index, parsed record) for each record of a JSON array, JSON object or JSONL file; a bad JSONL
    line yields an InvalidRecord in place of the record. A file that is none of them raises UserError.

    A file is a JSON array when its first non-blank character is '[', JSONL otherwise, whatever
    its suffix (a `.json` file of one object per line is common). A file that starts with '{' and
    is not JSONL (no line of it parses, e.g. one pretty-printed record) is read as one JSON object.
    Records are read as they are needed (xuanyuan.sft.jsonstream): no file is held whole.
    """
    path = Path(path)
    first = first_char(path)
    if first == "[":
        try:
            yield from array_items(path)
        except ArrayError as exc:
            raise UserError(f"{path}: line {exc.lineno}, column {exc.colno}: not a valid JSON array ({exc.msg}); "
                            "fix the JSON there, or write the records one per line (JSONL)") from None
        return
    yield from _jsonl_records(path, opens_object=first == "{")


def _jsonl_records(path: Path, *, opens_object: bool) -> Iterator[tuple[int, Any | InvalidRecord]]:
    # Until a line parses, a file that opens with '{' may be one pretty-printed object: hold its lines'
    # failures (small) and decide at the first line that parses, or at the end.
    held: list[tuple[int, Any | InvalidRecord]] | None = [] if opens_object else None
    lines = 0
    for line_no, line in text_lines(path):
        if not line.strip():
            continue
        lines += 1
        try:
            record: Any | InvalidRecord = json.loads(line)
        except json.JSONDecodeError as exc:
            record = InvalidRecord(INVALID_JSON, f"line {line_no + 1}: {exc.msg} at column {exc.colno}")
        if held is None:
            yield line_no, record
            continue
        held.append((line_no, record))
        if not isinstance(record, InvalidRecord):
            yield from held
            held = None
    if held and lines > 1:
        # Not one line parses: a pretty-printed JSON document, not JSONL. It is one record, so read it whole.
        text = "".join(TextChunks(path))
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: line {exc.lineno}, column {exc.colno}: neither JSONL (no line is a JSON "
                            f"object) nor one JSON object ({exc.msg}); fix the JSON there, or write one record "
                            "per line (JSONL) or a JSON array of records") from None
        yield 0, record
        return
    yield from held or ()


def iter_conversations(files: Iterable[InstructionFile], result: IngestResult) -> Iterator[Conversation]:
    """Kept conversations of all files, in order, as they are read: exact repeats removed, bad records and
    repeats in `result.ledger`, counts in `result` (call `result.check()` once the iterator is exhausted).

    A file that can't be read as a whole raises UserError (read_records): nothing of it would be trained.
    Repeats are found by a 16-byte digest of the content, so the content itself is not kept.
    """
    seen: dict[bytes, int] = {}  # content digest -> position of the kept conversation in result.ids
    for spec in files:
        name = str(spec.path)
        result.records_by_file[name] = result.records_by_file.get(name, 0)
        for index, record in read_records(spec.path):
            result.records += 1
            result.records_by_file[name] += 1
            default_id = f"{spec.source}:{spec.path.stem}:{index}"
            try:
                if isinstance(record, InvalidRecord):
                    raise record
                conversation = to_conversation(record, source=spec.source, default_id=default_id,
                                               domain=spec.domain, category=spec.category, lang=spec.lang)
            except InvalidRecord as exc:
                result.ledger.append(LedgerEntry(name, index, exc.reason, exc.detail, _record_id(record, default_id)))
                continue
            key = conversation.digest()
            if key in seen:
                twin = result.ids[seen[key]]
                result.ledger.append(LedgerEntry(name, index, DUPLICATE, f"same content as {twin}", conversation.id))
                continue
            seen[key] = result.keep(conversation)
            yield conversation


def ingest(files: Iterable[InstructionFile]) -> IngestResult:
    """Conversations of all files, in order, exact repeats removed; bad records in the ledger.

    Holds every conversation (`result.conversations`): for tests and small sets. A stage streams
    them instead (`iter_conversations`, xuanyuan.sft.stage_data).
    """
    result = IngestResult()
    result.conversations.extend(iter_conversations(files, result))
    result.check()
    return result


def ingest_paths(paths: Sequence[str | os.PathLike[str]], *, source: str | None = None) -> IngestResult:
    """`ingest` for plain paths; each file's source is `source` or its file stem."""
    return ingest(InstructionFile(Path(p), source or Path(p).stem) for p in paths)


def _record_id(record: Any, default: str) -> str:
    if isinstance(record, dict) and isinstance(record.get("id"), (str, int)) and not isinstance(record.get("id"), bool):
        return str(record["id"])
    return default
