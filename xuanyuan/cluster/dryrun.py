"""Plan the full-scale DAG without the data: empty raw files laid out like the real shared storage.

`snakemake -n --configfile config/xuanyuan-70b.yaml` on a machine without /data stops: a source
glob that matches no file is an error (xuanyuan.sources.check_source_paths). `full_scale_overlay`
writes `files_per_shard` empty files per shard under a scratch root, shaped by each source's glob
(nested year/month directories for `**`), and returns the config with every path on shared storage
moved under that root, so the dry run sees the DAG a cluster would run
(tests/slurm/test_full_scale_dag.py, bench/dag.py).
"""

from __future__ import annotations

import copy
from pathlib import Path, PurePosixPath
from typing import Any

from xuanyuan.sources import GLOB_CHARS, glob_root


def _under(root: Path, path: str) -> str:
    return str(root / path.lstrip("/"))


def _file_names(pattern: str, count: int) -> list[str]:
    """`count` relative paths matching the part of `pattern` after its glob root."""
    rest = PurePosixPath(pattern).relative_to(glob_root(pattern)).parts
    names = []
    for index in range(count):
        parts = []
        for part in rest:
            if part == "**":
                parts += [f"{2015 + index % 9}", f"{index % 12 + 1:02d}"]  # year/month, as crawls are stored
            elif "*" in part:
                parts.append(part.replace("*", f"part-{index:06d}", 1).replace("*", ""))
            elif GLOB_CHARS & set(part):
                raise ValueError(f"{pattern}: only * and ** globs can be laid out (found {part!r})")
            else:
                parts.append(part)
        names.append(str(PurePosixPath(*parts)))
    return names


def full_scale_overlay(config: dict[str, Any], root: str | Path, files_per_shard: int = 3) -> dict[str, Any]:
    """`config` with its sources, annotated quality files and output roots under `root`, where the
    sources' files now exist (empty)."""
    root = Path(root)
    overlay = copy.deepcopy(config)
    for name, source in overlay["sources"].items():
        patterns = [source["paths"]] if isinstance(source["paths"], str) else list(source["paths"])
        moved = [_under(root, pattern) for pattern in patterns]
        count = source["shards"] * files_per_shard
        # Deal the files over the source's patterns, as a source spread over several globs would be.
        for offset, pattern in enumerate(moved):
            base = Path(glob_root(pattern))
            for relpath in _file_names(pattern, count)[offset::len(moved)]:
                path = base / relpath
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
        source["paths"] = moved[0] if isinstance(source["paths"], str) else moved
    for entry in overlay.get("quality", {}).get("training", {}).get("files", []) or []:
        entry["path"] = _under(root, entry["path"])
        Path(entry["path"]).parent.mkdir(parents=True, exist_ok=True)
        Path(entry["path"]).touch()
    for key, value in overlay.get("paths", {}).items():
        overlay["paths"][key] = _under(root / "out", value)
    return overlay
