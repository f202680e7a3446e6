"""Verify candidate pairs, build duplicate clusters, pick survivors, and apply the result to a shard.

Survivor rule: the longest text (characters of the record as it entered dedup), ties broken
by the smallest id (string order). Every other member is dropped with its cluster id
("<stage label>:<survivor id>"), the survivor as kept twin, and its estimated Jaccard with
the survivor (fraction of equal signature values; 1.0 for exact-hash duplicates). Members
join a cluster through verified pairs, so a member can sit below the threshold against the
survivor itself while above it against its own neighbour (single linkage); its ledger value
shows that honestly.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from typing import Any, Iterable, Sequence

import numpy as np

from xuanyuan.dedup.lsh import load_corpus
from xuanyuan.dedup.signatures import load_signatures
from xuanyuan.ledger import StageShard
from xuanyuan.shards import ShardWriter, read_records, write_json

log = logging.getLogger(__name__)
LARGEST_RECORDED = 20
"""clusters listed (with sample ids) in a clustering summary, largest first; the sizes of all are in its histogram."""


class UnionFind:
    """Union-find whose root is always the smallest member: the result cannot depend on edge order."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent.get(x, x)
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo
            self.parent.setdefault(lo, lo)

    def groups(self) -> list[list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for x in self.parent:
            members[self.find(x)].append(x)
        return [sorted(m) for m in members.values() if len(m) > 1]


def gather_signatures(prefixes: Sequence[str], offsets: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Signatures ([len(index), num_perm]) of the documents with these sorted global indices."""
    shard = np.searchsorted(offsets, index, side="right") - 1
    parts = []
    for s in np.unique(shard):
        rows = index[shard == s] - offsets[s]
        parts.append(np.asarray(load_signatures(prefixes[s])[:, rows]).T)
    return np.concatenate(parts) if parts else np.empty((0, 0), dtype=np.uint32)


def read_candidates(paths: Iterable[str | os.PathLike[str]]) -> np.ndarray:
    arrays = [np.load(p).reshape(-1, 2) for p in paths]
    pairs = np.concatenate(arrays) if arrays else np.empty((0, 2), dtype=np.int64)
    return np.unique(pairs, axis=0) if len(pairs) else pairs.astype(np.int64)


def find_clusters(
    signature_prefixes: Sequence[str | os.PathLike[str]],
    candidate_paths: Iterable[str | os.PathLike[str]],
    out_dropped: str | os.PathLike[str],
    out_summary: str | os.PathLike[str],
    *,
    threshold: float,
    group_key: str | None,
    stage: str,
    max_cluster_size: int | None = None,
    exclude_paths: Iterable[str] = (),
) -> dict[str, Any]:
    """Verified clusters -> dropped ids (.jsonl.zst: id, rule, cluster, kept_twin, jaccard) + summary JSON.

    The summary lists the LARGEST_RECORDED largest clusters whatever their size, so that the bound they
    are judged by (`dedup.max_cluster_size`, large_clusters()) is the report's business and editing it
    reruns no clustering; `max_cluster_size`, when given, also logs a warning per cluster above it.
    """
    prefixes = [str(p) for p in signature_prefixes]
    corpus = load_corpus(prefixes, group_key=group_key, exclude_paths=exclude_paths)
    pairs = read_candidates(candidate_paths)
    uf = UnionFind()

    # Near duplicates: candidate pairs verified by estimated Jaccard.
    involved = np.unique(pairs) if len(pairs) else np.empty(0, dtype=np.int64)
    sigs = gather_signatures(prefixes, corpus.offsets, involved)
    pos = np.searchsorted(involved, pairs) if len(pairs) else pairs
    jaccard = (sigs[pos[:, 0]] == sigs[pos[:, 1]]).mean(axis=1) if len(pairs) else np.empty(0)
    verified = pairs[jaccard >= threshold]
    for a, b in verified.tolist():
        uf.union(a, b)

    # Exact duplicates: documents too short to shingle, grouped by (category, hash).
    first_of: dict[tuple[int, str], int] = {}
    exact_members: set[int] = set()
    for i, digest in enumerate(corpus.exact):
        if digest is None or not corpus.active[i]:
            continue
        key = (int(corpus.category[i]), digest)
        if key in first_of:
            uf.union(first_of[key], i)
            exact_members.update((first_of[key], i))
        else:
            first_of[key] = i

    dropped = []
    sizes: Counter[int] = Counter()
    largest: list[tuple[int, str, bool, list[int]]] = []
    for members in uf.groups():
        survivor = min(members, key=lambda i: (-corpus.lengths[i], corpus.ids[i]))
        cluster = f"{stage}:{corpus.ids[survivor]}"
        is_exact = survivor in exact_members
        if not is_exact:
            sv = sigs[np.searchsorted(involved, survivor)]
        for i in members:
            if i == survivor:
                continue
            if is_exact:
                est, rule = 1.0, "exact_duplicate"
            else:
                est, rule = float((sigs[np.searchsorted(involved, i)] == sv).mean()), "near_duplicate"
            dropped.append({"id": corpus.ids[i], "rule": rule, "cluster": cluster,
                            "kept_twin": corpus.ids[survivor], "jaccard": round(est, 6)})
        sizes[len(members)] += 1
        # Only the largest clusters are kept for the summary, pruned as it goes: a full corpus has millions.
        if len(members) > 1:
            largest.append((len(members), cluster, is_exact, members))
            if len(largest) > 4 * LARGEST_RECORDED:
                largest = sorted(largest, key=lambda c: (-c[0], c[1]))[:LARGEST_RECORDED]
        if max_cluster_size is not None and len(members) > max_cluster_size:
            log.warning("dedup %s: cluster %s has %d members (bound %d)", stage, cluster, len(members), max_cluster_size)
    largest_clusters = [
        {"cluster": cluster, "size": size, "rule": "exact_duplicate" if is_exact else "near_duplicate",
         "sample": sorted(corpus.ids[i] for i in members)[:10]}
        for size, cluster, is_exact, members in sorted(largest, key=lambda c: (-c[0], c[1]))[:LARGEST_RECORDED]
    ]
    dropped.sort(key=lambda d: d["id"])
    with ShardWriter(out_dropped) as writer:
        writer.write_all(dropped)
    summary = {
        "stage": stage,
        "threshold": threshold,
        "group_key": group_key,
        "documents": int(corpus.active.sum()),
        "candidate_pairs": int(len(pairs)),
        "verified_pairs": int(len(verified)),
        "rejected_pairs": int(len(pairs) - len(verified)),
        "clusters": int(sum(sizes.values())),
        "cluster_sizes": {str(k): v for k, v in sorted(sizes.items())},
        "dropped": len(dropped),
        "dropped_by_rule": dict(sorted(Counter(d["rule"] for d in dropped).items())),
        "largest_clusters": largest_clusters,
    }
    write_json(out_summary, summary)
    return summary


def large_clusters(summary: dict[str, Any], max_cluster_size: int) -> tuple[list[dict[str, Any]], int]:
    """The recorded clusters of a find_clusters summary larger than `max_cluster_size` (dedup.max_cluster_size),
    and how many clusters are that large in all (more than the recorded ones when over LARGEST_RECORDED)."""
    listed = [c for c in summary.get("largest_clusters", []) if c["size"] > max_cluster_size]
    total = sum(count for size, count in summary.get("cluster_sizes", {}).items() if int(size) > max_cluster_size)
    return listed, total


def read_dropped(paths: Iterable[str | os.PathLike[str]]) -> dict[str, dict[str, Any]]:
    return {rec["id"]: rec for path in paths for rec in read_records(path)}


def apply_dedup(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    ledger_path: str | os.PathLike[str],
    stats_path: str | os.PathLike[str],
    dropped_paths: Iterable[str | os.PathLike[str]],
    *,
    stage: str,
    source: str,
    shard: str | int,
    threshold: float,
) -> dict[str, Any]:
    """Copy one shard minus its duplicates; every drop goes to the StageLedger with cluster and twin."""
    dropped = read_dropped(dropped_paths)
    with StageShard(stage, source, shard, out_path=out_path, ledger_path=ledger_path, stats_path=stats_path) as outputs:
        for rec in read_records(in_path):
            outputs.ledger.saw(len(rec["text"]))
            hit = dropped.get(rec["id"])
            if hit is None:
                outputs.keep(rec)
            else:
                outputs.ledger.drop(doc_id=rec["id"], rule=hit["rule"], value=hit["jaccard"], threshold=threshold,
                                    cluster=hit["cluster"], kept_twin=hit["kept_twin"], doc=rec)
    return outputs.stats
