"""Shards: zstd-compressed JSON Lines, the one record format of the whole pipeline.

Why JSONL + zstd: records are read and written as a stream (nothing holds a corpus in
memory), a shard can be inspected with `zstdcat | head`, and zstd at a fixed level with a
single thread is byte-deterministic, which the reproducibility tests rely on.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any, Iterable, Iterator

import zstandard

ZSTD_LEVEL = 3


def dumps(record: dict[str, Any]) -> str:
    """Serialise one record as a single line; keys keep insertion order, UTF-8 kept readable."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class ShardWriter:
    """Write records to `path` (.jsonl.zst or plain .jsonl) atomically: a crash leaves no half shard."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(self.path.name + ".tmp")
        self._raw = open(self._tmp, "wb")
        if self.path.name.endswith(".zst"):
            # threads=0 keeps the frame layout identical run to run.
            self._compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=0, write_checksum=True)
            self._stream = self._compressor.stream_writer(self._raw, closefd=False)
        else:
            self._stream = self._raw
        self._text = io.TextIOWrapper(self._stream, encoding="utf-8", newline="\n", write_through=True)
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        try:
            self._text.write(dumps(record) + "\n")
        except UnicodeEncodeError as exc:
            # A lone surrogate (from a "\ud800" JSON escape or an undecodable file name) has no UTF-8
            # form; readers repair them (xuanyuan.extract), so one reaching a shard is a bug to report.
            raise ValueError(
                f"{self.path}: record {ascii(record.get('id'))} holds a character UTF-8 cannot store "
                f"({exc.reason}: {ascii(exc.object[exc.start:exc.end])}); please report it with the input it came from"
            ) from None
        self.count += 1

    def write_all(self, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            self.write(record)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()
        if self._stream is not self._raw:
            self._stream.close()
        self._raw.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._raw.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> "ShardWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def read_records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Stream the records of one shard; a corrupt line is an error naming the file and line."""
    path = Path(path)
    with open(path, "rb") as raw:
        if path.name.endswith(".zst"):
            stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        else:
            stream = raw
        with io.TextIOWrapper(stream, encoding="utf-8", newline="\n") as text:
            for line_no, line in enumerate(text, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(
                        f"{path}: line {line_no} is not valid JSON ({exc.msg}); "
                        "the shard is corrupt, delete it and rerun the rule that wrote it"
                    ) from None


def write_records(path: str | os.PathLike[str], records: Iterable[dict[str, Any]]) -> int:
    with ShardWriter(path) as writer:
        writer.write_all(records)
        return writer.count


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write JSON deterministically (sorted keys, trailing newline), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: str | os.PathLike[str]) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
