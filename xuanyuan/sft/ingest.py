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
from xuanyuan.sft.conversation import Conversation
from xuanyuan.sft.formats import InvalidRecord, to_conversation

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
    conversations: list[Conversation] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    records: int = 0  # records seen (array items / non-blank lines)
    records_by_file: dict[str, int] = field(default_factory=dict)  # every file read, in order, even with 0 records

    @property
    def counts(self) -> dict[str, Any]:
        """Files read, records in, kept, refused by reason, duplicates, and kept per source."""
        by_reason = Counter(entry.reason for entry in self.ledger)
        return {
            "files": len(self.records_by_file),
            "records": self.records,
            "kept": len(self.conversations),
            "duplicates": by_reason.get(DUPLICATE, 0),
            "invalid": sum(n for reason, n in by_reason.items() if reason != DUPLICATE),
            "by_reason": dict(sorted(by_reason.items())),
            "turns": sum(len(c.turns) for c in self.conversations),
            "multi_turn": sum(len(c.turns) > 1 for c in self.conversations),
            "kept_by_source": dict(sorted(Counter(c.source for c in self.conversations).items())),
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
    text = _read_text(path)
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: line {exc.lineno}, column {exc.colno}: not a valid JSON array ({exc.msg}); "
                            "fix the JSON there, or write the records one per line (JSONL)") from None
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
            raise UserError(f"{path}: line {exc.lineno}, column {exc.colno}: neither JSONL (no line is a JSON "
                            f"object) nor one JSON object ({exc.msg}); fix the JSON there, or write one record "
                            "per line (JSONL) or a JSON array of records") from None
        yield 0, record
        return
    yield from parsed


def _read_text(path: Path) -> str:
    """The file as text (a UTF-8 BOM accepted); a UserError naming the line and byte of the first non-UTF-8 byte."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: can't read the instruction file ({exc.strerror or exc}); check the path in "
                        "sft.stageN.files") from None
    try:
        return raw.decode("utf-8-sig")  # -sig: a BOM would break json.loads
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UserError(f"{path}: line {line}, byte {column}: not UTF-8 text (byte 0x{raw[exc.start]:02x}: "
                        f"{exc.reason}); re-save the file as UTF-8, e.g. iconv -f GBK -t UTF-8 (or -f UTF-16)") from None


def ingest(files: Iterable[InstructionFile]) -> IngestResult:
    """Conversations of all files, in order, exact repeats removed; bad records in the ledger.

    A file that can't be read as a whole raises UserError (read_records): nothing of it would be trained.
    """
    result = IngestResult()
    seen: dict[str, str] = {}  # fingerprint -> id of the kept conversation
    for spec in files:
        name = str(spec.path)
        items = list(read_records(spec.path))
        result.records_by_file[name] = result.records_by_file.get(name, 0) + len(items)
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
