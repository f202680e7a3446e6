"""Where a source's raw files are, how they are split into shards, and the ids they get.

Ids are unique within a source by construction: a file's id is its path under the source's root
with its suffix (`x.html` and `x.htm` differ), a JSONL record's id adds the record's own id or
line number to its file's (two files may both hold a record "7"). The listing refuses two files
with one relative path, and the extract stage refuses two records with one id in a shard.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path, PurePosixPath
from typing import Any

from xuanyuan.errors import UserError

GLOB_CHARS = set("*?[")


def glob_root(pattern: str) -> str:
    """The directory part of a glob before its first wildcard."""
    parts = PurePosixPath(pattern).parts
    fixed: list[str] = []
    for part in parts:
        if GLOB_CHARS & set(part):
            break
        fixed.append(part)
    else:
        fixed = fixed[:-1]  # a plain file path: its root is its directory
    return str(PurePosixPath(*fixed)) if fixed else "."


def _as_list(patterns: str | list[str]) -> list[str]:
    return [patterns] if isinstance(patterns, str) else list(patterns)


def source_root(patterns: str | list[str]) -> str:
    """The directory ids are relative to: the glob root of one pattern, the deepest directory
    common to the roots of several (so that g/a/x.html and g/b/x.html stay apart)."""
    roots = sorted({os.path.normpath(glob_root(pattern)) for pattern in _as_list(patterns)})
    if len(roots) == 1:
        return roots[0]
    try:
        common = os.path.commonpath(roots)
    except ValueError:  # absolute and relative roots mixed
        common = os.path.commonpath([os.path.abspath(root) for root in roots])
    return common or "."


def _printable(relpath: str) -> str:
    """A file name's bytes that are not UTF-8 (kept by Python as lone surrogates, which no shard can
    store) written as \\xNN escapes; the path that opens the file is kept as it was."""
    return relpath.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def list_source_files(patterns: str | list[str]) -> list[tuple[str, str]]:
    """Every file matched by the source's glob(s), sorted, as (path, path relative to `source_root`).

    A file matched by several globs is listed once. Two files with one relative path would get
    one id; that is a UserError naming both.
    """
    patterns = _as_list(patterns)
    root = source_root(patterns)
    found: dict[str, tuple[str, str]] = {}
    for pattern in patterns:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if os.path.isfile(path):
                key = os.path.abspath(path)
                found.setdefault(key, (path, _printable(os.path.relpath(key, os.path.abspath(root)).replace(os.sep, "/"))))
    owner: dict[str, str] = {}
    for path, relpath in found.values():
        if relpath in owner:
            raise UserError(
                f"{_printable(owner[relpath])} and {_printable(path)} (globs {', '.join(map(repr, patterns))}) are "
                f"both {relpath!r} under {root!r}, so their documents would share an id; rename one of them"
            )
        owner[relpath] = path
    return sorted(found.values(), key=lambda item: item[1])


def unmatched_patterns(patterns: str | list[str]) -> list[str]:
    """The patterns that match no file; each search stops at its first file, so a huge tree costs little."""
    missing = []
    for pattern in _as_list(patterns):
        if not any(os.path.isfile(path) for path in glob.iglob(pattern, recursive=True)):
            missing.append(pattern)
    return missing


def check_source_paths(source: str, patterns: str | list[str], *, where: str = "") -> None:
    """A UserError naming `sources.<source>.paths`, the pattern and the working directory when a
    pattern matches no file (an empty source would otherwise pass silently through every stage)."""
    missing = unmatched_patterns(patterns)
    if not missing:
        return
    prefix = f"{where}: " if where else ""
    globs = ", ".join(repr(pattern) for pattern in missing)
    raise UserError(
        f"{prefix}sources.{source}.paths: {globs} matches no file (relative globs are read from the working "
        f"directory {os.getcwd()}); fix the glob or the working directory (snakemake --directory), or remove the "
        "source. To plan the full DAG on a machine without the data, see xuanyuan/cluster/dryrun.py"
    )


def files_for_shard(files: list[tuple[str, str]], shard: int, num_shards: int) -> list[tuple[str, str]]:
    """Round-robin over the sorted file list: stable, and balanced when file sizes are alike."""
    if not 0 <= shard < num_shards:
        raise ValueError(f"shard {shard} is outside 0..{num_shards - 1}")
    return files[shard::num_shards]


def file_doc_id(source: str, relpath: str) -> str:
    """Id of a one-document-per-file input: `<source>/<relpath>`, suffix kept (x.html and x.htm differ)."""
    return f"{source}/{relpath}"


def record_doc_id(source: str, relpath: str, line_no: int, record_id: Any = None) -> str:
    """Id of a JSONL record: `<source>/<relpath>#<its id>` when it has one, else `<source>/<relpath>:<line>`.

    The file is part of the id because record ids are only unique within a file, if at all; `#` and
    `:` keep a record whose id looks like a line number apart from a record without an id.
    """
    if record_id is not None and str(record_id).strip():
        return f"{file_doc_id(source, relpath)}#{record_id}"
    return f"{file_doc_id(source, relpath)}:{line_no}"


def shard_names(num_shards: int) -> list[str]:
    """Zero-padded shard labels, so that file listings sort numerically."""
    width = max(3, len(str(num_shards - 1)))
    return [f"{index:0{width}d}" for index in range(num_shards)]


def shard_index(label: str) -> int:
    return int(label)


def resolve(path: str, base: str | os.PathLike[str] = ".") -> str:
    return path if os.path.isabs(path) else str(Path(base) / path)
