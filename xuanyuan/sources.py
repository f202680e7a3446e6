"""Where a source's raw files are, how they are split into shards, and the ids they get."""

from __future__ import annotations

import glob
import os
from pathlib import Path, PurePosixPath
from typing import Any

GLOB_CHARS = set("*?[")


def glob_root(pattern: str) -> str:
    """The directory part of a glob before its first wildcard: ids are relative to it."""
    parts = PurePosixPath(pattern).parts
    fixed: list[str] = []
    for part in parts:
        if GLOB_CHARS & set(part):
            break
        fixed.append(part)
    else:
        fixed = fixed[:-1]  # a plain file path: its root is its directory
    return str(PurePosixPath(*fixed)) if fixed else "."


def list_source_files(patterns: str | list[str]) -> list[tuple[str, str]]:
    """Every file matched by the source's glob(s), sorted, as (path, path relative to its glob root)."""
    if isinstance(patterns, str):
        patterns = [patterns]
    found: dict[str, str] = {}
    for pattern in patterns:
        root = glob_root(pattern)
        for path in glob.glob(pattern, recursive=True):
            if os.path.isfile(path):
                found.setdefault(path, os.path.relpath(path, root).replace(os.sep, "/"))
    return sorted(found.items(), key=lambda item: item[1])


def files_for_shard(files: list[tuple[str, str]], shard: int, num_shards: int) -> list[tuple[str, str]]:
    """Round-robin over the sorted file list: stable, and balanced when file sizes are alike."""
    if not 0 <= shard < num_shards:
        raise ValueError(f"shard {shard} is outside 0..{num_shards - 1}")
    return files[shard::num_shards]


def file_doc_id(source: str, relpath: str) -> str:
    """Id of a one-document-per-file input: `<source>/<path under the glob root, without suffix>`."""
    stem = str(PurePosixPath(relpath).with_suffix(""))
    return f"{source}/{stem}"


def record_doc_id(source: str, relpath: str, line_no: int, record_id: Any = None) -> str:
    """Id of a JSONL record: its own `id` when it has one, else file and line number."""
    if record_id is not None and str(record_id).strip():
        return f"{source}/{record_id}"
    return f"{source}/{file_doc_id('', relpath).lstrip('/')}#L{line_no}"


def shard_names(num_shards: int) -> list[str]:
    """Zero-padded shard labels, so that file listings sort numerically."""
    width = max(3, len(str(num_shards - 1)))
    return [f"{index:0{width}d}" for index in range(num_shards)]


def shard_index(label: str) -> int:
    return int(label)


def resolve(path: str, base: str | os.PathLike[str] = ".") -> str:
    return path if os.path.isabs(path) else str(Path(base) / path)
