"""Small corpora for the dedup tests."""

from __future__ import annotations

import random
from pathlib import Path

from xuanyuan.dedup import band_candidates, compute_signatures, find_clusters, lsh_params
from xuanyuan.records import make_document
from xuanyuan.shards import write_records

PARAMS = dict(num_perm=128, seed=7, ngram_zh=5, ngram_en=5)
THRESHOLD = 0.7
_ZH = [chr(cp) for cp in range(0x4E00, 0x4E00 + 2500)]
_EN = [f"w{i}" for i in range(3000)]


def zh_text(rng: random.Random, n: int = 600) -> str:
    return "".join(rng.choice(_ZH) for _ in range(n))


def en_text(rng: random.Random, n: int = 200) -> str:
    return " ".join(rng.choice(_EN) for _ in range(n))


def mutate(rng: random.Random, text: str, lang: str, edits: int) -> str:
    """A near duplicate: a few in-place substitutions (each changes at most n shingles)."""
    units = list(text) if lang == "zh" else text.split(" ")
    pool = _ZH if lang == "zh" else _EN
    for _ in range(edits):
        units[rng.randrange(len(units))] = rng.choice(pool)
    return ("" if lang == "zh" else " ").join(units)


def doc(doc_id: str, text: str, lang: str, source: str, kind: str = "news"):
    return make_document(doc_id, text, source=source, lang=lang, domain="finance", kind=kind)


def write_shards(tmp: Path, shards: dict[str, list[dict]]) -> list[str]:
    """Write shards and their signatures; returns the sorted signature prefixes."""
    prefixes = []
    for name, records in sorted(shards.items()):
        write_records(tmp / f"{name}.jsonl.zst", records)
        compute_signatures(tmp / f"{name}.jsonl.zst", tmp / "sig" / name, **PARAMS)
        prefixes.append(str(tmp / "sig" / name))
    return prefixes


def run_stage(tmp: Path, prefixes: list[str], *, stage: str, group_key, jobs: int = 1, exclude=(), max_cluster_size=50):
    from xuanyuan.dedup import band_groups

    params = lsh_params(THRESHOLD, PARAMS["num_perm"])
    cands = []
    for k, bands in enumerate(band_groups(params.bands, jobs)):
        out = tmp / f"{stage}.cand{k}.npy"
        band_candidates(prefixes, bands, params.rows, out, group_key=group_key, exclude_paths=exclude)
        cands.append(out)
    dropped = tmp / f"{stage}.dropped.jsonl.zst"
    summary = find_clusters(prefixes, cands, dropped, tmp / f"{stage}.summary.json", threshold=THRESHOLD,
                            group_key=group_key, stage=stage, max_cluster_size=max_cluster_size, exclude_paths=exclude)
    return dropped, summary
