"""Read instruction files (JSON arrays or JSONL) into conversations, a ledger and counts.

Nothing is skipped silently: a record that fails validation, a line that is not JSON, a file
that can't be parsed and an exact repeat of an earlier conversation each get a ledger entry
(file, index, reason, detail), and `IngestResult.check()` holds records = kept + ledgered.
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
from xuanyuan.sft.conversation import Conversation
from xuanyuan.sft.formats import InvalidRecord, to_conversation

INVALID_JSON = "invalid_json"
UNREADABLE_FILE = "unreadable_file"
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class LedgerEntry:
    """One record (or a whole file when `index` is None) that did not become a kept conversation."""

    file: str
    index: int | None  # position in the JSON array, or line number (0-based) in a JSONL file
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
    conversations: list[Conversation] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    records: int = 0  # records seen (array items / non-blank lines), files that fail to parse not included
    unreadable_files: int = 0

    @property
    def counts(self) -> dict[str, Any]:
        """Records in, kept, refused by reason, duplicates, unreadable files, and kept per source."""
        by_reason = Counter(entry.reason for entry in self.ledger if entry.index is not None)
        return {
            "records": self.records,
            "kept": len(self.conversations),
            "duplicates": by_reason.get(DUPLICATE, 0),
            "invalid": sum(n for reason, n in by_reason.items() if reason != DUPLICATE),
            "by_reason": dict(sorted(by_reason.items())),
            "unreadable_files": self.unreadable_files,
            "turns": sum(len(c.turns) for c in self.conversations),
            "multi_turn": sum(len(c.turns) > 1 for c in self.conversations),
            "kept_by_source": dict(sorted(Counter(c.source for c in self.conversations).items())),
        }

    def check(self) -> None:
        """Raise when a record vanished without a ledger entry (a bug, never a user mistake)."""
        ledgered = sum(1 for entry in self.ledger if entry.index is not None)
        if self.records != len(self.conversations) + ledgered:
            raise RuntimeError(
                f"instruction ingestion lost records: {self.records} read != {len(self.conversations)} kept "
                f"+ {ledgered} ledgered"
            )


def read_records(path: str | os.PathLike[str]) -> Iterator[tuple[int, Any | InvalidRecord]]:
    """(index, parsed record) for each record of a JSON array, JSON object or JSONL file; a bad JSONL
    line yields an InvalidRecord in place of the record. A file that is none of them raises UserError.

    A file is a JSON array when its first non-blank character is '[', JSONL otherwise, whatever
    its suffix (a `.json` file of one object per line is common). A file that starts with '{' and
    is not JSONL (no line of it parses, e.g. one pretty-printed record) is read as one JSON object.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a BOM would break json.loads
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: can't read the instruction file as UTF-8 text ({exc})") from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: not a valid JSON array ({exc}); fix the file or convert it to JSONL") from None
        yield from enumerate(records)
        return
    lines = [(line_no, line) for line_no, line in enumerate(text.splitlines()) if line.strip()]
    parsed: list[tuple[int, Any | InvalidRecord]] = []
    for line_no, line in lines:
        try:
            parsed.append((line_no, json.loads(line)))
        except json.JSONDecodeError as exc:
            invalid = InvalidRecord(INVALID_JSON, f"line {line_no + 1}: {exc.msg} at column {exc.colno}")
            parsed.append((line_no, invalid))
    if len(lines) > 1 and stripped.startswith("{") and all(isinstance(r, InvalidRecord) for _, r in parsed):
        # Not one line parses: a pretty-printed JSON document, not JSONL.
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: neither JSONL (no line is a JSON object) nor one JSON object ({exc}); write "
                            "one record per line (JSONL), a JSON array of records, or one valid JSON object") from None
        yield 0, record
        return
    yield from parsed


def ingest(files: Iterable[InstructionFile]) -> IngestResult:
    """Conversations of all files, in order, exact repeats removed; bad records in the ledger."""
    result = IngestResult()
    seen: dict[str, str] = {}  # fingerprint -> id of the kept conversation
    for spec in files:
        name = str(spec.path)
        try:
            items = list(read_records(spec.path))
        except UserError as exc:
            # One broken file should not hide what the others hold; it is ledgered and counted.
            result.unreadable_files += 1
            result.ledger.append(LedgerEntry(name, None, UNREADABLE_FILE, str(exc)))
            continue
        for index, record in items:
            result.records += 1
            default_id = f"{spec.source}:{spec.path.stem}:{index}"
            try:
                if isinstance(record, InvalidRecord):
                    raise record
                conversation = to_conversation(record, source=spec.source, default_id=default_id,
                                               domain=spec.domain, category=spec.category, lang=spec.lang)
            except InvalidRecord as exc:
                result.ledger.append(LedgerEntry(name, index, exc.reason, exc.detail, _record_id(record, default_id)))
                continue
            key = conversation.fingerprint()
            if key in seen:
                result.ledger.append(LedgerEntry(name, index, DUPLICATE, f"same content as {seen[key]}", conversation.id))
                continue
            seen[key] = conversation.id
            result.conversations.append(conversation)
    result.check()
    return result


def ingest_paths(paths: Sequence[str | os.PathLike[str]], *, source: str | None = None) -> IngestResult:
    """`ingest` for plain paths; each file's source is `source` or its file stem."""
    return ingest(InstructionFile(Path(p), source or Path(p).stem) for p in paths)


def _record_id(record: Any, default: str) -> str:
    if isinstance(record, dict) and isinstance(record.get("id"), (str, int)) and not isinstance(record.get("id"), bool):
        return str(record["id"])
    return default
