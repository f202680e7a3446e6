"""Ground truth rows (one per generated document) and the corpus manifest."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable

GROUND_TRUTH = "ground_truth.jsonl"
MANIFEST = "MANIFEST.json"
EXPECTATIONS = "extraction_expectations.json"
GENERATOR_VERSION = 1


def row(*, doc_id: str, source: str, path: str, plant: str, category: str | None, expect_stage: str | None,
        expect_rules: list[str], cluster: str | None, twin: str | None, detail: dict[str, Any]) -> dict[str, Any]:
    """One ground-truth record, keys in a fixed order."""
    return {"id": doc_id, "source": source, "path": path, "plant": plant, "category": category, "expect_stage": expect_stage,
            "expect_rules": list(expect_rules), "cluster": cluster, "twin": twin, "detail": detail}


def write_rows(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for record in rows:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def file_entry(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "bytes": size}


def manifest(out_dir: Path, *, seed: int, documents: dict[str, int], plants: dict[str, Any], huge_document_mb: float,
             sources: dict[str, dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Every file with its sha256 and size, and the counts per source and per plant; no timestamps."""
    files = {}
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name != MANIFEST):
        files[path.relative_to(out_dir).as_posix()] = file_entry(path)
    per_source: dict[str, dict[str, Any]] = {}
    for source, spec in sources.items():
        prefix = source + "/"
        entries = {name: entry for name, entry in files.items() if name.startswith(prefix)}
        per_source[source] = {**spec, "files": len(entries), "bytes": sum(e["bytes"] for e in entries.values()),
                              "documents": sum(1 for r in rows if r["source"] == source)}
    per_plant: dict[str, Counter] = defaultdict(Counter)
    for record in rows:
        per_plant[record["plant"]][record["category"] or record["plant"]] += 1
    return {
        "generator": "xuanyuan.corpus", "generator_version": GENERATOR_VERSION, "seed": seed, "huge_document_mb": huge_document_mb,
        "documents_requested": documents, "plants_requested": plants,
        "total_documents": len(rows), "total_files": len(files), "total_bytes": sum(e["bytes"] for e in files.values()),
        "sources": per_source, "plants": {plant: dict(sorted(counts.items())) for plant, counts in sorted(per_plant.items())},
        "files": files,
    }
