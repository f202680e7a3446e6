"""Two-stage MinHash LSH dedup (docs/dedup.md): signatures per shard, candidates per band group,
clusters per stage, then apply per shard."""

from xuanyuan.dedup.clusters import apply_dedup, find_clusters, large_clusters
from xuanyuan.dedup.lsh import LshParams, band_candidates, band_groups, lsh_params
from xuanyuan.dedup.signatures import compute_signatures

__all__ = [
    "LshParams",
    "apply_dedup",
    "band_candidates",
    "band_groups",
    "compute_signatures",
    "find_clusters",
    "large_clusters",
    "lsh_params",
]
