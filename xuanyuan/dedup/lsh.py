"""LSH banding: parameters from the threshold, and candidate pairs for a group of bands.

Documents are addressed by a *global index*: their row in the concatenation of the shards
in the order the signature prefixes are given. Every job of one dedup stage must get the
same prefix list (the rules pass it sorted).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from xuanyuan.dedup.signatures import load_docs, load_signatures
from xuanyuan.shards import read_records

GROUP_KEYS = ("source", "kind")
_POLY = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class LshParams:
    bands: int
    rows: int
    false_positive: float  # area under the S-curve below the threshold
    false_negative: float  # area above the S-curve over the threshold


def _areas(threshold: float, bands: int, rows: int) -> tuple[float, float]:
    from scipy.integrate import quad

    def collide(s: float) -> float:
        return 1.0 - (1.0 - s**rows) ** bands

    fp, _ = quad(collide, 0.0, threshold)
    fn, _ = quad(lambda s: 1.0 - collide(s), threshold, 1.0)
    return fp, fn


def lsh_params(
    threshold: float, num_perm: int, *, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> LshParams:
    """Bands x rows (bands * rows <= num_perm) minimising fp_weight*FP + fn_weight*FN."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"dedup threshold must lie strictly between 0 and 1, got {threshold}")
    best: LshParams | None = None
    best_cost = float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp, fn = _areas(threshold, bands, rows)
            cost = fp_weight * fp + fn_weight * fn
            if cost < best_cost:
                best, best_cost = LshParams(bands, rows, fp, fn), cost
    assert best is not None
    return best


def band_groups(bands: int, jobs: int) -> list[range]:
    """Split bands 0..bands-1 into `jobs` contiguous, near-equal ranges (fewer if bands < jobs)."""
    jobs = max(1, min(jobs, bands))
    edges = np.linspace(0, bands, jobs + 1).round().astype(int)
    return [range(int(lo), int(hi)) for lo, hi in zip(edges[:-1], edges[1:])]


def read_dropped_ids(paths: Iterable[str | os.PathLike[str]]) -> set[str]:
    """Ids dropped by an earlier dedup stage (its clusters output)."""
    return {rec["id"] for path in paths for rec in read_records(path)}


@dataclass
class Corpus:
    """What a band or cluster job knows about every document: no signatures, just metadata."""

    prefixes: list[str]
    offsets: np.ndarray  # global index of each shard's first document
    ids: list[str]
    lengths: np.ndarray
    category: np.ndarray  # int code of the group key value (all 0 without a group key)
    exact: list[str | None]
    active: np.ndarray  # bool: not dropped by an earlier stage
    num_perm: int


def load_corpus(
    prefixes: Sequence[str | os.PathLike[str]], *, group_key: str | None, exclude_paths: Iterable[str] = ()
) -> Corpus:
    if group_key is not None and group_key not in GROUP_KEYS:
        raise ValueError(f"dedup group key must be one of {GROUP_KEYS} or none, got {group_key!r}")
    dropped = read_dropped_ids(exclude_paths)
    ids: list[str] = []
    lengths: list[int] = []
    cats: list[str] = []
    exact: list[str | None] = []
    offsets = []
    num_perm = None
    for prefix in prefixes:
        docs = load_docs(prefix)
        if num_perm is not None and docs["num_perm"] != num_perm:
            raise ValueError(f"{prefix}: num_perm {docs['num_perm']} differs from the other shards ({num_perm}); "
                             "recompute all signatures with one config")
        num_perm = docs["num_perm"]
        offsets.append(len(ids))
        ids.extend(docs["ids"])
        lengths.extend(docs["lengths"])
        cats.extend(docs[group_key] if group_key else [""] * docs["count"])
        exact.extend(docs["exact"])
    values = sorted(set(cats))
    code = {value: i for i, value in enumerate(values)}
    return Corpus(
        prefixes=[str(p) for p in prefixes],
        offsets=np.array(offsets, dtype=np.int64),
        ids=ids,
        lengths=np.array(lengths, dtype=np.int64),
        category=np.array([code[c] for c in cats], dtype=np.int64),
        exact=exact,
        active=np.array([doc_id not in dropped for doc_id in ids], dtype=bool),
        num_perm=num_perm or 0,
    )


def band_keys(band: np.ndarray) -> np.ndarray:
    """One 64-bit key per document (column) of a [rows, n] band slice; a collision only adds a
    candidate that verification rejects."""
    key = np.zeros(band.shape[1], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in band:
            key = key * _POLY + row.astype(np.uint64)
    return key


def bucket_pairs(keys: np.ndarray, category: np.ndarray, index: np.ndarray, full_pairs_bucket: int) -> np.ndarray:
    """Pairs (i < j, global indices) of documents that share (category, key).

    A bucket of up to `full_pairs_bucket` documents yields all its pairs; a larger one yields
    a star around its smallest index, so a 100k-document template bucket costs 100k pairs,
    not 5e9 (its members still meet each other through the star and through other bands).
    """
    if len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort((index, keys, category))
    k, c, idx = keys[order], category[order], index[order]
    new = np.ones(len(k), dtype=bool)
    new[1:] = (k[1:] != k[:-1]) | (c[1:] != c[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(k)))
    out = []
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        members = idx[start : start + size]
        if size <= full_pairs_bucket:
            i, j = np.triu_indices(size, 1)
            out.append(np.stack([members[i], members[j]], axis=1))
        else:
            out.append(np.stack([np.full(size - 1, members[0]), members[1:]], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)


def band_candidates(
    signature_prefixes: Sequence[str | os.PathLike[str]],
    bands: Iterable[int],
    rows: int,
    out_path: str | os.PathLike[str],
    *,
    group_key: str | None,
    exclude_paths: Iterable[str] = (),
    full_pairs_bucket: int = 64,
) -> dict[str, Any]:
    """Candidate pairs of the given bands -> int64 [k, 2] .npy (sorted, unique); returns counts.

    Reads only rows band*rows .. (band+1)*rows of each shard's signature matrix. Stage 1 passes
    the category field as `group_key` (buckets keyed by (category, band)), stage 2 passes None
    and the ids dropped by stage 1 as `exclude_paths`.
    """
    corpus = load_corpus(signature_prefixes, group_key=group_key, exclude_paths=exclude_paths)
    minhashed = np.array([e is None for e in corpus.exact], dtype=bool) & corpus.active
    index = np.flatnonzero(minhashed)
    pairs = []
    bands = list(bands)
    for band in bands:
        lo, hi = band * rows, (band + 1) * rows
        if hi > corpus.num_perm:
            raise ValueError(f"band {band} x {rows} rows exceeds num_perm {corpus.num_perm}")
        keys = np.concatenate(
            [band_keys(np.asarray(load_signatures(p)[lo:hi])) for p in corpus.prefixes]
        ) if corpus.prefixes else np.empty(0, dtype=np.uint64)
        pairs.append(bucket_pairs(keys[index], corpus.category[index], index, full_pairs_bucket))
    found = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)
    found = np.unique(found, axis=0) if len(found) else found.reshape(0, 2)
    out_path = str(out_path)
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    tmp = out_path + ".tmp.npy"
    np.save(tmp, found.astype(np.int64))
    os.replace(tmp, out_path)
    return {"bands": bands, "rows": rows, "documents": int(len(index)), "pairs": int(len(found))}
