"""Positions on a cell's unrolled stream: its buckets in order, repeated copy after copy.

A position `u` is a bucket boundary counted from the start of copy 0: ``u = copy * B + j`` with
``B = 2**bits`` buckets per copy and ``0 <= j <= B``. With ``prefix[j]`` the amount (tokens,
characters or documents) in buckets ``< j`` (``prefix[B] = C``, the cell's total), the amount
before `u` is ``(u // B) * C + prefix[u % B]``. Phases are intervals ``[lo, hi)`` of such positions, so a bucket
(and every document in it) goes whole into one phase per copy.
"""

from __future__ import annotations

import math

import numpy as np


def prefix_sums(per_bucket: np.ndarray) -> np.ndarray:
    """int64 array of length B + 1: amount before each bucket boundary of one copy."""
    out = np.zeros(len(per_bucket) + 1, dtype=np.int64)
    np.cumsum(per_bucket, out=out[1:])
    return out


def amount_before(prefix: np.ndarray, u: int) -> int:
    """The amount (whatever `prefix` sums) before position `u`."""
    n_buckets = len(prefix) - 1
    copies, j = divmod(u, n_buckets)
    return copies * int(prefix[-1]) + int(prefix[j])


def positions_around(prefix: np.ndarray, target: float) -> tuple[int, int]:
    """The last bucket boundary with at most `target` before it, and the first with at least."""
    total = int(prefix[-1])
    if total == 0:
        return 0, 0
    n_buckets = len(prefix) - 1
    copies = math.floor(target / total)
    rest = target - copies * total
    below = int(np.searchsorted(prefix, rest, side="right")) - 1
    above = min(int(np.searchsorted(prefix, rest, side="left")), n_buckets)
    return copies * n_buckets + below, copies * n_buckets + above


def last_position_within(prefix: np.ndarray, limit: int) -> int:
    """The last bucket boundary with at most `limit` before it."""
    total = int(prefix[-1])
    if total == 0:
        return 0
    n_buckets = len(prefix) - 1
    copies, rest = divmod(limit, total)
    j = int(np.searchsorted(prefix, rest, side="right")) - 1
    return copies * n_buckets + j


def copies_in(bucket: int, lo: int, hi: int, n_buckets: int) -> range:
    """The copy numbers k whose bucket start k * B + bucket lies in [lo, hi)."""
    # ceil((x - bucket) / B) written with floor division to stay in exact integers.
    first = max(0, -((bucket - lo) // n_buckets))
    end = -((bucket - hi) // n_buckets)
    return range(first, max(first, end))
